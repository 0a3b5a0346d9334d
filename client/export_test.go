package client

import (
	"context"
	"net/http"
	"time"
)

// Test hooks: tests replace sleeping, the time and the jitter, so that Retry-After and poll
// intervals are honoured without real waits.

// SetSleep replaces how the client waits between tries and polls.
func SetSleep(c *Client, f func(ctx context.Context, d time.Duration) error) { c.clock.sleep = f }

// SetNow replaces the client's clock (Retry-After dates, log durations).
func SetNow(c *Client, f func() time.Time) { c.clock.now = f }

// SetJitter replaces the backoff jitter factor, normally in [0.8, 1.2).
func SetJitter(c *Client, f func() float64) { c.clock.jitter = f }

// SleepCtx is the real wait, exported for its own test.
var SleepCtx = sleepCtx

// SetDefaultHTTPTimeout shortens the timeout of clients made without WithHTTPClient and
// returns a function that restores it.
func SetDefaultHTTPTimeout(d time.Duration) (restore func()) {
	old := defaultHTTPTimeout
	defaultHTTPTimeout = d
	return func() { defaultHTTPTimeout = old }
}

// VersionFrom is the build-information reading behind Version.
var VersionFrom = versionFrom

// FallbackVersion is Version when the build information names none.
const FallbackVersion = fallbackVersion

// UserAgentFor is the User-Agent of a version.
var UserAgentFor = userAgent

// HTTPClientOf returns the *http.Client under c's pipeline (its Timeout, its Transport).
func HTTPClientOf(c *Client) *http.Client { return c.hc }
