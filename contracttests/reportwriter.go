package contracttests

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ReportWriter writes the report of a Verify run as its results arrive, in the text of
// Report.WriteText or the JUnit XML of Report.WriteJUnit, byte for byte: hand Write to
// VerifyTo, then call Close. It holds no result, so the memory it needs does not grow with
// the run.
//
// The text is written as it goes, its summary line by Close. JUnit XML gives the totals in
// its first elements (<testsuites> and <testsuite> carry tests, failures and errors), before
// the test cases, and readers of JUnit expect them there; so the JUnit writer spools the test
// cases, already encoded, to a temporary file while it counts, and Close writes the header
// with the totals, copies the cases, and removes the file. Putting the totals at the end
// instead would need a second document format; keeping them in memory would grow with the
// run. A ReportWriter is not safe for concurrent use.
type ReportWriter struct {
	w      io.Writer
	junit  bool
	counts counts
	err    error // the first error: every later call returns it

	// JUnit only: the encoded test cases, spooled until Close.
	spool    *os.File
	spoolBuf *bufio.Writer
	enc      *xml.Encoder
	// direct is set by Report.WriteJUnit, which knows the totals before the first case:
	// the cases are written to w as they come.
	direct bool
	closed bool
}

// counts are the totals of the results written so far.
type counts struct {
	results, passed, failed, unreadable, violations int
}

func (c *counts) add(res Result) {
	c.results++
	switch {
	case res.Err != nil:
		c.unreadable++
	case len(res.Violations) > 0:
		c.failed++
	default:
		c.passed++
	}
	c.violations += len(res.Violations)
}

// NewTextReportWriter returns a ReportWriter that writes to w the text of Report.WriteText.
func NewTextReportWriter(w io.Writer) *ReportWriter {
	return &ReportWriter{w: w}
}

// NewJUnitReportWriter returns a ReportWriter that writes to w the JUnit XML of
// Report.WriteJUnit. Nothing is written to w before Close; the test cases wait in a
// temporary file (mode 0600, removed by Close or Abort).
func NewJUnitReportWriter(w io.Writer) *ReportWriter {
	return &ReportWriter{w: w, junit: true}
}

// Write adds res to the report. The first error (from w or the spool) is returned by every
// later call, and by Close.
func (rw *ReportWriter) Write(res Result) error {
	switch {
	case rw.err != nil:
		return rw.err
	case rw.closed:
		return errors.New("verify: report writer: Write after Close")
	}
	rw.counts.add(res)
	if rw.junit {
		rw.err = rw.writeCase(res)
	} else {
		rw.err = writeTextResult(rw.w, res)
	}
	return rw.err
}

// Passed reports whether every result written passed; with no result it does not (as
// Report.Passed).
func (rw *ReportWriter) Passed() bool {
	return rw.counts.results > 0 && rw.counts.passed == rw.counts.results
}

// Counts returns the totals of the results written so far, as Report.Counts does.
func (rw *ReportWriter) Counts() (passed, failed, unreadable, violations int) {
	c := rw.counts
	return c.passed, c.failed, c.unreadable, c.violations
}

// Close ends the report: the summary line of the text; the JUnit document, header and all,
// from its spool, which it removes.
func (rw *ReportWriter) Close() error {
	if rw.closed {
		return rw.err
	}
	rw.closed = true
	if rw.err != nil {
		rw.removeSpool()
		return rw.err
	}
	if !rw.junit {
		c := rw.counts
		_, rw.err = fmt.Fprintf(rw.w, "%d exchange(s): %d passed, %d failed with %d violation(s), %d unreadable\n",
			c.results, c.passed, c.failed, c.violations, c.unreadable)
		return rw.err
	}
	rw.err = rw.finishJUnit()
	rw.removeSpool()
	return rw.err
}

// Abort ends the report without finishing it (a run that failed or was interrupted): nothing
// more is written, and the JUnit spool is removed.
func (rw *ReportWriter) Abort() {
	rw.closed = true
	rw.removeSpool()
}

func (rw *ReportWriter) removeSpool() {
	if rw.spool == nil {
		return
	}
	name := rw.spool.Name()
	// A spool of our own, gone either way: its errors change nothing for the report.
	_ = rw.spool.Close()
	_ = os.Remove(name)
	rw.spool, rw.spoolBuf, rw.enc = nil, nil, nil
}

// writeTextResult writes the lines of one result, as WriteText does.
func writeTextResult(w io.Writer, res Result) error {
	ew := &errWriter{w: w}
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
	return ew.err
}

// The JUnit document is the one encoding/xml writes for junitSuites with the indent "  ":
//
//	<?xml ...?>\n<testsuites ...>\n  <testsuite ...>\n    <testcase ...>...</testcase>...\n  </testsuite>\n</testsuites>\n
//
// A test case is encoded on its own, with the prefix "    " that the depth of its element
// gives, after a line end; a suite without cases is written <testsuite ...></testsuite>.

// caseStart is the test case element's name.
var caseStart = xml.StartElement{Name: xml.Name{Local: "testcase"}}

// writeCase encodes the test case of res to the spool (or to w, when direct).
func (rw *ReportWriter) writeCase(res Result) error {
	if rw.enc == nil {
		var dst io.Writer = rw.w
		if !rw.direct {
			f, err := os.CreateTemp("", "contracttests-junit-*.xml")
			if err != nil {
				return fmt.Errorf("verify: write junit: %w", err)
			}
			rw.spool = f
			rw.spoolBuf = bufio.NewWriterSize(f, 64<<10)
			dst = rw.spoolBuf
		}
		rw.enc = xml.NewEncoder(dst)
		rw.enc.Indent("    ", "  ")
		if _, err := io.WriteString(dst, "\n"); err != nil {
			return err
		}
	}
	if err := rw.enc.EncodeElement(junitCaseOf(res), caseStart); err != nil {
		return fmt.Errorf("verify: write junit: %w", err)
	}
	return nil
}

// junitHead writes the XML declaration and the two opening elements with the totals c.
func junitHead(w io.Writer, c counts) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	total := func(name string, n int) xml.Attr {
		return xml.Attr{Name: xml.Name{Local: name}, Value: strconv.Itoa(n)}
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	for _, name := range []string{"testsuites", "testsuite"} {
		suiteName := "pcupgrade verify"
		if name == "testsuite" {
			suiteName = "contract"
		}
		err := enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: name}, Attr: []xml.Attr{
			{Name: xml.Name{Local: "name"}, Value: suiteName},
			total("tests", c.results), total("failures", c.failed), total("errors", c.unreadable),
		}})
		if err != nil {
			return fmt.Errorf("verify: write junit: %w", err)
		}
	}
	if err := enc.Flush(); err != nil {
		return fmt.Errorf("verify: write junit: %w", err)
	}
	return nil
}

// junitTail closes the two elements opened by junitHead.
func junitTail(w io.Writer, cases int) error {
	tail := "\n  </testsuite>\n</testsuites>\n"
	if cases == 0 {
		tail = "</testsuite>\n</testsuites>\n"
	}
	_, err := io.WriteString(w, tail)
	return err
}

// finishJUnit writes the document: head, the spooled cases, tail.
func (rw *ReportWriter) finishJUnit() error {
	if err := junitHead(rw.w, rw.counts); err != nil {
		return err
	}
	if rw.spool != nil {
		if err := rw.spoolBuf.Flush(); err != nil {
			return fmt.Errorf("verify: write junit: spool: %w", err)
		}
		if _, err := rw.spool.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("verify: write junit: spool: %w", err)
		}
		if _, err := io.Copy(rw.w, rw.spool); err != nil {
			return err
		}
	}
	return junitTail(rw.w, rw.counts.results)
}

// junitCaseOf is the test case of res.
func junitCaseOf(res Result) junitCase {
	c := junitCase{Name: res.Name, ClassName: "contract." + classOf(res), File: res.Path}
	switch {
	case res.Err != nil:
		c.Error = &junitProblem{Message: "cannot parse: " + res.Err.Error(), Type: "parse", Text: res.Err.Error()}
	case len(res.Violations) > 0:
		c.Failures = make([]junitProblem, 0, len(res.Violations))
		for _, v := range res.Violations {
			c.Failures = append(c.Failures, junitProblem{Message: v.String(), Type: v.Rule, Text: violationDetail(v)})
		}
	}
	return c
}
