package main

// pcupgrade upgrade: the safe path in one command, client.EnsureUpgrade (eligibility, one
// create, a lost response recovered with the same MS-RequestId, never a second upgrade), and
// with --wait the wait of pcupgrade wait.
//
// Its exit statuses add three to the API subcommands' (upgrade.go), so that a script can
// branch on them without reading the message: exitNotEligible, exitInProgressElsewhere and
// exitOutcomeUnknown.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partnercenter-go/productupgrades/client"
)

// Exit statuses of upgrade, beside 0-4 and 130.
const (
	// exitNotEligible: the customer cannot be upgraded to the family (client.ErrNotEligible).
	exitNotEligible = 5
	// exitInProgressElsewhere: an upgrade of the customer is in progress and the service does
	// not say which (client.ErrUpgradeInProgress); nothing was created, try again later.
	exitInProgressElsewhere = 6
	// exitOutcomeUnknown: EnsureUpgrade gave up with the create's outcome unknown
	// (client.ErrOutcomeUnknown): an upgrade may exist; the message gives the command that
	// resumes with --request-id.
	exitOutcomeUnknown = 7
)

// upgradeTimeout and upgradeWaitTimeout are upgrade's default --timeout, without and with
// --wait: EnsureUpgrade may resend a create a few times, each with its retries; a wait takes
// as long as the upgrade.
const (
	upgradeTimeout     = 2 * time.Minute
	upgradeWaitTimeout = 30 * time.Minute
)

var upgradeUsage = `usage: pcupgrade upgrade --customer GUID [--family NAME] [--wait] [--request-id GUID] [flags]

Makes sure the customer is upgraded to the product family, the safe way (client.EnsureUpgrade):
checks eligibility, creates the upgrade only when none is in place, and when the create's
response is lost, reconciles or resends it with the same MS-RequestId, so that it never starts
a second upgrade. Prints the upgrade id and whether it was created, already in place, or
recovered. With --wait it then waits for the upgrade as pcupgrade wait does (the same
progress line on a terminal's stderr) and prints its final status.

` + fmt.Sprintf(commonFlags, "2m, 30m with --wait") + `  --wait             wait until the upgrade completes or fails
  --interval D       with --wait, the wait between two checks (default 15s, at least 1s)
  --request-id GUID  resume an earlier upgrade whose outcome was unknown, with its MS-RequestId
                     (the command to run is printed with exit status 7)

--json prints the result as JSON ({"upgradeId", "outcome": "created", "in place" or
"recovered", "created", "recovered", "requestId", "resends"}); with --wait the final status
follows as a second JSON document.

A duration D is written 30s, 2m or 1m30s, or as a plain number of seconds.
The access token is read from PARTNER_CENTER_TOKEN and never printed.

exit status: 0 the upgrade exists (with --wait: it completed), 1 the upgrade failed (--wait),
2 usage error, 3 an API call failed (an error response, a network error or a timeout),
4 the output could not be written, 5 the customer is not eligible, 6 an upgrade is in
progress elsewhere and its id is unknown (nothing created; try again later), 7 gave up with
the outcome unknown (an upgrade may exist; run the printed command, which resumes with
--request-id), 130 interrupted (Ctrl-C)

example:
  PARTNER_CENTER_TOKEN=... pcupgrade upgrade --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --wait
  PARTNER_CENTER_TOKEN=... pcupgrade upgrade --customer 4c721420-72ad-4708-a0a7-371a2f7b0969 --request-id 9f0c7f5e-3c1a-4d5e-8a7b-2b1c0d9e8f7a
`

func runUpgrade(ctx context.Context, args []string, out, errOut *printer) int {
	var f apiFlags
	if _, code, done := parseAPIFlags("upgrade", upgradeUsage, args, false, upgradeTimeout, &f, out, errOut); done {
		return code
	}
	c, err := newClient(&f, nil, "", errOut)
	if err != nil {
		return report(ctx, "upgrade", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var res *client.EnsureResult
	if f.requestID != "" {
		res, err = c.EnsureUpgradeWithRequestID(ctx, f.requestID, f.request())
	} else {
		res, err = c.EnsureUpgrade(ctx, f.request())
	}
	if err != nil {
		return reportEnsure(ctx, &f, err, errOut)
	}
	if err := printEnsured(out, res, f.json); err != nil {
		return writeFailed("upgrade", err, errOut)
	}
	if !f.wait {
		return exitOK
	}
	return waitAndPrint(ctx, "upgrade", c, res.UpgradeID, &f, out, errOut)
}

// reportEnsure prints an error of EnsureUpgrade on one line and returns its exit status: the
// three of upgrade's own (not eligible, in progress elsewhere, outcome unknown, with the
// command that resumes), else as report does.
func reportEnsure(ctx context.Context, f *apiFlags, err error, errOut *printer) int {
	var unknown *client.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		resume := resumeCommandOf("upgrade", f, unknown.RequestID)
		if interrupted(ctx) {
			return fail(errOut, exitInterrupted, "pcupgrade upgrade: interrupted: the outcome of the create is unknown, an upgrade may exist (request id %s); to resume, run: %s\n",
				unknown.RequestID, resume)
		}
		return fail(errOut, exitOutcomeUnknown, "pcupgrade upgrade: gave up: %s; an upgrade may exist; to resume, run: %s\n", oneLine(err.Error()), resume)
	case interrupted(ctx):
		return report(ctx, "upgrade", err, errOut)
	case errors.Is(err, client.ErrNotEligible):
		return fail(errOut, exitNotEligible, "pcupgrade upgrade: %s\n", oneLine(err.Error()))
	case errors.Is(err, client.ErrUpgradeInProgress):
		return fail(errOut, exitInProgressElsewhere, "pcupgrade upgrade: %s; nothing was created: try again later (pcupgrade eligibility names the upgrade once the service does)\n",
			oneLine(err.Error()))
	}
	return report(ctx, "upgrade", err, errOut)
}

// ensureOutcome is what EnsureUpgrade's result says happened, in a word or two: "created",
// "in place" or "recovered".
func ensureOutcome(r *client.EnsureResult) string {
	switch {
	case r.Recovered:
		return "recovered"
	case r.Created:
		return "created"
	}
	return "in place"
}

// ensuredJSON is upgrade's --json result.
type ensuredJSON struct {
	UpgradeID string `json:"upgradeId"`
	Outcome   string `json:"outcome"`
	Created   bool   `json:"created"`
	Recovered bool   `json:"recovered"`
	RequestID string `json:"requestId,omitempty"`
	Resends   int    `json:"resends"`
}

// printEnsured prints EnsureUpgrade's result: the upgrade id and whether it was created, was
// already in place, or was recovered after an unknown outcome.
func printEnsured(p *printer, r *client.EnsureResult, asJSON bool) error {
	if asJSON {
		return p.json(&ensuredJSON{r.UpgradeID, ensureOutcome(r), r.Created, r.Recovered, r.RequestID, r.Resends})
	}
	switch {
	case r.Recovered && r.Created:
		return p.printf("upgrade %s recovered: the create's outcome was unknown; resent with the same request id %s, it was accepted (%d resends)\n",
			r.UpgradeID, r.RequestID, r.Resends)
	case r.Recovered:
		return p.printf("upgrade %s recovered: the create's outcome was unknown; the eligibility check names this upgrade in place (request id %s, %d resends)\n",
			r.UpgradeID, r.RequestID, r.Resends)
	case r.Created:
		return p.printf("upgrade %s created (request id %s)\n", r.UpgradeID, r.RequestID)
	case r.RequestID != "":
		return p.printf("upgrade %s already in place: the create was refused as a duplicate, nothing created (request id %s)\n", r.UpgradeID, r.RequestID)
	}
	return p.printf("upgrade %s already in place: nothing created\n", r.UpgradeID)
}
