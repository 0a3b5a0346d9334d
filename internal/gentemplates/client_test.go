package gentemplates_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/oapi-codegen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/gen"
)

// servers are server URLs as gen.NewClient keeps them (ending with '/') and as a caller of
// the exported builders may pass them: plain ones, which the generated builders join, and
// others, which they resolve as oapi-codegen's own builders do.
var servers = []string{
	"https://api.partnercenter.microsoft.com/",
	"http://127.0.0.1:8080/",
	"http://[::1]:8080/",
	"https://example.com/base/path/",
	"https://example.com/base/path",
	"https://example.com",
	"https://example.com/a/../b/",
	"https://example.com/a/./b/",
	"https://example.com//double/",
	"https://example.com/sp ace/",
	"https://example.com/pct%2Fenc/",
	"https://example.com/q/?x=1",
	"https://user:pw@example.com/",
	"HTTPS://Example.COM/",
	"https://example.com/é/",
	"relative/",
}

// oapiURL is the URL oapi-codegen's own builder makes for path (a fmt format) and the path
// parameters, as http.NewRequest reads it.
func oapiURL(t *testing.T, server, path string, params ...any) (*url.URL, error) {
	t.Helper()
	serverURL, err := url.Parse(server)
	if err != nil {
		return nil, err
	}
	op := fmt.Sprintf(path, params...)
	if op[0] == '/' {
		op = "." + op
	}
	q, err := serverURL.Parse(op)
	if err != nil {
		return nil, err
	}
	return url.Parse(q.String())
}

// oapiHeader is the header oapi-codegen's own builder sets for the params.
func oapiHeader(t *testing.T, rid, cid uuid.UUID, locale, app, contract *string) http.Header {
	t.Helper()
	h := http.Header{}
	h.Add("Content-Type", "application/json")
	style := func(name string, v any, format string) string {
		s, err := runtime.StyleParamWithOptions("simple", false, name, v, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationHeader, Type: "string", Format: format})
		require.NoError(t, err)
		return s
	}
	h.Set("MS-RequestId", style("MS-RequestId", rid, "uuid"))
	h.Set("MS-CorrelationId", style("MS-CorrelationId", cid, "uuid"))
	for _, p := range []struct {
		name string
		v    *string
	}{{"X-Locale", locale}, {"MS-PartnerCenter-Application", app}, {"MS-Contract-Version", contract}} {
		if p.v != nil {
			h.Set(p.name, style(p.name, *p.v, ""))
		}
	}
	return h
}

func ptr(s string) *string { return &s }

func TestGeneratedBuildersMakeOapiCodegensRequests(t *testing.T) {
	rid, cid, upgradeID := uuid.New(), uuid.New(), uuid.New()
	body := []byte(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`)
	for _, opt := range []struct{ locale, app, contract *string }{
		{},
		{ptr("fr-FR"), ptr("my app, v2 ©"), ptr("v1")},
	} {
		cp := gen.CreateProductUpgradeParams{MSRequestId: rid, MSCorrelationId: cid, XLocale: opt.locale, MSPartnerCenterApplication: opt.app, MSContractVersion: opt.contract}
		ep := gen.CheckProductUpgradeEligibilityParams(cp)
		sp := gen.CheckProductUpgradeStatusParams(cp)
		for _, server := range servers {
			for _, op := range []struct {
				name   string
				path   string
				params []any
				build  func() (*http.Request, error)
			}{
				{"create", "/v1/productupgrades", nil, func() (*http.Request, error) {
					return gen.NewCreateProductUpgradeRequestWithBody(server, &cp, "application/json", bytes.NewReader(body))
				}},
				{"eligibility", "/v1/productupgrades/eligibility", nil, func() (*http.Request, error) {
					return gen.NewCheckProductUpgradeEligibilityRequestWithBody(server, &ep, "application/json", bytes.NewReader(body))
				}},
				{"status", "/v1/productupgrades/%s/status", []any{upgradeID.String()}, func() (*http.Request, error) {
					return gen.NewCheckProductUpgradeStatusRequestWithBody(server, upgradeID, &sp, "application/json", bytes.NewReader(body))
				}},
			} {
				t.Run(op.name+" "+server, func(t *testing.T) {
					want, wantErr := oapiURL(t, server, op.path, op.params...)
					req, err := op.build()
					if wantErr != nil {
						require.Error(t, err)
						return
					}
					require.NoError(t, err)
					// Again, now that the server URL and the URL are the last ones joined.
					again, err := op.build()
					require.NoError(t, err)
					assert.Equal(t, want, again.URL)
					assert.Equal(t, want, req.URL)
					assert.Equal(t, want.String(), req.URL.String())
					assert.Equal(t, http.MethodPost, req.Method)
					assert.Equal(t, oapiHeader(t, rid, cid, opt.locale, opt.app, opt.contract), req.Header)
					assert.Equal(t, int64(len(body)), req.ContentLength)
					got, err := io.ReadAll(req.Body)
					require.NoError(t, err)
					assert.Equal(t, body, got)
					assert.Equal(t, context.Background(), req.Context())
				})
			}
		}
	}
}

// TestGeneratedClientSendsWithItsContext: the client's methods build the request with the
// caller's context, and run the request editors on it.
func TestGeneratedClientSendsWithItsContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "mine")
	var seen []string
	doer := doerFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, fmt.Sprint(r.Context().Value(key{})), r.URL.String(), r.Header.Get("X-Edited"))
		return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody, Header: http.Header{}}, nil
	})
	c, err := gen.NewClient("http://127.0.0.1:1", gen.WithHTTPClient(doer),
		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error { r.Header.Set("X-Edited", "yes"); return nil }))
	require.NoError(t, err)
	resp, err := c.CreateProductUpgradeWithBody(ctx, &gen.CreateProductUpgradeParams{}, "application/json", bytes.NewReader(nil))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, []string{"mine", "http://127.0.0.1:1/v1/productupgrades", "yes"}, seen)
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestGeneratedBuildersConcurrently: builders for different server URLs at the same time
// each get their own server's URL (run with -race).
func TestGeneratedBuildersConcurrently(t *testing.T) {
	params := &gen.CreateProductUpgradeParams{MSRequestId: uuid.New(), MSCorrelationId: uuid.New()}
	plain := []string{"http://127.0.0.1:1/", "http://127.0.0.1:2/", "https://example.com/base/"}
	done := make(chan error)
	for _, server := range plain {
		go func() {
			for range 200 {
				req, err := gen.NewCreateProductUpgradeRequestWithBody(server, params, "application/json", nil)
				if err == nil && req.URL.String() != server+"v1/productupgrades" {
					err = fmt.Errorf("%s: got %s", server, req.URL)
				}
				if err == nil {
					req, err = gen.NewCheckProductUpgradeStatusRequestWithBody(server, params.MSRequestId, (*gen.CheckProductUpgradeStatusParams)(params), "application/json", nil)
				}
				if err == nil && req.URL.String() != server+"v1/productupgrades/"+params.MSRequestId.String()+"/status" {
					err = fmt.Errorf("%s: got %s", server, req.URL)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range plain {
		assert.NoError(t, <-done)
	}
}
