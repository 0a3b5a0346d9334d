package main

// The progress of a wait (wait, upgrade --wait): one live line on stderr, and only when
// stderr is a terminal. Scripts read stdout, which carries the result alone; a log that
// captures stderr gets nothing, not hundreds of carriage returns.
//
// The line is redrawn once a second, so that it never looks frozen between two checks (which
// are 15 s apart by default): "47s elapsed: InProgress, 3 checks, next check in 13s (upgrade
// ID)". Each redraw starts with "\r\x1b[K" (back to the first column, clear to the end of
// the line), and the line is cut to the terminal's width less one column: a line that fills
// the last column makes many terminals wrap, and the next "\r" then returns to the wrapped
// part, leaving a fragment on the screen for every redraw. Before the result is printed the
// line is cleared.

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/partnercenter-go/productupgrades/client"
)

// clearLine returns the cursor to the first column and clears the line (CSI K).
const clearLine = "\r\x1b[K"

// defaultWidth is the width assumed when a terminal does not tell its own.
const defaultWidth = 80

// terminal is what the live progress line needs from outside: whether a writer is a
// terminal, its width, a ticker and a clock. stderrTerminal is the real one; tests replace it
// to draw without a TTY.
type terminal struct {
	// isTerminal reports whether w is a terminal.
	isTerminal func(w io.Writer) bool
	// width returns w's width in columns, 0 or less when unknown.
	width func(w io.Writer) int
	// ticker returns a channel that ticks every d, and the function that stops it.
	ticker func(d time.Duration) (<-chan time.Time, func())
	// now is the clock of the elapsed time and of the next check.
	now func() time.Time
}

// stderrTerminal is the terminal the waits draw their progress on: stderr, through
// golang.org/x/term.
var stderrTerminal = terminal{isTerminal: fileIsTerminal, width: fileWidth, ticker: realTicker, now: time.Now}

// fileIsTerminal reports whether w is an *os.File open on a terminal.
func fileIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// fileWidth returns the width of the terminal w is open on, 0 when it cannot be had.
func fileWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// liveProgress draws the progress line of a wait for upgrade id on p's terminal. A nil
// *liveProgress (stderr is not a terminal) draws nothing; its methods do nothing.
//
// Its first failed write ends the drawing, silently: the line is a courtesy on stderr, and the
// result on stdout, with its exit status, does not depend on it.
type liveProgress struct {
	p        *printer
	t        terminal
	id       string        // cleaned
	interval time.Duration // between two checks

	mu        sync.Mutex
	start     time.Time
	status    string    // the last status read, cleaned; "" before the first
	checks    int       // the statuses read
	lastCheck time.Time // when the last status was read
	drawn     bool      // a line is on the screen
	broken    bool      // a write failed: draw no more

	stop func()        // stops the ticker
	quit chan struct{} // closed by finish
	done chan struct{} // closed when the redraw loop has returned
}

// startProgress starts the progress line of a wait for upgrade id, checked every interval,
// on p when t says p's writer is a terminal: it draws the line at once and then redraws it
// every second until finish. It returns nil, which draws nothing, when p is not a terminal.
func startProgress(p *printer, t terminal, id string, interval time.Duration) *liveProgress {
	if p == nil || !t.isTerminal(p.w) {
		return nil
	}
	lp := &liveProgress{
		p: p, t: t, id: p.clean(id), interval: interval,
		start: t.now(), quit: make(chan struct{}), done: make(chan struct{}),
	}
	tick, stop := t.ticker(time.Second)
	lp.stop = stop
	lp.mu.Lock()
	lp.draw()
	lp.mu.Unlock()
	go lp.loop(tick)
	return lp
}

// loop redraws the line at every tick until finish.
func (lp *liveProgress) loop(tick <-chan time.Time) {
	defer close(lp.done)
	for {
		select {
		case <-lp.quit:
			return
		case <-tick:
			lp.mu.Lock()
			lp.draw()
			lp.mu.Unlock()
		}
	}
}

// update records a status read (client.WaitOptions.OnProgress) and redraws the line.
func (lp *liveProgress) update(s *client.UpgradeStatus) {
	if lp == nil {
		return
	}
	lp.mu.Lock()
	defer lp.mu.Unlock()
	lp.checks++
	lp.status = lp.p.clean(s.Status)
	lp.lastCheck = lp.t.now()
	lp.draw()
}

// onProgress is update as a client.WaitOptions.OnProgress; nil for a nil *liveProgress.
func (lp *liveProgress) onProgress() func(*client.UpgradeStatus) {
	if lp == nil {
		return nil
	}
	return lp.update
}

// finish stops the redraws and clears the line, so that what is printed next starts on a
// clean line. It waits for the redraw loop to end: nothing is drawn after it returns.
func (lp *liveProgress) finish() {
	if lp == nil {
		return
	}
	close(lp.quit)
	<-lp.done
	lp.stop()
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if lp.drawn && !lp.broken {
		lp.write(clearLine)
	}
	lp.drawn = false
}

// line is the progress text, before it is cut to the terminal's width. Called with mu held.
func (lp *liveProgress) line() string {
	now := lp.t.now()
	elapsed := now.Sub(lp.start).Round(time.Second)
	// What changes comes first and the id (which the user gave, or upgrade printed) last, so
	// that a narrow terminal cuts the id, not the news.
	if lp.checks == 0 {
		return fmt.Sprintf("%s elapsed: first check (upgrade %s)", elapsed, lp.id)
	}
	next := "checking now"
	if wait := lp.lastCheck.Add(lp.interval).Sub(now); wait > 0 {
		next = fmt.Sprintf("next check in %ds", (wait+time.Second-1)/time.Second)
	}
	checks := "checks"
	if lp.checks == 1 {
		checks = "check"
	}
	return fmt.Sprintf("%s elapsed: %s, %d %s, %s (upgrade %s)", elapsed, lp.status, lp.checks, checks, next, lp.id)
}

// draw writes the line over the one on the screen, cut to fit. Called with mu held.
func (lp *liveProgress) draw() {
	if lp.broken {
		return
	}
	width := lp.t.width(lp.p.w)
	if width <= 0 {
		width = defaultWidth
	}
	// Scrubbed whole before it is cut, so that the cut cannot leave a piece of a secret that
	// the scrubber would have recognised in full. The values in it are already inert.
	text := cutRunes(lp.p.s.scrub(lp.line()), width-1)
	lp.write(clearLine + text)
	lp.drawn = true
}

// write writes s as it is (the escape sequences are pcupgrade's own); a failure ends the
// drawing.
func (lp *liveProgress) write(s string) {
	if err := lp.p.write(s); err != nil {
		lp.broken = true
	}
}

// cutRunes returns s cut to at most n runes (none when n < 1).
func cutRunes(s string, n int) string {
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if n == 0 {
			break
		}
		b.WriteRune(r)
		n--
	}
	return b.String()
}
