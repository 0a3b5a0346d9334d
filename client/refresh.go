package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// maxTokenResponseBytes bounds the body of a token endpoint's answer.
const maxTokenResponseBytes = 1 << 20

// tokenRequestTimeout bounds one refresh when the context's HTTP client has no timeout of
// its own.
const tokenRequestTimeout = 30 * time.Second

// RefreshTokenSource returns the token source of the secure application model: it trades
// refreshToken, with cfg's application credentials (ClientID, ClientSecret), at
// cfg.Endpoint.TokenURL for access tokens, and sends cfg.Scopes (normally []string{Scope})
// with every refresh. Microsoft Entra ID's v2.0 token endpoint asks for the scope on a
// refresh; the token source of golang.org/x/oauth2 (cfg.TokenSource) sends none, so the token
// it gets is for whatever the refresh token was first granted, not necessarily Partner Center.
//
// Each access token is reused until shortly before it expires (oauth2.ReuseTokenSource). A
// refresh token the endpoint returns in place of the old one is used from then on, in memory
// only. The HTTP client is the one ctx carries under oauth2.HTTPClient, else a client with a
// 30-second timeout; ctx must outlive the token source.
//
// A refusal (for example AADSTS70000, an expired or revoked refresh token) is an
// *oauth2.RetrieveError with the endpoint's ErrorCode and ErrorDescription. No error ever
// contains the refresh token or the client secret.
func RefreshTokenSource(ctx context.Context, cfg *oauth2.Config, refreshToken string) oauth2.TokenSource {
	r := &refresher{ctx: ctx, refreshToken: refreshToken}
	if cfg != nil {
		r.cfg = *cfg
		r.cfg.Scopes = append([]string(nil), cfg.Scopes...)
	}
	return oauth2.ReuseTokenSource(nil, r)
}

// refresher makes one refresh per Token call; ReuseTokenSource calls it only when the access
// token in hand has expired.
type refresher struct {
	ctx context.Context
	cfg oauth2.Config

	mu           sync.Mutex
	refreshToken string
}

// Token trades the current refresh token for a new access token.
func (r *refresher) Token() (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.refreshToken == "":
		return nil, errors.New("productupgrades: RefreshTokenSource: no refresh token")
	case r.cfg.Endpoint.TokenURL == "":
		return nil, errors.New("productupgrades: RefreshTokenSource: the oauth2.Config has no Endpoint.TokenURL")
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.refreshToken}}
	if len(r.cfg.Scopes) > 0 {
		form.Set("scope", strings.Join(r.cfg.Scopes, " "))
	}
	inHeader := r.cfg.Endpoint.AuthStyle == oauth2.AuthStyleInHeader
	if !inHeader {
		form.Set("client_id", r.cfg.ClientID)
		if r.cfg.ClientSecret != "" {
			form.Set("client_secret", r.cfg.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.cfg.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if inHeader {
		req.SetBasicAuth(url.QueryEscape(r.cfg.ClientID), url.QueryEscape(r.cfg.ClientSecret))
	}
	resp, err := tokenHTTPClient(r.ctx).Do(req)
	if err != nil {
		// A *url.Error names the token URL, which holds no secret; the form is not quoted.
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // the body is read whole first; a close error changes nothing
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: reading the answer: %w", err)
	}
	if len(body) > maxTokenResponseBytes {
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: answer over %d bytes: %w", maxTokenResponseBytes, ErrResponseTooLarge)
	}
	tok, err := r.parse(resp, body)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken != "" {
		r.refreshToken = tok.RefreshToken
	}
	tok.RefreshToken = r.refreshToken
	return tok, nil
}

// tokenAnswer is a token endpoint's JSON answer (RFC 6749 §5.1 and §5.2). expires_in comes as
// a number or, from some Entra ID endpoints, a string.
type tokenAnswer struct {
	AccessToken      string          `json:"access_token"`
	TokenType        string          `json:"token_type"`
	RefreshToken     string          `json:"refresh_token"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
	ErrorURI         string          `json:"error_uri"`
}

// parse reads the endpoint's answer: a token, or an *oauth2.RetrieveError whose texts are
// cleaned of the refresh token and the client secret.
func (r *refresher) parse(resp *http.Response, body []byte) (*oauth2.Token, error) {
	var a tokenAnswer
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	jsonErr := json.Unmarshal(body, &a)
	if resp.StatusCode < 200 || resp.StatusCode > 299 || a.Error != "" {
		// The response without its request: the request's GetBody would give the form, secrets
		// included, to whoever inspects the error.
		shown := *resp
		shown.Request, shown.Body = nil, http.NoBody
		re := &oauth2.RetrieveError{Response: &shown, Body: []byte(r.clean(string(body)))}
		if jsonErr == nil {
			re.ErrorCode, re.ErrorDescription, re.ErrorURI = r.clean(a.Error), r.clean(a.ErrorDescription), r.clean(a.ErrorURI)
		}
		return nil, re
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: the answer (%d, %q) is not a JSON token: %w", resp.StatusCode, mt, ErrMalformedResponse)
	}
	if a.AccessToken == "" {
		return nil, fmt.Errorf("productupgrades: RefreshTokenSource: the answer has no access_token: %w", ErrMalformedResponse)
	}
	tok := &oauth2.Token{AccessToken: a.AccessToken, TokenType: a.TokenType, RefreshToken: a.RefreshToken}
	if secs := expiresIn(a.ExpiresIn); secs > 0 {
		tok.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
	}
	var raw map[string]any
	if json.Unmarshal(body, &raw) == nil {
		tok = tok.WithExtra(raw)
	}
	return tok, nil
}

// clean removes the refresh token and the client secret from text the endpoint sent, should
// it echo them, in any of the forms internal/secrets knows (plain, JSON-escaped, URL-encoded,
// any case, long fragments).
func (r *refresher) clean(s string) string {
	return secrets.NewRedactor(r.refreshToken, r.cfg.ClientSecret).Redact(s)
}

// expiresIn reads expires_in as a JSON number or a string of digits; 0 when absent or unreadable.
func expiresIn(raw json.RawMessage) int64 {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// tokenHTTPClient is the client ctx carries under oauth2.HTTPClient, as golang.org/x/oauth2
// uses it, else one with a timeout.
func tokenHTTPClient(ctx context.Context) *http.Client {
	if hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && hc != nil {
		return hc
	}
	return &http.Client{Timeout: tokenRequestTimeout}
}
