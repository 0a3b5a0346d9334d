// Package layering holds one test: the module's import rules, checked with `go list` so that a
// new import that breaks them fails `go test ./...` instead of waiting for a reviewer.
//
// The rules (issue 10):
//   - only the command line (cmd/...) imports package client: the client is what other services
//     import, so no layer of this module may need it, and a broken client cannot break them;
//   - no non-test file imports net/http/httptest: test servers belong to tests;
//   - fake and record depend on neither client nor net/http/httptest, not even transitively:
//     a service that imports the fake or the recorder links neither;
//   - fake does not depend on contracttests (the fixture format, Verify and the contract
//     tests): it routes and validates with package spec;
//   - spec, which fake, record and contracttests build on, depends on none of them, nor on
//     client or gen;
//   - internal/testkit, the helpers the tests share, is imported only by _test.go files (no
//     package depends on it, not even transitively), and depends on neither client nor
//     net/http/httptest, so that the tests of every layer, client's own included, can use it.
//
// Test files are exempt from the first two rules: the contract tests replay the client, and
// tests run servers on loopback.
package layering
