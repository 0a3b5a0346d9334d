package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says when and how the client tries a call again. The zero value of each field
// means its default; WithRetry(RetryPolicy{}) is the default policy.
//
// Transport errors and the statuses 408, 429, 500, 502, 503 and 504 are retried, for
// CreateUpgrade too: every try of one call carries the same MS-RequestId, the service's
// idempotency key, so a retried create cannot start a second upgrade. Other statuses are
// never retried. A Retry-After header (seconds or an HTTP date) sets the wait before the next
// try; when it asks for more than MaxDelay the client does not wait but returns the
// *APIError with RetryAfter set. Otherwise the wait is BaseDelay·2^(retry-1), with ±20%
// jitter, capped at MaxDelay. After a 429 the wait is the longest of Retry-After,
// BaseDelay·2^(retry-1) and twice the wait after the previous 429 (the throttling guidance:
// back off exponentially, never below Retry-After), capped at MaxDelay. A failure before
// anything was sent that would repeat (a TLS handshake failure, https to a plain-HTTP port, a
// header value net/http refuses) is not retried.
type RetryPolicy struct {
	// MaxRetries is how many times a failed try is retried. Default 3; a negative value
	// means no retries.
	MaxRetries int
	// BaseDelay is the wait before the first retry when the server gives no Retry-After.
	// Default 500ms.
	BaseDelay time.Duration
	// MaxDelay caps every wait, and is the longest Retry-After the client will sleep for.
	// Default 60s.
	MaxDelay time.Duration
	// TryTimeout bounds each try, response body included; a try that times out is retried
	// like a transport error. Zero or negative means no per-try limit beyond the
	// http.Client's own Timeout (DefaultHTTPTimeout when WithHTTPClient is not used) and the
	// context's deadline.
	TryTimeout time.Duration
}

// defaultRetryPolicy is the policy a client uses unless WithRetry says otherwise.
var defaultRetryPolicy = RetryPolicy{
	MaxRetries: 3,
	BaseDelay:  500 * time.Millisecond,
	MaxDelay:   60 * time.Second,
}

// withDefaults fills zero fields from defaultRetryPolicy and checks the result.
func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.BaseDelay < 0 || p.MaxDelay < 0 {
		return p, invalidInput("RetryPolicy (WithRetry)", fmt.Sprintf("%+v", p), "delays must not be negative")
	}
	if p.MaxRetries == 0 {
		p.MaxRetries = defaultRetryPolicy.MaxRetries
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = defaultRetryPolicy.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = defaultRetryPolicy.MaxDelay
	}
	if p.BaseDelay > p.MaxDelay {
		return p, invalidInput("RetryPolicy (WithRetry)", fmt.Sprintf("%+v", p), "BaseDelay exceeds MaxDelay")
	}
	return p, nil
}

// backoff returns the wait before retry number n (1-based) when the server gave no
// Retry-After.
func (p RetryPolicy) backoff(n int, jitter float64) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * jitter)
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

// retryableStatus is the list of statuses worth another try: the service or a gateway says
// it is busy, throttled, or failed before finishing.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter parses a Retry-After header: delta-seconds (the throttling page's form) or an
// HTTP date. ok is false when the header is absent or unreadable.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	return parseRetryAfter(h.Get("Retry-After"), now)
}

// parseRetryAfter parses a Retry-After value; see retryAfter.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d = t.Sub(now); d < 0 {
		d = 0
	}
	return d, true
}

// tryFailure is how a try that got no response failed, as far as retrying is concerned.
type tryFailure int

const (
	// failedInFlight: the request may have reached the server (a dropped connection, a
	// timeout, a body cut short). Retried; the try may have landed.
	failedInFlight tryFailure = iota + 1
	// failedBeforeSending: nothing reached the server, and another try may get through (a
	// refused connection). Retried; the try has not landed.
	failedBeforeSending
	// failedUnsendable: nothing reached the server, and another try would fail the same
	// way (TLS, a header net/http refuses). Not retried.
	failedUnsendable
	// failedTokenSource: the token source failed; nothing was sent. Not retried.
	failedTokenSource
)

// tryOutcome is how one try ended: a response (status and its Retry-After), or a failure.
type tryOutcome struct {
	status     int        // the response's status; 0 when the try got none
	failure    tryFailure // why the try got no response
	retryAfter string     // the response's Retry-After header
}

// retryDecision is what to do after a try.
type retryDecision struct {
	retry bool          // make another try
	wait  time.Duration // how long to wait before it
	// mayHaveLanded: the try may have taken effect at the service (a request lost in
	// flight, or an ambiguous status), whether or not it is retried.
	mayHaveLanded bool
	// throttleWait is the wait after a 429, which the next 429 doubles; 0 otherwise.
	throttleWait time.Duration
}

// decide is the retry decision after try number try (1-based) ended with o: a pure function
// of the policy, the outcome, the time (for a Retry-After date), the wait after the previous
// 429 (lastThrottle) and the jitter factor.
func (p RetryPolicy) decide(try int, o tryOutcome, now time.Time, lastThrottle time.Duration, jitter float64) retryDecision {
	if o.status == 0 {
		d := retryDecision{mayHaveLanded: o.failure == failedInFlight}
		if o.failure == failedUnsendable || o.failure == failedTokenSource || try > p.MaxRetries {
			return d
		}
		d.retry, d.wait = true, p.backoff(try, jitter)
		return d
	}
	// After a 500, 502 or 504 the service failed part way, or a gateway lost its answer: the
	// request may have taken effect, whatever later tries answer.
	d := retryDecision{mayHaveLanded: ambiguousStatus(o.status)}
	if !retryableStatus(o.status) || try > p.MaxRetries {
		return d
	}
	wait := p.backoff(try, jitter)
	ra, hasRA := parseRetryAfter(o.retryAfter, now)
	if hasRA {
		if ra > p.MaxDelay {
			// The server asks for longer than we wait: the caller gets the *APIError with
			// RetryAfter instead of a sleep.
			return d
		}
		wait = ra
	}
	if o.status == http.StatusTooManyRequests {
		// The throttling guidance: wait Retry-After, and when throttled again back off
		// exponentially, never below Retry-After.
		wait = max(wait, p.backoff(try, 1), 2*lastThrottle)
		wait = min(wait, max(p.MaxDelay, ra))
		d.throttleWait = wait
	}
	d.retry, d.wait = true, wait
	return d
}

// clock holds what tests replace: sleeping, the time and the jitter.
type clock struct {
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	jitter func() float64 // in [0.8, 1.2)
}

func realClock() *clock {
	return &clock{
		sleep:  sleepCtx,
		now:    time.Now,
		jitter: func() float64 { return 0.8 + 0.4*rand.Float64() },
	}
}

// sleepCtx waits d, or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
