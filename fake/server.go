package fake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/spec"
)

// Server is a running fake Partner Center on a loopback address. Make one with NewServer or
// Start, point a client at URL, and Close it when done. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:port, to be given to
	// client.WithBaseURL.
	URL string

	validator *spec.Validator
	validate  bool
	latency   time.Duration
	api       http.Handler
	svc       *service
	httpSrv   *http.Server
	done      chan struct{}
	stopOnce  sync.Once
	log       *requestLog

	// handlers counts the requests being served, so that Close can wait for them, as
	// httptest.Server does; once closing is set no handler starts.
	handlers sync.WaitGroup

	mu      sync.Mutex
	closing bool
	faults  []*pendingFault

	chaos *chaos // nil without WithChaos
}

// Option configures a Server; see NewServer.
type Option func(*config) error

type config struct {
	polls      int
	failures   map[string]failure
	ineligible map[string]string
	latency    time.Duration
	logLimit   int
	noValidate bool // benchmarks only: the same handler without spec validation
	chaosSeed  int64
	chaosRate  float64 // 0: no chaos
}

type failure struct{ code, message string }

// DefaultPollsUntilComplete is how many status checks report InProgress before the one that
// reports the end of an upgrade, unless WithPollsUntilComplete says otherwise.
const DefaultPollsUntilComplete = 2

// WithPollsUntilComplete sets how many status checks of an upgrade report InProgress; the
// next one reports Completed (or Failed, see WithFailure). Zero makes the first check report
// the end. Default DefaultPollsUntilComplete.
func WithPollsUntilComplete(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("fake: WithPollsUntilComplete(%d): must not be negative", n)
		}
		c.polls = n
		return nil
	}
}

// WithFailure scripts the upgrades of customerID (a GUID) to end in status Failed, with
// errorDetails {code, message} on the upgrade and its line item, instead of Completed.
func WithFailure(customerID, code, message string) Option {
	return func(c *config) error {
		id, err := parseGUID(customerID)
		if err != nil {
			return fmt.Errorf("fake: WithFailure: customer id: %w", err)
		}
		if strings.TrimSpace(code) == "" {
			return errors.New("fake: WithFailure: code must not be empty")
		}
		c.failures[id.String()] = failure{code: code, message: message}
		return nil
	}
}

// WithIneligible makes customerID (a GUID) ineligible for every upgrade: eligibility answers
// isEligible false with reason, and a create is 403 (900120).
func WithIneligible(customerID, reason string) Option {
	return func(c *config) error {
		id, err := parseGUID(customerID)
		if err != nil {
			return fmt.Errorf("fake: WithIneligible: customer id: %w", err)
		}
		if strings.TrimSpace(reason) == "" {
			return errors.New("fake: WithIneligible: reason must not be empty")
		}
		c.ineligible[id.String()] = reason
		return nil
	}
}

// WithLatency delays every response by d (not counting the work), to make timeouts and slow
// paths testable. The wait ends early when the client goes away or the server closes.
func WithLatency(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("fake: WithLatency(%s): must not be negative", d)
		}
		c.latency = d
		return nil
	}
}

// NewServer starts a fake Partner Center on 127.0.0.1 and returns it; Close stops it. An
// invalid option, or a failure to listen, is an error.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{},
		logLimit: DefaultRequestLogLimit}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s, err := newHandler(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake: listen on loopback: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return s, nil
}

// newHandler builds the server's handler without listening (benchmarks serve it directly).
func newHandler(cfg config) (*Server, error) {
	validator, err := spec.NewValidator(context.Background())
	if err != nil {
		return nil, fmt.Errorf("fake: load the spec: %w", err)
	}
	svc := newService(cfg)
	s := &Server{
		validator: validator,
		validate:  !cfg.noValidate,
		latency:   cfg.latency,
		svc:       svc,
		done:      make(chan struct{}),
		log:       newRequestLog(cfg.logLimit),
		chaos:     newChaos(cfg),
	}
	strict := gen.NewStrictHandlerWithOptions(svc, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: badRequest, ResponseErrorHandlerFunc: serviceError,
	})
	s.api = gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{ErrorHandlerFunc: badRequest})
	return s, nil
}

// TB is the part of testing.TB that Start uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start is NewServer for tests: it fails t when the server cannot start, and closes the
// server when the test ends.
func Start(t TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server: it stops accepting requests, closes its connections, ends delays
// in progress, and waits for the requests being served to finish, like httptest.Server's
// Close, so that Requests and Upgrades are final when it returns. A request cut short by
// Close gets no response at all (its connection closes), never a 200 with an empty body.
// It may be called more than once.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		close(s.done)
		if s.httpSrv != nil {
			_ = s.httpSrv.Close()
		}
	})
	s.handlers.Wait()
}

// Requests returns the requests received, oldest first: the latest DefaultRequestLogLimit
// (see WithRequestLogLimit), each body cut at MaxLoggedBody bytes.
func (s *Server) Requests() []Request { return s.log.list() }

// Upgrades returns the upgrades the server holds, oldest first.
func (s *Server) Upgrades() []Upgrade { return s.svc.list() }
