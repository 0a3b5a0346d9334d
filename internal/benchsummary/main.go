// Command benchsummary reads the output of `go test -bench` (make bench) on stdin, copies it
// to stdout, and ends with one line per goal of the project's performance targets: the
// measured ratio or figure, the baseline it is measured against in the same run, and whether
// the goal is met. It judges nothing by wall-clock time alone: every ratio comes from a
// benchmark that measured both sides interleaved.
//
//	go test -run XXX -bench . ./client/ | go run ./internal/benchsummary
//
// The exit status is 0 whether or not goals are met (a benchmark on a loaded machine is
// information, not a gate), 1 when the input holds no benchmark result at all.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// goal is one performance target: a metric of the benchmarks whose name matches bench.
type goal struct {
	what   string         // what the line is about
	bench  *regexp.Regexp // benchmark names (without -cpu suffix) it applies to
	metric string         // the unit of b.ReportMetric
	limit  float64
	atMost bool   // the metric must be <= limit (else >= limit)
	base   string // the same-run baseline, in words
}

var goals = []goal{
	{"client vs hand-written net/http", regexp.MustCompile(`^BenchmarkVsHandWritten/`), "x-handwritten", 1.03, true, "hand-written net/http, interleaved"},
	{"client allocations over hand-written", regexp.MustCompile(`^BenchmarkVsHandWritten/`), "allocs-over", 5, true, "hand-written net/http allocs/op"},
	{"verify vs validation-only floor", regexp.MustCompile(`^BenchmarkVerifyFiles$`), "verify/floor", 0, true, "the same exchanges pre-parsed, validated only"},
	{"verify throughput", regexp.MustCompile(`^BenchmarkVerifyFiles$`), "exchanges/s", 0, false, "(the floor: floor-exchanges/s)"},
	{"verify peak heap at 100,000 with JUnit", regexp.MustCompile(`^BenchmarkVerifyPeakHeap/streamed$`), "peak-MiB", 32, true, "absolute (MiB)"},
	{"fake: validation on vs off", regexp.MustCompile(`^BenchmarkCreateValidationRatio/`), "x-novalidate", 1.25, true, "the same handler without validation, interleaved"},
	{"fake: bytes held per upgrade", regexp.MustCompile(`^BenchmarkRequestLogHeapPerUpgrade$`), "B/upgrade", 600, true, "absolute (bytes)"},
}

// result is one benchmark line: its name, the -cpu it ran with, and its metrics by unit.
type result struct {
	name    string
	cpu     int
	metrics map[string]float64
}

var cpuSuffix = regexp.MustCompile(`-(\d+)$`)

// parse reads a benchmark result line, "BenchmarkX/sub-2  	 20000	 123 ns/op	 1.01 x-handwritten ...".
func parse(line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return result{}, false
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return result{}, false
	}
	r := result{name: f[0], cpu: 1, metrics: map[string]float64{}}
	if m := cpuSuffix.FindStringSubmatch(r.name); m != nil {
		r.cpu, _ = strconv.Atoi(m[1])
		r.name = strings.TrimSuffix(r.name, m[0])
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		r.metrics[f[i+1]] = v
	}
	return r, true
}

func summarize(in io.Reader, out io.Writer) (int, error) {
	var results []result
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if _, err := fmt.Fprintln(out, line); err != nil {
			return 0, err
		}
		if r, ok := parse(line); ok {
			results = append(results, r)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	// w keeps its first write error for Flush, which reports it.
	w := bufio.NewWriter(out)
	_, _ = fmt.Fprintf(w, "\n%-44s %-44s %6s %12s  %-8s %s\n", "goal", "benchmark", "cpu", "measured", "target", "baseline (same run)")
	for _, g := range goals {
		for _, r := range results {
			v, ok := r.metrics[g.metric]
			if !ok || !g.bench.MatchString(r.name) {
				continue
			}
			target, verdict := "-", ""
			if g.limit != 0 {
				op := ">="
				met := v >= g.limit
				if g.atMost {
					op, met = "<=", v <= g.limit
				}
				target = op + strconv.FormatFloat(g.limit, 'g', -1, 64)
				verdict = "  met"
				if !met {
					verdict = "  NOT MET"
				}
			}
			_, _ = fmt.Fprintf(w, "%-44s %-44s %6d %12.4g  %-8s %s%s\n", g.what, strings.TrimPrefix(r.name, "Benchmark"), r.cpu, v, target, g.base, verdict)
		}
	}
	return len(results), w.Flush()
}

func main() {
	n, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsummary:", err)
		os.Exit(1)
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "benchsummary: no benchmark results in the input")
		os.Exit(1)
	}
}
