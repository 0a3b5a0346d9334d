package fake

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/partnercenter-go/productupgrades/gen"
)

// FaultKind is a way for a request to fail; see Fault.
type FaultKind int

const (
	// FaultThrottle answers 429 Too Many Requests with Retry-After (Fault.RetryAfter, whole
	// seconds, "0" when zero) and the gateway's {statusCode, message} body. The request has
	// no effect.
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers Fault.Status (500, the default, or 503; a 503 carries
	// Retry-After when Fault.RetryAfter is set) with the documented error body, code 800003.
	// The request has no effect.
	FaultServerError
	// FaultDelay holds the response for Fault.Delay, then serves the request normally.
	FaultDelay
	// FaultLoseResponse serves the request (a create creates its upgrade) and then closes the
	// connection before sending the response: the client sees a transport error.
	FaultLoseResponse
)

// String names the kind.
func (k FaultKind) String() string {
	switch k {
	case FaultThrottle:
		return "throttle"
	case FaultServerError:
		return "server-error"
	case FaultDelay:
		return "delay"
	case FaultLoseResponse:
		return "lose-response"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault describes how the next requests to an operation fail; see InjectFault. Faults hit
// requests that passed authentication and spec validation.
type Fault struct {
	// Kind is the way the requests fail.
	Kind FaultKind
	// Operation is OpCreate, OpEligibility or OpStatus; empty means any operation.
	Operation string
	// Count is how many requests the fault hits; zero means one.
	Count int
	// Status is the status of FaultServerError: 500 (default) or 503.
	Status int
	// RetryAfter is the Retry-After of FaultThrottle and of a 503, in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Delay is how long FaultDelay holds the response.
	Delay time.Duration
}

type pendingFault struct {
	f    Fault
	left int
}

// InjectFault makes the next f.Count requests to f.Operation fail as f says. Faults are used
// in the order they were injected; a request takes at most one, and takes it in preference to
// a WithChaos fault. A fault that does not make sense (an unknown kind or operation, a
// negative count or duration, a status other than 500 or 503) is an error.
func (s *Server) InjectFault(f Fault) error {
	switch f.Operation {
	case "", OpCreate, OpEligibility, OpStatus:
	default:
		return fmt.Errorf("fake: InjectFault: unknown operation %q (want OpCreate, OpEligibility, OpStatus or empty)", f.Operation)
	}
	switch {
	case f.Kind < FaultThrottle || f.Kind > FaultLoseResponse:
		return fmt.Errorf("fake: InjectFault: unknown kind %d", int(f.Kind))
	case f.Count < 0:
		return fmt.Errorf("fake: InjectFault: negative count %d", f.Count)
	case f.RetryAfter < 0 || f.Delay < 0:
		return errors.New("fake: InjectFault: negative duration")
	case f.Kind == FaultServerError && f.Status != 0 && f.Status != http.StatusInternalServerError && f.Status != http.StatusServiceUnavailable:
		return fmt.Errorf("fake: InjectFault: status %d: want 500 or 503, the 5xx statuses the spec declares", f.Status)
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Kind == FaultServerError && f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	s.faults = append(s.faults, &pendingFault{f: f, left: f.Count})
	s.mu.Unlock()
	return nil
}

// takeFault returns the fault for a request to op with body that passed authentication and
// validation: the first pending InjectFault fault for op, used up once, else chaos's draw (see
// WithChaos), if any.
func (s *Server) takeFault(r *http.Request, op string, body []byte) (Fault, bool) {
	var (
		cf      ChaosFault
		chaotic bool
	)
	if s.chaos != nil {
		// Drawn (and counted) even when an injected fault wins, so that n stays the rank of
		// the request among the customer's requests to op.
		cf, chaotic = s.chaos.nextDraw(op, body)
	}
	s.mu.Lock()
	for i, p := range s.faults {
		if p.f.Operation != "" && p.f.Operation != op {
			continue
		}
		p.left--
		if p.left <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		s.mu.Unlock()
		return p.f, true
	}
	s.mu.Unlock()
	if !chaotic {
		return Fault{}, false
	}
	cf.RequestID = r.Header.Get("MS-RequestId")
	s.chaos.record(cf)
	return cf.Fault, true
}

// applyFault does what f does before the request is served: a throttle or a server error
// answers in its place, a delay holds it. It reports whether the request is done. serve
// applies FaultLoseResponse itself, since the request must be served first.
func (s *Server) applyFault(rw *responseWriter, r *http.Request, f Fault) bool {
	switch f.Kind {
	case FaultThrottle:
		secs := ceilSeconds(f.RetryAfter)
		rw.Header().Set("Retry-After", fmt.Sprint(secs))
		var tb gen.ThrottledBody
		_ = tb.FromThrottlingError(gen.ThrottlingError{StatusCode: http.StatusTooManyRequests,
			Message: fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs)})
		writeJSON(rw, http.StatusTooManyRequests, tb)
		return true
	case FaultServerError:
		desc := "Unexpected service error"
		if f.Status == http.StatusServiceUnavailable {
			desc = "Service unavailable"
			if f.RetryAfter > 0 {
				rw.Header().Set("Retry-After", fmt.Sprint(ceilSeconds(f.RetryAfter)))
			}
		}
		writeError(rw, f.Status, CodeUnexpectedError, desc)
		return true
	case FaultDelay:
		if !s.sleep(r.Context(), f.Delay) {
			rw.abort()
			return true
		}
	}
	return false
}

func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
