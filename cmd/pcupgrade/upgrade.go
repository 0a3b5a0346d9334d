package main

// The API subcommands: eligibility, create, status and wait, each one call (or one poll
// loop) of package client, and demo (demo.go), which runs them against the in-process fake.
//
// Exit status of these subcommands: 0 success; 1 the upgrade ended in a failure state
// (wait); 2 usage error (a bad flag, a customer id that is not a GUID, PARTNER_CENTER_TOKEN
// not set); 3 the API call failed (an error response, a network error, a timeout).

import (
	"context"
	"encoding/json"
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
)

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

func init() {
	commands = append(commands,
		command{name: "eligibility", summary: "tell whether a customer can be upgraded (POST /v1/productupgrades/eligibility)", usage: eligibilityUsage, run: runEligibility},
		command{name: "create", summary: "start an upgrade; prints its id from the 202's Location (POST /v1/productupgrades)", usage: createUsage, run: runCreate},
		command{name: "status", summary: "show the status of an upgrade (POST /v1/productupgrades/{id}/status)", usage: statusUsage, run: runStatus},
		command{name: "wait", summary: "poll an upgrade's status until it completes or fails", usage: waitUsage, run: runWait},
		command{name: "demo", summary: "run eligibility, create and wait against an in-process fake (no credentials)", usage: demoUsage, run: runDemo},
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
The access token is read from PARTNER_CENTER_TOKEN and never printed.

exit status: 0 ok, 1 the upgrade failed (wait), 2 usage error, 3 the API call failed
(an error response, a network error or a timeout)
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

` + fmt.Sprintf(commonFlags, "30m") + `  --interval D       wait between two checks (default 15s)
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
func parseAPIFlags(name, usage string, args []string, wantID bool, defTimeout time.Duration, f *apiFlags, stdout, stderr io.Writer) (id string, code int, done bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.customer, "customer", "", "customer tenant id")
	fs.StringVar(&f.family, "family", "Azure", "product family")
	fs.StringVar(&f.baseURL, "base-url", client.DefaultBaseURL, "API root")
	fs.BoolVar(&f.json, "json", false, "JSON output")
	fs.DurationVar(&f.timeout, "timeout", defTimeout, "overall time limit")
	if name == "wait" {
		fs.DurationVar(&f.interval, "interval", client.DefaultPollInterval, "wait between checks")
	}
	pos, err := parseInterspersed(fs, args)
	fail := func(format string, a ...any) (string, int, bool) {
		fmt.Fprintf(stderr, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, fmt.Sprintf(format, a...), name)
		return "", exitUsage, true
	}
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usage)
		return "", exitOK, true
	case err != nil:
		return fail("%v", err)
	case f.customer == "":
		return fail("--customer is required")
	case f.timeout <= 0:
		return fail("--timeout must be positive")
	case name == "wait" && f.interval <= 0:
		return fail("--interval must be positive")
	case wantID && len(pos) != 1:
		return fail("want exactly one UPGRADE_ID argument, got %d", len(pos))
	case !wantID && len(pos) != 0:
		return fail("unexpected argument %q", pos[0])
	}
	if wantID {
		id = pos[0]
	}
	return id, exitOK, false
}

// newClient makes the client of an API subcommand: the token from PARTNER_CENTER_TOKEN.
func newClient(name string, f *apiFlags, hc *http.Client, token string) (*client.Client, error) {
	if token == "" {
		token = strings.TrimSpace(getenv(tokenEnv))
		if token == "" {
			return nil, &usageError{tokenEnv + " is not set: set it to a Partner Center access token (Azure AD, resource https://api.partnercenter.microsoft.com)"}
		}
	}
	opts := []client.Option{
		client.WithBaseURL(f.baseURL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})),
		client.WithApplication("pcupgrade"),
	}
	if hc != nil {
		opts = append(opts, client.WithHTTPClient(hc))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return c, nil
}

// report prints err as one line on stderr and returns its exit status: exitUsage for bad
// input, exitUpgradeFailed for an upgrade that failed, exitAPI for everything else.
func report(name string, err error, stderr io.Writer) int {
	line := strings.Join(strings.Fields(err.Error()), " ")
	var ue *usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, client.ErrInvalidInput):
		fmt.Fprintf(stderr, "pcupgrade %s: %s (try pcupgrade %s --help)\n", name, line, name)
		return exitUsage
	case errors.Is(err, client.ErrUpgradeFailed):
		fmt.Fprintf(stderr, "pcupgrade %s: %s\n", name, line)
		return exitUpgradeFailed
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "pcupgrade %s: timed out (--timeout): %s\n", name, line)
		return exitAPI
	}
	fmt.Fprintf(stderr, "pcupgrade %s: %s\n", name, line)
	return exitAPI
}

func runEligibility(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("eligibility", eligibilityUsage, args, false, 30*time.Second, &f, stdout, stderr); done {
		return code
	}
	c, err := newClient("eligibility", &f, nil, "")
	if err != nil {
		return report("eligibility", err, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	e, err := c.CheckEligibility(ctx, f.request())
	if err != nil {
		return report("eligibility", err, stderr)
	}
	if err := printEligibility(stdout, e, f.json); err != nil {
		return report("eligibility", err, stderr)
	}
	return exitOK
}

func runCreate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("create", createUsage, args, false, 30*time.Second, &f, stdout, stderr); done {
		return code
	}
	c, err := newClient("create", &f, nil, "")
	if err != nil {
		return report("create", err, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	u, err := c.CreateUpgrade(ctx, f.request())
	if err != nil {
		return report("create", err, stderr)
	}
	if err := printUpgrade(stdout, u, f.json); err != nil {
		return report("create", err, stderr)
	}
	return exitOK
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f apiFlags
	id, code, done := parseAPIFlags("status", statusUsage, args, true, 30*time.Second, &f, stdout, stderr)
	if done {
		return code
	}
	c, err := newClient("status", &f, nil, "")
	if err != nil {
		return report("status", err, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	s, err := c.CheckStatus(ctx, id, f.request())
	if err != nil {
		return report("status", err, stderr)
	}
	if err := printStatus(stdout, s, f.json); err != nil {
		return report("status", err, stderr)
	}
	return exitOK
}

func runWait(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f apiFlags
	id, code, done := parseAPIFlags("wait", waitUsage, args, true, 30*time.Minute, &f, stdout, stderr)
	if done {
		return code
	}
	c, err := newClient("wait", &f, nil, "")
	if err != nil {
		return report("wait", err, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var p progress
	if !f.json {
		p = newProgress(stdout, isTerminal(stdout))
	}
	s, err := waitForUpgrade(ctx, c, id, f.request(), f.interval, p.update)
	p.finish()
	if errors.Is(err, client.ErrUpgradeFailed) && s != nil {
		// The final status, error details included, is the answer a script wants.
		if perr := printStatus(stdout, s, f.json); perr != nil {
			return report("wait", perr, stderr)
		}
	}
	if err != nil {
		return report("wait", err, stderr)
	}
	if err := printStatus(stdout, s, f.json); err != nil {
		return report("wait", err, stderr)
	}
	return exitOK
}

// waitForUpgrade polls the upgrade with client.WaitForUpgrade until it completes (nil error)
// or fails (an *client.UpgradeFailedError, with the final status).
func waitForUpgrade(ctx context.Context, c *client.Client, id string, r client.UpgradeRequest, interval time.Duration, onProgress func(*client.UpgradeStatus)) (*client.UpgradeStatus, error) {
	return c.WaitForUpgrade(ctx, id, r, &client.WaitOptions{Interval: interval, OnProgress: onProgress})
}

// progress shows wait's checks: one line rewritten in place on a terminal, a line per check
// otherwise. The zero value shows nothing.
type progress struct {
	w      io.Writer
	live   bool
	checks int
	start  time.Time
	width  int
}

func newProgress(w io.Writer, live bool) progress {
	return progress{w: w, live: live, start: time.Now()}
}

func (p *progress) update(s *client.UpgradeStatus) {
	if p.w == nil {
		return
	}
	p.checks++
	line := fmt.Sprintf("upgrade %s: %s (check %d", s.ID, s.Status, p.checks)
	if p.live {
		line += fmt.Sprintf(", %s", time.Since(p.start).Round(time.Second))
		line += ")"
		pad := ""
		if n := p.width - len(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		p.width = len(line)
		fmt.Fprintf(p.w, "\r%s%s", line, pad)
		return
	}
	fmt.Fprintln(p.w, line+")")
}

func (p *progress) finish() {
	if p.w != nil && p.live && p.checks > 0 {
		fmt.Fprintln(p.w)
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

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printEligibility(w io.Writer, e *client.Eligibility, asJSON bool) error {
	if asJSON {
		return writeJSONOut(w, eligibilityJSON{e.CustomerID, e.ProductFamily, e.IsEligible, e.UpgradeID, e.Reason})
	}
	var err error
	if e.IsEligible {
		_, err = fmt.Fprintf(w, "customer %s is eligible for an upgrade to %s\n", e.CustomerID, e.ProductFamily)
	} else {
		msg := fmt.Sprintf("customer %s is not eligible for an upgrade to %s", e.CustomerID, e.ProductFamily)
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
		if e.UpgradeID != "" {
			msg += " (upgrade " + e.UpgradeID + ")"
		}
		_, err = fmt.Fprintln(w, msg)
	}
	return err
}

func printUpgrade(w io.Writer, u *client.Upgrade, asJSON bool) error {
	if asJSON {
		return writeJSONOut(w, upgradeJSON{u.ID, u.Location, u.RequestID, u.CorrelationID})
	}
	_, err := fmt.Fprintf(w, "upgrade %s created (Location: %s, request id %s)\n", u.ID, u.Location, u.RequestID)
	return err
}

func printStatus(w io.Writer, s *client.UpgradeStatus, asJSON bool) error {
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
		return writeJSONOut(w, out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "upgrade %s (%s): %s\n", s.ID, s.ProductFamily, s.Status)
	if d := s.ErrorDetails; d != nil {
		fmt.Fprintf(&b, "  error %s: %s\n", d.Code, d.Message)
	}
	for _, li := range s.LineItems {
		fmt.Fprintf(&b, "  %s -> %s: %s", li.SourceProduct.Name, li.TargetProduct.Name, li.Status)
		if !li.UpgradedDate.IsZero() {
			fmt.Fprintf(&b, " (upgraded %s)", li.UpgradedDate.UTC().Format(time.RFC3339))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
