package spec_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/spec"
)

// TestOperationConstantsAreTheSpecsOperationIds fails when an operation of the embedded spec
// is renamed, added or removed without its Op constant following.
func TestOperationConstantsAreTheSpecsOperationIds(t *testing.T) {
	want := map[string]string{ // "METHOD path" → constant
		http.MethodPost + " /v1/productupgrades":                    spec.OpCreateProductUpgrade,
		http.MethodPost + " /v1/productupgrades/eligibility":        spec.OpCheckProductUpgradeEligibility,
		http.MethodPost + " /v1/productupgrades/{upgradeId}/status": spec.OpCheckProductUpgradeStatus,
	}
	doc, err := spec.Load(context.Background())
	require.NoError(t, err)

	got := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got[method+" "+path] = op.OperationID
		}
	}
	assert.Equal(t, want, got, "every operation of productupgrades.yaml has an Op constant equal to its operationId")

	seen := map[string]bool{}
	for _, id := range want {
		assert.False(t, seen[id], "operationId %q is used twice", id)
		seen[id] = true
	}
}
