package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/microsoft"

	"github.com/partnercenter-go/productupgrades/client"
)

// newExampleEntraID starts a loopback stand-in for Entra ID's v2.0 token endpoint: it trades
// a refresh token for an access token, and refuses a refresh without a scope, as Entra ID asks
// for one.
func newExampleEntraID() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("scope") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"error":"invalid_request","error_description":"AADSTS900144: The request body must contain the following parameter: 'scope'."}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAi.stand-in","refresh_token":"rotated"}`)
	}))
}

// The secure application model: Partner Center takes an application + user token. The
// application (an Entra ID app registration with a client secret) holds a refresh token that
// a Partner Center user (an admin or sales agent) granted it once, with MFA, for Scope;
// RefreshTokenSource trades it at the partner tenant's Entra ID token endpoint for access
// tokens, refreshing them when they expire.
//
// RefreshTokenSource sends Scope with every refresh, as Entra ID's v2.0 endpoint asks
// (golang.org/x/oauth2's cfg.TokenSource sends Config.Scopes only when the user grants
// consent, with cfg.AuthCodeURL and cfg.Exchange, never on a refresh). Entra ID may return a
// new refresh token on each refresh; the token source keeps it in memory only.
//
// The example runs against stand-ins for Entra ID and Partner Center; in production, keep
// the Endpoint microsoft.AzureADEndpoint gives and the client's default base URL.
func ExampleWithTokenSource_secureApplicationModel() {
	entra, partnerCenter := newExampleEntraID(), newExampleServer()
	defer entra.Close()
	defer partnerCenter.Close()

	// The context of the token requests: it must outlive the token source.
	ctx := context.Background()
	cfg := &oauth2.Config{
		ClientID:     "a0c1e7f2-app-id",         // os.Getenv("PARTNER_CENTER_APP_ID")
		ClientSecret: "app-secret-from-a-vault", // os.Getenv("PARTNER_CENTER_APP_SECRET")
		// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, tenant the partner's
		// tenant id or domain.
		Endpoint: microsoft.AzureADEndpoint("contoso.onmicrosoft.com"),
		Scopes:   []string{client.Scope},
	}
	cfg.Endpoint.TokenURL = entra.URL + "/contoso.onmicrosoft.com/oauth2/v2.0/token" // the stand-in
	refreshToken := "0.AXoA-refresh-token-from-a-vault"                              // from a secret store

	// The token source reuses each access token until shortly before it expires.
	ts := client.RefreshTokenSource(ctx, cfg, refreshToken)
	c, err := client.New(client.WithTokenSource(ts), client.WithApplication("contoso-billing"),
		client.WithBaseURL(partnerCenter.URL)) // the stand-in
	if err != nil {
		log.Fatal(err)
	}
	e, err := c.CheckEligibility(ctx, client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("eligible:", e.IsEligible)
	// Output: eligible: true
}
