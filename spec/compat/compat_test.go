package compat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	specPath     = filepath.Join("..", "productupgrades.yaml")
	baselinePath = filepath.Join("..", "baseline", "productupgrades.yaml")
)

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSpecHasNoBreakingChanges is the gate: the spec may not break what the baseline
// promised. When a change is meant, run `make accept-spec` and commit the new baseline.
func TestSpecHasNoBreakingChanges(t *testing.T) {
	changes, err := Breaking(read(t, baselinePath), read(t, specPath), "error")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Errorf("breaking change against spec/baseline/productupgrades.yaml: %s", c)
	}
	if len(changes) > 0 {
		t.Log("if this change is intended, run `make accept-spec` and commit spec/baseline/productupgrades.yaml")
	}
}

// TestGateRejectsBreakingChanges shows the gate can fail: each edit below breaks clients and
// must be reported, by the rule that names it.
func TestGateRejectsBreakingChanges(t *testing.T) {
	spec := read(t, specPath)
	for _, tc := range []struct {
		name, old, new, wantID string
	}{
		{
			name:   "Location header removed from the 202",
			old:    "          headers:\n            Location:\n              $ref: \"#/components/headers/Location\"\n",
			new:    "          headers:\n",
			wantID: "required-response-header-removed",
		},
		{
			name:   "a new required request property",
			old:    "      required: [customerId, productFamily]\n",
			new:    "      required: [customerId, productFamily, attributes]\n",
			wantID: "request-property-became-required",
		},
		{
			name:   "status operation removed",
			old:    "  /v1/productupgrades/{upgradeId}/status:\n    post:\n",
			new:    "  /v1/productupgrades/{upgradeId}/status:\n    put:\n",
			wantID: "api-removed-without-deprecation",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Count(spec, []byte(tc.old)) != 1 {
				t.Fatalf("the text to change must occur once in the spec: %q", tc.old)
			}
			changed := bytes.Replace(spec, []byte(tc.old), []byte(tc.new), 1)
			changes, err := Breaking(spec, changed, "error")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range changes {
				ids = append(ids, c.ID)
				if c.ID == tc.wantID {
					t.Logf("rejected: %s", c)
					return
				}
			}
			t.Fatalf("want a %s change, got %s", tc.wantID, strings.Join(ids, ", "))
		})
	}
}

// TestGateAcceptsCompatibleChanges shows the gate is not a plain file comparison: a new
// optional response header and a longer description are not breaking.
func TestGateAcceptsCompatibleChanges(t *testing.T) {
	spec := read(t, specPath)
	changed := bytes.Replace(spec, []byte("      summary: Get the status of a product upgrade\n"),
		[]byte("      summary: Get the status of a product upgrade (unchanged behaviour)\n"), 1)
	if bytes.Equal(spec, changed) {
		t.Fatal("the summary to change is not in the spec")
	}
	changes, err := Breaking(spec, changed, "error")
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Fatalf("a summary change is not breaking, got %v", changes)
	}
}
