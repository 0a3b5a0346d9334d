package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/microsoft"

	"github.com/partnercenter-go/productupgrades/client"
)

func TestScope_IsPartnerCentersDefaultScope(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://api.partnercenter.microsoft.com/.default", client.Scope)
	assert.Equal(t, client.DefaultBaseURL+"/.default", client.Scope)
	assert.Equal(t, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
		microsoft.AzureADEndpoint("contoso.onmicrosoft.com").TokenURL)
}

// TestSecureApplicationModel_TokenSource runs the recipe of ExampleWithTokenSource_secureApplicationModel
// against a stand-in token endpoint: the refresh-token grant with the application's
// credentials, and the access token it returns sent as the bearer token.
func TestSecureApplicationModel_TokenSource(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		grant    map[string]string
		requests int
	)
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		mu.Lock()
		requests++
		grant = map[string]string{"grant_type": r.PostForm.Get("grant_type"), "refresh_token": r.PostForm.Get("refresh_token"),
			"client_id": id, "client_secret": secret}
		mu.Unlock()
		t.Logf("token request scope: %q", r.PostForm.Get("scope"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"pc-access-token-1","refresh_token":"rt-2"}`)
	}))
	t.Cleanup(tokenSrv.Close)
	api := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, `{"customerId":"`+testCustomerID+`","isEligible":true,"productFamily":"Azure"}`)
	})

	ctx := context.Background()
	endpoint := microsoft.AzureADEndpoint("contoso.onmicrosoft.com")
	endpoint.TokenURL = tokenSrv.URL + "/contoso.onmicrosoft.com/oauth2/v2.0/token"
	cfg := &oauth2.Config{ClientID: "app-id", ClientSecret: "app-secret", Endpoint: endpoint, Scopes: []string{client.Scope}}
	ts := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "rt-1"})

	c := newClient(t, api.URL, client.WithTokenSource(ts))
	_, err := c.CheckEligibility(ctx, testRequest())
	require.NoError(t, err)
	_, err = c.CheckEligibility(ctx, testRequest())
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 1, requests, "one token request: the access token is reused")
	assert.Equal(t, map[string]string{"grant_type": "refresh_token", "refresh_token": "rt-1", "client_id": "app-id", "client_secret": "app-secret"}, grant)
	reqs := api.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "Bearer pc-access-token-1", r.Header.Get("Authorization"), "the access token, reused until it expires")
	}
}
