package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

const (
	customerA = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	customerB = "c1958bc7-3284-4952-a257-de594ee64743"
	testToken = "test-token-must-never-show-up"
)

// fastRetry keeps tests quick: the client's waits are milliseconds.
var fastRetry = client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}

// newClient returns the real client pointed at srv, with every response spec-checked.
func newClient(t testing.TB, srv *fake.Server, opts ...client.Option) *client.Client {
	t.Helper()
	all := append([]client.Option{
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(&http.Client{Transport: testkit.NewSpecTransport(t, nil)}),
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
	req.Header.Set("MS-RequestId", testkit.NewID())
	req.Header.Set("MS-CorrelationId", testkit.NewID())
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
	defer func() { _ = resp.Body.Close() }()
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
