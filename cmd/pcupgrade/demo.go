package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// demoCustomer is the customer of the demo, the docs' example customer.
const demoCustomer = "4c721420-72ad-4708-a0a7-371a2f7b0969"

// demoToken is what the demo's client sends to the in-process fake; it is never printed
// (the transport shows Authorization as "Bearer <redacted>").
const demoToken = "demo-token-not-a-secret"

const demoUsage = `usage: pcupgrade demo [--interval D] [--polls N]

Runs the whole upgrade workflow with the real client against a fake Partner Center started
in-process on a loopback port: no credentials, no network. Each step prints the HTTP
request and response with the headers that matter (Authorization shown redacted), then
the result: 1. eligibility, 2. create (202 and its Location), 3. wait until Completed.

The create goes through client.EnsureUpgrade, and the fake loses its first 202 (it creates
the upgrade, then closes the connection without answering): the transcript shows the
connection closing, the create resent with the same MS-RequestId, the same upgrade coming
back, and a line saying how it recovered. Exactly one upgrade exists at the end.

flags:
  --interval D   wait between two status checks (default 200ms)
  --polls N      status checks that report InProgress before Completed (default 2)

A duration D is written 200ms, 30s or 1m30s, or as a plain number of seconds.

exit status: 0 the upgrade completed, 1 it did not (or the lost 202 was not recovered from
with exactly one upgrade), 2 usage error, 3 an API call failed, 4 the output could not be
written, 130 interrupted (Ctrl-C)

example:
  pcupgrade demo
  make demo
`

func runDemo(ctx context.Context, args []string, out, errOut *printer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	interval := new(time.Duration)
	durationVar(fs, interval, "interval", 200*time.Millisecond, "wait between status checks")
	polls := fs.Int("polls", 2, "status checks before Completed")
	pos, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, errHelp):
		return show(out, errOut, "demo", demoUsage)
	case err != nil:
		return fail(errOut, exitUsage, "pcupgrade demo: %v (try pcupgrade demo --help)\n", err)
	case len(pos) > 0:
		return fail(errOut, exitUsage, "pcupgrade demo: unexpected argument %q (try pcupgrade demo --help)\n", pos[0])
	case *interval <= 0 || *polls < 0:
		return fail(errOut, exitUsage, "pcupgrade demo: --interval must be positive and --polls not negative (try pcupgrade demo --help)\n")
	}

	srv, err := fake.NewServer(fake.WithPollsUntilComplete(*polls))
	if err != nil {
		return report(ctx, "demo", err, errOut)
	}
	defer srv.Close()
	// The create's first response is lost: the upgrade is created, the 202 never arrives.
	if err := srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}); err != nil {
		return report(ctx, "demo", err, errOut)
	}

	// The steps' lines and the exchanges go through o, which keeps the first write error; the
	// results (printEligibility, ...) are written to out and checked where they are printed.
	o := &demoOutput{p: out}
	f := apiFlags{customer: demoCustomer, family: "Azure", baseURL: srv.URL}
	shown := &showTransport{o: o, next: http.DefaultTransport}
	hc := &http.Client{Transport: shown}
	// The fake answers at once, so the retries need not wait the default half second.
	c, err := newClient(&f, hc, demoToken, out, client.WithRetry(client.RetryPolicy{BaseDelay: demoRetryDelay}))
	if err != nil {
		return report(ctx, "demo", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req := f.request()

	o.printf("pcupgrade demo: a fake Partner Center at %s (in-process, spec-checked, no credentials)\n", srv.URL)
	o.printf("customer %s, product family %s\n", req.CustomerID, req.ProductFamily)

	o.printf("\n== 1. eligibility ==\n")
	e, err := c.CheckEligibility(ctx, req)
	if err != nil {
		return report(ctx, "demo", err, errOut)
	}
	if err := o.failed(); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if err := printEligibility(out, e, false); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if !e.IsEligible {
		return fail(errOut, exitViolation, "pcupgrade demo: the customer is not eligible\n")
	}

	o.printf("\n== 2. create (client.EnsureUpgrade: eligibility again, then the create; the fake will lose its 202) ==\n")
	res, err := c.EnsureUpgrade(ctx, req)
	if err != nil {
		var unknown *client.OutcomeUnknownError
		if errors.As(err, &unknown) && !interrupted(ctx) {
			return fail(errOut, exitAPI, "pcupgrade demo: %s\n", oneLine(err.Error()))
		}
		return report(ctx, "demo", err, errOut)
	}
	if err := o.failed(); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if err := printEnsured(out, res, false); err != nil {
		return writeFailed("demo", err, errOut)
	}
	line, ok := recoveryLine(res, shown.creates(), srv.Upgrades())
	o.printf("%s\n", line)
	if err := o.failed(); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if !ok {
		return fail(errOut, exitViolation, "pcupgrade demo: the lost 202 was not recovered from with exactly one upgrade\n")
	}

	o.printf("\n== 3. wait (a status check every %s) ==\n", *interval)
	s, err := waitForUpgrade(ctx, c, res.UpgradeID, req, *interval, func(s *client.UpgradeStatus) {
		o.printf("status: %s\n", s.Status)
	})
	if err != nil {
		return report(ctx, "demo", err, errOut)
	}
	o.printf("\n== result ==\n")
	if err := o.failed(); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if err := printStatus(out, s, false); err != nil {
		return writeFailed("demo", err, errOut)
	}
	o.printf("final status: %s (%d requests, %d upgrade on the fake)\n", s.Status, len(srv.Requests()), len(srv.Upgrades()))
	if err := o.failed(); err != nil {
		return writeFailed("demo", err, errOut)
	}
	if !s.Succeeded() {
		return exitViolation
	}
	return exitOK
}

// demoRetryDelay is the demo client's RetryPolicy.BaseDelay: the wait before it resends the
// create whose response was lost.
const demoRetryDelay = 50 * time.Millisecond

// recoveryLine says how the demo's create came through the lost 202, from what really
// happened: res (EnsureUpgrade's result), the creates the transport saw and the upgrades on
// the fake. ok is false unless the response was lost, every create carried res.RequestID,
// and the fake holds exactly one upgrade, res's, made by that request.
func recoveryLine(res *client.EnsureResult, creates []demoCreate, ups []fake.Upgrade) (string, bool) {
	lost, sameID := 0, len(creates) > 0
	for _, c := range creates {
		if !c.answered {
			lost++
		}
		sameID = sameID && c.requestID == res.RequestID
	}
	one := len(ups) == 1 && ups[0].ID == res.UpgradeID && ups[0].RequestID == res.RequestID
	exist := fmt.Sprintf("%d upgrades exist", len(ups))
	if len(ups) == 1 {
		exist = "1 upgrade exists"
	}
	if lost == 0 || len(creates) < 2 || !sameID || !one {
		return fmt.Sprintf("NOT recovered: %d creates, %d of them without a response, same MS-RequestId: %v; %s (want 1, upgrade %s, request id %s)",
			len(creates), lost, sameID, exist, res.UpgradeID, res.RequestID), false
	}
	who := "the client's retry resent it"
	switch {
	case res.Resends > 0:
		who = fmt.Sprintf("EnsureUpgrade resent it %d time(s)", res.Resends)
	case res.Recovered:
		who = "EnsureUpgrade reconciled (eligibility named the upgrade) and resent it"
	}
	return fmt.Sprintf("recovered: the 202 was lost (%d of %d creates got no response); %s with the same MS-RequestId %s; Partner Center returned the same upgrade %s; %s",
		lost, len(creates), who, res.RequestID, res.UpgradeID, exist), true
}

// The headers the demo shows, in this order; the others are left out as noise.
var (
	shownRequestHeaders  = []string{"Authorization", "Content-Type", "MS-RequestId", "MS-CorrelationId", "MS-PartnerCenter-Application"}
	shownResponseHeaders = []string{"Location", "Content-Type", "Retry-After", "MS-RequestId", "MS-CorrelationId", "MS-CV", "MS-ServerId"}
)

// demoOutput prints the demo's own lines on p until one cannot be written; from then on it
// prints nothing and keeps that first error, which the demo checks between its steps and
// turns into exitOutput. It is safe for concurrent use.
type demoOutput struct {
	p   *printer
	mu  sync.Mutex
	err error
}

func (o *demoOutput) printf(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = o.p.printf(format, args...)
	}
}

func (o *demoOutput) write(text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = o.p.write(text)
	}
}

// failed returns the first write error, nil while everything was written.
func (o *demoOutput) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// showTransport prints each request and response: the request line, the headers that
// matter and the body, each value cleaned by the printer (one line each, no escapes, no
// token). Authorization is always printed as "Bearer <redacted>".
type showTransport struct {
	o    *demoOutput
	next http.RoundTripper

	mu   sync.Mutex
	seen []demoCreate
}

// demoCreate is a create the transport sent: its MS-RequestId, and whether a response came.
type demoCreate struct {
	requestID string
	answered  bool
}

// creates returns the creates sent so far, in order.
func (t *showTransport) creates() []demoCreate {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]demoCreate(nil), t.seen...)
}

// noteCreate records req when it is a create (POST /v1/productupgrades).
func (t *showTransport) noteCreate(req *http.Request, answered bool) {
	if req.Method != http.MethodPost || !strings.EqualFold(strings.TrimSuffix(req.URL.Path, "/"), "/v1/productupgrades") {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen = append(t.seen, demoCreate{requestID: req.Header.Get("MS-RequestId"), answered: answered})
}

func (t *showTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	line := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = t.o.p.clean(s)
			}
		}
		fmt.Fprintf(&b, format, args...)
	}
	line("> %s %s\n", req.Method, req.URL.RequestURI())
	for _, name := range shownRequestHeaders {
		v := req.Header.Get(name)
		if v == "" {
			continue
		}
		if name == "Authorization" {
			v = secrets.RedactAuthorization(v)
		}
		line("> %s: %s\n", name, v)
	}
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(body, 4096))
			_ = body.Close()
			if len(data) > 0 {
				line("> %s\n", string(bytes.TrimSpace(data)))
			}
		}
	}
	resp, err := t.next.RoundTrip(req)
	t.noteCreate(req, err == nil)
	if err != nil {
		why := err.Error()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			why = "the connection closed before the response came: " + why
		}
		line("< (no response: %s)\n", why)
		t.o.write(t.o.p.s.scrub(b.String()))
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, client.MaxResponseBytes+1))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	line("< %s\n", resp.Status)
	for _, name := range shownResponseHeaders {
		if v := resp.Header.Get(name); v != "" {
			line("< %s: %s\n", name, v)
		}
	}
	if len(data) > 0 {
		line("< %s\n", string(bytes.TrimSpace(data)))
	}
	t.o.write(t.o.p.s.scrub(b.String()))
	return resp, nil
}
