package client

import (
	"testing"
	"time"
)

// TestRetryShortcutIsDecide: withRetry returns a response whose status is not retryable
// without asking decide; decide must say the same for every such status: no retry, and
// nothing may have landed.
func TestRetryShortcutIsDecide(t *testing.T) {
	p, err := RetryPolicy{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for code := 100; code < 600; code++ {
		if retryableStatus(code) {
			continue
		}
		d := p.decide(1, tryOutcome{status: code}, time.Now(), 0, 1)
		if d.retry || d.mayHaveLanded {
			t.Errorf("HTTP %d: decide says %+v, the shortcut returns the response", code, d)
		}
	}
}
