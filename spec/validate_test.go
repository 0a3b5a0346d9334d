package spec_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/spec"
)

const (
	eligibilityBody = `{"customerId":"` + testCustomerID + `","isEligible":true,"productFamily":"azure"}`
	secretToken     = "s3cr3t-value-never-shown"
)

var (
	validatorOnce sync.Once
	validator     *spec.Validator
	validatorErr  error
)

// testValidator returns a validator of the embedded spec, built once per test binary.
func testValidator(t testing.TB) *spec.Validator {
	t.Helper()
	validatorOnce.Do(func() { validator, validatorErr = spec.NewValidator(context.Background()) })
	require.NoError(t, validatorErr)
	return validator
}

const (
	createURL      = "https://api.partnercenter.microsoft.com/v1/productupgrades"
	eligibilityURL = "https://api.partnercenter.microsoft.com/v1/productupgrades/eligibility"
	statusURL      = "https://api.partnercenter.microsoft.com/v1/productupgrades/" + testUpgradeID + "/status"
)

// responseHeader is a response's headers: the ids every response carries, then name, value
// pairs (added, so a name given twice is sent twice).
func responseHeader(kv ...string) http.Header {
	h := http.Header{}
	h.Set("MS-RequestId", "cb82f7d6-f0d9-44d4-82f9-f6eee6e68390")
	h.Set("MS-CorrelationId", "772871a9-399b-4f3b-b8c7-38f550e4f22a")
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestValidateRequest(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	for _, tc := range []struct {
		name  string
		url   string
		body  string
		edit  func(*http.Request)
		rule  string // "" when the request is valid
		where string
	}{
		{name: "valid create", url: createURL, body: createBody},
		{name: "valid create, mixed-case path", url: "http://127.0.0.1:1/V1/ProductUpgrades", body: createBody},
		{name: "valid status, mixed-case path", url: "http://127.0.0.1:1/v1/productUpgrades/" + testUpgradeID + "/Status", body: createBody},
		{name: "valid, optional headers", url: eligibilityURL, body: createBody, edit: func(r *http.Request) {
			r.Header.Set("X-Locale", "en-US")
			r.Header.Set("MS-Contract-Version", "v1")
		}},
		{name: "unknown path", url: "http://localhost/v1/other", body: createBody,
			rule: "request.route", where: "request line"},
		{name: "wrong method", url: createURL, body: createBody, edit: func(r *http.Request) { r.Method = http.MethodPut },
			rule: "request.route", where: "request line"},
		{name: "no Authorization", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Del("Authorization") },
			rule: "request.security", where: "header Authorization"},
		{name: "Basic instead of Bearer", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Set("Authorization", "Basic "+secretToken) },
			rule: "request.security", where: "header Authorization"},
		{name: "two Authorization headers", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Add("Authorization", "Bearer "+secretToken) },
			rule: "request.security", where: "header Authorization"},
		{name: "no MS-RequestId", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Del("MS-RequestId") },
			rule: "request.header.required", where: "header MS-RequestId"},
		{name: "non-GUID MS-CorrelationId", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Set("MS-CorrelationId", "nope") },
			rule: "request.header.schema", where: "header MS-CorrelationId"},
		{name: "repeated MS-RequestId", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Add("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff") },
			rule: "request.header.repeated", where: "header MS-RequestId"},
		{name: "repeated MS-RequestId, the second not a GUID", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Add("MS-RequestId", "second") },
			rule: "request.header.schema", where: "header MS-RequestId"},
		{name: "bad MS-Contract-Version", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Set("MS-Contract-Version", "1") },
			rule: "request.header.schema", where: "header MS-Contract-Version"},
		{name: "non-GUID upgrade id in the path", url: "http://localhost/v1/productupgrades/not-a-guid/status", body: createBody,
			rule: "request.path.schema", where: "path upgradeId"},
		{name: "non-GUID customerId", url: createURL, body: `{"customerId":"nope","productFamily":"Azure"}`,
			rule: "request.body.schema", where: "body /customerId"},
		{name: "productFamily missing", url: createURL, body: `{"customerId":"` + testCustomerID + `"}`,
			rule: "request.body.schema", where: "body /productFamily"},
		{name: "no body", url: createURL, body: "",
			rule: "request.body.required", where: "body"},
		{name: "broken JSON", url: createURL, body: `{"customerId":`,
			rule: "request.body.decode", where: "body"},
		{name: "data after the JSON value", url: createURL, body: createBody + ` {"productFamily":"Other"}`,
			rule: "request.body.trailing", where: "body"},
		{name: "wrong Content-Type", url: createURL, body: createBody, edit: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			rule: "request.body.content-type", where: "header Content-Type"},
		{name: "unreadable body", url: createURL, body: createBody, edit: func(r *http.Request) { r.Body = io.NopCloser(failingReader{}) },
			rule: "request.body.read", where: "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newCreateRequest(t, tc.url, tc.body)
			if tc.edit != nil {
				tc.edit(req)
			}
			vs := v.ValidateRequest(context.Background(), "case", req)
			if tc.rule == "" {
				require.Empty(t, vs, "%s", vs)
				return
			}
			require.True(t, vs.Has(tc.rule, tc.where), "want %s at %s; got:\n%s", tc.rule, tc.where, vs)
			for _, got := range vs {
				assert.Equal(t, "case", got.Exchange)
				assert.Equal(t, spec.CheckRequest, got.Check)
			}
			assert.NotContains(t, vs.Error(), secretToken, "a credential is never echoed")
		})
	}
}

func TestValidateRequestKeepsTheBody(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	req := newCreateRequest(t, createURL, createBody)
	require.Empty(t, v.ValidateRequest(context.Background(), "create", req))
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, createBody, string(got), "the body can still be served or sent")
}

func TestValidateRequestExplainsItself(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	vs := v.ValidateRequest(context.Background(), "create", newCreateRequest(t, createURL, `{"customerId":"nope","productFamily":"Azure"}`))
	require.Len(t, vs, 1, "%s", vs)
	assert.Equal(t, spec.Violation{
		Exchange: "create", Check: spec.CheckRequest, Rule: "request.body.schema", Where: "body /customerId",
		Expected: vs[0].Expected, Actual: `"nope"`,
		SpecLocation: "paths./v1/productupgrades.post.requestBody.content.application/json.schema.properties.customerId.pattern",
		Detail:       vs[0].Detail,
	}, vs[0])
	assert.Contains(t, vs[0].Expected, "a string matching")

	req := newCreateRequest(t, createURL, createBody)
	req.Header.Set("Authorization", "Token "+secretToken)
	vs = v.ValidateRequest(context.Background(), "create", req)
	require.True(t, vs.Has("request.security", "header Authorization"), "%s", vs)
	assert.Equal(t, `"Token <redacted>"`, vs[0].Actual)
	assert.Equal(t, "paths./v1/productupgrades.post.security", vs[0].SpecLocation)
	assert.NotContains(t, vs.Error(), secretToken)

	vs = v.ValidateRequest(context.Background(), "lost", newCreateRequest(t, "http://localhost/v2/x", createBody))
	require.Len(t, vs, 1)
	assert.Equal(t, `lost: spec-request: request.route at request line: expected a method and path of the spec, got "POST /v2/x" (POST /v2/x: no matching operation was found)`, vs[0].String())
}

func TestValidateResponse(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	location := "productUpgrades/" + testUpgradeID
	json := "application/json"
	for _, tc := range []struct {
		name   string
		url    string
		status int
		header http.Header
		body   string
		rule   string // "" when the response is valid
		where  string
	}{
		{name: "create 202", url: createURL, status: 202, header: responseHeader("Location", location)},
		{name: "create 202, mixed-case request path", url: "http://localhost/v1/ProductUpgrades", status: 202, header: responseHeader("Location", location)},
		{name: "eligibility 200", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", json), body: eligibilityBody},
		{name: "eligibility 200, charset", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", json+"; charset=utf-8"), body: eligibilityBody},
		{name: "401 without a body (x-body-may-be-empty)", url: eligibilityURL, status: 401, header: responseHeader()},
		{name: "502 without a body (x-body-may-be-empty)", url: createURL, status: 502, header: responseHeader()},
		{name: "400 with an error body", url: createURL, status: 400, header: responseHeader("Content-Type", json),
			body: `{"code":900118,"description":"Invalid Customer Id","data":[],"source":"PartnerFD"}`},
		{name: "unknown path", url: "http://localhost/v1/other", status: 200, header: responseHeader(),
			rule: "response.route", where: "request line"},
		{name: "no Location", url: createURL, status: 202, header: responseHeader(),
			rule: "response.header.required", where: "header Location"},
		{name: "Location without an id", url: createURL, status: 202, header: responseHeader("Location", "productUpgrades/oops"),
			rule: "response.header.schema", where: "header Location"},
		{name: "repeated Location", url: createURL, status: 202, header: responseHeader("Location", location, "Location", location),
			rule: "response.header.repeated", where: "header Location"},
		{name: "undeclared success", url: createURL, status: 200, header: responseHeader(),
			rule: "response.status.undeclared", where: "status"},
		{name: "isEligible missing", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", json),
			body: `{"customerId":"` + testCustomerID + `","productFamily":"azure"}`,
			rule: "response.body.schema", where: "body /isEligible"},
		{name: "data after the JSON value", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", json),
			body: eligibilityBody + "\nxyz", rule: "response.body.trailing", where: "body"},
		{name: "broken JSON", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", json),
			body: `{"isEligible":`, rule: "response.body.decode", where: "body"},
		{name: "wrong Content-Type", url: eligibilityURL, status: 200, header: responseHeader("Content-Type", "text/plain"),
			body: eligibilityBody, rule: "response.content-type", where: "header Content-Type"},
		{name: "error code an object", url: createURL, status: 400, header: responseHeader("Content-Type", json),
			body: `{"code":{},"description":"x"}`, rule: "response.body.schema", where: "body /code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newCreateRequest(t, tc.url, createBody)
			vs := v.ValidateResponse(context.Background(), "case", req, tc.status, tc.header, []byte(tc.body))
			if tc.rule == "" {
				require.Empty(t, vs, "%s", vs)
				return
			}
			require.True(t, vs.Has(tc.rule, tc.where), "want %s at %s; got:\n%s", tc.rule, tc.where, vs)
			for _, got := range vs {
				assert.Equal(t, spec.CheckResponse, got.Check)
			}
		})
	}
}

func TestValidateResponseExplainsItself(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	vs := v.ValidateResponse(context.Background(), "create-202", newCreateRequest(t, createURL, createBody),
		http.StatusAccepted, responseHeader("Location", "productUpgrades/oops"), nil)
	require.Len(t, vs, 1)
	s := vs[0].String()
	for _, want := range []string{"create-202", "spec-response", "response.header.schema", "header Location",
		`got "productUpgrades/oops"`, "expected a string matching", "[spec: paths./v1/productupgrades.post.responses.202.headers.Location]"} {
		assert.Contains(t, s, want)
	}

	vs = v.ValidateResponse(context.Background(), "create", newCreateRequest(t, createURL, createBody), http.StatusOK, responseHeader(), nil)
	require.Len(t, vs, 1)
	assert.Equal(t, "response.status.undeclared", vs[0].Rule)
	assert.Equal(t, "200", vs[0].Actual)
	assert.Contains(t, vs[0].Expected, "202")
	assert.Equal(t, "paths./v1/productupgrades.post.responses", vs[0].SpecLocation)
}

func TestValidateExchange(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	ctx := context.Background()

	req := newCreateRequest(t, "http://localhost/v1/productUpgrades", createBody)
	assert.Empty(t, v.ValidateExchange(ctx, "ok", req, http.StatusAccepted, responseHeader("Location", "productUpgrades/"+testUpgradeID), nil))

	req = newCreateRequest(t, createURL, `{"customerId":"nope","productFamily":"Azure"}`)
	vs := v.ValidateExchange(ctx, "both", req, http.StatusAccepted, responseHeader(), nil)
	assert.True(t, vs.Has("request.body.schema", "body /customerId"), "%s", vs)
	assert.True(t, vs.Has("response.header.required", "header Location"), "%s", vs)
	assert.Equal(t, spec.CheckRequest, vs[0].Check, "the request's violations come first")
	assert.Equal(t, spec.CheckResponse, vs[len(vs)-1].Check)

	req = newCreateRequest(t, "http://localhost/v9", createBody)
	vs = v.ValidateExchange(ctx, "lost", req, http.StatusOK, responseHeader(), nil)
	require.Len(t, vs, 2)
	assert.True(t, vs.Has("request.route", "request line"))
	assert.True(t, vs.Has("response.route", "request line"))
}

func TestValidateRouted(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	ctx := context.Background()
	req := newCreateRequest(t, "http://localhost/v1/productUpgrades/"+testUpgradeID+"/status", createBody)
	route, params, err := v.Router().FindRoute(req)
	require.NoError(t, err)
	assert.Empty(t, v.ValidateRoutedRequest(ctx, "status", req, route, params))
	assert.Empty(t, v.ValidateRoutedResponse(ctx, "status", req, route, params, http.StatusNotFound, responseHeader("Content-Type", "application/json"),
		[]byte(`{"code":800030,"description":"Upgrade not found"}`)))

	vs := v.ValidateRoutedRequest(ctx, "status", req, route, map[string]string{"upgradeId": "nope"})
	assert.True(t, vs.Has("request.path.schema", "path upgradeId"), "the parameters given are the ones validated: %s", vs)

	assert.True(t, v.ValidateRoutedRequest(ctx, "none", req, nil, nil).Has("request.route", "request line"))
	assert.True(t, v.ValidateRoutedResponse(ctx, "none", req, nil, nil, 200, nil, nil).Has("response.route", "request line"))
}

func TestValidatorAccessors(t *testing.T) {
	t.Parallel()
	d := testDoc(t)
	v, err := spec.NewValidatorFor(d)
	require.NoError(t, err)
	assert.Same(t, d, v.Doc())
	assert.Same(t, d, v.Router().Doc())
	route, params, err := v.FindRoute(http.MethodPost, "/V1/productupgrades/"+testUpgradeID+"/status")
	require.NoError(t, err)
	assert.Equal(t, "CheckProductUpgradeStatus", route.Operation.OperationID)
	assert.Equal(t, testUpgradeID, params["upgradeId"])

	_, err = spec.NewValidatorFor(&openapi3.T{})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "spec: "), "%v", err)
}

func TestViolations(t *testing.T) {
	t.Parallel()
	var none spec.Violations
	require.NoError(t, none.Err())
	vs := spec.Violations{
		{Exchange: "x", Check: spec.CheckResponse, Rule: "response.header.required", Where: "header Location", Expected: "present", Actual: "absent",
			SpecLocation: "paths./v1/productupgrades.post.responses.202.headers.Location"},
		{Exchange: "x", Check: spec.CheckRequest, Rule: "request.invalid", Detail: "why"},
	}
	require.Error(t, vs.Err())
	assert.Equal(t, "x: spec-response: response.header.required at header Location: expected present, got absent "+
		"[spec: paths./v1/productupgrades.post.responses.202.headers.Location]\nx: spec-request: request.invalid (why)", vs.Error())
	assert.True(t, vs.Has("response.header.required", ""))
	assert.True(t, vs.Has("response.header.required", "header Location"))
	assert.False(t, vs.Has("response.header.required", "header MS-RequestId"))
	assert.False(t, vs.Has("request.route", ""))
}

// TestSecurityViolationKeepsOnlyAKnownScheme: the Authorization value in a violation keeps
// a known scheme and nothing of the credentials.
func TestSecurityViolationKeepsOnlyAKnownScheme(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	for value, want := range map[string]string{
		"Basic " + secretToken:     `"Basic <redacted>"`,
		"Token " + secretToken:     `"Token <redacted>"`,
		secretToken + " " + "more": `"<redacted>"`,
		"Bearer":                   `"Bearer"`,
	} {
		req := newCreateRequest(t, createURL, createBody)
		req.Header.Set("Authorization", value)
		vs := v.ValidateRequest(context.Background(), "create", req)
		require.True(t, vs.Has("request.security", "header Authorization"), "%s", vs)
		assert.Equal(t, want, vs[0].Actual, "%q", value)
		assert.NotContains(t, vs.Error(), secretToken[:8], "not even the start of the credentials")
	}
}
