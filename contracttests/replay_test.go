package contracttests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// ReplayToken is the bearer token the replays send: a placeholder, never a real credential.
const ReplayToken = "contract-replay-token"

// replayServer is a loopback server that answers every request with one recorded response
// and keeps what it received.
type replayServer struct {
	*httptest.Server
	mu       sync.Mutex
	received []capturedRequest
}

type capturedRequest struct {
	method, path string
	header       http.Header
	body         []byte
}

// newReplayServer starts a loopback server replaying ex's recorded response.
func newReplayServer(ex *Exchange) *replayServer {
	rs := &replayServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxFixtureSize))
		rs.mu.Lock()
		rs.received = append(rs.received, capturedRequest{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		rs.mu.Unlock()
		for k, vs := range ex.Response.Header {
			if k == "Content-Length" {
				continue // net/http sets it from the body it writes
			}
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(ex.Response.StatusCode)
		_, _ = w.Write(ex.ResponseBody)
	}))
	return rs
}

func (rs *replayServer) requests() []capturedRequest {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]capturedRequest(nil), rs.received...)
}

// failWith returns a constructor of one-violation lists for ex and check.
func failWith(ex *Exchange, check string) func(rule, where, expected, actual, detail string) Violations {
	return func(rule, where, expected, actual, detail string) Violations {
		return Violations{{Exchange: ex.Name, Check: check, Rule: rule, Where: where, Expected: expected, Actual: actual, Detail: detail}}
	}
}

// replayRoute finds the operation of ex's recorded request, or says why there is none.
func replayRoute(sc *SpecChecker, ex *Exchange, fail func(rule, where, expected, actual, detail string) Violations) (*routers.Route, map[string]string, Violations) {
	route, params, err := sc.FindRoute(ex.Request.Method, ex.Request.URL.Path)
	if err != nil {
		return nil, nil, fail("client.input", "request line", "an operation of the spec", excerpt.Quote(ex.Request.URL.Path), err.Error())
	}
	return route, params, nil
}

// requestExpectations says how a client's request is compared with the recorded one.
type requestExpectations struct {
	// sameHeaders must carry the recorded value (the call was given it).
	sameHeaders []string
	// guidHeaders must be present and hold a GUID.
	guidHeaders []string
	// ignoreBodyProps are top-level body properties the client cannot send (compared
	// without regard to case).
	ignoreBodyProps []string
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// compareRequest checks the request a client sent against the recorded one: exactly one
// request, the same method, the same path (case-insensitively), the required headers present
// and well-formed, and a JSON body equal to the recorded one. It also validates the sent
// request against the spec.
func compareRequest(ctx context.Context, sc *SpecChecker, check string, ex *Exchange, got []capturedRequest, want requestExpectations) Violations {
	v := func(rule, where, expected, actual string) Violation {
		return Violation{Exchange: ex.Name, Check: check, Rule: rule, Where: where, Expected: expected, Actual: actual}
	}
	if len(got) != 1 {
		return Violations{v("client.request.count", "requests", "1", fmt.Sprint(len(got)))}
	}
	g, rec := got[0], ex.Request
	var out Violations
	if g.method != rec.Method {
		out = append(out, v("client.request.method", "method", excerpt.Quote(rec.Method), excerpt.Quote(g.method)))
	}
	if !strings.EqualFold(g.path, rec.URL.Path) {
		out = append(out, v("client.request.path", "path", excerpt.Quote(rec.URL.Path)+" (any case)", excerpt.Quote(g.path)))
	}
	auth := g.header.Get("Authorization")
	if auth != "Bearer "+ReplayToken {
		out = append(out, v("client.request.header", "header Authorization", `"Bearer <the token given>"`, redactedAuthorization(g.header)))
	}
	if mt := mediaTypeOf(g.header); mt != "application/json" || g.header.Get("Content-Type") == "" {
		out = append(out, v("client.request.header", "header Content-Type", `"application/json"`, excerpt.Quote(g.header.Get("Content-Type"))))
	}
	for _, h := range want.guidHeaders {
		if val := g.header.Get(h); !guidRE.MatchString(val) {
			out = append(out, v("client.request.header", "header "+h, "a GUID", excerpt.Quote(val)))
		}
	}
	for _, h := range want.sameHeaders {
		if recVal := rec.Header.Get(h); recVal != "" && g.header.Get(h) != recVal {
			out = append(out, v("client.request.header", "header "+h, excerpt.Quote(recVal), excerpt.Quote(g.header.Get(h))))
		}
	}
	var wantBody, gotBody any
	if err := json.Unmarshal(ex.RequestBody, &wantBody); err != nil {
		out = append(out, v("client.request.body", "body", "recorded JSON", "undecodable recorded body"))
	} else if err := json.Unmarshal(g.body, &gotBody); err != nil {
		out = append(out, v("client.request.body", "body", "JSON", excerpt.Quote(excerpt.Cut(string(g.body), 80))))
	} else {
		dropProps(wantBody, want.ignoreBodyProps)
		for _, d := range jsonDiff("", wantBody, gotBody) {
			out = append(out, v("client.request.body", "body "+d.pointer, d.expected, d.actual))
		}
	}
	// The request the client built must itself satisfy the spec.
	req, _ := http.NewRequestWithContext(ctx, g.method, "http://replay"+g.path, bytes.NewReader(g.body))
	req.Header = g.header.Clone()
	for _, sv := range sc.CheckHTTPRequest(ctx, ex.Name, req) {
		sv.Check = check
		sv.Rule = "client." + sv.Rule
		out = append(out, sv)
	}
	return out
}

func dropProps(v any, props []string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k := range m {
		for _, p := range props {
			if strings.EqualFold(k, p) {
				delete(m, k)
			}
		}
	}
}

type jsonDifference struct{ pointer, expected, actual string }

// jsonDiff compares two decoded JSON values. Object keys are matched without regard to case,
// as the service binds them (the .NET SDKs send PascalCase names, the docs camelCase).
func jsonDiff(ptr string, want, got any) []jsonDifference {
	at := ptr
	if at == "" {
		at = "/"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []jsonDifference{{at, "an object", excerpt.JSONType(got)}}
		}
		lower := make(map[string]string, len(g))
		for k := range g {
			lower[strings.ToLower(k)] = k
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []jsonDifference
		seen := map[string]bool{}
		for _, k := range keys {
			gk, ok := lower[strings.ToLower(k)]
			if !ok {
				out = append(out, jsonDifference{ptr + "/" + k, "present", "absent"})
				continue
			}
			seen[gk] = true
			out = append(out, jsonDiff(ptr+"/"+k, w[k], g[gk])...)
		}
		extra := make([]string, 0)
		for k := range g {
			if !seen[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			out = append(out, jsonDifference{ptr + "/" + k, "absent", "present"})
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []jsonDifference{{at, "an array", excerpt.JSONType(got)}}
		}
		if len(g) != len(w) {
			return []jsonDifference{{at, fmt.Sprintf("%d items", len(w)), fmt.Sprintf("%d items", len(g))}}
		}
		var out []jsonDifference
		for i := range w {
			out = append(out, jsonDiff(fmt.Sprintf("%s/%d", ptr, i), w[i], g[i])...)
		}
		return out
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) || excerpt.JSONType(want) != excerpt.JSONType(got) {
			return []jsonDifference{{at, excerpt.Quote(want), excerpt.Quote(got)}}
		}
		return nil
	}
}
