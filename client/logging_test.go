package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

// syncBuffer is a bytes.Buffer safe for the logger's writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogging_OneLinePerTryWithoutSecretsOrBodies(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusServiceUnavailable, `{"code":800003,"description":"secret-ish body text"}`)
			return
		}
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, client.WithLogger(logger))
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, "one line per try:\n%s", out)
	reqs := srv.Requests()
	for i, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		assert.Equal(t, "POST", rec["method"])
		assert.Equal(t, "/v1/productupgrades", rec["path"])
		assert.Equal(t, float64(i+1), rec["attempt"])
		assert.Equal(t, reqs[i].Header.Get("MS-RequestId"), rec["request_id"])
		assert.Equal(t, reqs[i].Header.Get("MS-CorrelationId"), rec["correlation_id"])
		assert.Contains(t, rec, "duration")
		assert.Equal(t, float64([]int{503, 202}[i]), rec["status"])
	}
	assert.Contains(t, lines[0], `"level":"WARN"`)
	assert.Contains(t, lines[1], `"level":"INFO"`)
	assert.NotContains(t, out, testToken)
	assert.NotContains(t, out, "Bearer")
	assert.NotContains(t, out, "secret-ish body text")
	assert.NotContains(t, out, testCustomerID, "the request body is not logged")
}

func TestLogging_TransportErrorsAreLogged(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { dropConnection(t, w) })
	var buf syncBuffer
	c := newClient(t, srv.URL, client.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))),
		client.WithRetry(client.RetryPolicy{MaxRetries: 1, BaseDelay: 1}))
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	out := buf.String()
	assert.Equal(t, 2, strings.Count(out, "productupgrades: http try"), out)
	assert.Contains(t, out, "status=0")
	assert.Contains(t, out, "error=")
	assert.NotContains(t, out, testToken)
}
