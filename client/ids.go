package client

import (
	"context"
	"crypto/rand"

	"github.com/partnercenter-go/productupgrades/gen"
)

// isGUID reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form, the only form the
// spec's Guid schema accepts. uuid.Parse is laxer (braces, urn:uuid:, no dashes), so the
// client checks the shape itself before anything is sent.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if hexVal(s[i]) < 0 {
				return false
			}
		}
	}
	return true
}

// hexDigits maps a byte to its hexadecimal value, or -1.
var hexDigits = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i, c := range "0123456789abcdef" {
		t[c] = int8(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = int8(10 + i)
	}
	return t
}()

func hexVal(c byte) int { return int(hexDigits[c]) }

// parseGUID decodes a GUID checked by isGUID.
func parseGUID(s string) (gen.Guid, bool) {
	var g gen.Guid
	if !isGUID(s) {
		return g, false
	}
	j := 0
	for i := 0; i < len(s); {
		if s[i] == '-' {
			i++
			continue
		}
		g[j] = byte(hexVal(s[i])<<4 | hexVal(s[i+1]))
		j++
		i += 2
	}
	return g, true
}

// newGUID returns a random (version 4) GUID.
func newGUID() gen.Guid {
	var g gen.Guid
	_, _ = rand.Read(g[:]) // crypto/rand.Read never fails (Go 1.24+).
	g[6] = g[6]&0x0f | 0x40
	g[8] = g[8]&0x3f | 0x80
	return g
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
		return newGUID(), nil
	}
	g, ok := parseGUID(id)
	if !ok {
		return g, invalidInput("correlation id (WithCorrelationID)", id, "must be a GUID in 8-4-4-4-12 form")
	}
	return g, nil
}
