package client

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/gen"
)

// DefaultBaseURL is the Partner Center API root (also Partner Center for Microsoft Cloud for
// US Government). Partner Center operated by 21Vianet is
// https://partner.partnercenterapi.microsoftonline.cn.
const DefaultBaseURL = "https://api.partnercenter.microsoft.com"

// Scope is the OAuth 2.0 scope to ask Microsoft Entra ID (formerly Azure AD) for when getting
// an access token for the Partner Center API at DefaultBaseURL: the API's application ID URI
// followed by "/.default", which stands for the permissions the application was granted.
//
// The product-upgrade operations need an application + user token (the secure application
// model): the application's client id and secret, plus a refresh token that a Partner Center
// user granted once, exchanged at the tenant's Entra ID token endpoint
// (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token) for access tokens. The
// example of WithTokenSource builds that token source with golang.org/x/oauth2. Partner Center
// operated by 21Vianet signs in with its own authority; Scope is not for it.
const Scope = "https://api.partnercenter.microsoft.com/.default"

// DefaultLocale is the X-Locale sent unless WithLocale says otherwise.
const DefaultLocale = "en-US"

// MaxResponseBytes caps every response body the client reads (1 MiB). The service's bodies
// are a few hundred bytes; a longer one is not read, and is an error (ErrResponseTooLarge).
const MaxResponseBytes = 1 << 20

// DefaultHTTPTimeout bounds each try (response body included) of a client made without
// WithHTTPClient (with WithTransport or neither), so that a server that never answers cannot
// hang a call whose context has no deadline. A client given with WithHTTPClient keeps its own
// Timeout; RetryPolicy.TryTimeout adds a per-try bound to either.
const DefaultHTTPTimeout = 2 * time.Minute

// defaultHTTPTimeout is DefaultHTTPTimeout; tests shorten it.
var defaultHTTPTimeout = DefaultHTTPTimeout

// Client calls Partner Center's product-upgrade API. Make one with New and share it: it is
// safe for concurrent use.
type Client struct {
	// api builds and sends the requests. Only its request side is used: every response is
	// read by the client's own lenient decoders, never by the generated response types.
	api    gen.ClientInterface
	hc     *http.Client // the client's copy, under the pipeline
	clock  *clock
	retry  RetryPolicy
	logger *slog.Logger
	seen   seenStatuses // unknown status values already logged
}

// Option configures a Client; see New.
type Option func(*config) error

type config struct {
	baseURL string
	hc      *http.Client
	rt      http.RoundTripper
	ts      oauth2.TokenSource
	app     string
	locale  string
	retry   RetryPolicy
	logger  *slog.Logger
}

// New returns a client for Partner Center's product-upgrade API.
//
// WithTokenSource is required: a client that would send no Authorization header is a bug, so
// New fails without one. Everything else has a production default: the base URL
// https://api.partnercenter.microsoft.com, X-Locale en-US, the default RetryPolicy (3 retries,
// 500ms doubling up to 60s), and an *http.Client on http.DefaultTransport whose Timeout is
// DefaultHTTPTimeout. The client never follows redirects (a 3xx is an *APIError), so that a
// money-moving POST and its token go only where the base URL says, and it refuses an http://
// base URL unless its host is loopback (localhost, 127.0.0.0/8, ::1), so that the bearer token
// never crosses a network in clear text.
//
// An invalid option, or options that cannot go together (WithHTTPClient and WithTransport), is
// an error that names it, and the rule (a *ValidationError); nothing is sent.
func New(opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL, locale: DefaultLocale}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	// The habit WithHTTPClient(oauth2.NewClient(ctx, ts)): the client takes the token source
	// from the *oauth2.Transport and sends through its Base, so that it is the one that sets
	// the Authorization header (and knows the token it must keep out of errors and logs).
	var base http.RoundTripper
	if cfg.hc != nil {
		if ot, ok := cfg.hc.Transport.(*oauth2.Transport); ok && ot != nil {
			switch {
			case ot.Source == nil:
				return nil, &ValidationError{Field: "http client (WithHTTPClient)", Value: "*oauth2.Transport",
					Reason: "has no token Source"}
			case cfg.ts != nil:
				return nil, &ValidationError{Field: "http client (WithHTTPClient)", Value: "*oauth2.Transport",
					Reason: "brings a second token source: give WithTokenSource alone, or the oauth2 client alone"}
			}
			cfg.ts = ot.Source
			base = ot.Base
			if base == nil {
				base = http.DefaultTransport
			}
		}
	}
	if cfg.ts == nil {
		return nil, &ValidationError{Field: "token source (WithTokenSource)", Reason: "is required: every call needs an Authorization header"}
	}
	if err := checkBaseURLSecure(cfg.baseURL); err != nil {
		return nil, err
	}
	if cfg.hc != nil && cfg.rt != nil {
		return nil, &ValidationError{Field: "transport (WithTransport)", Value: fmt.Sprintf("%T", cfg.rt),
			Reason: "cannot be combined with WithHTTPClient: set that *http.Client's Transport instead, or drop WithHTTPClient to keep the default timeout"}
	}
	retry, err := cfg.retry.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: http.DefaultTransport, Timeout: defaultHTTPTimeout}
	switch {
	case cfg.hc != nil:
		copied := *cfg.hc
		hc = &copied
		if base != nil {
			hc.Transport = base
		}
	case cfg.rt != nil:
		hc.Transport = cfg.rt
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	clk := realClock()
	api, err := gen.NewClient(cfg.baseURL, gen.WithHTTPClient(newPipeline(hc, &cfg, retry, clk)))
	if err != nil {
		return nil, fmt.Errorf("productupgrades: %w", err)
	}
	return &Client{api: api, hc: hc, clock: clk, retry: retry, logger: cfg.logger}, nil
}

// WithBaseURL sets the API root, an absolute http or https URL without query or fragment,
// for example https://partner.partnercenterapi.microsoftonline.cn. Default DefaultBaseURL.
//
// Every request carries the bearer token, so New refuses an http:// URL unless its host is
// loopback: localhost, an address in 127.0.0.0/8, or ::1 (a test server such as the fake).
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(baseURL)
		bad := func(reason string) error {
			return invalidInput("base URL (WithBaseURL)", baseURL, reason)
		}
		switch {
		case err != nil:
			return bad("not a URL")
		case u.Scheme != "http" && u.Scheme != "https":
			return bad("must be an absolute http or https URL")
		case u.Host == "":
			return bad("has no host")
		case u.User != nil:
			return bad("must not carry credentials")
		case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(baseURL, "?"):
			return bad("must not have a query or fragment")
		}
		c.baseURL = strings.TrimSuffix(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the *http.Client whose Transport and Timeout the client uses, for
// example to share connections or to add TLS settings. The client works on a copy that does
// not follow redirects. Its Timeout is kept as it is: with none (the zero *http.Client),
// bound calls with the context or RetryPolicy.TryTimeout. Default: an *http.Client on
// http.DefaultTransport with Timeout DefaultHTTPTimeout.
//
// To change only the transport (a proxy, TLS settings, a recording or tracing RoundTripper)
// and keep the default Timeout, use WithTransport instead; the two cannot be combined.
//
// An http.Client made by oauth2.NewClient(ctx, ts) works without WithTokenSource: the client
// takes ts from its *oauth2.Transport and sends through the transport's Base, so that it sets
// the Authorization header itself and keeps that token out of errors and logs. Giving
// WithTokenSource as well is a *ValidationError (two token sources).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &ValidationError{Field: "HTTP client (WithHTTPClient)", Value: "<nil>", Reason: "must not be nil"}
		}
		c.hc = hc
		return nil
	}
}

// WithTransport sets the http.RoundTripper that sends the client's requests, in place of
// http.DefaultTransport, and keeps everything else of the default *http.Client: the Timeout
// DefaultHTTPTimeout and no redirects. Use it to wrap or replace the transport (a proxy, TLS
// settings, a recording or tracing RoundTripper).
//
// It differs from WithHTTPClient, which takes a whole *http.Client and keeps its Timeout as it
// is, so that WithHTTPClient(&http.Client{Transport: rt}) has no timeout at all. The two
// cannot be combined (New fails); a nil rt is an error.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *config) error {
		if rt == nil {
			return &ValidationError{Field: "transport (WithTransport)", Value: "<nil>", Reason: "must not be nil: omit WithTransport to use http.DefaultTransport"}
		}
		c.rt = rt
		return nil
	}
}

// WithTokenSource sets where the Authorization: Bearer token comes from (required). Token is
// called before every try, so a source that refreshes is honoured; wrap a costly source with
// oauth2.ReuseTokenSource to cache its token. A Token error fails the call before anything
// is sent.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return &ValidationError{Field: "token source (WithTokenSource)", Value: "<nil>", Reason: "must not be nil"}
		}
		c.ts = ts
		return nil
	}
}

// WithApplication sets the MS-PartnerCenter-Application header, the name of the application
// calling the API (1 to 256 printable characters). Not sent by default.
func WithApplication(name string) Option {
	return func(c *config) error {
		if err := headerValue("application name (WithApplication)", name, 1, 256); err != nil {
			return err
		}
		c.app = name
		return nil
	}
}

// WithLocale sets the X-Locale header, the language of the texts the service returns, for
// example fr-FR (2 to 35 characters). Default en-US.
func WithLocale(locale string) Option {
	return func(c *config) error {
		if err := headerValue("locale (WithLocale)", locale, 2, 35); err != nil {
			return err
		}
		if strings.ContainsRune(locale, ' ') {
			return invalidInput("locale (WithLocale)", locale, "must not contain spaces")
		}
		c.locale = locale
		return nil
	}
}

// WithRetry sets the retry policy; zero fields take their defaults (see RetryPolicy).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if _, err := p.withDefaults(); err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

// WithLogger makes the client write one line per HTTP try to l: method, path, status,
// attempt, duration, request and correlation ids, at Info (Warn for failures). It also warns,
// once per value, of a status value the client does not know, and when WaitForUpgrade waits
// less than a Retry-After asked. It never logs the Authorization header or a body, and the
// access token is removed from every text it logs. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// checkBaseURLSecure refuses a plain-http base URL whose host is not loopback: every request
// carries the bearer token, which must not cross a network in clear text.
func checkBaseURLSecure(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil {
		return invalidInput("base URL (WithBaseURL)", baseURL, "not a URL")
	}
	if u.Scheme != "http" || isLoopbackHost(u.Hostname()) {
		return nil
	}
	return invalidInput("base URL (WithBaseURL)", baseURL,
		"must be https: every request carries the bearer token, and http:// is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1)")
}

// isLoopbackHost reports whether host (no port, no brackets) is localhost or a loopback IP
// address: 127.0.0.0/8 or ::1 (an IPv4-mapped 127.x address too).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// headerValue checks a configured header value: its length in bytes and no control characters.
func headerValue(field, v string, minLen, maxLen int) error {
	if len(v) < minLen || len(v) > maxLen {
		return invalidInput(field, v, fmt.Sprintf("must be %d to %d characters", minLen, maxLen))
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return invalidInput(field, v, "must not contain control characters")
		}
	}
	if strings.TrimSpace(v) != v {
		return invalidInput(field, v, "must not start or end with spaces")
	}
	return nil
}
