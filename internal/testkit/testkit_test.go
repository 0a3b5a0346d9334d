package testkit

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// spyT stands in for a test, so that a helper's failures can be observed instead of failing
// the test that checks the helper. Call the helper through run: a Fatalf ends run's goroutine
// as it ends a test's.
type spyT struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func newSpy(t *testing.T) *spyT { return &spyT{TB: t} }

func (s *spyT) Helper() {}

func (s *spyT) Errorf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

func (s *spyT) Fatalf(format string, args ...any) {
	s.Errorf(format, args...)
	runtime.Goexit() // as t.FailNow does
}

func (s *spyT) Failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.errs) > 0
}

func (s *spyT) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// run calls f as a test body would run.
func (s *spyT) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// end runs the cleanups, last registered first, and returns the failures reported.
func (s *spyT) end() []string {
	s.mu.Lock()
	cs := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

func TestOnceLoadsOnceAndReportsAFailedLoadToEveryCaller(t *testing.T) {
	t.Parallel()
	loads := 0
	o := NewOnce(func() (int, error) { loads++; return 42, nil })
	assert.Equal(t, 42, o.Get(t))
	assert.Equal(t, 42, o.Get(t))
	assert.Equal(t, 1, loads)

	bad := NewOnce(func() (int, error) { return 0, errors.New("spec did not load") })
	for range 2 {
		spy := newSpy(t)
		reached := false
		spy.run(func() { bad.Get(spy); reached = true })
		assert.False(t, reached, "Get returns after a failed load")
		assert.Equal(t, []string{"testkit: loading failed: spec did not load"}, spy.end())
	}
}

func TestValidatorIsLoadedOnce(t *testing.T) {
	t.Parallel()
	v := Validator(t)
	require.NotNil(t, v)
	assert.Same(t, v, Validator(t))
}

func TestContextEndsAfterItsBoundAndWithTheTest(t *testing.T) {
	t.Parallel()
	spy := newSpy(t)
	ctx := Context(spy, time.Hour)
	deadline, ok := ctx.Deadline()
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), deadline, time.Minute)
	assert.NoError(t, ctx.Err())
	assert.Empty(t, spy.end())
	assert.ErrorIs(t, ctx.Err(), context.Canceled, "cancelled when the test ends")

	short := Context(t, time.Millisecond)
	select {
	case <-short.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context outlived its bound")
	}
	assert.ErrorIs(t, short.Err(), context.DeadlineExceeded)
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// answering returns a transport that answers every request with status, the ids every
// response carries, JSON content and body.
func answering(status int, body string) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		h := http.Header{}
		h.Set("MS-RequestId", "cb82f7d6-f0d9-44d4-82f9-f6eee6e68390")
		h.Set("MS-CorrelationId", "772871a9-399b-4f3b-b8c7-38f550e4f22a")
		h.Set("Content-Type", "application/json")
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
}

const customer = "4c721420-72ad-4708-a0a7-371a2f7b0969"

// eligibility sends one eligibility check through tr and returns the body the caller reads.
func eligibility(t *testing.T, tr http.RoundTripper, base string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/v1/productupgrades/eligibility",
		strings.NewReader(`{"customerId":"`+customer+`","productFamily":"Azure"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

const base = "https://api.partnercenter.microsoft.com"

func TestSpecTransportPassesAResponseThatKeepsTheSpec(t *testing.T) {
	t.Parallel()
	spy := newSpy(t)
	body := `{"customerId":"` + customer + `","isEligible":true,"productFamily":"Azure"}`
	tr := NewSpecTransport(spy, answering(200, body))
	assert.Equal(t, body, eligibility(t, tr, base), "the body reaches the caller intact")
	assert.Equal(t, 1, tr.Checked())
	assert.Empty(t, tr.Violations())
	assert.Empty(t, spy.end())
}

// The transport can fail: a corrupted response is reported at cleanup, with the rule it breaks.
func TestSpecTransportReportsACorruptedResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, says string }{
		{"isEligible of the wrong type", `{"customerId":"` + customer + `","isEligible":"yes"}`, "isEligible"},
		{"isEligible missing", `{"customerId":"` + customer + `"}`, "isEligible"},
		{"not JSON", `{"isEligible":`, "undecodable body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spy := newSpy(t)
			tr := NewSpecTransport(spy, answering(200, tc.body))
			assert.Equal(t, tc.body, eligibility(t, tr, base))
			assert.NotEmpty(t, tr.Violations())
			errs := spy.end()
			require.Len(t, errs, 1, "%v", errs)
			assert.Contains(t, errs[0], "responses that break the spec")
			assert.Contains(t, errs[0], tc.says)
		})
	}

	// A test that expects the violations takes them: cleanup then has nothing to report.
	spy := newSpy(t)
	tr := NewSpecTransport(spy, answering(200, `{"isEligible":"yes"}`))
	eligibility(t, tr, base)
	assert.True(t, tr.TakeViolations().Has("response.body.schema", "body /isEligible"), "%v", tr.Violations())
	assert.Empty(t, tr.Violations())
	assert.Empty(t, spy.end())
}

// A transport that checked nothing fails the test: a test that sent nothing proves nothing.
// Requests the spec does not describe pass through unchecked.
func TestSpecTransportFailsWhenNothingWasChecked(t *testing.T) {
	t.Parallel()
	spy := newSpy(t)
	tr := NewSpecTransport(spy, answering(200, `{}`))
	req, err := http.NewRequest(http.MethodGet, base+"/not/an/operation", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Zero(t, tr.Checked())
	assert.Equal(t, []string{"no response was checked against the spec"}, spy.end())

	failing := newSpy(t)
	NewSpecTransport(failing, answering(200, `{}`))
	failing.Errorf("the test failed for its own reason")
	assert.Equal(t, []string{"the test failed for its own reason"}, failing.end(), "no second failure on a failed test")
}

func TestSpecTransportPassesTransportErrorsOn(t *testing.T) {
	t.Parallel()
	spy := newSpy(t)
	boom := errors.New("connection refused")
	tr := NewSpecTransport(spy, roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	req, err := http.NewRequest(http.MethodPost, base+"/v1/productupgrades", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	assert.ErrorIs(t, err, boom)
	assert.Nil(t, resp)
	assert.Equal(t, []string{"no response was checked against the spec"}, spy.end())
}

func TestIDsAreDistinctGUIDs(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "00000000-0000-4000-8000-00000000002a", GUID(42))
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				id := NewID()
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, 800, "every id distinct")
	for id := range seen {
		u, ok := guid.Parse(id)
		require.True(t, ok, id)
		assert.EqualValues(t, 4, u.Version(), id)
		assert.False(t, guid.IsNil(id))
	}
}

func TestContainsWord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, word string
		want       bool
	}{
		{"token ab12 rejected", "ab12", true},
		{"ab12", "ab12", true},
		{"see ab12xyz, xab12", "ab12", false},
		{"ab12_x 1ab12", "ab12", false},
		{"é-ab12-é", "ab12", true},
		{"éab12", "ab12", false},
		{"xab12 then ab12.", "ab12", true},
		{"aab12ab12", "ab12", false},
		{"anything", "", false},
	} {
		assert.Equal(t, tc.want, ContainsWord(tc.text, tc.word), "%q in %q", tc.word, tc.text)
	}
}

// The scan can fail: planted credentials of each kind, and a live token in each of its forms.
func TestFindSecretsCatchesPlantedSecrets(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl y",
		"Authorization: Bearer 0pAqu3-t0ken",
		"grant_type=client_credentials&client_secret=hunter2hunter2",
		`{"access_token":"abc"}`,
	} {
		found := FindSecrets("planted", text)
		assert.NotEmpty(t, found, "the scan missed %q", text)
		assert.NotContains(t, strings.Join(found, "\n"), "hunter2hunter2", "the report does not repeat the secret")
	}
	found := FindSecrets("out", "line one\nAuthorization: Bearer 0pAqu3-t0ken")
	require.Len(t, found, 1)
	assert.True(t, strings.HasPrefix(found[0], "out:2: "), found[0])

	const live = "pcLive&Tok/en=Zq8v+<x>"
	forms := TokenForms(live)
	names := map[string]bool{}
	for _, f := range forms {
		names[f.Name] = true
		text := "echo " + f.Text + "."
		assert.Equal(t, []string{"planted: live token #2"}, FindSecrets("planted", text, "other-token-123", live), "%s: %q", f.Name, text)
	}
	for _, n := range []string{"plain", "query-escaped", "path-escaped", "json-escaped", "json-escaped-slash", "slash-escaped"} {
		assert.True(t, names[n], "form %s", n)
	}
	assert.Empty(t, FindSecrets("clean", "nothing secret here", live, ""))
}

func TestFindSecretsCountsAShortTokenAsAWordOnly(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"x: live token #1"}, FindSecrets("x", "token ab12 rejected", "ab12"))
	assert.Empty(t, FindSecrets("x", "see ab12xyz, xab12", "ab12"))
	assert.Equal(t, []string{"x: live token #1"}, FindSecrets("x", "xlongtoken1y", "longtoken1"), "8 characters and more count anywhere")
}

func gzipped(t *testing.T, s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

func TestDecompressedFindsEachKindOfStream(t *testing.T) {
	t.Parallel()
	var z, f bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write([]byte("zlib text"))
	require.NoError(t, zw.Close())
	fw, err := flate.NewWriter(&f, flate.BestCompression)
	require.NoError(t, err)
	_, _ = fw.Write([]byte("deflate text"))
	require.NoError(t, fw.Close())

	assert.Contains(t, Decompressed([]byte("head "+gzipped(t, "gzip text"))), "gzip text")
	assert.Contains(t, Decompressed([]byte("head "+z.String())), "zlib text")
	assert.Contains(t, Decompressed([]byte("HTTP/1.1 200 OK\n\n"+f.String())), "deflate text")
	assert.Empty(t, Decompressed([]byte("plain text only")))
}

// The tree scan can fail: a planted credential in a file, in a compressed body and in a
// hidden file is reported by name and line; a clean tree gives nothing.
func TestScanTreeCatchesPlantedSecrets(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJub2JvZHkifQ.bm90LWEtcmVhbC1zaWduYXR1cmU"
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("clean.http", "POST /v1/productupgrades HTTP/1.1\nAuthorization: Bearer <token>\n")
	assert.Empty(t, ScanTree(t, dir))

	write("sub/planted.http", "POST /v1/productupgrades HTTP/1.1\nAuthorization: Bearer "+jwt+"\n")
	write("gzip.http", "HTTP/1.1 200 OK\nContent-Encoding: gzip\n\n"+gzipped(t, `{"x":1,`+"\n"+`"access_token":"abcdef"}`))
	write(".hidden", "client_secret=hunter2hunter2")
	joined := strings.Join(ScanTree(t, dir), "\n")
	assert.Contains(t, joined, filepath.Join("sub", "planted.http")+":2: ")
	assert.Contains(t, joined, "gzip.http (decompressed):2: ")
	assert.Contains(t, joined, ".hidden:1: ")
	assert.NotContains(t, joined, "clean.http")
	assert.NotContains(t, joined, "bm90LWEtcmVhbC1zaWduYXR1cmU", "the report does not repeat the secret")
	assert.NotContains(t, joined, "hunter2hunter2")

	assert.Empty(t, TreeTexts(t, filepath.Join(dir, "missing")), "a tree that does not exist holds nothing")
}

// Leaks can fail: a secret written in each encoded form is found, by text and form; a text
// without it is not named.
func TestLeaksFindsEachEncodedForm(t *testing.T) {
	t.Parallel()
	const secret = "planted-Zq9&Xw7/v"
	texts := map[string]string{
		"plain":   "x=" + secret,
		"query":   "x=" + url.QueryEscape(secret),
		"json":    `{"v":"` + strings.ReplaceAll(secret, "&", `\u0026`) + `"}`,
		"slash":   `{"v":"` + strings.ReplaceAll(secret, "/", `\/`) + `"}`,
		"base64":  base64.StdEncoding.EncodeToString([]byte("prefix:" + secret + ":suffix")),
		"b64url":  base64.URLEncoding.EncodeToString([]byte("ab" + secret)),
		"decoded": "x=" + strings.Replace(secret, "&", " ", 1),
		"clean":   "nothing here",
	}
	where := Leaks(texts, secret)
	for _, want := range []string{"plain (plain)", "query (query-escaped)", "json (json-escaped)", "slash (slash-escaped)",
		"base64 (base64@1)", "b64url (base64url@2)"} {
		assert.Contains(t, where, want)
	}
	for _, w := range where {
		assert.False(t, strings.HasPrefix(w, "clean"), "no false alarm: %s", w)
	}
	assert.Contains(t, Leaks(map[string]string{"d": "a b"}, "a+b"), "d (unescaped)")
}
