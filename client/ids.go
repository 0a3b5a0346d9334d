package client

import (
	"context"
	"fmt"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// GUIDs (the spec's 8-4-4-4-12 form, checked before anything is sent; new random ids) come
// from internal/guid, the module's one implementation.

// newGUID returns a random (version 4) GUID for a request or correlation id; the error is
// the random source's, which Go's crypto/rand never returns.
func newGUID() (gen.Guid, error) {
	g, err := guid.New()
	if err != nil {
		return g, fmt.Errorf("productupgrades: %w", err)
	}
	return g, nil
}

type correlationKey struct{}

// WithCorrelationID returns a copy of ctx that makes every call made with it send id as its
// MS-CorrelationId header, so that one business operation can be traced across several calls
// (for example CreateUpgrade, then WaitForUpgrade). Without it each call sends a new one, as
// the docs ask. The id must be a GUID; a call made with an invalid one fails before anything is
// sent.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// correlationID returns the MS-CorrelationId for a call: the caller's, or a new one.
func correlationID(ctx context.Context) (gen.Guid, error) {
	id, ok := ctx.Value(correlationKey{}).(string)
	if !ok {
		return newGUID()
	}
	g, ok := guid.Parse(id)
	if !ok {
		return g, invalidInput("correlation id (WithCorrelationID)", id, "must be a GUID in 8-4-4-4-12 form")
	}
	return g, nil
}
