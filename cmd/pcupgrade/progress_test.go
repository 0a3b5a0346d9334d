package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

// fakeTerminal is a terminal of a given width with a clock and a ticker that the test drives:
// no TTY, no real time.
type fakeTerminal struct {
	width int
	tick  chan time.Time // unbuffered unless a test makes it otherwise

	mu      sync.Mutex
	now     time.Time
	stopped int
}

func newFakeTerminal(width int) *fakeTerminal {
	return &fakeTerminal{width: width, tick: make(chan time.Time), now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
}

func (ft *fakeTerminal) terminal() terminal {
	return terminal{
		isTerminal: func(io.Writer) bool { return true },
		width:      func(io.Writer) int { return ft.width },
		ticker: func(time.Duration) (<-chan time.Time, func()) {
			return ft.tick, func() { ft.mu.Lock(); ft.stopped++; ft.mu.Unlock() }
		},
		now: func() time.Time { ft.mu.Lock(); defer ft.mu.Unlock(); return ft.now },
	}
}

func (ft *fakeTerminal) advance(d time.Duration) {
	ft.mu.Lock()
	ft.now = ft.now.Add(d)
	ft.mu.Unlock()
}

// screen is the terminal's output: it counts the writes, so that a test can wait for the
// redraw a tick asked for before it moves the clock on.
type screen struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    bytes.Buffer
	writes int
}

func newScreen() *screen {
	s := &screen{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	s.cond.Broadcast()
	return s.buf.Write(b)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// tick makes ft's ticker tick and returns once the redraw it causes is written.
func (s *screen) tick(ft *fakeTerminal) {
	s.mu.Lock()
	before := s.writes
	s.mu.Unlock()
	ft.tick <- time.Time{}
	s.mu.Lock()
	for s.writes == before {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

// redraws splits what the progress wrote into its redraws: each one must start with the
// clear sequence, hold no other control character and fit in width-1 runes. The last one,
// the clearing before the result, is empty.
func redraws(t *testing.T, written string, width int) []string {
	t.Helper()
	require.True(t, strings.HasPrefix(written, clearLine), "the first redraw starts with the clear sequence: %q", written)
	parts := strings.Split(written, clearLine)[1:]
	for _, p := range parts {
		assert.True(t, utf8.ValidString(p), "valid UTF-8: %q", p)
		assert.LessOrEqual(t, utf8.RuneCountInString(p), width-1, "fits in %d columns less the last: %q", width, p)
		for _, r := range p {
			assert.False(t, r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r), "control %U in a redraw: %q", r, p)
		}
	}
	return parts
}

// The line is redrawn at every tick and every check, each time from a cleared line: elapsed
// time, last status, checks so far, when the next comes. finish clears it and stops the
// ticker.
func TestLiveProgressRedrawsEverySecond(t *testing.T) {
	t.Parallel()
	buf := newScreen()
	ft := newFakeTerminal(200)
	lp := startProgress(newPrinter(buf, newScrubber("")), ft.terminal(), upgradeX, 15*time.Second)
	require.NotNil(t, lp)
	ft.advance(time.Second)
	buf.tick(ft)
	lp.update(&client.UpgradeStatus{ID: upgradeX, Status: "InProgress"})
	ft.advance(2 * time.Second)
	buf.tick(ft)
	ft.advance(500 * time.Millisecond)
	buf.tick(ft)
	ft.advance(13 * time.Second)
	buf.tick(ft) // the check is due: no "next check in" in the past
	lp.update(&client.UpgradeStatus{ID: upgradeX, Status: "Completed"})
	lp.finish()

	got := redraws(t, buf.String(), 200)
	u := " (upgrade " + upgradeX + ")"
	assert.Equal(t, []string{
		"0s elapsed: first check" + u,
		"1s elapsed: first check" + u,
		"1s elapsed: InProgress, 1 check, next check in 15s" + u,
		"3s elapsed: InProgress, 1 check, next check in 13s" + u,
		"4s elapsed: InProgress, 1 check, next check in 13s" + u,
		"17s elapsed: InProgress, 1 check, checking now" + u,
		"17s elapsed: Completed, 2 checks, next check in 15s" + u,
		"",
	}, got)
	assert.True(t, strings.HasSuffix(buf.String(), clearLine), "cleared before the result")
	assert.Equal(t, 1, ft.stopped, "the ticker is stopped")
}

// In a terminal 20 columns wide no redraw is longer than 19 runes, whatever the server sent:
// runes are never split, and escapes and line breaks in a status are gone.
func TestLiveProgressFitsANarrowTerminal(t *testing.T) {
	t.Parallel()
	buf := newScreen()
	ft := newFakeTerminal(20)
	const tok = "progress-token-0123456789"
	lp := startProgress(newPrinter(buf, newScrubber(tok)), ft.terminal(), upgradeX, time.Minute)
	for _, st := range []string{"InProgress", "Zürich 東京 \x1b[2J\r\nforged", "ab", tok} {
		lp.update(&client.UpgradeStatus{ID: upgradeX, Status: st})
		buf.tick(ft)
	}
	lp.finish()
	got := redraws(t, buf.String(), 20)
	assert.Len(t, got, 1+2*4+1)
	assert.Equal(t, []string{"0s elapsed: first c", "0s elapsed: InProgr", "0s elapsed: InProgr", "0s elapsed: Zürich ", "0s elapsed: Zürich ",
		"0s elapsed: ab, 3 c", "0s elapsed: ab, 3 c", "0s elapsed: <redact", "0s elapsed: <redact", ""}, got)
	assert.NotContains(t, buf.String(), "progress-token")

	// Wide enough to show the status: cleaned, and the token never shows.
	buf = newScreen()
	ft = newFakeTerminal(120)
	lp = startProgress(newPrinter(buf, newScrubber(tok)), ft.terminal(), upgradeX, time.Minute)
	lp.update(&client.UpgradeStatus{ID: upgradeX, Status: "Zürich 東京 \x1b[2J\r\nforged"})
	lp.update(&client.UpgradeStatus{ID: upgradeX, Status: tok})
	lp.finish()
	got = redraws(t, buf.String(), 120)
	require.Len(t, got, 4)
	assert.Equal(t, "0s elapsed: Zürich 東京   forged, 1 check, next check in 60s (upgrade "+upgradeX+")", got[1])
	assert.Equal(t, "0s elapsed: <redacted>, 2 checks, next check in 60s (upgrade "+upgradeX+")", got[2])
}

// Not a terminal: nothing at all, and the nil progress is safe to use.
func TestLiveProgressNotATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	lp := startProgress(newPrinter(&buf, newScrubber("")), stderrTerminal, upgradeX, time.Second)
	assert.Nil(t, lp)
	assert.Nil(t, lp.onProgress())
	lp.update(&client.UpgradeStatus{Status: "InProgress"})
	lp.finish()
	assert.Empty(t, buf.String())
	assert.False(t, stderrTerminal.isTerminal(&buf))
	assert.Zero(t, stderrTerminal.width(&buf))
}

// A write that fails ends the drawing: nothing more is written, the result is not affected.
func TestLiveProgressStopsAfterAFailedWrite(t *testing.T) {
	t.Parallel()
	w := &flakyWriter{fail: 2}
	ft := newFakeTerminal(80)
	lp := startProgress(newPrinter(w, newScrubber("")), ft.terminal(), upgradeX, time.Minute)
	lp.update(&client.UpgradeStatus{Status: "InProgress"}) // write 2: fails
	ft.tick <- time.Time{}
	lp.update(&client.UpgradeStatus{Status: "Completed"})
	lp.finish()
	assert.Equal(t, 2, w.writes, "no write after the failed one")
	assert.Equal(t, clearLine+"0s elapsed: first check (upgrade "+upgradeX+")", w.got.String())
}

func TestCutRunes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", cutRunes("abc", 0))
	assert.Equal(t, "", cutRunes("abc", -1))
	assert.Equal(t, "ab", cutRunes("abc", 2))
	assert.Equal(t, "abc", cutRunes("abc", 3))
	assert.Equal(t, "Zü東", cutRunes("Zü東京", 3))
}

// swapTerminal makes the waits of the test draw on ft; not for parallel tests.
func swapTerminal(t *testing.T, ft *fakeTerminal) {
	t.Helper()
	old := stderrTerminal
	stderrTerminal = ft.terminal()
	t.Cleanup(func() { stderrTerminal = old })
}

// upgradedRE matches the date of an upgraded line item, which differs between two runs.
var upgradedRE = regexp.MustCompile(` \(upgraded [^)]*\)`)

// wait: on a terminal the progress goes to stderr, redrawn from a cleared line and cut to the
// width, and is cleared at the end; stdout is the same as without a terminal: the final
// status alone. Not a terminal: nothing on stderr.
func TestWaitProgressGoesToStderrOnATerminalOnly(t *testing.T) {
	// Not parallel: startFake sets PARTNER_CENTER_TOKEN (t.Setenv), swapTerminal a package var.
	srv := startFake(t, fake.WithPollsUntilComplete(1))
	base := []string{"--customer", customerX, "--base-url", srv.URL}
	id := guidRE.FindString(runOK(t, append([]string{"create"}, base...)...))
	require.NotEmpty(t, id)

	ft := newFakeTerminal(20)
	ft.tick = make(chan time.Time, 3)
	for range 3 {
		ft.tick <- time.Time{} // three redraws on the ticker's account, whenever they come
	}
	swapTerminal(t, ft)
	code, live, liveErr := runArgs(append([]string{"wait", "--interval", "1s", id}, base...)...)
	require.Equal(t, exitOK, code, live+liveErr)
	got := redraws(t, liveErr, 20)
	assert.GreaterOrEqual(t, len(got), 1+2+1, "drawn at the start and at each of the 2 checks, cleared at the end")
	assert.Empty(t, got[len(got)-1], "cleared before the result")
	assert.NotContains(t, liveErr, "\n")
	assert.NotContains(t, liveErr, cliToken)

	stderrTerminal = terminal{isTerminal: func(io.Writer) bool { return false }}
	code, plain, plainErr := runArgs(append([]string{"wait", "--interval", "1s", id}, base...)...)
	require.Equal(t, exitOK, code, plain+plainErr)
	assert.Empty(t, plainErr, "not a terminal: no progress")
	assert.Equal(t, upgradedRE.ReplaceAllString(plain, ""), upgradedRE.ReplaceAllString(live, ""), "stdout does not depend on the terminal")
	assert.Equal(t, "upgrade "+id+" (Azure): Completed\n  AzureSubscription -> Microsoft Azure plan: Completed\n", upgradedRE.ReplaceAllString(plain, ""))
}
