package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

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
				if err == nil && !retryableStatus(resp.StatusCode) {
					// What decide says of a status that is neither retried nor ambiguous
					// (every ambiguous status is retryable): done, nothing may have landed.
					return resp, nil
				}
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
					return resp, nil
				}
				throttleWait = d.throttleWait
				if serr := clk.sleep(ctx, d.wait); serr != nil {
					if err != nil {
						// Only the context's error is wrapped (see stopError).
						return nil, fmt.Errorf("%w (waiting to retry after: %v)", serr, err) //nolint:errorlint // the try's error is text, not a cause: see stopError
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
		// The context ended the call, and its error is the one to match. The try's error is
		// only told: wrapped, a try that hit its per-try timeout would make a cancelled call
		// match context.DeadlineExceeded too (pcupgrade would say "timed out").
		return fmt.Errorf("%w (during try %d: %v)", ctx.Err(), try, err) //nolint:errorlint // the try's error is text, not a cause: see above
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
