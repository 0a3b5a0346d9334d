package contracttests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// MaxFixtureSize bounds the size of one fixture file, so that a stray large file is reported
// instead of being read into memory.
const MaxFixtureSize = 1 << 20

// Exchange is one recorded HTTP exchange: a request to the Partner Center product-upgrade API
// and the response it got, as stored in a fixture file, with the metadata stored beside it.
type Exchange struct {
	// Name is the fixture's base name, for example "create-202".
	Name string
	// Path is the fixture file the exchange was read from ("" when parsed from memory).
	Path string
	// Meta is what the sidecar .json file says of the exchange; nil when there is none.
	Meta *Meta

	// Request is the parsed request. Its Body is replaced on every read by RequestBody,
	// so it can be used more than once through NewRequest.
	Request *http.Request
	// RequestBody is the request body, exactly as recorded.
	RequestBody []byte
	// Response is the parsed response (Body already consumed into ResponseBody).
	Response *http.Response
	// ResponseBody is the response body, exactly as recorded.
	ResponseBody []byte

	// RequestText and ResponseText are the two parts of the fixture file, as text, without
	// the blank lines between them or after the response.
	RequestText, ResponseText string
}

// Meta is the sidecar file of a fixture (NAME.json beside NAME.http): where each half of the
// exchange comes from, how it differs from its source, and what a client must decode from it.
type Meta struct {
	// Title says in a few words what the exchange shows.
	Title string `json:"title"`
	// Operation is the spec's operationId of the request.
	Operation string `json:"operation"`
	// Request and Response say where each half of the exchange comes from.
	Request  Provenance `json:"request"`
	Response Provenance `json:"response"`
	// Expect is what a client must decode from the response.
	Expect Expect `json:"expect"`
}

// Provenance says where one half of an exchange comes from.
type Provenance struct {
	// Origin is "doc" (copied from a documentation page), "constructed" (written by hand
	// from the documented formats: not captured from the service) or "recorded" (captured
	// from real traffic).
	Origin string `json:"origin"`
	// Source names the document or the facts the half is taken from.
	Source string `json:"source"`
	// Doc is the file (beside the fixture) that holds the documentation's text verbatim;
	// only for Origin "doc".
	Doc string `json:"doc,omitempty"`
	// Fixups lists every change made to the documentation's text to get the fixture, each
	// with its reason; applying them to Doc in order must give the fixture exactly.
	Fixups []Fixup `json:"fixups,omitempty"`
}

// Provenance origins.
const (
	OriginDoc         = "doc"
	OriginConstructed = "constructed"
	OriginRecorded    = "recorded"
)

// Expect is what a client must decode from an exchange's response. Empty fields are not
// checked.
type Expect struct {
	// Status is the response's status code.
	Status int `json:"status"`
	// Location is the raw Location header of a create.
	Location string `json:"location,omitempty"`
	// UpgradeID is the upgrade id a create's Location names.
	UpgradeID string `json:"upgradeId,omitempty"`
	// Eligibility is the decoded body of an eligibility response.
	Eligibility *ExpectEligibility `json:"eligibility,omitempty"`
	// UpgradeStatus is the decoded body of a status response.
	UpgradeStatus *ExpectStatus `json:"upgradeStatus,omitempty"`
	// Error is the decoded body and headers of an error response.
	Error *ExpectError `json:"error,omitempty"`
	// MissingField, when set, names a field the caller must have (isEligible, status, the
	// 202's upgrade id) that the response lacks: package client must fail with an error that
	// names it. The generated client, which decodes without checking, is not held to it.
	MissingField string `json:"missingField,omitempty"`
	// Violations lists what the verifier must report on the exchange, for a fixture that
	// shows a response the spec rejects; empty for every exchange that must verify clean.
	Violations []ExpectViolation `json:"violations,omitempty"`
}

// ExpectViolation is a violation the verifier must report: its rule and where.
type ExpectViolation struct {
	// Rule is the violated rule, as Violation.Rule names it.
	Rule string `json:"rule"`
	// Where is the place in the exchange, as Violation.Where names it.
	Where string `json:"where"`
}

// ExpectEligibility is the expected content of a ProductUpgradesEligibility.
type ExpectEligibility struct {
	CustomerID    string `json:"customerId"`
	ProductFamily string `json:"productFamily"`
	IsEligible    bool   `json:"isEligible"`
	UpgradeID     string `json:"upgradeId,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// ExpectStatus is the expected content of a ProductUpgradesStatus.
type ExpectStatus struct {
	ID            string            `json:"id"`
	ProductFamily string            `json:"productFamily"`
	Status        string            `json:"status"`
	LineItems     []ExpectLineItem  `json:"lineItems,omitempty"`
	ErrorDetails  map[string]string `json:"errorDetails,omitempty"`
}

// ExpectLineItem is the expected content of one UpgradesLineItem.
type ExpectLineItem struct {
	SourceProductID   string `json:"sourceProductId"`
	SourceProductName string `json:"sourceProductName"`
	TargetProductID   string `json:"targetProductId"`
	TargetProductName string `json:"targetProductName"`
	// UpgradedDate is the instant a client must read, in UTC as RFC 3339 with up to 7
	// fractional digits; "" when the response names no date.
	UpgradedDate string `json:"upgradedDate"`
	// Status is the line item's status.
	Status string `json:"status"`
	// UpgradedDateRaw is the text on the wire, when it differs from UpgradedDate (a
	// zone-less or .NET default date): what a client that keeps the raw text returns.
	UpgradedDateRaw string `json:"upgradedDateRaw,omitempty"`
}

// ExpectError is the expected content of an error response.
type ExpectError struct {
	// Code is the service's error code as text, whether it was sent as a number or a string.
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source,omitempty"`
	// RetryAfterSeconds is the Retry-After header, in seconds.
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
}

// ParseError reports a fixture that cannot be read as an HTTP exchange.
type ParseError struct {
	// Exchange is the fixture's name, Part "file", "request", "response" or "meta".
	Exchange, Part string
	// Err is what is wrong.
	Err error
}

// Error names the exchange and the part.
func (e *ParseError) Error() string {
	return fmt.Sprintf("exchange %s: %s: %v", e.Exchange, e.Part, e.Err)
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// ParseExchange reads an exchange from the text of a fixture: an HTTP/1.1 request (request
// line, headers, a blank line, a body of exactly Content-Length bytes), then, after any blank
// lines, the HTTP/1.1 response, whose body is exactly Content-Length bytes long. Only blank
// lines may follow. Line ends may be LF or CRLF.
func ParseExchange(name string, raw []byte) (*Exchange, error) {
	ex := &Exchange{Name: name}
	fail := func(part string, err error) (*Exchange, error) {
		return nil, &ParseError{Exchange: name, Part: part, Err: err}
	}
	src := bytes.NewReader(raw)
	// One pooled reader serves both halves: bufio.NewReader's 4 KiB buffer, twice per
	// exchange, was a fifth of the bytes a verify allocated. Its size is the default's, so
	// that lines are read exactly as before.
	br, _ := readerPool.Get().(*bufio.Reader)
	if br == nil {
		br = bufio.NewReader(nil)
	}
	br.Reset(src)
	defer func() {
		br.Reset(nil)
		readerPool.Put(br)
	}()
	consumed := func() int { return len(raw) - src.Len() - br.Buffered() }

	req, err := http.ReadRequest(br)
	if err != nil {
		return fail("request", err)
	}
	if req.ContentLength < 0 || len(req.TransferEncoding) > 0 {
		return fail("request", errors.New("a fixture's request must have a Content-Length header (chunked bodies are not stored)"))
	}
	ex.RequestBody, err = io.ReadAll(req.Body)
	if err != nil {
		return fail("request", fmt.Errorf("body shorter than its Content-Length %d: %w", req.ContentLength, err))
	}
	ex.RequestText = string(raw[:consumed()])
	ex.Request = req
	ex.resetRequestBody()

	respStart := consumed()
	for respStart < len(raw) && (raw[respStart] == '\n' || raw[respStart] == '\r') {
		respStart++
	}
	if respStart == len(raw) {
		return fail("response", errors.New("no response after the request (or the request's Content-Length is larger than its body)"))
	}
	if !bytes.HasPrefix(raw[respStart:], []byte("HTTP/")) {
		line, _, _ := bytes.Cut(raw[respStart:], []byte("\n"))
		return fail("response", fmt.Errorf("expected a status line after the request body, found %q: the request's Content-Length does not match its body", excerpt.Cut(string(line), 60)))
	}
	src = bytes.NewReader(raw[respStart:])
	br.Reset(src)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail("response", err)
	}
	// The body reads from raw, in memory: closing it frees nothing and can only repeat an
	// error ReadAll reports, so its error is not checked. It is closed all the same, and
	// ex.Response gets http.NoBody, the bytes being in ex.ResponseBody.
	if resp.ContentLength < 0 || len(resp.TransferEncoding) > 0 {
		_ = resp.Body.Close()
		return fail("response", errors.New("a fixture's response must have a Content-Length header (chunked bodies are not stored)"))
	}
	ex.ResponseBody, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fail("response", fmt.Errorf("body shorter than its Content-Length %d: %w", resp.ContentLength, err))
	}
	resp.Body = http.NoBody
	ex.Response = resp
	end := respStart + (len(raw[respStart:]) - src.Len() - br.Buffered())
	if rest := raw[end:]; len(bytes.TrimSpace(rest)) > 0 {
		return fail("response", fmt.Errorf("%d bytes after the response body of Content-Length %d: the Content-Length is smaller than the body", len(bytes.TrimRight(rest, " \r\n")), resp.ContentLength))
	}
	ex.ResponseText = string(raw[respStart:end])
	return ex, nil
}

// readerPool holds the buffered readers ParseExchange reads fixtures with.
var readerPool = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

// resetRequestBody gives Request a fresh reader over RequestBody.
func (ex *Exchange) resetRequestBody() {
	ex.Request.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
	ex.Request.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(ex.RequestBody)), nil
	}
}

// NewRequest returns a copy of the recorded request with its own body reader, safe to hand
// to code that reads or changes it.
func (ex *Exchange) NewRequest() *http.Request {
	r := ex.Request.Clone(ex.Request.Context())
	r.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
	return r
}

// ParseFiles reads an exchange from the bytes of its two files, as Format returns them: the
// fixture text (see ParseExchange) and the sidecar, whose fields must all be known to Meta.
// sidecar nil means the fixture has none (Meta stays nil). It is LoadFile without the file
// system.
func ParseFiles(name string, fixture, sidecar []byte) (*Exchange, error) {
	ex, err := ParseExchange(name, fixture)
	if err != nil {
		return nil, err
	}
	if sidecar == nil {
		return ex, nil
	}
	meta, err := ParseMeta(sidecar)
	if err != nil {
		return nil, &ParseError{Exchange: name, Part: "meta", Err: fmt.Errorf("%s: %w", name+SidecarExt, err)}
	}
	ex.Meta = meta
	return ex, nil
}

// ParseMeta decodes a sidecar file. A field Meta does not know is an error, so that a typo in
// a hand-written sidecar is not ignored.
func ParseMeta(sidecar []byte) (*Meta, error) {
	var meta Meta
	dec := json.NewDecoder(bytes.NewReader(sidecar))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, err
	}
	return &meta, nil
}

// LoadFile reads the fixture at path (NAME.http) and its sidecar NAME.json when there is one.
func LoadFile(path string) (*Exchange, error) {
	name := strings.TrimSuffix(filepath.Base(path), FixtureExt)
	raw, err := readCapped(path)
	if err != nil {
		return nil, &ParseError{Exchange: name, Part: "file", Err: err}
	}
	ex, err := ParseExchange(name, raw)
	if err != nil {
		return nil, maskParseError(raw, err)
	}
	ex.Path = path
	_, metaPath := FixturePaths(filepath.Dir(path), name)
	metaRaw, err := readCapped(metaPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return ex, nil
	case err != nil:
		return nil, &ParseError{Exchange: name, Part: "meta", Err: err}
	}
	meta, err := ParseMeta(metaRaw)
	if err != nil {
		return nil, &ParseError{Exchange: name, Part: "meta", Err: fmt.Errorf("%s: %w", filepath.Base(metaPath), err)}
	}
	ex.Meta = meta
	return ex, nil
}

// LoadDir reads every fixture (*.http) in dir, sorted by name. It fails on the first file it
// cannot parse: a broken fixture is never skipped in silence.
func LoadDir(dir string) ([]*Exchange, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+FixtureExt))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no fixtures (*%s) in %s", FixtureExt, dir)
	}
	sort.Strings(paths)
	out := make([]*Exchange, 0, len(paths))
	for _, p := range paths {
		ex, err := LoadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}
