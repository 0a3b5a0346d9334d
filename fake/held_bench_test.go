package fake

import (
	"net/http/httptest"
	"runtime"
	"testing"
)

// BenchmarkRequestLogHeapPerUpgrade measures the memory the fake holds per upgrade: each op
// starts a fake (validating, default request log), serves heldUpgrades creates as the real
// client sends them, and reports the growth of the heap in use after a GC divided by the
// upgrades (B/upgrade, the goal is under 600), and the part of it the request log holds
// (B/upgrade-log: the heap freed when the log is dropped). Run:
//
//	go test -run XXX -bench RequestLogHeapPerUpgrade -benchtime 1x ./fake/
func BenchmarkRequestLogHeapPerUpgrade(b *testing.B) {
	const heldUpgrades = DefaultRequestLogLimit // every create's request stays in the log
	var perUpgrade, perLog float64
	for i := 0; i < b.N; i++ {
		s := benchHandler(b, true)
		before := heapInUse()
		for j := 0; j < heldUpgrades; j++ {
			w := httptest.NewRecorder()
			s.serve(w, clientRequest("/v1/productupgrades", createBody(j)))
			if w.Code != 202 {
				b.Fatalf("create: %d %s", w.Code, w.Body)
			}
		}
		after := heapInUse()
		if n := len(s.Requests()); n != heldUpgrades {
			b.Fatalf("%d requests logged, want %d", n, heldUpgrades)
		}
		s.log = newRequestLog(DefaultRequestLogLimit)
		withoutLog := heapInUse()
		runtime.KeepAlive(s)
		perUpgrade = float64(after-before) / heldUpgrades
		perLog = float64(after-withoutLog) / heldUpgrades
	}
	b.ReportMetric(perUpgrade, "B/upgrade")
	b.ReportMetric(perLog, "B/upgrade-log")
}

// heapInUse is the heap in use after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}
