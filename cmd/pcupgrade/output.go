package main

// Everything pcupgrade prints goes through a printer. Servers, proxies and recorded files
// are not trusted: a gateway may echo the bearer token into a header or a body, and a body
// may carry terminal escapes that clear the screen or forge an "upgrade completed" line. So:
//
//   - every value a printer formats is made inert (inert: no escape sequences, no control
//     characters, no bidi overrides, no line breaks) and scrubbed (scrubber: the live token,
//     in the forms secrets.Redactor knows, and anything internal/secrets recognises as a
//     credential);
//   - each line is scrubbed once more as a whole, since a token may be split across two
//     echoed values that print side by side;
//   - JSON keeps values as they are apart from the scrubbing (encoding/json escapes C0
//     controls), and the characters it leaves raw (DEL, C1 controls, bidi overrides) are
//     written as \u escapes, so the output is valid JSON that a terminal shows inertly.

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// scrubber removes the secrets the process knows (the token it sends) from text: a
// secrets.Redactor, which finds them in their raw and escaped forms, in any ASCII casing and
// cut short, a token shorter than secrets.MinRedactLen only where it stands as a word of its
// own. It is safe for concurrent use.
type scrubber struct {
	r *secrets.Redactor
}

// newScrubber returns a scrubber that knows token ("" for none).
func newScrubber(token string) *scrubber {
	return &scrubber{r: secrets.NewRedactor(token)}
}

// add makes s scrub token too.
func (s *scrubber) add(token string) { s.r.Add(token) }

// tokens removes the known secrets from text, replacing each with secrets.Redacted.
func (s *scrubber) tokens(text string) string { return s.r.Redact(text) }

// scrub removes the known secrets and every credential internal/secrets recognises.
func (s *scrubber) scrub(text string) string {
	return secrets.MaskString(s.tokens(text))
}

// inert returns s without terminal escape sequences (ESC and C1 introduced: CSI, OSC, DCS,
// ...), control characters, DEL and bidi controls, with each line break or tab turned into a
// space and invalid UTF-8 into U+FFFD, so that printing it can only show text, on one line.
func inert(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == 0x1b: // ESC: skip the sequence it introduces
			i = skipEscape(s, i)
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(s, i)
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBidiControl reports whether r changes the direction of the text around it (the marks,
// embeddings, overrides and isolates of Unicode's bidirectional algorithm).
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// skipEscape returns the index after the escape sequence whose ESC ends before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST
		return skipString(s, i+1)
	}
	// nF: intermediates (0x20-0x2f), then one final character.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return i
}

// skipCSI returns the index after a control sequence's parameters, intermediates and final
// byte (0x40-0x7e), starting at i; an unterminated sequence runs to the end.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 || c >= 0x7f {
			// Not a parameter, intermediate or final byte: the sequence is broken. Drop what
			// was read and leave this byte to the caller (a line break is still a space).
			return i - 1
		}
	}
	return i
}

// skipString returns the index after a control string started at i and ended by BEL, ESC \
// or C1 ST; an unterminated string runs to the end.
func skipString(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == 0x07 || r == 0x9c:
			return i
		case r == 0x1b:
			if i < len(s) && s[i] == '\\' {
				i++
			}
			return i
		}
	}
	return i
}

// printer is where a subcommand prints: one per stream, sharing the process's scrubber. It
// is safe for concurrent use.
type printer struct {
	mu sync.Mutex
	w  io.Writer
	s  *scrubber
}

func newPrinter(w io.Writer, s *scrubber) *printer { return &printer{w: w, s: s} }

// clean makes a server-provided value safe to print in text: inert, then scrubbed.
func (p *printer) clean(v string) string { return p.s.scrub(inert(v)) }

// printf prints format (pcupgrade's own text, trusted) with args, each string, error,
// Stringer or byte slice among them cleaned first, then scrubs the whole line again.
func (p *printer) printf(format string, args ...any) error {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			safe[i] = p.clean(v)
		case []byte:
			safe[i] = p.clean(string(v))
		case error:
			safe[i] = p.clean(v.Error())
		case fmt.Stringer:
			safe[i] = p.clean(v.String())
		default:
			safe[i] = a
		}
	}
	return p.write(p.s.scrub(fmt.Sprintf(format, safe...)))
}

// Write lets a printer stand where an io.Writer is wanted (help texts, verify's report):
// what it writes is scrubbed of the known tokens but not otherwise changed, so callers give
// it trusted text or values already cleaned (see cleanResult).
func (p *printer) Write(b []byte) (int, error) {
	if err := p.write(p.s.tokens(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (p *printer) write(s string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := io.WriteString(p.w, s)
	return err
}

// json prints v (a pointer to one of the output structs) as indented JSON, every string in
// it scrubbed; see the top of this file for what happens to control characters.
func (p *printer) json(v any) error {
	scrubStrings(reflect.ValueOf(v), p.s.scrub)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	// Once more over the whole document: a credential that only shows with its key (a
	// "code" that looks like a secret) is masked too. Mask keeps JSON valid.
	return p.write(p.s.scrub(escapeInvisible(b.String())))
}

// scrubStrings applies f to every settable string reachable from v through pointers,
// exported struct fields, slices and arrays.
func scrubStrings(v reflect.Value, f func(string) string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scrubStrings(v.Elem(), f)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				scrubStrings(v.Field(i), f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scrubStrings(v.Index(i), f)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(f(v.String()))
		}
	}
}

// escapeInvisible writes DEL, C1 controls and bidi controls in encoded JSON as \u escapes.
// In valid JSON these can only stand inside strings, where the escape means the same
// character: the value is unchanged, the terminal shows six harmless characters.
func escapeInvisible(js string) string {
	var b strings.Builder
	b.Grow(len(js))
	for _, r := range js {
		if r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r) || r == 0x2028 || r == 0x2029 {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
