package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/spec"
)

// The differential tests: the Validator with its fast path and without it (kin-openapi
// only, as before the fast path) must give the same violations, to the letter, on every
// message: every fixture, every corrupted copy the contract tests make, the fake's traffic,
// and mutations of all of them. The fast path may only accept, so a difference is a
// fast-path acceptance of a message kin-openapi rejects.

// diffCase is one exchange to validate both ways.
type diffCase struct {
	name        string
	method, url string
	reqHeader   http.Header
	reqBody     []byte
	status      int
	respHeader  http.Header
	respBody    []byte
}

func caseOf(name string, ex *contracttests.Exchange) diffCase {
	return diffCase{
		name: name, method: ex.Request.Method, url: ex.Request.URL.String(),
		reqHeader: ex.Request.Header.Clone(), reqBody: bytes.Clone(ex.RequestBody),
		status: ex.Response.StatusCode, respHeader: ex.Response.Header.Clone(), respBody: bytes.Clone(ex.ResponseBody),
	}
}

func (c diffCase) clone() diffCase {
	c.reqHeader = c.reqHeader.Clone()
	c.respHeader = c.respHeader.Clone()
	c.reqBody = bytes.Clone(c.reqBody)
	c.respBody = bytes.Clone(c.respBody)
	return c
}

func (c diffCase) request(t testing.TB) *http.Request {
	u, err := url.Parse(c.url)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	r := &http.Request{Method: c.method, URL: u, Header: c.reqHeader.Clone(), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		ContentLength: int64(len(c.reqBody)), Body: io.NopCloser(bytes.NewReader(c.reqBody))}
	return r.WithContext(context.Background())
}

// differ validates cases with and without the fast path and counts.
type differ struct {
	fast, slow *spec.Validator
	// counts
	cases, reqFast, respFast, reqClean, respClean int
}

func newDiffer(t testing.TB) *differ {
	t.Helper()
	doc, err := spec.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fast, err := spec.NewValidatorFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := spec.NewValidatorWithoutFastPath(doc)
	if err != nil {
		t.Fatal(err)
	}
	if n, total := fast.FastPathCovers(context.Background()); n != total || n == 0 {
		t.Fatalf("the fast path compiled %d of the spec's %d operations", n, total)
	}
	return &differ{fast: fast, slow: slow}
}

// check validates c both ways, reports any difference, and counts what the fast path took.
func (d *differ) check(t testing.TB, c diffCase) bool {
	t.Helper()
	ctx := context.Background()
	d.cases++
	rf, rs := c.request(t), c.request(t)
	vf := d.fast.ValidateExchange(ctx, c.name, rf, c.status, c.respHeader.Clone(), bytes.Clone(c.respBody))
	vs := d.slow.ValidateExchange(ctx, c.name, rs, c.status, c.respHeader.Clone(), bytes.Clone(c.respBody))
	ok := true
	if !reflect.DeepEqual(vf, vs) {
		t.Errorf("%s: the fast path changes the verdict:\nwith it:    %v\nwithout it: %v\nrequest %s %s %v %q\nresponse %d %v %q",
			c.name, vf, vs, c.method, c.url, c.reqHeader, c.reqBody, c.status, c.respHeader, c.respBody)
		ok = false
	}
	// What kin-openapi leaves on the request is left by the fast path too.
	if rf.ContentLength != rs.ContentLength || (rf.GetBody == nil) != (rs.GetBody == nil) {
		t.Errorf("%s: request left with Content-Length %d, GetBody %v; kin-openapi leaves %d, %v",
			c.name, rf.ContentLength, rf.GetBody != nil, rs.ContentLength, rs.GetBody != nil)
		ok = false
	}
	if rf.Body != nil {
		if b, _ := io.ReadAll(rf.Body); !bytes.Equal(b, c.reqBody) {
			t.Errorf("%s: request body not restored: %q", c.name, b)
			ok = false
		}
	}
	reqOK, respOK := d.fast.FastAccepts(c.request(t), c.status, c.respHeader, c.respBody)
	if reqOK {
		d.reqFast++
	}
	if respOK {
		d.respFast++
	}
	var reqBad, respBad bool
	for _, v := range vs {
		if v.Check == spec.CheckRequest {
			reqBad = true
		} else {
			respBad = true
		}
	}
	if !reqBad {
		d.reqClean++
	}
	if !respBad {
		d.respClean++
	}
	if reqOK && reqBad || respOK && respBad {
		t.Errorf("%s: the fast path accepts what kin-openapi rejects: %v", c.name, vs)
		ok = false
	}
	return ok
}

func (d *differ) report(t testing.TB, what string) {
	t.Logf("%s: %d exchanges; requests: %d clean, %d of them by the fast path; responses: %d clean, %d by the fast path",
		what, d.cases, d.reqClean, d.reqFast, d.respClean, d.respFast)
}

// fixtureCases loads every fixture the contract tests have (those that parse).
func fixtureCases(t testing.TB) []diffCase {
	t.Helper()
	var out []diffCase
	for _, dir := range []string{"exchanges", "flagged", "verifygolden"} {
		paths, err := filepath.Glob(filepath.Join("..", "contracttests", "testdata", dir, "*.http"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, p := range paths {
			ex, err := contracttests.LoadFile(p)
			if err != nil {
				continue // a fixture the verifier reports as unreadable: nothing to validate
			}
			out = append(out, caseOf(dir+"/"+ex.Name, ex))
		}
	}
	return out
}

func TestFastPathFixtures(t *testing.T) {
	d := newDiffer(t)
	cases := fixtureCases(t)
	for _, c := range cases {
		d.check(t, c)
	}
	d.report(t, "fixtures")
	if d.reqFast == 0 || d.respFast == 0 {
		t.Errorf("the fast path took no fixture: it is not exercised")
	}
}

func TestFastPathCorruptions(t *testing.T) {
	d := newDiffer(t)
	for _, dir := range []string{"exchanges", "flagged"} {
		exs, err := contracttests.LoadDir(filepath.Join("..", "contracttests", "testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			for _, c := range contracttests.Corruptions() {
				if !c.Applies(ex) {
					continue
				}
				cp := ex.Clone()
				c.Apply(cp)
				d.check(t, caseOf(ex.Name+" / "+c.Name, cp))
			}
		}
	}
	d.report(t, "corrupted copies")
	if d.cases == 0 {
		t.Fatal("no corrupted copies")
	}
}

// capture records the exchanges a client has with the fake.
type capture struct {
	mu    sync.Mutex
	cases []diffCase
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	c.mu.Lock()
	c.cases = append(c.cases, diffCase{name: fmt.Sprintf("fake %d %s %s", len(c.cases), r.Method, r.URL.Path),
		method: r.Method, url: r.URL.String(), reqHeader: r.Header.Clone(), reqBody: body,
		status: resp.StatusCode, respHeader: resp.Header.Clone(), respBody: rb})
	c.mu.Unlock()
	return resp, nil
}

// fakeCases drives the fake (with failures, ineligible customers and chaos) with requests as
// clients send them, good and bad, and returns the exchanges.
func fakeCases(t testing.TB) []diffCase {
	t.Helper()
	const failing, ineligible = "0f5c3e2a-9b7d-4c1e-8a6f-2d4b8e1c7a90", "7d3b9c2e-1f4a-4e8b-9c6d-5a2e8f1b3c70"
	capt := &capture{}
	hc := &http.Client{Transport: capt}
	for _, opts := range [][]fake.Option{
		{fake.WithFailure(failing, "900108", "no Azure subscriptions"), fake.WithIneligible(ineligible, "not eligible")},
		{fake.WithChaos(7, 0.5)},
	} {
		s := fake.Start(t, opts...)
		rng := rand.New(rand.NewSource(1))
		send := func(path string, h http.Header, body string) (status int, location string) {
			req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = h
			resp, err := hc.Do(req)
			if err != nil {
				return 0, "" // chaos may drop the connection
			}
			_ = resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}
		for i := 0; i < 40; i++ {
			customer := []string{failing, ineligible, guidN(rng), strings.ToUpper(guidN(rng))}[i%4]
			h := http.Header{
				"Authorization":    {"Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln"},
				"Content-Type":     {"application/json"},
				"Ms-Requestid":     {guidN(rng)},
				"Ms-Correlationid": {guidN(rng)},
				"Accept":           {"application/json"},
			}
			if i%3 == 0 {
				h.Set("X-Locale", "en-US")
				h.Set("MS-PartnerCenter-Application", "differential test")
				h.Set("Content-Type", "application/json; charset=utf-8")
			}
			body := fmt.Sprintf(`{"customerId":%q,"productFamily":"Azure"}`, customer)
			send("/v1/productupgrades/eligibility", h, body)
			if status, loc := send("/v1/productUpgrades", h, body); status == http.StatusAccepted {
				id := loc[strings.LastIndexByte(loc, '/')+1:]
				send("/v1/productupgrades/"+id+"/status", h, body)
			}
			// Bad requests too: the fake answers them with its errors.
			bad := h.Clone()
			switch i % 5 {
			case 0:
				bad.Del("Ms-Requestid")
			case 1:
				bad.Set("Authorization", "Bearer ")
			case 2:
				body = `{"customerId":"not-a-guid","productFamily":"Azure"}`
			case 3:
				body = `{"customerId":` + fmt.Sprintf("%q", customer) + `}`
			case 4:
				bad.Set("Content-Type", "text/plain")
			}
			send("/v1/productupgrades/eligibility", bad, body)
		}
		s.Close()
	}
	return capt.cases
}

func guidN(rng *rand.Rand) string {
	const hex = "0123456789abcdef"
	b := []byte("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
	for i := range b {
		if b[i] == 'x' {
			b[i] = hex[rng.Intn(16)]
		}
	}
	return string(b)
}

func TestFastPathFakeTraffic(t *testing.T) {
	d := newDiffer(t)
	cases := fakeCases(t)
	for _, c := range cases {
		d.check(t, c)
	}
	d.report(t, "the fake's traffic")
	if d.reqFast == 0 || d.respFast == 0 {
		t.Errorf("the fast path took none of the fake's traffic")
	}
}

// Values the mutations put in bodies and headers: what the schemas check, and what the fast
// path reads differently from a plain string (escapes, non-ASCII, numbers).
var (
	interestingJSON = []string{
		`null`, `""`, `" "`, `"\t"`, `"x"`, `"Azure"`, `0`, `1`, `-1`, `1.5`, `1.0`, `1e3`, `-0`, `12345678901234567890`,
		`true`, `false`, `[]`, `{}`, `[1,"a",null]`, `{"a":1}`, `[null]`, `[{}]`,
		`"42d075a4-bfe7-43e7-af6d-7c68a57edcb4"`, `"42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4"`, `"42d075a4-bfe7-43e7-af6d-7c68a57edcbg"`,
		`"42d075a4bfe743e7af6d7c68a57edcb4"`, `"{42d075a4-bfe7-43e7-af6d-7c68a57edcb4}"`, `"00000000-0000-0000-0000-000000000000"`,
		`"42d075a4-bfe7-43e7-af6d-7c68a57edcb4\n"`, `"\u0034\u0032d075a4-bfe7-43e7-af6d-7c68a57edcb4"`,
		`"Completed"`, `"\u00e9t\u00e9"`, `"été"`, `"\ud83d\ude00"`, `"\ud83d"`, `"a\"b"`, `"a\\b"`, `"a\/b"`, `"\n"`, `"\f"`,
		`"2019-08-29T23:47:28.8524555Z"`, `"2019-08-29T23:47:28"`, `"0001-01-01T00:00:00"`, `"2019-08-29 23:47:28"`,
		`"` + strings.Repeat("d", 1024) + `"`, `"` + strings.Repeat("d", 1025) + `"`, `"` + strings.Repeat("é", 1024) + `"`,
		`"` + strings.Repeat("é", 1025) + `"`, `"\u000b"`, "\"\u00a0\"", `900118`, `"900118"`, `429`,
	}
	propNames = []string{"customerId", "productFamily", "attributes", "etag", "objectType", "isEligible", "upgradeId", "reason",
		"id", "status", "lineItems", "errorDetails", "sourceProduct", "targetProduct", "upgradedDate", "name", "code",
		"description", "message", "data", "source", "statusCode", "CustomerId", "customerid", "extra"}
	interestingHeaders = []string{"", " ", "x", "v1", "v", "V1", "v1 ", "v12", "en-US", "e", strings.Repeat("l", 35), strings.Repeat("l", 36),
		"42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4", " 42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"42d075a4-bfe7-43e7-af6d-7c68a57edcb4 ", "42d075a4-bfe7-43e7-af6d-7c68a57edcbg", "42d075a4-bfe7-43e7-af6d-7c68a57edcb",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "/v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status",
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4?x=1#f",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4 x", "57", "5 7", "Wed, 21 Oct 2015 07:28:00 GMT", "été", "\xff\xfe",
		"Bearer", "Bearer x", "bearer x", "BEARER x", "Bearer  x", "Bearer x=", "Bearer x==", "Bearer =", "Bearer x=y", "Bearer <x>",
		"Bearer a.b-c_d~e+f/g", "Bearer x ", "Basic dXNlcjpwYXNz", "Bearer\tx", "Bearer é",
		"application/json", "application/json; charset=utf-8", "Application/JSON", "application/json;charset=utf-8",
		"application/json; charset=UTF-8", "text/plain", "application/problem+json", "application/json, text/plain"}
	headerNames = []string{"Authorization", "Content-Type", "Ms-Requestid", "Ms-Correlationid", "X-Locale",
		"Ms-Partnercenter-Application", "Ms-Contract-Version"}
	respHeaderNames = []string{"Location", "Ms-Requestid", "Ms-Correlationid", "Ms-Cv", "Ms-Serverid", "Retry-After",
		"Www-Authenticate", "Content-Type"}
	statuses = []int{200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 405, 408, 409, 418, 429, 500, 501, 502, 503, 504, 599}
)

// mutate changes c in one to three random ways.
func mutate(rng *rand.Rand, c diffCase) diffCase {
	c = c.clone()
	for n := 1 + rng.Intn(3); n > 0; n-- {
		switch rng.Intn(12) {
		case 0, 1:
			c.reqBody = mutateJSON(rng, c.reqBody)
		case 2, 3:
			c.respBody = mutateJSON(rng, c.respBody)
		case 4:
			c.reqBody = mutateBytes(rng, c.reqBody)
		case 5:
			c.respBody = mutateBytes(rng, c.respBody)
		case 6, 7:
			mutateHeader(rng, c.reqHeader, headerNames)
		case 8, 9:
			mutateHeader(rng, c.respHeader, respHeaderNames)
		case 10:
			c.status = statuses[rng.Intn(len(statuses))]
		case 11:
			if u, err := url.Parse(c.url); err == nil {
				paths := []string{"/v1/productupgrades", "/v1/productUpgrades/eligibility",
					"/v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status", "/v1/productupgrades/42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4/status",
					"/v1/productupgrades/not-a-guid/status", "/v1/productupgrades/%34%32d075a4-bfe7-43e7-af6d-7c68a57edcb4/status",
					"/v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb%34/status"}
				u.Path, u.RawPath = "", ""
				if pu, err := url.Parse(paths[rng.Intn(len(paths))]); err == nil {
					u.Path, u.RawPath = pu.Path, pu.RawPath
				}
				c.url = u.String()
			}
		}
	}
	return c
}

func mutateHeader(rng *rand.Rand, h http.Header, names []string) {
	name := names[rng.Intn(len(names))]
	switch rng.Intn(5) {
	case 0:
		h.Del(name)
	case 4:
		h[name] = []string{} // present without a value, as a hand-built http.Header may have it
	case 1:
		h.Add(name, interestingHeaders[rng.Intn(len(interestingHeaders))])
	default:
		h.Set(name, interestingHeaders[rng.Intn(len(interestingHeaders))])
	}
}

// mutateJSON changes a member somewhere in the body (or the body's shape), as text, so that
// duplicate members and escapes survive.
func mutateJSON(rng *rand.Rand, body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return mutateBytes(rng, body)
	}
	switch rng.Intn(9) {
	case 8: // one structural character for another: a mismatched bracket, a lost colon
		structural := []byte(`{}[],:`)
		var at []int
		for i, c := range body {
			if bytes.IndexByte(structural, c) >= 0 {
				at = append(at, i)
			}
		}
		if len(at) > 0 {
			out := bytes.Clone(body)
			out[at[rng.Intn(len(at))]] = structural[rng.Intn(len(structural))]
			return out
		}
	case 0: // a duplicate member
		if i := bytes.IndexByte(body, '{'); i >= 0 {
			name := propNames[rng.Intn(len(propNames))]
			out := append([]byte{}, body[:i+1]...)
			out = append(out, fmt.Sprintf(`%q:%s,`, name, interestingJSON[rng.Intn(len(interestingJSON))])...)
			return append(out, body[i+1:]...)
		}
	case 1: // the whole body
		return []byte(interestingJSON[rng.Intn(len(interestingJSON))])
	case 2: // trailing data or white space
		tails := []string{" ", "\n", "\t\r\n", " x", "{}", "\f", "\v", "\u00a0", "\u0085", ",", "]", "null"}
		return append(bytes.Clone(body), tails[rng.Intn(len(tails))]...)
	}
	v = mutateValue(rng, v, 0)
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// raw is a JSON text that json.Marshal writes as it is (compacted).
type raw string

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func mutateValue(rng *rand.Rand, v any, depth int) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 0 && rng.Intn(3) > 0 && depth < 4 {
			k := keys[rng.Intn(len(keys))]
			if _, nested := x[k].(map[string]any); nested && rng.Intn(2) == 0 {
				x[k] = mutateValue(rng, x[k], depth+1)
				return x
			}
			if _, nested := x[k].([]any); nested && rng.Intn(2) == 0 {
				x[k] = mutateValue(rng, x[k], depth+1)
				return x
			}
			switch rng.Intn(3) {
			case 0:
				delete(x, k)
			default:
				x[k] = raw(interestingJSON[rng.Intn(len(interestingJSON))])
			}
			return x
		}
		x[propNames[rng.Intn(len(propNames))]] = raw(interestingJSON[rng.Intn(len(interestingJSON))])
		return x
	case []any:
		if len(x) > 0 && rng.Intn(2) == 0 {
			i := rng.Intn(len(x))
			x[i] = mutateValue(rng, x[i], depth+1)
			return x
		}
		return append(x, raw(interestingJSON[rng.Intn(len(interestingJSON))]))
	}
	return raw(interestingJSON[rng.Intn(len(interestingJSON))])
}

func mutateBytes(rng *rand.Rand, b []byte) []byte {
	b = bytes.Clone(b)
	special := []byte("\"\\{}[],: 0-.enutfl\x00\x7f\xff\xc3\t\nE+")
	if len(b) == 0 {
		return []byte{special[rng.Intn(len(special))]}
	}
	i := rng.Intn(len(b))
	switch rng.Intn(4) {
	case 0:
		b[i] = special[rng.Intn(len(special))]
	case 1:
		return append(b[:i:i], append([]byte{special[rng.Intn(len(special))]}, b[i:]...)...)
	case 2:
		return append(b[:i:i], b[i+1:]...)
	default:
		return b[:i]
	}
	return b
}

// TestFastPathMutations: mutations of every fixture and of the fake's traffic, seeded, so
// that a failure is reproduced by the same run. -short and -race run fewer (make test runs
// with -race; .ci/run's second, plain go test runs all 60 rounds).
func TestFastPathMutations(t *testing.T) {
	d := newDiffer(t)
	seeds := append(fixtureCases(t), fakeCases(t)...)
	rounds := 60
	if testing.Short() || spec.RaceEnabled {
		rounds = 6
	}
	rng := rand.New(rand.NewSource(20261127))
	failures := 0
	for r := 0; r < rounds; r++ {
		for _, c := range seeds {
			m := mutate(rng, c)
			m.name = fmt.Sprintf("%s (mutation %d)", c.name, r)
			if !d.check(t, m) {
				if failures++; failures > 10 {
					t.Fatal("too many differences")
				}
			}
		}
	}
	d.report(t, "mutations")
	if d.reqFast == 0 || d.respFast == 0 || d.reqClean == d.cases {
		t.Errorf("the mutations do not exercise both verdicts")
	}
}

// FuzzFastPath: the fast path never changes a verdict, for any request body, response body
// and header values. Its seeds run with go test; go test -fuzz FuzzFastPath explores.
func FuzzFastPath(f *testing.F) {
	f.Add([]byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`),
		[]byte(`{"id":"42d075a4-bfe7-43e7-af6d-7c68a57edcb4","status":"Completed","lineItems":[{"upgradedDate":""}]}`),
		"42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "Bearer abc", "v1", "application/json", 200)
	f.Add([]byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":" "}`),
		[]byte(`{"code":900118,"description":"x","data":[],"source":null}`),
		"42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4", "Bearer a=", "v", "application/json; charset=utf-8", 400)
	f.Add([]byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"\u0041"} `),
		[]byte(`{"statusCode":429,"message":"slow down"}`), "", "bearer x", "", "application/json", 429)
	f.Add([]byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure","customerId":"x"}`),
		[]byte(``), "x", "Bearer", "v2", "text/plain", 503)
	d := newDiffer(f)
	f.Fuzz(func(t *testing.T, reqBody, respBody []byte, guidHeader, auth, version, contentType string, status int) {
		if status < 100 || status > 599 {
			return
		}
		h := http.Header{"Authorization": {auth}, "Content-Type": {contentType}, "Ms-Requestid": {guidHeader},
			"Ms-Correlationid": {"e3f26e6a-044f-4371-ad52-0d91ce4200be"}}
		if version != "" {
			h.Set("MS-Contract-Version", version)
		}
		rh := http.Header{"Content-Type": {contentType}, "Ms-Requestid": {guidHeader},
			"Location": {"productUpgrades/" + guidHeader}, "Retry-After": {version}}
		for _, path := range []string{"/v1/productupgrades", "/v1/productupgrades/eligibility", "/v1/productupgrades/" + url.PathEscape(guidHeader) + "/status"} {
			d.check(t, diffCase{name: "fuzz " + path, method: http.MethodPost, url: "https://api.partnercenter.microsoft.com" + path,
				reqHeader: h, reqBody: reqBody, status: status, respHeader: rh, respBody: respBody})
		}
	})
}
