package testkit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/partnercenter-go/productupgrades/spec"
)

// SpecTransport is an http.RoundTripper that checks every response of an operation of the
// spec against it (spec.Validator.ValidateRoutedResponse), so that a server under test cannot
// drift from the spec. The test that made it fails at cleanup on any violation, and when no
// response was checked at all (a test that sent nothing through it proves nothing).
type SpecTransport struct {
	t         testing.TB
	next      http.RoundTripper
	validator *spec.Validator

	mu      sync.Mutex
	checked int
	bad     spec.Violations
}

// NewSpecTransport returns a SpecTransport that sends requests with next
// (http.DefaultTransport when nil) and reports to t when t's test ends.
func NewSpecTransport(t testing.TB, next http.RoundTripper) *SpecTransport {
	t.Helper()
	if next == nil {
		next = http.DefaultTransport
	}
	tr := &SpecTransport{t: t, next: next, validator: Validator(t)}
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if len(tr.bad) > 0 {
			t.Errorf("responses that break the spec:\n%v", tr.bad)
		}
		if tr.checked == 0 && !t.Failed() {
			t.Errorf("no response was checked against the spec")
		}
	})
	return tr
}

// RoundTrip sends req and checks the response; the response is returned whatever the check
// found, with its body intact. A request the spec does not describe is passed through
// unchecked.
func (tr *SpecTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := tr.validator.Router().FindRoute(req)
	if err != nil {
		return resp, nil //nolint:nilerr // not an operation of the spec: nothing to check the response against
	}
	vs := tr.validator.ValidateRoutedResponse(context.Background(), req.Method+" "+req.URL.Path, req.Clone(context.Background()),
		route, params, resp.StatusCode, resp.Header, body)
	tr.mu.Lock()
	tr.checked++
	tr.bad = append(tr.bad, vs...)
	tr.mu.Unlock()
	return resp, nil
}

// Checked returns how many responses were checked so far.
func (tr *SpecTransport) Checked() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.checked
}

// Violations returns what the checks found so far.
func (tr *SpecTransport) Violations() spec.Violations {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append(spec.Violations(nil), tr.bad...)
}

// TakeViolations returns what the checks found so far and forgets it, so that cleanup does
// not report it: for a test that expects violations and asserts them itself.
func (tr *SpecTransport) TakeViolations() spec.Violations {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	bad := tr.bad
	tr.bad = nil
	return bad
}
