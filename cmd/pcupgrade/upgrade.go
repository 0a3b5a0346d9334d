package main

// The API subcommands: eligibility, create, status and wait, each one call (or one poll
// loop) of package client; upgrade (ensure_cmd.go), client.EnsureUpgrade and optionally the
// wait; and demo (demo.go), which runs them against the in-process fake. The init below also
// lists version (main.go) last, so that the usage ends with it.
//
// Exit status of these subcommands: 0 success; 1 the upgrade ended in a failure state
// (wait, upgrade --wait); 2 usage error (a bad flag, a customer id that is not a GUID,
// PARTNER_CENTER_TOKEN not set); 3 the API call failed (an error response, a network error,
// a timeout); 4 the output could not be written; and, for upgrade only: 5 the customer is
// not eligible; 6 an upgrade is in progress elsewhere and its id is unknown (nothing
// created); 7 gave up with the create's outcome unknown (the message ends with the
// `pcupgrade upgrade ... --request-id ...` command that resumes); 130 interrupted (Ctrl-C).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// minWaitInterval is the shortest --interval wait accepts: an upgrade takes minutes, and a
// shorter interval only adds load (1ns sent 15,000 requests in 2 s).
const minWaitInterval = time.Second

// exitAPI is the exit status of a failed API call: an error response, a network error or a
// timeout. It differs from exitUsage so that scripts can tell "you called me wrong" from
// "Partner Center said no".
const exitAPI = 3

// exitUpgradeFailed is the exit status of wait when the upgrade ends in a failure state.
const exitUpgradeFailed = exitViolation

// tokenEnv names the environment variable that holds the access token.
const tokenEnv = "PARTNER_CENTER_TOKEN"

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// testClientOptions are added to every client the subcommands make; tests set them (to turn
// retries off), nothing else does.
var testClientOptions []client.Option

func init() {
	commands = append(commands,
		command{name: "eligibility", summary: "tell whether a customer can be upgraded (POST /v1/productupgrades/eligibility)", usage: eligibilityUsage, run: runEligibility},
		command{name: "create", summary: "start an upgrade; prints its id from the 202's Location (POST /v1/productupgrades)", usage: createUsage, run: runCreate},
		command{name: "status", summary: "show the status of an upgrade (POST /v1/productupgrades/{id}/status)", usage: statusUsage, run: runStatus},
		command{name: "wait", summary: "poll an upgrade's status until it completes or fails", usage: waitUsage, run: runWait},
		command{name: "upgrade", summary: "make sure the customer is upgraded: eligibility, create once, recover a lost response [--wait]", usage: upgradeUsage, run: runUpgrade},
		command{name: "demo", summary: "run eligibility, create and wait against an in-process fake (no credentials)", usage: demoUsage, run: runDemo},
		command{name: "version", summary: "print pcupgrade's version (the client's User-Agent version) and Go's", usage: versionUsage, run: runVersion},
	)
}

const commonFlags = `flags:
  --customer GUID    the customer's tenant id (required)
  --family NAME      the product family to upgrade to (default Azure)
  --base-url URL     the API root (default https://api.partnercenter.microsoft.com)
  --json             print the result as JSON
  --timeout D        give up after D (default %s)
`

const exitCodes = `
A duration D is written 30s, 2m or 1m30s, or as a plain number of seconds.
The access token is read from PARTNER_CENTER_TOKEN and never printed.

exit status: 0 ok, 1 the upgrade failed (wait), 2 usage error, 3 the API call failed
(an error response, a network error or a timeout), 4 the output could not be written,
130 interrupted (Ctrl-C)
`

var eligibilityUsage = `usage: pcupgrade eligibility --customer GUID [flags]

Tells whether the customer can be upgraded to the product family. When an upgrade is
already in place, prints its id.

` + fmt.Sprintf(commonFlags, "30s") + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade eligibility --customer 4c721420-72ad-4708-a0a7-371a2f7b0969
`

var createUsage = `usage: pcupgrade create --customer GUID [flags]

Starts the upgrade of the customer to the product family and prints the upgrade id taken
from the 202 response's Location header. Retries reuse the same MS-RequestId, so a retried
create never starts a second upgrade. When the outcome is unknown (an upgrade may exist,
its id is not known), the error gives the request id and the command that resumes: the same
create with --request-id, which the service takes for the same request ("pcupgrade
eligibility" also names the upgrade if it exists).

` + fmt.Sprintf(commonFlags, "30s") + `  --request-id GUID  resend an earlier create with its MS-RequestId (from an unknown outcome)
` + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade create --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --family Azure
  PARTNER_CENTER_TOKEN=... pcupgrade create --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --family Azure --request-id 9f0c7f5e-3c1a-4d5e-8a7b-2b1c0d9e8f7a
`

var statusUsage = `usage: pcupgrade status --customer GUID [flags] UPGRADE_ID

Prints the status of the upgrade and of its line items.

` + fmt.Sprintf(commonFlags, "30s") + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade status --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
`

var waitUsage = `usage: pcupgrade wait --customer GUID [flags] UPGRADE_ID

Checks the status of the upgrade every --interval until it completes or fails, then prints
its final status on stdout. When stderr is a terminal, a live line there shows the time
elapsed, the last status, the checks so far and when the next one comes; otherwise nothing
is printed until the end, so stdout carries the result alone.

` + fmt.Sprintf(commonFlags, "30m") + `  --interval D       wait between two checks (default 15s, at least 1s)
` + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade wait --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --interval 30s 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
`

// apiFlags are the flags every API subcommand takes.
type apiFlags struct {
	customer, family, baseURL string
	requestID                 string // create and upgrade --request-id: the MS-RequestId to resend with
	json                      bool
	wait                      bool // upgrade --wait
	timeout, interval         time.Duration
}

func (f *apiFlags) request() client.UpgradeRequest {
	return client.UpgradeRequest{CustomerID: f.customer, ProductFamily: f.family}
}

// usageError is a problem with the command line, reported with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseAPIFlags parses args for subcommand name; wantID says whether an UPGRADE_ID argument
// is required. It returns the upgrade id, or done with the exit status when the command
// should stop (help, usage error).
func parseAPIFlags(name, usage string, args []string, wantID bool, defTimeout time.Duration, f *apiFlags, out, errOut *printer) (id string, code int, done bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.customer, "customer", "", "customer tenant id")
	fs.StringVar(&f.family, "family", "Azure", "product family")
	fs.StringVar(&f.baseURL, "base-url", client.DefaultBaseURL, "API root")
	fs.BoolVar(&f.json, "json", false, "JSON output")
	durationVar(fs, &f.timeout, "timeout", defTimeout, "overall time limit")
	waits := name == "wait" || name == "upgrade"
	if waits {
		durationVar(fs, &f.interval, "interval", client.DefaultPollInterval, "wait between checks")
	}
	if name == "create" || name == "upgrade" {
		fs.StringVar(&f.requestID, "request-id", "", "the MS-RequestId of an earlier create to resend")
	}
	if name == "upgrade" {
		fs.BoolVar(&f.wait, "wait", false, "wait until the upgrade completes or fails")
	}
	pos, err := parseInterspersed(fs, args)
	if err == nil && name == "upgrade" && f.wait && !flagGiven(fs, "timeout") {
		f.timeout = upgradeWaitTimeout
	}
	bad := func(format string, a ...any) (string, int, bool) {
		return "", fail(errOut, exitUsage, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, fmt.Sprintf(format, a...), name), true
	}
	switch {
	case errors.Is(err, errHelp):
		return "", show(out, errOut, name, usage), true
	case err != nil:
		return bad("%v", err)
	case f.customer == "":
		return bad("--customer is required")
	case f.timeout <= 0:
		return bad("--timeout must be positive")
	case f.requestID != "" && !guid.Valid(f.requestID):
		return bad("--request-id %q is not a GUID: give the request id of the earlier create, in 8-4-4-4-12 form", f.requestID)
	case waits && f.interval < minWaitInterval:
		return bad("--interval %s is too short: it must be at least %s, so that a wait polls Partner Center at most once a second", f.interval, minWaitInterval)
	case wantID && len(pos) != 1:
		return bad("want exactly one UPGRADE_ID argument, got %d", len(pos))
	case !wantID && len(pos) != 0:
		return bad("unexpected argument %q", pos[0])
	}
	if wantID {
		id = pos[0]
	}
	return id, exitOK, false
}

// flagGiven reports whether the command line set fs's flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// newClient makes the client of an API subcommand: the token from PARTNER_CENTER_TOKEN
// unless token is given, and the extra options after pcupgrade's own. p's scrubber (shared
// by stdout and stderr) learns the token before anything is sent.
func newClient(f *apiFlags, hc *http.Client, token string, p *printer, extra ...client.Option) (*client.Client, error) {
	if token == "" {
		token = strings.TrimSpace(getenv(tokenEnv))
		if token == "" {
			return nil, &usageError{tokenEnv + " is not set: set it to a Partner Center access token (Azure AD, resource https://api.partnercenter.microsoft.com)"}
		}
	}
	p.s.add(token)
	opts := []client.Option{
		client.WithBaseURL(f.baseURL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})),
		client.WithApplication("pcupgrade"),
	}
	if hc != nil {
		opts = append(opts, client.WithHTTPClient(hc))
	}
	opts = append(opts, extra...)
	opts = append(opts, testClientOptions...)
	c, err := client.New(opts...)
	if errors.Is(err, client.ErrInvalidInput) {
		return nil, err // report names the option as the CLI does (cliField)
	}
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return c, nil
}

// report prints err as one line on stderr and returns its exit status: exitUsage for bad
// input, exitUpgradeFailed for an upgrade that failed, exitAPI for everything else.
//
// When ctx ended because of Ctrl-C (interrupted), the status is exitInterrupted and the line
// says "interrupted". A *client.ValidationError is printed in the CLI's terms (cliField).
func report(ctx context.Context, name string, err error, errOut *printer) int {
	line := oneLine(err.Error())
	var ue *usageError
	var ve *client.ValidationError
	switch {
	case interrupted(ctx) && !errors.As(err, &ue) && !errors.Is(err, client.ErrInvalidInput):
		return fail(errOut, exitInterrupted, "pcupgrade %s: interrupted\n", name)
	case errors.As(err, &ve):
		return fail(errOut, exitUsage, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, oneLine(validationText(ve)), name)
	case errors.As(err, &ue), errors.Is(err, client.ErrInvalidInput):
		return fail(errOut, exitUsage, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, line, name)
	case errors.Is(err, client.ErrUpgradeFailed):
		return fail(errOut, exitUpgradeFailed, "pcupgrade %s: %s\n", name, line)
	case errors.Is(err, context.DeadlineExceeded):
		return fail(errOut, exitAPI, "pcupgrade %s: timed out (--timeout): %s\n", name, line)
	}
	return fail(errOut, exitAPI, "pcupgrade %s: %s\n", name, line)
}

// oneLine makes text inert and one line: runs of white space become one space.
func oneLine(text string) string {
	return strings.Join(strings.Fields(inert(text)), " ")
}

// cliNames maps what a *client.ValidationError's Field names, a library option (the part in
// parentheses, "base URL (WithBaseURL)") or an argument, to what the CLI calls it: a flag, the
// token's environment variable or the UPGRADE_ID argument.
var cliNames = map[string]string{
	"WithBaseURL":                  "--base-url",
	"WithTokenSource":              tokenEnv,
	"UpgradeRequest.CustomerID":    "--customer",
	"UpgradeRequest.ProductFamily": "--family",
	"upgradeID":                    "UPGRADE_ID",
	"requestID":                    "--request-id",
	"WaitOptions.Interval":         "--interval",
}

// cliField returns the CLI's name for a *client.ValidationError's Field: the flag or
// environment variable of cliNames; for an option the CLI has no flag for (WithApplication,
// WithLocale, ...), which pcupgrade sets itself, the field's description without the option
// ("application name"); any other field as it is.
func cliField(field string) string {
	if name, ok := cliNames[field]; ok {
		return name
	}
	desc, opt, ok := strings.Cut(field, " (")
	if !ok || !strings.HasSuffix(opt, ")") {
		return field
	}
	opt = strings.TrimSuffix(opt, ")")
	if name, ok := cliNames[opt]; ok {
		return name
	}
	if strings.HasPrefix(opt, "With") {
		return desc
	}
	return field
}

// validationText says what a *client.ValidationError says, in the CLI's terms (cliField):
// "invalid --base-url "http://example.com": must be https: ...".
func validationText(ve *client.ValidationError) string {
	return fmt.Sprintf("invalid %s %q: %s", cliField(ve.Field), ve.Value, ve.Reason)
}

func runEligibility(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("eligibility", eligibilityUsage, args, false, 30*time.Second, &f, out, errOut); done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report(ctx, "eligibility", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	e, err := c.CheckEligibility(ctx, f.request())
	if err != nil {
		return report(ctx, "eligibility", err, errOut)
	}
	if err := printEligibility(out, e, f.json); err != nil {
		return writeFailed("eligibility", err, errOut)
	}
	return exitOK
}

func runCreate(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("create", createUsage, args, false, 30*time.Second, &f, out, errOut); done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report(ctx, "create", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var u *client.Upgrade
	if f.requestID != "" {
		u, err = c.CreateUpgradeWithRequestID(ctx, f.requestID, f.request())
	} else {
		u, err = c.CreateUpgrade(ctx, f.request())
	}
	var unknown *client.OutcomeUnknownError
	if errors.As(err, &unknown) {
		return reportUnknown(ctx, &f, unknown, errOut)
	}
	if err != nil {
		return report(ctx, "create", err, errOut)
	}
	if err := printUpgrade(out, u, f.json); err != nil {
		return writeFailed("create", err, errOut)
	}
	return exitOK
}

// reportUnknown reports a create whose outcome is unknown (an upgrade may exist) on one line
// that ends with the command resuming it: the same create with --request-id, which the
// service takes for the same request. Interrupted (Ctrl-C), it exits exitInterrupted, else
// exitAPI.
func reportUnknown(ctx context.Context, f *apiFlags, e *client.OutcomeUnknownError, errOut *printer) int {
	resume := resumeCommand(f, e.RequestID)
	if interrupted(ctx) {
		return fail(errOut, exitInterrupted, "pcupgrade create: interrupted: the outcome of the create is unknown, an upgrade may exist (request id %s); to resume, run: %s\n",
			e.RequestID, resume)
	}
	return fail(errOut, exitAPI, "pcupgrade create: %s; to resume, resend it with the same request id: %s\n", oneLine(e.Error()), resume)
}

// resumeCommand is the create that resends f's create with MS-RequestId requestID; it names
// --base-url when it is not the default.
func resumeCommand(f *apiFlags, requestID string) string {
	return resumeCommandOf("create", f, requestID)
}

// resumeCommandOf is the command name (create or upgrade) that resends f's create with
// MS-RequestId requestID; it names --base-url when it is not the default, and --wait (with
// its --interval unless the default) when f has it.
func resumeCommandOf(name string, f *apiFlags, requestID string) string {
	cmd := "pcupgrade " + name + " --customer " + shellWord(f.customer) + " --family " + shellWord(f.family)
	if f.baseURL != client.DefaultBaseURL {
		cmd += " --base-url " + shellWord(f.baseURL)
	}
	if f.wait {
		cmd += " --wait"
		if f.interval != client.DefaultPollInterval {
			cmd += " --interval " + f.interval.String()
		}
	}
	return cmd + " --request-id " + shellWord(requestID)
}

// shellWord quotes s for a POSIX shell when it holds anything but letters, digits and
// -_.,:/@%+=.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@%+=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func runStatus(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	id, code, done := parseAPIFlags("status", statusUsage, args, true, 30*time.Second, &f, out, errOut)
	if done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report(ctx, "status", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	s, err := c.CheckStatus(ctx, id, f.request())
	if err != nil {
		return report(ctx, "status", err, errOut)
	}
	if err := printStatus(out, s, f.json); err != nil {
		return writeFailed("status", err, errOut)
	}
	return exitOK
}

func runWait(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	id, code, done := parseAPIFlags("wait", waitUsage, args, true, 30*time.Minute, &f, out, errOut)
	if done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report(ctx, "wait", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return waitAndPrint(ctx, "wait", c, id, &f, out, errOut)
}

// waitAndPrint waits for upgrade id (wait, upgrade --wait), showing the progress on errOut
// when it is a terminal (progress.go), and prints the final status on out. It returns exitOK
// when the upgrade completed, exitUpgradeFailed (the final status printed, error details
// included) when it failed, and report's status for any other error.
func waitAndPrint(ctx context.Context, name string, c *client.Client, id string, f *apiFlags, out, errOut *printer) int {
	lp := startProgress(errOut, stderrTerminal, id, f.interval)
	s, err := waitForUpgrade(ctx, c, id, f.request(), f.interval, lp.onProgress())
	lp.finish() // the line is cleared before anything else is printed
	if errors.Is(err, client.ErrUpgradeFailed) && s != nil {
		// The final status, error details included, is the answer a script wants.
		if perr := printStatus(out, s, f.json); perr != nil {
			return writeFailed(name, perr, errOut)
		}
	}
	if err != nil {
		return report(ctx, name, err, errOut)
	}
	if err := printStatus(out, s, f.json); err != nil {
		return writeFailed(name, err, errOut)
	}
	return exitOK
}

// waitForUpgrade polls the upgrade with client.WaitForUpgrade until it completes (nil error)
// or fails (an *client.UpgradeFailedError, with the final status).
func waitForUpgrade(ctx context.Context, c *client.Client, id string, r client.UpgradeRequest, interval time.Duration, onProgress func(*client.UpgradeStatus)) (*client.UpgradeStatus, error) {
	return c.WaitForUpgrade(ctx, id, r, &client.WaitOptions{Interval: interval, OnProgress: onProgress})
}

// JSON output shapes: the API's field names.

type eligibilityJSON struct {
	CustomerID    string `json:"customerId"`
	ProductFamily string `json:"productFamily"`
	IsEligible    bool   `json:"isEligible"`
	UpgradeID     string `json:"upgradeId,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

type upgradeJSON struct {
	UpgradeID     string `json:"upgradeId"`
	Location      string `json:"location"`
	RequestID     string `json:"requestId"`
	CorrelationID string `json:"correlationId"`
}

type errorDetailsJSON struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

type productJSON struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type lineItemJSON struct {
	SourceProduct productJSON       `json:"sourceProduct"`
	TargetProduct productJSON       `json:"targetProduct"`
	UpgradedDate  *time.Time        `json:"upgradedDate,omitempty"`
	Status        string            `json:"status,omitempty"`
	ErrorDetails  *errorDetailsJSON `json:"errorDetails,omitempty"`
}

type statusJSON struct {
	ID            string            `json:"id"`
	ProductFamily string            `json:"productFamily,omitempty"`
	Status        string            `json:"status"`
	LineItems     []lineItemJSON    `json:"lineItems"`
	ErrorDetails  *errorDetailsJSON `json:"errorDetails,omitempty"`
}

func detailsJSON(d *client.ErrorDetails) *errorDetailsJSON {
	if d == nil {
		return nil
	}
	return &errorDetailsJSON{Code: d.Code, Message: d.Message}
}

func printEligibility(p *printer, e *client.Eligibility, asJSON bool) error {
	if asJSON {
		return p.json(&eligibilityJSON{e.CustomerID, e.ProductFamily, e.IsEligible, e.UpgradeID, e.Reason})
	}
	if e.IsEligible {
		return p.printf("customer %s is eligible for an upgrade to %s\n", e.CustomerID, e.ProductFamily)
	}
	msg := fmt.Sprintf("customer %s is not eligible for an upgrade to %s", p.clean(e.CustomerID), p.clean(e.ProductFamily))
	if e.Reason != "" {
		msg += ": " + p.clean(e.Reason)
	}
	if e.UpgradeID != "" {
		msg += " (upgrade " + p.clean(e.UpgradeID) + ")"
	}
	return p.printf("%s\n", msg)
}

func printUpgrade(p *printer, u *client.Upgrade, asJSON bool) error {
	if asJSON {
		return p.json(&upgradeJSON{u.ID, u.Location, u.RequestID, u.CorrelationID})
	}
	return p.printf("upgrade %s created (Location: %s, request id %s)\n", u.ID, u.Location, u.RequestID)
}

func printStatus(p *printer, s *client.UpgradeStatus, asJSON bool) error {
	if asJSON {
		out := statusJSON{ID: s.ID, ProductFamily: s.ProductFamily, Status: s.Status, LineItems: []lineItemJSON{},
			ErrorDetails: detailsJSON(s.ErrorDetails)}
		for _, li := range s.LineItems {
			item := lineItemJSON{
				SourceProduct: productJSON{li.SourceProduct.ID, li.SourceProduct.Name},
				TargetProduct: productJSON{li.TargetProduct.ID, li.TargetProduct.Name},
				Status:        li.Status, ErrorDetails: detailsJSON(li.ErrorDetails),
			}
			if !li.UpgradedDate.IsZero() {
				d := li.UpgradedDate
				item.UpgradedDate = &d
			}
			out.LineItems = append(out.LineItems, item)
		}
		return p.json(&out)
	}
	// Each value is cleaned as it is formatted; the lines are written together.
	var b strings.Builder
	fmt.Fprintf(&b, "upgrade %s (%s): %s\n", p.clean(s.ID), p.clean(s.ProductFamily), p.clean(s.Status))
	if d := s.ErrorDetails; d != nil {
		fmt.Fprintf(&b, "  error %s: %s\n", p.clean(d.Code), p.clean(d.Message))
	}
	for _, li := range s.LineItems {
		fmt.Fprintf(&b, "  %s -> %s: %s", p.clean(li.SourceProduct.Name), p.clean(li.TargetProduct.Name), p.clean(li.Status))
		if !li.UpgradedDate.IsZero() {
			fmt.Fprintf(&b, " (upgraded %s)", li.UpgradedDate.UTC().Format(time.RFC3339))
		}
		b.WriteString("\n")
	}
	return p.write(p.s.scrub(b.String()))
}
