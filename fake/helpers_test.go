package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/spec"
)

const (
	customerA = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	customerB = "c1958bc7-3284-4952-a257-de594ee64743"
	testToken = "test-token-must-never-show-up"
)

var (
	validatorOnce sync.Once
	validator     *spec.Validator
	validatorErr  error
)

// specValidator returns a validator of the embedded spec, loaded once per test binary.
func specValidator(t testing.TB) *spec.Validator {
	t.Helper()
	validatorOnce.Do(func() { validator, validatorErr = spec.NewValidator(context.Background()) })
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return validator
}

// specTransport validates every response that comes back against the spec
// (spec.Validator.ValidateRoutedResponse), so that the fake cannot drift from it. A test
// that uses it fails at cleanup on any violation, and when no response was checked at all.
type specTransport struct {
	t         testing.TB
	validator *spec.Validator

	mu      sync.Mutex
	checked int
	bad     spec.Violations
}

func newSpecTransport(t testing.TB) *specTransport {
	tr := &specTransport{t: t, validator: specValidator(t)}
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if len(tr.bad) > 0 {
			t.Errorf("the fake sent responses that break the spec:\n%v", tr.bad)
		}
		if tr.checked == 0 && !t.Failed() {
			t.Errorf("no response was checked against the spec")
		}
	})
	return tr
}

func (tr *specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
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
		return resp, nil // not an operation of the spec: nothing to check the response against
	}
	vs := tr.validator.ValidateRoutedResponse(context.Background(), req.Method+" "+req.URL.Path, req.Clone(context.Background()), route, params, resp.StatusCode, resp.Header, body)
	tr.mu.Lock()
	tr.checked++
	tr.bad = append(tr.bad, vs...)
	tr.mu.Unlock()
	return resp, nil
}

// fastRetry keeps tests quick: the client's waits are milliseconds.
var fastRetry = client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}

// newClient returns the real client pointed at srv, with every response spec-checked.
func newClient(t testing.TB, srv *fake.Server, opts ...client.Option) *client.Client {
	t.Helper()
	all := append([]client.Option{
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(&http.Client{Transport: newSpecTransport(t)}),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		client.WithRetry(fastRetry),
	}, opts...)
	c, err := client.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reply is a raw response, its JSON body decoded.
type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func (r reply) code() float64 {
	c, _ := r.body["code"].(float64)
	return c
}

func (r reply) description() string {
	d, _ := r.body["description"].(string)
	return d
}

// raw sends one hand-made request through a spec-checking transport. headers are name,
// value pairs; a value "-" removes that default header (Authorization, MS-RequestId,
// MS-CorrelationId, Content-Type).
func raw(t testing.TB, tr http.RoundTripper, srv *fake.Server, path, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", newID())
	req.Header.Set("MS-CorrelationId", newID())
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "-" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := reply{status: resp.StatusCode, header: resp.Header}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			t.Fatalf("%s: body is not a JSON object: %v: %s", path, err, data)
		}
	}
	return out
}

func requestBody(customer, family string) string {
	return `{"customerId":"` + customer + `","productFamily":"` + family + `"}`
}

var (
	idMu sync.Mutex
	idN  uint64
)

// newID returns a distinct GUID per call.
func newID() string {
	idMu.Lock()
	defer idMu.Unlock()
	idN++
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", idN)
}
