package contracttests

import (
	"fmt"
	"strings"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// Fixup is one change made to a documentation page's HTTP text so that it can be parsed as an
// exchange: the text Old, which must occur exactly once, becomes New, for Reason.
type Fixup struct {
	// Field names what is changed: "content-length", "separator" (the blank line between
	// headers and body), "request-line", "body", "header:NAME" and so on.
	Field string `json:"field"`
	// Old is the text as the documentation prints it; New is the text in the fixture.
	Old string `json:"old"`
	New string `json:"new"`
	// Reason says why the change was needed.
	Reason string `json:"reason"`
}

// ApplyFixups applies fixups to doc in order and returns the result. Each fixup's Old text must
// occur exactly once in the text it is applied to, and each must carry a reason, so that the
// list says precisely how a fixture differs from its source.
func ApplyFixups(doc string, fixups []Fixup) (string, error) {
	for i, f := range fixups {
		if strings.TrimSpace(f.Reason) == "" {
			return "", fmt.Errorf("fixup %d (%s) has no reason", i+1, f.Field)
		}
		if f.Old == "" {
			return "", fmt.Errorf("fixup %d (%s): old text is empty", i+1, f.Field)
		}
		switch n := strings.Count(doc, f.Old); n {
		case 1:
			doc = strings.Replace(doc, f.Old, f.New, 1)
		default:
			return "", fmt.Errorf("fixup %d (%s): old text %q occurs %d times, want exactly once", i+1, f.Field, excerpt.Cut(f.Old, 60), n)
		}
	}
	return doc, nil
}
