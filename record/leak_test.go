package record

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// Planted secrets: each is unique, so that finding it anywhere is a leak of that case.

// plantedJWT returns a made-up JWT of the right shape that names tag.
func plantedJWT(tag string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+tag+`"}`)) + "." + enc([]byte("signature-of-"+tag))
}

// plantedJWE returns a made-up JWE (five parts) that names tag.
func plantedJWE(tag string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + "." + enc([]byte("encrypted-key-"+tag)) + "." +
		enc([]byte("iv-"+tag)) + "." + enc([]byte("ciphertext-"+tag)) + "." + enc([]byte("tag-"+tag))
}

// plantedEntra returns a made-up Entra ID client secret (3 characters, a digit, "Q~", 34 more).
func plantedEntra(tag string) string {
	s := "Ab1" + "8Q~" + tag + strings.Repeat("x", 34)
	return s[:40]
}

const (
	upgradePath    = "/v1/productupgrades/" + upgradeID + "/status"
	statusOKBody   = `{"id":"` + upgradeID + `","status":"Completed","productFamily":"Azure","lineItems":[{"sourceProduct":{"id":"b1beb621-3cad-4d7a-b360-62db33ce028e","name":"AzureSubscription"},"targetProduct":{"id":"d231908e-31c1-de0e-027b-bc5ce11f09d9","name":"Microsoft Azure plan"},"upgradedDate":"2019-08-29T23:47:28.8524555Z","status":"Completed"}]}`
	placeholderJWT = "Bearer " + jwt
)

// answer is a loopback Partner Center that answers each operation as the docs show, echoing
// the request ids.
func answer(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
	w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
	p := strings.ToLower(r.URL.Path)
	switch {
	case strings.HasSuffix(p, "/eligibility"):
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, eligibleBody)
	case strings.HasSuffix(p, "/status"):
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, statusOKBody)
	case p == "/v1/productupgrades":
		w.Header().Set("Location", "productUpgrades/"+upgradeID)
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// reply answers with status, headers (name, value pairs) and body.
func reply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// replyEncoded answers 200 with body compressed as coding says.
func replyEncoded(coding, body string) http.HandlerFunc {
	return reply(http.StatusOK, compress(coding, body), "Content-Type", "application/json", "Content-Encoding", coding)
}

func compress(coding, body string) string {
	var b bytes.Buffer
	var zw io.WriteCloser
	switch coding {
	case "gzip":
		zw = gzip.NewWriter(&b)
	case "deflate":
		zw = zlib.NewWriter(&b)
	case "raw-deflate":
		fw, err := flate.NewWriter(&b, flate.BestCompression)
		if err != nil {
			panic(err)
		}
		zw = fw
	case "gzip, gzip":
		return compress("gzip", compress("gzip", body))
	default:
		panic(coding)
	}
	// Into a bytes.Buffer nothing fails; should it, the test data is wrong: stop.
	if _, err := zw.Write([]byte(body)); err != nil {
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.String()
}

// apiRequest is a request as the client sends it, to path on base.
func apiRequest(t *testing.T, method, base, path, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", placeholderJWT)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff")
	req.Header.Set("MS-CorrelationId", "e3f26e6a-044f-4371-ad52-0d91ce4200be")
	return req
}

// with returns req after f changed it.
func with(req *http.Request, f func(*http.Request)) *http.Request { f(req); return req }

// leakCase plants secrets in one place of one exchange.
type leakCase struct {
	place, name string
	secrets     []string
	request     func(t *testing.T, base string) *http.Request
	handler     http.HandlerFunc // nil: answer
	opts        []Option
	// wrap wraps the loopback transport (a body that fails to read, ...).
	wrap func(http.RoundTripper) http.RoundTripper
	// notRecorded: the exchange must not be recorded, and Err must say so.
	notRecorded bool
}

func leakCases() []leakCase {
	post := func(path, body string) func(*testing.T, string) *http.Request {
		return func(t *testing.T, base string) *http.Request { return apiRequest(t, http.MethodPost, base, path, body) }
	}
	postWith := func(path, body string, f func(*http.Request)) func(*testing.T, string) *http.Request {
		return func(t *testing.T, base string) *http.Request {
			return with(apiRequest(t, http.MethodPost, base, path, body), f)
		}
	}
	header := func(name, value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(name, value) }
	}
	elig := "/v1/productupgrades/eligibility"
	create := "/v1/productupgrades"
	var cs []leakCase
	add := func(c leakCase) { cs = append(cs, c) }

	// Headers off the allow-list: name kept, value masked.
	add(leakCase{place: "header", name: "request Cookie", secrets: []string{"ck-7Hq2Lr9"}, request: postWith(elig, createBody, header("Cookie", "session=ck-7Hq2Lr9"))})
	add(leakCase{place: "header", name: "request X-Api-Key", secrets: []string{"xak-Zt81Pq"}, request: postWith(elig, createBody, header("X-Api-Key", "xak-Zt81Pq"))})
	add(leakCase{place: "header", name: "request custom header", secrets: []string{"tenant-Jk3Wm0"}, request: postWith(elig, createBody, header("X-Internal-Tenant", "tenant-Jk3Wm0"))})
	add(leakCase{place: "header", name: "response Set-Cookie", secrets: []string{"aff-Rz6Yb2"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json", "Set-Cookie", "affinity=aff-Rz6Yb2")})
	add(leakCase{place: "header", name: "response custom header", secrets: []string{"dbg-Vn5Tc4"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json", "X-Debug-Token", "dbg-Vn5Tc4")})
	add(leakCase{place: "header", name: "header name that is a JWT", secrets: []string{plantedJWT("hdr-name")}, request: postWith(elig, createBody, func(r *http.Request) {
		r.Header["X-"+plantedJWT("hdr-name")] = []string{"1"}
	})})
	add(leakCase{place: "header", name: "header name that is an opaque key", secrets: []string{"ghp_16C7e42F292c6912E7710c838347Ae178B4a"}, request: postWith(elig, createBody, func(r *http.Request) {
		r.Header["Ghp_16C7e42F292c6912E7710c838347Ae178B4a"] = []string{"1"}
	})})

	// Authorization: only a known scheme word survives.
	add(leakCase{place: "authorization", name: "bearer JWT", secrets: []string{plantedJWT("authz")}, request: postWith(elig, createBody, header("Authorization", "Bearer "+plantedJWT("authz")))})
	add(leakCase{place: "authorization", name: "bearer opaque", secrets: []string{"opq-Mw4Xe8Ry"}, request: postWith(elig, createBody, header("Authorization", "Bearer opq-Mw4Xe8Ry"))})
	add(leakCase{place: "authorization", name: "unknown scheme SHORTKEY extra", secrets: []string{"SHORTKEYq9Z", "extra-Pb7"}, request: postWith(elig, createBody, header("Authorization", "SHORTKEYq9Z extra-Pb7"))})
	add(leakCase{place: "authorization", name: "no scheme", secrets: []string{"bare-Hc2Nd6Lo"}, request: postWith(elig, createBody, header("Authorization", "bare-Hc2Nd6Lo"))})
	add(leakCase{place: "authorization", name: "basic", secrets: []string{"dXNlcjpwYXNzLUtlNw=="}, request: postWith(elig, createBody, header("Authorization", "Basic dXNlcjpwYXNzLUtlNw=="))})
	add(leakCase{place: "authorization", name: "proxy-authorization", secrets: []string{"prx-Fa1Gu3"}, request: postWith(elig, createBody, header("Proxy-Authorization", "Basic prx-Fa1Gu3"))})
	add(leakCase{place: "authorization", name: "user info in the URL", secrets: []string{"pw-Ui5Rq0"}, request: func(t *testing.T, base string) *http.Request {
		req := apiRequest(t, http.MethodPost, strings.Replace(base, "http://", "http://user:pw-Ui5Rq0@", 1), elig, createBody)
		req.Header.Del("Authorization")
		return req
	}})

	// Allow-listed headers: kept, but checked against the spec and scanned.
	add(leakCase{place: "allow-listed header", name: "User-Agent token=X", secrets: []string{"ua-Lk8Vb1"}, request: postWith(elig, createBody, header("User-Agent", "billing/1.0 token=ua-Lk8Vb1"))})
	add(leakCase{place: "allow-listed header", name: "User-Agent with a JWT", secrets: []string{plantedJWT("ua")}, request: postWith(elig, createBody, header("User-Agent", "billing/1.0 ("+plantedJWT("ua")+")"))})
	add(leakCase{place: "allow-listed header", name: "request MS-CorrelationId not a GUID", secrets: []string{"corr-Tw9Sx4Ab"}, request: postWith(elig, createBody, header("MS-CorrelationId", "corr-Tw9Sx4Ab"))})
	add(leakCase{place: "allow-listed header", name: "response MS-RequestId echoing a token", secrets: []string{"echo-Ne3Py7Qa"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json", "MS-RequestId", "echo-Ne3Py7Qa")})
	add(leakCase{place: "allow-listed header", name: "MS-CV with a bearer token", secrets: []string{"cv0Kj5Hb2Wq8Xt4Ml"}, request: postWith(elig, createBody, header("MS-CV", "Bearer cv0Kj5Hb2Wq8Xt4Ml"))})
	add(leakCase{place: "allow-listed header", name: "Accept with sig", secrets: []string{"sg0Rf4%2BYh"}, request: postWith(elig, createBody, header("Accept", "application/json; sig=sg0Rf4%2BYh"))})
	add(leakCase{place: "allow-listed header", name: "Date with client_secret", secrets: []string{"dt-Cs6Ve2"}, request: postWith(elig, createBody, header("Date", "client_secret=dt-Cs6Ve2"))})
	add(leakCase{place: "allow-listed header", name: "response Retry-After not seconds", secrets: []string{"ra-Ox1Dz5"}, request: post(create, createBody),
		handler: reply(429, `{"statusCode":429,"message":"slow down"}`, "Content-Type", "application/json", "Retry-After", "ra-Ox1Dz5")})
	add(leakCase{place: "allow-listed header", name: "response MS-ServerId with a JWE", secrets: []string{plantedJWE("srv")}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json", "MS-ServerId", plantedJWE("srv"))})
	add(leakCase{place: "allow-listed header", name: "Content-Type with access_token", secrets: []string{"ct-Qs3Wn9"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json; access_token=ct-Qs3Wn9")})
	add(leakCase{place: "allow-listed header", name: "Content-Type with an unknown parameter", secrets: []string{"ctp-Hx4Kd8"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json; profile=ctp-Hx4Kd8")})
	add(leakCase{place: "allow-listed header", name: "Date that is not a date", secrets: []string{"date-Jq2Vn6"}, request: post(elig, createBody),
		handler: reply(200, eligibleBody, "Content-Type", "application/json", "Date", "date-Jq2Vn6")})
	add(leakCase{place: "allow-listed header", name: "allow-listed by option, with an Entra secret", secrets: []string{plantedEntra("opt")}, opts: []Option{WithAllowedHeaders("X-Client")},
		request: postWith(elig, createBody, header("X-Client", "id "+plantedEntra("opt")+"."))})

	// Location: the path only, segment by segment.
	loc := func(name, value string, secret ...string) {
		add(leakCase{place: "location", name: name, secrets: secret, request: post(create, createBody),
			handler: reply(202, "", "Location", value)})
	}
	loc("query sig", "productUpgrades/"+upgradeID+"?sig=lsig-Ab3Cd5", "lsig-Ab3Cd5")
	loc("query code", "/v1/productUpgrades/"+upgradeID+"?code=lcode-Ef7Gh9", "lcode-Ef7Gh9")
	loc("user info", "https://u:lpw-Ij2Kl4@api.example/productUpgrades/"+upgradeID, "lpw-Ij2Kl4")
	loc("path segment", "https://api.example/lseg-Mn6Op8/productUpgrades/"+upgradeID, "lseg-Mn6Op8")
	loc("fragment", "productUpgrades/"+upgradeID+"#access_token=lfrag-Qr1St3", "lfrag-Qr1St3")
	loc("host", "https://lhost-uv5wx7.example/productUpgrades/"+upgradeID, "lhost-uv5wx7")
	loc("JWT as the id", "productUpgrades/"+plantedJWT("loc"), plantedJWT("loc"))

	// Query: every value masked, whatever the name.
	q := func(name, query string, secret ...string) {
		add(leakCase{place: "query", name: name, secrets: secret, request: post(elig+"?"+query, createBody)})
	}
	q("sig", "sv=2020-08-04&sig=qsig-Yz4Ab6%2B", "qsig-Yz4Ab6")
	q("code", "code=qcode-Cd8Ef0", "qcode-Cd8Ef0")
	q("token", "token=qtok-Gh2Ij4", "qtok-Gh2Ij4")
	q("key", "key=qkey-Kl6Mn8", "qkey-Kl6Mn8")
	q("secret", "secret=qsec-Op0Qr2", "qsec-Op0Qr2")
	q("percent-encoded name", "client%5Fsecret=qpct-St4Uv6", "qpct-St4Uv6")
	q("innocent name", "page=qpage-Wx8Yz0", "qpage-Wx8Yz0")
	q("item without a value", "qbare-Ab1Cd3", "qbare-Ab1Cd3")
	q("name that is a token", "ghp_26C7e42F292c6912E7710c838347Ae178B4b=1", "ghp_26C7e42F292c6912E7710c838347Ae178B4b")
	q("percent-encoded value", "state=qenc%2DEf5%26Gh7", "qenc-Ef5&Gh7")

	// Path: a path parameter that does not match its schema is masked.
	add(leakCase{place: "path", name: "upgrade id that is not a GUID", secrets: []string{"pid-Ij9Kl1Mn"}, request: post("/v1/productupgrades/pid-Ij9Kl1Mn/status", createBody)})
	add(leakCase{place: "path", name: "upgrade id that is a JWT", secrets: []string{plantedJWT("path")}, request: post("/v1/productupgrades/"+plantedJWT("path")+"/status", createBody)})
	add(leakCase{place: "path", name: "encoded slash in the id", secrets: []string{"pslash-Op3Qr5"}, request: post("/v1/productupgrades/pslash-Op3Qr5%2Fx/status", createBody)})

	// JSON bodies: declared values kept (and scanned), undeclared masked.
	add(leakCase{place: "json", name: "request undeclared token", secrets: []string{"jtok-St7Uv9"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","token":"jtok-St7Uv9"}`)})
	add(leakCase{place: "json", name: "request undeclared private_key", secrets: []string{"jpk-Wx1Yz3"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","private_key":"jpk-Wx1Yz3"}`)})
	add(leakCase{place: "json", name: "request undeclared innocent name", secrets: []string{"jnote-Ab5Cd7"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","note":"jnote-Ab5Cd7"}`)})
	add(leakCase{place: "json", name: "declared customerId not a GUID", secrets: []string{"jcid-Ef9Gh1"}, request: post(elig, `{"customerId":"jcid-Ef9Gh1","productFamily":"Azure"}`)})
	add(leakCase{place: "json", name: "declared productFamily with a bearer token", secrets: []string{"jpf0Ij3Kl5Mn7Op9Qr"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure Bearer jpf0Ij3Kl5Mn7Op9Qr"}`)})
	add(leakCase{place: "json", name: "duplicate declared key", secrets: []string{"jdup-St1Uv3"}, request: post(elig, `{"customerId":"`+customerID+`","customerId":"jdup-St1Uv3","productFamily":"Azure"}`)})
	add(leakCase{place: "json", name: "undeclared number", secrets: []string{"98765432101"}, request: post(create, createBody),
		handler: reply(400, `{"code":900118,"description":"Invalid Customer Id","pin":98765432101}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "response undeclared accessToken", secrets: []string{"jat-Wx5Yz7"}, request: post(elig, createBody),
		handler: reply(200, `{"customerId":"`+customerID+`","isEligible":true,"accessToken":"jat-Wx5Yz7"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "response declared reason with client_secret=", secrets: []string{"jrs-Ab9Cd1"}, request: post(elig, createBody),
		handler: reply(200, `{"customerId":"`+customerID+`","isEligible":false,"reason":"bad client_secret=jrs-Ab9Cd1"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "response declared status with a JWE", secrets: []string{plantedJWE("status")}, request: post(upgradePath, createBody),
		handler: reply(200, `{"id":"`+upgradeID+`","status":"`+plantedJWE("status")+`"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "response declared name with an Entra secret and a dot", secrets: []string{plantedEntra("name")}, request: post(upgradePath, createBody),
		handler: reply(200, `{"id":"`+upgradeID+`","status":"Failed","lineItems":[{"sourceProduct":{"name":"`+plantedEntra("name")+`."}}]}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "response declared error description with a JWT", secrets: []string{plantedJWT("desc")}, request: post(create, createBody),
		handler: reply(401, `{"code":800001,"description":"token `+plantedJWT("desc")+` rejected","source":"PartnerFD"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json", name: "key that is a token", secrets: []string{"ghp_36C7e42F292c6912E7710c838347Ae178B4c"}, request: post(elig, createBody),
		handler: reply(200, `{"customerId":"`+customerID+`","isEligible":true,"ghp_36C7e42F292c6912E7710c838347Ae178B4c":1}`, "Content-Type", "application/json")})

	// Nested JSON.
	add(leakCase{place: "json nested", name: "undeclared object in array", secrets: []string{"jn-Ef3Gh5"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","extra":{"deep":[{"x":"jn-Ef3Gh5"}]}}`)})
	add(leakCase{place: "json nested", name: "free-form error data", secrets: []string{"jdata-Ij7Kl9"}, request: post(create, createBody),
		handler: reply(400, `{"code":900118,"description":"Invalid","data":[{"value":"jdata-Ij7Kl9"},"jdata-Ij7Kl9"]}`, "Content-Type", "application/json")})
	add(leakCase{place: "json nested", name: "declared errorDetails message with token=", secrets: []string{"jed-Mn1Op3"}, request: post(upgradePath, createBody),
		handler: reply(200, `{"id":"`+upgradeID+`","status":"Failed","errorDetails":{"code":"E1","message":"refused token=jed-Mn1Op3"}}`, "Content-Type", "application/json")})
	add(leakCase{place: "json nested", name: "undeclared property of a declared object", secrets: []string{"jattr-Qr5St7"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","attributes":{"objectType":"x","secretRef":"jattr-Qr5St7"}}`)})

	// Escaped key names.
	add(leakCase{place: "json escaped key", name: `\u0074oken`, secrets: []string{"jesc-Uv9Wx1"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","\u0074oken":"jesc-Uv9Wx1"}`)})
	add(leakCase{place: "json escaped key", name: "escaped declared name", secrets: []string{"jescd-Yz3Ab5"}, request: post(elig, `{"\u0063ustomerId":"jescd-Yz3Ab5","productFamily":"Azure"}`)})
	add(leakCase{place: "json escaped key", name: "escaped value", secrets: []string{"jescv-Cd7Ef9"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"Azure","refresh_token":"\u006aescv-Cd7Ef9"}`)})

	// JSON inside a JSON string.
	add(leakCase{place: "json in string", name: "declared description holding JSON", secrets: []string{"jis-Gh1Ij3"}, request: post(create, createBody),
		handler: reply(400, `{"code":900118,"description":"{\"access_token\":\"jis-Gh1Ij3\"}"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json in string", name: "declared reason with JSON and an escaped key", secrets: []string{"jisk-Kl5Mn7"}, request: post(elig, createBody),
		handler: reply(200, `{"isEligible":false,"reason":"upstream said {\"\\u0074oken\":\"jisk-Kl5Mn7\"}"}`, "Content-Type", "application/json")})
	add(leakCase{place: "json in string", name: "declared productFamily holding JSON", secrets: []string{"jisp-Op9Qr1"}, request: post(elig, `{"customerId":"`+customerID+`","productFamily":"{\"password\":\"jisp-Op9Qr1\"}"}`)})

	// Bodies that are not JSON: masked whole.
	form := func(name, body string, secret ...string) {
		add(leakCase{place: "form", name: name, secrets: secret, request: postWith(elig, body, header("Content-Type", "application/x-www-form-urlencoded"))})
	}
	form("code and code_verifier", "grant_type=authorization_code&code=fcode-St3Uv5&code_verifier=fcv-Wx7Yz9", "fcode-St3Uv5", "fcv-Wx7Yz9")
	form("token", "token=ftok-Ab1Cd3", "ftok-Ab1Cd3")
	form("private_key", "private_key=fpk-Ef5Gh7", "fpk-Ef5Gh7")
	form("percent-encoded name", "client%5Fsecret=fpct-Ij9Kl1", "fpct-Ij9Kl1")
	add(leakCase{place: "form", name: "form response", secrets: []string{"fresp-Mn3Op5"}, request: post(elig, createBody),
		handler: reply(200, "access_token=fresp-Mn3Op5&token_type=bearer", "Content-Type", "application/x-www-form-urlencoded")})
	add(leakCase{place: "xml", name: "request", secrets: []string{"xtok-Qr7St9"}, request: postWith(elig, "<req><token>xtok-Qr7St9</token></req>", header("Content-Type", "application/xml"))})
	add(leakCase{place: "xml", name: "response", secrets: []string{"xsec-Uv1Wx3"}, request: post(elig, createBody),
		handler: reply(200, `<?xml version="1.0"?><r><secret a="xsec-Uv1Wx3"/></r>`, "Content-Type", "application/xml")})
	add(leakCase{place: "yaml", name: "request", secrets: []string{"ytok-Yz5Ab7"}, request: postWith(elig, "token: ytok-Yz5Ab7\n", header("Content-Type", "application/yaml"))})
	add(leakCase{place: "yaml", name: "response", secrets: []string{"ysec-Cd9Ef1"}, request: post(elig, createBody),
		handler: reply(200, "customerId: "+customerID+"\nclient_secret: ysec-Cd9Ef1\n", "Content-Type", "application/yaml")})

	// Compressed bodies: decoded, then masked.
	add(leakCase{place: "gzip", name: "request body", secrets: []string{"gz-Gh3Ij5"}, request: postWith(elig, compress("gzip", `{"customerId":"`+customerID+`","productFamily":"Azure","access_token":"gz-Gh3Ij5"}`), header("Content-Encoding", "gzip"))})
	add(leakCase{place: "gzip", name: "response undeclared", secrets: []string{"gzr-Kl7Mn9"}, request: post(elig, createBody),
		handler: replyEncoded("gzip", `{"customerId":"`+customerID+`","isEligible":true,"access_token":"gzr-Kl7Mn9"}`)})
	add(leakCase{place: "gzip", name: "response declared with a JWT", secrets: []string{plantedJWT("gz")}, request: post(elig, createBody),
		handler: replyEncoded("gzip", `{"isEligible":false,"reason":"`+plantedJWT("gz")+`"}`)})
	add(leakCase{place: "gzip", name: "gzip twice", secrets: []string{"gz2-Op1Qr3"}, request: post(elig, createBody),
		handler: replyEncoded("gzip, gzip", `{"isEligible":true,"token":"gz2-Op1Qr3"}`)})
	add(leakCase{place: "gzip", name: "corrupt gzip", secrets: []string{"gzc-St5Uv7"}, notRecorded: true, request: post(elig, createBody),
		handler: reply(200, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"+`{"token":"gzc-St5Uv7"}`, "Content-Type", "application/json", "Content-Encoding", "gzip")})
	add(leakCase{place: "gzip", name: "zip bomb over the limit", secrets: []string{"gzb-Wx9Yz1"}, notRecorded: true, opts: []Option{WithMaxBody(64 << 10)}, request: post(elig, createBody),
		handler: replyEncoded("gzip", `{"token":"gzb-Wx9Yz1","pad":"`+strings.Repeat("A", 8<<20)+`"}`)})
	add(leakCase{place: "deflate", name: "response zlib", secrets: []string{"df-Ab3Cd5"}, request: post(elig, createBody),
		handler: replyEncoded("deflate", `{"isEligible":true,"refresh_token":"df-Ab3Cd5"}`)})
	add(leakCase{place: "deflate", name: "response raw deflate", secrets: []string{"dfr-Ef7Gh9"}, request: post(elig, createBody),
		handler: reply(200, compress("raw-deflate", `{"isEligible":true,"secret":"dfr-Ef7Gh9"}`), "Content-Type", "application/json", "Content-Encoding", "deflate")})
	add(leakCase{place: "deflate", name: "request zlib", secrets: []string{"dfq-Ij1Kl3"}, request: postWith(elig, compress("deflate", `{"customerId":"dfq-Ij1Kl3","productFamily":"Azure"}`), header("Content-Encoding", "deflate"))})
	add(leakCase{place: "deflate", name: "br is not decoded, not recorded", secrets: []string{"br-Mn5Op7"}, notRecorded: true, request: post(elig, createBody),
		handler: reply(200, `{"token":"br-Mn5Op7"}`, "Content-Type", "application/json", "Content-Encoding", "br")})

	// Err(): the URL in messages is the recorded one; quoted URLs are scrubbed.
	add(leakCase{place: "err", name: "request body too large, secret in the query", secrets: []string{"eq-Qr9St1"}, notRecorded: true, opts: []Option{WithMaxBody(8)},
		request: post(elig+"?code=eq-Qr9St1", createBody)})
	add(leakCase{place: "err", name: "GetBody error quoting the URL", secrets: []string{"eg-Uv3Wx5"}, notRecorded: true, request: func(t *testing.T, base string) *http.Request {
		req := apiRequest(t, http.MethodPost, base, elig+"?sig=eg-Uv3Wx5", createBody)
		u := req.URL.String()
		req.GetBody = func() (io.ReadCloser, error) { return nil, fmt.Errorf("cannot rewind body of %s", u) }
		return req
	}})
	add(leakCase{place: "err", name: "response read error quoting the query", secrets: []string{"er-Yz7Ab9"}, notRecorded: true, request: post(elig+"?token=er-Yz7Ab9", createBody),
		wrap: func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(req *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(req)
				if err == nil {
					_ = resp.Body.Close() // replaced by a body that fails
					resp.Body = io.NopCloser(errReader{fmt.Errorf("read %s: connection reset (token=er-Yz7Ab9)", req.URL.RawQuery)})
				}
				return resp, err
			})
		}})
	add(leakCase{place: "err", name: "undecodable body, secret in the path", secrets: []string{"ep-Cd1Ef3"}, notRecorded: true, request: post("/v1/productupgrades/ep-Cd1Ef3/status", createBody),
		handler: reply(200, "x", "Content-Encoding", "br")})
	add(leakCase{place: "err", name: "unknown coding named by a secret", secrets: []string{"ce-Gh5Ij7"}, notRecorded: true, request: post(elig, createBody),
		handler: reply(200, "x", "Content-Encoding", "ce-Gh5Ij7")})
	add(leakCase{place: "err", name: "percent-encoded query name in an error", secrets: []string{"epn-Kl9Mn1"}, notRecorded: true, opts: []Option{WithMaxBody(8)},
		request: post(elig+"?client%5Fsecret=epn-Kl9Mn1", createBody)})

	// Traffic the spec does not route: method and path shape only.
	get := func(path string) func(*testing.T, string) *http.Request {
		return func(t *testing.T, base string) *http.Request { return apiRequest(t, http.MethodGet, base, path, "") }
	}
	add(leakCase{place: "unrouted", name: "oauth callback query", secrets: []string{"ucode-Op3Qr5"}, request: get("/oauth/callback?code=ucode-Op3Qr5")})
	add(leakCase{place: "unrouted", name: "token request body", secrets: []string{"usec-St7Uv9"}, request: func(t *testing.T, base string) *http.Request {
		req := apiRequest(t, http.MethodPost, base, "/oauth2/v2.0/token", "grant_type=client_credentials&client_secret=usec-St7Uv9")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}})
	add(leakCase{place: "unrouted", name: "token response body", secrets: []string{plantedJWT("unrouted")}, request: get("/oauth2/token"),
		handler: reply(200, `{"access_token":"`+plantedJWT("unrouted")+`"}`, "Content-Type", "application/json")})
	add(leakCase{place: "unrouted", name: "path segment", secrets: []string{"useg-Wx1Yz3"}, request: get("/tenants/useg-Wx1Yz3/users")})
	add(leakCase{place: "unrouted", name: "response header", secrets: []string{"uloc-Ab5Cd7"}, request: get("/x"),
		handler: reply(302, "", "Location", "https://login.example/cb?code=uloc-Ab5Cd7")})
	add(leakCase{place: "unrouted", name: "request header allow-listed", secrets: []string{"uua-Ef9Gh1"}, request: func(t *testing.T, base string) *http.Request {
		return with(apiRequest(t, http.MethodGet, base, "/x", ""), header("User-Agent", "uua-Ef9Gh1"))
	}})
	add(leakCase{place: "unrouted", name: "host", secrets: []string{"uhost-ij3kl5"}, request: func(t *testing.T, base string) *http.Request {
		return with(apiRequest(t, http.MethodGet, base, "/x", ""), func(r *http.Request) { r.Host = "uhost-ij3kl5.localhost" })
	}})
	add(leakCase{place: "unrouted", name: "method", secrets: []string{"UMETHODMN7OP9"}, request: func(t *testing.T, base string) *http.Request {
		return apiRequest(t, "UMETHODMN7OP9", base, "/x", "")
	}})
	add(leakCase{place: "unrouted", name: "spec path with a method it does not declare", secrets: []string{"umeth-Qr1St3"}, request: get("/v1/productupgrades?token=umeth-Qr1St3")})

	// The status line: the server's reason phrase is not kept.
	add(leakCase{place: "status line", name: "reason phrase", secrets: []string{"rp-Uv5Wx7"}, request: post(elig, createBody),
		handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }()
			_, _ = fmt.Fprintf(bw, "HTTP/1.1 200 access_token=rp-Uv5Wx7\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(eligibleBody), eligibleBody)
			_ = bw.Flush()
		}})
	return cs
}

// TestPlantedSecretsNeverReachDiskOrErr plants secrets in every place of an exchange the
// recorder writes, records each exchange through a loopback server, then reads every file
// in the folder (bodies decompressed where they are compressed) and Err, and requires that
// no secret appears in any of them: as planted, percent-encoded, base64-encoded or
// JSON-escaped.
func TestPlantedSecretsNeverReachDiskOrErr(t *testing.T) {
	t.Parallel()
	// The cases run in parallel: the counts are kept under countsMu and reported once all ended.
	var countsMu sync.Mutex
	planted, caught := map[string]int{}, map[string]int{}
	t.Cleanup(func() {
		countsMu.Lock()
		defer countsMu.Unlock()
		places := make([]string, 0, len(planted))
		total, totalCaught := 0, 0
		for p, n := range planted {
			places = append(places, p)
			total += n
			totalCaught += caught[p]
		}
		sort.Strings(places)
		var b strings.Builder
		fmt.Fprintf(&b, "planted secrets by place (planted / kept off disk and out of Err):\n")
		for _, p := range places {
			fmt.Fprintf(&b, "  %-20s %3d / %3d\n", p, planted[p], caught[p])
		}
		fmt.Fprintf(&b, "  %-20s %3d / %3d", "total", total, totalCaught)
		t.Log(b.String())
		assert.GreaterOrEqual(t, total, 50, "at least 50 planted secrets")
	})
	for _, tc := range leakCases() {
		t.Run(tc.place+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.handler
			if h == nil {
				h = answer
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			dir := t.TempDir()
			var mu sync.Mutex
			var reported []string
			next := srv.Client().Transport
			if tc.wrap != nil {
				next = tc.wrap(next)
			}
			opts := append([]Option{WithErrorHandler(func(err error) {
				mu.Lock()
				reported = append(reported, err.Error())
				mu.Unlock()
			})}, tc.opts...)
			rec := New(dir, next, opts...)
			resp, err := (&http.Client{Transport: rec}).Do(tc.request(t, srv.URL))
			if err == nil {
				// Some cases' bodies fail to read on purpose: what counts is on disk and in Err.
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}

			texts := testkit.TreeTexts(t, dir)
			fixtures := 0
			for name := range texts {
				if strings.HasSuffix(name, ".http") {
					fixtures++
				}
			}
			if tc.notRecorded {
				assert.Zero(t, fixtures, "not recorded")
				assert.Error(t, rec.Err(), "Err says why")
			} else {
				assert.Equal(t, 1, fixtures, "recorded: %v (Err: %v)", texts, rec.Err())
			}
			if e := rec.Err(); e != nil {
				texts["Err()"] = e.Error()
			}
			mu.Lock()
			texts["WithErrorHandler"] = strings.Join(reported, "\n")
			mu.Unlock()
			for name, text := range texts {
				assert.Empty(t, testkit.FindSecrets(name, text), "%s holds something secret-shaped:\n%s", name, text)
			}
			for _, s := range tc.secrets {
				where := testkit.Leaks(texts, s)
				countsMu.Lock()
				planted[tc.place]++
				if len(where) == 0 {
					caught[tc.place]++
				}
				countsMu.Unlock()
				if len(where) > 0 {
					t.Errorf("planted secret %q reached %s", s, strings.Join(where, ", "))
				}
			}
		})
	}
}

// TestLeakScanCanFail shows the scan the planted-secrets test relies on finds a secret in
// each form it claims to: planted in files as is, percent-encoded, base64-encoded inside a
// longer string, JSON-escaped, gzip- and deflate-compressed, and in an error message.
func TestLeakScanCanFail(t *testing.T) {
	t.Parallel()
	const secret = "planted-Zq9&Xw7"
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("plain.http", "GET /?x="+secret+" HTTP/1.1\n\n")
	write("escaped.http", "GET /?x="+url.QueryEscape(secret)+" HTTP/1.1\n\n")
	write("base64.json", `{"v":"`+base64.StdEncoding.EncodeToString([]byte("prefix:"+secret+":suffix"))+`"}`)
	write("json.json", `{"v":"`+strings.ReplaceAll(secret, "&", `\u0026`)+`"}`)
	write("gzip.http", "HTTP/1.1 200 OK\nContent-Encoding: gzip\n\n"+compress("gzip", `{"token":"`+secret+`"}`))
	write("deflate.http", "HTTP/1.1 200 OK\nContent-Encoding: deflate\n\n"+compress("raw-deflate", `{"token":"`+secret+`"}`))
	write(".hidden.tmp", secret)
	write("clean.http", "GET / HTTP/1.1\n\n")

	texts := testkit.TreeTexts(t, dir)
	texts["Err()"] = "record: POST /x?sig=" + url.PathEscape(secret)
	where := testkit.Leaks(texts, secret)
	for _, want := range []string{
		"plain.http (plain)", "escaped.http (query-escaped)", "base64.json (base64@1)", "json.json (json-escaped)",
		"gzip.http (decompressed) (plain)", "deflate.http (decompressed) (plain)", ".hidden.tmp (plain)", "Err() (path-escaped)",
	} {
		assert.Contains(t, where, want)
	}
	for _, w := range where {
		assert.False(t, strings.HasPrefix(w, "clean.http"), "no false alarm: %s", w)
	}

	// The same for a recorder with one masking rule broken: a declared value that does not
	// match its schema is kept, and the planted-secrets check reports it.
	srv := httptest.NewServer(http.HandlerFunc(answer))
	defer srv.Close()
	rdir := t.TempDir()
	rec := New(rdir, srv.Client().Transport)
	do(t, &http.Client{Transport: rec}, apiRequest(t, http.MethodPost, srv.URL, "/v1/productupgrades/eligibility", `{"customerId":"`+customerID+`","productFamily":"Azure","note":"kept-Ab1Cd2"}`))
	require.NoError(t, rec.Err())
	files := testkit.TreeTexts(t, rdir)
	assert.Empty(t, testkit.Leaks(files, "kept-Ab1Cd2"), "masked as it should be")
	for name, text := range files {
		files[name] = strings.Replace(text, `"note":"<redacted>"`, `"note":"kept-Ab1Cd2"`, 1) // what a broken rule would write
	}
	assert.NotEmpty(t, testkit.Leaks(files, "kept-Ab1Cd2"), "the scan sees the secret once a rule lets it through")
}
