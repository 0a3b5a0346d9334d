package contracttests

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// comparableExchange returns a copy of ex that reflect.DeepEqual can compare with another
// exchange's: the fields that are readers or functions (the bodies' readers, GetBody), the
// response's pointer back to its request, and Path (where it was read from, not what it is)
// are cleared. Everything else is compared deep: the name, the Meta, both texts and bodies,
// and every parsed field of the request (method, URL, proto, headers, Host, Content-Length,
// ...) and of the response (status, proto, headers, Content-Length, ...).
func comparableExchange(ex *Exchange) Exchange {
	c := *ex
	c.Path = ""
	if ex.Request != nil {
		rq := *ex.Request
		rq.Body, rq.GetBody = nil, nil
		c.Request = &rq
	}
	if ex.Response != nil {
		rs := *ex.Response
		rs.Body, rs.Request = nil, nil
		c.Response = &rs
	}
	return c
}

// sameExchange reports whether a and b are the same exchange, as comparableExchange says.
func sameExchange(a, b *Exchange) bool {
	return reflect.DeepEqual(comparableExchange(a), comparableExchange(b))
}

// TestFormatRoundTripsFixtures checks the fixture format in both directions on every fixture
// in testdata (exchanges and flagged):
//
//   - parsed, then formatted, a fixture gives its files' bytes back. The sidecar must come
//     back byte for byte. The .http file must too, up to the one normalisation Format makes
//     on these files: whatever whitespace follows the response's body (nothing after an
//     empty body, " \n" after the 429 copied from the docs) becomes one "\n". The request and
//     the response are separated by "\n\n" in every fixture, as Format writes them.
//   - formatted, then parsed, an exchange is the same exchange (sameExchange).
func TestFormatRoundTripsFixtures(t *testing.T) {
	t.Parallel()
	// The fixtures are checked in parallel: normalised is kept under mu and reported once all
	// ended.
	var mu sync.Mutex
	var normalised []string
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%d fixtures whose tail Format normalises: %v", len(normalised), normalised)
	})
	for _, dir := range []string{exchangesDir, flaggedDir} {
		paths, err := filepath.Glob(filepath.Join(dir, "*"+FixtureExt))
		require.NoError(t, err)
		require.NotEmpty(t, paths)
		for _, path := range paths {
			name := strings.TrimSuffix(filepath.Base(path), FixtureExt)
			t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
				t.Parallel()
				rawFixture, err := os.ReadFile(path)
				require.NoError(t, err)
				_, sidecarPath := FixturePaths(dir, name)
				rawSidecar, err := os.ReadFile(sidecarPath)
				require.NoError(t, err, "every fixture in testdata has a sidecar")

				ex, err := LoadFile(path)
				require.NoError(t, err)
				fixture, sidecar, err := Format(ex)
				require.NoError(t, err)

				assert.Equal(t, string(rawSidecar), string(sidecar), "the sidecar, parsed and formatted, changed")

				// The response's text ends where its body ends; only whitespace may follow.
				end := len(ex.RequestText)
				sep := rawFixture[end:]
				sep = sep[:len(sep)-len(bytes.TrimLeft(sep, "\r\n"))]
				assert.Equal(t, "\n\n", string(sep), "the blank line between the request and the response")
				end += len(sep)
				require.True(t, bytes.HasPrefix(rawFixture[end:], []byte(ex.ResponseText)))
				end += len(ex.ResponseText)
				tail := rawFixture[end:]
				require.Empty(t, bytes.TrimSpace(tail), "only whitespace after the response")
				want := append(bytes.Clone(rawFixture[:end]), '\n')
				assert.Equal(t, string(want), string(fixture), "the fixture, parsed and formatted, changed beyond its tail")
				if string(tail) != "\n" {
					mu.Lock()
					normalised = append(normalised, name)
					mu.Unlock()
					t.Logf("normalised: %q after the response's body becomes \"\\n\"", tail)
				} else {
					assert.Equal(t, string(rawFixture), string(fixture), "byte for byte")
				}

				back, err := ParseFiles(ex.Name, fixture, sidecar)
				require.NoError(t, err, "a formatted exchange parses")
				assert.True(t, sameExchange(ex, back), "formatted and parsed, the exchange changed")
				assert.Equal(t, comparableExchange(ex), comparableExchange(back))
			})
		}
	}
}

// TestFormatMetaRoundTripsEveryField fills every field of a Meta and checks that
// ParseMeta(FormatMeta(m)) gives it back, so that a field added to Meta without a JSON name
// the reader knows shows here.
func TestFormatMetaRoundTripsEveryField(t *testing.T) {
	t.Parallel()
	m := &Meta{
		Title:     "every field <set> & escaped \"quotes\" é",
		Operation: "CheckProductUpgradeStatus",
		Request: Provenance{Origin: OriginDoc, Source: "docs", Doc: "x.request.doc.txt",
			Fixups: []Fixup{{Field: "body", Old: "a\n", New: "b\r\n", Reason: "why"}}},
		Response: Provenance{Origin: OriginDoc, Source: "docs", Doc: "x.response.doc.txt",
			Fixups: []Fixup{{Field: "header:Content-Type", Old: "c", New: "d", Reason: "because"}}},
		Expect: Expect{
			Status:      200,
			UpgradeID:   "42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
			Location:    "productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
			Eligibility: &ExpectEligibility{CustomerID: "c", ProductFamily: "Azure", IsEligible: true, UpgradeID: "u", Reason: "r"},
			UpgradeStatus: &ExpectStatus{ID: "i", ProductFamily: "Azure", Status: "Failed",
				LineItems:    []ExpectLineItem{{SourceProductID: "s", SourceProductName: "sn", TargetProductID: "t", TargetProductName: "tn", UpgradedDate: "2019-08-29T23:47:28Z", UpgradedDateRaw: "2019-08-29T23:47:28", Status: "Failed"}},
				ErrorDetails: map[string]string{"code": "1", "message": "m"}},
			Error:        &ExpectError{Code: "900118", Description: "d", Source: "PartnerFD", RetryAfterSeconds: 57},
			MissingField: "isEligible",
			Violations:   []ExpectViolation{{Rule: "schema", Where: "response body"}},
		},
	}
	assertAllFieldsSet(t, reflect.ValueOf(*m), "Meta")
	b, err := FormatMeta(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"title": "every field <set> & escaped \"quotes\" é"`, "HTML characters are not escaped")
	assert.True(t, strings.HasSuffix(string(b), "}\n"))
	back, err := ParseMeta(b)
	require.NoError(t, err)
	assert.Equal(t, m, back)

	// In a whole exchange too.
	ex, err := ParseExchange("x", []byte("GET /a HTTP/1.1\nContent-Length: 0\n\n\nHTTP/1.1 204 No Content\n\n"))
	require.NoError(t, err)
	ex.Meta = m
	fixture, sidecar, err := Format(ex)
	require.NoError(t, err)
	assert.Equal(t, b, sidecar)
	assert.Equal(t, "GET /a HTTP/1.1\nContent-Length: 0\n\n\n\nHTTP/1.1 204 No Content\n\n\n", string(fixture))
	back2, err := ParseFiles("x", fixture, sidecar)
	require.NoError(t, err)
	assert.Equal(t, comparableExchange(ex), comparableExchange(back2))
}

// assertAllFieldsSet fails for every field of v (a struct, followed through pointers, slices
// and structs) left at its zero value, so that TestFormatMetaRoundTripsEveryField covers a
// field added later.
func assertAllFieldsSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is nil: set it", path)
			return
		}
		assertAllFieldsSet(t, v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("%s is empty: set it", path)
			return
		}
		assertAllFieldsSet(t, v.Index(0), path+"[0]")
	case reflect.Struct:
		for i := range v.NumField() {
			assertAllFieldsSet(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	default:
		if v.IsZero() {
			t.Errorf("%s is zero: set it", path)
		}
	}
}

func TestFormatWithoutMetaWritesNoSidecar(t *testing.T) {
	t.Parallel()
	ex, err := ParseExchange("bare", []byte("GET /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok \n\t\n"))
	require.NoError(t, err)
	fixture, sidecar, err := Format(ex)
	require.NoError(t, err)
	assert.Nil(t, sidecar, "no Meta, no sidecar")
	assert.Equal(t, "GET /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\n", string(fixture),
		"the texts as they are; the separator and the tail canonical")
	back, err := ParseFiles("bare", fixture, nil)
	require.NoError(t, err)
	assert.Nil(t, back.Meta)
	assert.True(t, sameExchange(ex, back))
}

func TestFormatErrorsNameTheExchangeAndPart(t *testing.T) {
	t.Parallel()
	_, _, err := Format(nil)
	require.Error(t, err)

	for name, tc := range map[string]struct {
		ex   *Exchange
		part string
	}{
		"no request text":  {&Exchange{Name: "e1", ResponseText: "HTTP/1.1 200 OK\n\n"}, "request"},
		"no response text": {&Exchange{Name: "e2", RequestText: "GET / HTTP/1.1\n\n"}, "response"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Format(tc.ex)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.ex.Name, fe.Exchange)
			assert.Equal(t, tc.part, fe.Part)
			assert.Contains(t, err.Error(), "exchange "+tc.ex.Name)
			assert.NotNil(t, errors.Unwrap(err))
		})
	}
}

func TestParseFilesReportsTheSidecar(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.http"))
	require.NoError(t, err)
	_, err = ParseFiles("create-202", raw, []byte(`{"unknown": 1}`))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "meta", pe.Part)
	assert.Contains(t, err.Error(), "create-202.json")
	assert.Contains(t, err.Error(), "unknown")
}

func TestFixturePaths(t *testing.T) {
	t.Parallel()
	f, s := FixturePaths(filepath.Join("a", "b"), "0001-x-200")
	assert.Equal(t, filepath.Join("a", "b", "0001-x-200.http"), f)
	assert.Equal(t, filepath.Join("a", "b", "0001-x-200.json"), s)
}
