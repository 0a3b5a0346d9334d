package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

const throttleBody = `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`

func TestRetry_429WithRetryAfterThen202(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "57", "Content-Type", "application/json")
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL) // MaxDelay 60s: a 57s Retry-After is waited for
	rec := recordSleeps(c)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	assert.Equal(t, []time.Duration{57 * time.Second}, rec.Sleeps(), "Retry-After is the wait")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"))
}

// A Retry-After of 0 lets a busy service's retry go at once; after a 429 it is only the floor,
// so the retry waits the base delay (the throttling guidance backs off even when told it may
// retry at once). Without the header, both would wait the jittered backoff.
func TestRetry_RetryAfterZero(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   time.Duration
	}{
		{http.StatusServiceUnavailable, 0},
		{http.StatusTooManyRequests, 40 * time.Millisecond},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 0 {
					reply(w, tc.status, throttleBody, "Retry-After", "0")
					return
				}
				accepted(w, "productUpgrades/"+testUpgradeID)
			})
			c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: 2, BaseDelay: 40 * time.Millisecond, MaxDelay: time.Minute}))
			client.SetJitter(c, func() float64 { return 0.5 })
			rec := recordSleeps(c)
			_, err := c.CreateUpgrade(context.Background(), testRequest())
			require.NoError(t, err)
			assert.Len(t, srv.Requests(), 2)
			assert.Equal(t, []time.Duration{tc.want}, rec.Sleeps())
		})
	}
}

func TestRetry_RetryAfterOverMaxDelayReturnsTheErrorInsteadOfSleeping(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "57")
	})
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Second}))
	rec := recordSleeps(c)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	ae := asAPIError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, ae.StatusCode)
	assert.Equal(t, 57*time.Second, ae.RetryAfter)
	assert.True(t, client.IsThrottled(err))
	assert.Empty(t, rec.Sleeps())
	assert.Len(t, srv.Requests(), 1)
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown))
}

func TestRetry_RetryAfterAsHTTPDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2020, 7, 21, 4, 10, 58, 0, time.UTC)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusServiceUnavailable, "", "Retry-After", now.Add(30*time.Second).Format(http.TimeFormat))
			return
		}
		reply(w, http.StatusOK, `{"customerId":"`+testCustomerID+`","isEligible":true,"productFamily":"azure"}`)
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	client.SetNow(c, func() time.Time { return now })
	e, err := c.CheckEligibility(context.Background(), testRequest())
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
	assert.Equal(t, []time.Duration{30 * time.Second}, rec.Sleeps())
}

func TestRetry_ExponentialBackoffWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusServiceUnavailable, `{"code":800003,"description":"Service unavailable"}`)
	})
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{BaseDelay: time.Second, MaxDelay: 3 * time.Second}))
	rec := recordSleeps(c) // jitter 1
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	ae := asAPIError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, ae.StatusCode, "the last response once retries run out")
	assert.Equal(t, "800003", ae.Code)
	assert.Len(t, srv.Requests(), 4, "1 try + 3 retries by default")
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, rec.Sleeps(), "doubling, capped at MaxDelay")
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown), "the service answered")
}

func TestRetry_JitterStaysWithinBounds(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusInternalServerError, "")
	})
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: 20, BaseDelay: time.Second, MaxDelay: time.Minute}))
	var mu sync.Mutex
	var sleeps []time.Duration
	client.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		sleeps = append(sleeps, d)
		mu.Unlock()
		return nil
	})
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	require.Len(t, sleeps, 20)
	for i, d := range sleeps[:5] {
		base := time.Second << i
		assert.GreaterOrEqualf(t, d, base*8/10, "retry %d", i+1)
		assert.Lessf(t, d, base*12/10, "retry %d", i+1)
	}
	for _, d := range sleeps {
		assert.LessOrEqual(t, d, time.Minute)
	}
}

func TestRetry_WhichStatusesAreRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		tries  int
	}{
		{408, 4}, {429, 4}, {500, 4}, {502, 4}, {503, 4}, {504, 4},
		{400, 1}, {401, 1}, {403, 1}, {404, 1}, {405, 1}, {409, 1}, {412, 1}, {501, 1},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, tc.status, `{"code":1,"description":"x"}`)
			})
			c := newClient(t, srv.URL)
			recordSleeps(c)
			_, err := c.CreateUpgrade(context.Background(), testRequest())
			ae := asAPIError(t, err)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Len(t, srv.Requests(), tc.tries)
		})
	}
}

func TestRetry_PolicyMaxRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ max, tries int }{{-1, 1}, {1, 2}, {5, 6}} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 500, "") })
		c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: tc.max, BaseDelay: time.Millisecond}))
		recordSleeps(c)
		_, err := c.CheckStatus(context.Background(), testUpgradeID, testRequest())
		require.Error(t, err)
		assert.Lenf(t, srv.Requests(), tc.tries, "MaxRetries %d", tc.max)
	}
}

func TestRetry_ConnectionDroppedAfterServerReceivedTheCreate(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	created := map[string]string{} // MS-RequestId -> upgrade id: the service's idempotency
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		id, ok := created[r.Header.Get("MS-RequestId")]
		if !ok {
			id = testUpgradeID
			created[r.Header.Get("MS-RequestId")] = id
		}
		mu.Unlock()
		if n < 2 {
			dropConnection(t, w) // the upgrade exists, the 202 is lost
			return
		}
		accepted(w, "productUpgrades/"+id)
	})
	c := newClient(t, srv.URL)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, reqs[0].Header.Get("MS-RequestId"), r.Header.Get("MS-RequestId"))
		assert.Equal(t, reqs[0].Body, r.Body)
	}
	assert.Len(t, created, 1, "one request id, so one upgrade")
}

func TestRetry_OutcomeUnknownWhenRetriesRunOutAfterTransportFailures(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { dropConnection(t, w) })
	c := newClient(t, srv.URL)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.Error(t, err)
	assert.Nil(t, u)
	assert.ErrorIs(t, err, client.ErrOutcomeUnknown)
	var oe *client.OutcomeUnknownError
	require.True(t, errors.As(err, &oe))
	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, reqs[0].Header.Get("MS-RequestId"), oe.RequestID)
	assert.Equal(t, reqs[0].Header.Get("MS-CorrelationId"), oe.CorrelationID)
	assert.Equal(t, 4, oe.Tries)
	assert.Contains(t, err.Error(), "outcome unknown")
	assert.Contains(t, err.Error(), oe.RequestID)
	assert.NotContains(t, err.Error(), testToken)
}

func TestRetry_TransportFailureOnReadsIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { dropConnection(t, w) })
	c := newClient(t, srv.URL)
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown))
	assert.Contains(t, err.Error(), srv.Requests()[0].Header.Get("MS-RequestId"), "the error carries the request id")
	assert.Len(t, srv.Requests(), 4)
}

func TestRetry_ConnectionRefusedMeansNothingWasSent(t *testing.T) {
	// Not parallel: it dials a port it just closed, which a server of a test running beside it
	// could be given, and then would get (and count) this request.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {})
	url := srv.URL
	srv.Close()
	c := newClient(t, url)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.Error(t, err)
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown), "a refused connection cannot have created anything: %v", err)
}

func TestRetry_ResendWithTheSameRequestID(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		seen[r.Header.Get("MS-RequestId")]++
		mu.Unlock()
		if n < 4 {
			dropConnection(t, w)
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	var oe *client.OutcomeUnknownError
	require.True(t, errors.As(err, &oe))
	u, err := c.CreateUpgradeWithRequestID(context.Background(), oe.RequestID, testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	assert.Equal(t, map[string]int{oe.RequestID: 5}, seen)
}

func TestRetry_PerTryTimeoutRetriesASlowTry(t *testing.T) {
	// Not parallel: timing. The second try must answer within the 50ms TryTimeout, or it is
	// retried too and the count of tries is off; a loaded machine can miss that.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			<-r.Context().Done() // hang until the client gives up on this try
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, TryTimeout: 50 * time.Millisecond}))
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"))
}

// TestDefaultHTTPClientHasATimeout: a client made without WithHTTPClient does not hang on a
// server that never answers, even when the caller's context has no deadline.
func TestDefaultHTTPClientHasATimeout(t *testing.T) {
	// Not parallel: SetDefaultHTTPTimeout changes a package variable that every client.New reads.
	defer client.SetDefaultHTTPTimeout(50 * time.Millisecond)()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() })
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne, "a timeout, not %v", err)
	assert.True(t, ne.Timeout())
	assert.Len(t, srv.Requests(), 1)
}

func TestContext_SlowServerAndADeadline(t *testing.T) {
	// Not parallel, nor its subtests: timing. The request must reach the server within the
	// 50ms deadline (one request, and for a create the outcome unknown); a loaded machine can
	// miss that.
	for name, op := range operations {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() })
			c := newClient(t, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := op(c, ctx, testUpgradeID, testRequest())
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Len(t, srv.Requests(), 1, "no retry once the context has ended")
			if name == "CreateUpgrade" {
				assert.ErrorIs(t, err, client.ErrOutcomeUnknown, "the server had the create when the deadline hit")
			} else {
				assert.False(t, errors.Is(err, client.ErrOutcomeUnknown))
			}
		})
	}
}

func TestContext_CancelDuringBackoffStopsAtOnce(t *testing.T) {
	t.Parallel()
	got := make(chan struct{}, 10)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusServiceUnavailable, "", "Retry-After", "50")
		got <- struct{}{}
	})
	c := newClient(t, srv.URL) // real sleep: 50s unless cancellation stops it
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-got
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := c.CheckEligibility(ctx, testRequest())
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Len(t, srv.Requests(), 1)
	case <-time.After(30 * time.Second): // a safety net, far below the 50s wait
		t.Fatal("cancellation did not stop the wait for the next try")
	}
}

func TestContext_AlreadyCancelledSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { accepted(w, "productUpgrades/"+testUpgradeID) })
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.CreateUpgrade(ctx, testRequest())
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, client.ErrOutcomeUnknown))
	assert.Empty(t, srv.Requests())
}

func TestSleepCtx_ReturnsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// An hour-long wait would time the test out if cancellation were ignored.
	assert.ErrorIs(t, client.SleepCtx(ctx, time.Hour), context.Canceled)
	assert.NoError(t, client.SleepCtx(context.Background(), time.Microsecond))
}

func TestRetry_UnreadableRetryAfterFallsBackToBackoff(t *testing.T) {
	t.Parallel()
	for _, ra := range []string{"soon", "-5", "1.5"} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 0 {
				reply(w, http.StatusServiceUnavailable, "", "Retry-After", ra)
				return
			}
			accepted(w, "productUpgrades/"+testUpgradeID)
		})
		c := newClient(t, srv.URL)
		rec := recordSleeps(c)
		_, err := c.CreateUpgrade(context.Background(), testRequest())
		require.NoError(t, err, ra)
		assert.Equal(t, []time.Duration{fastRetry.BaseDelay}, rec.Sleeps(), "Retry-After %q", ra)
	}
}

func TestRetry_BodyCutShortIsRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"customerId":`))
			w.(http.Flusher).Flush()
			dropConnection(t, w)
			return
		}
		reply(w, http.StatusOK, `{"isEligible":true}`)
	})
	c := newClient(t, srv.URL)
	e, err := c.CheckEligibility(context.Background(), testRequest())
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
	assert.Equal(t, testCustomerID, e.CustomerID, "falls back to the request's customer")
	assert.Len(t, srv.Requests(), 2)
}

func TestRetry_CreateEndingInAnAmbiguousAnswerIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		answer    func(t *testing.T, w http.ResponseWriter, n int)
		status    int
		ambiguous bool
	}{
		"504 every time": {func(_ *testing.T, w http.ResponseWriter, n int) { reply(w, http.StatusGatewayTimeout, "") }, 504, true},
		"500 every time": {func(_ *testing.T, w http.ResponseWriter, n int) { reply(w, http.StatusInternalServerError, "") }, 500, true},
		"503 every time": {func(_ *testing.T, w http.ResponseWriter, n int) { reply(w, http.StatusServiceUnavailable, "") }, 503, false},
		"dropped, then 400": {func(t *testing.T, w http.ResponseWriter, n int) {
			if n == 0 {
				dropConnection(t, w)
				return
			}
			reply(w, http.StatusBadRequest, `{"code":800002,"description":"Invalid request input"}`)
		}, 400, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { tc.answer(t, w, n) })
			c := newClient(t, srv.URL)
			recordSleeps(c)
			_, err := c.CreateUpgrade(context.Background(), testRequest())
			ae := asAPIError(t, err)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, tc.ambiguous, errors.Is(err, client.ErrOutcomeUnknown))
			if tc.ambiguous {
				var oe *client.OutcomeUnknownError
				require.True(t, errors.As(err, &oe))
				assert.Equal(t, srv.Requests()[0].Header.Get("MS-RequestId"), oe.RequestID)
			}
		})
	}
}
