package secrets

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactAuthorization(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Bearer " + jwt, "Bearer <redacted>"},
		{"bearer " + jwt, "Bearer <redacted>"}, // the usual spelling: nothing of what was sent is kept
		{"BEARER abc", "Bearer <redacted>"},
		{"  Bearer   abc  ", "Bearer <redacted>"},
		{"Basic dXNlcjpwYXNzd29yZA==", "Basic <redacted>"},
		{"Digest username=\"u\", response=\"r\"", "Digest <redacted>"},
		{"Negotiate YIIB", "Negotiate <redacted>"},
		{"NTLM TlRMTVNTUAAB", "NTLM <redacted>"},
		{"PoP eyJ", "PoP <redacted>"},
		{"Token abc", "Token <redacted>"},
		{"SharedKeyLite acct:sig", "SharedKeyLite <redacted>"},
		{"Bearer", "Bearer"}, // no credentials: nothing to hide
		{"basic  ", "Basic"},

		// Without a known scheme the whole value may be credential.
		{jwt, "<redacted>"},
		{"SHORTKEY extra", "<redacted>"},
		{"SHORTKEY", "<redacted>"},
		{"opaque-credential-without-a-scheme-0123456789", "<redacted>"},
		{"averyveryverylongcredentialthatisnotascheme rest", "<redacted>"},
		{"  sk_live_12345 Bearer", "<redacted>"},
		{"Bearer\t" + jwt, "<redacted>"}, // a scheme is followed by a space
		{"Bearer:abc", "<redacted>"},
		{"Baſic abc", "<redacted>"}, // only ASCII case is ignored
		{"\u212Aerberos abc", "<redacted>"},
		{"", "<redacted>"},
		{"  ", "<redacted>"},
	} {
		assert.Equal(t, tc.want, RedactAuthorization(tc.in), "%q", tc.in)
	}
}

func TestRedactBearer(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"rejected Authorization: bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl for tenant": "rejected Authorization: Bearer <redacted> for tenant",
		"Bearer abc":                            "Bearer <redacted>",
		"BEARER\tabc== x":                       "Bearer <redacted> x",
		"a bearer token is required":            "a Bearer <redacted> is required", // eager on purpose
		"Bearer <redacted>":                     "Bearer <redacted>",
		"Bearer":                                "Bearer",
		"nothing to see":                        "nothing to see",
		"x Bearer a/b+c~d.e_f-g== y Bearer h z": "x Bearer <redacted> y Bearer <redacted> z",
	} {
		assert.Equal(t, want, RedactBearer(in), "%q", in)
	}
}

func TestRedactorRemovesEveryForm(t *testing.T) {
	t.Parallel()
	const tok = "live+Tok/en=12345"
	r := NewRedactor(tok)
	jsonEsc := func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
	for _, in := range []string{
		"a " + tok + " b",
		"productUpgrades/x?sig=" + url.QueryEscape(tok),
		"productUpgrades/" + url.PathEscape(tok),
		"x?sig=live%2btok%2fen%3d12345", // escapes in lower case
		`{"m":"` + strings.ReplaceAll(tok, "/", `\/`) + `"}`,
		`{"m":"` + jsonEsc(tok) + `"}`,
		"TOKEN " + strings.ToUpper(tok) + " REJECTED",
		"token=" + tok + "&x=1 prefix" + tok + "suffix",
	} {
		out := r.Redact(in)
		assert.NotContains(t, strings.ToLower(out), "12345", "%q -> %q", in, out)
		assert.Contains(t, out, Redacted, "%q", in)
	}
	// An opaque token whose JSON form differs from its raw one: <, > and & are escaped.
	const html = "tok<en>&more-0123456789"
	assert.Equal(t, `{"m":"<redacted>"}`, NewRedactor(html).Redact(`{"m":"`+jsonEsc(html)+`"}`))
	assert.Equal(t, "nothing here", r.Redact("nothing here"))
}

func TestRedactorRemovesPiecesOfALongToken(t *testing.T) {
	t.Parallel()
	r := NewRedactor(jwt)
	for name, in := range map[string]string{
		"cut short":          "invalid token " + jwt[:40],
		"start cut off":      jwt[len(jwt)-30:] + " was rejected",
		"a run inside":       "saw " + jwt[20:60] + " in the header",
		"cut short, glued":   "token=" + jwt[:30] + "&x=1",
		"end, then start":    jwt[len(jwt)-20:] + jwt[:20],
		"whole, lower-cased": "TOKEN " + strings.ToLower(jwt) + " REJECTED",
	} {
		out := r.Redact(in)
		for i := 0; i+MinFragmentLen <= len(jwt); i += 4 {
			assert.NotContains(t, out, jwt[i:i+MinFragmentLen], "%s: %q", name, out)
		}
		assert.Contains(t, out, Redacted, name)
	}
	// Pieces shorter than MinFragmentLen are ordinary text.
	assert.Equal(t, "eyJhbGciOiJ", r.Redact("eyJhbGciOiJ"))
	// A token of MinFragmentLen bytes or fewer is only removed whole.
	short := NewRedactor("abcdefghijkl")
	assert.Equal(t, "abcdefghijk <redacted>", short.Redact("abcdefghijk abcdefghijkl"))
}

// A token shorter than MinRedactLen is removed where it stands as a word, not out of
// other words; from MinRedactLen bytes on, wherever it is.
func TestRedactorShortTokensAsWords(t *testing.T) {
	t.Parallel()
	s := NewRedactor("ab12")
	assert.Equal(t, "token <redacted> rejected (see kb ab12xyz, xab12, <redacted>)",
		s.Redact("token ab12 rejected (see kb ab12xyz, xab12, ab12)"))
	assert.Equal(t, "<redacted>", s.Redact("ab12"))
	assert.Equal(t, "ab12_x 1ab12 é-<redacted>-é", s.Redact("ab12_x 1ab12 é-ab12-é"))
	assert.Equal(t, "<redacted> éab12", s.Redact("AB12 éab12"), "any ASCII casing; é is a letter")
	abc := NewRedactor("abc")
	assert.Equal(t, "the abcdef field is invalid", abc.Redact("the abcdef field is invalid"))
	assert.Equal(t, "  <redacted> ", abc.Redact("  abc "))
	// An escaped form of a short token can be long enough to be removed anywhere.
	slashes := NewRedactor("a/b/c/d")
	assert.Equal(t, "x<redacted>y", slashes.Redact("x"+url.QueryEscape("a/b/c/d")+"y"))
	long := NewRedactor("longtoken1")
	assert.Equal(t, "x<redacted>y", long.Redact("xlongtoken1y"), "8 characters and more: everywhere")
}

// A control character that splits the token is no hiding place: a printer that drops it
// would show the token. Text whose token is not split keeps its control characters.
func TestRedactorControlCharacters(t *testing.T) {
	t.Parallel()
	const tok = "AAAAAAAA"
	r := NewRedactor(tok)
	assert.Equal(t, "x <redacted> y", r.Redact("x AAAA\x00AAAA y"))
	assert.Equal(t, "x <redacted> y", r.Redact("x AAAA\u0085AAAA y"))
	assert.Equal(t, "line <redacted>\nnext\n", r.Redact("line "+tok+"\nnext\n"), "line breaks stay")
	assert.Equal(t, "a\tb\n", r.Redact("a\tb\n"))
}

// A token that is part of another (its prefix, here) does not leave the rest of the longer
// one behind, whatever the order they were added in.
func TestRedactorTokenInsideAnother(t *testing.T) {
	t.Parallel()
	const short, long = "abcdefgh", "abcdefgh-SECRETPART"
	for _, r := range []*Redactor{NewRedactor(short, long), NewRedactor(long, short)} {
		assert.Equal(t, "x <redacted> y <redacted>", r.Redact("x "+long+" y "+short))
	}
	r := NewRedactor("ab")
	r.Add("ab-cdefghijklmn")
	assert.Equal(t, "<redacted> <redacted>", r.Redact("ab-cdefghijklmn ab"))
}

// Removing a token must not line up another occurrence of it.
func TestRedactorLeavesNoOccurrenceBehind(t *testing.T) {
	t.Parallel()
	const tok = "ted>AAAAAA" // "<redacted>" ends with its start
	out := NewRedactor(tok).Redact("ted>AAAAAAAAAAAA")
	assert.NotContains(t, strings.ToLower(out), strings.ToLower(tok), out)
}

func TestRedactorWithoutTokens(t *testing.T) {
	t.Parallel()
	var nilR *Redactor
	assert.Equal(t, "Bearer x", nilR.Redact("Bearer x"))
	assert.Equal(t, "x", NewRedactor().Redact("x"))
	assert.Equal(t, "x", NewRedactor("", "").Redact("x"))
	r := NewRedactor("first-token-1")
	r.Add("first-token-1")
	r.Add("")
	assert.Len(t, r.snapshot().tokens, 1, "duplicates and empty tokens are ignored")
}

// Add while other goroutines redact (go test -race).
func TestRedactorIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	r := NewRedactor("token-number-0")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r.Add("token-number-" + strings.Repeat("x", i+1))
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				if out := r.Redact("a token-number-0 b"); out != "a <redacted> b" {
					t.Errorf("Redact = %q", out)
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Len(t, r.snapshot().tokens, 9)
	assert.Equal(t, "<redacted>", r.Redact("token-number-xxxx"))
}

// FuzzRedactor: a token of MinRedactLen bytes or more planted anywhere in any text, in any
// of the forms a server echoes it in, is gone after Redact, also once control characters are
// dropped; with no token, Redact changes nothing.
func FuzzRedactor(f *testing.F) {
	f.Add("error: token X was rejected", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln", 7)
	f.Add("", "Opaque/Secret+Value==", 0)
	f.Add("aaaaaaaaaaaaaaaaaaaa", "aaaaaaaa", 3)
	f.Add("Bearer", "bearer-token-12345", 6)
	f.Add("AAAAAA\x00AA", "AAAAAAAA", 3)
	f.Add("aaaaaaaaaaaaaaaaaaaa", "00000000", 3)
	f.Add("AAAAAA", "ted>AAAAAA", 0)
	f.Fuzz(func(t *testing.T, text, token string, at int) {
		if got := NewRedactor().Redact(text); got != text {
			t.Fatalf("a Redactor without tokens changed %q to %q", text, got)
		}
		if len(token) < MinRedactLen || strings.Contains(lowerASCII(Redacted), lowerASCII(token)) {
			return
		}
		r := NewRedactor(token)
		if at < 0 {
			at = -at
		}
		at %= len(text) + 1
		for _, form := range forms(token) {
			for _, f := range []string{form, strings.ToUpper(form)} {
				s := text[:at] + f + text[at:]
				out := r.Redact(s)
				if strings.Contains(lowerASCII(out), lowerASCII(token)) {
					t.Fatalf("Redact(%q) = %q still holds the token %q", s, out, token)
				}
				if got := stripControls(out); strings.Contains(lowerASCII(got), lowerASCII(token)) {
					t.Fatalf("Redact(%q) = %q holds the token %q once control characters are dropped", s, out, token)
				}
			}
		}
	})
}
