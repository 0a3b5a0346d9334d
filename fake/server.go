package fake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/gen"
)

// The operations of the API, named by the spec's operationId; see Fault.Operation and
// Request.Operation.
const (
	OpCreate      = "CreateProductUpgrade"
	OpEligibility = "CheckProductUpgradeEligibility"
	OpStatus      = "CheckProductUpgradeStatus"
)

// Partner Center error codes the fake answers with (error-codes.md).
const (
	CodeTokenMissing          = 800001 // 401: no bearer token
	CodeInvalidRequestInput   = 800002 // 400: the request breaks the spec
	CodeUnexpectedError       = 800003 // 500 and 503
	CodeUpgradeNotFound       = 900106 // 404: status of an unknown upgrade
	CodeUpgradeInProgress     = 900109 // 409: create while an upgrade is in progress
	CodeUpgradeCompleted      = 900110 // 400: create after the upgrade completed
	CodeUpgradeNotForCustomer = 900111 // 400: status of another customer's upgrade
	CodeCannotUpgrade         = 900120 // 403: create for a customer made ineligible by WithIneligible
)

// ServerID is the MS-ServerId header of every response.
const ServerID = "fake-partnercenter-01"

// maxRequestBody bounds the request bodies the fake reads; the API's are under 200 bytes.
const maxRequestBody = 64 << 10

// jsonContentType is the Content-Type of every JSON body the fake sends.
const jsonContentType = "application/json; charset=utf-8"

// Server is a running fake Partner Center on a loopback address. Make one with NewServer or
// Start, point a client at URL, and Close it when done. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:port, to be given to
	// client.WithBaseURL.
	URL string

	checker  *contracttests.SpecChecker
	validate bool
	latency  time.Duration
	api      http.Handler
	svc      *service
	httpSrv  *http.Server
	done     chan struct{}
	stopOnce sync.Once
	log      *requestLog

	// handlers counts the requests being served, so that Close can wait for them, as
	// httptest.Server does; once closing is set no handler starts.
	handlers sync.WaitGroup

	mu      sync.Mutex
	closing bool
	faults  []*pendingFault
}

// Option configures a Server; see NewServer.
type Option func(*config) error

type config struct {
	polls      int
	failures   map[string]failure
	ineligible map[string]string
	latency    time.Duration
	logLimit   int
	noValidate bool // benchmarks only: the same handler without spec validation
}

type failure struct{ code, message string }

// DefaultPollsUntilComplete is how many status checks report InProgress before the one that
// reports the end of an upgrade, unless WithPollsUntilComplete says otherwise.
const DefaultPollsUntilComplete = 2

// WithPollsUntilComplete sets how many status checks of an upgrade report InProgress; the
// next one reports Completed (or Failed, see WithFailure). Zero makes the first check report
// the end. Default DefaultPollsUntilComplete.
func WithPollsUntilComplete(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("fake: WithPollsUntilComplete(%d): must not be negative", n)
		}
		c.polls = n
		return nil
	}
}

// WithFailure scripts the upgrades of customerID (a GUID) to end in status Failed, with
// errorDetails {code, message} on the upgrade and its line item, instead of Completed.
func WithFailure(customerID, code, message string) Option {
	return func(c *config) error {
		id, err := parseGUID(customerID)
		if err != nil {
			return fmt.Errorf("fake: WithFailure: customer id: %w", err)
		}
		if strings.TrimSpace(code) == "" {
			return errors.New("fake: WithFailure: code must not be empty")
		}
		c.failures[id.String()] = failure{code: code, message: message}
		return nil
	}
}

// WithIneligible makes customerID (a GUID) ineligible for every upgrade: eligibility answers
// isEligible false with reason, and a create is 403 (900120).
func WithIneligible(customerID, reason string) Option {
	return func(c *config) error {
		id, err := parseGUID(customerID)
		if err != nil {
			return fmt.Errorf("fake: WithIneligible: customer id: %w", err)
		}
		if strings.TrimSpace(reason) == "" {
			return errors.New("fake: WithIneligible: reason must not be empty")
		}
		c.ineligible[id.String()] = reason
		return nil
	}
}

// WithLatency delays every response by d (not counting the work), to make timeouts and slow
// paths testable. The wait ends early when the client goes away or the server closes.
func WithLatency(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("fake: WithLatency(%s): must not be negative", d)
		}
		c.latency = d
		return nil
	}
}

// NewServer starts a fake Partner Center on 127.0.0.1 and returns it; Close stops it. An
// invalid option, or a failure to listen, is an error.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{},
		logLimit: DefaultRequestLogLimit}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s, err := newHandler(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake: listen on loopback: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return s, nil
}

// newHandler builds the server's handler without listening (benchmarks serve it directly).
func newHandler(cfg config) (*Server, error) {
	checker, err := contracttests.NewSpecChecker(context.Background())
	if err != nil {
		return nil, fmt.Errorf("fake: load the spec: %w", err)
	}
	svc := newService(cfg)
	s := &Server{
		checker:  checker,
		validate: !cfg.noValidate,
		latency:  cfg.latency,
		svc:      svc,
		done:     make(chan struct{}),
		log:      newRequestLog(cfg.logLimit),
	}
	strict := gen.NewStrictHandlerWithOptions(svc, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusBadRequest, CodeInvalidRequestInput, "Invalid request input: "+err.Error())
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusInternalServerError, CodeUnexpectedError, "Unexpected service error: "+err.Error())
		},
	})
	s.api = gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusBadRequest, CodeInvalidRequestInput, "Invalid request input: "+err.Error())
		},
	})
	return s, nil
}

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start is NewServer for tests: it fails t when the server cannot start, and closes the
// server when the test ends.
func Start(t TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server: it stops accepting requests, closes its connections, ends delays
// in progress, and waits for the requests being served to finish, like httptest.Server's
// Close, so that Requests and Upgrades are final when it returns. A request cut short by
// Close gets no response at all (its connection closes), never a 200 with an empty body.
// It may be called more than once.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		close(s.done)
		if s.httpSrv != nil {
			_ = s.httpSrv.Close()
		}
	})
	s.handlers.Wait()
}

// Requests returns the requests received, oldest first: the latest DefaultRequestLogLimit
// (see WithRequestLogLimit), each body cut at MaxLoggedBody bytes.
func (s *Server) Requests() []Request { return s.log.list() }

// Upgrades returns the upgrades the server holds, oldest first.
func (s *Server) Upgrades() []Upgrade { return s.svc.list() }

// FaultKind is a way for a request to fail; see Fault.
type FaultKind int

const (
	// FaultThrottle answers 429 Too Many Requests with Retry-After (Fault.RetryAfter, whole
	// seconds, "0" when zero) and the gateway's {statusCode, message} body. The request has
	// no effect.
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers Fault.Status (500, the default, or 503; a 503 carries
	// Retry-After when Fault.RetryAfter is set) with the documented error body, code 800003.
	// The request has no effect.
	FaultServerError
	// FaultDelay holds the response for Fault.Delay, then serves the request normally.
	FaultDelay
	// FaultLoseResponse serves the request (a create creates its upgrade) and then closes the
	// connection before sending the response: the client sees a transport error.
	FaultLoseResponse
)

// String names the kind.
func (k FaultKind) String() string {
	switch k {
	case FaultThrottle:
		return "throttle"
	case FaultServerError:
		return "server-error"
	case FaultDelay:
		return "delay"
	case FaultLoseResponse:
		return "lose-response"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault describes how the next requests to an operation fail; see InjectFault. Faults hit
// requests that passed authentication and spec validation.
type Fault struct {
	// Kind is the way the requests fail.
	Kind FaultKind
	// Operation is OpCreate, OpEligibility or OpStatus; empty means any operation.
	Operation string
	// Count is how many requests the fault hits; zero means one.
	Count int
	// Status is the status of FaultServerError: 500 (default) or 503.
	Status int
	// RetryAfter is the Retry-After of FaultThrottle and of a 503, in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Delay is how long FaultDelay holds the response.
	Delay time.Duration
}

type pendingFault struct {
	f    Fault
	left int
}

// InjectFault makes the next f.Count requests to f.Operation fail as f says. Faults are used
// in the order they were injected; a request takes at most one. A fault that does not make
// sense (an unknown kind or operation, a negative count or duration, a status other than 500
// or 503) is an error.
func (s *Server) InjectFault(f Fault) error {
	switch f.Operation {
	case "", OpCreate, OpEligibility, OpStatus:
	default:
		return fmt.Errorf("fake: InjectFault: unknown operation %q (want OpCreate, OpEligibility, OpStatus or empty)", f.Operation)
	}
	switch {
	case f.Kind < FaultThrottle || f.Kind > FaultLoseResponse:
		return fmt.Errorf("fake: InjectFault: unknown kind %d", int(f.Kind))
	case f.Count < 0:
		return fmt.Errorf("fake: InjectFault: negative count %d", f.Count)
	case f.RetryAfter < 0 || f.Delay < 0:
		return errors.New("fake: InjectFault: negative duration")
	case f.Kind == FaultServerError && f.Status != 0 && f.Status != http.StatusInternalServerError && f.Status != http.StatusServiceUnavailable:
		return fmt.Errorf("fake: InjectFault: status %d: want 500 or 503, the 5xx statuses the spec declares", f.Status)
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Kind == FaultServerError && f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	s.faults = append(s.faults, &pendingFault{f: f, left: f.Count})
	s.mu.Unlock()
	return nil
}

// takeFault returns the first pending fault for op and uses it up once.
func (s *Server) takeFault(op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.faults {
		if p.f.Operation != "" && p.f.Operation != op {
			continue
		}
		p.left--
		if p.left <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return p.f, true
	}
	return Fault{}, false
}

// serve answers one request: record it, route it (case-insensitively), check the bearer
// token and the spec, apply a fault, then hand it to the generated strict server.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		dropConnection(w)
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	rec := Request{Method: r.Method, Path: r.URL.Path, Header: redactedHeader(r.Header)}
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		rec.Status = rw.status
		if rw.lost {
			rec.Status = 0
		}
		s.log.add(rec)
	}()
	setResponseIDs(w.Header(), r.Header)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	rec.Body, rec.BodyTruncated = loggedBody(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		rec.BodyTruncated = rec.BodyTruncated || errors.As(err, &tooLarge)
		writeError(rw, http.StatusBadRequest, CodeInvalidRequestInput, "Invalid request input: request body unreadable or over 64 KiB")
		return
	}
	setBody(r, body)

	if !s.sleep(r.Context(), s.latency) {
		rw.abort()
		return
	}
	route, params, err := s.checker.FindRoute(r.Method, r.URL.Path)
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			status = http.StatusMethodNotAllowed
		}
		writeError(rw, status, 0, fmt.Sprintf("No operation %s %s in the product-upgrade API", r.Method, r.URL.Path))
		return
	}
	rec.Operation = route.Operation.OperationID
	if reason := bearerProblem(r.Header); reason != "" {
		writeError(rw, http.StatusUnauthorized, CodeTokenMissing, "Partner Token missing in request context ("+reason+")")
		return
	}
	if s.validate {
		if vs := s.checker.CheckHTTPRequest(r.Context(), "request", r); len(vs) > 0 {
			if vs.Has("request.security", "") {
				writeError(rw, http.StatusUnauthorized, CodeTokenMissing, "Partner Token missing in request context")
				return
			}
			writeError(rw, http.StatusBadRequest, CodeInvalidRequestInput, describe(vs))
			return
		}
		setBody(r, body)
	}

	f, faulty := s.takeFault(rec.Operation)
	if faulty {
		switch f.Kind {
		case FaultThrottle:
			secs := ceilSeconds(f.RetryAfter)
			rw.Header().Set("Retry-After", fmt.Sprint(secs))
			var tb gen.ThrottledBody
			_ = tb.FromThrottlingError(gen.ThrottlingError{StatusCode: http.StatusTooManyRequests,
				Message: fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs)})
			writeJSON(rw, http.StatusTooManyRequests, tb)
			return
		case FaultServerError:
			desc := "Unexpected service error"
			if f.Status == http.StatusServiceUnavailable {
				desc = "Service unavailable"
				if f.RetryAfter > 0 {
					rw.Header().Set("Retry-After", fmt.Sprint(ceilSeconds(f.RetryAfter)))
				}
			}
			writeError(rw, f.Status, CodeUnexpectedError, desc)
			return
		case FaultDelay:
			if !s.sleep(r.Context(), f.Delay) {
				rw.abort()
				return
			}
		}
	}

	// The generated router matches the spec's lowercase paths exactly; the service does not
	// care about casing (the SDKs send productUpgrades), so hand it the spec's spelling.
	r.URL.Path = canonicalPath(route.Path, params)
	r.URL.RawPath = ""
	if faulty && f.Kind == FaultLoseResponse {
		s.api.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		rw.abort()
		return
	}
	s.api.ServeHTTP(rw, r)
}

// sleep waits d, or until the client goes away or the server closes; it reports whether the
// wait ran its course.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

// dropConnection closes the client's connection without a response: a response lost on the
// way. The server speaks HTTP/1.1 on TCP, whose connections can always be hijacked; should
// that fail, net/http's own way to abort a response, http.ErrAbortHandler, does the same.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// canonicalPath fills the spec's path template with params.
func canonicalPath(tmpl string, params map[string]string) string {
	for k, v := range params {
		tmpl = strings.ReplaceAll(tmpl, "{"+k+"}", url.PathEscape(v))
	}
	return tmpl
}

// bearerProblem says what is wrong with the request's bearer token, "" when there is one.
func bearerProblem(h http.Header) string {
	v := h.Values("Authorization")
	switch {
	case len(v) == 0:
		return "no Authorization header"
	case len(v) > 1:
		return "more than one Authorization header"
	}
	scheme, token, _ := strings.Cut(v[0], " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "the Authorization scheme is not Bearer"
	case strings.TrimSpace(token) == "":
		return "the bearer token is empty"
	}
	return ""
}

// describe renders request violations as an 800002 description: "Invalid request input:"
// then rule, place, expected vs actual of each, within the documented 1024 characters.
func describe(vs contracttests.Violations) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		p := v.Rule
		if v.Where != "" {
			p += " at " + v.Where
		}
		if v.Expected != "" || v.Actual != "" {
			p += ": expected " + v.Expected + ", got " + v.Actual
		}
		parts = append(parts, p)
	}
	d := "Invalid request input: " + strings.Join(parts, "; ")
	if len(d) > 1024 {
		d = d[:1020] + " ..."
	}
	return d
}

// setResponseIDs puts the ids every response carries: the request's MS-RequestId and
// MS-CorrelationId echoed (new ones when absent or not GUIDs), a correlation vector, the
// server id.
func setResponseIDs(out, in http.Header) {
	for _, name := range []string{"MS-RequestId", "MS-CorrelationId"} {
		id, err := parseGUID(in.Get(name))
		if err != nil {
			id = newGUID()
		}
		out.Set(name, id.String())
	}
	var cv [12]byte
	_, _ = rand.Read(cv[:])
	out.Set("MS-CV", base64.RawURLEncoding.EncodeToString(cv[:])+".0")
	out.Set("MS-ServerId", ServerID)
}

func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// errorBody is the documented error body: {code, description, data: [], source: PartnerFD}.
func errorBody(code int, description string) gen.ErrorResponse {
	var c gen.ErrorCode
	_ = c.FromErrorCode1(code)
	data := []interface{}{}
	source := "PartnerFD"
	return gen.ErrorResponse{Code: c, Description: description, Data: &data, Source: &source}
}

// writeError answers status with the documented error body; code 0 means the status itself.
func writeError(w http.ResponseWriter, status, code int, description string) {
	if code == 0 {
		code = status
	}
	writeJSON(w, status, errorBody(code, description))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":800003,"description":"Unexpected service error","data":[],"source":"PartnerFD"}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// responseWriter records the status and gives the generated server's JSON responses the
// service's Content-Type.
type responseWriter struct {
	http.ResponseWriter
	status int
	lost   bool
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if h := w.Header(); h.Get("Content-Type") == "application/json" {
		h.Set("Content-Type", jsonContentType)
	}
	w.ResponseWriter.WriteHeader(code)
}

// abort ends the request without a response: the connection closes, and Requests shows
// status 0. For a response lost on purpose, and for a request cut short by Close or by the
// client going away, which must never read as a 200 with an empty body.
func (w *responseWriter) abort() {
	w.lost = true
	dropConnection(w.ResponseWriter)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// discardWriter takes the response of a request whose response is lost on purpose.
type discardWriter struct {
	header http.Header
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
