package guid

import "testing"

func BenchmarkValid(b *testing.B) {
	for b.Loop() {
		if !Valid(sample) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Parse(sample); !ok {
			b.Fatal("invalid")
		}
	}
}
