package fake

import (
	"bytes"
	"net/http/httptest"
	"runtime"
	"testing"
)

// BenchmarkRequestLogHeap shows that Requests stays bounded on a long run: each op serves
// 100,000 requests of 100 KiB each (without the network, straight into the handler; the
// fake reads 64 KiB of each and refuses it), then reports the live heap after a GC, the
// requests kept and the body bytes they hold. With the default limit (10,000 requests,
// bodies cut at 4 KiB) the heap stays under 64 MiB; before the limit it grew without end.
// Run:
//
//	go test -run XXX -bench RequestLogHeap ./fake/
func BenchmarkRequestLogHeap(b *testing.B) {
	const requests, size = 100_000, 100 << 10
	body := bytes.Repeat([]byte("x"), size)
	var heap, kept, bodyBytes float64
	for i := 0; i < b.N; i++ {
		s := testHandler(b)
		for j := 0; j < requests; j++ {
			s.serve(httptest.NewRecorder(), rawRequest(bytes.NewReader(body), "Bearer t"))
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = float64(ms.HeapAlloc) / (1 << 20)
		reqs := s.Requests()
		kept = float64(len(reqs))
		bodyBytes = 0
		for _, r := range reqs {
			bodyBytes += float64(cap(r.Body))
		}
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heap-MiB")
	b.ReportMetric(kept, "requests-kept")
	b.ReportMetric(bodyBytes/(1<<20), "body-MiB")
}
