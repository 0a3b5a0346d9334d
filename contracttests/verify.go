package contracttests

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// CheckMeta compares an exchange with what its sidecar says of it (operation, status).
const CheckMeta = "meta"

// Result is the outcome of verifying one fixture file.
type Result struct {
	// Name is the exchange's name (the file's base name without .http).
	Name string
	// Path is the fixture file.
	Path string
	// Operation is the spec's operationId the request was routed to ("" when it matched none
	// or the file could not be parsed).
	Operation string
	// Violations lists every way in which the exchange disagrees with the spec or its sidecar.
	Violations Violations
	// Err is set when the file could not be read or parsed as an exchange; such a file is a
	// failure, never skipped.
	Err error
}

// Passed reports whether the fixture was parsed and has no violations.
func (r Result) Passed() bool { return r.Err == nil && len(r.Violations) == 0 }

// Report is the outcome of a Verify run: one Result per fixture file, in the order found.
type Report struct {
	Results []Result
}

// Passed reports whether every fixture was parsed and has no violations. An empty report
// does not pass.
func (r *Report) Passed() bool {
	if len(r.Results) == 0 {
		return false
	}
	for _, res := range r.Results {
		if !res.Passed() {
			return false
		}
	}
	return true
}

// Counts returns how many fixtures passed, how many had violations, how many could not be
// parsed, and the total number of violations.
func (r *Report) Counts() (passed, failed, unreadable, violations int) {
	for _, res := range r.Results {
		switch {
		case res.Err != nil:
			unreadable++
		case len(res.Violations) > 0:
			failed++
		default:
			passed++
		}
		violations += len(res.Violations)
	}
	return passed, failed, unreadable, violations
}

// Verifier validates recorded exchanges against a spec. It is cheap to reuse: the spec is
// loaded once. A Verifier is not safe for concurrent use.
type Verifier struct {
	checker *SpecChecker
}

// NewVerifier returns a Verifier for the embedded spec.
func NewVerifier(ctx context.Context) (*Verifier, error) {
	sc, err := NewSpecChecker(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return &Verifier{checker: sc}, nil
}

// NewVerifierFor returns a Verifier that uses checker (for example one built on another
// version of the spec with NewSpecCheckerFor).
func NewVerifierFor(checker *SpecChecker) *Verifier { return &Verifier{checker: checker} }

// Verify validates every fixture named by paths against the embedded spec. See
// (*Verifier).Verify.
func Verify(ctx context.Context, paths ...string) (*Report, error) {
	v, err := NewVerifier(ctx)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, paths...)
}

// Verify validates the fixtures named by paths: each path is a fixture file (read whatever
// its name) or a folder, walked recursively for *.http files. Every fixture becomes a Result:
// the request and the response are validated against the spec, and, when a sidecar is
// present, its operation and status are compared with the exchange. A fixture that cannot be
// read or parsed is a Result with Err set.
//
// The error is for problems with the arguments, not with fixtures: no paths, a path that
// does not exist, a folder without any *.http file, or a cancelled context.
func (v *Verifier) Verify(ctx context.Context, paths ...string) (*Report, error) {
	files, err := fixtureFiles(ctx, paths)
	if err != nil {
		return nil, err
	}
	rep := &Report{Results: make([]Result, 0, len(files))}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		rep.Results = append(rep.Results, v.verifyFixture(ctx, f))
	}
	return rep, nil
}

// VerifyFile validates the fixture at path.
func (v *Verifier) VerifyFile(ctx context.Context, path string) Result {
	ex, err := LoadFile(path)
	if err != nil {
		return Result{Name: strings.TrimSuffix(filepath.Base(path), FixtureExt), Path: path, Err: err}
	}
	return v.VerifyExchange(ctx, ex)
}

// VerifyExchange validates an exchange already parsed.
func (v *Verifier) VerifyExchange(ctx context.Context, ex *Exchange) Result {
	res := Result{Name: ex.Name, Path: ex.Path}
	route, _, routeErr := v.checker.FindRoute(ex.Request.Method, ex.Request.URL.Path)
	if routeErr == nil {
		res.Operation = route.Operation.OperationID
	}
	res.Violations = v.checker.Check(ctx, ex)
	if ex.Meta == nil {
		return res
	}
	if routeErr == nil && ex.Meta.Operation != "" && ex.Meta.Operation != res.Operation {
		res.Violations = append(res.Violations, Violation{
			Exchange: ex.Name, Check: CheckMeta, Rule: "meta.operation", Where: "sidecar operation",
			Expected: excerpt.Quote(res.Operation), Actual: excerpt.Quote(ex.Meta.Operation),
			SpecLocation: opLocation(route) + ".operationId",
		})
	}
	if ex.Meta.Expect.Status != 0 && ex.Meta.Expect.Status != ex.Response.StatusCode {
		res.Violations = append(res.Violations, Violation{
			Exchange: ex.Name, Check: CheckMeta, Rule: "meta.status", Where: "sidecar expect.status",
			Expected: strconv.Itoa(ex.Response.StatusCode), Actual: strconv.Itoa(ex.Meta.Expect.Status),
		})
	}
	return res
}

// WriteText writes the report for people: one line per fixture ("ok", "FAIL" or "ERROR"),
// below each failing one a line per violation (exchange, check, rule, header or JSON pointer,
// expected vs actual, spec location), then a summary line.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, res := range r.Results {
		switch {
		case res.Err != nil:
			ew.printf("ERROR %s (%s): cannot parse: %v\n", res.Name, res.Path, res.Err)
		case len(res.Violations) > 0:
			ew.printf("FAIL  %s (%s): %d violation(s)\n", res.Name, res.Path, len(res.Violations))
			for _, v := range res.Violations {
				ew.printf("      %s\n", v)
			}
		default:
			op := res.Operation
			if op == "" {
				op = "?"
			}
			ew.printf("ok    %s (%s): %s\n", res.Name, res.Path, op)
		}
	}
	passed, failed, unreadable, violations := r.Counts()
	ew.printf("%d exchange(s): %d passed, %d failed with %d violation(s), %d unreadable\n",
		len(r.Results), passed, failed, violations, unreadable)
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// JUnit XML, as read by Jenkins, GitLab, GitHub Actions reporters and others.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	ClassName string         `xml:"classname,attr"`
	File      string         `xml:"file,attr,omitempty"`
	Failures  []junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem  `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one testcase per fixture, one failure element
// per violation (its message the violation's one-line form, its type the rule), and an error
// element for a fixture that cannot be parsed.
func (r *Report) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "contract", Tests: len(r.Results)}
	for _, res := range r.Results {
		c := junitCase{Name: res.Name, ClassName: "contract." + classOf(res), File: res.Path}
		switch {
		case res.Err != nil:
			c.Error = &junitProblem{Message: "cannot parse: " + res.Err.Error(), Type: "parse", Text: res.Err.Error()}
			suite.Errors++
		case len(res.Violations) > 0:
			for _, v := range res.Violations {
				c.Failures = append(c.Failures, junitProblem{Message: v.String(), Type: v.Rule, Text: violationDetail(v)})
			}
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "pcupgrade verify", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("verify: write junit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("verify: write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func classOf(res Result) string {
	if res.Operation != "" {
		return res.Operation
	}
	return "unknown"
}

// violationDetail renders a violation as labelled lines, for the body of a JUnit failure.
func violationDetail(v Violation) string {
	var lines []string
	add := func(k, val string) {
		if val != "" {
			lines = append(lines, k+": "+val)
		}
	}
	add("exchange", v.Exchange)
	add("check", v.Check)
	add("rule", v.Rule)
	add("where", v.Where)
	add("expected", v.Expected)
	add("actual", v.Actual)
	add("spec", v.SpecLocation)
	add("detail", v.Detail)
	return strings.Join(lines, "\n")
}
