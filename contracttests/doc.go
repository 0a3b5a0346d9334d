// Package contracttests holds recorded HTTP exchanges with Partner Center's product-upgrade
// API and checks them against the spec: the fixture format, read and written; the verifier
// behind `pcupgrade verify`; and, as its tests, the contract tests that hold the spec, the
// generated client and package client to the recorded exchanges.
//
// # Fixtures
//
// A fixture named NAME is two files (FixturePaths, FixtureExt, SidecarExt): NAME.http, the
// raw HTTP/1.1 request (head, blank line, a body of exactly Content-Length bytes), blank
// lines, then the raw response, with LF or CRLF line ends; and the sidecar NAME.json, its
// Meta: where each half comes from (Provenance: OriginDoc, OriginConstructed or
// OriginRecorded), the Fixups that turn a documentation page's text into the fixture, and
// what a client must decode from the response (Expect).
//
// The format is read and written here, and nowhere else. ParseExchange reads the text of a
// NAME.http file, ParseFiles both files' bytes, LoadFile and LoadDir the files on disk; each
// returns an Exchange (the parsed request and response, the bodies byte for byte, the two
// texts) or a *ParseError. Format, FormatFixture and FormatMeta write an Exchange back in a
// canonical layout that ParseFiles reads into the same Exchange; package record writes its
// fixtures through them. ApplyFixups replays a sidecar's ledger of changes on a docs text.
//
// # Checking exchanges
//
// SpecChecker validates an Exchange, or a request and response given by their parts, against
// the embedded spec. It is spec.Validator (kin-openapi's openapi3filter behind the service's
// case-insensitive spec.Router) with methods that take an Exchange; each failure is a
// Violation (an alias of spec.Violation) that names the exchange, the check, the rule, the
// header or JSON pointer, expected against actual, and the place in the spec.
//
// Verify, and a reusable Verifier, check fixture files and folders (walked recursively for
// *.http files, surviving FIFOs, devices and symlink loops): the request and the response
// against the spec, and the exchange against its sidecar's operation and status (CheckMeta).
// The Report has one Result per file, a file that cannot be read or parsed included, and is
// written for people (WriteText) or for CI (WriteJUnit).
//
// # The contract tests
//
// The package's tests check every exchange in testdata/exchanges: the spec loads and
// validates, the recorded request and response validate against it, each docs half differs
// from the docs' text only by its listed fix-ups, and the exchange replayed through the
// generated client (package gen) and through package client against a loopback server sends
// the recorded request and decodes what the sidecar expects. The exchanges in
// testdata/flagged must be rejected with the violations their sidecars list.
//
// The checks are tested themselves: Corruptions lists the ways to break an exchange (a
// dropped Location, a non-GUID id, a missing Authorization, data after the JSON value, a
// repeated header, ...), each with the rule the checks must name. Every corruption is applied
// to a Clone of every exchange it applies to, and the broken copy must be rejected by that
// rule; spec/crosscheck has an independent validator judge the same copies. The replays are
// test files, so importing this package links neither package client nor gen.
package contracttests
