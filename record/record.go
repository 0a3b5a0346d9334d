// Package record captures the HTTP traffic of a service that calls Partner Center's
// product-upgrade API as fixture files that package contracttests reads and
// `pcupgrade verify` checks against the spec.
//
// A Recorder is an http.RoundTripper placed in front of the real transport:
//
//	rec := record.New("testdata/recorded", http.DefaultTransport)
//	httpClient := &http.Client{Transport: rec}
//
// Each exchange becomes NAME.http (the request and the response as HTTP/1.1 text) and NAME.json
// (the sidecar: origin "recorded", the spec operation, the status), in the fixture format of
// package contracttests, which writes both files' bytes (contracttests.Format): the Recorder
// masks each message, then hands the masked texts and the sidecar's Meta to it.
//
// # Default deny
//
// The Recorder is meant to be safe on production traffic. The spec (spec/productupgrades.yaml,
// embedded, parsed when the first request goes through) says exactly what this API carries,
// so the Recorder keeps what the spec declares and replaces everything else with
// "<redacted>". Rule by rule:
//
//   - Routing. A request is routed when the spec declares its method and path; literal path
//     segments are compared without regard to case, as the service compares them. Traffic the
//     spec does not route (another API called through the same transport, a method the path
//     does not declare) keeps its method (when a standard one), one "<redacted>" per path
//     segment and the status code, nothing else: no query, no headers, no bodies (they are
//     not even read), host "redacted.invalid", and its fixture is named
//     NNNN-unrouted-METHOD-STATUS. If the spec cannot be loaded, nothing is routed.
//   - Path. Literal segments keep the request's spelling. A path parameter is kept when it
//     matches its declared schema (the upgrade id: a GUID), otherwise it is masked.
//   - Query. This API declares no query parameter, so every query value is masked, whatever
//     its name; an item without "=" counts as a value. A name is kept, decoded, when it is
//     plain (client%5Fsecret is written client_secret=<redacted>).
//   - Err. Each message names the exchange by its recorded method and target, masked as
//     above; the text of an underlying error (which may quote the URL) has every part of the
//     URL removed and is scanned. No message holds any of a body.
//   - Authorization and Proxy-Authorization keep a known scheme word and nothing else
//     ("Bearer <redacted>"); a value without a known scheme ("SHORTKEY extra", a bare token)
//     is masked whole.
//   - Other headers. A header off the allow-list (DefaultAllowedHeaders, WithAllowedHeaders)
//     keeps its name and reads "<redacted>"; a name that is not plain (token-shaped, random
//     looking) is written X-Redacted. An allow-listed header the spec declares for the
//     exchange (MS-RequestId, MS-CorrelationId, X-Locale, Retry-After, ...) is kept only when
//     it matches its declared schema. Location keeps its path only, no scheme, host, user,
//     query or fragment, and of the path only the spec's literal segments (any casing) and
//     values that match a path parameter's schema; the leading and trailing slashes stay, so
//     every Location form the spec accepts stays valid. Date must be an HTTP date;
//     Content-Type keeps its media type and charset. Every allow-listed value kept is still
//     scanned with package internal/secrets and token-shaped parts are masked ("User-Agent:
//     app token=X"). The status text is the standard one for the code, never the server's.
//   - Content-Encoding. A body is decoded before it is masked (gzip, x-gzip, deflate, zlib or
//     raw; stacked codings in order), reading at most WithMaxBody bytes of output, so a zip
//     bomb costs no more than that. It is recorded decoded, without Content-Encoding and with
//     its own Content-Length. A body that cannot be decoded (br: the standard library has no
//     decoder and this module adds no dependency for it; zstd, compress, an unknown coding,
//     corrupt data) or that decodes to more than WithMaxBody bytes is not recorded, and Err
//     says why, naming the coding only when it is a known one.
//   - JSON bodies of routed exchanges keep their structure, member order included, compacted.
//     The schema is the operation's request body, or the response declared for the status
//     (exact, a range such as 4XX, or default for a 4xx or 5xx only). A declared property
//     (through properties, allOf, oneOf, anyOf and additionalProperties) keeps its value when
//     the value matches the property's schema; a kept string is still scanned and
//     token-shaped parts are masked, and a string holding a JSON object or array is masked
//     whole. A property the schema does not declare keeps its name when the name is plain,
//     else "<redacted>" ("<redacted>#2", ... in the same object), and its value is masked:
//     a string, number or boolean becomes "<redacted>", an object or an array keeps its shape
//     with every value in it masked. Names are compared decoded, so "\u0074oken" is the
//     undeclared name token. A free-form schema (the error body's data, items: {}) declares
//     nothing, so what it holds is masked. null stays null. A body nested deeper than 64
//     levels is masked whole.
//   - Other bodies of routed exchanges (XML, YAML, a form, text, broken JSON) are replaced by
//     "<redacted>": the spec declares JSON only, and the keys of a form (code, code_verifier,
//     token, private_key) are not worth the risk of parsing it.
//
// What stays unmasked on purpose, because the spec declares it, because it is what a
// fixture is for (checking the service against the spec, and learning where the service and
// the docs disagree), and because none of it is a credential:
//
//   - the operation, the status code, the path's literal segments and their casing;
//   - the ids, as long as they match what the spec declares for them: customerId, upgradeId,
//     id and the product ids in bodies, the upgrade id in the path and in Location,
//     MS-RequestId and MS-CorrelationId (GUIDs; an id the spec widens to any string is kept
//     and scanned);
//   - productFamily, isEligible, status values, line item product names and dates, error
//     codes, descriptions, messages, reasons and sources, and the etag and objectType
//     attributes: declared free text is what tells why an upgrade failed. It is kept and only
//     scanned, so a credential there in a shape package secrets does not know is not caught;
//   - the allow-listed headers that pass their checks and the scan, the declared free-text
//     ones (MS-CV, MS-ServerId, X-Locale, MS-PartnerCenter-Application) and User-Agent
//     included;
//   - the names of undeclared properties, query parameters and headers, when plain: they are
//     how a partner learns what the service sends beyond the docs;
//   - the host of a routed request, when it is a plain host name or address.
//
// The .http file and its sidecar appear together or not at all: both are written to
// temporary files and synced, then linked into place, the sidecar first; when the second
// link fails the first is removed. An existing fixture is never overwritten. Each file is
// synced to disk before it appears, which costs a few milliseconds per exchange: the Recorder
// is meant for tests, staging and sampled production traffic, not every call.
//
// Recording never changes what the caller sends or receives, and a failure to record never
// fails the call: it is reported through Err and the WithErrorHandler option.
package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// DefaultMaxBody is the largest request or response body recorded by default, before and
// after decoding its Content-Encoding. A larger exchange is passed through unchanged and not
// recorded (a cut body would not be the exchange).
const DefaultMaxBody = 256 << 10

// maxErrors bounds the recording errors kept for Err.
const maxErrors = 100

// DefaultAllowedHeaders are the headers whose values are recorded as sent (after the checks
// the package documentation lists): the ones the spec declares and the ones that help to
// read an exchange, none of them a credential. Authorization is never in it: its credentials
// are always replaced.
var DefaultAllowedHeaders = []string{
	"Accept", "Accept-Language", "Content-Type", "Content-Length", "Date", "Expect", "Connection", "Host",
	"Location", "Retry-After", "User-Agent",
	"MS-RequestId", "MS-CorrelationId", "MS-CV", "MS-ServerId", "MS-Contract-Version",
	"MS-PartnerCenter-Application", "X-Locale",
}

// Recorder is an http.RoundTripper that passes each request to the next RoundTripper and
// writes the exchange, without secrets, as a fixture in its folder. It is safe for
// concurrent use.
type Recorder struct {
	dir     string
	next    http.RoundTripper
	maxBody int64
	allowed map[string]bool   // by canonical name
	names   map[string]string // canonical name -> the spelling to write (MS-RequestId, not Ms-Requestid)
	source  string
	onError func(error)

	specOnce sync.Once
	spec     *specIndex // nil when the spec could not be loaded: nothing is routed

	// Test hooks: a failing write or link, as on a full disk. nil in normal use.
	writeHook func(f *os.File, data []byte) (int, error)
	linkHook  func(oldname, newname string) error

	mu      sync.Mutex
	started bool  // the folder exists and seq was read from it
	seq     int64 // the last sequence number handed out
	errs    []error
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithMaxBody sets the largest request or response body recorded (DefaultMaxBody when not
// set), on the wire and decoded. An exchange with a larger body is not recorded; the caller
// still gets it whole.
func WithMaxBody(n int64) Option {
	return func(r *Recorder) {
		if n >= 0 {
			r.maxBody = n
		}
	}
}

// WithAllowedHeaders adds headers to the allow-list of headers recorded with their values
// (still scanned for secrets). Authorization and Proxy-Authorization cannot be added: their
// credentials are always masked.
func WithAllowedHeaders(names ...string) Option {
	return func(r *Recorder) {
		for _, n := range names {
			r.allow(n)
		}
	}
}

func (r *Recorder) allow(name string) {
	ck := http.CanonicalHeaderKey(name)
	r.allowed[ck] = true
	// Keep a deliberate spelling (MS-RequestId); an all-lower-case one gets the canonical form.
	if _, known := r.names[ck]; !known && ck != name && name != strings.ToLower(name) {
		r.names[ck] = name
	}
}

// WithSource sets the sidecar's source of each recorded half, for example "staging,
// billing-service v1.4". The default names the package and the recording time.
func WithSource(s string) Option { return func(r *Recorder) { r.source = s } }

// WithErrorHandler sets a function called with each recording error (the call itself is not
// affected). It may be called from several goroutines at once.
func WithErrorHandler(f func(error)) Option { return func(r *Recorder) { r.onError = f } }

// New returns a Recorder that writes fixtures into dir (created when missing) and sends
// requests through next (http.DefaultTransport when nil). Fixture names are a sequence number
// that continues after the highest one already in dir, the operation and the status, for
// example "0003-create-product-upgrade-202".
func New(dir string, next http.RoundTripper, opts ...Option) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	r := &Recorder{dir: dir, next: next, maxBody: DefaultMaxBody, allowed: map[string]bool{}, names: map[string]string{}}
	for _, h := range DefaultAllowedHeaders {
		r.allow(h)
	}
	for _, o := range opts {
		o(r)
	}
	delete(r.allowed, "Authorization")
	delete(r.allowed, "Proxy-Authorization")
	if r.source == "" {
		r.source = "recorded by package record at " + time.Now().UTC().Format(time.RFC3339)
	}
	return r
}

// Err returns the recording errors so far (joined), or nil. An exchange that could not be
// recorded was still passed through. The messages hold no secrets: the URL in them is the
// recorded (masked) one, and nothing of a body.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// specIndex returns the spec, loaded once; nil when it cannot be (reported once through
// Err): then no request is routed, and every exchange is recorded as unrouted traffic.
func (r *Recorder) specIndex() *specIndex {
	r.specOnce.Do(func() {
		ix, err := loadSpec(context.Background())
		if err != nil {
			r.report(errors.New("record: load spec: " + secrets.MaskString(err.Error()) + " (every exchange is recorded as unrouted traffic)"))
			return
		}
		r.spec = ix
	})
	return r.spec
}

// fail reports that req's exchange could not be recorded. The message names the request by
// its recorded method and target; the text of cause, which may quote the request's URL (a
// transport or a body reader's error), is scrubbed of the URL's parts and scanned.
func (r *Recorder) fail(req *http.Request, rt *route, what string, cause error) {
	msg := fmt.Sprintf("record: %s %s: %s", oneLine(methodOf(req)), oneLine(requestTarget(req, rt)), what)
	if cause != nil {
		msg += ": " + scrub(cause.Error(), req)
	}
	r.report(errors.New(msg))
}

func (r *Recorder) report(err error) {
	r.mu.Lock()
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, err)
	}
	r.mu.Unlock()
	if r.onError != nil {
		r.onError(err)
	}
}

// scrub removes from text every part of req's URL that is not recorded (the query, its
// values, the path and its segments, the user info) and masks what looks like a secret.
func scrub(text string, req *http.Request) string {
	if req != nil && req.URL != nil {
		u := req.URL
		var parts []string
		add := func(s string) {
			if len(s) >= 3 {
				parts = append(parts, s)
			}
		}
		add(u.String())
		add(u.RawQuery)
		add(u.EscapedPath())
		add(u.Path)
		add(u.Host)
		add(req.Host)
		if u.User != nil {
			add(u.User.String())
		}
		for _, item := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			name, value, _ := strings.Cut(item, "=")
			add(item)
			add(name)
			add(value)
			if d, err := url.QueryUnescape(value); err == nil {
				add(d)
			}
		}
		for _, seg := range strings.Split(u.EscapedPath(), "/") {
			add(seg)
			if d, ok := pathValue(seg); ok {
				add(d)
			}
		}
		// Longest first, so that a part is replaced before the parts inside it.
		sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
		for _, p := range parts {
			text = strings.ReplaceAll(text, p, secrets.Redacted)
		}
	}
	return oneLine(secrets.MaskString(text))
}

// RoundTrip sends req through the next RoundTripper and records the exchange. For a request
// the spec routes, the request body is read through GetBody when the request has one,
// otherwise read and replayed to the next RoundTripper, and the response body is read (up to
// the limit) before RoundTrip returns and handed to the caller unchanged. Bodies of traffic
// the spec does not route are not read: they are never recorded.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var rt *route
	if req.URL != nil {
		rt = r.specIndex().findRoute(req.Method, req.URL.EscapedPath())
	}
	if rt == nil {
		resp, err := r.next.RoundTrip(req)
		if err != nil || resp == nil {
			return resp, err
		}
		if err := r.save(req, nil, nil, resp, nil); err != nil {
			r.fail(req, nil, "not recorded", err)
		}
		return resp, nil
	}
	reqBody, send, ok := r.captureRequestBody(req, rt)
	resp, err := r.next.RoundTrip(send)
	if err != nil || resp == nil {
		return resp, err
	}
	respBody, complete := r.captureResponseBody(req, rt, resp)
	if !ok || !complete {
		return resp, nil
	}
	reqBody, err = decodeBody(reqBody, req.Header, r.maxBody)
	if err != nil {
		r.fail(req, rt, "request body", err)
		return resp, nil
	}
	respBody, err = decodeBody(respBody, resp.Header, r.maxBody)
	if err != nil {
		r.fail(req, rt, "response body", err)
		return resp, nil
	}
	if err := r.save(req, rt, reqBody, resp, respBody); err != nil {
		r.fail(req, rt, "not recorded", err)
	}
	return resp, nil
}

// captureRequestBody returns the request body to record, the request to send, and whether
// the body could be captured.
func (r *Recorder) captureRequestBody(req *http.Request, rt *route) ([]byte, *http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req, true
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			r.fail(req, rt, "request body: GetBody", err)
			return nil, req, false
		}
		// A copy of the body, only read: ReadAll reports what went wrong reading it.
		defer func() { _ = rc.Close() }()
		b, err := io.ReadAll(io.LimitReader(rc, r.maxBody+1))
		if err != nil {
			r.fail(req, rt, "request body", err)
			return nil, req, false
		}
		if int64(len(b)) > r.maxBody {
			r.fail(req, rt, fmt.Sprintf("request body larger than %d bytes: not recorded", r.maxBody), nil)
			return nil, req, false
		}
		return b, req, true
	}
	// No GetBody: read the body and give the next RoundTripper the same bytes, then the rest.
	b, err := io.ReadAll(io.LimitReader(req.Body, r.maxBody+1))
	send := req.Clone(req.Context())
	switch {
	case err != nil:
		send.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), errReader{err}), closer: req.Body}
		r.fail(req, rt, "request body", err)
		return nil, send, false
	case int64(len(b)) > r.maxBody:
		send.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), req.Body), closer: req.Body}
		r.fail(req, rt, fmt.Sprintf("request body larger than %d bytes: not recorded", r.maxBody), nil)
		return nil, send, false
	}
	send.Body = &replayBody{Reader: bytes.NewReader(b), closer: req.Body}
	return b, send, true
}

// captureResponseBody reads the response body (up to the limit), gives resp a body that
// yields the same bytes and then the rest, and reports whether the whole body was read.
func (r *Recorder) captureResponseBody(req *http.Request, rt *route, resp *http.Response) ([]byte, bool) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil, true
	}
	orig := resp.Body
	b, err := io.ReadAll(io.LimitReader(orig, r.maxBody+1))
	switch {
	case err != nil:
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), errReader{err}), closer: orig}
		r.fail(req, rt, "response body", err)
		return nil, false
	case int64(len(b)) > r.maxBody:
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), orig), closer: orig}
		r.fail(req, rt, fmt.Sprintf("response body larger than %d bytes: not recorded", r.maxBody), nil)
		return nil, false
	}
	resp.Body = &replayBody{Reader: bytes.NewReader(b), closer: orig}
	return b, true
}

// replayBody reads from Reader and closes the original body.
type replayBody struct {
	io.Reader
	closer io.Closer
}

func (b *replayBody) Close() error { return b.closer.Close() }

// errReader fails every read with err, so that a read error the recorder met reaches the
// reader of the body as it would have without the recorder.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// messages returns the two messages of an exchange as fixture text (head and body each, as
// contracttests.Exchange's RequestText and ResponseText hold them), masked as the package
// documentation says. Bodies are already decoded; Content-Length headers are set to the
// lengths of the masked bodies. rt is nil for traffic the spec does not route: then only the
// method, the path's shape and the status are written.
func (r *Recorder) messages(req *http.Request, rt *route, reqBody []byte, resp *http.Response, respBody []byte) (request, response string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", oneLine(methodOf(req)), oneLine(requestTarget(req, rt)))
	if host := maskedHost(req, rt); host != "" {
		fmt.Fprintf(&b, "Host: %s\n", oneLine(host))
	}
	if rt != nil {
		reqBody = maskBody(reqBody, rt.requestSchema(req.Header.Get("Content-Type")))
		r.writeHeaders(&b, req.Header, func(name string) *openapi3.Schema {
			if p := rt.parameter("header", name); p != nil && p.Schema != nil {
				return p.Schema.Value
			}
			return nil
		})
	} else {
		reqBody = nil
	}
	fmt.Fprintf(&b, "Content-Length: %d\n\n", len(reqBody))
	b.Write(reqBody)
	request = b.String()

	b.Reset()
	code := resp.StatusCode
	text := http.StatusText(code)
	if text == "" {
		text = "Status"
	}
	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\n", code, text)
	if rt != nil {
		respBody = maskBody(respBody, rt.responseSchema(code, resp.Header.Get("Content-Type")))
		r.writeHeaders(&b, resp.Header, func(name string) *openapi3.Schema { return rt.responseHeader(code, name) })
	} else {
		respBody = nil
	}
	fmt.Fprintf(&b, "Content-Length: %d\n\n", len(respBody))
	b.Write(respBody)
	return request, b.String()
}

// writeHeaders writes h sorted by name, one line per value, each value as maskedHeaderValue
// says. declared returns the spec's schema of a header, or nil. Host, Content-Length,
// Transfer-Encoding and Content-Encoding are not written (the fixture's bodies are stored
// whole and decoded, with their own length).
func (r *Recorder) writeHeaders(b *bytes.Buffer, h http.Header, declared func(name string) *openapi3.Schema) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer", "Content-Encoding":
			continue
		}
		if !validHeaderName(k) {
			continue
		}
		name := k
		if n, ok := r.names[ck]; ok {
			name = n
		}
		if !r.allowed[ck] && ck != "Authorization" && ck != "Proxy-Authorization" && !isPlainName(k) {
			name = "X-Redacted" // the name itself could be a credential
		}
		schema := declared(ck)
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", name, oneLine(r.maskedHeaderValue(ck, v, schema, r.spec)))
		}
	}
}

var headerName = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")

func validHeaderName(k string) bool { return headerName.MatchString(k) }

// oneLine keeps a value on its line: CR and LF become spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// save masks the exchange, formats its fixture and sidecar with contracttests.Format and
// writes them under a new name.
func (r *Recorder) save(req *http.Request, rt *route, reqBody []byte, resp *http.Response, respBody []byte) error {
	if err := r.start(); err != nil {
		return err
	}
	op := ""
	if rt != nil {
		op = rt.op.OperationID
	}
	slug := slugFor(op, req)
	ex := &contracttests.Exchange{
		Name: fmt.Sprintf("%s-%d", slug, resp.StatusCode),
		Meta: &contracttests.Meta{
			Title:     fmt.Sprintf("Recorded %s %s: %d", methodOf(req), maskedPath(req, rt), resp.StatusCode),
			Operation: op,
			Request:   contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: r.source},
			Response:  contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: r.source},
			Expect:    contracttests.Expect{Status: resp.StatusCode},
		},
	}
	ex.RequestText, ex.ResponseText = r.messages(req, rt, reqBody, resp, respBody)
	fixture, sidecar, err := contracttests.Format(ex)
	if err != nil {
		return err
	}
	return r.writePair(slug, resp.StatusCode, fixture, sidecar)
}

// writePair writes the fixture and its sidecar so that both appear or neither: both go to
// temporary files in the folder, are synced and closed; then the sidecar is linked to its
// name and the fixture to its, and when the second link fails the first is removed. A crash
// between the two links can leave a sidecar alone, never a fixture without its sidecar's
// data on disk. A name taken in between (another Recorder or process writing into the same
// folder) is skipped, never overwritten.
func (r *Recorder) writePair(slug string, status int, fixture, metaJSON []byte) (err error) {
	tmpHTTP, err := r.writeTemp(contracttests.FixtureExt, fixture)
	if err != nil {
		return err
	}
	defer removeTemp(tmpHTTP, &err)
	tmpJSON, err := r.writeTemp(contracttests.SidecarExt, metaJSON)
	if err != nil {
		return err
	}
	defer removeTemp(tmpJSON, &err)

	for range 1000 {
		fixturePath, sidecarPath := contracttests.FixturePaths(r.dir, fmt.Sprintf("%04d-%s-%d", r.nextSeq(), slug, status))
		err := r.place(tmpJSON, sidecarPath)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = r.place(tmpHTTP, fixturePath)
		if err != nil {
			if rmErr := os.Remove(sidecarPath); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				return fmt.Errorf("%w (and the sidecar %s could not be removed: %w)", err, filepath.Base(sidecarPath), rmErr)
			}
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return err
		}
		syncDir(r.dir)
		return nil
	}
	return errors.New("no free fixture name after 1000 tries")
}

// writeTemp writes data to a new temporary file in the folder, syncs and closes it, and
// returns its name. On any failure the file is removed.
func (r *Recorder) writeTemp(ext string, data []byte) (name string, err error) {
	f, err := os.CreateTemp(r.dir, ".record-*"+ext+".tmp")
	if err != nil {
		return "", fmt.Errorf("create temporary %s file: %w", ext, err)
	}
	defer func() {
		if err != nil {
			// The file is abandoned: its Close can only fail in a way the returned error
			// already tells (or with os.ErrClosed when Close itself was the failure).
			_ = f.Close()
			removeTemp(f.Name(), &err)
		}
	}()
	write := f.Write
	if r.writeHook != nil {
		write = func(b []byte) (int, error) { return r.writeHook(f, b) }
	}
	if _, err := write(data); err != nil {
		return "", fmt.Errorf("write temporary %s file: %w", ext, err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("sync temporary %s file: %w", ext, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close temporary %s file: %w", ext, err)
	}
	return f.Name(), nil
}

// removeTemp removes the temporary file name, which has served: it is linked to its name, or
// no longer needed after a failure. When *err already reports a failure, a file that could
// not be removed is added to it, since it stays in the folder to be deleted by hand. After a
// success it is not added: the fixture and its sidecar are in place, so the write did not
// fail, and a leftover .record-*.tmp is no fixture (walks and loads take .http files only).
func removeTemp(name string, err *error) {
	rmErr := os.Remove(name)
	if *err != nil && rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
		*err = fmt.Errorf("%w (and the temporary file %s could not be removed: %w)", *err, filepath.Base(name), rmErr)
	}
}

// place gives the temporary file tmp the name path, failing with fs.ErrExist when path
// exists: a hard link, which never replaces a file and keeps tmp for another name. Where hard
// links are not supported a copy of tmp is renamed instead, after checking that path is free.
func (r *Recorder) place(tmp, path string) (err error) {
	link := os.Link
	if r.linkHook != nil {
		link = r.linkHook
	}
	err = link(tmp, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("write %s: %w", filepath.Base(path), fs.ErrExist)
	case !linkUnsupported(err):
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	data, err := os.ReadFile(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	cp, err := r.writeTemp(filepath.Ext(path), data)
	if err != nil {
		return err
	}
	defer removeTemp(cp, &err) // after the rename, cp no longer exists: nothing to remove
	if _, statErr := os.Lstat(path); statErr == nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), fs.ErrExist)
	}
	if err := os.Rename(cp, path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// linkUnsupported reports whether a link failed because the file system has no hard links.
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM)
}

// start creates the folder and continues the sequence after the highest number in it.
func (r *Recorder) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return nil
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("create folder: %w", err)
	}
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("read folder: %w", err)
	}
	for _, e := range entries {
		digits, _, ok := strings.Cut(e.Name(), "-")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(digits, 10, 64); err == nil && n > r.seq {
			r.seq = n
		}
	}
	r.started = true
	return nil
}

func (r *Recorder) nextSeq() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	return r.seq
}

var (
	camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	nonSlug       = regexp.MustCompile(`[^a-z0-9]+`)
)

// slugFor turns an operationId (CreateProductUpgrade) into a file-name part
// (create-product-upgrade). Traffic the spec does not route is named by its method alone
// (unrouted-get): its path may hold anything.
func slugFor(op string, req *http.Request) string {
	s := op
	if s == "" {
		s = "unrouted " + methodOf(req)
	}
	s = camelBoundary.ReplaceAllString(s, "$1-$2")
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		s = "exchange"
	}
	return s
}

// syncDir makes a new directory entry durable where the platform supports it; failure only
// weakens durability after a power loss, so it is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
