package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var exchangesDir = filepath.Join("..", "..", "contracttests", "testdata", "exchanges")

// fixtures makes a folder with a good copy of create-202 and a copy without its Location
// header (the response has no body, so its Content-Length stays right).
func fixtures(t *testing.T) (dir, good, bad string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.http"))
	require.NoError(t, err)
	meta, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.json"))
	require.NoError(t, err)
	var kept []string
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(line, "Location:") {
			kept = append(kept, line)
		}
	}
	require.Len(t, kept, len(strings.SplitAfter(string(raw), "\n"))-1, "one Location line dropped")

	dir = t.TempDir()
	good, bad = filepath.Join(dir, "good.http"), filepath.Join(dir, "no-location.http")
	require.NoError(t, os.WriteFile(good, raw, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.json"), meta, 0o644))
	require.NoError(t, os.WriteFile(bad, []byte(strings.Join(kept, "")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "no-location.json"), meta, 0o644))
	return dir, good, bad
}

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	recordOutput(args, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

func TestVerifyAllValidExitsZero(t *testing.T) {
	t.Parallel()
	_, good, _ := fixtures(t)
	for _, args := range [][]string{
		{"verify", exchangesDir},
		{"verify", good},
		{"verify", "--format", "junit", good},
		{"verify", good, "--format=text"},
	} {
		code, out, errOut := runArgs(args...)
		assert.Equal(t, 0, code, "%v\n%s%s", args, out, errOut)
		assert.Empty(t, errOut, "%v", args)
	}
}

func TestVerifyViolationExitsOneAndExplains(t *testing.T) {
	t.Parallel()
	dir, _, _ := fixtures(t)
	code, out, errOut := runArgs("verify", dir)
	assert.Equal(t, 1, code)
	assert.Empty(t, errOut)
	assert.Contains(t, out, "ok    good (")
	assert.Contains(t, out, "FAIL  no-location (")
	// exchange, rule, header, expected vs actual, spec location
	assert.Contains(t, out, "no-location: spec-response: response.header.required at header Location: expected present, got absent [spec: paths./v1/productupgrades.post.responses.202.headers.Location]")
	assert.Contains(t, out, "2 exchange(s): 1 passed, 1 failed with 1 violation(s), 0 unreadable")
}

func TestVerifyJUnit(t *testing.T) {
	t.Parallel()
	dir, _, _ := fixtures(t)
	code, out, _ := runArgs("verify", "--format", "junit", dir)
	assert.Equal(t, 1, code)
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name     string `xml:"name,attr"`
				Failures []struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, 2, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	require.Len(t, doc.Suites, 1)
	require.Len(t, doc.Suites[0].Cases, 2)
	for _, c := range doc.Suites[0].Cases {
		if c.Name == "no-location" {
			require.Len(t, c.Failures, 1)
			assert.Contains(t, c.Failures[0].Message, "paths./v1/productupgrades.post.responses.202.headers.Location")
		} else {
			assert.Empty(t, c.Failures)
		}
	}
}

func TestVerifyUnparseableFileFails(t *testing.T) {
	t.Parallel()
	dir, good, _ := fixtures(t)
	junk := filepath.Join(dir, "junk.http")
	require.NoError(t, os.WriteFile(junk, []byte("GET / HTTP/1.1\nContent-Length: 10\n\nshort"), 0o644))
	code, out, _ := runArgs("verify", good, junk)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "ERROR junk (")
	assert.Contains(t, out, "1 unreadable")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no paths", []string{"verify"}, "no files or folders given"},
		{"bad format", []string{"verify", "--format", "xml", "x"}, `unknown format "xml"`},
		{"unknown flag", []string{"verify", "--colour", "x"}, "flag provided but not defined: -colour"},
		{"missing path", []string{"verify", filepath.Join(t.TempDir(), "nope")}, "no such file or directory"},
		{"empty folder", []string{"verify", t.TempDir()}, "no fixtures (*.http)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runArgs(tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
		})
	}
}

func TestHelpShowsAnExample(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"help"}, {"verify", "--help"}, {"help", "verify"}, {"verify", "-h"}} {
		code, out, errOut := runArgs(args...)
		assert.Equal(t, 0, code, "%v", args)
		assert.Empty(t, errOut)
		assert.Contains(t, out, "pcupgrade verify contracttests/testdata/exchanges", "%v", args)
	}
	_, out, _ := runArgs("verify", "--help")
	assert.Contains(t, out, "--format text|junit")
}

func TestDoubleDashEndsFlags(t *testing.T) {
	t.Parallel()
	_, good, _ := fixtures(t)
	code, out, errOut := runArgs("verify", "--format", "text", "--", good)
	assert.Equal(t, 0, code, out+errOut)
}

// fullWriter takes the first n bytes written to it and fails every write that would go past
// them, like a disk that fills up part-way.
type fullWriter struct {
	n   int
	got bytes.Buffer
}

var errDiskFull = errors.New("no space left on device")

func (w *fullWriter) Write(b []byte) (int, error) {
	if w.got.Len()+len(b) > w.n {
		return 0, errDiskFull
	}
	return w.got.Write(b)
}

// flakyWriter fails its write number fail (from 1) and takes every other write, like an
// output that loses one line.
type flakyWriter struct {
	fail, writes int
	got          bytes.Buffer
}

func (w *flakyWriter) Write(b []byte) (int, error) {
	w.writes++
	if w.writes == w.fail {
		return 0, errDiskFull
	}
	return w.got.Write(b)
}

// runFull runs args with a stdout that takes n bytes; see runBroken.
func runFull(t *testing.T, n int, args ...string) {
	t.Helper()
	runBroken(t, &fullWriter{n: n}, args...)
}

// runBroken runs args with stdout out, a writer that fails, and requires exit status
// exitOutput and one line on stderr naming the write error.
func runBroken(t *testing.T, out io.Writer, args ...string) {
	t.Helper()
	var errOut bytes.Buffer
	code := run(args, out, &errOut)
	assert.Equal(t, exitOutput, code, "%v, stdout %+v\nstderr: %s", args, out, errOut.String())
	assert.Regexp(t, `^pcupgrade \w+: writing the (output|report): no space left on device\n$`, errOut.String(), "%v, stdout %+v", args, out)
}

func TestOutputThatCannotBeWrittenExitsFour(t *testing.T) {
	t.Parallel()
	_, good, bad := fixtures(t)
	for _, args := range [][]string{
		{"--help"},
		{"help", "verify"},
		{"verify", "--help"},
		{"verify", good},
		{"verify", bad},
		{"verify", "--format", "junit", good},
		{"eligibility", "--help"},
		{"wait", "--help"},
		{"demo", "--help"},
	} {
		runFull(t, 0, args...)
	}
}
