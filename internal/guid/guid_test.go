package guid

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = "4c721420-72ad-4708-a0a7-371a2f7b0969"

func TestValidAndParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{sample, true},
		{strings.ToUpper(sample), true},
		{"4C721420-72ad-4708-A0A7-371a2f7b0969", true},
		{NilString, true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},

		// Forms uuid.Parse accepts that the spec's pattern does not.
		{"{" + sample + "}", false},
		{"urn:uuid:" + sample, false},
		{strings.ReplaceAll(sample, "-", ""), false},

		{"", false},
		{" " + sample, false},
		{sample + " ", false},
		{sample[:35], false},
		{sample + "0", false},
		{"4c721420-72ad-4708-a0a7-371a2f7b096g", false},
		{"4c721420_72ad-4708-a0a7-371a2f7b0969", false},
		{"4c72142-072ad-4708-a0a7-371a2f7b0969", false},
		{"4c721420-72ad-4708-a0a7+371a2f7b0969", false},
		{"4c721420-72ad-4708-a0a7-371a2f7b096\u00e9"[:Len], false},
		{"+c721420-72ad-4708-a0a7-371a2f7b0969", false},
		{"0x721420-72ad-4708-a0a7-371a2f7b0969", false},
	} {
		assert.Equal(t, tc.ok, Valid(tc.in), "Valid(%q)", tc.in)
		u, ok := Parse(tc.in)
		assert.Equal(t, tc.ok, ok, "Parse(%q)", tc.in)
		if tc.ok {
			assert.Equal(t, strings.ToLower(tc.in), u.String(), "Parse(%q)", tc.in)
		} else {
			assert.Equal(t, uuid.Nil, u, "Parse(%q) returns the nil GUID when it fails", tc.in)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		sample:                                  sample,
		strings.ToUpper(sample):                 sample,
		"{" + sample + "}":                      sample,
		"(" + strings.ToUpper(sample) + ")":     sample,
		"urn:uuid:" + sample:                    sample,
		"URN:UUID:" + sample:                    sample,
		"urn:uuid:{" + sample + "}":             sample,
		" \t" + sample + "\n":                   sample,
		"{" + NilString + "}":                   NilString,
		"":                                      "",
		"{" + sample + ")":                      "",
		"[" + sample + "]":                      "", // uuid.Parse takes any two characters around it
		"{" + sample:                            "",
		strings.ReplaceAll(sample, "-", ""):     "",
		"urn:uuid:":                             "",
		"x" + sample:                            "",
		"{ " + sample + "}":                     "",
		"urn:uuid: " + sample:                   "",
		"4c721420-72ad-4708-a0a7-371a2f7b0969}": "",
	} {
		got, ok := Normalize(in)
		assert.Equal(t, want, got, "Normalize(%q)", in)
		assert.Equal(t, want != "", ok, "Normalize(%q)", in)
	}
}

func TestIsNil(t *testing.T) {
	t.Parallel()
	assert.True(t, IsNil(NilString))
	assert.Equal(t, uuid.Nil.String(), NilString)
	for _, s := range []string{"", sample, "{" + NilString + "}", " " + NilString, "00000000000000000000000000000000"} {
		assert.False(t, IsNil(s), "IsNil(%q)", s)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	seen := map[uuid.UUID]bool{}
	for range 1000 {
		u, err := New()
		require.NoError(t, err)
		require.Equal(t, uuid.Version(4), u.Version())
		require.Equal(t, uuid.RFC4122, u.Variant())
		require.True(t, Valid(u.String()))
		require.False(t, seen[u], "a GUID came twice")
		seen[u] = true
	}
}

// A failing random source is an error, not a panic and not a GUID of predictable bytes.
// (crypto/rand.Reader itself never fails; uuid's reader function is what New calls with it.)
func TestNewFromAFailingSourceIsAnError(t *testing.T) {
	t.Parallel()
	boom := errors.New("entropy exhausted")
	u, err := uuid.NewRandomFromReader(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, uuid.Nil, u)
}

func TestAppend(t *testing.T) { // not parallel: AllocsPerRun
	for _, s := range []string{sample, strings.ToUpper(sample), NilString, "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u := uuid.MustParse(s)
		text, err := u.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, string(text), string(Append(nil, u)), "as MarshalText writes it")
		assert.Equal(t, `{"id":"`+u.String()+`"}`, string(append(Append([]byte(`{"id":"`), u), `"}`...)))
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = Append(buf[:0], uuid.Nil) }); n != 0 {
		t.Errorf("Append allocates %v times into a buffer with room", n)
	}
}

// guidPattern is the 8-4-4-4-12 form as a regular expression: FindAll's oracle.
var guidPattern = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

func TestFindAll(t *testing.T) {
	t.Parallel()
	other := "1e3d2b71-5e4b-4d80-af1c-6a7b8c9dae12"
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"no ids here", nil},
		{"Upgrade " + sample + " is in progress", []string{sample}},
		{"customer " + strings.ToUpper(sample) + ", upgrade " + other + ".", []string{strings.ToUpper(sample), other}},
		{sample + other, []string{sample, other}},
		{"a" + sample + "b", []string{sample}}, // inside a longer run of hex digits
		{"{" + sample + "}", []string{sample}},
	} {
		got := FindAll(tc.in)
		assert.Equal(t, guidPattern.FindAllString(tc.in, -1), got, "FindAll(%q) vs the regular expression", tc.in)
		if len(tc.want) > 0 {
			assert.Equal(t, tc.want, got, "FindAll(%q)", tc.in)
		}
	}
}

// FuzzParse: on any string, Valid and Parse agree with the spec's pattern, and on what they
// accept Parse agrees with uuid.Parse, the text round-trips through Append in lowercase, and
// Normalize gives the same GUID. FindAll finds what the regular expression finds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{sample, strings.ToUpper(sample), NilString, "{" + sample + "}", "urn:uuid:" + sample,
		strings.ReplaceAll(sample, "-", ""), "", sample[:35] + "g", "xx" + sample + sample + "yy"} {
		f.Add(s)
	}
	anchored := regexp.MustCompile(`^` + guidPattern.String() + `$`)
	f.Fuzz(func(t *testing.T, s string) {
		valid := Valid(s)
		if want := anchored.MatchString(s); valid != want {
			t.Fatalf("Valid(%q) = %v, the spec's pattern says %v", s, valid, want)
		}
		u, ok := Parse(s)
		if ok != valid {
			t.Fatalf("Parse(%q) ok %v, Valid %v", s, ok, valid)
		}
		if ok {
			want, err := uuid.Parse(s)
			if err != nil || want != u {
				t.Fatalf("Parse(%q) = %v, uuid.Parse = %v, %v", s, u, want, err)
			}
			if got := string(Append(nil, u)); got != strings.ToLower(s) {
				t.Fatalf("Append(Parse(%q)) = %q", s, got)
			}
			if n, ok := Normalize(s); !ok || n != strings.ToLower(s) {
				t.Fatalf("Normalize(%q) = %q, %v", s, n, ok)
			}
		} else if u != uuid.Nil {
			t.Fatalf("Parse(%q) failed with %v, want the nil GUID", s, u)
		}
		if n, ok := Normalize(s); ok {
			if !Valid(n) || n != strings.ToLower(n) {
				t.Fatalf("Normalize(%q) = %q, not in lowercase 8-4-4-4-12 form", s, n)
			}
			if !strings.Contains(strings.ToLower(s), n) {
				t.Fatalf("Normalize(%q) = %q, a GUID the text does not hold", s, n)
			}
		}
		got, want := FindAll(s), guidPattern.FindAllString(s, -1)
		if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != len(want) {
			t.Fatalf("FindAll(%q) = %q, the regular expression finds %q", s, got, want)
		}
	})
}

// Random canonical GUIDs, both casings: Parse and uuid.Parse agree.
func TestParseAgreesWithUUIDParseOnCanonicalText(t *testing.T) {
	t.Parallel()
	for range 2000 {
		u, err := New()
		require.NoError(t, err)
		for _, s := range []string{u.String(), strings.ToUpper(u.String())} {
			got, ok := Parse(s)
			require.True(t, ok, s)
			require.Equal(t, uuid.MustParse(s), got, s)
		}
	}
}

// TestValid_EveryByteAtEveryPosition: one byte of a GUID replaced by each of the 256 values
// at each position, Valid and Parse agree with the spec's pattern and Parse with uuid.Parse
// (the table's edges: '/', ':', '@', 'G', '`', 'g', high bytes).
func TestValid_EveryByteAtEveryPosition(t *testing.T) {
	t.Parallel()
	anchored := regexp.MustCompile(`^` + guidPattern.String() + `$`)
	b := []byte(sample)
	for i := range b {
		orig := b[i]
		for c := range 256 {
			b[i] = byte(c)
			s := string(b)
			want := anchored.MatchString(s)
			require.Equal(t, want, Valid(s), "Valid(%q)", s)
			u, ok := Parse(s)
			require.Equal(t, want, ok, "Parse(%q)", s)
			if ok {
				ref, err := uuid.Parse(s)
				require.NoError(t, err)
				require.Equal(t, ref, u, "Parse(%q)", s)
			}
		}
		b[i] = orig
	}
}
