package excerpt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefghij…"},
		{"héllo", 2, "h…"}, // é is two bytes: never cut in half
		{"日本語", 4, "日…"},
		{"abc", 0, "…"},
		{"abc", -1, "…"},
	} {
		if got := Cut(tc.in, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	// Whatever the cut, valid UTF-8 stays valid and the kept part is at most n bytes.
	s := strings.Repeat("aé日🙂", 20)
	for n := 0; n <= len(s); n++ {
		got := Cut(s, n)
		if !utf8.ValidString(got) || len(strings.TrimSuffix(got, Mark)) > n {
			t.Fatalf("Cut(_, %d) = %q", n, got)
		}
	}
}

func TestQuoteAndJSONType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v          any
		quote, typ string
	}{
		{nil, "nothing", "null"},
		{"a\"b", `"a\"b"`, "a string"},
		{true, "true", "a boolean"},
		{float64(1.5), "1.5", "a number"},
		{[]any{1.0}, "[1]", "an array"},
		{map[string]any{}, "map[]", "an object"},
		{struct{}{}, "{}", "struct {}"},
	} {
		if got := Quote(tc.v); got != tc.quote {
			t.Errorf("Quote(%#v) = %q, want %q", tc.v, got, tc.quote)
		}
		if got := JSONType(tc.v); got != tc.typ {
			t.Errorf("JSONType(%#v) = %q, want %q", tc.v, got, tc.typ)
		}
	}
	if got := Quote(strings.Repeat("x", 500)); len(got) != 2+120+len(Mark) {
		t.Errorf("Quote of a long string: %d bytes", len(got))
	}
}
