package contracttests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenDirs are verified for the reports in testdata/verify-report.golden.*, written by the
// verifier before it streamed and ran in parallel: every report must stay byte for byte
// the same. verifygolden holds broken exchanges and sidecars of every kind the sidecar scan
// hands to ParseMeta (escapes, nulls, case, duplicate keys, data after the object).
var goldenDirs = []string{exchangesDir, flaggedDir, filepath.Join("testdata", "verifygolden")}

func readGolden(t *testing.T, ext string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "verify-report.golden"+ext))
	require.NoError(t, err)
	return string(raw)
}

func TestReportsAreByteIdentical(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rep, err := Verify(ctx, goldenDirs...)
	require.NoError(t, err)
	wantText, wantJUnit := readGolden(t, ".txt"), readGolden(t, ".xml")

	var text, junit bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	require.NoError(t, rep.WriteJUnit(&junit))
	assert.Equal(t, wantText, text.String(), "Report.WriteText")
	assert.Equal(t, wantJUnit, junit.String(), "Report.WriteJUnit")

	v, err := NewVerifier(ctx)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		new  func(*bytes.Buffer) *ReportWriter
		want string
	}{
		{"text", func(b *bytes.Buffer) *ReportWriter { return NewTextReportWriter(b) }, wantText},
		{"junit", func(b *bytes.Buffer) *ReportWriter { return NewJUnitReportWriter(b) }, wantJUnit},
	} {
		var out bytes.Buffer
		rw := tc.new(&out)
		require.NoError(t, v.VerifyTo(ctx, rw.Write, goldenDirs...))
		require.NoError(t, rw.Close())
		assert.Equal(t, tc.want, out.String(), "streamed %s", tc.name)
		assert.False(t, rw.Passed())
		assert.Equal(t, fmt.Sprint(rep.Counts()), fmt.Sprint(rw.Counts()))
	}
}

func TestEmptyReportIsByteIdentical(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	require.NoError(t, (&Report{}).WriteJUnit(&a))
	rw := NewJUnitReportWriter(&b)
	require.NoError(t, rw.Close())
	const want = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<testsuites name="pcupgrade verify" tests="0" failures="0" errors="0">` + "\n" +
		`  <testsuite name="contract" tests="0" failures="0" errors="0"></testsuite>` + "\n</testsuites>\n"
	assert.Equal(t, want, a.String())
	assert.Equal(t, want, b.String())
	assert.False(t, rw.Passed())
}

// The sidecar scan reads what ParseMeta reads, or leaves the sidecar to it.
func TestDecodeVerifyMetaAgreesWithParseMeta(t *testing.T) {
	t.Parallel()
	var sidecars [][]byte
	for _, dir := range goldenDirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*"+SidecarExt))
		require.NoError(t, err)
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			require.NoError(t, err)
			sidecars = append(sidecars, raw)
		}
	}
	scanned := 0
	for _, raw := range sidecars {
		got, err := decodeVerifyMeta(raw)
		meta, want := ParseMeta(raw)
		if want != nil {
			assert.EqualError(t, err, want.Error(), "%s", raw)
			continue
		}
		require.NoError(t, err, "%s", raw)
		assert.Equal(t, metaOf(meta), got, "%s", raw)
		if _, ok := scanVerifyMeta(raw); ok {
			scanned++
		}
	}
	assert.Greater(t, scanned, len(sidecars)/2, "the scan reads the ordinary sidecars itself")
}

// linkTree fills a new folder with n fixtures, named in order, each a copy of a testdata
// exchange (every seventh one with its Content-Length broken, every eleventh with a request
// line no route serves), and returns the folder and the names in order.
func linkTree(t *testing.T, n int) (string, []string) {
	t.Helper()
	exs := loadExchanges(t)
	dir := t.TempDir()
	names := make([]string, n)
	for i := range n {
		ex := exs[i%len(exs)]
		names[i] = fmt.Sprintf("%05d-%s", i, ex.Name)
		fixture, sidecar, err := Format(ex)
		require.NoError(t, err)
		switch {
		case i%7 == 3:
			fixture = []byte(strings.Replace(string(fixture), "Content-Length: ", "Content-Length: 1", 1))
		case i%11 == 5:
			fixture = []byte(strings.Replace(string(fixture), "/v1/", "/v0/", 1))
		}
		f, s := FixturePaths(dir, names[i])
		require.NoError(t, os.WriteFile(f, fixture, 0o644))
		require.NoError(t, os.WriteFile(s, sidecar, 0o644))
	}
	return dir, names
}

// Results come in input order however the workers finish, and each is the result of its file.
func TestVerifyToKeepsInputOrder(t *testing.T) {
	t.Parallel()
	dir, names := linkTree(t, 300)
	ctx := context.Background()
	v := NewVerifierFor(specChecker(t))
	var got []Result
	require.NoError(t, v.VerifyTo(ctx, func(r Result) error { got = append(got, r); return nil }, dir))
	require.Len(t, got, len(names))
	var l fixtureLoader
	for i, r := range got {
		require.Equal(t, names[i], r.Name, "result %d", i)
		want := v.verifyFixture(ctx, fixture{path: r.Path}, &l)
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(r), r.Name)
		switch {
		case i%7 == 3:
			assert.Error(t, r.Err, r.Name)
		case i%11 == 5:
			assert.True(t, r.Violations.Has("request.route", "request line"), "%s: %s", r.Name, r.Violations)
		default:
			assert.True(t, r.Passed(), "%s: %v %s", r.Name, r.Err, r.Violations)
		}
	}
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("GOMAXPROCS is 1: the sequential path was tested")
	}
}

func TestVerifyToStopsOnSinkErrorAndCancel(t *testing.T) {
	t.Parallel()
	dir, _ := linkTree(t, 100)
	v := NewVerifierFor(specChecker(t))
	errStop := errors.New("stop")
	n := 0
	err := v.VerifyTo(context.Background(), func(Result) error {
		if n++; n == 5 {
			return errStop
		}
		return nil
	}, dir)
	require.ErrorIs(t, err, errStop)
	assert.Equal(t, 5, n, "no result after the sink's error")

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = v.VerifyTo(ctx, func(Result) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	}, dir)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 3, n, "no result after the cancel")
}
