package fake

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// rawRequest builds a create request with the headers the spec wants and body.
func rawRequest(body io.Reader, auth string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/v1/productupgrades", body)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", newGUID().String())
	req.Header.Set("MS-CorrelationId", newGUID().String())
	return req
}

func testHandler(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{},
		logLimit: DefaultRequestLogLimit}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			t.Fatal(err)
		}
	}
	s, err := newHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRequestLogKeepsTheLatestN(t *testing.T) {
	t.Parallel()
	s := testHandler(t, WithRequestLogLimit(5))
	var ids []string
	for i := 0; i < 12; i++ {
		req := rawRequest(strings.NewReader(`{}`), "Bearer t")
		ids = append(ids, req.Header.Get("MS-RequestId"))
		s.serve(httptest.NewRecorder(), req)
	}
	got := s.Requests()
	if len(got) != 5 {
		t.Fatalf("%d requests kept, want the latest 5", len(got))
	}
	for i, r := range got {
		if want := ids[7+i]; r.Header.Get("MS-RequestId") != want {
			t.Errorf("request %d: MS-RequestId %s, want %s (oldest first)", i, r.Header.Get("MS-RequestId"), want)
		}
	}
}

// A normal-sized version of BenchmarkRequestLogHeap: 1,000 requests of 100 KiB with a limit
// of 100 keep 100 entries of at most MaxLoggedBody bytes each.
func TestRequestLogBoundsEntriesAndBodies(t *testing.T) {
	t.Parallel()
	const limit, sent, size = 100, 1000, 100 << 10
	s := testHandler(t, WithRequestLogLimit(limit))
	body := bytes.Repeat([]byte("x"), size)
	for i := 0; i < sent; i++ {
		s.serve(httptest.NewRecorder(), rawRequest(bytes.NewReader(body), "Bearer t"))
	}
	got := s.Requests()
	if len(got) != limit {
		t.Fatalf("%d requests kept after %d, want %d", len(got), sent, limit)
	}
	total := 0
	for _, r := range got {
		total += cap(r.Body)
		if len(r.Body) != MaxLoggedBody || !r.BodyTruncated {
			t.Fatalf("body of %d bytes (truncated %v), want %d bytes marked truncated", len(r.Body), r.BodyTruncated, MaxLoggedBody)
		}
	}
	// cap, not len: a slice of the 64 KiB read buffer would keep all of it alive.
	if max := limit * (MaxLoggedBody + 64); total > max {
		t.Errorf("bodies retain %d bytes, want at most %d", total, max)
	}

	// A short body is kept whole and not marked.
	s.serve(httptest.NewRecorder(), rawRequest(strings.NewReader(`{"a":1}`), "Bearer t"))
	got = s.Requests()
	if last := got[len(got)-1]; string(last.Body) != `{"a":1}` || last.BodyTruncated {
		t.Errorf("short body kept as %q (truncated %v)", last.Body, last.BodyTruncated)
	}
}

func TestRequestLogLimitIsValidated(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, -1} {
		if _, err := NewServer(WithRequestLogLimit(n)); err == nil || !strings.Contains(err.Error(), "must be at least 1") {
			t.Errorf("WithRequestLogLimit(%d): err %v, want an error", n, err)
		}
	}
	srv, err := NewServer(WithRequestLogLimit(1))
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}

func TestAuthorizationIsRedactedInRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ sent, want string }{
		{"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "Bearer <redacted>"},
		{"bearer abc", "Bearer <redacted>"}, // the scheme in its usual spelling: nothing sent is kept
		{"Bearer", "Bearer"},                // no credentials, nothing to hide
		{"Token abc", "Token <redacted>"},
		{"NTLM TlRMTVNTUAAB", "NTLM <redacted>"},
		{"Bearer\teyJhbGciOiJSUzI1NiJ9", "<redacted>"}, // a scheme is followed by a space
		{"Basic dXNlcjpwYXNzd29yZA==", "Basic <redacted>"},
		{"opaque-credential-without-a-scheme-0123456789", "<redacted>"},
		{"SHORTKEY extra", "<redacted>"}, // not a scheme: the first word may be the credential
		{"averyveryverylongcredentialthatisnotascheme rest", "<redacted>"},
		{"  ", "<redacted>"},
	} {
		s := testHandler(t)
		s.serve(httptest.NewRecorder(), rawRequest(strings.NewReader(`{}`), tc.sent))
		got := s.Requests()[0].Header.Get("Authorization")
		if got != tc.want {
			t.Errorf("Authorization %q recorded as %q, want %q", tc.sent, got, tc.want)
		}
	}
}

// hijackRecorder is a ResponseWriter that records what is written and whose connection can
// be hijacked, as a real server's can.
type hijackRecorder struct {
	header   http.Header
	status   int // 0 until WriteHeader or Write
	body     bytes.Buffer
	hijacked chan struct{}
}

func newHijackRecorder() *hijackRecorder {
	return &hijackRecorder{header: http.Header{}, hijacked: make(chan struct{})}
}

func (h *hijackRecorder) Header() http.Header { return h.header }

func (h *hijackRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *hijackRecorder) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	close(h.hijacked)
	c1, c2 := net.Pipe()
	_ = c2.Close()
	return c1, bufio.NewReadWriter(bufio.NewReader(c1), bufio.NewWriter(c1)), nil
}

func (h *hijackRecorder) wasHijacked() bool {
	select {
	case <-h.hijacked:
		return true
	default:
		return false
	}
}

// A request held by WithLatency when Close comes gets no response at all, never a 200 with
// an empty body; Close waits for it, so Requests shows it (status 0) when Close returns.
func TestCloseCutsShortWithoutAnEmpty200(t *testing.T) {
	t.Parallel()
	s := testHandler(t, WithLatency(time.Hour))
	pr, pw := io.Pipe()
	w := newHijackRecorder()
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.serve(w, rawRequest(pr, "Bearer t"))
	}()
	// The handler is running once it has read the body.
	if _, err := pw.Write([]byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`)); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	s.Close()
	// Close waited for the handler: its request is in the log (written before the handler
	// counts as done), without a status.
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Status != 0 {
		t.Fatalf("Requests when Close returned = %+v, want the request with status 0", reqs)
	}
	<-served
	if !w.wasHijacked() {
		t.Error("the connection was not closed")
	}
	if w.status != 0 || w.body.Len() > 0 {
		t.Errorf("a response was written: %d %q", w.status, w.body.String())
	}
}

// Close waits for the handlers that are running, like httptest.Server's Close.
func TestCloseWaitsForRunningHandlers(t *testing.T) {
	// Not parallel: the pause below must be long enough for a Close that does not wait to
	// return, which other tests running could prevent.
	s := testHandler(t)
	pr, pw := io.Pipe()
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.serve(httptest.NewRecorder(), rawRequest(pr, "Bearer t"))
	}()
	if _, err := pw.Write([]byte(`{`)); err != nil { // the handler is reading the body
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	// Close must still be waiting: the handler is blocked on the body. (Yielding a little
	// lets a Close that does not wait return first; it can never make this one fail.)
	time.Sleep(50 * time.Millisecond)
	select {
	case <-closed:
		t.Fatal("Close returned while a handler was running")
	default:
	}
	_ = pw.CloseWithError(io.ErrUnexpectedEOF)
	ctx := testkit.Context(t, 30*time.Second)
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not return after the handler finished")
	}
	<-served
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests recorded when Close returned, want 1", n)
	}
	// Requests after Close are refused without a response.
	w := newHijackRecorder()
	s.serve(w, rawRequest(strings.NewReader(`{}`), "Bearer t"))
	if !w.wasHijacked() || w.status != 0 {
		t.Errorf("a request after Close was answered: %d", w.status)
	}
}

// Over the network: a request held by WithLatency when the server closes ends in a
// transport error for the client, not in a response.
func TestCloseOverTheNetworkEndsHeldRequests(t *testing.T) {
	// Not parallel: the pause below must be long enough for the request to reach the fake.
	srv, err := NewServer(WithLatency(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/productupgrades/eligibility", strings.NewReader(body))
	req.Header = rawRequest(nil, "Bearer t").Header
	type result struct {
		status string
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body) // only shown in the failure message
		done <- result{status: resp.Status, body: body}
	}()
	// Give the request time to reach the fake. Should it not have, the client sees a refused
	// or closed connection: also no response, so the wait can never make the test fail.
	time.Sleep(100 * time.Millisecond)
	srv.Close()
	r := <-done
	if r.err == nil {
		t.Fatalf("got %s with body %q, want a transport error", r.status, r.body)
	}
	for _, r := range srv.Requests() {
		if r.Status != 0 {
			t.Errorf("request recorded with status %d, want 0 (no response)", r.Status)
		}
	}
}

func ExampleWithRequestLogLimit() {
	srv, err := NewServer(WithRequestLogLimit(100))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	fmt.Println(len(srv.Requests()))
	// Output: 0
}

// The log keeps the headers compactly (interned strings, GUIDs as 16 bytes) but gives back
// exactly what was sent: every key as spelled, every value in order, nil and empty slices,
// GUIDs in any case, long values, and the credentials redacted under any spelling.
func TestRequestLogKeepsHeadersExactly(t *testing.T) {
	t.Parallel()
	s := testHandler(t)
	long := strings.Repeat("v", 300)
	for i := 0; i < 3; i++ { // the second and third see the strings interned by the first
		req := rawRequest(strings.NewReader(`{"a":1}`), "Bearer secret-token")
		upper := strings.ToUpper(newGUID().String())
		lower := newGUID().String()
		req.Header["X-Multi"] = []string{"one", "", "two", lower}
		req.Header["x-not-canonical"] = []string{upper}
		req.Header["authorization"] = []string{"Bearer another-secret"}
		req.Header["Proxy-Authorization"] = []string{"Basic dXNlcjpwYXNz"}
		req.Header["X-Nil"] = nil
		req.Header["X-Empty"] = []string{}
		req.Header["X-Long"] = []string{long}
		req.Header["X-Almost-Guid"] = []string{lower[:35] + "g", "-" + lower[1:]}
		want := req.Header.Clone()
		want["Authorization"] = []string{"Bearer <redacted>"}
		want["authorization"] = []string{"Bearer <redacted>"}
		want["Proxy-Authorization"] = []string{"Basic <redacted>"}
		s.serve(httptest.NewRecorder(), req)

		got := s.Requests()[i]
		if !reflect.DeepEqual(got.Header, want) {
			t.Fatalf("request %d: header kept as\n%#v\nwant\n%#v", i, got.Header, want)
		}
		if got.Method != http.MethodPost || got.Path != "/v1/productupgrades" || string(got.Body) != `{"a":1}` {
			t.Errorf("request %d: %s %s %q", i, got.Method, got.Path, got.Body)
		}
		// What Requests returns is the caller's: changing it changes nothing kept.
		got.Header.Set("X-Multi", "changed")
		got.Body[0] = 'x'
		if again := s.Requests()[i]; again.Header.Get("X-Multi") != "one" || string(again.Body) != `{"a":1}` {
			t.Errorf("request %d: a change to what Requests returned reached the log", i)
		}
	}
}

// Past the intern table's bound, strings are kept in their entries, and still come back.
func TestRequestLogInternTableIsBounded(t *testing.T) {
	t.Parallel()
	l := newRequestLog(3 * maxInterned)
	for i := 0; i < 2*maxInterned; i++ {
		v := fmt.Sprintf("value-%d", i)
		l.add(http.MethodPost, "/p", http.Header{"X-V": {v}}, nil, false, OpCreate, 202)
	}
	if n := len(l.strs); n > maxInterned+1 {
		t.Errorf("intern table holds %d strings, want at most %d", n, maxInterned+1)
	}
	for i, r := range l.list() {
		if want := fmt.Sprintf("value-%d", i); r.Header.Get("X-V") != want || r.Operation != OpCreate || r.Status != 202 || r.Body != nil {
			t.Fatalf("request %d: %+v, want X-V %s", i, r, want)
		}
	}
}
