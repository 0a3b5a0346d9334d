package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
	"github.com/partnercenter-go/productupgrades/spec"
)

// strictPost sends one create-shaped POST to the fake with the given body and headers (name,
// value pairs, added to the defaults) and returns the status, the decoded error body and the
// spec's verdict on the response.
func strictPost(t *testing.T, srv *fake.Server, path, body string, headers ...string) (int, map[string]any, spec.Violations) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer strict-test-token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")
	req.Header.Set("MS-CorrelationId", "7a2b3c4d-5e6f-4a7b-9c8d-1e2f3a4b5c6d")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	check, _ := http.NewRequest(http.MethodPost, path, bytes.NewReader(nil))
	vs := testkit.Validator(t).ValidateResponse(context.Background(), "fake", check, resp.StatusCode, resp.Header, data)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, data)
		}
	}
	return resp.StatusCode, out, vs
}

// TestFakeRefusesWhatTheVerifierRejects: the fake enforces the spec with the verifier's
// validator (spec.Validator), so a request the verifier rejects is a 400 (800002) naming the rule, and changes
// nothing, even where Go's JSON decoder or net/http would read it happily.
func TestFakeRefusesWhatTheVerifierRejects(t *testing.T) {
	t.Parallel()
	const customer = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	good := `{"customerId":"` + customer + `","productFamily":"Azure"}`
	for _, tc := range []struct {
		name, body string
		headers    []string
		rule       string
	}{
		{"data after the JSON value", good + ` xyz`, nil, "request.body.trailing"},
		{"a second JSON value", good + good, nil, "request.body.trailing"},
		{"two MS-RequestId headers", good, []string{"MS-RequestId", "8b3c4d5e-6f7a-4b8c-9d0e-2f3a4b5c6d7e"}, "request.header.repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fake.Start(t)
			status, body, vs := strictPost(t, srv, "/v1/productupgrades", tc.body, tc.headers...)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %v", status, body)
			}
			if code, _ := body["code"].(float64); code != fake.CodeInvalidRequestInput {
				t.Errorf("code %v, want %d", body["code"], fake.CodeInvalidRequestInput)
			}
			if d, _ := body["description"].(string); !strings.Contains(d, tc.rule) {
				t.Errorf("description %q does not name the rule %s", d, tc.rule)
			}
			if len(vs) > 0 {
				t.Errorf("the fake's 400 breaks the spec: %s", vs)
			}
			if n := len(srv.Upgrades()); n != 0 {
				t.Errorf("%d upgrades created by a refused request, want 0", n)
			}
		})
	}
}

// TestFakeStatusIsSpecValid follows one upgrade to its end and checks every status response
// against the spec: the fake writes upgradedDate as the docs' example does (UTC, 7
// fractional digits, Z) and response ids as the spec's GUID-patterned strings.
func TestFakeStatusIsSpecValid(t *testing.T) {
	t.Parallel()
	const customer = "c1958bc7-3284-4952-a257-de594ee64743"
	srv := fake.Start(t, fake.WithPollsUntilComplete(1))
	body := `{"customerId":"` + customer + `","productFamily":"Azure"}`
	status, _, vs := strictPost(t, srv, "/v1/productupgrades", body)
	if status != http.StatusAccepted || len(vs) > 0 {
		t.Fatalf("create: status %d, violations %s", status, vs)
	}
	ups := srv.Upgrades()
	if len(ups) != 1 {
		t.Fatalf("%d upgrades, want 1", len(ups))
	}
	path := "/v1/productupgrades/" + ups[0].ID + "/status"
	var last map[string]any
	for i := 0; i < 2; i++ {
		status, last, vs = strictPost(t, srv, path, body)
		if status != http.StatusOK || len(vs) > 0 {
			t.Fatalf("status check %d: status %d, violations %s", i+1, status, vs)
		}
	}
	if last["status"] != fake.StatusCompleted {
		t.Fatalf("status %v, want %s", last["status"], fake.StatusCompleted)
	}
	items, _ := last["lineItems"].([]any)
	if len(items) != 1 {
		t.Fatalf("line items %v", last["lineItems"])
	}
	date, _ := items[0].(map[string]any)["upgradedDate"].(string)
	if len(date) != len("2019-08-29T23:47:28.8524555Z") || !strings.HasSuffix(date, "Z") {
		t.Errorf("upgradedDate %q, want the docs' form 2019-08-29T23:47:28.8524555Z", date)
	}
}
