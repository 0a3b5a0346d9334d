package contracttests

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// An earlier goal: 10,000 recorded exchanges verified in under 2 seconds on one core. Run
//
//	go test -run XXX -bench 'Verify$|VerifyExchange|LoadExchanges|Verify10k' -cpu 1 ./contracttests/
//
// and read exchanges/s and s/10k-exchanges. BenchmarkLoadExchanges is the baseline: reading
// and parsing the same files without the spec checks, so the checks' share is one ratio away.
// (A bare -bench Verify also runs BenchmarkVerifyPeakHeap, 100,000 fixtures: see below.)

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

// The verifier's goals (issue 12), measured in one run so that the figures are ratios:
//
//	go test -run XXX -bench 'VerifyFiles$' -benchtime 5x -cpu 1,$(nproc) ./contracttests/
//	go test -run XXX -bench 'VerifyPeakHeap/streamed$' -benchtime 1x -cpu 1,$(nproc) ./contracttests/
//
// BenchmarkVerifyFiles reports exchanges/s of Verify over a folder of fixture files (-cpu 1:
// one core; -cpu N: the parallel workers on N) and, in the same iterations, interleaved, the
// validation-only floor: the same exchanges already parsed, only validated (VerifyExchange,
// one at a time). verify/floor is how much slower than validating alone a run from the files
// is (1 would be loading for free); the -cpu figures are per CPU second, steadier on a shared
// machine. BenchmarkVerifyPeakHeap reports the peak heap of a run over 100,000 exchanges that
// writes its JUnit report to io.Discard (goal: under 32 MiB), streamed (VerifyTo and a
// ReportWriter, as pcupgrade verify runs) and collected (Verify, then Report.WriteJUnit).

// benchFixtures is how many fixture files BenchmarkVerifyFiles verifies per iteration.
const benchFixtures = 2000

// linkFixtures fills a new folder with n fixtures, each a hard link to a testdata fixture and
// its sidecar (links: 100,000 fixtures cost directory entries, not copies), and returns the
// folder and the testdata exchanges in the folder's order.
func linkFixtures(b *testing.B, n int) (string, []*Exchange) {
	b.Helper()
	exs := loadExchanges(b)
	dir := b.TempDir()
	out := make([]*Exchange, n)
	for i := range n {
		ex := exs[i%len(exs)]
		name := fmt.Sprintf("%06d-%s", i, ex.Name)
		fixture, sidecar := FixturePaths(dir, name)
		src, srcMeta := FixturePaths(exchangesDir, ex.Name)
		linkOrCopy(b, src, fixture)
		linkOrCopy(b, srcMeta, sidecar)
		out[i] = ex
	}
	return dir, out
}

// linkOrCopy hard-links from to to, or copies it where links are not supported.
func linkOrCopy(b *testing.B, from, to string) {
	b.Helper()
	if err := os.Link(from, to); err != nil {
		copyFile(b, from, to)
	}
}

// BenchmarkVerifyFiles: exchanges/s from files, against the validation-only floor measured in
// the same iterations, interleaved.
func BenchmarkVerifyFiles(b *testing.B) {
	v := NewVerifierFor(specChecker(b))
	dir, exs := linkFixtures(b, benchFixtures)
	ctx := context.Background()
	var inFiles, inFloor, cpuFiles, cpuFloor time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		start, cpuStart := time.Now(), mustCPUTime()
		for _, ex := range exs {
			if res := v.VerifyExchange(ctx, ex); !res.Passed() {
				b.Fatalf("%s: %s", ex.Name, res.Violations)
			}
		}
		mid, cpuMid := time.Now(), mustCPUTime()
		rep, err := v.Verify(ctx, dir)
		if err != nil || !rep.Passed() || len(rep.Results) != len(exs) {
			b.Fatalf("verify: %v", err)
		}
		inFloor += mid.Sub(start)
		inFiles += time.Since(mid)
		cpuFloor += cpuMid - cpuStart
		cpuFiles += mustCPUTime() - cpuMid
		n += len(exs)
	}
	if inFiles <= 0 || inFloor <= 0 {
		return
	}
	b.ReportMetric(float64(n)/inFiles.Seconds(), "exchanges/s")
	b.ReportMetric(float64(n)/inFloor.Seconds(), "floor-exchanges/s")
	b.ReportMetric(inFiles.Seconds()/inFloor.Seconds(), "verify/floor")
	if _, ok := cpuTime(); ok && cpuFiles > 0 && cpuFloor > 0 {
		// Per CPU second: steadier than wall time on a shared machine.
		b.ReportMetric(float64(n)/cpuFiles.Seconds(), "exchanges/cpu-s")
		b.ReportMetric(cpuFiles.Seconds()/cpuFloor.Seconds(), "verify/floor-cpu")
	}
	b.ReportMetric(0, "ns/op") // the iteration holds both halves: read the rates
}

// mustCPUTime is cpuTime, 0 where it is not measured.
func mustCPUTime() time.Duration {
	d, _ := cpuTime()
	return d
}

// heapPeak samples the heap in use (live and not yet swept objects, and free slots in spans
// in use) until stop is closed, and returns its peak in bytes, and the peak of the heap the
// garbage collector found live.
func heapPeak(stop <-chan struct{}) <-chan [2]uint64 {
	out := make(chan [2]uint64, 1)
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	go func() {
		var peak, live uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			peak = max(peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
			live = max(live, samples[2].Value.Uint64())
			select {
			case <-stop:
				out <- [2]uint64{peak, live}
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// heapInUse is the heap in use now, as heapPeak measures it.
func heapInUse() uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(samples)
	return samples[0].Value.Uint64() + samples[1].Value.Uint64()
}

// BenchmarkVerifyPeakHeap: the peak heap of verifying 100,000 exchanges with a JUnit report
// written to io.Discard, in MiB (goal: under 32). Run it with -benchtime 1x.
func BenchmarkVerifyPeakHeap(b *testing.B) {
	const total = 100000
	v := NewVerifierFor(specChecker(b))
	dir, _ := linkFixtures(b, total)
	b.Run("streamed", func(b *testing.B) { benchPeakHeap(b, v, dir, total, verifyJUnit) })
	b.Run("collected", func(b *testing.B) { benchPeakHeap(b, v, dir, total, verifyJUnitCollected) })
}

func benchPeakHeap(b *testing.B, v *Verifier, dir string, total int, run func(context.Context, *Verifier, io.Writer, ...string) (int, error)) {
	ctx := context.Background()
	var peak, live, base uint64
	n := 0
	for b.Loop() {
		runtime.GC()
		base = max(base, heapInUse())
		stop := make(chan struct{})
		sampled := heapPeak(stop)
		count, err := run(ctx, v, io.Discard, dir)
		close(stop)
		if err != nil || count != total {
			b.Fatalf("verify: %d results, %v", count, err)
		}
		got := <-sampled
		peak, live = max(peak, got[0]), max(live, got[1])
		n += count
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")       // the most the GC found live
	b.ReportMetric(float64(base)/(1<<20), "before-run-MiB") // the spec, the test binary's own
	reportRate(b, n)
}

// verifyJUnit is what `pcupgrade verify --format junit` does: verify the fixtures under
// paths and write the JUnit report to w, streamed. It returns how many fixtures were verified.
func verifyJUnit(ctx context.Context, v *Verifier, w io.Writer, paths ...string) (int, error) {
	rw := NewJUnitReportWriter(w)
	n := 0
	err := v.VerifyTo(ctx, func(res Result) error {
		n++
		return rw.Write(res)
	}, paths...)
	if err != nil {
		rw.Abort()
		return n, err
	}
	return n, rw.Close()
}

// verifyJUnitCollected is the same run as verifyJUnit without streaming: the whole Report
// first, then Report.WriteJUnit (what pcupgrade verify did before VerifyTo).
func verifyJUnitCollected(ctx context.Context, v *Verifier, w io.Writer, paths ...string) (int, error) {
	rep, err := v.Verify(ctx, paths...)
	if err != nil {
		return 0, err
	}
	return len(rep.Results), rep.WriteJUnit(w)
}
