package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

const upgradeX = "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"

// Every run of pcupgrade in these tests is recorded (runArgs, runBounded), and TestMain scans
// what it wrote after the tests: the testdata secret scan, over the CLI's output.
var (
	outputsMu sync.Mutex
	outputs   []cliOutput
)

type cliOutput struct {
	args           []string
	stdout, stderr string
	token          string // PARTNER_CENTER_TOKEN during the run
}

func recordOutput(args []string, stdout, stderr string) {
	outputsMu.Lock()
	defer outputsMu.Unlock()
	outputs = append(outputs, cliOutput{args: args, stdout: stdout, stderr: stderr, token: strings.TrimSpace(getenv(tokenEnv))})
}

// scanOutputs scans every recorded output for credentials and for the live tokens: the
// run's own, the tests' and the demo's.
func scanOutputs() []string {
	outputsMu.Lock()
	defer outputsMu.Unlock()
	var found []string
	for _, o := range outputs {
		where := fmt.Sprintf("pcupgrade %s", strings.Join(o.args, " "))
		found = append(found, testkit.FindSecrets(where+" (stdout)", o.stdout, o.token, cliToken, demoToken)...)
		found = append(found, testkit.FindSecrets(where+" (stderr)", o.stderr, o.token, cliToken, demoToken)...)
	}
	return found
}

func TestMain(m *testing.M) {
	code := m.Run()
	found := scanOutputs()
	if len(found) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: secrets in what pcupgrade wrote during the tests:\n%s\n", strings.Join(found, "\n"))
		code = 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "secret scan: %d pcupgrade runs scanned, %d findings\n", len(outputs), len(found))
	}
	os.Exit(code)
}

// assertNoSecrets fails t when the CLI's output holds a credential or a live token.
func assertNoSecrets(t *testing.T, stdout, stderr string, live ...string) {
	t.Helper()
	found := append(testkit.FindSecrets("stdout", stdout, live...), testkit.FindSecrets("stderr", stderr, live...)...)
	assert.Empty(t, found, "secrets in the output:\n%s", strings.Join(found, "\n"))
}

// The scan can fail: planted credentials of each kind, and a live token in each form.
func TestSecretScanOfOutputCatchesPlantedSecrets(t *testing.T) {
	t.Parallel()
	const live = "pcLive+Tok/en=Zq8v"
	for _, text := range []string{
		"x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl y",
		"Authorization: Bearer 0pAqu3-t0ken",
		"said: bearer abcdefghijklmnopqrstuvwxyz",
		"grant_type=client_credentials&client_secret=hunter2hunter2",
		`{"access_token":"abc"}`,
		"echo " + live,
		"Location: productUpgrades/x?sig=" + url.QueryEscape(live),
		`{"m":"` + strings.ReplaceAll(live, "/", `\/`) + `"}`, // JSON may escape "/"
	} {
		found := testkit.FindSecrets("planted", text, live)
		assert.NotEmpty(t, found, "the scan missed %q", text)
		assert.NotContains(t, strings.Join(found, "\n"), "hunter2hunter2")
	}
}

// The scan of recorded runs fails on a run that printed its token, and a short token only
// counts as a word of its own.
func TestRecordedOutputScanCatchesAPlantedToken(t *testing.T) {
	// Not parallel: it swaps the package-level outputs that every run appends to, and sets
	// PARTNER_CENTER_TOKEN (t.Setenv).
	outputsMu.Lock()
	saved := outputs
	outputs = nil
	outputsMu.Unlock()
	defer func() {
		outputsMu.Lock()
		outputs = saved
		outputsMu.Unlock()
	}()
	t.Setenv(tokenEnv, "planted-run-token-42")
	recordOutput([]string{"eligibility"}, "reason: planted-run-token-42\n", "")
	t.Setenv(tokenEnv, "ab12")
	recordOutput([]string{"status"}, "", "see ab12xyz")
	recordOutput([]string{"status"}, "", "token ab12 rejected")
	found := scanOutputs()
	require.Len(t, found, 2, "%v", found)
	assert.Contains(t, found[0], "pcupgrade eligibility (stdout): live token")
	assert.Contains(t, found[1], "pcupgrade status (stderr): live token")
}

// echoPlace is a place where a server or proxy may echo the bearer token back.
type echoPlace struct {
	name     string
	commands []string // the subcommands whose requests reach it
	codes    []int    // the exit statuses it may end in
	// respond answers r, echoing tok.
	respond func(w http.ResponseWriter, r *http.Request, tok string)
}

func writeBody(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// okBody answers each operation normally; change lets a place put the token in it.
func okBody(w http.ResponseWriter, r *http.Request, change func(map[string]any)) {
	var body map[string]any
	switch {
	case strings.HasSuffix(r.URL.Path, "/eligibility"):
		body = map[string]any{"customerId": customerX, "productFamily": "Azure", "isEligible": false,
			"upgradeId": upgradeX, "reason": "Upgrade is in progress"}
	case strings.HasSuffix(r.URL.Path, "/status"):
		body = map[string]any{"id": upgradeX, "productFamily": "Azure", "status": "Completed",
			"lineItems": []any{map[string]any{
				"sourceProduct": map[string]any{"id": customerY, "name": "AzureSubscription"},
				"targetProduct": map[string]any{"id": customerY, "name": "Microsoft Azure plan"},
				"status":        "Completed",
			}}}
	default:
		w.Header().Set("Location", "productUpgrades/"+upgradeX)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if change != nil {
		change(body)
	}
	writeBody(w, http.StatusOK, body)
}

var allCommands = []string{"eligibility", "create", "status", "wait"}

var echoPlaces = []echoPlace{
	{name: "200 body: eligibility reason and upgrade", commands: []string{"eligibility"}, codes: []int{exitOK},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			okBody(w, r, func(b map[string]any) { b["reason"] = "your token " + tok + " is not allowed" })
		}},
	{name: "200 body: eligibility productFamily", commands: []string{"eligibility"}, codes: []int{exitOK},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			okBody(w, r, func(b map[string]any) { b["productFamily"] = tok })
		}},
	{name: "200 body: status, family and line item names", commands: []string{"status", "wait"}, codes: []int{exitOK},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			okBody(w, r, func(b map[string]any) {
				b["productFamily"] = tok
				li := b["lineItems"].([]any)[0].(map[string]any)
				li["sourceProduct"].(map[string]any)["name"] = "from " + tok
				li["targetProduct"].(map[string]any)["name"] = tok + " plan"
			})
		}},
	{name: "200 body: errorDetails code and message", commands: []string{"status", "wait"}, codes: []int{exitOK, exitUpgradeFailed},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			okBody(w, r, func(b map[string]any) {
				b["status"] = "Failed"
				b["errorDetails"] = map[string]any{"code": tok, "message": "token " + tok}
				li := b["lineItems"].([]any)[0].(map[string]any)
				li["status"] = "Failed"
				li["errorDetails"] = map[string]any{"code": "900105", "message": "Bearer " + tok}
			})
		}},
	{name: "202 Location: the id", commands: []string{"create"}, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("Location", "productUpgrades/"+url.PathEscape(tok))
			w.WriteHeader(http.StatusAccepted)
		}},
	{name: "202 Location: a query", commands: []string{"create"}, codes: []int{exitOK, exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("Location", "https://api.partnercenter.microsoft.com/v1/productUpgrades/"+upgradeX+"?sig="+url.QueryEscape(tok))
			w.WriteHeader(http.StatusAccepted)
		}},
	{name: "202 Location: raw", commands: []string{"create"}, codes: []int{exitOK, exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header()["Location"] = []string{"productUpgrades/" + upgradeX + "#" + tok}
			w.WriteHeader(http.StatusAccepted)
		}},
	{name: "response headers: MS-RequestId, MS-CorrelationId", commands: allCommands, codes: []int{exitOK},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("MS-RequestId", tok)
			w.Header().Set("MS-CorrelationId", tok)
			okBody(w, r, nil)
		}},
	{name: "error: code", commands: allCommands, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			writeBody(w, http.StatusBadRequest, map[string]any{"code": tok, "description": "Invalid request", "data": []any{}, "source": "PartnerFD"})
		}},
	{name: "error: description", commands: allCommands, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			writeBody(w, http.StatusForbidden, map[string]any{"code": 900120, "description": "Access denied for Bearer " + tok, "data": []any{}, "source": tok})
		}},
	{name: "error: request-id headers", commands: allCommands, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("MS-RequestId", tok)
			w.Header().Set("MS-CorrelationId", tok)
			writeBody(w, http.StatusNotFound, map[string]any{"code": 900106, "description": "Not found", "data": []any{}, "source": "PartnerFD"})
		}},
	{name: "429: gateway message", commands: allCommands, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("Retry-After", "1")
			writeBody(w, http.StatusTooManyRequests, map[string]any{"statusCode": 429, "message": "Rate limit is exceeded for " + tok})
		}},
	{name: "500: text body", commands: allCommands, codes: []int{exitAPI},
		respond: func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprintf(w, "upstream proxy: Authorization: Bearer %s\r\n", tok)
		}},
}

// echoServer answers every request as place says, echoing the bearer token the request
// carried; echoed counts the answers that held it.
func echoServer(t *testing.T, place echoPlace, echoed *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if tok == "" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		echoed.Add(1)
		place.respond(w, r, tok)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// noRetries makes the subcommands' clients give up after the first try, so that a 429 or a
// 500 is printed at once.
func noRetries(t *testing.T) {
	old := testClientOptions
	testClientOptions = []client.Option{client.WithRetry(client.RetryPolicy{MaxRetries: -1})}
	t.Cleanup(func() { testClientOptions = old })
}

// TestEchoedTokenNeverPrinted plants the live token in every place a server or a proxy may
// echo it (200 bodies, error code and description, id headers, Location, a 429's message, a
// text body) for every API subcommand, in text and in --json: none may reach stdout or
// stderr, in any form.
func TestEchoedTokenNeverPrinted(t *testing.T) {
	// Not parallel: the CLI reads its token from the environment (t.Setenv, per subtest, so
	// the subtests cannot be parallel either), and noRetries sets the package-level testClientOptions.
	noRetries(t)
	planted := map[string]int{}
	n := 0
	for _, place := range echoPlaces {
		for _, cmd := range place.commands {
			for _, asJSON := range []bool{false, true} {
				n++
				// Opaque (nothing internal/secrets would recognise), with characters that
				// URL escaping changes, unique per case.
				tok := fmt.Sprintf("pcLive%03d+Tok/Zq8v=", n)
				name := fmt.Sprintf("%s/%s/json=%v", place.name, cmd, asJSON)
				t.Run(name, func(t *testing.T) {
					var echoed atomic.Int64
					srv := echoServer(t, place, &echoed)
					t.Setenv(tokenEnv, tok)
					args := []string{cmd, "--customer", customerX, "--base-url", srv.URL, "--timeout", "20s"}
					if cmd == "status" || cmd == "wait" {
						args = append(args, upgradeX)
					}
					if cmd == "wait" {
						// A 429 or a 500 keeps wait polling: its --timeout ends it, and its
						// error must be as clean as the others.
						args = append(args, "--interval", "1s", "--timeout", "2s")
					}
					if asJSON {
						args = append(args, "--json")
					}
					code, out, errOut := runArgs(args...)
					require.Positive(t, echoed.Load(), "the server never echoed the token")
					planted[place.name]++
					assert.Contains(t, place.codes, code, "exit status\nstdout: %s\nstderr: %s", out, errOut)
					assertNoSecrets(t, out, errOut, tok)
					assertInert(t, out+errOut)
					if asJSON && out != "" {
						assert.True(t, json.Valid([]byte(out)), "stdout is not JSON: %s", out)
					}
				})
			}
		}
	}
	for _, place := range echoPlaces {
		t.Logf("planted %2d, printed 0: %s", planted[place.name], place.name)
	}
	require.GreaterOrEqual(t, n, 12)
}

// assertInert fails unless text holds printable characters, spaces and line ends only.
func assertInert(t *testing.T, text string) {
	t.Helper()
	for _, r := range text {
		if r != '\n' && (unicode.IsControl(r) || isBidiControl(r)) {
			t.Errorf("output holds %U: %q", r, text)
			return
		}
	}
}

// A 200 body can neither drive the terminal nor forge a line: escapes, control characters,
// bidi overrides and line breaks are gone from text output; --json stays valid JSON that
// holds them only as escapes.
func TestServerTextIsInert(t *testing.T) {
	// Not parallel: t.Setenv (the CLI reads its token from the environment) and noRetries
	// (package-level testClientOptions).
	noRetries(t)
	const hostile = "ok\x1b[2J\x1b[H\r\nupgrade " + upgradeX + " completed\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\" +
		"\u009b31m\u202egnp.exe\x7f\x00\u2028upgrade completed\x1bP+q\x1b\\\x1b(B"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		okBody(w, r, func(b map[string]any) {
			if _, ok := b["reason"]; ok {
				b["reason"] = hostile
				return
			}
			b["status"] = hostile // not a terminal status: wait would poll, so status only
			li := b["lineItems"].([]any)[0].(map[string]any)
			li["sourceProduct"].(map[string]any)["name"] = hostile
		})
	}))
	t.Cleanup(srv.Close)
	t.Setenv(tokenEnv, cliToken)
	for _, cmd := range []string{"eligibility", "status"} {
		args := []string{cmd, "--customer", customerX, "--base-url", srv.URL}
		if cmd == "status" {
			args = append(args, upgradeX)
		}
		code, out, errOut := runArgs(args...)
		require.Equal(t, exitOK, code, "%s: %s%s", cmd, out, errOut)
		assertInert(t, out+errOut)
		for _, line := range strings.Split(out, "\n") {
			assert.False(t, strings.HasPrefix(line, "upgrade completed") || strings.HasPrefix(line, "upgrade "+upgradeX+" completed"),
				"%s: a forged line: %q", cmd, line)
		}
		assert.Contains(t, out, "upgrade "+upgradeX+" completed", "%s: the text itself is kept, inert", cmd)

		code, out, errOut = runArgs(append(args, "--json")...)
		require.Equal(t, exitOK, code, "%s --json: %s%s", cmd, out, errOut)
		require.True(t, json.Valid([]byte(out)), out)
		assertInert(t, out+errOut)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &v))
		got := v["reason"]
		if cmd == "status" {
			got = v["status"]
		}
		assert.Equal(t, hostile, got, "%s --json keeps the value, escaped", cmd)
	}
}

// A token shorter than 8 characters is scrubbed where it stands as a word, not out of other
// words.
func TestShortTokenIsScrubbedAsAWordOnly(t *testing.T) {
	// Not parallel: t.Setenv (the CLI reads its token from the environment) and noRetries
	// (package-level testClientOptions).
	noRetries(t)
	const short = "ab12"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, http.StatusBadRequest, map[string]any{"code": 800002,
			"description": "token ab12 rejected (see kb ab12xyz, xab12, ab12)", "data": []any{}, "source": "PartnerFD"})
	}))
	t.Cleanup(srv.Close)
	t.Setenv(tokenEnv, short)
	code, out, errOut := runArgs("eligibility", "--customer", customerX, "--base-url", srv.URL)
	require.Equal(t, exitAPI, code, out+errOut)
	// The words around it stay whatever the client makes of them; the CLI's own rule is
	// tested on the scrubber below.
	assert.NotRegexp(t, `\bab12\b`, errOut)

	s := newScrubber(short)
	assert.Equal(t, "token <redacted> rejected (see kb ab12xyz, xab12, <redacted>)",
		s.tokens("token ab12 rejected (see kb ab12xyz, xab12, ab12)"))
	assert.Equal(t, "<redacted>", s.tokens("ab12"))
	assert.Equal(t, "ab12_x 1ab12 é-<redacted>-é", s.tokens("ab12_x 1ab12 é-ab12-é"))
	long := newScrubber("longtoken1")
	assert.Equal(t, "x<redacted>y", long.tokens("xlongtoken1y"), "8 characters and more: scrubbed everywhere")
}
