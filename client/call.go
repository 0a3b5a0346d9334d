package client

import (
	"context"

	"github.com/partnercenter-go/productupgrades/gen"
)

// call is the state of one logical call, shared by its tries through the context. Only the
// goroutine making the call touches it.
type call struct {
	op        string
	rid, cid  gen.Guid // MS-RequestId and MS-CorrelationId of every try
	try       int      // the try in progress, 1-based
	token     string   // the last access token sent, to keep it out of errors
	rd        *redactor
	maybeSent bool // a try may have taken effect: no answer, or a 500, 502 or 504
}

// redactor returns the redactor of the last token sent (nil before any).
func (c *call) redactor() *redactor {
	if c == nil || c.token == "" {
		return nil
	}
	if c.rd == nil || c.rd.token != c.token {
		c.rd = newRedactor(c.token)
	}
	return c.rd
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}
