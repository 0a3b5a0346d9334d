package contracttests

import (
	"fmt"
	"strings"
)

// describeExpect renders an Expect for a log line.
func describeExpect(e Expect) string {
	var parts []string
	if e.UpgradeID != "" {
		parts = append(parts, "upgrade id "+e.UpgradeID)
	}
	if e.Eligibility != nil {
		parts = append(parts, fmt.Sprintf("eligibility isEligible=%v", e.Eligibility.IsEligible))
	}
	if e.UpgradeStatus != nil {
		parts = append(parts, fmt.Sprintf("status %s with %d line items", e.UpgradeStatus.Status, len(e.UpgradeStatus.LineItems)))
	}
	if e.Error != nil {
		s := fmt.Sprintf("error %d", e.Status)
		if e.Error.Code != "" {
			s += " code " + e.Error.Code
		}
		if e.Error.RetryAfterSeconds != 0 {
			s += fmt.Sprintf(" Retry-After %ds", e.Error.RetryAfterSeconds)
		}
		parts = append(parts, s)
	}
	if e.MissingField != "" {
		parts = append(parts, "an error naming the missing "+e.MissingField)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("status %d", e.Status)
	}
	return strings.Join(parts, ", ")
}
