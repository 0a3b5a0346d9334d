package contracttests

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/routers"

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
// loaded once. A Verifier is safe for concurrent use.
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
// read or parsed is a Result with Err set. The files are verified in parallel (see VerifyTo);
// the results are in the order the files were found.
//
// The error is for problems with the arguments, not with fixtures: no paths, a path that
// does not exist, a folder without any *.http file, or a cancelled context.
func (v *Verifier) Verify(ctx context.Context, paths ...string) (*Report, error) {
	rep := &Report{}
	err := v.VerifyTo(ctx, func(res Result) error {
		rep.Results = append(rep.Results, res)
		return nil
	}, paths...)
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// VerifyFile validates the fixture at path.
func (v *Verifier) VerifyFile(ctx context.Context, path string) Result {
	var l fixtureLoader
	return v.verifyFixture(ctx, fixture{path: path}, &l)
}

// VerifyExchange validates an exchange already parsed. ex is not changed.
func (v *Verifier) VerifyExchange(ctx context.Context, ex *Exchange) Result {
	return v.check(ctx, ex, ex.NewRequest(), metaOf(ex.Meta))
}

// check validates ex, whose request req is (ex.Request or a copy: the checks read its body
// and put it back), against the spec and against meta, what its sidecar says (nil for none).
// The request is routed once: the route gives the Result's operation, and both halves are
// validated against it.
func (v *Verifier) check(ctx context.Context, ex *Exchange, req *http.Request, meta *verifyMeta) Result {
	res := Result{Name: ex.Name, Path: ex.Path}
	var route *routers.Route
	switch val := v.checker.v; {
	case val == nil: // no validator (see NewSpecCheckerFor): every check says why
		res.Violations = v.checker.Check(ctx, ex)
	default:
		r, params, err := val.Router().FindRoute(req)
		if err != nil {
			// No operation: ValidateExchange words the two route violations (looking the
			// route up again, for an exchange that has none).
			res.Violations = val.ValidateExchange(ctx, ex.Name, req, ex.Response.StatusCode, ex.Response.Header, ex.ResponseBody)
			break
		}
		route = r
		res.Operation = route.Operation.OperationID
		res.Violations = val.ValidateRoutedRequest(ctx, ex.Name, req, route, params)
		res.Violations = append(res.Violations,
			val.ValidateRoutedResponse(ctx, ex.Name, req, route, params, ex.Response.StatusCode, ex.Response.Header, ex.ResponseBody)...)
	}
	if meta == nil {
		return res
	}
	if route != nil && meta.operation != "" && meta.operation != res.Operation {
		res.Violations = append(res.Violations, Violation{
			Exchange: ex.Name, Check: CheckMeta, Rule: "meta.operation", Where: "sidecar operation",
			Expected: excerpt.Quote(res.Operation), Actual: excerpt.Quote(meta.operation),
			SpecLocation: opLocation(route) + ".operationId",
		})
	}
	if meta.status != 0 && meta.status != ex.Response.StatusCode {
		res.Violations = append(res.Violations, Violation{
			Exchange: ex.Name, Check: CheckMeta, Rule: "meta.status", Where: "sidecar expect.status",
			Expected: strconv.Itoa(ex.Response.StatusCode), Actual: strconv.Itoa(meta.status),
		})
	}
	return res
}

// WriteText writes the report for people: one line per fixture ("ok", "FAIL" or "ERROR"),
// below each failing one a line per violation (exchange, check, rule, header or JSON pointer,
// expected vs actual, spec location), then a summary line. NewTextReportWriter writes the
// same text as the results arrive.
func (r *Report) WriteText(w io.Writer) error {
	rw := NewTextReportWriter(w)
	for _, res := range r.Results {
		if err := rw.Write(res); err != nil {
			return err
		}
	}
	return rw.Close()
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
// element for a fixture that cannot be parsed. NewJUnitReportWriter writes the same document
// as the results arrive.
func (r *Report) WriteJUnit(w io.Writer) error {
	// The totals are known: the cases go to w as they are encoded, with no spool.
	var c counts
	for _, res := range r.Results {
		c.add(res)
	}
	if err := junitHead(w, c); err != nil {
		return err
	}
	rw := &ReportWriter{w: w, junit: true, direct: true}
	for _, res := range r.Results {
		if err := rw.Write(res); err != nil {
			return err
		}
	}
	return junitTail(w, len(r.Results))
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
