package testkit

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// The scans below are the tests' oracle for "no secret got out". They find credentials with
// secrets.Find (the recogniser, not the redactors the tests check) and look for a live token
// with their own plain string search in each form the token may take, so that a bug in
// secrets.Redactor or secrets.Mask cannot hide itself from them.

// Form is one way a token may be written: Name says how ("plain", "query-escaped", ...).
type Form struct {
	Name, Text string
}

// TokenForms returns the forms in which a server or a program may echo tok: as sent,
// URL-escaped (query and path, as in a Location), JSON-escaped (a body), and with "/" escaped
// as JSON may write it (JSON-escaped and as sent). Forms may repeat the same text under
// different names.
func TokenForms(tok string) []Form {
	b, _ := json.Marshal(tok)
	esc := string(b[1 : len(b)-1])
	return []Form{
		{"plain", tok},
		{"query-escaped", url.QueryEscape(tok)},
		{"path-escaped", url.PathEscape(tok)},
		{"json-escaped", esc},
		{"json-escaped-slash", strings.ReplaceAll(esc, "/", `\/`)},
		{"slash-escaped", strings.ReplaceAll(tok, "/", `\/`)},
	}
}

// EncodedForms returns TokenForms and the forms an encoder may leave in a written file:
// percent-decoded, and base64 (standard and URL alphabets) at each of the three alignments
// the secret can take inside a longer encoded string, cut to the characters that do not
// depend on the bytes around it (base64 forms shorter than 6 characters are left out).
func EncodedForms(secret string) []Form {
	forms := TokenForms(secret)
	if d, err := url.QueryUnescape(secret); err == nil {
		forms = append(forms, Form{"unescaped", d})
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		name := "base64"
		if enc == base64.URLEncoding {
			name = "base64url"
		}
		for shift := range 3 {
			e := enc.EncodeToString(append(make([]byte, shift), secret...))
			core := strings.TrimRight(e, "=")
			if shift > 0 {
				core = core[4:]
			}
			if len(core) > 4 {
				core = core[:len(core)-3]
			}
			if len(core) >= 6 {
				forms = append(forms, Form{fmt.Sprintf("%s@%d", name, shift), core})
			}
		}
	}
	return forms
}

// Leaks returns where secret appears in texts (a text by its name), in any of its
// EncodedForms, as "NAME (FORM)", sorted.
func Leaks(texts map[string]string, secret string) []string {
	forms := EncodedForms(secret)
	var where []string
	for name, text := range texts {
		for _, f := range forms {
			if f.Text != "" && strings.Contains(text, f.Text) {
				where = append(where, name+" ("+f.Name+")")
			}
		}
	}
	sort.Strings(where)
	return where
}

// MinTokenLen is the length from which FindSecrets counts a live token found anywhere in a
// text; a shorter one counts only where it stands as a word (see ContainsWord), the rule
// secrets.Redactor follows.
const MinTokenLen = secrets.MinRedactLen

// ContainsWord reports whether word occurs in text other than as part of a longer word
// (letters, digits and '_' make words). It is written apart from secrets.Redactor, so that a
// scan built on it does not trust what it checks.
func ContainsWord(text, word string) bool {
	if word == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(text[from:], word)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(word)
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !(i > 0 && isWordRune(before)) && !(end < len(text) && isWordRune(after)) {
			return true
		}
		from = i + 1
	}
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// FindSecrets describes, without repeating the secret, each credential secrets.Find
// recognises in text ("WHERE:LINE: KIND (EXCERPT)") and each live token found in text in any
// of its TokenForms ("WHERE: live token #N", N counting from 1 in live; "" is skipped). A
// token shorter than MinTokenLen counts only where it stands as a word.
func FindSecrets(where, text string, live ...string) []string {
	var found []string
	for _, f := range secrets.Find([]byte(text)) {
		line := 1 + strings.Count(text[:f.Offset], "\n")
		found = append(found, fmt.Sprintf("%s:%d: %s (%s)", where, line, f.Kind, f.Excerpt))
	}
	for i, tok := range live {
		if tok == "" {
			continue
		}
		for _, form := range TokenForms(tok) {
			if len(form.Text) >= MinTokenLen && strings.Contains(text, form.Text) || ContainsWord(text, form.Text) {
				found = append(found, fmt.Sprintf("%s: live token #%d", where, i+1))
				break
			}
		}
	}
	return found
}

// ScanTree runs FindSecrets (without live tokens) over every file under root and every
// compressed stream in them (see TreeTexts), in the order of their names; a file is named by
// its path under root. A tree that cannot be read fails t.
func ScanTree(t testing.TB, root string) []string {
	t.Helper()
	texts := TreeTexts(t, root)
	names := make([]string, 0, len(texts))
	for name := range texts {
		names = append(names, name)
	}
	sort.Strings(names)
	var found []string
	for _, name := range names {
		found = append(found, FindSecrets(name, texts[name])...)
	}
	return found
}

// TreeTexts returns every file under dir (hidden and temporary files too) by its path under
// dir, and for each file in which compressed streams decode (see Decompressed) their text
// under "NAME (decompressed)". A dir that does not exist gives no texts; one that cannot be
// read fails t.
func TreeTexts(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out[rel] = string(b)
		if dec := Decompressed(b); dec != "" {
			out[rel+" (decompressed)"] = dec
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("testkit: reading %s: %v", dir, err)
	}
	return out
}

// Decompressed tries every offset of b where a gzip or zlib stream may start, and every body
// (what follows a blank line) as raw deflate, and returns all that decodes (up to 16 MiB a
// stream), joined by line ends; "" when nothing does.
func Decompressed(b []byte) string {
	var out []string
	try := func(open func(io.Reader) (io.Reader, error), at int) {
		r, err := open(bytes.NewReader(b[at:]))
		if err != nil {
			return
		}
		d, _ := io.ReadAll(io.LimitReader(r, 16<<20))
		if len(d) > 0 {
			out = append(out, string(d))
		}
	}
	for i := 0; i+2 <= len(b); i++ {
		switch {
		case b[i] == 0x1f && b[i+1] == 0x8b:
			try(func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }, i)
		case b[i] == 0x78 && (b[i+1] == 0x01 || b[i+1] == 0x5e || b[i+1] == 0x9c || b[i+1] == 0xda):
			try(func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }, i)
		}
	}
	for i := 0; i+2 <= len(b); i++ {
		if b[i] == '\n' && b[i+1] == '\n' {
			try(func(r io.Reader) (io.Reader, error) { return flate.NewReader(r), nil }, i+2)
		}
	}
	return strings.Join(out, "\n")
}
