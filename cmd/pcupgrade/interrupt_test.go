package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

// runInterrupted runs args as runArgs does, with the context main makes (interruptContext),
// and delivers os.Interrupt to it as Ctrl-C would, through the channel interruptContext
// registered: no real signal is sent to the test process. With ready nil the interrupt comes
// before the run starts; otherwise as soon as ready reports true (checked every 5ms). A
// minute later the run's context ends anyway (a deadline, not an interrupt), so that a run
// the interrupt did not stop fails the test instead of hanging it.
func runInterrupted(t *testing.T, ready func() bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var sig chan<- os.Signal
	var stopped atomic.Int32
	ctx, release := interruptContext(context.Background(),
		func(c chan<- os.Signal, sigs ...os.Signal) {
			assert.Equal(t, []os.Signal{os.Interrupt}, sigs)
			sig = c
		},
		func(chan<- os.Signal) { stopped.Add(1) })
	defer release()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if ready == nil {
		sig <- os.Interrupt
		<-ctx.Done()
	} else {
		done := make(chan struct{})
		defer close(done)
		go func() {
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				if ready() {
					sig <- os.Interrupt
					return
				}
			}
		}()
	}
	var out, errOut bytes.Buffer
	code = runContext(ctx, args, &out, &errOut)
	recordOutput(args, out.String(), errOut.String())
	assert.NotContains(t, out.String()+errOut.String(), cliToken)
	if code == exitInterrupted {
		assert.Positive(t, stopped.Load(), "the signal is handed back after the first interrupt")
	}
	return code, out.String(), errOut.String()
}

// watched puts a reverse proxy in front of srv and counts the requests that reached it, so
// that a test can interrupt a call while it is in flight (the fake logs a request only once
// it has been answered).
func watched(t *testing.T, srv *fake.Server) (baseURL string, arrived *atomic.Int32) {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = nil
	arrived = new(atomic.Int32)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL, arrived
}

// interruptContext ends its context with cause errInterrupted at the first os.Interrupt, and
// with none when released without one.
func TestInterruptContext(t *testing.T) {
	t.Parallel()
	var sig chan<- os.Signal
	var stops atomic.Int32
	notify := func(c chan<- os.Signal, _ ...os.Signal) { sig = c }
	stop := func(chan<- os.Signal) { stops.Add(1) }

	ctx, release := interruptContext(context.Background(), notify, stop)
	sig <- os.Interrupt
	<-ctx.Done()
	assert.True(t, interrupted(ctx))
	child, cancel := context.WithTimeout(ctx, time.Minute) // as each command derives its own
	defer cancel()
	assert.True(t, interrupted(child), "a derived context knows it was interrupted")
	assert.Equal(t, int32(1), stops.Load(), "the first interrupt hands the signal back")
	release()

	ctx, release = interruptContext(context.Background(), notify, stop)
	assert.NoError(t, ctx.Err())
	release()
	<-ctx.Done()
	assert.False(t, interrupted(ctx), "released, not interrupted")

	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	assert.False(t, interrupted(ctx), "a deadline is not an interrupt")
}

// report maps an error of an interrupted run to exitInterrupted and "interrupted", whatever
// the error; bad input stays a usage error; a cancellation without Ctrl-C stays exitAPI.
func TestReportMapsAnInterruptTo130(t *testing.T) {
	t.Parallel()
	ictx, icancel := context.WithCancelCause(context.Background())
	icancel(errInterrupted)
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		code int
		want string
	}{
		{ictx, context.Canceled, exitInterrupted, "pcupgrade wait: interrupted\n"},
		{ictx, fmt.Errorf("productupgrades: CheckStatus: %w", context.Canceled), exitInterrupted, "pcupgrade wait: interrupted\n"},
		{ictx, &client.ValidationError{Field: "upgradeID", Value: "x", Reason: "must be a GUID"}, exitUsage,
			"pcupgrade wait: invalid UPGRADE_ID \"x\": must be a GUID (try pcupgrade wait --help)\n"},
		{cctx, fmt.Errorf("productupgrades: CheckStatus: %w", context.Canceled), exitAPI, "pcupgrade wait: productupgrades: CheckStatus: context canceled\n"},
	} {
		var b bytes.Buffer
		code := report(tc.ctx, "wait", tc.err, newPrinter(&b, newScrubber("")))
		assert.Equal(t, tc.code, code, "%v", tc.err)
		assert.Equal(t, tc.want, b.String(), "%v", tc.err)
	}
}

// Ctrl-C ends every command with exit status 130 and one line, "interrupted": a wait in
// progress, a call in flight, verify, demo.
func TestInterruptExits130(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t, fake.WithPollsUntilComplete(1000))
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	id := guidRE.FindString(runOK(t, append([]string{"create"}, base...)...))
	require.NotEmpty(t, id)

	// A wait in progress: interrupted after its first check, between two.
	before := len(srv.Requests())
	code, out, errOut := runInterrupted(t, func() bool { return len(srv.Requests()) > before },
		append([]string{"wait", "--interval", "1m", id}, base...)...)
	assert.Equal(t, exitInterrupted, code, out+errOut)
	assert.Equal(t, "pcupgrade wait: interrupted\n", errOut)
	assert.Empty(t, out, "stderr is not a terminal: no progress, and an interrupted wait has no result")

	// A call in flight: the fake holds the response until the client goes away.
	proxied, arrived := watched(t, srv)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultDelay, Delay: time.Hour}))
	code, out, errOut = runInterrupted(t, func() bool { return arrived.Load() > 0 },
		"eligibility", "--customer", customerX, "--base-url", proxied)
	assert.Equal(t, exitInterrupted, code, out+errOut)
	assert.Equal(t, "pcupgrade eligibility: interrupted\n", errOut)
	assert.Empty(t, out)

	for _, args := range [][]string{
		append([]string{"status", id}, base...),
		{"verify", exchangesDir},
		{"demo", "--interval", "1ms"},
	} {
		code, out, errOut := runInterrupted(t, nil, args...)
		assert.Equal(t, exitInterrupted, code, "%v\n%s%s", args, out, errOut)
		assert.Equal(t, "pcupgrade "+args[0]+": interrupted\n", errOut, "%v", args)
	}
}

// resumeArgs finds the resume command in a create's message and returns its arguments
// (without "pcupgrade").
func resumeArgs(t *testing.T, errOut string) []string {
	t.Helper()
	i := strings.Index(errOut, "pcupgrade create --customer ")
	require.GreaterOrEqual(t, i, 0, "a resume command in %q", errOut)
	return strings.Fields(errOut[i:])[1:]
}

// A create interrupted in flight has an unknown outcome: exit 130, and the line gives the
// request id and the command that resumes; that command ends with one upgrade.
func TestInterruptedCreatePrintsTheResumeCommand(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), which the CLI reads.
	srv := startFake(t)
	proxied, arrived := watched(t, srv)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultDelay, Delay: time.Hour}))
	code, out, errOut := runInterrupted(t, func() bool { return arrived.Load() > 0 },
		"create", "--customer", customerX, "--base-url", proxied)
	require.Equal(t, exitInterrupted, code, out+errOut)
	assert.Empty(t, out)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
	rid := guidRE.FindString(errOut)
	require.NotEmpty(t, rid)
	assert.Equal(t, "pcupgrade create: interrupted: the outcome of the create is unknown, an upgrade may exist (request id "+rid+
		"); to resume, run: pcupgrade create --customer "+customerX+" --family Azure --base-url "+proxied+" --request-id "+rid+"\n", errOut)
	assert.Empty(t, srv.Upgrades(), "the held create was never served")

	out = runOK(t, resumeArgs(t, errOut)...)
	ups := srv.Upgrades()
	require.Len(t, ups, 1)
	assert.Equal(t, rid, ups[0].RequestID, "the resent create carried the same MS-RequestId")
	assert.Contains(t, out, "upgrade "+ups[0].ID+" created")
	assert.Contains(t, out, "request id "+rid)
}

// A lost 202 leaves the outcome unknown (exit 3): the message gives the command that
// resumes, and resending with --request-id gets the same upgrade, never a second one.
func TestUnknownOutcomeResumesWithRequestID(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv); noRetries sets
	// testClientOptions.
	srv := startFake(t)
	noRetries(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse}))
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	errOut := runFail(t, exitAPI, append([]string{"create"}, base...)...)
	assert.True(t, strings.HasPrefix(errOut, "pcupgrade create: "), errOut)
	assert.Contains(t, errOut, "outcome unknown")
	require.Len(t, srv.Upgrades(), 1, "the lost 202's create was served")
	rid := srv.Upgrades()[0].RequestID
	assert.True(t, strings.HasSuffix(errOut, "; to resume, resend it with the same request id: pcupgrade create --customer "+customerX+
		" --family Azure --base-url "+srv.URL+" --request-id "+rid+"\n"), errOut)

	out := runOK(t, resumeArgs(t, errOut)...)
	ups := srv.Upgrades()
	require.Len(t, ups, 1, "exactly one upgrade")
	assert.Equal(t, "upgrade "+ups[0].ID+" created (Location: productUpgrades/"+ups[0].ID+", request id "+rid+")\n", out)
	creates := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && strings.EqualFold(r.Path, "/v1/productupgrades") {
			creates++
			assert.Equal(t, rid, r.Header.Get("MS-RequestId"))
		}
	}
	assert.Equal(t, 2, creates, "the lost create and its resend, with the same request id")
}

// The resume command quotes what a shell would split.
func TestResumeCommandQuotesForTheShell(t *testing.T) {
	t.Parallel()
	f := apiFlags{customer: customerX, family: "Azure Plan's", baseURL: client.DefaultBaseURL}
	assert.Equal(t, "pcupgrade create --customer "+customerX+` --family 'Azure Plan'\''s' --request-id `+customerY,
		resumeCommand(&f, customerY))
}

// Errors name the CLI's flags and environment variable, never the library's options.
func TestErrorsNameFlagsNotLibraryOptions(t *testing.T) {
	t.Parallel()
	for field, want := range map[string]string{
		"base URL (WithBaseURL)":             "--base-url",
		"token source (WithTokenSource)":     tokenEnv,
		"access token (WithTokenSource)":     tokenEnv,
		"application name (WithApplication)": "application name",
		"locale (WithLocale)":                "locale",
		"transport (WithTransport)":          "transport",
		"UpgradeRequest.CustomerID":          "--customer",
		"UpgradeRequest.ProductFamily":       "--family",
		"upgradeID":                          "UPGRADE_ID",
		"requestID":                          "--request-id",
		"WaitOptions.Interval":               "--interval",
		"something (else)":                   "something (else)",
		"plain":                              "plain",
	} {
		assert.Equal(t, want, cliField(field), field)
	}
	assert.Equal(t, `invalid --base-url "http://example.com": must be https`,
		validationText(&client.ValidationError{Field: "base URL (WithBaseURL)", Value: "http://example.com", Reason: "must be https"}))
}

// The client refuses http:// off loopback (the token would cross the network in clear
// text): a usage error that names --base-url.
func TestHTTPBaseURLOffLoopbackNamesTheFlag(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv(tokenEnv, cliToken)
	for _, cmd := range [][]string{
		{"eligibility"}, {"create"}, {"create", "--request-id", customerY}, {"status", customerY}, {"wait", customerY},
	} {
		args := append(append([]string{}, cmd...), "--customer", customerX, "--base-url", "http://example.com")
		errOut := runFail(t, exitUsage, args...)
		assert.Contains(t, errOut, `invalid --base-url "http://example.com": must be https`, "%v", args)
		assert.NotContains(t, errOut, "WithBaseURL", "%v", args)
		assert.NotContains(t, errOut, "(With", "%v", args)
	}
	// A token with a control character inside: named as the environment variable.
	t.Setenv(tokenEnv, "cli-secret\x01token")
	errOut := runFail(t, exitUsage, "eligibility", "--customer", customerX, "--base-url", "http://127.0.0.1:1")
	assert.Contains(t, errOut, tokenEnv)
	assert.NotContains(t, errOut, "With")
}
