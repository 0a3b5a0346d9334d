package spec

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// The byte loops that replace regular expressions must match exactly what the expressions
// match: every string of up to two bytes, and random strings built from the characters that
// matter, near and far from a match.
func TestByteLoopsMatchTheirPatterns(t *testing.T) {
	t.Parallel()
	loops := []struct {
		pattern string
		match   func(string) bool
	}{
		{`^[A-Za-z0-9\-._~+/<>]+=*$`, validBearerToken},
		{guidPattern, isGUID[string]},
		{optionalGUIDPattern, isOptionalGUID[string]},
		{versionPattern, isVersion[string]},
		{nonSpacePattern, hasNonSpace[string]},
	}
	var inputs []string
	for a := 0; a < 256; a++ {
		inputs = append(inputs, string([]byte{byte(a)}))
		for b := 0; b < 256; b += 3 {
			inputs = append(inputs, string([]byte{byte(a), byte(b)}))
		}
	}
	guid := "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
	alphabet := []byte("aZ09-._~+/<>= \t\n\r\f\vgG{}\x00\x80\xff" + "v")
	rng := rand.New(rand.NewSource(1))
	random := 20000
	if raceEnabled { // about 15 times slower; go test without -race runs them all
		random = 2000
	}
	for i := 0; i < random; i++ {
		var b []byte
		switch i % 3 {
		case 0: // a GUID with one or two changes
			b = []byte(guid)
			for n := rng.Intn(3); n > 0; n-- {
				b[rng.Intn(len(b))] = alphabet[rng.Intn(len(alphabet))]
			}
			if rng.Intn(4) == 0 {
				b = append(b, alphabet[rng.Intn(len(alphabet))])
			}
		default:
			for n := rng.Intn(12); n > 0; n-- {
				b = append(b, alphabet[rng.Intn(len(alphabet))])
			}
		}
		inputs = append(inputs, string(b), "v"+string(b), "Bearer"+string(b), strings.ToUpper(string(b)))
	}
	inputs = append(inputs, guid, strings.ToUpper(guid), "", "v1", "v123", "abc=", "abc==", "=", "a=b")
	for _, l := range loops {
		re := regexp.MustCompile(l.pattern)
		for _, in := range inputs {
			if got, want := l.match(in), re.MatchString(in); got != want {
				t.Errorf("%s: %q: byte loop %v, regexp %v", l.pattern, in, got, want)
			}
			if m := compileMatch(l.pattern); m.bytes != nil && m.bytes([]byte(in)) != re.MatchString(in) {
				t.Errorf("%s: %q: the []byte loop disagrees with the regexp", l.pattern, in)
			}
		}
	}
}
