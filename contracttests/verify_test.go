package contracttests

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyFixture copies testdata fixture name (.http and, when there is one, .json) into dir,
// applying edit to the .http text.
func copyFixture(t *testing.T, dir, name, newName string, edit func(string) string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(exchangesDir, name+".http"))
	require.NoError(t, err)
	text := string(raw)
	if edit != nil {
		text = edit(text)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, newName+".http"), []byte(text), 0o644))
	meta, err := os.ReadFile(filepath.Join(exchangesDir, name+".json"))
	if err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, newName+".json"), meta, 0o644))
	}
}

// dropLine removes the one line of text that starts with prefix.
func dropLine(t *testing.T, prefix string) func(string) string {
	return func(s string) string {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(prefix) + `.*\r?\n`)
		require.Len(t, re.FindAllString(s, -1), 1, "exactly one line starts with %q", prefix)
		return re.ReplaceAllString(s, "")
	}
}

func TestVerifyTestdataPasses(t *testing.T) {
	t.Parallel()
	rep, err := Verify(context.Background(), exchangesDir)
	require.NoError(t, err)
	require.Len(t, rep.Results, len(loadExchanges(t)), "one result per fixture")
	for _, res := range rep.Results {
		assert.True(t, res.Passed(), "%s: %v %s", res.Name, res.Err, res.Violations)
		assert.NotEmpty(t, res.Operation, res.Name)
	}
	assert.True(t, rep.Passed())
}

func TestVerifyReportsEachViolationWithItsPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "create-202", "good", nil)
	copyFixture(t, dir, "create-202", "no-location", dropLine(t, "Location:"))

	rep, err := Verify(context.Background(), dir)
	require.NoError(t, err)
	require.Len(t, rep.Results, 2)
	assert.False(t, rep.Passed())

	byName := map[string]Result{}
	for _, r := range rep.Results {
		byName[r.Name] = r
	}
	assert.True(t, byName["good"].Passed(), "%s", byName["good"].Violations)
	bad := byName["no-location"]
	require.NoError(t, bad.Err)
	require.Len(t, bad.Violations, 1, "%s", bad.Violations)
	v := bad.Violations[0]
	assert.Equal(t, "response.header.required", v.Rule)
	assert.Equal(t, "header Location", v.Where)
	assert.Equal(t, "present", v.Expected)
	assert.Equal(t, "absent", v.Actual)
	assert.Equal(t, "paths./v1/productupgrades.post.responses.202.headers.Location", v.SpecLocation)

	passed, failed, unreadable, violations := rep.Counts()
	assert.Equal(t, []int{1, 1, 0, 1}, []int{passed, failed, unreadable, violations})

	var out bytes.Buffer
	require.NoError(t, rep.WriteText(&out))
	text := out.String()
	assert.Contains(t, text, "ok    good (")
	assert.Contains(t, text, "FAIL  no-location (")
	assert.Contains(t, text, "no-location: spec-response: response.header.required at header Location: expected present, got absent [spec: paths./v1/productupgrades.post.responses.202.headers.Location]")
	assert.Contains(t, text, "2 exchange(s): 1 passed, 1 failed with 1 violation(s), 0 unreadable")
}

func TestVerifyReportsUnparseableFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "eligibility-200", "good", nil)
	// A request body one byte longer than its Content-Length says.
	copyFixture(t, dir, "create-202", "bad-length", func(s string) string {
		return strings.Replace(s, "Content-Length: 86", "Content-Length: 85", 1)
	})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty.http"), nil, 0o644))

	rep, err := Verify(context.Background(), dir)
	require.NoError(t, err)
	require.Len(t, rep.Results, 3, "an unparseable file is a result, never skipped")
	_, _, unreadable, _ := rep.Counts()
	assert.Equal(t, 2, unreadable)
	assert.False(t, rep.Passed())
	for _, r := range rep.Results {
		if r.Name == "good" {
			assert.True(t, r.Passed())
			continue
		}
		var pe *ParseError
		assert.ErrorAs(t, r.Err, &pe, r.Name)
	}
	var out bytes.Buffer
	require.NoError(t, rep.WriteText(&out))
	assert.Contains(t, out.String(), "ERROR bad-length (")
	assert.Contains(t, out.String(), "ERROR empty (")
}

func TestVerifyChecksTheSidecar(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "create-202", "wrong-meta", nil)
	meta := filepath.Join(dir, "wrong-meta.json")
	raw, err := os.ReadFile(meta)
	require.NoError(t, err)
	raw = bytes.Replace(raw, []byte(`"operation": "CreateProductUpgrade"`), []byte(`"operation": "GetProductUpgradeStatus"`), 1)
	raw = bytes.Replace(raw, []byte(`"status": 202`), []byte(`"status": 200`), 1)
	require.NoError(t, os.WriteFile(meta, raw, 0o644))

	rep, err := Verify(context.Background(), dir)
	require.NoError(t, err)
	vs := rep.Results[0].Violations
	assert.True(t, vs.Has("meta.operation", "sidecar operation"), "%s", vs)
	assert.True(t, vs.Has("meta.status", "sidecar expect.status"), "%s", vs)
}

func TestVerifyArgumentErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := Verify(ctx)
	assert.ErrorContains(t, err, "no files or folders")

	_, err = Verify(ctx, filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = Verify(ctx, t.TempDir())
	assert.ErrorContains(t, err, "no fixtures")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	v, err := NewVerifier(ctx)
	require.NoError(t, err)
	_, err = v.Verify(cancelled, exchangesDir)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestVerifyNamesAFileTwiceOnce(t *testing.T) {
	t.Parallel()
	f := filepath.Join(exchangesDir, "create-202.http")
	rep, err := Verify(context.Background(), f, f, exchangesDir)
	require.NoError(t, err)
	assert.Len(t, rep.Results, len(loadExchanges(t)))
}

func TestReportWriteJUnit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFixture(t, dir, "create-202", "good", nil)
	copyFixture(t, dir, "create-202", "no-location", dropLine(t, "Location:"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.http"), []byte("not http\n"), 0o644))
	rep, err := Verify(context.Background(), dir)
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&out))
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc), out.String())
	assert.Equal(t, 3, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	require.Len(t, doc.Suites, 1)
	cases := map[string]junitCase{}
	for _, c := range doc.Suites[0].Cases {
		cases[c.Name] = c
	}
	assert.Empty(t, cases["good"].Failures)
	assert.Nil(t, cases["good"].Error)
	assert.Equal(t, "contract.CreateProductUpgrade", cases["good"].ClassName)
	require.Len(t, cases["no-location"].Failures, 1)
	f := cases["no-location"].Failures[0]
	assert.Equal(t, "response.header.required", f.Type)
	assert.Contains(t, f.Message, "header Location")
	assert.Contains(t, f.Text, "spec: paths./v1/productupgrades.post.responses.202.headers.Location")
	require.NotNil(t, cases["broken"].Error)
	assert.Contains(t, cases["broken"].Error.Message, "cannot parse")
}
