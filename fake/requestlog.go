package fake

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
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
//
// A fake holds one entry per request, so entries are compact: each is one string of its own,
// exactly sized, holding the method, path, headers and body (see logEntry), and the strings
// that repeat from request to request (header names, most header values, the paths without
// an id) are kept once, in an intern table, and referred to by number. Requests are made
// back into Request values only when Requests asks.
type requestLog struct {
	mu    sync.Mutex
	limit int
	ring  []logEntry // grows to limit, then wraps
	next  int        // where the next request goes once the ring is full

	strs  []string          // the intern table; a token refers to strs[i]
	index map[string]uint32 // strs by value
	buf   []byte            // scratch for encoding an entry
}

// logEntry is one request kept. data holds, in order: the method and path (tokens), the
// number of header keys (uvarint), for each the name (token), the number of values plus one
// (uvarint, 0 for a nil slice) and the values (tokens), then the body to the end. A token
// is a uvarint t whose low two bits say what it is: tokInterned, the string is strs[t>>2];
// tokLiteral, t>>2 bytes of the string follow; tokGUID, the string is a GUID in lowercase
// 8-4-4-4-12 form (an MS-RequestId, say) whose 16 bytes follow.
type logEntry struct {
	data      string
	status    int16 // HTTP statuses are 3 digits
	op        uint16
	truncated bool
}

// The kinds of token (see logEntry).
const (
	tokLiteral  = 0
	tokInterned = 1
	tokGUID     = 2
)

// maxInterned bounds the intern table, and maxInternedLen the strings it keeps, so that it
// stays small whatever clients send: past the bound, strings are kept in their entry.
const (
	maxInterned    = 1024
	maxInternedLen = 128
)

// maxScratch bounds the encoding buffer the log keeps between requests.
const maxScratch = 16 << 10

func newRequestLog(limit int) *requestLog {
	if limit < 1 {
		limit = DefaultRequestLogLimit
	}
	// strs[0] is "", so that op 0 means no operation.
	return &requestLog{limit: limit, strs: []string{""}, index: map[string]uint32{"": 0}}
}

// add keeps a request, dropping the oldest when the log is full: its method, path, header
// (copied, credentials redacted), the start of body (at most MaxLoggedBody bytes), whether
// it was cut (truncated, or body is longer than MaxLoggedBody), its operation and status.
func (l *requestLog) add(method, path string, header http.Header, body []byte, truncated bool, op string, status int) {
	if len(body) > MaxLoggedBody {
		body, truncated = body[:MaxLoggedBody], true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	b = l.appendToken(b, method)
	b = l.appendToken(b, path)
	b = binary.AppendUvarint(b, uint64(len(header)))
	for name, values := range header {
		b = l.appendToken(b, name)
		if values == nil {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(values))+1)
		redact := strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")
		for _, v := range values {
			if redact {
				v = secrets.RedactAuthorization(v)
			}
			b = l.appendToken(b, v)
		}
	}
	b = append(b, body...)
	if cap(b) <= maxScratch {
		l.buf = b // kept for the next entry, unless one huge request made it big
	}
	e := logEntry{data: string(b), status: int16(status), op: uint16(l.intern(op, true)), truncated: truncated}
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, e)
		return
	}
	l.ring[l.next] = e
	l.next = (l.next + 1) % l.limit
}

// intern returns the number of s in the intern table, adding it when there is room (always
// when force is set: the operation names, a handful the spec defines), or -1.
func (l *requestLog) intern(s string, force bool) int {
	if i, ok := l.index[s]; ok {
		return int(i)
	}
	if !force && (len(l.strs) >= maxInterned || len(s) > maxInternedLen || looksUnique(s)) {
		return -1
	}
	s = strings.Clone(s) // not a part of the request's memory
	l.index[s] = uint32(len(l.strs))
	l.strs = append(l.strs, s)
	return len(l.strs) - 1
}

// looksUnique says s holds a GUID-like run (an id, a path with an id), which is not worth
// interning: it seldom comes again.
func looksUnique(s string) bool {
	return len(s) >= 32 && strings.Count(s, "-") >= 4
}

// appendToken appends s as a token (see logEntry).
func (l *requestLog) appendToken(b []byte, s string) []byte {
	if i := l.intern(s, false); i >= 0 {
		return binary.AppendUvarint(b, uint64(i)<<2|tokInterned)
	}
	if g, ok := lowerGUID(s); ok {
		return append(append(b, tokGUID), g[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<2|tokLiteral)
	return append(b, s...)
}

// list returns the requests kept, oldest first.
func (l *requestLog) list() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.ring))
	for _, e := range l.ring[l.next:] {
		out = append(out, l.decode(e))
	}
	for _, e := range l.ring[:l.next] {
		out = append(out, l.decode(e))
	}
	return out
}

// decode makes e back into a Request. The caller holds l.mu.
func (l *requestLog) decode(e logEntry) Request {
	d := entryReader{data: e.data, strs: l.strs}
	r := Request{Operation: l.strs[e.op], Method: d.token(), Path: d.token(), BodyTruncated: e.truncated, Status: int(e.status)}
	n := d.uvarint()
	r.Header = make(http.Header, n)
	for range n {
		name := d.token()
		count := d.uvarint()
		if count == 0 {
			r.Header[name] = nil
			continue
		}
		values := make([]string, count-1)
		for i := range values {
			values[i] = d.token()
		}
		r.Header[name] = values
	}
	if rest := d.data[d.pos:]; rest != "" {
		r.Body = []byte(rest)
	}
	return r
}

// entryReader reads a logEntry's data; the data is the log's own, so it is well formed.
type entryReader struct {
	data string
	pos  int
	strs []string
}

func (d *entryReader) uvarint() uint64 {
	var v uint64
	for shift := 0; d.pos < len(d.data); shift += 7 {
		c := d.data[d.pos]
		d.pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	return v
}

func (d *entryReader) token() string {
	t := d.uvarint()
	switch t & 3 {
	case tokInterned:
		return d.strs[t>>2]
	case tokGUID:
		g := d.data[d.pos : d.pos+16]
		d.pos += 16
		return formatGUID(g)
	}
	n := int(t >> 2)
	s := d.data[d.pos : d.pos+n]
	d.pos += n
	return s
}

// lowerGUID returns the 16 bytes of s when s is a GUID in lowercase 8-4-4-4-12 form, the
// only form that formatGUID gives back exactly.
func lowerGUID(s string) ([16]byte, bool) {
	var g [16]byte
	if len(s) != 36 {
		return g, false
	}
	j := 0 // nibbles read
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return g, false
			}
			continue
		}
		v, ok := lowerHex(s[i])
		if !ok {
			return g, false
		}
		g[j/2] |= v << (4 * (1 - j%2))
		j++
	}
	return g, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// formatGUID writes 16 bytes in lowercase 8-4-4-4-12 form.
func formatGUID(g string) string {
	const digits = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i := 0; i < 16; i++ {
		if j == 8 || j == 13 || j == 18 || j == 23 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = digits[g[i]>>4], digits[g[i]&0xf]
		j += 2
	}
	return string(out[:])
}
