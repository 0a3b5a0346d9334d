package main

// The API subcommands: eligibility, create, status and wait, each one call (or one poll
// loop) of package client, and demo (demo.go), which runs them against the in-process fake.
// The init below also lists version (main.go) last, so that the usage ends with it.
//
// Exit status of these subcommands: 0 success; 1 the upgrade ended in a failure state
// (wait); 2 usage error (a bad flag, a customer id that is not a GUID, PARTNER_CENTER_TOKEN
// not set); 3 the API call failed (an error response, a network error, a timeout); 4 the
// output could not be written.

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
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
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
(an error response, a network error or a timeout), 4 the output could not be written
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
create never starts a second upgrade; when the outcome is unknown, the error says so and
"pcupgrade eligibility" names the upgrade if it exists.

` + fmt.Sprintf(commonFlags, "30s") + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade create --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --family Azure
`

var statusUsage = `usage: pcupgrade status --customer GUID [flags] UPGRADE_ID

Prints the status of the upgrade and of its line items.

` + fmt.Sprintf(commonFlags, "30s") + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade status --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
`

var waitUsage = `usage: pcupgrade wait --customer GUID [flags] UPGRADE_ID

Checks the status of the upgrade every --interval until it completes or fails. On a
terminal the status is one live line; otherwise each check prints a line.

` + fmt.Sprintf(commonFlags, "30m") + `  --interval D       wait between two checks (default 15s, at least 1s)
` + exitCodes + `
example:
  PARTNER_CENTER_TOKEN=... pcupgrade wait --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --interval 30s 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
`

// apiFlags are the flags every API subcommand takes.
type apiFlags struct {
	customer, family, baseURL string
	json                      bool
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
	if name == "wait" {
		durationVar(fs, &f.interval, "interval", client.DefaultPollInterval, "wait between checks")
	}
	pos, err := parseInterspersed(fs, args)
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
	case name == "wait" && f.interval < minWaitInterval:
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

// newClient makes the client of an API subcommand: the token from PARTNER_CENTER_TOKEN
// unless token is given. p's scrubber (shared by stdout and stderr) learns the token before
// anything is sent.
func newClient(f *apiFlags, hc *http.Client, token string, p *printer) (*client.Client, error) {
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
	opts = append(opts, testClientOptions...)
	c, err := client.New(opts...)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return c, nil
}

// report prints err as one line on stderr and returns its exit status: exitUsage for bad
// input, exitUpgradeFailed for an upgrade that failed, exitAPI for everything else.
func report(name string, err error, errOut *printer) int {
	line := strings.Join(strings.Fields(inert(err.Error())), " ")
	var ue *usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, client.ErrInvalidInput):
		return fail(errOut, exitUsage, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, line, name)
	case errors.Is(err, client.ErrUpgradeFailed):
		return fail(errOut, exitUpgradeFailed, "pcupgrade %s: %s\n", name, line)
	case errors.Is(err, context.DeadlineExceeded):
		return fail(errOut, exitAPI, "pcupgrade %s: timed out (--timeout): %s\n", name, line)
	}
	return fail(errOut, exitAPI, "pcupgrade %s: %s\n", name, line)
}

func runEligibility(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("eligibility", eligibilityUsage, args, false, 30*time.Second, &f, out, errOut); done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report("eligibility", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	e, err := c.CheckEligibility(ctx, f.request())
	if err != nil {
		return report("eligibility", err, errOut)
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
		return report("create", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	u, err := c.CreateUpgrade(ctx, f.request())
	if err != nil {
		return report("create", err, errOut)
	}
	if err := printUpgrade(out, u, f.json); err != nil {
		return writeFailed("create", err, errOut)
	}
	return exitOK
}

func runStatus(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	id, code, done := parseAPIFlags("status", statusUsage, args, true, 30*time.Second, &f, out, errOut)
	if done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report("status", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	s, err := c.CheckStatus(ctx, id, f.request())
	if err != nil {
		return report("status", err, errOut)
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
		return report("wait", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var p progress
	if !f.json {
		p = newProgress(out, isTerminal(out.w))
	}
	s, err := waitForUpgrade(ctx, c, id, f.request(), f.interval, p.update)
	p.finish()
	if errors.Is(err, client.ErrUpgradeFailed) && s != nil && p.err == nil {
		// The final status, error details included, is the answer a script wants.
		if perr := printStatus(out, s, f.json); perr != nil {
			return writeFailed("wait", perr, errOut)
		}
	}
	if err != nil {
		return report("wait", err, errOut) // a failed wait's status says more than a lost line
	}
	if p.err != nil {
		return writeFailed("wait", p.err, errOut) // the progress lines were cut short
	}
	if err := printStatus(out, s, f.json); err != nil {
		return writeFailed("wait", err, errOut)
	}
	return exitOK
}

// waitForUpgrade polls the upgrade with client.WaitForUpgrade until it completes (nil error)
// or fails (an *client.UpgradeFailedError, with the final status).
func waitForUpgrade(ctx context.Context, c *client.Client, id string, r client.UpgradeRequest, interval time.Duration, onProgress func(*client.UpgradeStatus)) (*client.UpgradeStatus, error) {
	return c.WaitForUpgrade(ctx, id, r, &client.WaitOptions{Interval: interval, OnProgress: onProgress})
}

// progress shows wait's checks: one line rewritten in place on a terminal, a line per check
// otherwise. The zero value shows nothing. After the first write error it writes nothing
// more and keeps the error in err, for the command to report when the wait ends.
type progress struct {
	p      *printer
	live   bool
	checks int
	start  time.Time
	width  int
	err    error
}

// printf prints a progress line unless an earlier one could not be written.
func (p *progress) printf(format string, args ...any) {
	if p.err == nil {
		p.err = p.p.printf(format, args...)
	}
}

func newProgress(p *printer, live bool) progress {
	return progress{p: p, live: live, start: time.Now()}
}

func (p *progress) update(s *client.UpgradeStatus) {
	if p.p == nil {
		return
	}
	p.checks++
	// The id and the status come from the server: cleaned before the width is measured, so
	// that the padding covers what the terminal really shows.
	line := fmt.Sprintf("upgrade %s: %s (check %d", p.p.clean(s.ID), p.p.clean(s.Status), p.checks)
	if p.live {
		line += fmt.Sprintf(", %s", time.Since(p.start).Round(time.Second))
		line += ")"
		pad := ""
		if n := p.width - utf8.RuneCountInString(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		p.width = utf8.RuneCountInString(line)
		p.printf("\r%s%s", line, pad)
		return
	}
	p.printf("%s)\n", line)
}

func (p *progress) finish() {
	if p.p != nil && p.live && p.checks > 0 {
		p.printf("\n")
	}
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
