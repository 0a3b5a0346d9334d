package fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// The cost of spec validation: the same handler serving requests with validation on and off,
// without the network, so that the ratio is the validator's share. Run:
//
//	go test -run XXX -bench CreateValidation -cpu 1 ./fake/
//
// BenchmarkCreateValidation reports each alone (with allocations per request);
// BenchmarkCreateValidationRatio interleaves both, per operation, and reports the ratio
// (x-novalidate, the goal is at most 1.25) and the allocations of each.

func benchHandler(b *testing.B, validate bool) *Server {
	b.Helper()
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{}, noValidate: !validate}
	s, err := newHandler(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// clientRequest builds the request the real client sends (the headers net/http and the
// client add included) to path with body. Every string is a fresh copy, as a server reading
// the request off the wire would have it, so that what the fake keeps of it is measured.
func clientRequest(path, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, strings.Clone(path), strings.NewReader(body))
	for _, kv := range [][2]string{
		{"Accept", "application/json"},
		{"Accept-Encoding", "gzip"},
		{"Authorization", "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"},
		{"Content-Length", "80"},
		{"Content-Type", "application/json"},
		{"MS-RequestId", newGUID().String()},
		{"MS-CorrelationId", newGUID().String()},
		{"User-Agent", "productupgrades-go/v0.0.0-dev (go1.26; linux/amd64)"},
		{"X-Locale", "en-US"},
	} {
		req.Header[strings.Clone(http.CanonicalHeaderKey(kv[0]))] = []string{strings.Clone(kv[1])}
	}
	return req
}

func createBody(n int) string {
	return `{"customerId":"` + testkit.GUID(uint64(n)) + `","productFamily":"Azure"}`
}

// serveCreate serves one create for the n-th customer and fails b unless it is a 202.
func serveCreate(b *testing.B, s *Server, n int) {
	w := httptest.NewRecorder()
	s.serve(w, clientRequest("/v1/productupgrades", createBody(n)))
	if w.Code != http.StatusAccepted {
		b.Fatalf("create: %d %s", w.Code, w.Body)
	}
}

func BenchmarkCreateValidation(b *testing.B) {
	for _, validate := range []bool{true, false} {
		name := "off"
		if validate {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			s := benchHandler(b, validate)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				serveCreate(b, s, i)
			}
		})
	}
}

// benchOp is one operation of BenchmarkCreateValidationRatio: prepare readies a server
// (validating or not) and returns the request to send for the i-th call and the status
// expected.
type benchOp struct {
	name    string
	prepare func(b *testing.B, s *Server) (next func(i int) *http.Request, status int)
}

var benchOps = []benchOp{
	{"create", func(*testing.B, *Server) (func(int) *http.Request, int) {
		return func(i int) *http.Request { return clientRequest("/v1/productupgrades", createBody(i)) }, http.StatusAccepted
	}},
	{"eligibility", func(*testing.B, *Server) (func(int) *http.Request, int) {
		return func(i int) *http.Request {
			return clientRequest("/v1/productupgrades/eligibility", createBody(i))
		}, http.StatusOK
	}},
	{"status", func(b *testing.B, s *Server) (func(int) *http.Request, int) {
		serveCreate(b, s, 0)
		path := "/v1/productupgrades/" + s.Upgrades()[0].ID + "/status"
		body := createBody(0)
		return func(int) *http.Request { return clientRequest(path, body) }, http.StatusOK
	}},
}

// BenchmarkCreateValidationRatio serves each operation with validation on and off, one
// after the other in the same loop (so that both see the same machine load), and reports
// the time of each, their ratio x-novalidate, and the allocations per request of each
// (request building excluded from the times, included in the allocations).
func BenchmarkCreateValidationRatio(b *testing.B) {
	for _, op := range benchOps {
		b.Run(op.name, func(b *testing.B) {
			on, off := benchHandler(b, true), benchHandler(b, false)
			nextOn, status := op.prepare(b, on)
			nextOff, _ := op.prepare(b, off)
			serve := func(s *Server, req *http.Request) time.Duration {
				w := httptest.NewRecorder()
				start := time.Now()
				s.serve(w, req)
				d := time.Since(start)
				if w.Code != status {
					b.Fatalf("%s: %d %s", op.name, w.Code, w.Body)
				}
				return d
			}
			var tOn, tOff time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Alternate which goes first, so that neither always runs on a warm cache.
				if i%2 == 0 {
					tOn += serve(on, nextOn(i+1))
					tOff += serve(off, nextOff(i+1))
				} else {
					tOff += serve(off, nextOff(i+1))
					tOn += serve(on, nextOn(i+1))
				}
			}
			b.StopTimer()
			n := b.N + 1
			allocsOn := testing.AllocsPerRun(200, func() { n++; serve(on, nextOn(n)) })
			allocsOff := testing.AllocsPerRun(200, func() { n++; serve(off, nextOff(n)) })
			b.ReportMetric(float64(tOn.Nanoseconds())/float64(b.N), "ns-on/req")
			b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "ns-off/req")
			b.ReportMetric(float64(tOn)/float64(tOff), "x-novalidate")
			b.ReportMetric(allocsOn, "allocs-on/req")
			b.ReportMetric(allocsOff, "allocs-off/req")
		})
	}
}

// BenchmarkCreateValidationRatioLoopback is BenchmarkCreateValidationRatio's create over
// loopback HTTP (a keep-alive connection to each server), what a test using the fake sees:
// the same ratio with the network and net/http's own work in both halves. It is context for
// the handler-only ratio above, which is the goal's measure.
func BenchmarkCreateValidationRatioLoopback(b *testing.B) {
	on, off := benchHandler(b, true), benchHandler(b, false)
	srvOn, srvOff := httptest.NewServer(http.HandlerFunc(on.serve)), httptest.NewServer(http.HandlerFunc(off.serve))
	defer srvOn.Close()
	defer srvOff.Close()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer c.CloseIdleConnections()
	send := func(base string, i int) time.Duration {
		req := clientRequest("/v1/productupgrades", createBody(i))
		out, err := http.NewRequest(http.MethodPost, base+req.URL.Path, req.Body)
		if err != nil {
			b.Fatal(err)
		}
		out.Header = req.Header
		out.Header.Del("Content-Length")
		start := time.Now()
		resp, err := c.Do(out)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		d := time.Since(start)
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("create: %s", resp.Status)
		}
		return d
	}
	var tOn, tOff time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			tOn += send(srvOn.URL, i)
			tOff += send(srvOff.URL, i)
		} else {
			tOff += send(srvOff.URL, i)
			tOn += send(srvOn.URL, i)
		}
	}
	b.ReportMetric(float64(tOn.Nanoseconds())/float64(b.N), "ns-on/req")
	b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "ns-off/req")
	b.ReportMetric(float64(tOn)/float64(tOff), "x-novalidate")
}
