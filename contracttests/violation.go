package contracttests

import "github.com/partnercenter-go/productupgrades/spec"

// Checks that produce violations.
const (
	// CheckSpecRequest validates the recorded request against the spec (spec.CheckRequest).
	CheckSpecRequest = spec.CheckRequest
	// CheckSpecResponse validates the recorded response against the spec (spec.CheckResponse).
	CheckSpecResponse = spec.CheckResponse
	// CheckGenClient replays the exchange through the generated client (package gen).
	CheckGenClient = "gen-client"
	// CheckClient replays the exchange through the hand-written client (package client).
	CheckClient = "client"
)

// Violation is one way in which an exchange disagrees with the spec or with a client: a
// spec.Violation, whose Exchange field is the fixture's name.
type Violation = spec.Violation

// Violations is the list of violations found in one or more exchanges.
type Violations = spec.Violations
