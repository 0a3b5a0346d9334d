package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

// The two benchmarks below send the same create, with the same headers, to the same loopback
// server over the same kind of transport: one through client.CreateUpgrade, one through a
// hand-written net/http POST. Compare their ns/op and allocs/op:
//
//	go test -run XXX -bench CreateUpgrade -benchmem ./client/

var (
	benchOnce   sync.Once
	benchServer *httptest.Server
)

// sharedBenchServer answers every create like the docs' example: 202, empty body, Location.
func sharedBenchServer() *httptest.Server {
	benchOnce.Do(func() {
		benchServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			h := w.Header()
			h.Set("Location", "productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4")
			h.Set("MS-RequestId", r.Header.Get("MS-RequestId"))
			h.Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
			h.Set("Content-Length", "0")
			w.WriteHeader(http.StatusAccepted)
		}))
	})
	return benchServer
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchServer != nil {
		benchServer.Close()
	}
	os.Exit(code)
}

func benchHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

var benchTokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "bench-token"})

func BenchmarkCreateUpgrade(b *testing.B) {
	srv := sharedBenchServer()
	hc := benchHTTPClient()
	defer hc.CloseIdleConnections()
	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(hc),
		client.WithTokenSource(benchTokens),
		client.WithApplication("bench"),
	)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r := client.UpgradeRequest{CustomerID: testCustomerID, ProductFamily: "Azure"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u, err := c.CreateUpgrade(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		if u.ID != testUpgradeID {
			b.Fatalf("id %q", u.ID)
		}
	}
}

func BenchmarkCreateUpgradeHandWritten(b *testing.B) {
	srv := sharedBenchServer()
	hc := benchHTTPClient()
	defer hc.CloseIdleConnections()
	ctx := context.Background()
	r := client.UpgradeRequest{CustomerID: testCustomerID, ProductFamily: "Azure"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id, err := handWrittenCreate(ctx, hc, srv.URL, r)
		if err != nil {
			b.Fatal(err)
		}
		if id != testUpgradeID {
			b.Fatalf("id %q", id)
		}
	}
}

// BenchmarkCreateUpgradeRatio alternates the two creates above in blocks of 32, so that both
// see the same machine at the same moments (a loopback round trip on a shared 2-core machine
// drifts by ±20% between runs), and reports their ns/op and the ratio client/hand-written.
func BenchmarkCreateUpgradeRatio(b *testing.B) {
	srv := sharedBenchServer()
	hc := benchHTTPClient()
	defer hc.CloseIdleConnections()
	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(hc),
		client.WithTokenSource(benchTokens),
		client.WithApplication("bench"),
	)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r := client.UpgradeRequest{CustomerID: testCustomerID, ProductFamily: "Azure"}
	viaClient := func() error { _, err := c.CreateUpgrade(ctx, r); return err }
	byHand := func() error { _, err := handWrittenCreate(ctx, hc, srv.URL, r); return err }
	const block = 32
	var spent [2]time.Duration
	var calls [2]int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		for k, f := range [2]func() error{viaClient, byHand} {
			if (i/block)%2 == 1 {
				f = [2]func() error{viaClient, byHand}[1-k] // alternate which goes first
				k = 1 - k
			}
			start := time.Now()
			for j := 0; j < n; j++ {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			spent[k] += time.Since(start)
			calls[k] += n
		}
	}
	clientNs := float64(spent[0].Nanoseconds()) / float64(calls[0])
	handNs := float64(spent[1].Nanoseconds()) / float64(calls[1])
	b.ReportMetric(clientNs, "client-ns/op")
	b.ReportMetric(handNs, "hand-ns/op")
	b.ReportMetric(clientNs/handNs, "ratio")
}

// handWrittenCreate is the create as a service would write it with net/http alone: same
// headers, a token from the same source, the body drained, the id cut from the Location.
func handWrittenCreate(ctx context.Context, hc *http.Client, baseURL string, r client.UpgradeRequest) (string, error) {
	body, err := json.Marshal(struct {
		CustomerID    string `json:"customerId"`
		ProductFamily string `json:"productFamily"`
	}{r.CustomerID, r.ProductFamily})
	if err != nil {
		return "", err
	}
	tok, err := benchTokens.Token()
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/productupgrades", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	h := req.Header
	h.Set("Authorization", "Bearer "+tok.AccessToken)
	h.Set("Accept", "application/json")
	h.Set("Content-Type", "application/json")
	h.Set("MS-RequestId", uuid.NewString())
	h.Set("MS-CorrelationId", uuid.NewString())
	h.Set("X-Locale", "en-US")
	h.Set("MS-PartnerCenter-Application", "bench")
	h.Set("User-Agent", client.UserAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	return loc[strings.LastIndexByte(loc, '/')+1:], nil
}
