package fake

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// The bounds of what chaos draws: kept small, so that a soak of many workflows runs fast.
const (
	chaosMaxRetryAfter = 1                     // seconds: a throttle's Retry-After is 0 or 1
	chaosMaxDelay      = 30 * time.Millisecond // a delay is 1ms to chaosMaxDelay
)

// WithChaos makes the server fail requests at random, reproducibly, so that a test can soak
// an upgrade flow: with probability rate (0 to 1), a request that passed authentication and
// spec validation gets a fault of a kind drawn among the FaultKinds, evenly:
//
//   - FaultThrottle: 429 with Retry-After 0 or 1 second;
//   - FaultServerError: 500 or 503 (no Retry-After), the request has no effect;
//   - FaultDelay: the response is held 1 to 30 milliseconds, then served;
//   - FaultLoseResponse: the request is served (a create creates its upgrade), then the
//     connection closes before the answer.
//
// A client that survives chaos must honour a 1-second Retry-After: with a RetryPolicy whose
// MaxDelay is under a second, the throttled call returns a 429 error instead of waiting.
//
// The draws are reproducible whatever the interleaving of concurrent requests: each one is a
// function of (seed, operation, the request body's customerId, n) only, where n counts the
// requests to that operation for that customer that reached this point (1 for the first),
// those an InjectFault fault took included. It depends neither on the MS-RequestId nor on
// the order in which different customers' requests arrive, so the same seed and the same
// sequence of calls per customer give the same faults, run after run. The server keeps one
// counter per operation and customer.
//
// Faults injected with InjectFault take precedence: a request that takes one gets no chaos.
// ChaosCounts and ChaosFaults tell what chaos did. A rate of 0 turns chaos off. A rate that is
// NaN, negative or over 1 is an error.
func WithChaos(seed int64, rate float64) Option {
	return func(c *config) error {
		if math.IsNaN(rate) || rate < 0 || rate > 1 {
			return fmt.Errorf("fake: WithChaos(%d, %v): rate must be a probability, from 0 to 1", seed, rate)
		}
		c.chaosSeed, c.chaosRate = seed, rate
		return nil
	}
}

// ChaosFault is a fault chaos put on a request; see WithChaos and ChaosFaults.
type ChaosFault struct {
	// Operation is the request's operation (OpCreate, OpEligibility or OpStatus).
	Operation string
	// CustomerID is the customerId of the request body, lowercase.
	CustomerID string
	// N is the rank of the request among the requests to Operation for CustomerID (1 for the
	// first), the rank the draw was made for.
	N int
	// RequestID is the request's MS-RequestId.
	RequestID string
	// Fault is the fault applied: Kind, and the Status, RetryAfter or Delay drawn.
	Fault Fault
}

// ChaosCounts returns how many faults of each kind chaos has applied so far (see WithChaos),
// kinds it never applied left out; nil when the server has no chaos. Faults injected with
// InjectFault are not counted.
func (s *Server) ChaosCounts() map[FaultKind]int {
	if s.chaos == nil {
		return nil
	}
	return s.chaos.countsCopy()
}

// ChaosFaults returns the faults chaos has applied, oldest first: the latest
// DefaultRequestLogLimit of them (or WithRequestLogLimit's), as Requests does. Concurrent
// requests are listed in the order the server handled them; sort by CustomerID, Operation and
// N to compare two runs.
func (s *Server) ChaosFaults() []ChaosFault {
	if s.chaos == nil {
		return nil
	}
	return s.chaos.list()
}

// chaos draws and records the faults of WithChaos. It is safe for concurrent use.
type chaos struct {
	seed int64
	rate float64

	mu     sync.Mutex
	seen   map[chaosKey]int // requests drawn for, per operation and customer
	counts map[FaultKind]int
	limit  int
	ring   []ChaosFault // grows to limit, then wraps
	next   int          // where the next fault goes once the ring is full
}

type chaosKey struct{ op, customer string }

// newChaos returns the chaos of cfg, nil when it has none.
func newChaos(cfg config) *chaos {
	if !(cfg.chaosRate > 0) {
		return nil
	}
	limit := cfg.logLimit
	if limit < 1 {
		limit = DefaultRequestLogLimit
	}
	return &chaos{seed: cfg.chaosSeed, rate: cfg.chaosRate, seen: map[chaosKey]int{},
		counts: map[FaultKind]int{}, limit: limit}
}

// nextDraw counts a request to op with body and draws for it; ok says a fault was drawn.
func (c *chaos) nextDraw(op string, body []byte) (ChaosFault, bool) {
	customer := bodyCustomer(body)
	k := chaosKey{op, customer}
	c.mu.Lock()
	c.seen[k]++
	n := c.seen[k]
	c.mu.Unlock()
	f, ok := chaosDraw(c.seed, c.rate, op, customer, n)
	return ChaosFault{Operation: op, CustomerID: customer, N: n, Fault: f}, ok
}

// record counts and keeps cf, a fault that is being applied.
func (c *chaos) record(cf ChaosFault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[cf.Fault.Kind]++
	if len(c.ring) < c.limit {
		c.ring = append(c.ring, cf)
		return
	}
	c.ring[c.next] = cf
	c.next = (c.next + 1) % c.limit
}

func (c *chaos) countsCopy() map[FaultKind]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[FaultKind]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

func (c *chaos) list() []ChaosFault {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]ChaosFault, 0, len(c.ring))
	out = append(out, c.ring[c.next:]...)
	return append(out, c.ring[:c.next]...)
}

// bodyCustomer returns the body's customerId, lowercase when it is a GUID. All three
// operations' bodies carry one; the spec check has made sure of it.
func bodyCustomer(body []byte) string {
	var b struct {
		CustomerID string `json:"customerId"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	if id, ok := guid.Normalize(b.CustomerID); ok {
		return id
	}
	return b.CustomerID
}

// chaosDraw is the draw for the n-th request to op for customer: a pure function of its
// arguments, read from the SHA-256 of (seed, op, customer, n). The first 8 bytes decide
// whether there is a fault, the next 8 its kind, the next 8 its parameter.
func chaosDraw(seed int64, rate float64, op, customer string, n int) (Fault, bool) {
	h := sha256.New()
	var num [8]byte
	binary.BigEndian.PutUint64(num[:], uint64(seed))
	h.Write(num[:])
	// Lengths first, so that no two (op, customer) pairs hash the same bytes.
	binary.BigEndian.PutUint64(num[:], uint64(len(op)))
	h.Write(num[:])
	h.Write([]byte(op))
	binary.BigEndian.PutUint64(num[:], uint64(len(customer)))
	h.Write(num[:])
	h.Write([]byte(customer))
	binary.BigEndian.PutUint64(num[:], uint64(n))
	h.Write(num[:])
	var sum [sha256.Size]byte
	h.Sum(sum[:0])

	// A uniform float in [0, 1) from 53 bits: below rate with probability rate; never for 0,
	// always for 1.
	if float64(binary.BigEndian.Uint64(sum[0:8])>>11)/(1<<53) >= rate {
		return Fault{}, false
	}
	kind := FaultThrottle + FaultKind(binary.BigEndian.Uint64(sum[8:16])%uint64(FaultLoseResponse))
	param := binary.BigEndian.Uint64(sum[16:24])
	f := Fault{Kind: kind, Operation: op, Count: 1}
	switch kind {
	case FaultThrottle:
		f.RetryAfter = time.Duration(param%(chaosMaxRetryAfter+1)) * time.Second
	case FaultServerError:
		f.Status = http.StatusInternalServerError
		if param%2 == 1 {
			f.Status = http.StatusServiceUnavailable
		}
	case FaultDelay:
		f.Delay = time.Millisecond + time.Duration(param%uint64(chaosMaxDelay-time.Millisecond+1))
	}
	return f, true
}
