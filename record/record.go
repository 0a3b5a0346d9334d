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
// (the sidecar: origin "recorded", the spec operation, the status). Secrets are removed before
// anything is written: Authorization keeps only its scheme ("Bearer <redacted>"), only an
// allow-list of headers keeps its values (the others read "<redacted>"), and token-shaped
// strings in bodies and in the query (JWTs, bearer credentials, client secrets, token fields)
// are masked. Files appear atomically: a crash never leaves a half-written fixture. Each file
// is synced to disk before it appears, which costs a few milliseconds per exchange: the
// Recorder is meant for tests, staging and sampled production traffic, not every call.
//
// Recording never changes what the caller sends or receives, and a failure to record never
// fails the call: it is reported through Err and the WithErrorHandler option.
package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// DefaultMaxBody is the largest request or response body recorded by default. A larger
// exchange is passed through unchanged and not recorded (a cut body would not be the exchange).
const DefaultMaxBody = 256 << 10

// maxErrors bounds the recording errors kept for Err.
const maxErrors = 100

// DefaultAllowedHeaders are the headers whose values are recorded as sent: the ones the spec
// declares and the ones that help to read an exchange, none of them a credential.
// Authorization is never in it: its credentials are always replaced.
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

	checkerOnce sync.Once
	checker     *contracttests.SpecChecker

	mu      sync.Mutex
	started bool  // the folder exists and seq was read from it
	seq     int64 // the last sequence number handed out
	errs    []error
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithMaxBody sets the largest request or response body recorded (DefaultMaxBody when not
// set). An exchange with a larger body is not recorded; the caller still gets it whole.
func WithMaxBody(n int64) Option {
	return func(r *Recorder) {
		if n >= 0 {
			r.maxBody = n
		}
	}
}

// WithAllowedHeaders adds headers to the allow-list of headers recorded with their values.
// Authorization and Proxy-Authorization cannot be added: their credentials are always masked.
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
// recorded was still passed through.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

func (r *Recorder) fail(err error) {
	err = fmt.Errorf("record: %w", err)
	r.mu.Lock()
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, err)
	}
	r.mu.Unlock()
	if r.onError != nil {
		r.onError(err)
	}
}

// RoundTrip sends req through the next RoundTripper and records the exchange. The request
// body is read through GetBody when the request has one, otherwise read and replayed to the
// next RoundTripper. The response body is read (up to the limit) before RoundTrip returns
// and handed to the caller unchanged.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, send, ok := r.captureRequestBody(req)
	resp, err := r.next.RoundTrip(send)
	if err != nil || resp == nil {
		return resp, err
	}
	respBody, complete := r.captureResponseBody(req, resp)
	if ok && complete {
		if err := r.save(req, reqBody, resp, respBody); err != nil {
			r.fail(fmt.Errorf("%s %s: %w", req.Method, redactURL(req), err))
		}
	}
	return resp, nil
}

// captureRequestBody returns the request body to record, the request to send, and whether
// the body could be captured.
func (r *Recorder) captureRequestBody(req *http.Request) ([]byte, *http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req, true
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			r.fail(fmt.Errorf("%s %s: request body: GetBody: %w", req.Method, redactURL(req), err))
			return nil, req, false
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, r.maxBody+1))
		if err != nil {
			r.fail(fmt.Errorf("%s %s: request body: %w", req.Method, redactURL(req), err))
			return nil, req, false
		}
		if int64(len(b)) > r.maxBody {
			r.fail(fmt.Errorf("%s %s: request body larger than %d bytes: not recorded", req.Method, redactURL(req), r.maxBody))
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
		r.fail(fmt.Errorf("%s %s: request body: %w", req.Method, redactURL(req), err))
		return nil, send, false
	case int64(len(b)) > r.maxBody:
		send.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), req.Body), closer: req.Body}
		r.fail(fmt.Errorf("%s %s: request body larger than %d bytes: not recorded", req.Method, redactURL(req), r.maxBody))
		return nil, send, false
	}
	send.Body = &replayBody{Reader: bytes.NewReader(b), closer: req.Body}
	return b, send, true
}

// captureResponseBody reads the response body (up to the limit), gives resp a body that
// yields the same bytes and then the rest, and reports whether the whole body was read.
func (r *Recorder) captureResponseBody(req *http.Request, resp *http.Response) ([]byte, bool) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil, true
	}
	orig := resp.Body
	b, err := io.ReadAll(io.LimitReader(orig, r.maxBody+1))
	switch {
	case err != nil:
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), errReader{err}), closer: orig}
		r.fail(fmt.Errorf("%s %s: response body: %w", req.Method, redactURL(req), err))
		return nil, false
	case int64(len(b)) > r.maxBody:
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), orig), closer: orig}
		r.fail(fmt.Errorf("%s %s: response body larger than %d bytes: not recorded", req.Method, redactURL(req), r.maxBody))
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

// redactURL is the request URL for messages: no user info, secrets in the query masked.
func redactURL(req *http.Request) string {
	if req == nil || req.URL == nil {
		return ""
	}
	u := *req.URL
	u.User = nil
	u.RawQuery = string(secrets.Mask([]byte(u.RawQuery)))
	return u.String()
}

// fixture returns the fixture text of an exchange, secrets removed: the request, a blank
// line, the response. Content-Length headers are set to the lengths of the (masked) bodies.
func (r *Recorder) fixture(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []byte {
	reqBody, respBody = secrets.Mask(reqBody), secrets.Mask(respBody)
	var b bytes.Buffer
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", oneLine(method), oneLine(redactURL(req)))
	host := req.Host
	if host == "" && req.URL != nil {
		host = req.URL.Host
	}
	if host != "" {
		fmt.Fprintf(&b, "Host: %s\n", oneLine(host))
	}
	r.writeHeaders(&b, req.Header)
	fmt.Fprintf(&b, "Content-Length: %d\n\n", len(reqBody))
	b.Write(reqBody)
	b.WriteString("\n\n")

	code := resp.StatusCode
	text := http.StatusText(code)
	if _, t, ok := strings.Cut(resp.Status, " "); ok && strings.TrimSpace(t) != "" {
		text = strings.TrimSpace(t)
	}
	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\n", code, oneLine(text))
	r.writeHeaders(&b, resp.Header)
	fmt.Fprintf(&b, "Content-Length: %d\n\n", len(respBody))
	b.Write(respBody)
	b.WriteString("\n")
	return b.Bytes()
}

// writeHeaders writes h sorted by name, one line per value, masking what is not allowed.
// Host, Content-Length and Transfer-Encoding are written by the caller (the fixture's bodies
// are stored whole, with their own length).
func (r *Recorder) writeHeaders(b *bytes.Buffer, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		if !validHeaderName(k) {
			continue
		}
		for _, v := range h[k] {
			switch {
			case ck == "Authorization" || ck == "Proxy-Authorization":
				v = secrets.MaskHeaderValue(v)
			case r.allowed[ck]:
				v = string(secrets.Mask([]byte(v)))
			default:
				v = secrets.Redacted
			}
			name := k
			if n, ok := r.names[k]; ok {
				name = n
			}
			fmt.Fprintf(b, "%s: %s\n", name, oneLine(v))
		}
	}
}

var headerName = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")

func validHeaderName(k string) bool { return headerName.MatchString(k) }

// oneLine keeps a value on its line: CR and LF become spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// save writes the exchange's fixture and sidecar under a new name.
func (r *Recorder) save(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	if err := r.start(); err != nil {
		return err
	}
	op := r.operation(req)
	meta := contracttests.Meta{
		Title:     fmt.Sprintf("Recorded %s %s: %d", req.Method, req.URL.Path, resp.StatusCode),
		Operation: op,
		Request:   contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: r.source},
		Response:  contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: r.source},
		Expect:    contracttests.Expect{Status: resp.StatusCode},
	}
	metaJSON, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return fmt.Errorf("encode sidecar: %w", err)
	}
	metaJSON = append(metaJSON, '\n')
	fixture := r.fixture(req, reqBody, resp, respBody)
	slug := slugFor(op, req)

	// Another Recorder (or process) may write into the same folder: a name taken in between
	// is skipped, never overwritten.
	for range 1000 {
		name := fmt.Sprintf("%04d-%s-%d", r.nextSeq(), slug, resp.StatusCode)
		base := filepath.Join(r.dir, name)
		// The sidecar first: the .http file is what readers look for, so it appears last and
		// whole. A crash in between leaves only a sidecar, which readers ignore.
		err := writeNew(base+".json", metaJSON)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		err = writeNew(base+".http", fixture)
		if errors.Is(err, fs.ErrExist) {
			_ = os.Remove(base + ".json")
			continue
		}
		return err
	}
	return errors.New("no free fixture name after 1000 tries")
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

// operation is the spec's operationId of req, or "" when the spec has none for it.
func (r *Recorder) operation(req *http.Request) string {
	r.checkerOnce.Do(func() {
		sc, err := contracttests.NewSpecChecker(context.Background())
		if err != nil {
			r.fail(fmt.Errorf("load spec (fixtures are named by method and path): %w", err))
			return
		}
		r.checker = sc
	})
	if r.checker == nil {
		return ""
	}
	route, _, err := r.checker.FindRoute(req.Method, req.URL.Path)
	if err != nil {
		return ""
	}
	return route.Operation.OperationID
}

var (
	camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	nonSlug       = regexp.MustCompile(`[^a-z0-9]+`)
)

// slugFor turns an operationId (CreateProductUpgrade) or, without one, the method and path
// into a file-name part (create-product-upgrade, post-v1-other).
func slugFor(op string, req *http.Request) string {
	s := op
	if s == "" {
		s = req.Method + " " + req.URL.Path
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

// writeNew writes data to path atomically and only if path does not exist yet: the data goes
// to a temporary file in the same folder, is synced, then linked to path (which fails when
// path exists). Where hard links are not supported it is renamed instead, after checking
// that path is free.
func writeNew(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	tmpName := tmp.Name()
	defer func() {
		if rmErr := os.Remove(tmpName); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("remove temporary file: %w", rmErr)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", filepath.Base(path), err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write %s: %w", filepath.Base(path), fs.ErrExist)
		}
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("write %s: %w", filepath.Base(path), fs.ErrExist)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Base(path), err)
		}
	}
	syncDir(dir)
	return nil
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
