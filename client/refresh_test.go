package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

const (
	testAppSecret    = "app-secret-3kq~Zr8vT1-never-in-output"
	testRefreshToken = "0.AAAA-refresh-token-9d1f0c2b-never-in-output"
)

// tokenEndpoint is a loopback stand-in for Entra ID's v2.0 token endpoint that records every
// form it receives and answers with answer(n) for the n-th request (0-based).
type tokenEndpoint struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	auth  []string
}

func newTokenEndpoint(t *testing.T, answer func(w http.ResponseWriter, n int)) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		te.mu.Lock()
		n := len(te.forms)
		te.forms = append(te.forms, r.PostForm)
		te.auth = append(te.auth, r.Header.Get("Authorization"))
		te.mu.Unlock()
		answer(w, n)
	}))
	t.Cleanup(te.Close)
	return te
}

func (te *tokenEndpoint) Forms() []url.Values {
	te.mu.Lock()
	defer te.mu.Unlock()
	return append([]url.Values(nil), te.forms...)
}

func testOAuthConfig(tokenURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: "app-id-1", ClientSecret: testAppSecret,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL},
		Scopes:   []string{client.Scope},
	}
}

func jsonAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, body)
}

// Every refresh sends the scope (Entra ID's v2.0 endpoint asks for it; x/oauth2's own refresh
// sends none), the application's credentials, and the refresh token the endpoint last gave.
func TestRefreshTokenSource_SendsTheScopeAndKeepsTheRotatedToken(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t, func(w http.ResponseWriter, n int) {
		// expires_in 1: the token is stale at once (ReuseTokenSource keeps a 10 s margin),
		// so every Token call refreshes. The second answer sends expires_in as a string.
		expires := `1`
		if n == 1 {
			expires = `"1"`
		}
		jsonAnswer(w, http.StatusOK, fmt.Sprintf(`{"token_type":"Bearer","scope":%q,"expires_in":%s,"ext_expires_in":3599,"access_token":"access-%d","refresh_token":"rotated-%d"}`,
			client.Scope, expires, n, n))
	})
	ts := client.RefreshTokenSource(testkit.Context(t, callBound), testOAuthConfig(te.URL), testRefreshToken)

	for i := 0; i < 3; i++ {
		tok, err := ts.Token()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("access-%d", i), tok.AccessToken)
		require.Equal(t, "Bearer", tok.Type())
		require.Equal(t, fmt.Sprintf("rotated-%d", i), tok.RefreshToken)
		require.WithinDuration(t, time.Now().Add(time.Second), tok.Expiry, 5*time.Second)
		require.InDelta(t, 3599, tok.Extra("ext_expires_in"), 0)
	}
	forms := te.Forms()
	require.Len(t, forms, 3)
	for i, f := range forms {
		want := url.Values{
			"grant_type": {"refresh_token"}, "scope": {client.Scope},
			"client_id": {"app-id-1"}, "client_secret": {testAppSecret},
			"refresh_token": {testRefreshToken},
		}
		if i > 0 {
			want.Set("refresh_token", fmt.Sprintf("rotated-%d", i-1))
		}
		require.Equal(t, want, f, "refresh %d", i)
	}
}

// The token is reused until it nears its expiry.
func TestRefreshTokenSource_ReusesAValidToken(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t, func(w http.ResponseWriter, _ int) {
		jsonAnswer(w, http.StatusOK, `{"token_type":"Bearer","expires_in":3599,"access_token":"access"}`)
	})
	ts := client.RefreshTokenSource(testkit.Context(t, callBound), testOAuthConfig(te.URL), testRefreshToken)
	for i := 0; i < 5; i++ {
		tok, err := ts.Token()
		require.NoError(t, err)
		require.Equal(t, testRefreshToken, tok.RefreshToken, "no rotation: the old refresh token stays")
	}
	require.Len(t, te.Forms(), 1)
}

func TestRefreshTokenSource_CredentialsInHeader(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t, func(w http.ResponseWriter, _ int) {
		jsonAnswer(w, http.StatusOK, `{"token_type":"Bearer","expires_in":3599,"access_token":"access"}`)
	})
	cfg := testOAuthConfig(te.URL)
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	_, err := client.RefreshTokenSource(testkit.Context(t, callBound), cfg, testRefreshToken).Token()
	require.NoError(t, err)
	f := te.Forms()[0]
	require.Empty(t, f.Get("client_secret"))
	require.Empty(t, f.Get("client_id"))
	req := &http.Request{Header: http.Header{"Authorization": {te.auth[0]}}}
	id, secret, ok := req.BasicAuth()
	require.True(t, ok)
	require.Equal(t, "app-id-1", id)
	require.Equal(t, url.QueryEscape(testAppSecret), secret)
}

// A refusal is an *oauth2.RetrieveError with the endpoint's code; nothing in it, or in any
// other error, carries the refresh token or the client secret, even when the endpoint echoes
// them.
func TestRefreshTokenSource_ErrorsNeverCarryTheCredentials(t *testing.T) {
	t.Parallel()
	echo := fmt.Sprintf("AADSTS70000: The provided grant %s (client secret %s, %s) has expired",
		testRefreshToken, testAppSecret, url.QueryEscape(testAppSecret))
	cases := map[string]func(w http.ResponseWriter, n int){
		"refused": func(w http.ResponseWriter, _ int) {
			jsonAnswer(w, http.StatusBadRequest, fmt.Sprintf(`{"error":"invalid_grant","error_description":%q,"error_codes":[70000]}`, echo))
		},
		"error in a 200": func(w http.ResponseWriter, _ int) {
			jsonAnswer(w, http.StatusOK, fmt.Sprintf(`{"error":"invalid_grant","error_description":%q}`, echo))
		},
		"not JSON": func(w http.ResponseWriter, _ int) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = fmt.Fprint(w, "<html>"+echo+"</html>")
		},
		"5xx text": func(w http.ResponseWriter, _ int) { http.Error(w, echo, http.StatusBadGateway) },
		"no access_token": func(w http.ResponseWriter, _ int) {
			jsonAnswer(w, http.StatusOK, fmt.Sprintf(`{"token_type":"Bearer","refresh_token":%q}`, testRefreshToken))
		},
		"huge": func(w http.ResponseWriter, _ int) {
			jsonAnswer(w, http.StatusOK, `{"access_token":"`+strings.Repeat("a", 2<<20)+`"}`)
		},
	}
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			te := newTokenEndpoint(t, answer)
			_, err := client.RefreshTokenSource(testkit.Context(t, callBound), testOAuthConfig(te.URL), testRefreshToken).Token()
			require.Error(t, err)
			texts := map[string]string{"Error()": err.Error(), "%+v": fmt.Sprintf("%+v", err)}
			var re *oauth2.RetrieveError
			if errors.As(err, &re) {
				texts["Body"] = string(re.Body)
				texts["ErrorDescription"] = re.ErrorDescription
				require.Nil(t, re.Response.Request, "the request (and its form) must not travel with the error")
			}
			for _, secret := range []string{testRefreshToken, testAppSecret} {
				require.Empty(t, testkit.Leaks(texts, secret), "%s leaked", secret)
			}
		})
	}
}

func TestRefreshTokenSource_RefusedIsARetrieveError(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t, func(w http.ResponseWriter, _ int) {
		jsonAnswer(w, http.StatusBadRequest, `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity."}`)
	})
	_, err := client.RefreshTokenSource(testkit.Context(t, callBound), testOAuthConfig(te.URL), testRefreshToken).Token()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "invalid_grant", re.ErrorCode)
	require.Contains(t, re.ErrorDescription, "AADSTS700082")
	require.Equal(t, http.StatusBadRequest, re.Response.StatusCode)
}

func TestRefreshTokenSource_BadConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := client.RefreshTokenSource(ctx, testOAuthConfig("http://127.0.0.1:1/token"), "").Token()
	require.ErrorContains(t, err, "no refresh token")
	_, err = client.RefreshTokenSource(ctx, &oauth2.Config{}, testRefreshToken).Token()
	require.ErrorContains(t, err, "TokenURL")
	_, err = client.RefreshTokenSource(ctx, nil, testRefreshToken).Token()
	require.ErrorContains(t, err, "TokenURL")
}

// The context's HTTP client is used, as golang.org/x/oauth2 does.
func TestRefreshTokenSource_UsesTheContextsHTTPClient(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t, func(w http.ResponseWriter, _ int) {
		jsonAnswer(w, http.StatusOK, `{"token_type":"Bearer","expires_in":3599,"access_token":"access"}`)
	})
	var used bool
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	ctx := context.WithValue(testkit.Context(t, callBound), oauth2.HTTPClient, hc)
	_, err := client.RefreshTokenSource(ctx, testOAuthConfig(te.URL), testRefreshToken).Token()
	require.NoError(t, err)
	require.True(t, used)
}
