package secrets

import (
	"strings"
	"testing"
)

// The word-at-a-time scans (indexFold, hasControls) against the byte-at-a-time loops they
// replaced, which are kept here as the reference.

func indexFoldRef(s, lsub string) int {
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

func hasControlsRef(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] < 0xa0:
			return true
		}
	}
	return false
}

// TestIndexFold_AgreesWithTheByteLoop plants needles of every kind of first byte (a letter,
// a digit, a sign, a byte a case fold would confuse: '@' and '`', '[' and '{', high bytes) at
// every offset of texts of every length around the eight-byte chunks, in both casings, among
// near misses.
func TestIndexFold_AgreesWithTheByteLoop(t *testing.T) {
	t.Parallel()
	needles := []string{"bearer", "bench-token", "b", "-x", "@a", "`a", "{k", "[k", "\xc2\x85", "\xe1z", "0a", "Ab"}
	fillers := []string{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "BEAREBEARBEARE@`[{BbAa-_\xc1\xe1\xc2\x80zZ0aBE",
		"bbbbbbbbbbbbbbbbbbbbBBBBBBBBBBBBBBBBBBBB", "\x00\x1f\x20\x7f\x80\xff@@@@````[[[[{{{{----aaaaAAAA"}
	for _, needle := range needles {
		for _, fill := range fillers {
			for n := 0; n <= len(fill); n++ {
				text := fill[:n]
				check(t, text, needle)
				for at := 0; at <= n; at++ {
					check(t, text[:at]+needle+text[at:], needle)
					check(t, text[:at]+strings.ToUpper(needle)+text[at:], needle)
				}
			}
		}
	}
}

func check(t *testing.T, s, needle string) {
	t.Helper()
	if got, want := indexFold(s, needle), indexFoldRef(s, needle); got != want {
		t.Fatalf("indexFold(%q, %q) = %d, the byte loop gives %d", s, needle, got, want)
	}
}

// TestHasControls_AgreesWithTheByteLoop puts every byte, and every two-byte sequence led
// by 0xc2, at every offset of texts of lengths around the eight-byte chunks.
func TestHasControls_AgreesWithTheByteLoop(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 24; n++ {
		for at := 0; at <= n; at++ {
			for c := range 256 {
				for _, ins := range []string{string([]byte{byte(c)}), string([]byte{0xc2, byte(c)})} {
					for _, fill := range []string{"a", "\xc2", "\xa0", "\xff"} {
						text := strings.Repeat(fill, at) + ins + strings.Repeat(fill, n-at)
						if got, want := hasControls(text), hasControlsRef(text); got != want {
							t.Fatalf("hasControls(%q) = %v, the byte loop gives %v", text, got, want)
						}
					}
				}
			}
		}
	}
}

// FuzzIndexFold: on any text and needle, indexFold finds what the byte loop finds, and
// hasControls agrees with its byte loop.
func FuzzIndexFold(f *testing.F) {
	f.Add("a Bearer token", "bearer")
	f.Add("x-BENCH-TOKEN-y", "bench-token")
	f.Add("@@``\xc2\x85", "`")
	f.Fuzz(func(t *testing.T, s, sub string) {
		lsub := lowerASCII(sub)
		if got, want := indexFold(s, lsub), indexFoldRef(s, lsub); got != want {
			t.Fatalf("indexFold(%q, %q) = %d, the byte loop gives %d", s, lsub, got, want)
		}
		if got, want := hasControls(s), hasControlsRef(s); got != want {
			t.Fatalf("hasControls(%q) = %v, the byte loop gives %v", s, got, want)
		}
	})
}

// TestIsTokenByte_Table: the table holds RFC 6750's b64token bytes and '%', nothing else.
func TestIsTokenByte_Table(t *testing.T) {
	t.Parallel()
	const want = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=%"
	for c := range 256 {
		if got := isTokenByte(byte(c)); got != (strings.IndexByte(want, byte(c)) >= 0) {
			t.Errorf("isTokenByte(%q) = %v", byte(c), got)
		}
	}
}
