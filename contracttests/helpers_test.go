package contracttests

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

var exchangesDir = filepath.Join("testdata", "exchanges")

// flaggedDir holds exchanges whose response the spec rejects on purpose (each sidecar lists
// the violations in expect.violations): kept apart so that `pcupgrade verify` passes on
// exchangesDir.
var flaggedDir = filepath.Join("testdata", "flagged")

var checker = testkit.NewOnce(func() (*SpecChecker, error) { return NewSpecChecker(context.Background()) })

// specChecker returns a checker for the embedded spec, loaded once per test binary; a spec
// that does not load and validate fails t.
func specChecker(t testing.TB) *SpecChecker {
	t.Helper()
	return checker.Get(t)
}

// loadExchanges reads every fixture; a fixture that does not parse fails the test.
func loadExchanges(t testing.TB) []*Exchange {
	t.Helper()
	exs, err := LoadDir(exchangesDir)
	require.NoError(t, err)
	return exs
}

// loadFlagged reads every fixture of flaggedDir.
func loadFlagged(t testing.TB) []*Exchange {
	t.Helper()
	exs, err := LoadDir(flaggedDir)
	require.NoError(t, err)
	return exs
}

// The helpers below render parts of a message as package spec's violations do; the replays
// build their own violations with them.

// responseKey is the key of the operation's responses that describes status.
func responseKey(r *routers.Route, status int) string {
	if r.Operation.Responses.Value(strconv.Itoa(status)) != nil {
		return strconv.Itoa(status)
	}
	return "default"
}

// redactedAuthorization describes the Authorization header without its credentials, as
// package spec's violations do.
func redactedAuthorization(h http.Header) string {
	v := h.Values("Authorization")
	if len(v) == 0 {
		return "no Authorization header"
	}
	return excerpt.Quote(secrets.RedactAuthorization(v[0]))
}

// mediaTypeOf is the media type of h's Content-Type, lower-case; application/json when none.
func mediaTypeOf(h http.Header) string {
	mt, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" {
		return "application/json"
	}
	return mt
}

// errText is err's message, bounded in length ("" for nil).
func errText(err error) string {
	if err == nil {
		return ""
	}
	return excerpt.Cut(err.Error(), 200)
}
