package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// countingTransport counts the requests it sends through http.DefaultTransport and keeps the
// Authorization header of the last one.
type countingTransport struct {
	n    atomic.Int32
	auth atomic.Value // string
}

func (rt *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.n.Add(1)
	rt.auth.Store(r.Header.Get("Authorization"))
	return http.DefaultTransport.RoundTrip(r)
}

func TestWithTransport_KeepsTheDefaultTimeoutAndNoRedirects(t *testing.T) {
	t.Parallel()
	rt := &countingTransport{}
	c := newClient(t, "https://api.example.test", client.WithTransport(rt))
	hc := client.HTTPClientOf(c)
	assert.Equal(t, client.DefaultHTTPTimeout, hc.Timeout, "WithTransport keeps the default timeout")
	assert.Same(t, rt, hc.Transport)
	require.NotNil(t, hc.CheckRedirect)
	assert.ErrorIs(t, hc.CheckRedirect(nil, nil), http.ErrUseLastResponse, "no redirects followed")

	// What WithTransport is for: WithHTTPClient keeps its client's Timeout, none here.
	c = newClient(t, "https://api.example.test", client.WithHTTPClient(&http.Client{Transport: rt}))
	assert.Zero(t, client.HTTPClientOf(c).Timeout)

	// Without either: http.DefaultTransport and the default timeout.
	c = newClient(t, "https://api.example.test")
	assert.Equal(t, client.DefaultHTTPTimeout, client.HTTPClientOf(c).Timeout)
	assert.Same(t, http.DefaultTransport, client.HTTPClientOf(c).Transport)
}

// TestWithTransport_TheDefaultTimeoutApplies: a client with WithTransport does not hang on a
// server that never answers, even when the caller's context has no deadline.
func TestWithTransport_TheDefaultTimeoutApplies(t *testing.T) {
	// Not parallel: SetDefaultHTTPTimeout changes a package variable that every client.New reads.
	defer client.SetDefaultHTTPTimeout(50 * time.Millisecond)()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() })
	rt := &countingTransport{}
	c := newClient(t, srv.URL, client.WithTransport(rt), client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne, "a timeout, not %v", err)
	assert.True(t, ne.Timeout())
	assert.Equal(t, int32(1), rt.n.Load())
	assert.Len(t, srv.Requests(), 1)
}

func TestWithTransport_SendsEveryTryThroughIt(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusServiceUnavailable, "")
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	rt := &countingTransport{}
	c := newClient(t, srv.URL, client.WithTransport(rt))
	recordSleeps(c)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	assert.Equal(t, int32(2), rt.n.Load(), "the first try and its retry")
	assert.Equal(t, "Bearer "+testToken, rt.auth.Load(), "the transport sees the finished request")
	assert.Len(t, srv.Requests(), 2)
}

func TestWithTransport_NilIsAnErrorNamingIt(t *testing.T) {
	t.Parallel()
	_, err := client.New(client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		client.WithTransport(nil))
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrInvalidInput)
	var ve *client.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Field, "WithTransport")
	assert.Contains(t, err.Error(), "must not be nil")
}

func TestWithTransport_AndWithHTTPClientCannotBeCombined(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]client.Option{
		"transport first":   {client.WithTransport(&countingTransport{}), client.WithHTTPClient(&http.Client{})},
		"HTTP client first": {client.WithHTTPClient(&http.Client{}), client.WithTransport(&countingTransport{})},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts = append(opts, client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})))
			_, err := client.New(opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrInvalidInput)
			assert.Contains(t, err.Error(), "WithTransport")
			assert.Contains(t, err.Error(), "WithHTTPClient")
		})
	}
}

func TestBaseURL_PlainHTTPRefusedUnlessLoopback(t *testing.T) {
	t.Parallel()
	for _, baseURL := range []string{
		"http://example.com",
		"http://api.partnercenter.microsoft.com",
		"HTTP://api.partnercenter.microsoft.com/",
		"http://example.com:8080/v1",
		"http://10.0.0.1:8080",
		"http://128.0.0.1",
		"http://0.0.0.0:8080",
		"http://[::]:8080",
		"http://[::2]:8080",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
	} {
		t.Run(baseURL, func(t *testing.T) {
			t.Parallel()
			ts := &countingTokenSource{}
			rt := &countingTransport{}
			_, err := client.New(client.WithBaseURL(baseURL), client.WithTokenSource(ts), client.WithTransport(rt))
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrInvalidInput)
			var ve *client.ValidationError
			require.True(t, errors.As(err, &ve), "a *ValidationError, got %T", err)
			assert.Equal(t, "base URL (WithBaseURL)", ve.Field)
			assert.Contains(t, ve.Reason, "must be https")
			assert.Contains(t, ve.Reason, "bearer token")
			assert.Contains(t, ve.Reason, "loopback")
			assert.Zero(t, ts.n.Load(), "no token asked for")
			assert.Zero(t, rt.n.Load(), "nothing sent")
		})
	}
}

func TestBaseURL_LoopbackHTTPAndHTTPSAccepted(t *testing.T) {
	t.Parallel()
	for _, baseURL := range []string{
		"http://127.0.0.1:8080",
		"http://127.0.0.1",
		"http://127.1.2.3:8080/",
		"http://[::1]:8080",
		"http://[::ffff:127.0.0.1]:8080",
		"http://localhost:8080",
		"http://LocalHost:8080/v1",
		"https://example.com",
		"https://10.0.0.1:8443",
		"https://api.partnercenter.microsoft.com",
	} {
		t.Run(baseURL, func(t *testing.T) {
			t.Parallel()
			_, err := client.New(client.WithBaseURL(baseURL),
				client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})))
			require.NoError(t, err)
		})
	}
}

// TestBaseURL_LoopbackHTTPWorks: the test servers listen on http://127.0.0.1; a call to one
// named by localhost goes through.
func TestBaseURL_LoopbackHTTPWorks(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, `{"customerId":"`+testCustomerID+`","isEligible":true,"productFamily":"Azure"}`)
	})
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	c := newClient(t, "http://localhost:"+port)
	e, err := c.CheckEligibility(context.Background(), testRequest())
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
}

// The habit WithHTTPClient(oauth2.NewClient(ctx, ts)) works without WithTokenSource: the
// client takes ts from the *oauth2.Transport and sends through its Base, so the token is sent
// once, by the client, which keeps it out of its errors.
func TestWithHTTPClient_OAuth2ClientBringsItsTokenSource(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusBadRequest, `{"code":800002,"description":"echo: `+r.Header.Get("Authorization")+`"}`)
	})
	var baseCalls atomic.Int32
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		baseCalls.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: base})
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}))

	c, err := client.New(client.WithBaseURL(srv.URL), client.WithHTTPClient(hc), client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	_, err = c.CheckEligibility(testkit.Context(t, callBound), testRequest())
	ae := asAPIError(t, err)
	require.NotContains(t, ae.Error(), testToken, "the client knows the token: its echo is removed")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, []string{"Bearer " + testToken}, reqs[0].Header.Values("Authorization"))
	require.EqualValues(t, 1, baseCalls.Load(), "sent through the oauth2 transport's Base")
}

func TestWithHTTPClient_OAuth2ClientAndATokenSourceAreTwoSources(t *testing.T) {
	t.Parallel()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken}))
	_, err := client.New(client.WithHTTPClient(hc), client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "other"})))
	var ve *client.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Contains(t, ve.Error(), "second token source")

	_, err = client.New(client.WithHTTPClient(&http.Client{Transport: &oauth2.Transport{}}))
	require.ErrorAs(t, err, &ve)
	require.Contains(t, ve.Error(), "no token Source")
}
