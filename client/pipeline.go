package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/gen"
)

// The request pipeline is the gen.HttpRequestDoer under the generated client. It is a chain
// of small policies, each with one job, composed once in New (outermost first):
//
//	retry     tries again on transport errors and retryable statuses, rewinding the body
//	headers   Accept, User-Agent, X-Locale, MS-PartnerCenter-Application
//	auth      Authorization: Bearer, from the token source, on every try
//	logging   one slog line per try
//	body      reads the response body through a cap, so that the generated Parse*Response
//	          (io.ReadAll without a limit) only ever sees a small buffer
//	transport the *http.Client
//
// The generated client sets MS-RequestId and MS-CorrelationId from the params it is given
// once per logical call, so every retry of a call carries the same MS-RequestId.

// sendFunc sends one request; policy wraps a sendFunc with one job.
type (
	sendFunc func(*http.Request) (*http.Response, error)
	policy   func(next sendFunc) sendFunc
)

// Do makes a sendFunc a gen.HttpRequestDoer.
func (f sendFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// chain composes policies around a transport, the first policy outermost.
func chain(transport sendFunc, policies ...policy) sendFunc {
	s := transport
	for i := len(policies) - 1; i >= 0; i-- {
		s = policies[i](s)
	}
	return s
}

// call is the state of one logical call, shared by its tries through the context. Only the
// goroutine making the call touches it.
type call struct {
	op        string
	rid, cid  gen.Guid // MS-RequestId and MS-CorrelationId of every try
	try       int      // the try in progress, 1-based
	token     string   // the last access token sent, to keep it out of errors
	rd        *redactor
	maybeSent bool // a try may have taken effect: no answer, or a 500, 502 or 504

	// The response handed to the generated client (the last try's), and its body as the
	// body policy read it.
	resp      *http.Response
	body      []byte
	truncated bool
	bodyErr   error // a 202's body could not be read to its end (the 202 stands)
}

// redactor returns the redactor of the last token sent (nil before any).
func (c *call) redactor() *redactor {
	if c == nil || c.token == "" {
		return nil
	}
	if c.rd == nil || c.rd.token != c.token {
		c.rd = newRedactor(c.token)
	}
	return c.rd
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// tokenError is a token source failure; it is never retried, and nothing is sent.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "token source: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// withRetry is the retry policy; see RetryPolicy. RetryPolicy.decide makes each decision;
// this loop sends, records the call's state, and sleeps.
func withRetry(p RetryPolicy, clk *clock) policy {
	return func(next sendFunc) sendFunc {
		return func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			st := callFrom(ctx)
			if st == nil {
				st = &call{}
			}
			var throttleWait time.Duration // the last wait after a 429, doubled on the next
			for n := 0; ; n++ {
				if err := ctx.Err(); err != nil {
					// Ended before this try left: nothing more is sent.
					return nil, fmt.Errorf("%w (before try %d)", err, n+1)
				}
				st.try = n + 1
				r, err := tryRequest(req, n)
				if err != nil {
					return nil, err
				}
				resp, err := sendTry(r, p.TryTimeout, next)
				o := outcomeOf(resp, err)
				d := p.decide(st.try, o, clk.now(), throttleWait, clk.jitter())
				if d.mayHaveLanded {
					st.maybeSent = true
				}
				if err != nil {
					if serr := stopError(ctx, st.try, o.failure, d.retry, err); serr != nil {
						return nil, serr
					}
				} else if !d.retry {
					st.resp = resp
					return resp, nil
				}
				throttleWait = d.throttleWait
				if serr := clk.sleep(ctx, d.wait); serr != nil {
					if err != nil {
						return nil, fmt.Errorf("%w (waiting to retry after: %v)", serr, err)
					}
					return nil, fmt.Errorf("%w (waiting to retry after HTTP %d)", serr, resp.StatusCode)
				}
			}
		}
	}
}

// tryRequest is the request of try n (0-based): req itself first, then a fresh copy per
// retry with the body rewound (the transport may still hold the previous one).
func tryRequest(req *http.Request, n int) (*http.Request, error) {
	if n == 0 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewind request body: %w", err)
		}
		r.Body = b
	}
	return r, nil
}

// outcomeOf is what the retry decision needs of a try's result.
func outcomeOf(resp *http.Response, err error) tryOutcome {
	if err != nil {
		return tryOutcome{failure: failureOf(err)}
	}
	return tryOutcome{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
}

// stopError is the error that ends a call whose try number try failed with err (of kind f),
// or nil when it is retried. A token source failure is returned as it is.
func stopError(ctx context.Context, try int, f tryFailure, retry bool, err error) error {
	switch {
	case f == failedTokenSource:
		return err
	case ctx.Err() != nil:
		return fmt.Errorf("%w (during try %d: %v)", ctx.Err(), try, err)
	case f == failedUnsendable:
		return fmt.Errorf("try %d failed before anything was sent, not retried: %w", try, err)
	case !retry:
		return fmt.Errorf("%d tries failed, last: %w", try, err)
	}
	return nil
}

// failureOf classifies a try's transport error for the retry decision.
func failureOf(err error) tryFailure {
	var te *tokenError
	switch {
	case errors.As(err, &te):
		return failedTokenSource
	case neverSendable(err):
		// A TLS or header failure before any byte left: another try fails the same way.
		return failedUnsendable
	case notSent(err):
		return failedBeforeSending
	}
	return failedInFlight
}

// sendTry sends one try, bounded by the per-try timeout. The body policy has read the body
// by the time next returns, so the try's context can end here.
func sendTry(r *http.Request, timeout time.Duration, next sendFunc) (*http.Response, error) {
	if timeout <= 0 {
		return next(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	return next(r.WithContext(ctx))
}

// notSent reports a failure before any byte of the request can have reached the server: a
// failure to connect, a TLS handshake that failed (https to a plain-HTTP port, a certificate
// not trusted), a header value net/http refuses to send.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return neverSendable(err) || strings.Contains(err.Error(), "TLS handshake timeout")
}

// neverSendable reports a failure before sending that another try would repeat.
func neverSendable(err error) bool {
	var (
		rh   tls.RecordHeaderError
		cv   *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		he   x509.HostnameError
		ci   x509.CertificateInvalidError
		alrt tls.AlertError
	)
	switch {
	case errors.As(err, &rh), errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &he),
		errors.As(err, &ci), errors.As(err, &alrt):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "server gave HTTP response to HTTPS client") || // net/http's word for a RecordHeaderError
		strings.Contains(msg, "net/http: invalid header field") ||
		strings.Contains(msg, "tls: handshake failure") ||
		strings.Contains(msg, "unsupported protocol scheme")
}

// staticHeader is a header every request of a client carries, its key already canonical.
type staticHeader struct {
	key   string
	value []string // shared by all requests, never modified
}

// staticHeaders returns the headers set on every request besides those in the generated
// params: Accept, User-Agent, X-Locale and, when set, MS-PartnerCenter-Application.
func staticHeaders(locale, app string) []staticHeader {
	h := []staticHeader{
		{"Accept", []string{jsonContentType}},
		{"User-Agent", []string{UserAgent}},
		{"X-Locale", []string{locale}},
	}
	if app != "" {
		h = append(h, staticHeader{http.CanonicalHeaderKey("MS-PartnerCenter-Application"), []string{app}})
	}
	return h
}

// withHeaders sets the client's static headers on every try.
func withHeaders(headers []staticHeader) policy {
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			for _, h := range headers {
				r.Header[h.key] = h.value
			}
			return next(r)
		}
	}
}

// withAuth sets Authorization: Bearer from the token source, asked again on every try so that
// a refreshed token is used. A failure sends nothing.
func withAuth(ts oauth2.TokenSource) policy {
	// The header value of the last token, reused while the token does not change.
	var last atomic.Pointer[authHeader]
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			tok, err := ts.Token()
			if err != nil {
				return nil, &tokenError{err}
			}
			if tok == nil || tok.AccessToken == "" {
				return nil, &tokenError{errors.New("returned an empty access token")}
			}
			h := last.Load()
			if h == nil || h.token != tok.AccessToken {
				if err := checkToken(tok.AccessToken); err != nil {
					return nil, &tokenError{err}
				}
				h = &authHeader{token: tok.AccessToken, value: []string{"Bearer " + tok.AccessToken},
					rd: newRedactor(tok.AccessToken)}
				last.Store(h)
			}
			st := callFrom(r.Context())
			if st != nil {
				st.token, st.rd = h.token, h.rd
			}
			r.Header["Authorization"] = h.value // shared, never modified
			resp, err := next(r)
			if err != nil {
				// A transport error may quote what the server sent (a malformed status
				// line), and so the token it echoed.
				return nil, h.rd.redactErr(err)
			}
			return resp, nil
		}
	}
}

// checkToken rejects an access token that cannot be sent in a header: one with control
// characters (a line break would end the header). The token is never quoted.
func checkToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x20 || c == 0x7f {
			return &ValidationError{Field: "access token (WithTokenSource)", Value: "<redacted>",
				Reason: "contains control characters, which cannot be sent in the Authorization header"}
		}
	}
	return nil
}

type authHeader struct {
	token string
	value []string
	rd    *redactor
}

// withLogging writes one line per try: method, path, status, attempt, duration, request and
// correlation ids. It never logs headers other than those ids, nor bodies.
func withLogging(l *slog.Logger, now func() time.Time) policy {
	return func(next sendFunc) sendFunc {
		if l == nil {
			return next
		}
		return func(r *http.Request) (*http.Response, error) {
			start := now()
			resp, err := next(r)
			attempt := 0
			var rd *redactor
			if st := callFrom(r.Context()); st != nil {
				attempt, rd = st.try, st.redactor()
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("attempt", attempt),
				slog.Duration("duration", now().Sub(start)),
				slog.String("request_id", r.Header.Get(hdrRequestID)),
				slog.String("correlation_id", r.Header.Get(hdrCorrelationID)),
			}
			level := slog.LevelInfo
			if err != nil {
				level = slog.LevelWarn
				attrs = append(attrs, slog.Int("status", 0), slog.String("error", truncate(sanitize(err.Error(), rd), 512)))
			} else {
				attrs = append(attrs, slog.Int("status", resp.StatusCode))
				if resp.StatusCode >= 400 {
					level = slog.LevelWarn
				}
			}
			l.LogAttrs(r.Context(), level, "productupgrades: http try", attrs...)
			return resp, err
		}
	}
}

// withBodyLimit reads each response body, at most limit bytes, and hands on a buffered copy.
// A longer body is not read (its connection is dropped) and the response is marked
// truncated. A failure while reading is a transport error, retried like one, except after a
// 202, which stands.
func withBodyLimit(limit int64) policy {
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			resp, err := next(r)
			if err != nil {
				return nil, err
			}
			data, truncated, err := readCapped(resp.Body, resp.ContentLength, limit)
			_ = resp.Body.Close()
			st := callFrom(r.Context())
			if err != nil {
				if resp.StatusCode != http.StatusAccepted {
					return nil, fmt.Errorf("read response body: %w", err)
				}
				// A 202 needs no body: the upgrade is accepted, and a retry must not be
				// made over a body the docs say is empty anyway.
				if st != nil {
					st.bodyErr = err
				}
			}
			if st != nil {
				st.body, st.truncated = data, truncated
			}
			if len(data) == 0 {
				resp.Body = http.NoBody
			} else {
				resp.Body = io.NopCloser(bytes.NewReader(data))
			}
			return resp, nil
		}
	}
}

func readCapped(body io.Reader, contentLength, limit int64) (data []byte, truncated bool, err error) {
	switch {
	case contentLength > limit:
		return nil, true, nil
	case contentLength == 0:
		return nil, false, nil
	case contentLength > 0:
		data = make([]byte, contentLength)
		if n, err := io.ReadFull(body, data); err != nil {
			return data[:n], false, err
		}
		return data, false, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return buf.Bytes(), false, err
	}
	if n > limit {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}
