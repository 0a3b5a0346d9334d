package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInert(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain text", "Upgrade is in progress", "Upgrade is in progress"},
		{"CSI clear screen and home", "a\x1b[2J\x1b[Hb", "ab"},
		{"CSI colour with parameters", "\x1b[1;31mred\x1b[0m", "red"},
		{"OSC title ended by BEL", "\x1b]0;pwned\x07x", "x"},
		{"OSC 8 hyperlink ended by ST", "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"DCS", "\x1bP+q544e\x1b\\x", "x"},
		{"charset designation", "\x1b(Bx", "x"},
		{"two-character escape", "\x1bcx", "x"},
		{"C1 CSI", "\u009b31mx", "x"},
		{"C1 OSC", "\u009d0;t\u009cx", "x"},
		{"unterminated CSI", "x\x1b[31", "x"},
		{"unterminated OSC", "x\x1b]0;title", "x"},
		{"broken CSI keeps what follows", "x\x1b[3\nupgrade", "x upgrade"},
		{"carriage return forging a line", "InProgress\rCompleted", "InProgress Completed"},
		{"line breaks", "a\nb\r\nc\u0085d\u2028e\u2029f", "a b  c d e f"},
		{"tab, vertical tab, form feed", "a\tb\vc\fd", "a b c d"},
		{"C0, DEL, NUL, backspace", "a\x00b\x7fc\bd\x07e", "abcde"},
		{"bidi override and isolates", "\u202egnp.exe\u202c \u2066x\u2069 \u200f\u061c", "gnp.exe x "},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"ordinary non-ASCII", "Microsoft Azure plan – Zürich 東京", "Microsoft Azure plan – Zürich 東京"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, inert(tc.in))
		})
	}
}

func FuzzInert(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x1b]0;x\x07", "\u009b1m", "a\rb", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := inert(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("inert(%q) = %q holds %U", s, out, r)
			}
		}
	})
}

// The scrubber is secrets.Redactor (whose own tests cover the forms, casings, pieces and
// short tokens) and secrets.Mask: tokens removes only the live tokens, scrub every credential
// too, and a token learned later (add) counts as much as the first.
func TestScrubberJoinsTheRedactorAndMask(t *testing.T) {
	t.Parallel()
	const tok = "live+Tok/en=12345"
	s := newScrubber(tok)
	assert.Equal(t, "a <redacted> b", s.tokens("a "+tok+" b"))
	assert.Equal(t, "x?sig=<redacted>", s.tokens("x?sig=live%2BTok%2Fen%3D12345"))
	assert.Equal(t, "nothing here", s.tokens("nothing here"))
	assert.Equal(t, `{"token":"abc"}`, s.tokens(`{"token":"abc"}`), "tokens removes the live tokens only")
	assert.Equal(t, `{"token":"<redacted>"} <redacted>`, s.scrub(`{"token":"abc"} `+tok))
	s.add("later-token-6789")
	assert.Equal(t, "<redacted> <redacted>", s.tokens(tok+" later-token-6789"))
	assert.Equal(t, "x", newScrubber("").tokens("x"), "no token, nothing scrubbed")
}

// JSON output: every string scrubbed, DEL, C1 and bidi controls escaped; still valid JSON
// with the same values otherwise.
func TestPrinterJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newPrinter(&buf, newScrubber("secret-token-123"))
	v := &statusJSON{ID: "id", Status: "x\u202ey\x7f\u009b\x1b[2J", ProductFamily: "secret-token-123",
		LineItems: []lineItemJSON{{SourceProduct: productJSON{Name: "Bearer secret-token-123"}}}}
	require.NoError(t, p.json(v))
	out := buf.String()
	require.True(t, json.Valid(buf.Bytes()), out)
	assert.NotContains(t, out, "secret-token-123")
	assert.Contains(t, out, `x\u202ey\u007f\u009b\u001b[2J`)
	var back statusJSON
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, "x\u202ey\x7f\u009b\x1b[2J", back.Status)
	assert.Equal(t, "<redacted>", back.ProductFamily)
}
