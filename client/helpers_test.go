package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

const (
	testToken      = "test-token-5f1b9c2e-never-in-output"
	testCustomerID = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	testUpgradeID  = "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func testRequest() client.UpgradeRequest {
	return client.UpgradeRequest{CustomerID: testCustomerID, ProductFamily: "Azure"}
}

// recorded is one request as the fake server saw it.
type recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   string
}

// fakeServer is a loopback Partner Center whose answers a test scripts per request.
type fakeServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

// newServer starts a server that records every request, then calls handle with its index
// (0-based). The server is closed when the test ends.
func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fs.mu.Lock()
		n := len(fs.reqs)
		fs.reqs = append(fs.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: string(body)})
		fs.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// Requests returns a copy of the requests received so far.
func (fs *fakeServer) Requests() []recorded {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recorded(nil), fs.reqs...)
}

// accepted answers like the docs' create example: 202, empty body, relative Location.
func accepted(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("MS-RequestId", "cb82f7d6-f0d9-44d4-82f9-f6eee6e68390")
	w.Header().Set("MS-CorrelationId", "772871a9-399b-4f3b-b8c7-38f550e4f22a")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

// reply writes a status, optional headers (name, value pairs) and a body.
func reply(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fastRetry keeps test retries quick; Retry-After is handled by a recorded sleep instead.
var fastRetry = client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 60 * time.Second}

// newClient returns a client of srv with a static token and the fast retry policy, followed
// by any other options.
func newClient(t *testing.T, baseURL string, opts ...client.Option) *client.Client {
	t.Helper()
	all := append([]client.Option{
		client.WithBaseURL(baseURL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		client.WithRetry(fastRetry),
	}, opts...)
	c, err := client.New(all...)
	require.NoError(t, err)
	return c
}

// sleepRecorder replaces the client's waits with instant ones and keeps their lengths.
type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func recordSleeps(c *client.Client) *sleepRecorder {
	rec := &sleepRecorder{}
	client.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		rec.mu.Lock()
		rec.sleeps = append(rec.sleeps, d)
		rec.mu.Unlock()
		return ctx.Err()
	})
	client.SetJitter(c, func() float64 { return 1 })
	return rec
}

func (s *sleepRecorder) Sleeps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

// countingTokenSource hands out tok-1, tok-2, … and counts the calls; err makes it fail.
type countingTokenSource struct {
	n   atomic.Int32
	err error
}

func (s *countingTokenSource) Token() (*oauth2.Token, error) {
	n := s.n.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	return &oauth2.Token{AccessToken: "tok-" + strconv.Itoa(int(n))}, nil
}

// dropConnection closes the connection without answering, after the request was read.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func asAPIError(t *testing.T, err error) *client.APIError {
	t.Helper()
	var ae *client.APIError
	require.Truef(t, errors.As(err, &ae), "want *client.APIError, got %T: %v", err, err)
	return ae
}

// emptyTokenSource returns a token without an access token.
type emptyTokenSource struct{}

func (emptyTokenSource) Token() (*oauth2.Token, error) { return &oauth2.Token{}, nil }

// callBound ends a call that would otherwise never return when the client misbehaves
// (testkit.Context(t, callBound)).
const callBound = 20 * time.Second
