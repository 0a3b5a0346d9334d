package contracttests

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var exchangesDir = filepath.Join("testdata", "exchanges")

// flaggedDir holds exchanges whose response the spec rejects on purpose (each sidecar lists
// the violations in expect.violations): kept apart so that `pcupgrade verify` passes on
// exchangesDir.
var flaggedDir = filepath.Join("testdata", "flagged")

var (
	checkerOnce sync.Once
	checker     *SpecChecker
	checkerErr  error
)

// specChecker returns a checker for the embedded spec, loaded once per test binary.
func specChecker(t testing.TB) *SpecChecker {
	t.Helper()
	checkerOnce.Do(func() { checker, checkerErr = NewSpecChecker(context.Background()) })
	require.NoError(t, checkerErr, "the embedded spec must load and validate")
	return checker
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
