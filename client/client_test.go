package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

func TestNew_RequiresTokenSource(t *testing.T) {
	t.Parallel()
	_, err := client.New(client.WithBaseURL("https://example.test"))
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrInvalidInput)
	assert.Contains(t, err.Error(), "WithTokenSource")
}

func TestNew_RejectsBadOptionsNamingThem(t *testing.T) {
	t.Parallel()
	ts := client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}))
	cases := []struct {
		name   string
		opt    client.Option
		naming string
	}{
		{"base URL with another scheme", client.WithBaseURL("ftp://api.example"), "WithBaseURL"},
		{"relative base URL", client.WithBaseURL("/v1"), "WithBaseURL"},
		{"base URL without host", client.WithBaseURL("https://"), "WithBaseURL"},
		{"base URL with credentials", client.WithBaseURL("https://user:pw@api.example"), "WithBaseURL"},
		{"base URL with query", client.WithBaseURL("https://api.example/?x=1"), "WithBaseURL"},
		{"base URL not a URL", client.WithBaseURL("http://[::1"), "WithBaseURL"},
		{"nil HTTP client", client.WithHTTPClient(nil), "WithHTTPClient"},
		{"nil token source", client.WithTokenSource(nil), "WithTokenSource"},
		{"empty application", client.WithApplication(""), "WithApplication"},
		{"application with newline", client.WithApplication("app\r\nX-Evil: 1"), "WithApplication"},
		{"application too long", client.WithApplication(strings.Repeat("a", 257)), "WithApplication"},
		{"locale too short", client.WithLocale("e"), "WithLocale"},
		{"locale with space", client.WithLocale("en US"), "WithLocale"},
		{"negative retry delay", client.WithRetry(client.RetryPolicy{BaseDelay: -1}), "WithRetry"},
		{"base delay over max", client.WithRetry(client.RetryPolicy{BaseDelay: 2e9, MaxDelay: 1e9}), "WithRetry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := client.New(ts, tc.opt)
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.naming)
		})
	}
}

func TestNew_AcceptsGoodOptions(t *testing.T) {
	t.Parallel()
	_, err := client.New(
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		client.WithBaseURL("https://partner.partnercenterapi.microsoftonline.cn/"),
		client.WithHTTPClient(&http.Client{}),
		client.WithApplication("Partner Center .NET SDK Samples"),
		client.WithLocale("fr-FR"),
		client.WithRetry(client.RetryPolicy{MaxRetries: -1}),
		client.WithLogger(nil),
	)
	require.NoError(t, err)
}

func TestHeaders_SentOnEveryCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL, client.WithApplication("contoso-billing"))

	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v1/productupgrades", r.Path)
	h := r.Header
	assert.Equal(t, "Bearer "+testToken, h.Get("Authorization"))
	assert.Regexp(t, guidRE, h.Get("MS-RequestId"))
	assert.Regexp(t, guidRE, h.Get("MS-CorrelationId"))
	assert.Equal(t, "en-US", h.Get("X-Locale"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "contoso-billing", h.Get("MS-PartnerCenter-Application"))
	assert.Equal(t, client.UserAgent, h.Get("User-Agent"))
	assert.Contains(t, h.Get("User-Agent"), "productupgrades-go/"+client.Version)
	assert.Contains(t, h.Get("User-Agent"), "github.com/partnercenter-go/productupgrades")

	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Body), &body))
	assert.Equal(t, map[string]any{"customerId": testCustomerID, "productFamily": "Azure"}, body)
}

func TestHeaders_NoApplicationHeaderUnlessSet(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL, client.WithLocale("fr-FR"))
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	h := srv.Requests()[0].Header
	assert.Empty(t, h.Values("MS-PartnerCenter-Application"))
	assert.Equal(t, "fr-FR", h.Get("X-Locale"))
}

func TestHeaders_NewRequestAndCorrelationIDPerCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	for i := 0; i < 2; i++ {
		_, err := c.CreateUpgrade(context.Background(), testRequest())
		require.NoError(t, err)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.NotEqual(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"))
	assert.NotEqual(t, reqs[0].Header.Get("MS-CorrelationId"), reqs[1].Header.Get("MS-CorrelationId"))
}

func TestHeaders_CorrelationIDFromContext(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	const corr = "e3f26e6a-044f-4371-ad52-0d91ce4200be"
	ctx := client.WithCorrelationID(context.Background(), corr)
	for i := 0; i < 2; i++ {
		_, err := c.CreateUpgrade(ctx, testRequest())
		require.NoError(t, err)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, corr, r.Header.Get("MS-CorrelationId"))
	}
	assert.NotEqual(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"),
		"a caller's correlation id must not pin the request id")
}

func TestHeaders_SameRequestIDOnEveryRetry(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 2 {
			reply(w, http.StatusServiceUnavailable, `{"code":800003,"description":"Service unavailable","source":"PartnerFD"}`)
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)

	reqs := srv.Requests()
	require.Len(t, reqs, 3, "503 twice then 202")
	for i, r := range reqs {
		assert.Equalf(t, reqs[0].Header.Get("MS-RequestId"), r.Header.Get("MS-RequestId"), "try %d", i+1)
		assert.Equalf(t, reqs[0].Header.Get("MS-CorrelationId"), r.Header.Get("MS-CorrelationId"), "try %d", i+1)
		assert.Equalf(t, reqs[0].Body, r.Body, "try %d: body not rewound", i+1)
		assert.Equalf(t, "Bearer "+testToken, r.Header.Get("Authorization"), "try %d", i+1)
	}
	assert.NotEmpty(t, reqs[0].Body)
}

func TestTokenSource_AskedOnEveryTry(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 2 {
			reply(w, http.StatusBadGateway, "")
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	ts := &countingTokenSource{}
	c := newClient(t, srv.URL, client.WithTokenSource(ts))
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, "Bearer tok-"+strconv.Itoa(i+1), r.Header.Get("Authorization"))
	}
}

func TestRedirects_AreNotFollowed(t *testing.T) {
	t.Parallel()
	other := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, other.URL+"/v1/productupgrades", http.StatusTemporaryRedirect)
	})
	c := newClient(t, srv.URL)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	ae := asAPIError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, ae.StatusCode)
	assert.Empty(t, other.Requests(), "the token must not follow a redirect")
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown))
}

func TestClient_SafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		seen[r.Header.Get("MS-RequestId")]++
		first := seen[r.Header.Get("MS-RequestId")] == 1
		mu.Unlock()
		if first {
			reply(w, http.StatusServiceUnavailable, "")
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL, client.WithTokenSource(&countingTokenSource{}))
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				_, err := c.CreateUpgrade(context.Background(), testRequest())
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, seen, 40, "one request id per call")
	for id, tries := range seen {
		assert.Equalf(t, 2, tries, "request id %s", id)
	}
}
