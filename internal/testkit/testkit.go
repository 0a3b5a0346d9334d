// Package testkit holds the helpers that the module's tests share: the embedded spec's
// validator loaded once per test binary, an http.RoundTripper that checks every response
// against the spec, a sequence of distinct GUIDs, a bounded context, and the secret scans
// (credentials that internal/secrets recognises, and a live token in each form it may be
// echoed in).
//
// Only _test.go files import it (internal/layering enforces that), and it imports neither
// package client nor net/http/httptest, so that the tests of every layer can use it without
// linking what they test against the layers above.
package testkit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/partnercenter-go/productupgrades/spec"
)

// Once loads a value the first time a test asks for it and hands the same value (or the same
// error) to every later test of the binary: for what is costly to build and never changed by
// the tests, such as a parsed spec.
type Once[T any] struct {
	load func() (T, error)
	once sync.Once
	v    T
	err  error
}

// NewOnce returns a Once that loads its value with load.
func NewOnce[T any](load func() (T, error)) *Once[T] {
	return &Once[T]{load: load}
}

// Get returns the value, loading it on the first call; a load that failed fails t (at every
// call, not only the first).
func (o *Once[T]) Get(t testing.TB) T {
	t.Helper()
	o.once.Do(func() { o.v, o.err = o.load() })
	if o.err != nil {
		t.Fatalf("testkit: loading failed: %v", o.err)
	}
	return o.v
}

var validator = NewOnce(func() (*spec.Validator, error) { return spec.NewValidator(context.Background()) })

// Validator returns a validator of the embedded spec, loaded once per test binary; a spec that
// does not load fails t. Tests must not change it.
func Validator(t testing.TB) *spec.Validator {
	t.Helper()
	return validator.Get(t)
}

// Context returns a context that ends after d, or when t ends: a bound on a call that would
// otherwise never return when the code under test misbehaves.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
