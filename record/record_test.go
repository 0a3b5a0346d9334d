package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// A made-up token of the right shape; it must never reach the disk.
const (
	jwt          = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLW5vdC1yZWFs"
	cookie       = "session=cookie-value-never-on-disk"
	customerID   = "4c721420-72ad-4708-a0a7-371a2f7b0969"
	badCustomer  = "00000000-0000-0000-0000-000000000000"
	upgradeID    = "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"
	createBody   = `{"customerId":"` + customerID + `","productFamily":"Azure"}`
	eligibleBody = `{"customerId":"` + customerID + `","isEligible":true,"productFamily":"azure"}`
	// errorBody quotes the token back, as a careless service might.
	errorBody = `{"code":900118,"description":"Invalid Customer Id for token ` + jwt + `","data":[],"source":"PartnerFD"}`
)

// partnerCenter is a loopback stand-in for the service: it checks it received the real
// credentials and body, and answers as the docs show.
func partnerCenter(t *testing.T) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || r.Header.Get("Authorization") != "Bearer "+jwt || r.Header.Get("Cookie") != cookie {
			http.Error(w, "the recorder changed the request", http.StatusTeapot)
			return
		}
		w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		w.Header().Set("Set-Cookie", "affinity=server-cookie-never-on-disk")
		switch {
		case r.URL.Path == "/v1/productupgrades" && bytes.Contains(body, []byte(badCustomer)):
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, errorBody)
		case r.URL.Path == "/v1/productupgrades" && string(body) == createBody:
			w.Header().Set("Location", "productUpgrades/"+upgradeID)
			w.WriteHeader(http.StatusAccepted)
		case r.URL.Path == "/v1/productupgrades/eligibility" && string(body) == createBody:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, eligibleBody)
		default:
			http.Error(w, "unexpected request "+r.URL.Path+" "+string(body), http.StatusTeapot)
		}
	}))
}

// newRequest builds a request as the client sends it: bearer token, ids, JSON body.
func newRequest(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff")
	req.Header.Set("MS-CorrelationId", "e3f26e6a-044f-4371-ad52-0d91ce4200be")
	req.Header.Set("X-Locale", "en-US")
	req.Header.Set("Cookie", cookie)
	req.Header.Set("X-Internal-Tenant", "contoso-tenant-secret")
	return req
}

func do(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// readAll returns every file in dir by name.
func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func TestRecordedExchangesVerifyAndHoldNoSecrets(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport, WithSource("loopback test"))
	c := &http.Client{Transport: rec}

	status, body := do(t, c, newRequest(t, srv.URL+"/v1/productupgrades", createBody))
	require.Equal(t, http.StatusAccepted, status, body)
	status, body = do(t, c, newRequest(t, srv.URL+"/v1/productupgrades/eligibility", createBody))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, eligibleBody, body, "the caller gets the response as sent")
	status, body = do(t, c, newRequest(t, srv.URL+"/v1/productupgrades", strings.Replace(createBody, customerID, badCustomer, 1)))
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, errorBody, body, "the caller gets the unmasked body: masking is for the disk only")
	require.NoError(t, rec.Err())

	files := readAll(t, dir)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	assert.Equal(t, []string{
		"0001-create-product-upgrade-202.http", "0001-create-product-upgrade-202.json",
		"0002-check-product-upgrade-eligibility-200.http", "0002-check-product-upgrade-eligibility-200.json",
		"0003-create-product-upgrade-400.http", "0003-create-product-upgrade-400.json",
	}, names, "sequence number, operation, status; no temporary files left")

	for name, text := range files {
		for _, secret := range []string{jwt, "eyJ", "cookie-value-never-on-disk", "server-cookie-never-on-disk", "contoso-tenant-secret"} {
			assert.NotContains(t, text, secret, "%s holds a secret", name)
		}
		assert.Empty(t, secrets.Find([]byte(text)), "%s", name)
	}
	create := files["0001-create-product-upgrade-202.http"]
	assert.Contains(t, create, "Authorization: Bearer <redacted>\n")
	assert.Contains(t, create, "Cookie: <redacted>\n", "headers off the allow-list keep their name, not their value")
	assert.Contains(t, create, "X-Internal-Tenant: <redacted>\n")
	assert.Contains(t, create, "MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff\n", "allow-listed headers keep their value, in the spec's spelling")
	assert.Contains(t, create, "Location: productUpgrades/"+upgradeID+"\n")
	assert.Contains(t, files["0003-create-product-upgrade-400.http"], `"description":"Invalid Customer Id for token <redacted>"`)

	// The recorded exchanges read back as fixtures and validate against the spec.
	exs, err := contracttests.LoadDir(dir)
	require.NoError(t, err)
	require.Len(t, exs, 3)
	sc, err := contracttests.NewSpecChecker(context.Background())
	require.NoError(t, err)
	for _, ex := range exs {
		assert.Empty(t, sc.Check(context.Background(), ex), "%s", ex.Name)
		require.NotNil(t, ex.Meta, ex.Name)
		assert.Equal(t, contracttests.OriginRecorded, ex.Meta.Request.Origin)
		assert.Equal(t, contracttests.OriginRecorded, ex.Meta.Response.Origin)
		assert.Equal(t, "loopback test", ex.Meta.Request.Source)
		assert.Equal(t, ex.Response.StatusCode, ex.Meta.Expect.Status)
		assert.Equal(t, int64(len(ex.ResponseBody)), ex.Response.ContentLength, "Content-Length matches the masked body")
	}
	assert.Equal(t, createBody, string(exs[0].RequestBody))
	assert.Equal(t, "CreateProductUpgrade", exs[0].Meta.Operation)
	assert.Equal(t, "CheckProductUpgradeEligibility", exs[1].Meta.Operation)

	rep, err := contracttests.Verify(context.Background(), dir)
	require.NoError(t, err)
	assert.True(t, rep.Passed(), "%+v", rep.Results)
}

// onlyReader hides strings.Reader's other methods, so http.NewRequest sets no GetBody.
type onlyReader struct{ io.Reader }

func TestRequestBodyWithoutGetBodyIsReplayed(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport)
	req := newRequest(t, srv.URL+"/v1/productupgrades", "")
	req.Body = io.NopCloser(onlyReader{strings.NewReader(createBody)})
	req.GetBody = nil
	req.ContentLength = int64(len(createBody))

	status, body := do(t, &http.Client{Transport: rec}, req)
	require.Equal(t, http.StatusAccepted, status, "the server got the whole body: %s", body)
	require.NoError(t, rec.Err())
	exs, err := contracttests.LoadDir(dir)
	require.NoError(t, err)
	require.Len(t, exs, 1)
	assert.Equal(t, createBody, string(exs[0].RequestBody))
}

func TestBodyOverTheLimitIsPassedThroughNotRecorded(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	var reported []error
	var mu sync.Mutex
	rec := New(dir, srv.Client().Transport, WithMaxBody(20), WithErrorHandler(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))
	c := &http.Client{Transport: rec}

	// The request body (62 bytes) is over the limit.
	status, _ := do(t, c, newRequest(t, srv.URL+"/v1/productupgrades", createBody))
	assert.Equal(t, http.StatusAccepted, status)
	assert.ErrorContains(t, rec.Err(), "request body larger than 20 bytes: not recorded")

	// Without GetBody the bytes read for the check still reach the server.
	req := newRequest(t, srv.URL+"/v1/productupgrades/eligibility", "")
	req.Body, req.GetBody, req.ContentLength = io.NopCloser(onlyReader{strings.NewReader(createBody)}), nil, int64(len(createBody))
	status, body := do(t, c, req)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, eligibleBody, body, "the caller gets the whole response body")

	entries, err := os.ReadDir(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing recorded")
	}
	mu.Lock()
	assert.Len(t, reported, 3, "two request bodies and one response body over the limit")
	mu.Unlock()
	assert.NotContains(t, rec.Err().Error(), jwt)
}

func TestResponseBodyOverTheLimitReachesTheCaller(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big) }))
	defer srv.Close()
	rec := New(t.TempDir(), srv.Client().Transport, WithMaxBody(100))
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/productupgrades/eligibility", strings.NewReader(createBody))
	require.NoError(t, err)
	_, body := do(t, &http.Client{Transport: rec}, req)
	assert.Equal(t, big, body)
	assert.ErrorContains(t, rec.Err(), "response body larger than 100 bytes")
}

func TestTransportErrorPassesThrough(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection refused")
	dir := filepath.Join(t.TempDir(), "rec")
	rec := New(dir, roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	req := newRequest(t, "http://127.0.0.1:1/v1/productupgrades", createBody)
	resp, err := rec.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	assert.ErrorIs(t, err, boom)
	assert.Nil(t, resp)
	_, statErr := os.Stat(dir)
	assert.ErrorIs(t, statErr, fs.ErrNotExist, "nothing written")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNamesNeverCollide(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	// A fixture already there: numbering continues after it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0007-old-200.http"), []byte("old"), 0o644))

	// Two recorders on one folder, used concurrently.
	recs := []*Recorder{New(dir, srv.Client().Transport), New(dir, srv.Client().Transport)}
	const perRecorder = 10
	var wg sync.WaitGroup
	for _, rec := range recs {
		for range perRecorder {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := (&http.Client{Transport: rec}).Do(newRequest(t, srv.URL+"/v1/productupgrades/eligibility", createBody))
				if err == nil {
					// Checked below: the folder must hold every exchange.
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}()
		}
	}
	wg.Wait()
	for _, rec := range recs {
		require.NoError(t, rec.Err())
	}
	files := readAll(t, dir)
	assert.Equal(t, "old", files["0007-old-200.http"], "an existing fixture is never overwritten")
	var http, side int
	for name := range files {
		switch {
		case strings.HasSuffix(name, ".http"):
			http++
		case strings.HasSuffix(name, ".json"):
			side++
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
	assert.Equal(t, 2*perRecorder+1, http)
	assert.Equal(t, 2*perRecorder, side)
	for i := 8; i < 8+2*perRecorder; i++ {
		_, ok := files[fmt.Sprintf("%04d-check-product-upgrade-eligibility-200.http", i)]
		assert.True(t, ok, "fixture %d", i)
	}
}

func TestPairAppearsTogetherOrNotAtAll(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	t.Cleanup(srv.Close) // not defer: the parallel subtests run after this function returns
	enospc := &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		name  string
		setup func(r *Recorder)
		want  string
	}{
		{"the second temporary file cannot be written (disk full)", func(r *Recorder) {
			n := 0
			r.writeHook = func(f *os.File, b []byte) (int, error) {
				if n++; n == 2 {
					return 0, enospc
				}
				return f.Write(b)
			}
		}, "no space left on device"},
		{"the first temporary file cannot be written", func(r *Recorder) {
			r.writeHook = func(*os.File, []byte) (int, error) { return 0, enospc }
		}, "no space left on device"},
		{"the fixture cannot be linked after its sidecar was", func(r *Recorder) {
			r.linkHook = func(oldname, newname string) error {
				if strings.HasSuffix(newname, ".http") {
					return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.ENOSPC}
				}
				return os.Link(oldname, newname)
			}
		}, "no space left on device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			rec := New(dir, srv.Client().Transport)
			tc.setup(rec)
			status, _ := do(t, &http.Client{Transport: rec}, newRequest(t, srv.URL+"/v1/productupgrades", createBody))
			assert.Equal(t, http.StatusAccepted, status, "the call is not affected")
			assert.ErrorContains(t, rec.Err(), tc.want)
			assert.Empty(t, readAll(t, dir), "no fixture, no sidecar, no temporary file")
		})
	}
}

func TestPairIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	// The first name's sidecar is taken, the second name's fixture.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0001-create-product-upgrade-202.json"), []byte("old sidecar"), 0o644))
	rec := New(dir, srv.Client().Transport)
	rec.seq, rec.started = 0, true
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0002-create-product-upgrade-202.http"), []byte("old fixture"), 0o644))
	do(t, &http.Client{Transport: rec}, newRequest(t, srv.URL+"/v1/productupgrades", createBody))
	require.NoError(t, rec.Err())
	files := readAll(t, dir)
	assert.Equal(t, "old sidecar", files["0001-create-product-upgrade-202.json"])
	assert.Equal(t, "old fixture", files["0002-create-product-upgrade-202.http"])
	_, orphan := files["0002-create-product-upgrade-202.json"]
	assert.False(t, orphan, "the sidecar linked before the fixture's name was found taken is removed")
	assert.Contains(t, files, "0003-create-product-upgrade-202.http")
	assert.Contains(t, files, "0003-create-product-upgrade-202.json")
	assert.Len(t, files, 4, "no temporary file left")
}

func TestAllowedHeadersOption(t *testing.T) {
	t.Parallel()
	srv := partnerCenter(t)
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport, WithAllowedHeaders("x-internal-tenant", "Authorization"))
	do(t, &http.Client{Transport: rec}, newRequest(t, srv.URL+"/v1/productupgrades", createBody))
	require.NoError(t, rec.Err())
	text := readAll(t, dir)["0001-create-product-upgrade-202.http"]
	assert.Contains(t, text, "X-Internal-Tenant: contoso-tenant-secret\n")
	assert.Contains(t, text, "Authorization: Bearer <redacted>\n", "Authorization cannot be allow-listed")
}

func TestUnroutedTrafficKeepsOnlyItsShape(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Upstream", "upstream-value")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"access_token":"at-never-on-disk"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	rec := New(dir, srv.Client().Transport)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/oauth/tenant-never-on-disk/callback?code=1&client_secret=s3cr3tvalue", nil)
	require.NoError(t, err)
	req.Header.Set("User-Agent", "agent-never-on-disk")
	_, body := do(t, &http.Client{Transport: rec}, req)
	assert.Equal(t, `{"access_token":"at-never-on-disk"}`, body, "the caller gets the body as sent")
	require.NoError(t, rec.Err())
	files := readAll(t, dir)
	text, ok := files["0001-unrouted-get-200.http"]
	require.True(t, ok, "a request outside the spec is named by its method alone: %v", files)
	assert.Equal(t, "GET /<redacted>/<redacted>/<redacted> HTTP/1.1\nHost: redacted.invalid\nContent-Length: 0\n\n\n\n"+
		"HTTP/1.1 200 OK\nContent-Length: 0\n\n\n", text)
	assert.Contains(t, files["0001-unrouted-get-200.json"], `"title": "Recorded GET /<redacted>/<redacted>/<redacted>: 200"`)
	ex, err := contracttests.LoadFile(filepath.Join(dir, "0001-unrouted-get-200.http"))
	require.NoError(t, err, "still a readable fixture")
	assert.Equal(t, "", ex.Meta.Operation)
}

func TestSlugFor(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodPost, "/v1/Other/Thing", nil)
	assert.Equal(t, "create-product-upgrade", slugFor("CreateProductUpgrade", req))
	assert.Equal(t, "unrouted-post", slugFor("", req), "the path is not in the name")
	req.Method = "SECRETMETHOD"
	assert.Equal(t, "unrouted-redacted", slugFor("", req))
	assert.LessOrEqual(t, len(slugFor(strings.Repeat("Ab", 100), req)), 60)
}

// goldenExchanges records one exchange of each kind (a routed request with a body and a JSON
// response, a 202 without a body, an error whose body quotes the token, unrouted traffic) with
// a fixed transport and source, and returns the files written.
func goldenExchanges(t *testing.T) map[string]string {
	t.Helper()
	respond := func(code int, h http.Header, body string) *http.Response {
		return &http.Response{StatusCode: code, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
	}
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		ids := http.Header{"Ms-Requestid": {r.Header.Get("MS-RequestId")}, "Date": {"Thu, 28 Sep 2019 20:35:35 GMT"}, "Set-Cookie": {"affinity=x"}}
		switch r.URL.Path {
		case "/v1/productupgrades/eligibility":
			ids.Set("Content-Type", "application/json; charset=utf-8")
			return respond(http.StatusOK, ids, `{"customerId":"`+customerID+`", "isEligible":true,"productFamily":"azure","token":"`+jwt+`"}`), nil
		case "/v1/productupgrades":
			ids.Set("Location", "https://api.partnercenter.microsoft.com/v1/productUpgrades/"+upgradeID+"?sig=x")
			return respond(http.StatusAccepted, ids, ""), nil
		case "/v1/productupgrades/" + upgradeID + "/status":
			ids.Set("Content-Type", "application/json")
			return respond(http.StatusBadRequest, ids, errorBody), nil
		}
		return respond(http.StatusTeapot, ids, "short and stout"), nil
	})
	dir := t.TempDir()
	rec := New(dir, next, WithSource("golden <test>"))
	c := &http.Client{Transport: rec}
	const base = "https://api.partnercenter.microsoft.com"
	for _, path := range []string{"/v1/productupgrades/eligibility", "/v1/productupgrades", "/v1/productupgrades/" + upgradeID + "/status", "/elsewhere/secret-path?token=x"} {
		do(t, c, newRequest(t, base+path, createBody))
	}
	require.NoError(t, rec.Err())
	return readAll(t, dir)
}

// TestRecorderOutputIsByteStable pins the bytes the Recorder writes, so that a change of the
// fixture format (now written by contracttests.Format) shows here.
func TestRecorderOutputIsByteStable(t *testing.T) {
	t.Parallel()
	files := goldenExchanges(t)
	require.Len(t, files, len(goldenFiles), "no temporary file left")
	for name, want := range goldenFiles {
		assert.Equal(t, want, files[name], name)
	}
}

// TestRecordedFilesRoundTrip reads each recorded fixture with package contracttests and
// formats it again: the reader and the writer of the format agree on what the Recorder
// writes, byte for byte.
func TestRecordedFilesRoundTrip(t *testing.T) {
	t.Parallel()
	files := goldenExchanges(t)
	for name, text := range files {
		if !strings.HasSuffix(name, contracttests.FixtureExt) {
			continue
		}
		base := strings.TrimSuffix(name, contracttests.FixtureExt)
		_, sidecarPath := contracttests.FixturePaths("", base)
		ex, err := contracttests.ParseFiles(base, []byte(text), []byte(files[sidecarPath]))
		require.NoError(t, err, name)
		fixture, sidecar, err := contracttests.Format(ex)
		require.NoError(t, err, name)
		assert.Equal(t, text, string(fixture), name)
		assert.Equal(t, files[sidecarPath], string(sidecar), sidecarPath)
		assert.Equal(t, contracttests.OriginRecorded, ex.Meta.Request.Origin)
	}
}

// goldenFiles are the files goldenExchanges records, as the Recorder wrote them before the
// fixture format moved to package contracttests.
var goldenFiles = map[string]string{
	"0001-check-product-upgrade-eligibility-200.http": `POST /v1/productupgrades/eligibility HTTP/1.1
Host: api.partnercenter.microsoft.com
Accept: application/json
Authorization: Bearer <redacted>
Content-Type: application/json
Cookie: <redacted>
MS-CorrelationId: e3f26e6a-044f-4371-ad52-0d91ce4200be
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
X-Internal-Tenant: <redacted>
X-Locale: en-US
Content-Length: 77

{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}

HTTP/1.1 200 OK
Content-Type: application/json; charset=utf-8
Date: Thu, 28 Sep 2019 20:35:35 GMT
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
Set-Cookie: <redacted>
Content-Length: 116

{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","isEligible":true,"productFamily":"azure","token":"<redacted>"}
`,
	"0001-check-product-upgrade-eligibility-200.json": `{
  "title": "Recorded POST /v1/productupgrades/eligibility: 200",
  "operation": "CheckProductUpgradeEligibility",
  "request": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "response": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "expect": {
    "status": 200
  }
}
`,
	"0002-create-product-upgrade-202.http": `POST /v1/productupgrades HTTP/1.1
Host: api.partnercenter.microsoft.com
Accept: application/json
Authorization: Bearer <redacted>
Content-Type: application/json
Cookie: <redacted>
MS-CorrelationId: e3f26e6a-044f-4371-ad52-0d91ce4200be
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
X-Internal-Tenant: <redacted>
X-Locale: en-US
Content-Length: 77

{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}

HTTP/1.1 202 Accepted
Date: Thu, 28 Sep 2019 20:35:35 GMT
Location: /v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
Set-Cookie: <redacted>
Content-Length: 0


`,
	"0002-create-product-upgrade-202.json": `{
  "title": "Recorded POST /v1/productupgrades: 202",
  "operation": "CreateProductUpgrade",
  "request": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "response": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "expect": {
    "status": 202
  }
}
`,
	"0003-check-product-upgrade-status-400.http": `POST /v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status HTTP/1.1
Host: api.partnercenter.microsoft.com
Accept: application/json
Authorization: Bearer <redacted>
Content-Type: application/json
Cookie: <redacted>
MS-CorrelationId: e3f26e6a-044f-4371-ad52-0d91ce4200be
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
X-Internal-Tenant: <redacted>
X-Locale: en-US
Content-Length: 77

{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}

HTTP/1.1 400 Bad Request
Content-Type: application/json
Date: Thu, 28 Sep 2019 20:35:35 GMT
MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff
Set-Cookie: <redacted>
Content-Length: 103

{"code":900118,"description":"Invalid Customer Id for token <redacted>","data":[],"source":"PartnerFD"}
`,
	"0003-check-product-upgrade-status-400.json": `{
  "title": "Recorded POST /v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status: 400",
  "operation": "CheckProductUpgradeStatus",
  "request": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "response": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "expect": {
    "status": 400
  }
}
`,
	"0004-unrouted-post-418.http": `POST /<redacted>/<redacted> HTTP/1.1
Host: redacted.invalid
Content-Length: 0



HTTP/1.1 418 I'm a teapot
Content-Length: 0


`,
	"0004-unrouted-post-418.json": `{
  "title": "Recorded POST /<redacted>/<redacted>: 418",
  "operation": "",
  "request": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "response": {
    "origin": "recorded",
    "source": "golden <test>"
  },
  "expect": {
    "status": 418
  }
}
`,
}
