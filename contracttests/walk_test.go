package contracttests

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// A file that does not parse is quoted in the error by at most maxQuotedLine bytes of its
// first line, masked; errors.As still reaches the ParseError.
func TestLoadFileMasksAndBoundsTheQuotedLine(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.bm90LWEtcmVhbC1zaWduYXR1cmU"
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		secret        string // must not show
	}{
		{"jwt", jwt + "\n", jwt},
		{"auth-no-scheme", "Authorization: opaqueCredential0123456789\n\n", "opaqueCredential0123456789"},
		{"long", strings.Repeat("é", 2000) + "\n\n", strings.Repeat("é", 101)},
		{"long-method", strings.Repeat("A", 1000) + "{ / HTTP/1.1\n\n", strings.Repeat("A", 201)},
		{"long-uri", "GET " + strings.Repeat("B", 600) + jwt + " HTTP/1.1\n\n", jwt},
	} {
		path := filepath.Join(dir, tc.name+".http")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFile(path)
		if err == nil {
			t.Fatalf("%s: parsed", tc.name)
		}
		msg := err.Error()
		if strings.Contains(msg, tc.secret) {
			t.Errorf("%s: the error shows %q: %s", tc.name, tc.secret, msg)
		}
		if !utf8.ValidString(msg) || len(msg) > maxFileErrorLen {
			t.Errorf("%s: error of %d bytes (valid UTF-8 %v)", tc.name, len(msg), utf8.ValidString(msg))
		}
		for _, q := range quoted.FindAllString(msg, -1) {
			if len(q) > maxQuotedLine+2 {
				t.Errorf("%s: a quotation of %d bytes: %s", tc.name, len(q), msg)
			}
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Exchange != tc.name {
			t.Errorf("%s: %T is not a ParseError for the exchange", tc.name, err)
		}
	}
}

func TestCutUTF8(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefghij", 8, "abcde…"},
		{"ééééé", 8, "éé…"}, // 10 bytes; cut at 5 would split a character
	} {
		if got := cutUTF8(tc.in, tc.n); got != tc.want || len(got) > tc.n {
			t.Errorf("cutUTF8(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
