// Command pcupgrade works with Partner Center's product-upgrade API from the command line:
//
//	pcupgrade eligibility --customer ID [--family Azure]   may the customer be upgraded?
//	pcupgrade create      --customer ID [--family Azure]   start the upgrade (202 + Location)
//	pcupgrade status      --customer ID UPGRADE_ID         the upgrade's status
//	pcupgrade wait        --customer ID UPGRADE_ID         poll until it completes or fails
//	pcupgrade demo                                         the whole workflow against an in-process fake
//	pcupgrade verify [--format text|junit] PATH...         check recorded exchanges against the spec
//
// The API commands read the access token from PARTNER_CENTER_TOKEN and never print it: every
// line is scrubbed of it, even where a server echoed it back, and everything a server sent
// is printed inert (no terminal escapes, control characters or line breaks; see output.go).
// `pcupgrade COMMAND --help` shows each command's flags and an example.
//
// Exit status: 0 ok; 1 a verify violation or an unparseable or unreadable file, or an upgrade
// that ended in a failure state (wait); 2 a usage error; 3 a failed API call (error response,
// network error, timeout); 4 the output could not be written (a full disk, a closed terminal).
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
	"strings"

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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
		return fail(errOut, exitUsage, "pcupgrade: no command given (try pcupgrade --help)\n")
	}
	switch args[0] {
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
// exitOutput (see writeFailed), or, for the progress lines of wait and demo, the first error
// is remembered and reported when the command ends. A message on stderr always comes with a
// status that already says something went wrong (fail), so when stderr itself cannot be
// written that status still tells the caller.

// fail prints a message of pcupgrade's own on errOut and returns code, a non-zero exit
// status. When stderr cannot be written the message has nowhere else to go; the status
// still reports the failure, so the write error is dropped on purpose.
func fail(errOut *printer, code int, format string, args ...any) int {
	_ = errOut.printf(format, args...)
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
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nexample:\n  pcupgrade verify contracttests/testdata/exchanges\n\n")
	b.WriteString("pcupgrade COMMAND --help shows a command's flags.\n")
	return b.String()
}

// errHelp is returned by parseInterspersed when --help was asked for.
var errHelp = flag.ErrHelp

// parseInterspersed parses fs's flags wherever they stand among the positional arguments
// (flag.FlagSet stops at the first one), so "verify dir --format junit" works too. A "--"
// ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
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
4 the report could not be written

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
	var write func(*contracttests.Report, io.Writer) error
	switch strings.ToLower(*format) {
	case "text":
		write = (*contracttests.Report).WriteText
	case "junit":
		write = (*contracttests.Report).WriteJUnit
	default:
		return fail(errOut, exitUsage, "pcupgrade verify: unknown format %q: want text or junit\n", *format)
	}
	if len(paths) == 0 {
		return fail(errOut, exitUsage, "pcupgrade verify: no files or folders given (try pcupgrade verify --help)\n")
	}
	rep, err := contracttests.Verify(ctx, paths...)
	if err != nil {
		return fail(errOut, exitUsage, "pcupgrade %v\n", err)
	}
	if err := write(cleanReport(rep, out.clean), out); err != nil {
		return fail(errOut, exitOutput, "pcupgrade verify: writing the report: %v\n", err)
	}
	if !rep.Passed() {
		return exitViolation
	}
	return exitOK
}

// cleanReport returns a copy of rep in which every text that comes from the files (names,
// paths, violations, parse errors quoting a file's content) has been through clean, so that
// neither the text nor the JUnit report can carry a credential or a terminal escape.
func cleanReport(rep *contracttests.Report, clean func(string) string) *contracttests.Report {
	out := &contracttests.Report{Results: make([]contracttests.Result, len(rep.Results))}
	for i, res := range rep.Results {
		res.Violations = append(contracttests.Violations(nil), res.Violations...)
		scrubStrings(reflect.ValueOf(&res), clean)
		if res.Err != nil {
			res.Err = errors.New(clean(res.Err.Error()))
		}
		out.Results[i] = res
	}
	return out
}
