package spec_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/spec"
)

const (
	testUpgradeID  = "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
	testCustomerID = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	createBody     = `{"customerId":"` + testCustomerID + `","productFamily":"Azure"}`
)

var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
)

// testDoc is the embedded spec, loaded once per test binary. Tests must not change it.
func testDoc(t testing.TB) *openapi3.T {
	t.Helper()
	docOnce.Do(func() { doc, docErr = spec.Load(context.Background()) })
	require.NoError(t, docErr, "the embedded spec must load and validate")
	return doc
}

func testRouter(t testing.TB) *spec.Router {
	t.Helper()
	r, err := spec.NewRouter(testDoc(t))
	require.NoError(t, err)
	return r
}

func TestRouterFindRoute(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	for _, tc := range []struct {
		name, method, url string
		wantOp            string            // "" when there is no route
		wantParams        map[string]string // when wantOp is set
		wantErr           error             // when wantOp is ""
	}{
		{"create, as the docs write it", "POST", "https://api.partnercenter.microsoft.com/v1/productupgrades",
			"CreateProductUpgrade", map[string]string{}, nil},
		{"create, as the SDKs write it", "POST", "https://api.partnercenter.microsoft.com/v1/productUpgrades",
			"CreateProductUpgrade", map[string]string{}, nil},
		{"eligibility, upper case, trailing slash", "POST", "http://127.0.0.1:8080/V1/PRODUCTUPGRADES/Eligibility/",
			"CheckProductUpgradeEligibility", map[string]string{}, nil},
		{"status, mixed case", "POST", "http://localhost/v1/ProductUpgrades/" + testUpgradeID + "/Status",
			"CheckProductUpgradeStatus", map[string]string{"upgradeId": testUpgradeID}, nil},
		{"status, the id keeps its case", "POST", "http://localhost/v1/productupgrades/" + strings.ToUpper(testUpgradeID) + "/status",
			"CheckProductUpgradeStatus", map[string]string{"upgradeId": strings.ToUpper(testUpgradeID)}, nil},
		{"status, a parameter that is not a GUID routes (validation rejects it)", "POST", "http://localhost/v1/productupgrades/not-a-guid/status",
			"CheckProductUpgradeStatus", map[string]string{"upgradeId": "not-a-guid"}, nil},
		{"status, an encoded slash stays in its segment", "POST", "http://localhost/v1/productupgrades/a%2Fb/status",
			"CheckProductUpgradeStatus", map[string]string{"upgradeId": "a/b"}, nil},
		{"unknown path", "POST", "http://localhost/v1/other", "", nil, routers.ErrPathNotFound},
		{"root", "POST", "http://localhost/", "", nil, routers.ErrPathNotFound},
		{"empty parameter", "POST", "http://localhost/v1/productupgrades//status", "", nil, routers.ErrPathNotFound},
		{"a slash inside the parameter", "POST", "http://localhost/v1/productupgrades/a/b/status", "", nil, routers.ErrPathNotFound},
		{"a prefix of a path", "POST", "http://localhost/v1", "", nil, routers.ErrPathNotFound},
		{"wrong method", "GET", "http://localhost/v1/productupgrades", "", nil, routers.ErrMethodNotAllowed},
		{"wrong method, mixed-case path", "DELETE", "http://localhost/v1/ProductUpgrades/" + testUpgradeID + "/status", "", nil, routers.ErrMethodNotAllowed},
		{"methods are case-sensitive", "post", "http://localhost/v1/productupgrades", "", nil, routers.ErrMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, nil)
			require.NoError(t, err)
			route, params, err := r.FindRoute(req)
			if tc.wantOp == "" {
				// openapi3filter tells the errors apart by identity and type assertion
				// (ConvertErrors, the middleware): they must come unwrapped.
				assert.Same(t, tc.wantErr, err)
				_, isRouteErr := err.(*routers.RouteError) //nolint:errorlint // the point: a *RouteError itself, unwrapped (see above)
				assert.True(t, isRouteErr, "%T", err)
				assert.Nil(t, route)
				assert.Nil(t, params)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOp, route.Operation.OperationID)
			assert.Equal(t, tc.wantParams, params)
			assert.Equal(t, tc.method, route.Method)
			assert.Same(t, testDoc(t), route.Spec)
			assert.Same(t, testDoc(t).Paths.Value(route.Path), route.PathItem)
			assert.Nil(t, route.Server, "servers are not compared")

			// Find, given the method and the escaped path, agrees.
			route2, params2, err := r.Find(tc.method, req.URL.EscapedPath())
			require.NoError(t, err)
			assert.Equal(t, route, route2)
			assert.Equal(t, params, params2)
		})
	}
}

func TestRouterFindWrapsTheErrors(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	_, _, err := r.Find(http.MethodPost, "/v1/nowhere")
	require.ErrorIs(t, err, routers.ErrPathNotFound)
	assert.Equal(t, "POST /v1/nowhere: no matching operation was found", err.Error())

	_, _, err = r.Find(http.MethodPut, "/v1/ProductUpgrades/Eligibility")
	require.ErrorIs(t, err, routers.ErrMethodNotAllowed)
	assert.Contains(t, err.Error(), "PUT /v1/ProductUpgrades/Eligibility")

	_, _, err = r.Find(http.MethodPost, "/v1/productupgrades/%zz/status")
	require.ErrorIs(t, err, routers.ErrPathNotFound, "a parameter that does not decode matches nothing")
}

func TestRouterFindRouteWithoutURL(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	_, _, err := r.FindRoute(&http.Request{Method: http.MethodPost})
	assert.Same(t, routers.ErrPathNotFound, err)
	_, _, err = r.FindRoute(nil)
	assert.Same(t, routers.ErrPathNotFound, err)
}

func TestNewRouterRefusesPathsItCannotTellApart(t *testing.T) {
	t.Parallel()
	load := func(t *testing.T, paths ...string) *openapi3.T {
		t.Helper()
		var b strings.Builder
		b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n")
		for _, p := range paths {
			b.WriteString("  " + p + ":\n    get:\n      responses: {'200': {description: ok}}\n")
		}
		d, err := openapi3.NewLoader().LoadFromData([]byte(b.String()))
		require.NoError(t, err)
		return d
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  string // "" when the router is built
	}{
		{"distinct paths", []string{"/a", "/a/{id}", "/a/b", "/b/{id}/c"}, ""},
		{"paths that differ only in case", []string{"/v1/Items", "/v1/items"}, "match the same requests"},
		{"paths that differ only in parameter names", []string{"/a/{x}/c", "/A/{y}/C"}, "match the same requests"},
		{"a parameter inside a segment", []string{"/files/{name}.json"}, "mixes a parameter with text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spec.NewRouter(load(t, tc.paths...))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	_, err := spec.NewRouter(nil)
	require.Error(t, err)
	_, err = spec.NewRouter(&openapi3.T{})
	require.Error(t, err)
}

// TestRouterLiteralsBeforeParameters: a literal segment wins over a parameter in the same
// place, whatever its case, as kin-openapi's own routers order paths.
func TestRouterLiteralsBeforeParameters(t *testing.T) {
	t.Parallel()
	d, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items/{id}:
    get: {operationId: byID, responses: {'200': {description: ok}}}
  /items/latest:
    get: {operationId: latest, responses: {'200': {description: ok}}}
`))
	require.NoError(t, err)
	r, err := spec.NewRouter(d)
	require.NoError(t, err)
	for path, want := range map[string]string{"/items/LATEST": "latest", "/items/latest": "latest", "/items/42": "byID"} {
		route, _, err := r.Find(http.MethodGet, path)
		require.NoError(t, err, path)
		assert.Equal(t, want, route.Operation.OperationID, path)
	}
}

// newCreateRequest is a valid create request to url, Content-Type and the required headers set.
func newCreateRequest(t testing.TB, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer test-token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff")
	req.Header.Set("MS-CorrelationId", "e3f26e6a-044f-4371-ad52-0d91ce4200be")
	return req
}

// TestRouterWithOpenAPI3Filter plugs the Router into kin-openapi's own request validation:
// library code takes it as a routers.Router and validates mixed-case requests with it.
func TestRouterWithOpenAPI3Filter(t *testing.T) {
	t.Parallel()
	var router routers.Router = testRouter(t)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	validate := func(req *http.Request) error {
		route, params, err := router.FindRoute(req)
		if err != nil {
			return err
		}
		return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		})
	}

	require.NoError(t, validate(newCreateRequest(t, "http://localhost/v1/ProductUpgrades", createBody)))
	require.NoError(t, validate(newCreateRequest(t, "http://localhost/V1/productupgrades/"+testUpgradeID+"/STATUS", createBody)))

	err := validate(newCreateRequest(t, "http://localhost/v1/productUpgrades/not-a-guid/status", createBody))
	var re *openapi3filter.RequestError
	require.ErrorAs(t, err, &re, "a path parameter the router found is validated: %v", err)
	require.NotNil(t, re.Parameter)
	assert.Equal(t, "upgradeId", re.Parameter.Name)

	err = validate(newCreateRequest(t, "http://localhost/v1/productUpgrades", `{"customerId":"nope","productFamily":"Azure"}`))
	require.ErrorAs(t, err, &re)
	assert.NotNil(t, re.RequestBody)

	// The errors convert as kin-openapi's own routers' do: 404 and 405.
	var ve *openapi3filter.ValidationError
	require.ErrorAs(t, openapi3filter.ConvertErrors(validate(newCreateRequest(t, "http://localhost/v2/nothing", createBody))), &ve)
	assert.Equal(t, http.StatusNotFound, ve.Status)
	get, err := http.NewRequest(http.MethodGet, "http://localhost/v1/productUpgrades", nil)
	require.NoError(t, err)
	require.ErrorAs(t, openapi3filter.ConvertErrors(validate(get)), &ve)
	assert.Equal(t, http.StatusMethodNotAllowed, ve.Status)
}

// TestRouterInOpenAPI3FilterMiddleware serves requests through openapi3filter's middleware
// with the Router: a mixed-case request reaches the handler, others are refused by the
// middleware.
func TestRouterInOpenAPI3FilterMiddleware(t *testing.T) {
	t.Parallel()
	var codes []openapi3filter.ErrCode
	var mu sync.Mutex
	mw := openapi3filter.NewValidator(testRouter(t),
		openapi3filter.ValidationOptions(openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}),
		openapi3filter.OnErr(func(_ context.Context, w http.ResponseWriter, status int, code openapi3filter.ErrCode, _ error) {
			mu.Lock()
			codes = append(codes, code)
			mu.Unlock()
			http.Error(w, "refused", status)
		}),
		openapi3filter.OnLog(func(context.Context, string, error) {}),
	)
	h := mw.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "productUpgrades/"+testUpgradeID)
		w.Header().Set("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff")
		w.Header().Set("MS-CorrelationId", "e3f26e6a-044f-4371-ad52-0d91ce4200be")
		w.WriteHeader(http.StatusAccepted)
	}))

	serve := func(req *http.Request) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	assert.Equal(t, http.StatusAccepted, serve(newCreateRequest(t, "http://localhost/v1/productUpgrades", createBody)))
	assert.Equal(t, http.StatusNotFound, serve(newCreateRequest(t, "http://localhost/v1/elsewhere", createBody)))
	assert.Equal(t, http.StatusBadRequest, serve(newCreateRequest(t, "http://localhost/v1/productUpgrades", `{}`)))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []openapi3filter.ErrCode{openapi3filter.ErrCodeCannotFindRoute, openapi3filter.ErrCodeRequestInvalid}, codes)
}

func TestRouterDoc(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	assert.Same(t, testDoc(t), r.Doc())
}
