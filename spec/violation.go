package spec

import (
	"fmt"
	"strings"
)

// The checks of a Validator, as written in Violation.Check.
const (
	// CheckRequest validates a request against the spec.
	CheckRequest = "spec-request"
	// CheckResponse validates a response against the spec.
	CheckResponse = "spec-response"
)

// Violation is one way in which a request or a response disagrees with the spec (or, in the
// contract tests, an exchange with a client).
type Violation struct {
	// Exchange names what was validated: a fixture's name, or the name given to
	// ValidateRequest or ValidateResponse.
	Exchange string
	// Check is the check that found it (CheckRequest, CheckResponse, ...).
	Check string
	// Rule names the rule broken, for example "response.header.required" or
	// "request.body.schema". Rules are stable: tests and tools may match on them.
	Rule string
	// Where is the part concerned: "header Location", "path upgradeId", a JSON pointer
	// into a body ("body /customerId"), "status" or "method".
	Where string
	// Expected and Actual say what the rule wants and what the message has.
	Expected, Actual string
	// SpecLocation is where in the spec the rule is written, for example
	// "paths./v1/productupgrades.post.responses.202.headers.Location".
	SpecLocation string
	// Detail is the validator's own message, when it adds something.
	Detail string
}

// String renders the violation on one line: exchange, check, rule, where, expected vs actual,
// spec location.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s", v.Exchange, v.Check, v.Rule)
	if v.Where != "" {
		fmt.Fprintf(&b, " at %s", v.Where)
	}
	if v.Expected != "" || v.Actual != "" {
		fmt.Fprintf(&b, ": expected %s, got %s", v.Expected, v.Actual)
	}
	if v.Detail != "" {
		fmt.Fprintf(&b, " (%s)", v.Detail)
	}
	if v.SpecLocation != "" {
		fmt.Fprintf(&b, " [spec: %s]", v.SpecLocation)
	}
	return b.String()
}

// Violations is the list of violations found in one or more messages.
type Violations []Violation

// Error makes a non-empty list usable as an error: one violation per line.
func (vs Violations) Error() string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns vs as an error, or nil when it is empty.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// Has reports whether vs holds a violation of rule at where ("" matches any place).
func (vs Violations) Has(rule, where string) bool {
	for _, v := range vs {
		if v.Rule == rule && (where == "" || v.Where == where) {
			return true
		}
	}
	return false
}
