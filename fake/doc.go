// Package fake is an in-process Partner Center for testing code that runs product upgrades:
// a loopback HTTP server that answers the three product-upgrade operations with the service's
// state machine, checks every request against the embedded OpenAPI spec, and injects the
// faults a real caller must survive.
//
// Point a client at the server's URL (client.WithBaseURL(srv.URL)), run your upgrade flow
// against it, then look at what the server holds (Upgrades) and what it received (Requests).
// The package Example does exactly this with NewServer and Close: eligibility, create and
// wait with the real client. ExampleServer_InjectFault shows a lost 202 survived. In a test,
// Start(t, opts...) returns a running server and closes it when the test ends.
//
// Requests keeps the last DefaultRequestLogLimit requests (WithRequestLogLimit), bodies cut at
// MaxLoggedBody, so a long-running test stays bounded; a credential in Authorization is never
// kept.
//
// # The upgrade state machine
//
// Upgrades are keyed by customer and product family (the family compared case-insensitively,
// as the service does):
//
//   - eligibility of a customer with no upgrade: isEligible true;
//   - create: 202 Accepted, empty body, Location: productUpgrades/{new GUID};
//   - status: InProgress for WithPollsUntilComplete status checks, then Completed with one
//     line item (or Failed with errorDetails when WithFailure scripts it);
//   - eligibility once an upgrade is in place: isEligible false, upgradeId naming it;
//   - a second create while one is in progress: 409, code 900109; after it completed: 400,
//     code 900110; after it failed, a create starts a new upgrade;
//   - status of an unknown upgrade: 404, code 900106; of another customer's upgrade: 400,
//     code 900111.
//
// Creates are idempotent as the service promises: a create that repeats the MS-RequestId of
// an earlier one gets the same 202 and Location and creates nothing. Reusing an MS-RequestId
// for a different customer or family is a 400 (800002).
//
// # Requests
//
// A request without an Authorization: Bearer token is answered 401 (800001). Every other
// request is validated against the spec with kin-openapi (spec.Validator): route,
// headers, path parameter, content type and body. A violation is answered 400 (800002) whose
// description names the rule and the place, for example
// "Invalid request input: request.header.required at header MS-RequestId: expected present,
// got absent". Paths match case-insensitively. Error bodies have the documented shape
// {code, description, data, source}; every response echoes MS-RequestId and MS-CorrelationId
// and carries MS-CV and MS-ServerId.
//
// Requests returns what the server received (Authorization redacted), Upgrades what it holds.
//
// # Faults
//
// InjectFault makes the next requests to an operation fail as a real service or network can:
// 429 with Retry-After, a 500 or 503, a delay, or a lost response (the request takes effect,
// then the connection closes before the answer: for a create, the lost 202 that only an
// idempotent retry or a reconcile recovers from). WithLatency delays every request.
//
// WithChaos(seed, rate) injects those faults at random into a fraction rate of the requests,
// so that a consumer can soak its own upgrade flow; the draws depend on the seed and on each
// customer's own sequence of calls, never on timing, so a failing run replays from its seed.
// ChaosCounts and ChaosFaults say what was injected. The repository's soak test runs 500
// concurrent EnsureUpgrade + WaitForUpgrade workflows under chaos: one upgrade each, all
// Completed.
//
// A Server is safe for concurrent use.
package fake
