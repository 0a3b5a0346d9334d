package contracttests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The goal: 10,000 recorded exchanges verified in under 2 seconds on one core. Run
//
//	go test -run XXX -bench Verify -cpu 1 ./contracttests/
//
// and read exchanges/s and s/10k-exchanges. BenchmarkLoadExchanges is the baseline: reading
// and parsing the same files without the spec checks, so the checks' share is one ratio away.

// reportRate reports exchanges validated per second and the time 10,000 would take.
func reportRate(b *testing.B, exchanges int) {
	b.Helper()
	secs := b.Elapsed().Seconds()
	if secs <= 0 || exchanges == 0 {
		return
	}
	rate := float64(exchanges) / secs
	b.ReportMetric(rate, "exchanges/s")
	b.ReportMetric(10000/rate, "s/10k-exchanges")
}

// BenchmarkVerify is what `pcupgrade verify` does per run after loading the spec: walk the
// folder, read and parse every fixture and its sidecar, validate request and response.
func BenchmarkVerify(b *testing.B) {
	v := NewVerifierFor(specChecker(b))
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		rep, err := v.Verify(ctx, exchangesDir)
		if err != nil || !rep.Passed() {
			b.Fatalf("verify failed: %v", err)
		}
		n += len(rep.Results)
	}
	reportRate(b, n)
}

// BenchmarkVerifyExchange validates exchanges already in memory: the spec checks alone.
func BenchmarkVerifyExchange(b *testing.B) {
	v := NewVerifierFor(specChecker(b))
	exs := loadExchanges(b)
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for _, ex := range exs {
			if res := v.VerifyExchange(ctx, ex); !res.Passed() {
				b.Fatalf("%s: %s", ex.Name, res.Violations)
			}
		}
		n += len(exs)
	}
	reportRate(b, n)
}

// BenchmarkLoadExchanges is the baseline: reading and parsing the fixtures, no spec checks.
func BenchmarkLoadExchanges(b *testing.B) {
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n += len(loadExchanges(b))
	}
	reportRate(b, n)
}

// BenchmarkNewVerifier is the fixed cost of one run: loading and validating the spec.
func BenchmarkNewVerifier(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		if _, err := NewVerifier(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify10k is the goal itself: a folder of 10,000 fixtures (copies of the
// testdata exchanges, each with its sidecar), verified from scratch, spec load included.
func BenchmarkVerify10k(b *testing.B) {
	const total = 10000
	dir := b.TempDir()
	paths, err := filepath.Glob(filepath.Join(exchangesDir, "*.http"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no fixtures: %v", err)
	}
	for i := range total {
		src := paths[i%len(paths)]
		name := fmt.Sprintf("%05d-%s", i, filepath.Base(src))
		copyFile(b, src, filepath.Join(dir, name))
		copyFile(b, strings.TrimSuffix(src, ".http")+".json", filepath.Join(dir, strings.TrimSuffix(name, ".http")+".json"))
	}
	ctx := context.Background()
	n := 0
	for b.Loop() {
		rep, err := Verify(ctx, dir)
		if err != nil || !rep.Passed() || len(rep.Results) != total {
			b.Fatalf("verify: %v", err)
		}
		n += len(rep.Results)
	}
	reportRate(b, n)
}

func copyFile(b *testing.B, from, to string) {
	raw, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o644); err != nil {
		b.Fatal(err)
	}
}
