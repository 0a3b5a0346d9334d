package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
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
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no paths", []string{"verify"}, "no files or folders given"},
		{"bad format", []string{"verify", "--format", "xml", "x"}, `unknown format "xml"`},
		{"unknown flag", []string{"verify", "--colour", "x"}, "flag provided but not defined: --colour"},
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
		{"version"},
		{"--version"},
		{"version", "--help"},
	} {
		runFull(t, 0, args...)
	}
}

// A bare pcupgrade is a usage error that shows the usage: every command on a line of its
// own and how to get help on one, on stderr, nothing on stdout.
func TestBareCallPrintsUsageAndExitsTwo(t *testing.T) {
	t.Parallel()
	code, out, errOut := runArgs()
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "usage: pcupgrade COMMAND [flags] [args]\n")
	for _, c := range commands {
		assert.Regexp(t, `(?m)^  `+c.name+` +\S.*$`, errOut, "the usage lists %s", c.name)
	}
	assert.Contains(t, errOut, "pcupgrade COMMAND --help")
	assert.Contains(t, errOut, "pcupgrade help COMMAND")
}

// version prints the client's Version, the one its User-Agent carries, and Go's version.
func TestVersion(t *testing.T) {
	t.Parallel()
	assert.Contains(t, client.UserAgent, "/"+client.Version+" ", "the User-Agent carries client.Version")
	want := "pcupgrade " + client.Version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, errOut := runArgs(args...)
		assert.Equal(t, exitOK, code, "%v", args)
		assert.Equal(t, want, out, "%v", args)
		assert.Empty(t, errOut, "%v", args)
	}
	code, out, errOut := runArgs("version", "now")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unexpected argument "now"`)
}

// Messages spell flags the way they are written, --name, however they were given.
func TestFlagErrorsSpellFlagsWithTwoDashes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--bogus", "x"}, "pcupgrade verify: flag provided but not defined: --bogus (try pcupgrade verify --help)\n"},
		{[]string{"verify", "-bogus", "x"}, "pcupgrade verify: flag provided but not defined: --bogus (try pcupgrade verify --help)\n"},
		{[]string{"eligibility", "--bogus"}, "pcupgrade eligibility: flag provided but not defined: --bogus (try pcupgrade eligibility --help)\n"},
		{[]string{"demo", "--bogus"}, "pcupgrade demo: flag provided but not defined: --bogus (try pcupgrade demo --help)\n"},
		{[]string{"version", "--bogus"}, "pcupgrade version: flag provided but not defined: --bogus (try pcupgrade version --help)\n"},
		{[]string{"verify", "x", "--format"}, "pcupgrade verify: flag needs an argument: --format (try pcupgrade verify --help)\n"},
		{[]string{"create", "--customer", "x", "--json=maybe"}, "pcupgrade create: --json: invalid boolean value \"maybe\": parse error (try pcupgrade create --help)\n"},
		{[]string{"demo", "--polls", "many"}, "pcupgrade demo: --polls: invalid value \"many\": parse error (try pcupgrade demo --help)\n"},
	} {
		code, out, errOut := runArgs(tc.args...)
		assert.Equal(t, exitUsage, code, "%v", tc.args)
		assert.Empty(t, out, "%v", tc.args)
		assert.Equal(t, tc.want, errOut, "%v", tc.args)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"5": 5 * time.Second, "0": 0, "1.5": 1500 * time.Millisecond, "90": 90 * time.Second,
		"30s": 30 * time.Second, "2m": 2 * time.Minute, "1m30s": 90 * time.Second, "200ms": 200 * time.Millisecond,
		"-5": -5 * time.Second,
	} {
		got, err := parseDuration(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "abc", "5x", "1e3", "NaN", "Inf", " 5", ".", "5 s", "99999999999999999999"} {
		_, err := parseDuration(in)
		assert.EqualError(t, err, fmt.Sprintf("%q is not a duration: write 30s, 2m or 1m30s, or a number of seconds", in), in)
	}
}
