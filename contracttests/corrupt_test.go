package contracttests

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorruptedExchangesAreRejected is the checks' self-test: every corruption of every
// exchange it applies to must be rejected, by the rule it breaks.
func TestCorruptedExchangesAreRejected(t *testing.T) {
	t.Parallel()
	sc := specChecker(t)
	ctx := context.Background()
	used := map[string]int{}
	for _, orig := range loadExchanges(t) {
		for _, c := range Corruptions() {
			if !c.Applies(orig) {
				continue
			}
			used[c.Name]++
			t.Run(orig.Name+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				ex := cloneExchange(t, orig)
				c.Apply(ex)
				vs := sc.Check(ctx, ex)
				require.True(t, vs.Has(c.Rule, c.Where), "corruption %q must be rejected by %s at %s; the checks said:\n%s", c.Name, c.Rule, c.Where, vs)
				t.Logf("rejected: %s", firstOf(vs, c.Rule, c.Where))
				if c.GenRule != "" {
					gv := ReplayGenerated(ctx, sc, ex)
					require.True(t, gv.Has(c.GenRule, c.GenWhere), "the generated-client replay must reject %q by %s at %s; it said:\n%s", c.Name, c.GenRule, c.GenWhere, gv)
				}
				if c.ClientRule != "" {
					cv := ReplayClient(ctx, sc, ex)
					require.True(t, cv.Has(c.ClientRule, c.ClientWhere), "the client replay must reject %q by %s at %s; it said:\n%s", c.Name, c.ClientRule, c.ClientWhere, cv)
				}
			})
		}
	}
	for _, c := range Corruptions() {
		assert.NotZero(t, used[c.Name], "corruption %q applies to no fixture", c.Name)
	}
}

// TestViolationExplainsItself checks the text a failing check prints: exchange, rule, where,
// expected vs actual and the spec location.
func TestViolationExplainsItself(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	return ex.Clone()
}
