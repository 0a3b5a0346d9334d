package fake

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// DefaultRequestLogLimit is how many requests Requests keeps, the latest, unless
// WithRequestLogLimit says otherwise.
const DefaultRequestLogLimit = 10000

// MaxLoggedBody is how many bytes of a request body Requests keeps; a longer body is cut
// there and marked BodyTruncated. The API's bodies are under 200 bytes.
const MaxLoggedBody = 4 << 10

// WithRequestLogLimit sets how many requests Requests keeps: the latest n, older ones are
// dropped. It bounds the memory a long-running fake holds (at most n times MaxLoggedBody of
// bodies, plus headers). n must be at least 1. Default DefaultRequestLogLimit.
func WithRequestLogLimit(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("fake: WithRequestLogLimit(%d): must be at least 1", n)
		}
		c.logLimit = n
		return nil
	}
}

// Request is one request the server received, as Requests returns it.
type Request struct {
	// Operation is the spec's operationId (OpCreate, ...), empty when the path is not one of
	// the spec's.
	Operation string
	// Method and Path are the request line's.
	Method, Path string
	// Header is a copy of the request headers; Authorization keeps its scheme when it is a
	// known one, in its usual spelling ("Bearer <redacted>"), and is "<redacted>" otherwise
	// (see secrets.RedactAuthorization).
	Header http.Header
	// Body is the start of the request body, at most MaxLoggedBody bytes.
	Body []byte
	// BodyTruncated says the body was longer than Body (or longer than the fake reads).
	BodyTruncated bool
	// Status is the status answered, 0 when no response was sent: lost on purpose
	// (FaultLoseResponse), or cut short by Close or by the client going away.
	Status int
}

// requestLog keeps the last limit requests in a ring. It is safe for concurrent use.
type requestLog struct {
	mu    sync.Mutex
	limit int
	ring  []Request // grows to limit, then wraps
	next  int       // where the next request goes once the ring is full
}

func newRequestLog(limit int) *requestLog {
	if limit < 1 {
		limit = DefaultRequestLogLimit
	}
	return &requestLog{limit: limit}
}

// add keeps r, dropping the oldest request when the log is full.
func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, r)
		return
	}
	l.ring[l.next] = r
	l.next = (l.next + 1) % l.limit
}

// list returns the requests kept, oldest first.
func (l *requestLog) list() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// loggedBody returns the part of body the log keeps, in a slice of its own (so that the
// request's buffer is not held), and whether it was cut.
func loggedBody(body []byte) ([]byte, bool) {
	if len(body) <= MaxLoggedBody {
		return append([]byte(nil), body...), false
	}
	return append([]byte(nil), body[:MaxLoggedBody]...), true
}

// redactedHeader copies h with the Authorization and Proxy-Authorization credentials removed
// by secrets.RedactAuthorization: "Bearer <redacted>" for a known scheme (in its usual
// spelling), "<redacted>" for anything else (a value without a known scheme may be all
// credential).
func redactedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for i, a := range out.Values(name) {
			out[name][i] = secrets.RedactAuthorization(a)
		}
	}
	return out
}
