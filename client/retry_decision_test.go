package client

import (
	"net/http"
	"testing"
	"time"
)

// TestRetryDecision is the retry rule alone, one outcome per case: what RetryPolicy.decide
// answers after a try, without a server or a clock.
func TestRetryDecision(t *testing.T) {
	t.Parallel()
	const s = time.Second
	now := time.Date(2020, 7, 21, 4, 10, 58, 0, time.UTC)
	policy := RetryPolicy{MaxRetries: 3, BaseDelay: s, MaxDelay: 60 * s}
	capped := RetryPolicy{MaxRetries: 5, BaseDelay: s, MaxDelay: 3 * s}
	short := RetryPolicy{MaxRetries: 3, BaseDelay: s, MaxDelay: 10 * s}
	noRetries := RetryPolicy{MaxRetries: 0, BaseDelay: s, MaxDelay: 60 * s} // WithRetry's -1

	status := func(code int) tryOutcome { return tryOutcome{status: code} }
	withRA := func(code int, ra string) tryOutcome { return tryOutcome{status: code, retryAfter: ra} }
	failed := func(f tryFailure) tryOutcome { return tryOutcome{failure: f} }
	retry := func(wait time.Duration) retryDecision { return retryDecision{retry: true, wait: wait} }
	retryLanded := func(wait time.Duration) retryDecision {
		return retryDecision{retry: true, wait: wait, mayHaveLanded: true}
	}
	throttled := func(wait time.Duration) retryDecision {
		return retryDecision{retry: true, wait: wait, throttleWait: wait}
	}
	stop := retryDecision{}
	stopLanded := retryDecision{mayHaveLanded: true}

	cases := []struct {
		name         string
		policy       RetryPolicy
		try          int
		outcome      tryOutcome
		lastThrottle time.Duration
		jitter       float64
		want         retryDecision
	}{
		// Which statuses are retried, and which may have landed.
		{"408 retried", policy, 1, status(408), 0, 1, retry(s)},
		{"429 retried, its wait remembered", policy, 1, status(429), 0, 1, throttled(s)},
		{"500 retried, may have landed", policy, 1, status(500), 0, 1, retryLanded(s)},
		{"502 retried, may have landed", policy, 1, status(502), 0, 1, retryLanded(s)},
		{"503 retried", policy, 1, status(503), 0, 1, retry(s)},
		{"504 retried, may have landed", policy, 1, status(504), 0, 1, retryLanded(s)},
		{"200 ends the call", policy, 1, status(200), 0, 1, stop},
		{"202 ends the call", policy, 1, status(202), 0, 1, stop},
		{"400 not retried", policy, 1, status(400), 0, 1, stop},
		{"401 not retried", policy, 1, status(401), 0, 1, stop},
		{"403 not retried", policy, 1, status(403), 0, 1, stop},
		{"404 not retried", policy, 1, status(404), 0, 1, stop},
		{"409 not retried", policy, 1, status(409), 0, 1, stop},
		{"412 not retried", policy, 1, status(412), 0, 1, stop},
		{"501 not retried", policy, 1, status(501), 0, 1, stop},

		// Backoff without Retry-After: doubling, jittered, capped at MaxDelay.
		{"second retry doubles", policy, 2, status(503), 0, 1, retry(2 * s)},
		{"third retry doubles again", policy, 3, status(503), 0, 1, retry(4 * s)},
		{"jitter scales the backoff", policy, 1, status(503), 0, 0.8, retry(800 * time.Millisecond)},
		{"backoff capped at MaxDelay", capped, 3, status(503), 0, 1, retry(3 * s)},
		{"jittered backoff still capped", capped, 3, status(503), 0, 1.2, retry(3 * s)},

		// Retry-After.
		{"Retry-After is the wait", policy, 1, withRA(503, "57"), 0, 1, retry(57 * s)},
		{"Retry-After replaces a longer backoff", policy, 3, withRA(503, "1"), 0, 1, retry(s)},
		{"Retry-After 0 retries at once", policy, 1, withRA(503, "0"), 0, 1, retry(0)},
		{"Retry-After 0 after a 429 is only the floor", policy, 1, withRA(429, "0"), 0, 0.5, throttled(s)},
		{"Retry-After at MaxDelay is waited", policy, 1, withRA(503, "60"), 0, 1, retry(60 * s)},
		{"Retry-After over MaxDelay stops", policy, 1, withRA(503, "61"), 0, 1, stop},
		{"429 Retry-After over MaxDelay stops", short, 1, withRA(429, "57"), 0, 1, stop},
		{"500 Retry-After over MaxDelay stops, may have landed", policy, 1, withRA(500, "61"), 0, 1, stopLanded},
		{"Retry-After as an HTTP date", policy, 1, withRA(503, now.Add(30*s).Format(http.TimeFormat)), 0, 1, retry(30 * s)},
		{"Retry-After as a past HTTP date", policy, 1, withRA(503, now.Add(-30*s).Format(http.TimeFormat)), 0, 1, retry(0)},
		{"HTTP date over MaxDelay stops", policy, 1, withRA(503, now.Add(2*time.Minute).Format(http.TimeFormat)), 0, 1, stop},
		{"unreadable Retry-After: backoff", policy, 1, withRA(503, "soon"), 0, 1, retry(s)},
		{"negative Retry-After: backoff", policy, 1, withRA(503, "-5"), 0, 1, retry(s)},
		{"fractional Retry-After: backoff", policy, 1, withRA(503, "1.5"), 0, 1, retry(s)},
		{"Retry-After on a status not retried", policy, 1, withRA(400, "1"), 0, 1, stop},

		// Repeated 429s: exponential, Retry-After the floor, MaxDelay the cap.
		{"first 429 waits Retry-After", policy, 1, withRA(429, "2"), 0, 1, throttled(2 * s)},
		{"second 429 doubles the last wait", policy, 2, withRA(429, "2"), 2 * s, 1, throttled(4 * s)},
		{"third 429 doubles again", policy, 3, withRA(429, "2"), 4 * s, 1, throttled(8 * s)},
		{"a longer Retry-After is the floor", policy, 3, withRA(429, "20"), 8 * s, 1, throttled(20 * s)},
		{"doubling capped at MaxDelay", policy, 3, withRA(429, "2"), 40 * s, 1, throttled(60 * s)},
		{"429 without Retry-After doubles too", policy, 2, status(429), 3 * s, 1, throttled(6 * s)},
		{"429 never below the unjittered backoff", policy, 3, withRA(429, "1"), 0, 0.8, throttled(4 * s)},
		{"another status forgets the throttle", policy, 2, status(503), 8 * s, 1, retry(2 * s)},

		// MaxRetries.
		{"try after the last retry stops", policy, 4, status(503), 0, 1, stop},
		{"the last retry is made", policy, 3, status(503), 0, 1, retry(4 * s)},
		{"ambiguous status after the last retry may have landed", policy, 4, status(504), 0, 1, stopLanded},
		{"no retries: 429 stops", noRetries, 1, withRA(429, "2"), 0, 1, stop},
		{"no retries: 500 stops, may have landed", noRetries, 1, status(500), 0, 1, stopLanded},

		// Transport failures.
		{"lost in flight: retried, may have landed", policy, 1, failed(failedInFlight), 0, 1, retryLanded(s)},
		{"lost in flight: backoff doubles", policy, 2, failed(failedInFlight), 0, 1, retryLanded(2 * s)},
		{"lost in flight after the last retry", policy, 4, failed(failedInFlight), 0, 1, stopLanded},
		{"refused before sending: retried, not landed", policy, 1, failed(failedBeforeSending), 0, 1, retry(s)},
		{"refused before sending after the last retry", policy, 4, failed(failedBeforeSending), 0, 1, stop},
		{"unsendable: not retried, not landed", policy, 1, failed(failedUnsendable), 0, 1, stop},
		{"token source failure: not retried", policy, 1, failed(failedTokenSource), 0, 1, stop},
		{"a failure forgets the throttle", policy, 2, failed(failedInFlight), 8 * s, 1, retryLanded(2 * s)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.policy.decide(tc.try, tc.outcome, now, tc.lastThrottle, tc.jitter)
			if got != tc.want {
				t.Errorf("after try %d of %+v (policy %+v, last throttle %v, jitter %v):\n got %+v\nwant %+v",
					tc.try, tc.outcome, tc.policy, tc.lastThrottle, tc.jitter, got, tc.want)
			}
		})
	}
}
