// Package client is the Go client for Partner Center's product-upgrade API, which moves a CSP
// customer from a legacy Microsoft Azure (MS-AZR-0145P) subscription to a product family
// (today the Azure plan). It is built on the generated package gen and adds what generation
// cannot: input checks, an idempotent retry policy, Location parsing, typed errors, polling
// and logging.
//
// # The upgrade workflow
//
//	ts := oauth2.ReuseTokenSource(nil, myPartnerCenterTokenSource) // an Entra ID token for Scope
//	c, err := client.New(client.WithTokenSource(ts), client.WithApplication("contoso-billing"))
//	if err != nil { ... }
//	req := client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"}
//
//	// 1. The safe path in one call: eligibility first (an upgrade in place is returned,
//	// nothing created), then the create; a lost answer is reconciled, or the create resent
//	// with the same MS-RequestId. Never a second upgrade.
//	res, err := c.EnsureUpgrade(ctx, req)
//	// *NotEligibleError, *UpgradeInProgressError (in progress elsewhere, id unknown), or
//	// *OutcomeUnknownError: keep its RequestID and resume with EnsureUpgradeWithRequestID.
//	if err != nil { ... }
//
//	// 2. Wait for it to finish (Completed, or an *UpgradeFailedError with ErrorDetails).
//	s, err := c.WaitForUpgrade(ctx, res.UpgradeID, req, &client.WaitOptions{Interval: 30 * time.Second})
//
// The steps are also there one by one: CheckEligibility, CreateUpgrade (and
// CreateUpgradeWithRequestID to resend), Reconcile, CheckStatus; EnsureUpgrade's
// documentation gives the branching it does with them.
//
// # Requests
//
// Every call sends Authorization: Bearer (from the token source, on every try), a new
// MS-RequestId (the same on every retry of that call: it is the service's idempotency key), a
// new MS-CorrelationId unless the context carries one (WithCorrelationID), X-Locale, Accept,
// MS-PartnerCenter-Application when set, and a User-Agent naming this module and its Version.
// Bad input (a customer or upgrade id that is not a GUID, an empty product family) and a
// failing token source are errors before anything is sent.
//
// # Errors
//
// A non-2xx response is an *APIError (errors.As): status, the service's code (sent as a
// number or a string), description, source, request and correlation ids, Retry-After, and the
// Operation, named by the spec's operationId (OpCreateProductUpgrade,
// OpCheckProductUpgradeEligibility, OpCheckProductUpgradeStatus: the values of the spec and
// fake packages' constants too), which also starts its message ("productupgrades:
// CheckProductUpgradeStatus: 429 Too Many Requests: ..."). Create failures that leave an
// upgrade possibly started match ErrOutcomeUnknown; see CreateUpgrade.
// Response bodies are read through a 1 MiB cap (MaxResponseBytes). Error messages are short
// (bounded in bytes) and never contain the token.
//
// # Reading responses
//
// The client is liberal in what it accepts and never fails an upgrade over a field it does not
// need; the verifier (package contracttests, pcupgrade verify) is strict and reports every
// deviation from the spec. Responses are decoded by the client's own lenient readers, never by
// the generated response types: ids are text of any shape, "" and the nil GUID meaning none;
// upgradedDate is read from RFC 3339 or the zone-less forms .NET writes, as UTC, its text kept
// in LineItem.UpgradedDateRaw; explicit nulls and unknown properties are ignored. A field the
// caller must have (isEligible, the status value, the upgrade id of a 202) missing is
// ErrMalformedResponse naming it, and so is a status about another upgrade. The 202's
// Location is read in every form it takes (see ParseLocation); when it is unusable, an id in
// the 202's JSON body is used. Status values are an open vocabulary: see
// UpgradeStatus.Succeeded, Failed and Known.
//
// # The access token
//
// Partner Center takes an application + user token from Microsoft Entra ID for Scope (the
// secure application model); RefreshTokenSource trades the application's refresh token for
// such tokens, sending Scope with every refresh as Entra ID's v2.0 endpoint asks, and the
// example of WithTokenSource builds it with golang.org/x/oauth2's Config. New refuses an http:// base URL unless its host is loopback, so that
// the token is never sent in clear text over a network.
//
// The token never leaves the process. Every text a server controls (error codes,
// descriptions, sources, response id headers, the Location, 200 bodies, status lines quoted
// by transport errors) is cleaned of the token the client sent, in its plain, JSON-escaped,
// URL-escaped and any-case forms and in pieces of 12 bytes or more, before it reaches an
// error, a log line or a returned field. A token shorter than 8 bytes is removed only where it
// is a whole value, never from inside ordinary words. A token with control characters is a
// *ValidationError, and nothing is sent.
//
// # Retries
//
// See RetryPolicy: transport errors and 408, 429, 500, 502, 503, 504 are retried, POST
// included, honouring Retry-After (repeated 429s back off exponentially, Retry-After the
// floor); cancelling the context stops at once. A failure that would repeat before anything
// is sent (a TLS handshake failure, https to a plain-HTTP port) is not retried.
package client
