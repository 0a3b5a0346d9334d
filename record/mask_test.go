package record

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/contracttests"
)

func testSpec(t *testing.T) *specIndex {
	t.Helper()
	ix, err := loadSpec(context.Background())
	require.NoError(t, err)
	return ix
}

// routeOf returns the route of a POST to path.
func routeOf(t *testing.T, ix *specIndex, path string) *route {
	t.Helper()
	rt := ix.findRoute(http.MethodPost, path)
	require.NotNil(t, rt, path)
	return rt
}

func TestMaskBodyKeepsDeclaredMasksTheRest(t *testing.T) {
	t.Parallel()
	ix := testSpec(t)
	elig := routeOf(t, ix, "/v1/productupgrades/eligibility")
	status := routeOf(t, ix, "/v1/productupgrades/"+upgradeID+"/status")
	create := routeOf(t, ix, "/v1/productupgrades")
	for _, tc := range []struct {
		name string
		rt   *route
		// status 0: the request body.
		status   int
		in, want string
	}{
		{"request as the client sends it", elig, 0, createBody, createBody},
		{"request with an undeclared property", elig, 0,
			`{"customerId":"` + customerID + `","productFamily":"Azure","note":"x","n":1,"b":true,"z":null}`,
			`{"customerId":"` + customerID + `","productFamily":"Azure","note":"<redacted>","n":"<redacted>","b":"<redacted>","z":null}`},
		{"declared value that does not match its schema", elig, 0,
			`{"customerId":"not-a-guid","productFamily":""}`, `{"customerId":"<redacted>","productFamily":"<redacted>"}`},
		{"declared object, undeclared property inside", elig, 0,
			`{"customerId":"` + customerID + `","productFamily":"Azure","attributes":{"objectType":"Customer","etag":"e1","other":{"k":["v",2]}}}`,
			`{"customerId":"` + customerID + `","productFamily":"Azure","attributes":{"objectType":"Customer","etag":"e1","other":{"k":["<redacted>","<redacted>"]}}}`},
		{"escaped key names are compared decoded", elig, 0,
			`{"\u0063ustomerId":"` + customerID + `","\u0074oken":"x"}`, `{"customerId":"` + customerID + `","token":"<redacted>"}`},
		{"a key that could be a credential", elig, 0,
			`{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln":1,"ghp_16C7e42F292c6912E7710c838347Ae178B4a":2}`,
			`{"<redacted>":"<redacted>","<redacted>#2":"<redacted>"}`},
		{"eligibility response, doc example", elig, 200,
			`{"customerId":"c1958bc7-3284-4952-a257-de594ee64743","isEligible":true,"productFamily":"azure"}`,
			`{"customerId":"c1958bc7-3284-4952-a257-de594ee64743","isEligible":true,"productFamily":"azure"}`},
		{"eligibility response, not eligible", elig, 200,
			`{"isEligible":false,"reason":"Customer has no Azure subscriptions","upgradeId":"` + upgradeID + `"}`,
			`{"isEligible":false,"reason":"Customer has no Azure subscriptions","upgradeId":"` + upgradeID + `"}`},
		{"status response, doc example", status, 200, statusOKBody, statusOKBody},
		{"status response, token-shaped part of a declared string", status, 200,
			`{"id":"` + upgradeID + `","status":"Failed","errorDetails":{"code":42,"description":"bad client_secret=abc"}}`,
			`{"id":"` + upgradeID + `","status":"Failed","errorDetails":{"code":42,"description":"bad client_secret=<redacted>"}}`},
		{"a declared string holding JSON", status, 200,
			`{"id":"` + upgradeID + `","status":"{\"a\":1}"}`, `{"id":"` + upgradeID + `","status":"<redacted>"}`},
		{"error response, code as a number and a string", create, 400,
			`{"code":900118,"description":"Invalid Customer Id","data":[],"source":"PartnerFD"}`,
			`{"code":900118,"description":"Invalid Customer Id","data":[],"source":"PartnerFD"}`},
		{"error response, free-form data is masked", create, 409,
			`{"code":"900109","description":"in progress","data":["x",{"y":1}]}`,
			`{"code":"900109","description":"in progress","data":["<redacted>",{"y":"<redacted>"}]}`},
		{"429, either shape", create, 429,
			`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`,
			`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`},
		{"202 declares no body: all masked", create, 202, `{"id":"x","ok":true}`, `{"id":"<redacted>","ok":"<redacted>"}`},
		{"undeclared success status: all masked", create, 299, `{"code":1}`, `{"code":"<redacted>"}`},
		{"formatting is not kept", elig, 0, "{\n  \"customerId\": \"" + customerID + "\",\n  \"productFamily\": \"Azure\"\n}\n", createBody},
		{"XML", elig, 200, `<r><token>x</token></r>`, `<redacted>`},
		{"YAML", elig, 200, "token: x\n", `<redacted>`},
		{"form", elig, 0, "code=x&code_verifier=y", `<redacted>`},
		{"two JSON values", elig, 0, `{} {}`, `<redacted>`},
		{"trailing bytes", elig, 0, `{"customerId":"` + customerID + `"}x`, `<redacted>`},
		{"too deep", elig, 0, strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), `<redacted>`},
		{"empty", elig, 0, ``, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			schema := tc.rt.requestSchema("application/json")
			if tc.status != 0 {
				schema = tc.rt.responseSchema(tc.status, "application/json")
			}
			assert.Equal(t, tc.want, string(maskBody([]byte(tc.in), schema)))
		})
	}
}

func TestFindRoute(t *testing.T) {
	t.Parallel()
	ix := testSpec(t)
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/v1/productupgrades", "CreateProductUpgrade"},
		{"POST", "/V1/ProductUpgrades/Eligibility/", "CheckProductUpgradeEligibility"},
		{"POST", "/v1/productUpgrades/" + upgradeID + "/status", "CheckProductUpgradeStatus"},
		{"POST", "/v1/productUpgrades/anything/status", "CheckProductUpgradeStatus"},
		{"post", "/v1/productupgrades", ""},
		{"GET", "/v1/productupgrades", ""},
		{"POST", "/v1/productupgrades//status", ""},
		{"POST", "/v1/productupgrades/a%2Fb/status", "CheckProductUpgradeStatus"},
		{"POST", "/v1/productupgrades/a/b/status", ""},
		{"POST", "/v1/other", ""},
	} {
		rt := ix.findRoute(tc.method, tc.path)
		got := ""
		if rt != nil {
			got = rt.op.OperationID
		}
		assert.Equal(t, tc.want, got, "%s %s", tc.method, tc.path)
	}
}

func TestMaskedPath(t *testing.T) {
	t.Parallel()
	ix := testSpec(t)
	for in, want := range map[string]string{
		"/v1/productUpgrades/" + upgradeID + "/status":            "/v1/productUpgrades/" + upgradeID + "/status",
		"/v1/productupgrades/not-a-guid/status":                   "/v1/productupgrades/<redacted>/status",
		"/v1/productupgrades/" + upgradeID + "%2Fx/status":        "/v1/productupgrades/<redacted>/status",
		"/v1/productupgrades/eligibility?sig=abc&x&client%5Fid=1": "/v1/productupgrades/eligibility?sig=<redacted>&<redacted>&client_id=<redacted>",
		"/other/thing/" + upgradeID + "?a=b":                      "/<redacted>/<redacted>/<redacted>",
		"/":                                                       "/",
	} {
		req := httptest.NewRequest(http.MethodPost, in, nil)
		rt := ix.findRoute(req.Method, req.URL.EscapedPath())
		assert.Equal(t, want, requestTarget(req, rt), "%s", in)
	}
}

func TestMaskedLocationKeepsEveryDeclaredFormsPath(t *testing.T) {
	t.Parallel()
	ix := testSpec(t)
	for in, want := range map[string]string{
		"productUpgrades/" + upgradeID:                                            "productUpgrades/" + upgradeID,
		"/productupgrades/" + upgradeID + "/":                                     "/productupgrades/" + upgradeID + "/",
		"/v1/productUpgrades/" + upgradeID:                                        "/v1/productUpgrades/" + upgradeID,
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/" + upgradeID: "/v1/productUpgrades/" + upgradeID,
		"productUpgrades/" + upgradeID + "?sig=x#frag":                            "productUpgrades/" + upgradeID,
		"productUpgrades/oops":                                                    "productUpgrades/<redacted>",
		"https://u:p@evil.example/x/productUpgrades/" + upgradeID:                 "/<redacted>/productUpgrades/" + upgradeID,
		"%zz": "<redacted>",
	} {
		assert.Equal(t, want, ix.maskedLocation(in), "%q", in)
	}
}

func TestDecodeBody(t *testing.T) {
	t.Parallel()
	const body = `{"isEligible":true}`
	h := func(v ...string) http.Header {
		hh := http.Header{}
		for _, s := range v {
			hh.Add("Content-Encoding", s)
		}
		return hh
	}
	for _, tc := range []struct {
		name    string
		in      string
		header  http.Header
		want    string
		wantErr string
	}{
		{"none", body, h(), body, ""},
		{"identity", body, h("identity"), body, ""},
		{"gzip", compress("gzip", body), h("gzip"), body, ""},
		{"x-gzip, any case", compress("gzip", body), h("X-GZIP"), body, ""},
		{"deflate (zlib)", compress("deflate", body), h("deflate"), body, ""},
		{"deflate (raw)", compress("raw-deflate", body), h("deflate"), body, ""},
		{"gzip twice, one header", compress("gzip", compress("gzip", body)), h("gzip, gzip"), body, ""},
		{"gzip then deflate, two headers", compress("deflate", compress("gzip", body)), h("gzip", "deflate"), body, ""},
		{"br", "\x0b\x02\x80" + body, h("br"), "", "Content-Encoding br cannot be decoded: not recorded"},
		{"zstd", "x", h("zstd"), "", "Content-Encoding zstd cannot be decoded"},
		{"unknown coding is not named", "x", h("secret-coding"), "", "Content-Encoding unknown cannot be decoded"},
		{"corrupt gzip", "\x1f\x8b\x08\x00" + body, h("gzip"), "", "Content-Encoding gzip: body does not decode: not recorded"},
		{"not deflate at all", body, h("deflate"), "", "does not decode"},
		{"too many codings", body, h("gzip, gzip, gzip, gzip, gzip"), "", "5 codings"},
		{"zip bomb", compress("gzip", strings.Repeat("0", 10<<20)), h("gzip"), "", "decoded body larger than 1024 bytes: not recorded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeBody([]byte(tc.in), tc.header, 1024)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), "isEligible", "no body in the message")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestCompressedExchangeIsRecordedDecoded: a caller that asks for gzip itself gets the
// compressed bytes; the fixture holds the decoded body, without Content-Encoding, and
// verifies against the spec.
func TestCompressedExchangeIsRecordedDecoded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		_, _ = io.WriteString(w, compress("gzip", eligibleBody))
	}))
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport)
	req := newRequest(t, srv.URL+"/v1/productupgrades/eligibility", "")
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(compress("gzip", createBody))), int64(len(compress("gzip", createBody)))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(compress("gzip", createBody))), nil
	}
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: rec}).Do(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	require.NoError(t, err, "the caller gets the compressed body as sent")
	plain, _ := io.ReadAll(zr)
	assert.Equal(t, eligibleBody, string(plain))
	require.NoError(t, rec.Err())

	exs, err := contracttests.LoadDir(dir)
	require.NoError(t, err)
	require.Len(t, exs, 1)
	assert.Equal(t, createBody, string(exs[0].RequestBody))
	assert.Equal(t, eligibleBody, string(exs[0].ResponseBody))
	assert.Empty(t, exs[0].Request.Header.Get("Content-Encoding"))
	assert.Empty(t, exs[0].Response.Header.Get("Content-Encoding"))
	assert.Equal(t, int64(len(eligibleBody)), exs[0].Response.ContentLength)
	rep, err := contracttests.Verify(context.Background(), dir)
	require.NoError(t, err)
	assert.True(t, rep.Passed(), "%+v", rep.Results)
}

// TestStatusExchangeIsKeptWhole: an exchange that holds only what the spec declares is
// recorded as sent (bar the token), and verifies.
func TestStatusExchangeIsKeptWhole(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		w.Header().Set("MS-CV", "iqOqN0FnaE2y0HcD.0")
		w.Header().Set("MS-ServerId", "030020525")
		_, _ = io.WriteString(w, statusOKBody)
	}))
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport)
	do(t, &http.Client{Transport: rec}, newRequest(t, srv.URL+"/v1/productUpgrades/"+upgradeID+"/status", createBody))
	require.NoError(t, rec.Err())
	files := readAll(t, dir)
	text := files["0001-check-product-upgrade-status-200.http"]
	assert.Contains(t, text, "POST /v1/productUpgrades/"+upgradeID+"/status HTTP/1.1\n", "path casing kept, the GUID kept")
	assert.Contains(t, text, "MS-CV: iqOqN0FnaE2y0HcD.0\n")
	assert.Contains(t, text, "MS-ServerId: 030020525\n")
	assert.Contains(t, text, "\n\n"+statusOKBody+"\n")
	rep, err := contracttests.Verify(context.Background(), dir)
	require.NoError(t, err)
	assert.True(t, rep.Passed(), "%+v", rep.Results)
}
