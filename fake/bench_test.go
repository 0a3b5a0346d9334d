package fake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// The cost of spec validation: the same handler serving creates with validation on and off,
// without the network, so that the ratio is the validator's share. Run:
//
//	go test -run XXX -bench CreateValidation ./fake/
//
// BenchmarkCreateValidationRatio interleaves both and reports the ratio in one line.

func benchHandler(b *testing.B, validate bool) *Server {
	b.Helper()
	cfg := config{polls: DefaultPollsUntilComplete, failures: map[string]failure{}, ineligible: map[string]string{}, noValidate: !validate}
	s, err := newHandler(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// serveCreate serves one create for the n-th customer and fails b unless it is a 202.
func serveCreate(b *testing.B, s *Server, n int) {
	body := `{"customerId":"` + testkit.GUID(uint64(n)) + `","productFamily":"Azure"}`
	req := httptest.NewRequest(http.MethodPost, "/v1/productupgrades", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", newGUID().String())
	req.Header.Set("MS-CorrelationId", newGUID().String())
	w := httptest.NewRecorder()
	s.serve(w, req)
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

func BenchmarkCreateValidationRatio(b *testing.B) {
	on, off := benchHandler(b, true), benchHandler(b, false)
	var tOn, tOff time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		serveCreate(b, on, i)
		mid := time.Now()
		serveCreate(b, off, i)
		tOn += mid.Sub(start)
		tOff += time.Since(mid)
	}
	b.ReportMetric(float64(tOn.Nanoseconds())/float64(b.N), "ns-on/op")
	b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "ns-off/op")
	b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
}
