package contracttests

import (
	"bytes"
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/spec"
)

// TestContractSpecIsValid is check 1: the spec loads and validates with kin-openapi, its
// examples validated against their schemas too.
func TestContractSpecIsValid(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load(context.Background())
	require.NoError(t, err)
	for _, path := range []string{"/v1/productupgrades", "/v1/productupgrades/eligibility", "/v1/productupgrades/{upgradeId}/status"} {
		item := doc.Paths.Value(path)
		require.NotNil(t, item, "path %s", path)
		require.NotNil(t, item.Post, "POST %s", path)
		t.Logf("ok: POST %s (%s)", path, item.Post.OperationID)
	}
}

// TestContractSpecCheckRejectsBadExamples shows that check 1 can fail: the same spec with one
// example made invalid does not validate.
func TestContractSpecCheckRejectsBadExamples(t *testing.T) {
	t.Parallel()
	bad := bytes.Replace(spec.YAML, []byte("customerId: c1958bc7-3284-4952-a257-de594ee64743"), []byte("customerId: not-a-guid"), 1)
	require.NotEqual(t, spec.YAML, bad, "the example to corrupt must exist in the spec")
	doc, err := openapi3.NewLoader().LoadFromData(bad)
	require.NoError(t, err)
	err = doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pattern")
}

// TestContract runs the three-way check on every recorded exchange: the recorded request and
// response against the spec (check 2), then the generated client replaying the exchange on
// loopback, and the hand-written client (package client) the same way (check 3).
func TestContract(t *testing.T) {
	t.Parallel()
	sc := specChecker(t)
	ctx := context.Background()
	for _, ex := range append(loadExchanges(t), loadFlagged(t)...) {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			require.NotNil(t, ex.Meta, "every fixture has a sidecar .json")
			route, _, err := sc.FindRoute(ex.Request.Method, ex.Request.URL.Path)
			require.NoError(t, err)
			require.Equal(t, ex.Meta.Operation, route.Operation.OperationID, "the sidecar names the request's operation")
			require.Equal(t, ex.Meta.Expect.Status, ex.Response.StatusCode, "the sidecar names the response's status")

			// The exchanges run in parallel; the four checks of one run in order, one line each.
			t.Run("spec-request", func(t *testing.T) {
				vs := sc.CheckRequest(ctx, ex)
				require.Empty(t, vs, "%s", vs)
				t.Logf("ok: %s %s valid against %s", ex.Request.Method, ex.Request.URL.Path, opLocation(route))
			})
			t.Run("spec-response", func(t *testing.T) {
				vs := sc.CheckResponse(ctx, ex)
				if want := ex.Meta.Expect.Violations; len(want) > 0 {
					requireExactly(t, want, vs)
					t.Logf("flagged as the sidecar says: %s", vs)
					return
				}
				require.Empty(t, vs, "%s", vs)
				t.Logf("ok: %d valid against %s.responses.%s", ex.Response.StatusCode, opLocation(route), responseKey(route, ex.Response.StatusCode))
			})
			t.Run("gen-client", func(t *testing.T) {
				vs := ReplayGenerated(ctx, sc, ex)
				require.Empty(t, vs, "%s", vs)
				t.Logf("ok: generated client sent the recorded request and decoded %s", describeExpect(ex.Meta.Expect))
			})
			t.Run("client", func(t *testing.T) {
				vs := ReplayClient(ctx, sc, ex)
				require.Empty(t, vs, "%s", vs)
				t.Logf("ok: package client sent the recorded request and returned %s", describeExpect(ex.Meta.Expect))
			})
		})
	}
}

// TestContractCoverage makes sure the fixtures cover every operation of the spec and the error
// responses the foundation promises.
func TestContractCoverage(t *testing.T) {
	t.Parallel()
	sc := specChecker(t)
	ops := map[string]bool{}
	statuses := map[int]bool{}
	for _, ex := range loadExchanges(t) {
		ops[ex.Meta.Operation] = true
		statuses[ex.Response.StatusCode] = true
	}
	for _, item := range sc.Doc().Paths.Map() {
		for _, op := range item.Operations() {
			assert.True(t, ops[op.OperationID], "no exchange for operation %s", op.OperationID)
		}
	}
	for _, s := range []int{200, 202, 400, 401, 404, 408, 409, 429, 502, 504} {
		assert.True(t, statuses[s], "no exchange with status %d", s)
	}
}

// requireExactly requires vs to be the violations want lists, no more, no fewer.
func requireExactly(t *testing.T, want []ExpectViolation, vs Violations) {
	t.Helper()
	for _, w := range want {
		require.True(t, vs.Has(w.Rule, w.Where), "the verifier must report %s at %s; it said:\n%s", w.Rule, w.Where, vs)
	}
	for _, v := range vs {
		listed := false
		for _, w := range want {
			listed = listed || (v.Rule == w.Rule && v.Where == w.Where)
		}
		require.True(t, listed, "a violation the sidecar does not list: %s", v)
	}
}

// TestFlaggedExchangesAreFlagged keeps the flagged fixtures honest: each lists at least one
// violation, and the verifier (pcupgrade verify) fails on each.
func TestFlaggedExchangesAreFlagged(t *testing.T) {
	t.Parallel()
	v := NewVerifierFor(specChecker(t))
	for _, ex := range loadFlagged(t) {
		require.NotEmpty(t, ex.Meta.Expect.Violations, "%s: a flagged fixture lists what the verifier must report", ex.Name)
		res := v.VerifyFile(context.Background(), ex.Path)
		require.False(t, res.Passed(), "%s: verify passed a flagged exchange", ex.Name)
		requireExactly(t, ex.Meta.Expect.Violations, res.Violations)
	}
}
