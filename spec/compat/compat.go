// Package compat is the spec's breaking-change gate. It compares spec/productupgrades.yaml
// with the committed baseline spec/baseline/productupgrades.yaml using oasdiff as a library,
// and reports every error-level breaking change.
//
// It is a module of its own because oasdiff needs Go 1.26, while the main module keeps the
// lowest Go version its own dependencies allow, so that older services can import it.
// `make test` runs it; `make accept-spec` moves the baseline on purpose.
package compat

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Change is one breaking change found between the baseline and the revision.
type Change struct {
	// ID is oasdiff's rule id, for example "response-header-removed".
	ID string
	// Level is "error" or "warning".
	Level string
	// Operation and Path name the operation concerned ("POST", "/v1/productupgrades").
	Operation, Path string
	// Text says what changed, in oasdiff's words.
	Text string
}

// String renders the change on one line.
func (c Change) String() string {
	return fmt.Sprintf("%s %s %s: %s [%s]", c.Level, c.Operation, c.Path, c.Text, c.ID)
}

// Breaking compares the revision spec with the baseline and returns the changes at level
// minLevel ("error" or "warning") or above, sorted.
func Breaking(baseline, revision []byte, minLevel string) ([]Change, error) {
	level := checker.ERR
	if minLevel == "warning" {
		level = checker.WARN
	}
	loader := openapi3.NewLoader()
	base, err := load.NewSpecInfoFromData(loader, baseline, "baseline")
	if err != nil {
		return nil, fmt.Errorf("load baseline spec: %w", err)
	}
	rev, err := load.NewSpecInfoFromData(openapi3.NewLoader(), revision, "revision")
	if err != nil {
		return nil, fmt.Errorf("load revision spec: %w", err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), base, rev)
	if err != nil {
		return nil, fmt.Errorf("diff specs: %w", err)
	}
	l := checker.NewDefaultLocalizer()
	var out []Change
	for _, c := range checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, level) {
		out = append(out, Change{
			ID:        c.GetId(),
			Level:     strings.ToLower(c.GetLevel().String()),
			Operation: c.GetOperation(),
			Path:      c.GetPath(),
			Text:      c.GetUncolorizedText(l),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}
