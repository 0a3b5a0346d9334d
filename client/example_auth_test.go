package client_test

import (
	"context"
	"log"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/microsoft"

	"github.com/partnercenter-go/productupgrades/client"
)

// The secure application model: Partner Center takes an application + user token. The
// application (an Entra ID app registration with a client secret) holds a refresh token that
// a Partner Center user (an admin or sales agent) granted it once, with MFA, for Scope; the
// token source trades it at the partner tenant's Entra ID token endpoint for access tokens,
// refreshing them when they expire.
//
// RefreshTokenSource sends Scope with every refresh, as Entra ID's v2.0 endpoint asks
// (golang.org/x/oauth2's cfg.TokenSource sends Config.Scopes only when the user grants
// consent, with cfg.AuthCodeURL and cfg.Exchange, never on a refresh). Entra ID may return a
// new refresh token on each refresh; the token source keeps it in memory only.
//
// This example is compiled, not run: it needs real credentials.
func ExampleWithTokenSource_secureApplicationModel() {
	// The context of the token requests: it must outlive the token source.
	ctx := context.Background()

	cfg := &oauth2.Config{
		ClientID:     os.Getenv("PARTNER_CENTER_APP_ID"),
		ClientSecret: os.Getenv("PARTNER_CENTER_APP_SECRET"),
		// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, tenant the partner's
		// tenant id or domain (contoso.onmicrosoft.com).
		Endpoint: microsoft.AzureADEndpoint(os.Getenv("PARTNER_CENTER_TENANT")),
		Scopes:   []string{client.Scope},
	}
	refreshToken := os.Getenv("PARTNER_CENTER_REFRESH_TOKEN") // from a secret store
	// The token source reuses each access token until shortly before it expires.
	ts := client.RefreshTokenSource(ctx, cfg, refreshToken)

	c, err := client.New(client.WithTokenSource(ts), client.WithApplication("contoso-billing"))
	if err != nil {
		log.Fatal(err)
	}
	e, err := c.CheckEligibility(ctx, client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("eligible: %t", e.IsEligible)
}
