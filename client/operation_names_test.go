package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/spec"
)

// operationOf is the API operation each client method of operations calls (the value of
// APIError.Operation for its errors).
var operationOf = map[string]string{
	"CreateUpgrade":    client.OpCreateProductUpgrade,
	"CheckEligibility": client.OpCheckProductUpgradeEligibility,
	"CheckStatus":      client.OpCheckProductUpgradeStatus,
	"WaitForUpgrade":   client.OpCheckProductUpgradeStatus,
	"Reconcile":        client.OpCheckProductUpgradeEligibility,
}

// TestOperationNamesAreTheSpecs: the client names operations as spec (and fake) do; spec's
// own test binds its constants to the operationIds of the embedded spec.
func TestOperationNamesAreTheSpecs(t *testing.T) {
	t.Parallel()
	assert.Equal(t, spec.OpCreateProductUpgrade, client.OpCreateProductUpgrade)
	assert.Equal(t, spec.OpCheckProductUpgradeEligibility, client.OpCheckProductUpgradeEligibility)
	assert.Equal(t, spec.OpCheckProductUpgradeStatus, client.OpCheckProductUpgradeStatus)
	for name := range operations {
		assert.Contains(t, operationOf, name, "operationOf names the operation of every method in operations")
	}
}
