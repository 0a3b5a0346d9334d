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

flags:
  --interval D   wait between two status checks (default 200ms)
  --polls N      status checks that report InProgress before Completed (default 2)

exit status: 0 the upgrade completed, 1 it did not, 2 usage error, 3 an API call failed

example:
  pcupgrade demo
  make demo
`

func runDemo(ctx context.Context, args []string, out, errOut *printer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	interval := fs.Duration("interval", 200*time.Millisecond, "wait between status checks")
	polls := fs.Int("polls", 2, "status checks before Completed")
	pos, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(out, demoUsage)
		return exitOK
	case err != nil:
		errOut.printf("pcupgrade demo: %v (try pcupgrade demo --help)\n", err)
		return exitUsage
	case len(pos) > 0:
		errOut.printf("pcupgrade demo: unexpected argument %q (try pcupgrade demo --help)\n", pos[0])
		return exitUsage
	case *interval <= 0 || *polls < 0:
		errOut.println("pcupgrade demo: --interval must be positive and --polls not negative (try pcupgrade demo --help)")
		return exitUsage
	}

	srv, err := fake.NewServer(fake.WithPollsUntilComplete(*polls))
	if err != nil {
		return report("demo", err, errOut)
	}
	defer srv.Close()

	f := apiFlags{customer: demoCustomer, family: "Azure", baseURL: srv.URL}
	hc := &http.Client{Transport: &showTransport{p: out, next: http.DefaultTransport}}
	c, err := newClient(&f, hc, demoToken, out)
	if err != nil {
		return report("demo", err, errOut)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req := f.request()

	out.printf("pcupgrade demo: a fake Partner Center at %s (in-process, spec-checked, no credentials)\n", srv.URL)
	out.printf("customer %s, product family %s\n", req.CustomerID, req.ProductFamily)

	out.printf("\n== 1. eligibility ==\n")
	e, err := c.CheckEligibility(ctx, req)
	if err != nil {
		return report("demo", err, errOut)
	}
	if err := printEligibility(out, e, false); err != nil {
		return report("demo", err, errOut)
	}
	if !e.IsEligible {
		errOut.println("pcupgrade demo: the customer is not eligible")
		return exitViolation
	}

	out.printf("\n== 2. create ==\n")
	u, err := c.CreateUpgrade(ctx, req)
	if err != nil {
		return report("demo", err, errOut)
	}
	if err := printUpgrade(out, u, false); err != nil {
		return report("demo", err, errOut)
	}

	out.printf("\n== 3. wait (a status check every %s) ==\n", *interval)
	s, err := waitForUpgrade(ctx, c, u.ID, req, *interval, func(s *client.UpgradeStatus) {
		out.printf("status: %s\n", s.Status)
	})
	if err != nil {
		return report("demo", err, errOut)
	}
	out.printf("\n== result ==\n")
	if err := printStatus(out, s, false); err != nil {
		return report("demo", err, errOut)
	}
	out.printf("final status: %s (%d requests, %d upgrade on the fake)\n", s.Status, len(srv.Requests()), len(srv.Upgrades()))
	if !s.Succeeded() {
		return exitViolation
	}
	return exitOK
}

// The headers the demo shows, in this order; the others are left out as noise.
var (
	shownRequestHeaders  = []string{"Authorization", "Content-Type", "MS-RequestId", "MS-CorrelationId", "MS-PartnerCenter-Application"}
	shownResponseHeaders = []string{"Location", "Content-Type", "Retry-After", "MS-RequestId", "MS-CorrelationId", "MS-CV", "MS-ServerId"}
)

// showTransport prints each request and response: the request line, the headers that
// matter and the body, each value cleaned by the printer (one line each, no escapes, no
// token). Authorization is always printed as "Bearer <redacted>".
type showTransport struct {
	p    *printer
	next http.RoundTripper
}

func (t *showTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	line := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = t.p.clean(s)
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
			v = secrets.MaskHeaderValue(v)
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
	if err != nil {
		line("< (no response: %s)\n", err.Error())
		_ = t.p.write(t.p.s.scrub(b.String()))
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
	_ = t.p.write(t.p.s.scrub(b.String()))
	return resp, nil
}
