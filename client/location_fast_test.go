package client

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseLocation_FastPathAgrees: the one-check reading of the docs' form gives what the
// reading of every form gives, on that form in any casing and on every 52-byte near miss (one
// byte changed anywhere), so that it cannot accept what the general reading refuses.
func TestParseLocation_FastPathAgrees(t *testing.T) {
	t.Parallel()
	const loc = "productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
	check := func(in string) {
		t.Helper()
		id, le := parseLocation(in)
		wantID, wantLE := parseLocationForms(in)
		assert.Equal(t, wantID, id, "id of %q", in)
		assert.Equal(t, wantLE, le, "error of %q", in)
	}
	for _, in := range []string{loc, strings.ToUpper(loc), strings.ToLower(loc), "PRODUCTUPGRADES/" + loc[16:]} {
		check(in)
		if _, le := parseLocation(in); le != nil {
			t.Errorf("parseLocation(%q): %v", in, le)
		}
	}
	b := []byte(loc)
	for i := range b {
		orig := b[i]
		for c := range 256 {
			b[i] = byte(c)
			check(string(b))
		}
		b[i] = orig
	}
}

// FuzzParseLocationFastPath: on any text the fast path and the general reading agree.
func FuzzParseLocationFastPath(f *testing.F) {
	f.Add("productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4")
	f.Add(" productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb")
	f.Add("productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/")
	f.Fuzz(func(t *testing.T, in string) {
		id, le := parseLocation(in)
		wantID, wantLE := parseLocationForms(in)
		if id != wantID || (le == nil) != (wantLE == nil) || le != nil && *le != *wantLE {
			t.Fatalf("parseLocation(%q) = %q, %v; the general reading gives %q, %v", in, id, le, wantID, wantLE)
		}
	})
}
