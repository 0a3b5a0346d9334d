package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

// creates returns the MS-RequestId of every create the fake served or lost, in order.
func creates(srv *fake.Server) []string {
	var ids []string
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && strings.EqualFold(r.Path, "/v1/productupgrades") {
			ids = append(ids, r.Header.Get("MS-RequestId"))
		}
	}
	return ids
}

// upgrade --wait survives a lost 202: exactly one upgrade, waited for until Completed, exit 0.
// With the client's retries the resend is the client's; without them EnsureUpgrade recovers
// by itself, and says so.
func TestUpgradeWaitSurvivesALostResponse(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv); noRetries sets
	// testClientOptions.
	t.Run("the client resends", func(t *testing.T) {
		srv := startFake(t, fake.WithPollsUntilComplete(1))
		require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}))
		code, out, errOut := runArgs("upgrade", "--customer", customerX, "--base-url", srv.URL, "--wait", "--interval", "1s")
		require.Equal(t, exitOK, code, out+errOut)
		assert.Empty(t, errOut, "not a terminal: no progress")
		ups := srv.Upgrades()
		require.Len(t, ups, 1, "exactly one upgrade")
		id, rid := ups[0].ID, ups[0].RequestID
		assert.Equal(t, []string{rid, rid}, creates(srv), "the lost create and its resend, with one MS-RequestId")
		assert.Equal(t, "upgrade "+id+" created (request id "+rid+")\n"+
			"upgrade "+id+" (Azure): Completed\n  AzureSubscription -> Microsoft Azure plan: Completed\n", upgradedRE.ReplaceAllString(out, ""))
	})
	t.Run("EnsureUpgrade reconciles", func(t *testing.T) {
		srv := startFake(t, fake.WithPollsUntilComplete(1))
		noRetries(t)
		require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}))
		ft := newFakeTerminal(40)
		swapTerminal(t, ft)
		code, out, errOut := runArgs("upgrade", "--customer", customerX, "--base-url", srv.URL, "--wait", "--interval", "1s")
		require.Equal(t, exitOK, code, out+errOut)
		ups := srv.Upgrades()
		require.Len(t, ups, 1, "exactly one upgrade")
		id, rid := ups[0].ID, ups[0].RequestID
		assert.Equal(t, []string{rid}, creates(srv), "found by the eligibility check: nothing resent")
		assert.Equal(t, "upgrade "+id+" recovered: the create's outcome was unknown; the eligibility check names this upgrade in place (request id "+rid+", 0 resends)\n"+
			"upgrade "+id+" (Azure): Completed\n  AzureSubscription -> Microsoft Azure plan: Completed\n", upgradedRE.ReplaceAllString(out, ""))
		got := redraws(t, errOut, 40) // the wait's progress, on the (fake) terminal
		assert.Empty(t, got[len(got)-1], "cleared before the result")
	})
}

// A customer that is not eligible: exit 5, the reason, nothing created.
func TestUpgradeNotEligible(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t, fake.WithIneligible(customerY, "Customer has no eligible subscriptions"))
	errOut := runFail(t, exitNotEligible, "upgrade", "--customer", customerY, "--base-url", srv.URL, "--wait")
	assert.Contains(t, errOut, "pcupgrade upgrade: ")
	assert.Contains(t, errOut, "is not eligible for an upgrade to \"Azure\": Customer has no eligible subscriptions")
	assert.Empty(t, srv.Upgrades())
	assert.Empty(t, creates(srv))
}

// An upgrade already in place is reported, and nothing is created.
func TestUpgradeAlreadyInPlace(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t)
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	id := guidRE.FindString(runOK(t, append([]string{"create"}, base...)...))
	require.NotEmpty(t, id)

	out := runOK(t, append([]string{"upgrade"}, base...)...)
	assert.Equal(t, "upgrade "+id+" already in place: nothing created\n", out)
	out = runOK(t, append([]string{"upgrade", "--json"}, base...)...)
	var got ensuredJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	assert.Equal(t, ensuredJSON{UpgradeID: id, Outcome: "in place"}, got)
	assert.Len(t, srv.Upgrades(), 1)
	assert.Len(t, creates(srv), 1, "only the first create")
}

// An upgrade in progress that the service does not name: exit 6, nothing created.
func TestUpgradeInProgressElsewhere(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, cliToken)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/eligibility") {
			writeBody(w, http.StatusOK, map[string]any{"customerId": customerX, "productFamily": "Azure", "isEligible": true})
			return
		}
		writeBody(w, http.StatusConflict, map[string]any{"code": 900109, "description": "An upgrade is already in progress for the customer",
			"data": []any{}, "source": "PartnerFD"})
	}))
	t.Cleanup(srv.Close)
	errOut := runFail(t, exitInProgressElsewhere, "upgrade", "--customer", customerX, "--base-url", srv.URL)
	assert.Contains(t, errOut, "is in progress elsewhere and its id is unknown")
	assert.Contains(t, errOut, "nothing was created: try again later")
}

// Gave up with the outcome unknown: exit 7 and the exact command that resumes; that command
// creates the upgrade with the same MS-RequestId, once, and (--wait) waits for it.
func TestUpgradeGaveUpPrintsTheResumeCommand(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t, fake.WithPollsUntilComplete(1))
	// The create is held until the --timeout ends the call: its outcome is unknown.
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultDelay, Operation: fake.OpCreate, Delay: time.Hour}))
	errOut := runFail(t, exitOutcomeUnknown, "upgrade", "--customer", customerX, "--base-url", srv.URL, "--wait", "--interval", "1s", "--timeout", "3s")
	rid := guidRE.FindString(errOut[strings.Index(errOut, "--request-id"):])
	require.NotEmpty(t, rid, errOut)
	assert.True(t, strings.HasPrefix(errOut, "pcupgrade upgrade: gave up: "), errOut)
	want := "pcupgrade upgrade --customer " + customerX + " --family Azure --base-url " + srv.URL + " --wait --interval 1s --request-id " + rid
	assert.True(t, strings.HasSuffix(errOut, "; an upgrade may exist; to resume, run: "+want+"\n"), errOut)
	assert.Empty(t, srv.Upgrades(), "the held create was never served")

	out := runOK(t, strings.Fields(want)[1:]...)
	ups := srv.Upgrades()
	require.Len(t, ups, 1)
	assert.Equal(t, rid, ups[0].RequestID, "the resumed create carried the same MS-RequestId")
	assert.True(t, strings.HasPrefix(out, "upgrade "+ups[0].ID+" created (request id "+rid+")\nupgrade "+ups[0].ID+" (Azure): Completed\n"), out)

	// Resumed again: the upgrade is in place, nothing more is created.
	out = runOK(t, strings.Fields(want)[1:]...)
	assert.True(t, strings.HasPrefix(out, "upgrade "+ups[0].ID+" already in place: nothing created\n"), out)
	assert.Len(t, srv.Upgrades(), 1)
}

// Ctrl-C with the create in flight: exit 130 and the command that resumes.
func TestUpgradeInterruptedPrintsTheResumeCommand(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t)
	proxied, arrived := watched(t, srv)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultDelay, Operation: fake.OpCreate, Delay: time.Hour}))
	code, out, errOut := runInterrupted(t, func() bool { return arrived.Load() > 1 }, // the eligibility check, then the create
		"upgrade", "--customer", customerX, "--base-url", proxied)
	require.Equal(t, exitInterrupted, code, out+errOut)
	assert.Empty(t, out)
	rid := guidRE.FindString(errOut[strings.Index(errOut, "request id"):])
	assert.Equal(t, "pcupgrade upgrade: interrupted: the outcome of the create is unknown, an upgrade may exist (request id "+rid+
		"); to resume, run: pcupgrade upgrade --customer "+customerX+" --family Azure --base-url "+proxied+" --request-id "+rid+"\n", errOut)
}

func TestUpgradeUsageErrorsNameTheFlag(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, cliToken)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--customer is required"},
		{[]string{"--customer", "contoso"}, `invalid --customer "contoso": must be a GUID`},
		{[]string{"--customer", customerX, "--wait=maybe"}, `--wait: invalid boolean value "maybe"`},
		{[]string{"--customer", customerX, "--request-id", "abc"}, `--request-id "abc" is not a GUID`},
		{[]string{"--customer", customerX, "--wait", "--interval", "1ms"}, "--interval 1ms is too short"},
		{[]string{"--customer", customerX, "--interval", "often"}, `--interval: "often" is not a duration`},
		{[]string{"--customer", customerX, "--timeout", "0"}, "--timeout must be positive"},
		{[]string{"--customer", customerX, "--colour"}, "flag provided but not defined: --colour"},
		{[]string{"--customer", customerX, "--request-id"}, "flag needs an argument: --request-id"},
		{[]string{"--customer", customerX, upgradeX}, `unexpected argument "` + upgradeX + `"`},
		{[]string{"--customer", customerX, "--base-url", "http://example.com"}, `invalid --base-url "http://example.com": must be https`},
	} {
		errOut := runFail(t, exitUsage, append([]string{"upgrade"}, tc.args...)...)
		assert.Contains(t, errOut, "pcupgrade upgrade: "+tc.want, "%v", tc.args)
		assert.True(t, strings.HasSuffix(errOut, " (try pcupgrade upgrade --help)\n"), errOut)
	}
}

// --timeout defaults to 2m, 30m with --wait; a given one is kept.
func TestUpgradeTimeoutDefaults(t *testing.T) {
	t.Parallel()
	p := newPrinter(io.Discard, newScrubber(""))
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--customer", customerX}, 2 * time.Minute},
		{[]string{"--customer", customerX, "--wait"}, 30 * time.Minute},
		{[]string{"--customer", customerX, "--wait", "--timeout", "5"}, 5 * time.Second},
		{[]string{"--customer", customerX, "--timeout", "1h"}, time.Hour},
	} {
		var f apiFlags
		_, code, done := parseAPIFlags("upgrade", "", tc.args, false, upgradeTimeout, &f, p, p)
		require.False(t, done, "%v: exit %d", tc.args, code)
		assert.Equal(t, tc.want, f.timeout, "%v", tc.args)
	}
}

func TestPrintEnsured(t *testing.T) {
	t.Parallel()
	const id, rid = upgradeX, customerY
	for _, tc := range []struct {
		res     client.EnsureResult
		text    string
		outcome string
	}{
		{client.EnsureResult{UpgradeID: id, Created: true, RequestID: rid}, "upgrade " + id + " created (request id " + rid + ")\n", "created"},
		{client.EnsureResult{UpgradeID: id}, "upgrade " + id + " already in place: nothing created\n", "in place"},
		{client.EnsureResult{UpgradeID: id, RequestID: rid},
			"upgrade " + id + " already in place: the create was refused as a duplicate, nothing created (request id " + rid + ")\n", "in place"},
		{client.EnsureResult{UpgradeID: id, Created: true, Recovered: true, RequestID: rid, Resends: 2},
			"upgrade " + id + " recovered: the create's outcome was unknown; resent with the same request id " + rid + ", it was accepted (2 resends)\n", "recovered"},
		{client.EnsureResult{UpgradeID: id, Recovered: true, RequestID: rid},
			"upgrade " + id + " recovered: the create's outcome was unknown; the eligibility check names this upgrade in place (request id " + rid + ", 0 resends)\n", "recovered"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b, newScrubber(""))
		require.NoError(t, printEnsured(p, &tc.res, false))
		assert.Equal(t, tc.text, b.String())
		b.Reset()
		require.NoError(t, printEnsured(p, &tc.res, true))
		var got ensuredJSON
		require.NoError(t, json.Unmarshal(b.Bytes(), &got), b.String())
		assert.Equal(t, ensuredJSON{UpgradeID: id, Outcome: tc.outcome, Created: tc.res.Created, Recovered: tc.res.Recovered,
			RequestID: tc.res.RequestID, Resends: tc.res.Resends}, got)
	}
}

// upgrade --wait exits as wait does when the upgrade fails: 1, with the final status.
func TestUpgradeWaitFailedUpgradeExitsOne(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t, fake.WithPollsUntilComplete(1), fake.WithFailure(customerY, "900105", "suspended subscriptions"))
	code, out, errOut := runArgs("upgrade", "--customer", customerY, "--base-url", srv.URL, "--wait", "--interval", "1s")
	assert.Equal(t, exitUpgradeFailed, code, out+errOut)
	assert.Contains(t, errOut, `pcupgrade upgrade: `)
	assert.Contains(t, errOut, `ended with status "Failed": code 900105: suspended subscriptions`)
	require.Len(t, srv.Upgrades(), 1)
	assert.Contains(t, out, "upgrade "+srv.Upgrades()[0].ID+" created (request id ")
	assert.Contains(t, out, "  error 900105: suspended subscriptions\n")
}

// upgrade's output that cannot be written: exit 4, whether the result or (--wait) the final
// status is lost.
func TestUpgradeOutputThatCannotBeWrittenExitsFour(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv).
	srv := startFake(t, fake.WithPollsUntilComplete(1))
	runFull(t, 0, "upgrade", "--customer", customerX, "--base-url", srv.URL)
	runFull(t, 0, "upgrade", "--customer", customerX, "--base-url", srv.URL, "--json")
	runBroken(t, &flakyWriter{fail: 2}, "upgrade", "--customer", customerX, "--base-url", srv.URL, "--wait", "--interval", "1s")
	runFull(t, 0, "upgrade", "--help")
	assert.Len(t, srv.Upgrades(), 1)
}
