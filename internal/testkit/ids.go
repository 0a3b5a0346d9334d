package testkit

import (
	"fmt"
	"sync/atomic"
)

// GUID returns the n-th GUID of the tests' sequence, 00000000-0000-4000-8000-<n in 12 hex
// digits>: a valid version-4 GUID, distinct for each n below 2^48.
func GUID(n uint64) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
}

var lastID atomic.Uint64

// NewID returns a GUID that no earlier call in this test binary returned (GUID(1), GUID(2),
// ...); safe for concurrent use.
func NewID() string {
	return GUID(lastID.Add(1))
}
