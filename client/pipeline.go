package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
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
	maybeSent bool     // a try may have reached the server without an answer

	// The response handed to the generated client (the last try's), and its body as the
	// body policy read it.
	resp      *http.Response
	body      []byte
	truncated bool
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

// withRetry is the retry policy; see RetryPolicy.
func withRetry(p RetryPolicy, clk *clock) policy {
	return func(next sendFunc) sendFunc {
		return func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			st := callFrom(ctx)
			if st == nil {
				st = &call{}
			}
			for n := 0; ; n++ {
				if err := ctx.Err(); err != nil {
					// Ended before this try left: nothing more is sent.
					return nil, fmt.Errorf("%w (before try %d)", err, n+1)
				}
				st.try = n + 1
				r := req
				if n > 0 {
					// A fresh copy per retry: the transport may still hold the previous one.
					r = req.Clone(ctx)
					if req.GetBody != nil {
						b, err := req.GetBody()
						if err != nil {
							return nil, fmt.Errorf("rewind request body: %w", err)
						}
						r.Body = b
					}
				}
				resp, err := sendTry(r, p.TryTimeout, next)
				if err != nil {
					var te *tokenError
					if errors.As(err, &te) {
						return nil, err
					}
					if !isDialError(err) {
						st.maybeSent = true
					}
					if ctx.Err() != nil {
						return nil, fmt.Errorf("%w (during try %d: %v)", ctx.Err(), st.try, err)
					}
					if n >= p.MaxRetries {
						return nil, fmt.Errorf("%d tries failed, last: %w", st.try, err)
					}
					if serr := clk.sleep(ctx, p.backoff(n+1, clk.jitter())); serr != nil {
						return nil, fmt.Errorf("%w (waiting to retry after: %v)", serr, err)
					}
					continue
				}
				if !retryableStatus(resp.StatusCode) || n >= p.MaxRetries {
					st.resp = resp
					return resp, nil
				}
				wait := p.backoff(n+1, clk.jitter())
				if ra, ok := retryAfter(resp.Header, clk.now()); ok {
					if ra > p.MaxDelay {
						// The server asks for longer than we wait: hand the caller the
						// *APIError with RetryAfter instead of sleeping.
						st.resp = resp
						return resp, nil
					}
					wait = ra
				}
				if serr := clk.sleep(ctx, wait); serr != nil {
					return nil, fmt.Errorf("%w (waiting to retry after HTTP %d)", serr, resp.StatusCode)
				}
			}
		}
	}
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

// isDialError reports a failure to connect: the request cannot have reached the server.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
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
			if st := callFrom(r.Context()); st != nil {
				st.token = tok.AccessToken
			}
			h := last.Load()
			if h == nil || h.token != tok.AccessToken {
				h = &authHeader{token: tok.AccessToken, value: []string{"Bearer " + tok.AccessToken}}
				last.Store(h)
			}
			r.Header["Authorization"] = h.value // shared, never modified
			return next(r)
		}
	}
}

type authHeader struct {
	token string
	value []string
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
			if st := callFrom(r.Context()); st != nil {
				attempt = st.try
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
				attrs = append(attrs, slog.Int("status", 0), slog.String("error", err.Error()))
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
// truncated. A failure while reading is a transport error, retried like one.
func withBodyLimit(limit int64) policy {
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			resp, err := next(r)
			if err != nil {
				return nil, err
			}
			data, truncated, err := readCapped(resp.Body, resp.ContentLength, limit)
			_ = resp.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("read response body: %w", err)
			}
			if st := callFrom(r.Context()); st != nil {
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
		if _, err := io.ReadFull(body, data); err != nil {
			return nil, false, err
		}
		return data, false, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if n > limit {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}
