package secrets

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// This file is the module's one home for two jobs that were written several times:
//
//   - an Authorization header value with its credentials removed and its scheme kept
//     (RedactAuthorization), for logs, reports and recorded fixtures;
//   - the live token a process sends kept out of everything it hands on (Redactor): a server
//     or a proxy may echo the token back, whole, escaped, lower-cased, cut short, or split by
//     a control character.

// RedactAuthorization returns an Authorization (or Proxy-Authorization) header value with
// its credentials removed. Only a known HTTP authentication scheme survives, matched without
// regard to ASCII case and written in its usual spelling, so that nothing of what was sent
// reaches the output but the choice of scheme:
//
//	"Bearer eyJ…", "bearer eyJ…"  "Bearer <redacted>"
//	"Basic dXNl…"                 "Basic <redacted>"
//	"Bearer" (no credentials)     "Bearer"
//	"SHORTKEY extra", "eyJ…", ""  "<redacted>" (without a known scheme it may all be credential)
//
// The scheme must be followed by a space: "Bearer\teyJ…" is not read as one.
func RedactAuthorization(v string) string {
	word, credentials, _ := strings.Cut(strings.TrimSpace(v), " ")
	scheme, ok := schemes[lowerASCII(word)]
	switch {
	case !ok:
		return Redacted
	case strings.TrimSpace(credentials) == "":
		return scheme
	}
	return scheme + " " + Redacted
}

// bearerCredential is a bearer credential, whatever the token, as a server might echo one.
var bearerCredential = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`)

// RedactBearer replaces everything shaped like a bearer credential ("bearer", white space,
// then token characters; any casing, any length) with "Bearer <redacted>", and changes
// nothing else. It is deliberately eager: "a bearer token is required" becomes "a Bearer
// <redacted> is required". Mask is the careful scan for recorded text; this is for text a
// server chose that is handed to a caller.
func RedactBearer(s string) string {
	if indexFold(s, "bearer") < 0 {
		return s
	}
	return bearerCredential.ReplaceAllString(s, "Bearer "+Redacted)
}

// MinRedactLen is the length from which a token (or one of its escaped forms) is removed
// wherever it occurs, inside other words too. A shorter one (a test's "abc") is removed only
// where it stands as a word of its own, so that ordinary words that contain it keep their
// letters ("abcdef" stays, "abc" and "x-abc-y" lose it).
const MinRedactLen = 8

// MinFragmentLen is the shortest piece of a token removed when a server echoed it cut short
// (its start at the end of a run of token characters, its end at the start of one, or a run
// that is all token). Only tokens longer than this are looked for in pieces.
const MinFragmentLen = 12

// maxRedactPasses bounds Redact's passes: removing a token can, in crafted text, line up
// another occurrence; what still holds one after this many passes is replaced whole.
const maxRedactPasses = 4

// Redactor removes the live tokens a process knows (the access tokens it sends) from text,
// in the forms a server may echo them in: as sent, JSON-escaped (with "/" escaped too, as
// .NET and PHP write it), URL-escaped (a Location, a query), in any ASCII casing, cut short,
// or split by control characters a printer would drop. A nil *Redactor removes nothing. It
// is safe for concurrent use; Add may be called while other goroutines redact.
type Redactor struct {
	mu    sync.Mutex               // serialises Add
	known atomic.Pointer[snapshot] // replaced whole by Add, read without locking
}

// snapshot is what a Redactor knows at one time.
type snapshot struct {
	tokens []string // as added, without duplicates
	// forms are the tokens' forms, ASCII lowercased, without duplicates, longest first: a
	// token that is part of another (a prefix, say) must not be removed first and leave the
	// rest of the longer one behind.
	forms []string
}

// NewRedactor returns a Redactor of tokens; empty ones are ignored.
func NewRedactor(tokens ...string) *Redactor {
	r := &Redactor{}
	for _, t := range tokens {
		r.Add(t)
	}
	return r
}

// Add makes r remove token too. An empty token, or one r knows already, changes nothing.
func (r *Redactor) Add(token string) {
	if token == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.known.Load()
	if old == nil {
		old = &snapshot{}
	}
	if slices.Contains(old.tokens, token) {
		return
	}
	next := &snapshot{tokens: append(slices.Clip(old.tokens), token)}
	for _, f := range append(slices.Clip(old.forms), forms(token)...) {
		if !slices.Contains(next.forms, f) {
			next.forms = append(next.forms, f)
		}
	}
	slices.SortStableFunc(next.forms, func(a, b string) int { return len(b) - len(a) })
	r.known.Store(next)
}

// forms lists the forms of token a server may echo, ASCII lowercased: as sent, with "/"
// escaped, JSON-escaped (also with "/" escaped), URL-escaped for a query and for a path.
func forms(token string) []string {
	out := []string{token, strings.ReplaceAll(token, "/", `\/`)}
	if q, err := json.Marshal(token); err == nil && len(q) >= 2 {
		esc := string(q[1 : len(q)-1])
		out = append(out, esc, strings.ReplaceAll(esc, "/", `\/`))
	}
	out = append(out, url.QueryEscape(token), url.PathEscape(token))
	for i, f := range out {
		out[i] = lowerASCII(f)
	}
	return out
}

func (r *Redactor) snapshot() *snapshot {
	if r == nil {
		return nil
	}
	return r.known.Load()
}

// Redact returns s without the tokens r knows, each occurrence replaced by Redacted, and
// nothing else changed:
//   - a form of MinRedactLen bytes or more is removed wherever it occurs, ignoring ASCII case;
//     a shorter one only where it stands as a word of its own (letters, digits and '_' make
//     words), also ignoring ASCII case;
//   - of a token longer than MinFragmentLen, a piece of at least MinFragmentLen bytes that a
//     server cut short is removed too;
//   - when dropping the control characters of the result would join a token (a printer that
//     drops them would show it), the result is returned without its control characters.
func (r *Redactor) Redact(s string) string {
	k := r.snapshot()
	if k == nil || s == "" {
		return s
	}
	out := k.redactAll(s)
	if hasControls(out) {
		// A control character removed from the middle of an echoed token must not join
		// its halves after the search.
		c := stripControls(out)
		if rc := k.redactAll(c); rc != c {
			out = rc
		}
	}
	return out
}

// redactAll repeats redactPass until nothing changes (at most maxRedactPasses times); text
// that still holds a token then is replaced whole.
func (k *snapshot) redactAll(s string) string {
	for range maxRedactPasses {
		next := k.redactPass(s)
		if next == s {
			return s
		}
		s = next
	}
	if k.redactPass(s) != s {
		return Redacted
	}
	return s
}

// redactPass removes every form, longest first, then the pieces of each long token, once.
func (k *snapshot) redactPass(s string) string {
	for _, f := range k.forms {
		if len(f) >= MinRedactLen {
			s = replaceFold(s, f, Redacted)
		} else {
			s = replaceWordFold(s, f, Redacted)
		}
	}
	for _, t := range k.tokens {
		if len(t) > MinFragmentLen {
			s = redactFragments(s, t)
		}
	}
	return s
}

// redactFragments removes pieces of tok: within each run of token characters, a piece that
// is all of the run and part of tok, a tail that is tok's start, or a head that is tok's end.
func redactFragments(s, tok string) string {
	if len(s) < MinFragmentLen {
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
		if len(run) >= MinFragmentLen {
			if out, ok := redactRun(run, tok); ok {
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

// redactRun redacts the pieces of tok in one run of token characters.
func redactRun(run, tok string) (string, bool) {
	// Every place in tok where run or a head of it stands starts with probe: one search for
	// it tells whether there is any, and where the first is.
	probe := run[:MinFragmentLen]
	first := strings.Index(tok, probe)
	if first >= 0 && strings.Contains(tok[first:], run) {
		return Redacted, true
	}
	head, tail := 0, len(run) // run[:head] and run[tail:] are pieces of the token
	// A head that is the end of the token: the token's end cut from its start.
	for j := first; j >= 0; {
		if rest := tok[j:]; strings.HasPrefix(run, rest) && len(rest) > head {
			head = len(rest)
		}
		k := strings.Index(tok[j+1:], probe)
		if k < 0 {
			break
		}
		j += 1 + k
	}
	// A tail that is the start of the token: the token cut short.
	start := tok[:MinFragmentLen]
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
		b.WriteString(Redacted)
	}
	b.WriteString(run[head:tail])
	if tail < len(run) {
		b.WriteString(Redacted)
	}
	return b.String(), true
}

// isTokenByte reports a byte that may be part of a bearer token (RFC 6750's b64token, plus
// the percent sign of an escaped one).
func isTokenByte(c byte) bool { return tokenBytes[c] }

// tokenBytes is isTokenByte's table.
var tokenBytes = func() (t [256]bool) {
	for c := range t {
		switch b := byte(c); {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
			t[c] = true
		default:
			t[c] = strings.IndexByte("-._~+/=%", b) >= 0
		}
	}
	return t
}()

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

// replaceWordFold is replaceFold for the occurrences of lword that are not part of a longer
// word (letters, digits and '_' make words).
func replaceWordFold(s, lword, repl string) string {
	var b strings.Builder
	changed := false
	last := 0 // s[:last] is written (when changed)
	for from := 0; from < len(s); {
		k := indexFold(s[from:], lword)
		if k < 0 {
			break
		}
		i := from + k
		end := i + len(lword)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if i > 0 && isWordRune(before) || end < len(s) && isWordRune(after) {
			from = i + 1
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		last, from, changed = end, end, true
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// indexFold is strings.Index ignoring ASCII case, lsub given in lowercase. Candidates (a
// byte that is lsub's first in either case) are found eight bytes at a time (indexFirstFold).
func indexFold(s, lsub string) int {
	n := len(lsub)
	if n == 0 {
		return 0
	}
	if n > len(s) {
		return -1
	}
	c0 := lsub[0]
	if 'A' <= c0 && c0 <= 'Z' {
		return -1 // s's bytes are compared lowered: an upper-case lsub[0] never matches
	}
	hay := s[:len(s)-n+1] // the possible starts
	for i := 0; ; i++ {
		i = indexFirstFold(hay, i, c0)
		if i < 0 {
			return -1
		}
		j := 1
		for j < n && lowerByte(s[i+j]) == lsub[j] {
			j++
		}
		if j == n {
			return i
		}
	}
}

// Word-at-a-time tests on eight bytes held in a uint64 (little-endian, byte k in bits 8k).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 returns s[i:i+8] as a little-endian uint64 (the compiler makes it one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasZeroByte reports whether one of x's bytes is zero (exact: a borrow only follows a zero).
func hasZeroByte(x uint64) bool { return (x-ones)&^x&highs != 0 }

// hasByteBelow reports whether one of x's bytes is less than n (n <= 128; exact as hasZeroByte).
func hasByteBelow(x uint64, n byte) bool { return (x-ones*uint64(n))&^x&highs != 0 }

// indexFirstFold is the index of the first byte at or after from in s that is c (given in
// lowercase) in either ASCII case, or -1.
func indexFirstFold(s string, from int, c byte) int {
	var fold uint64 // or-ed in to lower the letters of a chunk when c is a letter
	if 'a' <= c && c <= 'z' {
		fold = ones * 0x20 // c|0x20 == c holds for c and its upper case only
	}
	want := ones * uint64(c)
	i := from
	for ; i+8 <= len(s); i += 8 {
		if hasZeroByte((load64(s, i) | fold) ^ want) {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i]|byte(fold) == c {
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
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// hasControls reports whether s holds a control character (isControl). Eight bytes at a
// time are passed over when none is below 0x20, DEL or 0xc2 (the lead byte of U+0080-U+009F).
func hasControls(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		if hasByteBelow(x, 0x20) || hasZeroByte(x^(ones*0x7f)) || hasZeroByte(x^(ones*0xc2)) {
			break
		}
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] < 0xa0: // U+0080-U+009F
			return true
		}
	}
	return false
}

// stripControls drops C0 and C1 control characters and DEL.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}
