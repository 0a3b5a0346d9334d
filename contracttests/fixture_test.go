package contracttests

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// TestFixturesDifferFromDocsOnlyByFixups checks every half of an exchange taken from the docs:
// the documentation's text, with the listed fix-ups applied in order, must give the fixture
// exactly (trailing blank lines aside). Constructed halves must say so and list no fix-ups.
func TestFixturesDifferFromDocsOnlyByFixups(t *testing.T) {
	t.Parallel()
	for _, ex := range append(loadExchanges(t), loadFlagged(t)...) {
		for _, half := range []struct {
			part    string
			prov    Provenance
			fixture string
		}{{"request", ex.Meta.Request, ex.RequestText}, {"response", ex.Meta.Response, ex.ResponseText}} {
			t.Run(ex.Name+"/"+half.part, func(t *testing.T) {
				t.Parallel()
				p := half.prov
				require.NotEmpty(t, p.Source, "the sidecar names the source")
				switch p.Origin {
				case OriginDoc:
					require.NotEmpty(t, p.Doc, "a doc half keeps the doc text beside the fixture")
					doc, err := os.ReadFile(filepath.Join(exchangesDir, p.Doc))
					require.NoError(t, err)
					got, err := ApplyFixups(string(doc), p.Fixups)
					require.NoError(t, err)
					assert.Equal(t, trimEnd(half.fixture), trimEnd(got),
						"the fixture differs from %s beyond its %d listed fix-ups", p.Doc, len(p.Fixups))
					for _, f := range p.Fixups {
						t.Logf("fix-up %s: %q -> %q: %s", f.Field, excerpt.Cut(f.Old, 40), excerpt.Cut(f.New, 40), f.Reason)
					}
				case OriginConstructed:
					assert.Empty(t, p.Doc, "a constructed half has no doc text")
					assert.Empty(t, p.Fixups, "a constructed half has no fix-ups")
					assert.Contains(t, strings.ToLower(p.Source), "constructed", "a constructed half says it is not captured")
				default:
					t.Fatalf("origin %q: want %q or %q", p.Origin, OriginDoc, OriginConstructed)
				}
			})
		}
	}
}

// TestDocTextsDoNotParseAsIs shows that the fix-ups are needed: every doc half, exactly as the
// docs print it, is rejected by the parser or differs from its fixture.
func TestDocTextsDoNotParseAsIs(t *testing.T) {
	t.Parallel()
	for _, ex := range loadExchanges(t) {
		if ex.Meta.Request.Origin != OriginDoc || len(ex.Meta.Request.Fixups) == 0 {
			continue
		}
		doc, err := os.ReadFile(filepath.Join(exchangesDir, ex.Meta.Request.Doc))
		require.NoError(t, err)
		_, err = ParseExchange(ex.Name, append(doc, []byte("\n"+ex.ResponseText+"\n")...))
		assert.Error(t, err, "%s: the docs' request text parsed without its fix-ups", ex.Name)
	}
}

// seedBlockSHA256 are the SHA-256 digests of the two HTTP blocks (request, response) of the
// seed page shared/seeds/create-product-upgrade-entity.fr.md, the docs page the project
// started from. They let the doc texts be checked where the seed is not at hand (CI).
var seedBlockSHA256 = [2]string{
	"762d6100f1baf178214ca71641632a8c2dfe78eea59a21d6e2ca291ef8bc2f0b",
	"4c8afeefb4372089bd216931ea069bdc5dfe918f0dc7e34ee7c675dcceed06d6",
}

var seedDocTexts = [2]string{"create-202.request.doc.txt", "create-202.response.doc.txt"}

// TestDocTextsMatchSeed checks that the create exchange's doc texts are the HTTP blocks of the
// seed page, byte for byte: by their digests everywhere, and, where shared/seeds is beside the
// checkout, also that those digests are the seed's own.
func TestDocTextsMatchSeed(t *testing.T) {
	t.Parallel()
	for i, name := range seedDocTexts {
		doc, err := os.ReadFile(filepath.Join(exchangesDir, name))
		require.NoError(t, err)
		assert.Equal(t, seedBlockSHA256[i], sha256Hex(doc), "%s is not the seed's block %d", name, i+1)
	}
	seed, err := os.ReadFile(filepath.Join("..", "..", "shared", "seeds", "create-product-upgrade-entity.fr.md"))
	if os.IsNotExist(err) {
		t.Log("shared/seeds is not beside this checkout: the doc texts were checked against the seed's recorded digests only")
		return
	}
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```http\n(.*?)```").FindAllStringSubmatch(string(seed), -1)
	require.Len(t, blocks, 2, "the seed page has a request and a response block")
	for i := range blocks {
		assert.Equal(t, seedBlockSHA256[i], sha256Hex([]byte(blocks[i][1])), "the seed's block %d changed: update seedBlockSHA256 and the doc texts together", i+1)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestApplyFixups(t *testing.T) {
	t.Parallel()
	ok := []Fixup{{Field: "content-length", Old: "Content-Length: 340", New: "Content-Length: 2", Reason: "wrong length"}}
	got, err := ApplyFixups("Content-Length: 340\n\n{}", ok)
	require.NoError(t, err)
	assert.Equal(t, "Content-Length: 2\n\n{}", got)

	for name, tc := range map[string]struct {
		doc    string
		fixups []Fixup
		want   string
	}{
		"old text absent":  {"abc", []Fixup{{Field: "x", Old: "zzz", New: "y", Reason: "r"}}, "occurs 0 times"},
		"old text twice":   {"aXaX", []Fixup{{Field: "x", Old: "X", New: "y", Reason: "r"}}, "occurs 2 times"},
		"no reason":        {"abc", []Fixup{{Field: "x", Old: "a", New: "b"}}, "has no reason"},
		"empty old text":   {"abc", []Fixup{{Field: "x", Old: "", New: "b", Reason: "r"}}, "old text is empty"},
		"second one fails": {"abc", []Fixup{{Field: "x", Old: "a", New: "b", Reason: "r"}, {Field: "y", Old: "a", New: "c", Reason: "r"}}, "fixup 2"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ApplyFixups(tc.doc, tc.fixups)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseExchangeRejectsBrokenFixtures(t *testing.T) {
	t.Parallel()
	const req = "POST https://api.partnercenter.microsoft.com/v1/productupgrades HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: %s\n\n{\"a\":1}\n\n"
	const resp = "HTTP/1.1 202 Accepted\nContent-Length: %s\nLocation: productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4\n\n%s"
	for name, tc := range map[string]struct {
		raw, part, want string
	}{
		"request Content-Length too large":     {strings.Replace(req, "%s", "40", 1) + strings.Replace(strings.Replace(resp, "%s", "0", 1), "%s", "", 1), "response", "Content-Length does not match its body"},
		"request Content-Length far too large": {strings.Replace(req, "%s", "4000", 1) + strings.Replace(strings.Replace(resp, "%s", "0", 1), "%s", "", 1), "request", "shorter than its Content-Length"},
		"request Content-Length too small":     {strings.Replace(req, "%s", "3", 1) + strings.Replace(strings.Replace(resp, "%s", "0", 1), "%s", "", 1), "response", "Content-Length does not match its body"},
		"response body longer than said":       {strings.Replace(req, "%s", "7", 1) + strings.Replace(strings.Replace(resp, "%s", "0", 1), "%s", "{}", 1), "response", "smaller than the body"},
		"response body shorter than said":      {strings.Replace(req, "%s", "7", 1) + strings.Replace(strings.Replace(resp, "%s", "9", 1), "%s", "{}", 1), "response", "shorter than its Content-Length"},
		"no response":                          {strings.Replace(req, "%s", "7", 1), "response", "no response"},
		"body without Content-Length":          {"POST /v1/productupgrades HTTP/1.1\nHost: x\n\n{\"a\":1}\n\nHTTP/1.1 202 Accepted\nContent-Length: 0\n\n", "response", "Content-Length does not match its body"},
		"not HTTP at all":                      {"hello", "request", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseExchange("broken", []byte(tc.raw))
			require.Error(t, err)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.part, pe.Part)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "exchange broken")
		})
	}
}

func TestLoadDirReportsBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.http"), []byte("GARBAGE"), 0o644))
	_, err := LoadDir(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad")

	_, err = LoadDir(t.TempDir())
	require.Error(t, err, "an empty folder is reported, not passed")

	good, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.http"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.http"), good, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"title": 1}`), 0o644))
	_, err = LoadDir(dir)
	require.Error(t, err, "a sidecar that does not decode is reported")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"unknown": "field"}`), 0o644))
	_, err = LoadDir(dir)
	require.Error(t, err, "a sidecar with an unknown field is reported")
}

func trimEnd(s string) string { return strings.TrimRight(s, " \r\n") }
