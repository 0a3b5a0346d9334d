package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	in := `goos: linux
BenchmarkVsHandWritten/create       	   20000	     49000 ns/op	         1.012 x-handwritten	        -8.000 allocs-over
BenchmarkVsHandWritten/status-2     	   20000	     49000 ns/op	         1.100 x-handwritten	         3.000 allocs-over
BenchmarkCreateValidationRatio/create 	   1000	      0 ns/op	         1.12 x-novalidate
BenchmarkRequestLogHeapPerUpgrade   	       1	         0 ns/op	       700.0 B/upgrade
PASS
`
	var out strings.Builder
	n, err := summarize(strings.NewReader(in), &out)
	if err != nil || n != 4 {
		t.Fatalf("summarize = %d, %v; want 4 results", n, err)
	}
	got := out.String()
	if !strings.HasPrefix(got, in) {
		t.Errorf("the input is not copied first:\n%s", got)
	}
	for _, want := range []string{
		"VsHandWritten/create                              1        1.012  <=1.03",
		"VsHandWritten/status                              2          1.1  <=1.03",
		"x-handwritten",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	lines := strings.Split(got, "\n")
	verdict := func(sub string) string {
		for _, l := range lines {
			if strings.Contains(l, sub) && strings.Contains(l, "<=") {
				if strings.HasSuffix(l, "NOT MET") {
					return "not met"
				}
				if strings.HasSuffix(l, "met") {
					return "met"
				}
			}
		}
		return "absent"
	}
	for sub, want := range map[string]string{
		"VsHandWritten/create                              1": "met",
		"VsHandWritten/status                              2": "not met",
		"CreateValidationRatio/create":                        "met",
		"RequestLogHeapPerUpgrade":                            "not met",
	} {
		if got := verdict(sub); got != want {
			t.Errorf("%s: %s, want %s", sub, got, want)
		}
	}
}

func TestSummarizeNoResults(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if n, err := summarize(strings.NewReader("PASS\nok x 1s\n"), &out); err != nil || n != 0 {
		t.Fatalf("summarize = %d, %v; want 0, nil", n, err)
	}
}

func TestParseRejectsNonResults(t *testing.T) {
	t.Parallel()
	for _, line := range []string{"", "BenchmarkX", "BenchmarkX 12", "BenchmarkX abc 1 ns/op", "BenchmarkX 1 one ns/op", "goos: linux"} {
		if _, ok := parse(line); ok {
			t.Errorf("parse(%q) accepted a line that is not a result", line)
		}
	}
}
