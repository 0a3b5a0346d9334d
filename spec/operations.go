package spec

// The operations of the API, named by their operationId in productupgrades.yaml. They are the
// one vocabulary of this module for operation names: client.APIError.Operation, the client's
// error messages and logs, fake.Fault.Operation and fake.Request.Operation all hold one of
// these values.
const (
	// OpCreateProductUpgrade is POST /v1/productupgrades (client.CreateUpgrade).
	OpCreateProductUpgrade = "CreateProductUpgrade"
	// OpCheckProductUpgradeEligibility is POST /v1/productupgrades/eligibility
	// (client.CheckEligibility).
	OpCheckProductUpgradeEligibility = "CheckProductUpgradeEligibility"
	// OpCheckProductUpgradeStatus is POST /v1/productupgrades/{upgradeId}/status
	// (client.CheckStatus).
	OpCheckProductUpgradeStatus = "CheckProductUpgradeStatus"
)
