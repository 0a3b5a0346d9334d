package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

const (
	cliToken  = "cli-secret-token-never-printed"
	customerX = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	customerY = "c1958bc7-3284-4952-a257-de594ee64743"
)

// startFake runs a fake Partner Center for the test and sets the token variable.
func startFake(t *testing.T, opts ...fake.Option) *fake.Server {
	t.Helper()
	t.Setenv(tokenEnv, cliToken)
	return fake.Start(t, opts...)
}

// runOK runs args and requires exit status 0; it checks the token never shows.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runArgs(args...)
	require.Equal(t, 0, code, "%v\nstdout: %s\nstderr: %s", args, out, errOut)
	assert.NotContains(t, out+errOut, cliToken)
	return out
}

// runFail runs args, requires exit status want and one line on stderr, and returns it.
func runFail(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, out, errOut := runArgs(args...)
	require.Equal(t, want, code, "%v\nstdout: %s\nstderr: %s", args, out, errOut)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
	assert.NotContains(t, out+errOut, cliToken)
	return errOut
}

var guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestWorkflowThroughTheSubcommands(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t, fake.WithPollsUntilComplete(2))
	base := []string{"--customer", customerX, "--base-url", srv.URL}

	out := runOK(t, append([]string{"eligibility"}, base...)...)
	assert.Equal(t, "customer "+customerX+" is eligible for an upgrade to Azure\n", out)

	out = runOK(t, append([]string{"create", "--json"}, base...)...)
	var created struct{ UpgradeID, Location, RequestID string }
	require.NoError(t, json.Unmarshal([]byte(out), &created), out)
	require.Regexp(t, guidRE, created.UpgradeID)
	assert.Equal(t, "productUpgrades/"+created.UpgradeID, created.Location)
	id := created.UpgradeID

	out = runOK(t, append([]string{"status", id}, base...)...)
	assert.Contains(t, out, "upgrade "+id+" (Azure): InProgress\n")
	assert.Contains(t, out, "AzureSubscription -> Microsoft Azure plan: InProgress")

	// Flags after the argument work too; stderr is not a terminal, so no progress: stdout
	// holds the final status alone.
	code, out, errOut := runArgs(append([]string{"wait", id, "--interval", "1s"}, base...)...)
	require.Equal(t, exitOK, code, out+errOut)
	assert.Empty(t, errOut)
	assert.Equal(t, []string{
		"upgrade " + id + " (Azure): Completed",
		"  AzureSubscription -> Microsoft Azure plan: Completed",
	}, strings.Split(regexp.MustCompile(` \(upgraded [^)]*\)`).ReplaceAllString(out, ""), "\n")[:2])
	assert.NotContains(t, out, "\r")
	assert.NotContains(t, out, "check")

	out = runOK(t, append([]string{"eligibility", "--json"}, base...)...)
	var e eligibilityJSON
	require.NoError(t, json.Unmarshal([]byte(out), &e), out)
	assert.Equal(t, eligibilityJSON{CustomerID: customerX, ProductFamily: "Azure", IsEligible: false, UpgradeID: id,
		Reason: "Upgrade " + id + " is completed"}, e)

	out = runOK(t, append([]string{"status", "--json", id}, base...)...)
	var s statusJSON
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	assert.Equal(t, "Completed", s.Status)
	require.Len(t, s.LineItems, 1)
	assert.NotNil(t, s.LineItems[0].UpgradedDate)

	// Every request carried the token from the environment; the fake records it redacted.
	for _, r := range srv.Requests() {
		assert.Equal(t, "Bearer <redacted>", r.Header.Get("Authorization"))
		assert.Equal(t, "pcupgrade", r.Header.Get("MS-PartnerCenter-Application"))
	}
	assert.Len(t, srv.Upgrades(), 1)
}

func TestAPIErrorsExitThree(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t)
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	runOK(t, append([]string{"create"}, base...)...)

	errOut := runFail(t, exitAPI, append([]string{"create"}, base...)...)
	assert.Contains(t, errOut, "pcupgrade create: productupgrades: CreateProductUpgrade: 409 Conflict: code 900109")

	errOut = runFail(t, exitAPI, append([]string{"status", "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"}, base...)...)
	assert.Contains(t, errOut, "404 Not Found: code 900106")

	// Nothing listens: a network error, cut short by --timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	errOut = runFail(t, exitAPI, "eligibility", "--customer", customerX, "--base-url", closed, "--timeout", "100ms")
	assert.Contains(t, errOut, "pcupgrade eligibility: ")
}

func TestFailedUpgradeExitsOne(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t, fake.WithPollsUntilComplete(1), fake.WithFailure(customerY, "900105", "suspended subscriptions"))
	base := []string{"--customer", customerY, "--base-url", srv.URL}
	out := runOK(t, append([]string{"create"}, base...)...)
	id := guidRE.FindString(out)
	require.NotEmpty(t, id)
	errOut := runFail(t, exitUpgradeFailed, append([]string{"wait", "--interval", "1s", id}, base...)...)
	assert.Contains(t, errOut, `ended with status "Failed": code 900105: suspended subscriptions`)

	// --json still prints the final status, error details included.
	out = runOK(t, append([]string{"create"}, base...)...)
	id = guidRE.FindString(out)
	code, out, _ := runArgs(append([]string{"wait", "--json", "--interval", "1s", id}, base...)...)
	assert.Equal(t, exitUpgradeFailed, code)
	var s statusJSON
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	assert.Equal(t, "Failed", s.Status)
	assert.Equal(t, &errorDetailsJSON{Code: "900105", Message: "suspended subscriptions"}, s.ErrorDetails)
}

func TestUsageErrorsOfTheAPISubcommands(t *testing.T) {
	// Not parallel: t.Setenv; its subtests run under that environment, in turn.
	t.Setenv(tokenEnv, cliToken)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no customer", []string{"eligibility"}, "--customer is required"},
		{"customer not a GUID", []string{"create", "--customer", "contoso"}, `invalid --customer "contoso": must be a GUID`},
		{"status without id", []string{"status", "--customer", customerX}, "want exactly one UPGRADE_ID argument, got 0"},
		{"upgrade id not a GUID", []string{"status", "--customer", customerX, "nope"}, `invalid UPGRADE_ID "nope": must be a GUID`},
		{"extra argument", []string{"eligibility", "--customer", customerX, "extra"}, `unexpected argument "extra"`},
		{"unknown flag", []string{"create", "--customer", customerX, "--colour"}, "flag provided but not defined: --colour"},
		{"bad base URL", []string{"eligibility", "--customer", customerX, "--base-url", "ftp://x"}, `invalid --base-url "ftp://x": must be an absolute http or https URL`},
		{"http base URL off loopback", []string{"eligibility", "--customer", customerX, "--base-url", "http://example.com"}, `invalid --base-url "http://example.com": must be https`},
		{"request id not a GUID", []string{"create", "--customer", customerX, "--request-id", "abc"}, `--request-id "abc" is not a GUID`},
		{"request id empty braces", []string{"create", "--customer", customerX, "--request-id={" + customerY + "}"}, `--request-id "{` + customerY + `}" is not a GUID`},
		{"bad timeout", []string{"eligibility", "--customer", customerX, "--timeout", "0s"}, "--timeout must be positive"},
		{"bad interval", []string{"wait", "--customer", customerX, "--interval", "-1s", customerY}, "--interval -1s is too short: it must be at least 1s"},
		{"interval under a second", []string{"wait", "--customer", customerX, "--interval", "1ns", customerY}, "--interval 1ns is too short: it must be at least 1s"},
		{"interval just under a second", []string{"wait", "--customer", customerX, "--interval", "999ms", customerY}, "--interval 999ms is too short"},
		{"demo argument", []string{"demo", "now"}, `unexpected argument "now"`},
		{"timeout not a duration", []string{"eligibility", "--customer", customerX, "--timeout", "abc"}, `--timeout: "abc" is not a duration: write 30s, 2m or 1m30s, or a number of seconds`},
		{"timeout not a duration (create)", []string{"create", "--customer", customerX, "--timeout=5x"}, `--timeout: "5x" is not a duration: write 30s`},
		{"timeout not a duration (status)", []string{"status", "--customer", customerX, "--timeout", "soon", customerY}, `--timeout: "soon" is not a duration`},
		{"timeout not a duration (wait)", []string{"wait", "--customer", customerX, "--timeout", "1e3", customerY}, `--timeout: "1e3" is not a duration`},
		{"interval not a duration (wait)", []string{"wait", "--customer", customerX, "--interval", "often", customerY}, `--interval: "often" is not a duration: write 30s, 2m or 1m30s, or a number of seconds`},
		{"interval not a duration (demo)", []string{"demo", "--interval", "often"}, `--interval: "often" is not a duration: write 30s, 2m or 1m30s, or a number of seconds`},
		{"timeout of zero seconds", []string{"eligibility", "--customer", customerX, "--timeout", "0"}, "--timeout must be positive"},
		{"interval in seconds under a second", []string{"wait", "--customer", customerX, "--interval", "0.5", customerY}, "--interval 500ms is too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errOut := runFail(t, exitUsage, tc.args...)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

// A duration flag given a plain number takes it as seconds, on every subcommand.
func TestPlainNumberDurationsAreSeconds(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t, fake.WithPollsUntilComplete(1))
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	out := runOK(t, append([]string{"eligibility", "--timeout", "5"}, base...)...)
	assert.Contains(t, out, "is eligible")
	out = runOK(t, append([]string{"create", "--timeout=5"}, base...)...)
	id := guidRE.FindString(out)
	require.NotEmpty(t, id)
	runOK(t, append([]string{"status", "--timeout", "5", id}, base...)...)
	out = runOK(t, append([]string{"wait", "--timeout", "30", "--interval", "1", id}, base...)...)
	assert.Contains(t, out, "upgrade "+id+" (Azure): Completed\n")

	// What the flags hold: 5 is 5s, 1.5 is 1.5s.
	var sink bytes.Buffer
	p := newPrinter(&sink, newScrubber(""))
	for name, args := range map[string][]string{
		"eligibility": {"--customer", customerX, "--timeout", "5"},
		"create":      {"--customer", customerX, "--timeout", "5"},
		"status":      {"--customer", customerX, "--timeout", "5", customerY},
		"wait":        {"--customer", customerX, "--timeout", "5", "--interval", "1.5", customerY},
	} {
		var f apiFlags
		wantID := name == "status" || name == "wait"
		_, code, done := parseAPIFlags(name, "", args, wantID, time.Minute, &f, p, p)
		require.False(t, done, "%s: exit %d: %s", name, code, sink.String())
		assert.Equal(t, 5*time.Second, f.timeout, name)
		if name == "wait" {
			assert.Equal(t, 1500*time.Millisecond, f.interval, name)
		}
	}
	assert.Empty(t, sink.String())
	code, out, errOut := runArgs("demo", "--interval", "0.001")
	assert.Equal(t, exitOK, code, out+errOut)
}

func TestMissingTokenIsAUsageError(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, "")
	for _, cmd := range []string{"eligibility", "create"} {
		errOut := runFail(t, exitUsage, cmd, "--customer", customerX)
		assert.Contains(t, errOut, "PARTNER_CENTER_TOKEN is not set")
	}
}

func TestHelpOfEachSubcommandShowsAnExample(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"eligibility", "create", "status", "wait", "upgrade", "demo"} {
		for _, args := range [][]string{{name, "--help"}, {"help", name}} {
			code, out, errOut := runArgs(args...)
			assert.Equal(t, 0, code, "%v", args)
			assert.Empty(t, errOut)
			assert.Contains(t, out, "example:\n", "%v", args)
			assert.Contains(t, out, "pcupgrade "+name, "%v", args)
			assert.Contains(t, out, "exit status:", "%v", args)
		}
	}
	_, out, _ := runArgs("--help")
	for _, name := range []string{"eligibility", "create", "status", "wait", "upgrade", "demo", "verify"} {
		assert.Contains(t, out, "  "+name+" ")
	}
}

func TestDemoShowsTheWorkflowWithoutSecrets(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, "") // the demo needs none
	code, out, errOut := runArgs("demo", "--interval", "1ms")
	require.Equal(t, 0, code, out+errOut)
	assert.Empty(t, errOut)
	for _, want := range []string{
		"== 1. eligibility ==\n> POST /v1/productupgrades/eligibility\n> Authorization: Bearer <redacted>\n",
		"is eligible for an upgrade to Azure",
		"== 2. create (client.EnsureUpgrade: eligibility again, then the create; the fake will lose its 202) ==\n> POST /v1/productupgrades/eligibility\n",
		"< 202 Accepted\n< Location: productUpgrades/",
		"status: InProgress\n",
		"status: Completed\n",
		// 2 eligibility checks, 2 creates (one lost), 3 status checks; exactly one upgrade.
		"final status: Completed (7 requests, 1 upgrade on the fake)\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, demoToken)
	assert.NotRegexp(t, `Authorization: Bearer [^<]`, out)
	assertDemoRecovered(t, out)
}

// createExchangeRE matches one create in the demo's transcript: its MS-RequestId, and what
// came back: "(no response: ...)" or the status line.
var createExchangeRE = regexp.MustCompile(`(?m)^> POST /v1/productupgrades\n(?:> .*\n)*?> MS-RequestId: (\S+)\n(?:> .*\n)*< (.*)$`)

// assertDemoRecovered checks the demo's transcript of the lost 202: the create's connection
// closed, the create resent with the same MS-RequestId, the same upgrade back, one upgrade,
// and the line saying so.
func assertDemoRecovered(t *testing.T, out string) {
	t.Helper()
	creates := createExchangeRE.FindAllStringSubmatch(out, -1)
	require.Len(t, creates, 2, "the lost create and its resend:\n%s", out)
	rid := creates[0][1]
	assert.Regexp(t, guidRE, rid)
	assert.Equal(t, rid, creates[1][1], "the two creates share one MS-RequestId")
	assert.Equal(t, "(no response: the connection closed before the response came: EOF)", creates[0][2])
	assert.Equal(t, "202 Accepted", creates[1][2])
	id := regexp.MustCompile(`< Location: productUpgrades/(\S+)`).FindStringSubmatch(out)
	require.Len(t, id, 2, out)
	assert.Contains(t, out, "upgrade "+id[1]+" created (request id "+rid+")\n")
	assert.Contains(t, out, "\nrecovered: the 202 was lost (1 of 2 creates got no response); the client's retry resent it with the same MS-RequestId "+
		rid+"; Partner Center returned the same upgrade "+id[1]+"; 1 upgrade exists\n")
	assert.NotContains(t, out, "NOT recovered")
}

// The recovery line says what happened, and refuses to say "recovered" when it did not.
func TestDemoRecoveryLineTellsTheTruth(t *testing.T) {
	t.Parallel()
	const rid, id, other = customerX, upgradeX, customerY
	lostThenOK := []demoCreate{{requestID: rid}, {requestID: rid, answered: true}}
	one := []fake.Upgrade{{ID: id, RequestID: rid}}
	res := &client.EnsureResult{UpgradeID: id, Created: true, RequestID: rid}

	line, ok := recoveryLine(res, lostThenOK, one)
	assert.True(t, ok)
	assert.Equal(t, "recovered: the 202 was lost (1 of 2 creates got no response); the client's retry resent it with the same MS-RequestId "+rid+
		"; Partner Center returned the same upgrade "+id+"; 1 upgrade exists", line)
	line, ok = recoveryLine(&client.EnsureResult{UpgradeID: id, Created: true, Recovered: true, RequestID: rid, Resends: 1}, lostThenOK, one)
	assert.True(t, ok)
	assert.Contains(t, line, "; EnsureUpgrade resent it 1 time(s) with the same MS-RequestId ")

	for name, tc := range map[string]struct {
		creates []demoCreate
		ups     []fake.Upgrade
	}{
		"nothing lost":           {[]demoCreate{{requestID: rid, answered: true}}, one},
		"a second request id":    {[]demoCreate{{requestID: rid}, {requestID: other, answered: true}}, one},
		"two upgrades":           {lostThenOK, []fake.Upgrade{{ID: id, RequestID: rid}, {ID: other, RequestID: other}}},
		"no upgrade":             {lostThenOK, nil},
		"another upgrade":        {lostThenOK, []fake.Upgrade{{ID: other, RequestID: rid}}},
		"made by another create": {lostThenOK, []fake.Upgrade{{ID: id, RequestID: other}}},
	} {
		line, ok := recoveryLine(res, tc.creates, tc.ups)
		assert.False(t, ok, name)
		assert.True(t, strings.HasPrefix(line, "NOT recovered: "), "%s: %s", name, line)
	}
}

func TestAPIOutputThatCannotBeWrittenExitsFour(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t, fake.WithPollsUntilComplete(2))
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	out := runOK(t, append([]string{"create"}, base...)...)
	id := guidRE.FindString(out)
	require.NotEmpty(t, id)

	runFull(t, 0, append([]string{"eligibility"}, base...)...)
	runFull(t, 0, append([]string{"eligibility", "--json"}, base...)...)
	runFull(t, 0, "create", "--customer", customerY, "--base-url", srv.URL) // customerX has its upgrade
	runFull(t, 0, append([]string{"status", id}, base...)...)
	// wait: a progress line that cannot be written is reported when the wait ends, even
	// when the final status could be.
	runFull(t, 0, append([]string{"wait", "--interval", "1s", id}, base...)...)
	runBroken(t, &flakyWriter{fail: 1}, append([]string{"wait", "--interval", "1s", id}, base...)...)
}

func TestDemoOutputThatCannotBeWrittenExitsFour(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, "")
	code, out, errOut := runArgs("demo", "--interval", "1ms")
	require.Equal(t, exitOK, code, out+errOut)
	// Wherever the output breaks, from the first byte to the last line, the demo says so.
	for n := 0; n < len(out); n += len(out)/10 + 1 {
		runFull(t, n, "demo", "--interval", "1ms")
	}
	runFull(t, len(out)-2, "demo", "--interval", "1ms")
	// Each write lost on its own, the others taken: every one of them is checked.
	w := &flakyWriter{}
	require.Equal(t, exitOK, run([]string{"demo", "--interval", "1ms"}, w, io.Discard))
	for i := 1; i <= w.writes; i++ {
		runBroken(t, &flakyWriter{fail: i}, "demo", "--interval", "1ms")
	}
}
