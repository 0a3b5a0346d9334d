package client

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// The live access token never leaves the process: a server or a proxy may echo it back (in
// an error body, a response header, the 202's Location, a 200 body, a malformed status line
// the transport quotes in its error), so every text the client hands on, in an error, a log
// line or a returned field, goes through a redactor that knows the token it sent.

// minRedactLen is the shortest token removed from inside other text. A shorter token (a test
// token such as "abc") is only removed where it is the whole value, so that ordinary words
// that happen to contain it are left alone.
const minRedactLen = 8

// minFragmentLen is the shortest piece of the token removed when a server echoed it cut
// short (its start at the end of a text, its end at the start of one, or a run of it).
const minFragmentLen = 12

// redacted replaces the token wherever it is found.
const redacted = "<redacted>"

// redactor removes one access token, in the forms a server may echo it in, from text.
type redactor struct {
	token string
	forms []string // the token, then its JSON-escaped and URL-escaped forms when they differ
	lower []string // forms, ASCII lowercased
}

// newRedactor returns a redactor of token; nil for no token, which redacts nothing.
func newRedactor(token string) *redactor {
	if token == "" {
		return nil
	}
	r := &redactor{token: token, forms: []string{token}}
	add := func(f string) {
		if f == "" {
			return
		}
		for _, g := range r.forms {
			if g == f {
				return
			}
		}
		r.forms = append(r.forms, f)
	}
	if q, err := json.Marshal(token); err == nil && len(q) >= 2 {
		esc := string(q[1 : len(q)-1])
		add(esc)
		add(strings.ReplaceAll(esc, "/", `\/`)) // .NET and PHP escape the slash
	}
	add(url.QueryEscape(token))
	add(url.PathEscape(token))
	for _, f := range r.forms {
		r.lower = append(r.lower, lowerASCII(f))
	}
	return r
}

// redact returns s without the token. A token of minRedactLen bytes or more is removed
// wherever it occurs (ASCII case ignored), in every form, and so is a piece of at least
// minFragmentLen bytes of it that a server cut short; a shorter token only when it is all of s.
func (r *redactor) redact(s string) string {
	if r == nil || s == "" {
		return s
	}
	if len(r.token) < minRedactLen {
		if strings.TrimSpace(s) == r.token {
			return redacted
		}
		return s
	}
	for i := range r.forms {
		s = replaceFold(s, r.lower[i], redacted)
	}
	if len(r.token) <= minFragmentLen {
		return s // no piece of it is long enough to tell from ordinary text
	}
	return r.redactFragments(s)
}

// redactFragments removes pieces of the token: within each run of token characters, a piece
// that is all of the run and part of the token, a tail that is the token's start, or a head
// that is the token's end.
func (r *redactor) redactFragments(s string) string {
	if len(s) < minFragmentLen {
		return s
	}
	var b strings.Builder
	changed := false
	last := 0
	for i := 0; i < len(s); {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isTokenByte(s[j]) {
			j++
		}
		run := s[i:j]
		if len(run) >= minFragmentLen {
			if out, ok := r.redactRun(run); ok {
				b.WriteString(s[last:i])
				b.WriteString(out)
				last = j
				changed = true
			}
		}
		i = j
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactRun redacts the token's pieces in one run of token characters.
func (r *redactor) redactRun(run string) (string, bool) {
	tok := r.token
	if strings.Contains(tok, run) {
		return redacted, true
	}
	head, tail := 0, len(run) // run[:head] and run[tail:] are pieces of the token
	// A head that is the end of the token: the token's end cut from its start.
	probe := run[:minFragmentLen]
	for off := 0; ; {
		k := strings.Index(tok[off:], probe)
		if k < 0 {
			break
		}
		j := off + k
		if rest := tok[j:]; strings.HasPrefix(run, rest) && len(rest) > head {
			head = len(rest)
		}
		off = j + 1
	}
	// A tail that is the start of the token: the token cut short.
	start := tok[:minFragmentLen]
	for off := 0; ; {
		k := strings.Index(run[off:], start)
		if k < 0 {
			break
		}
		i := off + k
		if i >= head && strings.HasPrefix(tok, run[i:]) {
			tail = i
			break
		}
		off = i + 1
	}
	if head == 0 && tail == len(run) {
		return run, false
	}
	var b strings.Builder
	if head > 0 {
		b.WriteString(redacted)
	}
	b.WriteString(run[head:tail])
	if tail < len(run) {
		b.WriteString(redacted)
	}
	return b.String(), true
}

// isTokenByte reports a byte that may be part of a bearer token (RFC 6750's b64token, plus
// the percent sign of an escaped one).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/=%", c) >= 0
}

// replaceFold replaces every occurrence of lold (lowercase ASCII) in s, ignoring ASCII case,
// by repl. It allocates only when it finds one.
func replaceFold(s, lold, repl string) string {
	i := indexFold(s, lold)
	if i < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i >= 0 {
		b.WriteString(s[last : last+i])
		b.WriteString(repl)
		last += i + len(lold)
		i = indexFold(s[last:], lold)
	}
	b.WriteString(s[last:])
	return b.String()
}

// indexFold is strings.Index ignoring ASCII case, lsub given in lowercase.
func indexFold(s, lsub string) int {
	n := len(lsub)
	if n == 0 {
		return 0
	}
	c0 := lsub[0]
	for i := 0; i+n <= len(s); i++ {
		if lowerByte(s[i]) != c0 {
			continue
		}
		j := 1
		for j < n && lowerByte(s[i+j]) == lsub[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// lowerASCII lowers ASCII letters only, so that byte offsets stay those of s.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// bearerRE finds a bearer credential a server might echo back, whatever the token.
var bearerRE = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`)

// scrub removes the token and anything shaped like a bearer credential from s, and nothing
// else: for returned fields, which keep the server's text as it is otherwise.
func (r *redactor) scrub(s string) string {
	if r != nil && !isClean(s) {
		// A printer that drops control characters would join a token split by one.
		if c := stripControls(s); c != s && r.redact(c) != c {
			s = c
		}
	}
	s = r.redact(s)
	if containsFold(s, "bearer") {
		s = bearerRE.ReplaceAllString(s, "Bearer "+redacted)
	}
	return s
}

// stripControls drops C0 and C1 control characters and DEL.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// redactedError is an error whose text held the token: Error gives the text without it, Is
// still matches what the original matched (context.DeadlineExceeded, ...), and the original,
// whose text would leak, cannot be reached by unwrapping.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) Timeout() bool        { return isTimeout(e.err) }

// isTimeout reports an error that says it is a timeout.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// redactErr returns err, or when its text holds the token (or a bearer credential), an error
// with the same meaning whose text does not. A *url.Error stays a *url.Error.
func (r *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := r.scrub(msg)
	if clean == msg {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) && error(ue) == err {
		return &url.Error{Op: ue.Op, URL: r.scrub(ue.URL), Err: r.redactErr(ue.Err)}
	}
	return &redactedError{msg: clean, err: err}
}
