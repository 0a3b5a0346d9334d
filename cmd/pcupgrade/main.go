// Command pcupgrade works with Partner Center's product-upgrade API from the command line:
//
//	pcupgrade eligibility --customer ID [--family Azure]   may the customer be upgraded?
//	pcupgrade create      --customer ID [--family Azure]   start the upgrade (202 + Location)
//	                      [--request-id GUID]              resend one whose outcome was unknown
//	pcupgrade status      --customer ID UPGRADE_ID         the upgrade's status
//	pcupgrade wait        --customer ID UPGRADE_ID         poll until it completes or fails
//	pcupgrade upgrade     --customer ID [--family Azure]   the safe path: eligibility, create only when none
//	                      [--wait] [--request-id GUID]     is in place, recover a lost answer; then wait
//	pcupgrade demo                                         the whole workflow against an in-process fake
//	pcupgrade verify [--format text|junit] PATH...         check recorded exchanges against the spec
//	pcupgrade version                                      pcupgrade's version and the Go it was built with
//
// A bare pcupgrade prints the list of commands on stderr (exit 2). Flags are spelled --name in
// every message; a duration flag takes 30s, 2m or 1m30s, or a plain number of seconds.
//
// The API commands read the access token from PARTNER_CENTER_TOKEN and never print it: every
// line is scrubbed of it, even where a server echoed it back, and everything a server sent
// is printed inert (no terminal escapes, control characters or line breaks; see output.go).
// `pcupgrade COMMAND --help` shows each command's flags and an example.
//
// Exit status: 0 ok; 1 a verify violation or an unparseable or unreadable file, or an upgrade
// that ended in a failure state (wait); 2 a usage error; 3 a failed API call (error response,
// network error, timeout); 4 the output could not be written (a full disk, a closed terminal);
// 5 not eligible (upgrade); 6 an upgrade in progress elsewhere whose id is unknown (upgrade);
// 7 gave up with the create's outcome unknown (upgrade: it prints the command that resumes
// it, upgrade --request-id); 130 interrupted (Ctrl-C; a create that this leaves with an
// unknown outcome prints the command that resumes it, create or upgrade --request-id).
//
// wait and upgrade --wait draw their progress on stderr, redrawn every second, only when
// stderr is a terminal; stdout carries the result alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/contracttests"
)

// Exit statuses.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
	// exitOutput: stdout could not be written, so what the command printed is incomplete.
	// Its own status, so that a script never takes a cut-off answer for a whole one.
	exitOutput = 4
)

// command is one subcommand. To add one, write its run function and add it to commands.
type command struct {
	name    string
	summary string
	usage   string // printed by --help: synopsis, flags, an example
	// run does the work, printing through out and errOut (output.go), and returns the exit
	// status.
	run func(ctx context.Context, args []string, out, errOut *printer) int
}

var commands = []command{
	{
		name:    "verify",
		summary: "validate recorded exchanges (files or folders of *.http) against the spec",
		usage:   verifyUsage,
		run:     runVerify,
	},
}

func main() {
	ctx, stop := interruptContext(context.Background(), signal.Notify, signal.Stop)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitInterrupted is the exit status of a run ended by Ctrl-C (SIGINT): 128 + 2, as a shell
// reports a command killed by the signal.
const exitInterrupted = 130

// errInterrupted is the cause (context.Cause) of the end of the context of a run that Ctrl-C
// (SIGINT) stopped; see interruptContext and interrupted.
var errInterrupted = errors.New("interrupted")

// interruptContext returns a context that ends, with cause errInterrupted, at the first
// os.Interrupt (Ctrl-C) delivered to the channel that notify registers, and a function that
// releases it. After the first one the signal is handed back (stop), so a second Ctrl-C ends
// pcupgrade at once. main passes signal.Notify and signal.Stop; tests pass their own, and
// send no real signal.
func interruptContext(parent context.Context, notify func(chan<- os.Signal, ...os.Signal), stop func(chan<- os.Signal)) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sig := make(chan os.Signal, 1)
	notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			stop(sig)
			cancel(errInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		stop(sig)
		close(done)
		cancel(nil)
	}
}

// interrupted reports whether ctx (or a context it was derived from) ended because of
// Ctrl-C: then a command stops with exitInterrupted and says "interrupted".
func interrupted(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errInterrupted)
}

// run dispatches args (without the program name) to a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context that stops the work when cancelled. Everything is printed
// through printers that know the token of PARTNER_CENTER_TOKEN, so it never shows.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sc := newScrubber(strings.TrimSpace(getenv(tokenEnv)))
	out, errOut := newPrinter(stdout, sc), newPrinter(stderr, sc)
	if len(args) == 0 {
		return failText(errOut, exitUsage, usageText())
	}
	switch args[0] {
	case "-version", "--version":
		return runVersion(ctx, args[1:], out, errOut)
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			if c := lookup(args[1]); c != nil {
				return show(out, errOut, "help", c.usage)
			}
		}
		return show(out, errOut, "help", usageText())
	}
	c := lookup(args[0])
	if c == nil {
		return fail(errOut, exitUsage, "pcupgrade: unknown command %q (try pcupgrade --help)\n", args[0])
	}
	return c.run(ctx, args[1:], out, errOut)
}

// Writing. A failed write to stdout is never ignored: the command stops and exits with
// exitOutput (see writeFailed), or, for the progress lines of demo, the first error is
// remembered and reported when the command ends; wait's progress on a terminal stops
// drawing at its first failed write, the result unaffected. A message on stderr always comes with a
// status that already says something went wrong (fail), so when stderr itself cannot be
// written that status still tells the caller.

// fail prints a message of pcupgrade's own on errOut and returns code, a non-zero exit
// status. When stderr cannot be written the message has nowhere else to go; the status
// still reports the failure, so the write error is dropped on purpose.
func fail(errOut *printer, code int, format string, args ...any) int {
	_ = errOut.printf(format, args...)
	return code
}

// failText prints text of pcupgrade's own (the usage) on errOut as it is, lines and all, and
// returns code; like fail, it drops a write error on purpose.
func failText(errOut *printer, code int, text string) int {
	_, _ = io.WriteString(errOut, text)
	return code
}

// writeFailed reports that command name could not write its output and returns exitOutput.
func writeFailed(name string, err error, errOut *printer) int {
	return fail(errOut, exitOutput, "pcupgrade %s: writing the output: %v\n", name, err)
}

// show prints text of pcupgrade's own (a help text) on out and returns exitOK, or exitOutput
// when it could not be written.
func show(out, errOut *printer, name, text string) int {
	if _, err := io.WriteString(out, text); err != nil {
		return writeFailed(name, err, errOut)
	}
	return exitOK
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// usageText is the help of pcupgrade itself: the commands and an example.
func usageText() string {
	var b strings.Builder
	b.WriteString("usage: pcupgrade COMMAND [flags] [args]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nexample:\n  pcupgrade verify contracttests/testdata/exchanges\n\n")
	b.WriteString("pcupgrade COMMAND --help (or pcupgrade help COMMAND) shows a command's flags.\n")
	return b.String()
}

// errHelp is returned by parseInterspersed when --help was asked for.
var errHelp = flag.ErrHelp

// parseInterspersed parses fs's flags wherever they stand among the positional arguments
// (flag.FlagSet stops at the first one), so "verify dir --format junit" works too. A "--"
// ends the flags. Its errors spell flags --name (see flagError).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// invalidValueRE matches package flag's message for a value that a flag's Set refused:
// the value (quoted with %q, so without a bare '"'), the flag's name and Set's error.
var invalidValueRE = regexp.MustCompile(`(?s)^invalid (value|boolean value) ("(?:[^"\\]|\\.)*") for (?:flag )?-([^\s:]+): (.*)$`)

// flagError rewrites an error of package flag, which spells flags with one dash ("flag
// provided but not defined: -bogus"), so that it names them as they are written: --bogus.
// A refused duration (durationValue) reads "--timeout: "abc" is not a duration: ...".
// errHelp is returned as it is.
func flagError(err error) error {
	if errors.Is(err, errHelp) {
		return err
	}
	msg := err.Error()
	for _, prefix := range []string{"flag provided but not defined: ", "flag needs an argument: "} {
		if name, ok := strings.CutPrefix(msg, prefix+"-"); ok {
			return errors.New(prefix + "--" + name)
		}
	}
	if m := invalidValueRE.FindStringSubmatch(msg); m != nil {
		kind, value, name, why := m[1], m[2], m[3], m[4]
		if strings.HasPrefix(why, value+" is not a duration") {
			return fmt.Errorf("--%s: %s", name, why)
		}
		return fmt.Errorf("--%s: invalid %s %s: %s", name, kind, value, why)
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean flag "); ok {
		return errors.New("invalid boolean flag --" + rest)
	}
	return err
}

// durationValue is a flag.Value for a time.Duration that also takes a plain number of
// seconds ("5" is 5s), and whose error says how to write one.
type durationValue struct{ d *time.Duration }

// durationVar defines a duration flag on fs, like fs.DurationVar, with durationValue.
func durationVar(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(durationValue{p}, name, usage)
}

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

// parseDuration parses a duration as time.ParseDuration does ("30s", "2m", "1m30s"), or a
// plain decimal number as that many seconds ("5", "1.5").
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if s != "" && strings.Trim(s, "+-.0123456789") == "" {
		if d, err := time.ParseDuration(s + "s"); err == nil {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a duration: write 30s, 2m or 1m30s, or a number of seconds", s)
}

// versionUsage is the help text of version.
const versionUsage = `usage: pcupgrade version

Prints pcupgrade's version, the same as the client sends in its User-Agent header, and the
Go version it was built with. pcupgrade --version does the same.

exit status: 0 ok, 2 usage error, 4 the output could not be written

example:
  pcupgrade version
`

// version is the version pcupgrade reports: the client's, which its User-Agent carries.
func version() string { return client.Version }

func runVersion(_ context.Context, args []string, out, errOut *printer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pos, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, errHelp):
		return show(out, errOut, "version", versionUsage)
	case err != nil:
		return fail(errOut, exitUsage, "pcupgrade version: %v (try pcupgrade version --help)\n", err)
	case len(pos) > 0:
		return fail(errOut, exitUsage, "pcupgrade version: unexpected argument %q (try pcupgrade version --help)\n", pos[0])
	}
	if err := out.printf("pcupgrade %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH); err != nil {
		return writeFailed("version", err, errOut)
	}
	return exitOK
}

// verifyUsage is the help text of verify.
const verifyUsage = `usage: pcupgrade verify [--format text|junit] PATH...

Validates each recorded exchange (NAME.http, with its NAME.json sidecar when present) against
the embedded OpenAPI spec: the request and the response. Folders are searched recursively for
*.http files; symlinks to folders are followed like the folders. For each violation it prints
the exchange, the rule, the header or JSON pointer, expected vs actual, and the place in the
spec. A file that cannot be parsed or read is reported as a failure: named pipes, sockets and
devices are never opened, a symlink loop is an unreadable file, and an error quotes at most
200 bytes of a file's first line, credentials masked.

flags:
  --format text|junit   output format (default text); junit writes JUnit XML for CI systems

exit status: 0 all valid, 1 a violation or an unparseable or unreadable file, 2 usage error,
4 the report could not be written, 130 interrupted (Ctrl-C)

example:
  pcupgrade verify contracttests/testdata/exchanges
  pcupgrade verify --format junit recordings/ > contract-report.xml
`

func runVerify(ctx context.Context, args []string, out, errOut *printer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or junit")
	paths, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, errHelp):
		return show(out, errOut, "verify", verifyUsage)
	case err != nil:
		return fail(errOut, exitUsage, "pcupgrade verify: %v (try pcupgrade verify --help)\n", err)
	}
	var newWriter func(io.Writer) *contracttests.ReportWriter
	switch strings.ToLower(*format) {
	case "text":
		newWriter = contracttests.NewTextReportWriter
	case "junit":
		newWriter = contracttests.NewJUnitReportWriter
	default:
		return fail(errOut, exitUsage, "pcupgrade verify: unknown format %q: want text or junit\n", *format)
	}
	if len(paths) == 0 {
		return fail(errOut, exitUsage, "pcupgrade verify: no files or folders given (try pcupgrade verify --help)\n")
	}
	v, err := contracttests.NewVerifier(ctx)
	if err != nil {
		return verifyFailed(ctx, errOut, err)
	}
	// The report streams: each result is cleaned and written as it arrives (the JUnit
	// writer spools the cases until it knows the totals), so memory stays flat.
	rw := newWriter(out)
	var writeErr error
	err = v.VerifyTo(ctx, func(res contracttests.Result) error {
		writeErr = rw.Write(cleanResult(res, out.clean))
		return writeErr
	}, paths...)
	switch {
	case writeErr != nil:
		rw.Abort()
		return fail(errOut, exitOutput, "pcupgrade verify: writing the report: %v\n", writeErr)
	case err != nil:
		rw.Abort()
		return verifyFailed(ctx, errOut, err)
	}
	if err := rw.Close(); err != nil {
		return fail(errOut, exitOutput, "pcupgrade verify: writing the report: %v\n", err)
	}
	if !rw.Passed() {
		return exitViolation
	}
	return exitOK
}

// verifyFailed reports an error of verify's arguments or an interruption.
func verifyFailed(ctx context.Context, errOut *printer, err error) int {
	if interrupted(ctx) {
		return fail(errOut, exitInterrupted, "pcupgrade verify: interrupted\n")
	}
	return fail(errOut, exitUsage, "pcupgrade %v\n", err)
}

// cleanResult returns a copy of res in which every text that comes from the files (name,
// path, violations, a parse error quoting a file's content) has been through clean, so that
// neither the text nor the JUnit report can carry a credential or a terminal escape.
func cleanResult(res contracttests.Result, clean func(string) string) contracttests.Result {
	res.Violations = append(contracttests.Violations(nil), res.Violations...)
	scrubStrings(reflect.ValueOf(&res), clean)
	if res.Err != nil {
		res.Err = errors.New(clean(res.Err.Error()))
	}
	return res
}
