package contracttests

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corruption is a way to break an exchange, with the rule the checks must name when they
// reject the broken copy.
type corruption struct {
	name    string
	applies func(ex *Exchange) bool
	apply   func(ex *Exchange)
	// rule and where are what the spec checks must report.
	rule, where string
	// genRule, when set, is what the generated-client replay must report too.
	genRule, genWhere string
	// clientRule, when set, is what the hand-written client's replay must report too.
	clientRule, clientWhere string
}

func is202(ex *Exchange) bool       { return ex.Response.StatusCode == http.StatusAccepted }
func always(*Exchange) bool         { return true }
func hasRespBody(ex *Exchange) bool { return len(ex.ResponseBody) > 0 }
func isStatusOp(ex *Exchange) bool  { return ex.Meta.Operation == "CheckProductUpgradeStatus" }
func isErrorWithCode(ex *Exchange) bool {
	return ex.Meta.Expect.Error != nil && ex.Meta.Expect.Error.Code != ""
}

var corruptions = []corruption{
	{name: "drop Location", applies: is202,
		apply: func(ex *Exchange) { ex.Response.Header.Del("Location") },
		rule:  "response.header.required", where: "header Location",
		genRule: "client.decode.location", genWhere: "header Location",
		clientRule: "client.decode.location", clientWhere: "response"},
	{name: "202 turned 200", applies: is202,
		apply: func(ex *Exchange) { ex.Response.StatusCode = http.StatusOK },
		rule:  "response.status.undeclared", where: "status",
		genRule: "client.decode.status", genWhere: "status"},
	{name: "non-GUID upgrade id in Location", applies: is202,
		apply: func(ex *Exchange) { ex.Response.Header.Set("Location", "productUpgrades/42d075a4-not-a-guid") },
		rule:  "response.header.schema", where: "header Location",
		genRule: "client.decode.location", genWhere: "header Location",
		clientRule: "client.decode.location", clientWhere: "response"},
	{name: "Location without an id", applies: is202,
		apply: func(ex *Exchange) { ex.Response.Header.Set("Location", "productUpgrades/") },
		rule:  "response.header.schema", where: "header Location",
		clientRule: "client.decode.location", clientWhere: "response"},
	{name: "non-GUID customerId", applies: always,
		apply: func(ex *Exchange) { setBodyProp(ex, "customerId", "4c721420-72ad-4708-a0a7") },
		rule:  "request.body.schema", where: "body /customerId",
		genRule: "client.input", genWhere: "body",
		clientRule: "client.input", clientWhere: ""},
	{name: "productFamily missing", applies: always,
		apply: func(ex *Exchange) { setBodyProp(ex, "productFamily", nil) },
		rule:  "request.body.schema", where: "body /productFamily"},
	{name: "productFamily empty", applies: always,
		apply: func(ex *Exchange) { setBodyProp(ex, "productFamily", "") },
		rule:  "request.body.schema", where: "body /productFamily",
		clientRule: "client.input", clientWhere: ""},
	{name: "no Authorization", applies: always,
		apply: func(ex *Exchange) { ex.Request.Header.Del("Authorization") },
		rule:  "request.security", where: "header Authorization"},
	{name: "Basic instead of Bearer", applies: always,
		apply: func(ex *Exchange) { ex.Request.Header.Set("Authorization", "Basic dXNlcjpwYXNz") },
		rule:  "request.security", where: "header Authorization"},
	{name: "wrong request Content-Type", applies: always,
		apply: func(ex *Exchange) { ex.Request.Header.Set("Content-Type", "text/plain") },
		rule:  "request.body.content-type", where: "header Content-Type"},
	{name: "broken request JSON", applies: always,
		apply: func(ex *Exchange) { ex.RequestBody = ex.RequestBody[:len(ex.RequestBody)/2] },
		rule:  "request.body.decode", where: "body",
		genRule: "client.input", genWhere: "body"},
	{name: "no MS-RequestId", applies: always,
		apply: func(ex *Exchange) { ex.Request.Header.Del("MS-RequestId") },
		rule:  "request.header.required", where: "header MS-RequestId",
		genRule: "client.input", genWhere: "header MS-RequestId"},
	{name: "non-GUID MS-CorrelationId", applies: always,
		apply: func(ex *Exchange) { ex.Request.Header.Set("MS-CorrelationId", "correlation-1") },
		rule:  "request.header.schema", where: "header MS-CorrelationId"},
	{name: "non-GUID upgrade id in the status path", applies: isStatusOp,
		apply: func(ex *Exchange) {
			ex.Request.URL.Path = "/v1/productupgrades/not-a-guid/status"
		},
		rule: "request.path.schema", where: "path upgradeId",
		genRule: "client.input", genWhere: "path upgradeId",
		clientRule: "client.input", clientWhere: ""},
	{name: "broken response JSON", applies: hasRespBody,
		apply: func(ex *Exchange) { ex.ResponseBody = ex.ResponseBody[:len(ex.ResponseBody)/2] },
		rule:  "response.body.decode", where: "body",
		genRule: "client.response.decode", genWhere: "body"},
	{name: "wrong response Content-Type", applies: hasRespBody,
		apply: func(ex *Exchange) { ex.Response.Header.Set("Content-Type", "text/html") },
		rule:  "response.content-type", where: "header Content-Type"},
	{name: "error code missing", applies: isErrorWithCode,
		apply: func(ex *Exchange) { setRespBodyProp(ex, "code", nil) },
		rule:  "response.body.schema", where: "body /code",
		genRule: "client.decode.error", genWhere: "body /code",
		clientRule: "client.decode.error", clientWhere: "body /code"},
	{name: "error code an object", applies: isErrorWithCode,
		apply: func(ex *Exchange) { setRespBodyProp(ex, "code", map[string]any{"value": 1}) },
		rule:  "response.body.schema", where: "body /code"},
}

// TestCorruptedExchangesAreRejected is the checks' self-test: every corruption of every
// exchange it applies to must be rejected, by the rule it breaks.
func TestCorruptedExchangesAreRejected(t *testing.T) {
	sc := specChecker(t)
	ctx := context.Background()
	used := map[string]int{}
	for _, orig := range loadExchanges(t) {
		for _, c := range corruptions {
			if !c.applies(orig) {
				continue
			}
			used[c.name]++
			t.Run(orig.Name+"/"+c.name, func(t *testing.T) {
				ex := cloneExchange(t, orig)
				c.apply(ex)
				vs := sc.Check(ctx, ex)
				require.True(t, vs.Has(c.rule, c.where), "corruption %q must be rejected by %s at %s; the checks said:\n%s", c.name, c.rule, c.where, vs)
				t.Logf("rejected: %s", firstOf(vs, c.rule, c.where))
				if c.genRule != "" {
					gv := ReplayGenerated(ctx, sc, ex)
					require.True(t, gv.Has(c.genRule, c.genWhere), "the generated-client replay must reject %q by %s at %s; it said:\n%s", c.name, c.genRule, c.genWhere, gv)
				}
				if c.clientRule != "" {
					cv := ReplayClient(ctx, sc, ex)
					require.True(t, cv.Has(c.clientRule, c.clientWhere), "the client replay must reject %q by %s at %s; it said:\n%s", c.name, c.clientRule, c.clientWhere, cv)
				}
			})
		}
	}
	for _, c := range corruptions {
		assert.NotZero(t, used[c.name], "corruption %q applies to no fixture", c.name)
	}
}

// TestViolationExplainsItself checks the text a failing check prints: exchange, rule, where,
// expected vs actual and the spec location.
func TestViolationExplainsItself(t *testing.T) {
	sc := specChecker(t)
	ex := cloneExchange(t, findExchange(t, "create-202"))
	ex.Response.Header.Set("Location", "productUpgrades/oops")
	vs := sc.CheckResponse(context.Background(), ex)
	require.Len(t, vs, 1)
	s := vs[0].String()
	for _, want := range []string{"create-202", "spec-response", "response.header.schema", "header Location",
		`got "productUpgrades/oops"`, "expected a string matching", "[spec: paths./v1/productupgrades.post.responses.202.headers.Location]"} {
		assert.Contains(t, s, want)
	}

	ex = cloneExchange(t, findExchange(t, "create-202"))
	setBodyProp(ex, "customerId", "nope")
	vs = sc.CheckRequest(context.Background(), ex)
	require.Len(t, vs, 1)
	assert.Equal(t, "body /customerId", vs[0].Where)
	assert.Equal(t, `"nope"`, vs[0].Actual)
	assert.Contains(t, vs[0].SpecLocation, "requestBody.content.application/json.schema.properties.customerId.pattern")
}

// TestSecurityViolationHidesToken makes sure a rejected Authorization header is never echoed.
func TestSecurityViolationHidesToken(t *testing.T) {
	sc := specChecker(t)
	ex := cloneExchange(t, findExchange(t, "create-202"))
	ex.Request.Header.Set("Authorization", "Token s3cr3t-value")
	vs := sc.CheckRequest(context.Background(), ex)
	require.True(t, vs.Has("request.security", "header Authorization"), "%s", vs)
	assert.NotContains(t, vs.Error(), "s3cr3t-value")
}

func findExchange(t *testing.T, name string) *Exchange {
	t.Helper()
	for _, ex := range loadExchanges(t) {
		if ex.Name == name {
			return ex
		}
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

func firstOf(vs Violations, rule, where string) string {
	for _, v := range vs {
		if v.Rule == rule && v.Where == where {
			return v.String()
		}
	}
	return ""
}

// cloneExchange copies an exchange deeply enough that a corruption leaves the original alone.
func cloneExchange(t *testing.T, ex *Exchange) *Exchange {
	t.Helper()
	c := *ex
	c.Request = ex.Request.Clone(context.Background())
	u := *ex.Request.URL
	c.Request.URL = &u
	c.RequestBody = bytes.Clone(ex.RequestBody)
	c.resetRequestBody()
	resp := *ex.Response
	resp.Header = ex.Response.Header.Clone()
	c.Response = &resp
	c.ResponseBody = bytes.Clone(ex.ResponseBody)
	return &c
}

// setBodyProp sets (or, with nil, removes) a top-level property of the request body, found
// without regard to case.
func setBodyProp(ex *Exchange, name string, value any) {
	ex.RequestBody = setProp(ex.RequestBody, name, value)
	ex.resetRequestBody()
}

func setRespBodyProp(ex *Exchange, name string, value any) {
	ex.ResponseBody = setProp(ex.ResponseBody, name, value)
}

func setProp(body []byte, name string, value any) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			delete(m, k)
		}
	}
	if value != nil {
		m[name] = value
	}
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}
