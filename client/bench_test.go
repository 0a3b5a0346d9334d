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
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

// The client against a hand-written net/http call, per operation, over loopback:
//
//	go test -run XXX -bench VsHandWritten -benchtime 20000x ./client/
//
// BenchmarkVsHandWritten/{create,status,eligibility} alternate the two in blocks within one
// benchmark, so that both see the same machine at the same moments (a loopback round trip
// on a shared machine drifts by ±20% between runs), and report each side's ns/op and
// allocs/op, the ratio client/hand-written (x-handwritten) and the allocation difference
// (allocs-over). BenchmarkCreateUpgrade and BenchmarkCreateUpgradeHandWritten run each side
// alone, for profiling one at a time (-cpuprofile, -memprofile).

var (
	benchOnce   sync.Once
	benchServer *httptest.Server
)

// The bodies the bench server answers with: the docs' examples (status-200 and
// eligibility-200 in contracttests/testdata/exchanges), as the service writes them.
const (
	benchStatusBody = `{
  "id": "42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
  "status": "InProgress",
  "productFamily": "Azure",
  "lineItems": [
    {
      "sourceProduct": {
        "id": "b1beb621-3cad-4d7a-b360-62db33ce028e",
        "name": "AzureSubscription"
      },
      "targetProduct": {
        "id": "d231908e-31c1-de0e-027b-bc5ce11f09d9",
        "name": "Microsoft Azure plan"
      },
      "upgradedDate": "0001-01-01T00:00:00",
      "status": "InProgress"
    }
  ]
}`
	benchEligibilityBody = `{
    "customerId": "4c721420-72ad-4708-a0a7-371a2f7b0969",
    "isEligible": true,
    "productFamily": "Azure"
}`
)

// sharedBenchServer answers like Partner Center: a create with 202, an empty body and a
// Location; a status or eligibility check with 200 and the docs' JSON body. Every answer
// echoes the request's ids.
func sharedBenchServer() *httptest.Server {
	benchOnce.Do(func() {
		statusBody, eligBody := []byte(benchStatusBody), []byte(benchEligibilityBody)
		benchServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			h := w.Header()
			h["Ms-Requestid"] = r.Header["Ms-Requestid"]
			h["Ms-Correlationid"] = r.Header["Ms-Correlationid"]
			var body []byte
			switch p := r.URL.Path; {
			case p == "/v1/productupgrades":
				h["Location"] = []string{"productUpgrades/" + testUpgradeID}
				h["Content-Length"] = []string{"0"}
				w.WriteHeader(http.StatusAccepted)
				return
			case p == "/v1/productupgrades/eligibility":
				body = eligBody
			case strings.HasSuffix(p, "/status"):
				body = statusBody
			default:
				w.WriteHeader(http.StatusNotFound)
				return
			}
			h["Content-Type"] = []string{"application/json; charset=utf-8"}
			h["Content-Length"] = []string{fmt.Sprint(len(body))}
			_, _ = w.Write(body)
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

func benchClient(b *testing.B, baseURL string, hc *http.Client) *client.Client {
	b.Helper()
	c, err := client.New(
		client.WithBaseURL(baseURL),
		client.WithHTTPClient(hc),
		client.WithTokenSource(benchTokens),
		client.WithApplication("bench"),
	)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkCreateUpgrade(b *testing.B) {
	srv := sharedBenchServer()
	hc := benchHTTPClient()
	defer hc.CloseIdleConnections()
	c := benchClient(b, srv.URL, hc)
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

// BenchmarkVsHandWritten runs each operation through the client and by hand, interleaved.
// Each side has its own connection pool on the same server.
func BenchmarkVsHandWritten(b *testing.B) {
	srv := sharedBenchServer()
	ctx := context.Background()
	r := client.UpgradeRequest{CustomerID: testCustomerID, ProductFamily: "Azure"}
	ops := []struct {
		name           string
		client, byHand func(c *client.Client, hc *http.Client) error
	}{
		{"create",
			func(c *client.Client, _ *http.Client) error {
				u, err := c.CreateUpgrade(ctx, r)
				if err == nil && u.ID != testUpgradeID {
					err = fmt.Errorf("id %q", u.ID)
				}
				return err
			},
			func(_ *client.Client, hc *http.Client) error {
				id, err := handWrittenCreate(ctx, hc, srv.URL, r)
				if err == nil && id != testUpgradeID {
					err = fmt.Errorf("id %q", id)
				}
				return err
			}},
		{"status",
			func(c *client.Client, _ *http.Client) error {
				s, err := c.CheckStatus(ctx, testUpgradeID, r)
				if err == nil && (s.Status != "InProgress" || len(s.LineItems) != 1) {
					err = fmt.Errorf("status %+v", s)
				}
				return err
			},
			func(_ *client.Client, hc *http.Client) error {
				s, err := handWrittenStatus(ctx, hc, srv.URL, testUpgradeID, r)
				if err == nil && (s.Status != "InProgress" || len(s.LineItems) != 1) {
					err = fmt.Errorf("status %+v", s)
				}
				return err
			}},
		{"eligibility",
			func(c *client.Client, _ *http.Client) error {
				e, err := c.CheckEligibility(ctx, r)
				if err == nil && !e.IsEligible {
					err = fmt.Errorf("eligibility %+v", e)
				}
				return err
			},
			func(_ *client.Client, hc *http.Client) error {
				e, err := handWrittenEligibility(ctx, hc, srv.URL, r)
				if err == nil && !e.IsEligible {
					err = fmt.Errorf("eligibility %+v", e)
				}
				return err
			}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			chc, hhc := benchHTTPClient(), benchHTTPClient()
			defer chc.CloseIdleConnections()
			defer hhc.CloseIdleConnections()
			c := benchClient(b, srv.URL, chc)
			interleave(b,
				func() error { return op.client(c, chc) },
				func() error { return op.byHand(nil, hhc) })
		})
	}
}

// interleave alternates viaClient and byHand in blocks of calls, the first of each pair of
// blocks taking turns, and reports each side's ns/op and allocs/op (the server's allocations
// are the same for both and included in both), their ratio and difference. Time and
// allocations are taken around each block only.
func interleave(b *testing.B, viaClient, byHand func() error) {
	b.Helper()
	// Warm both sides: connections, pools, the server.
	for range 64 {
		if err := viaClient(); err != nil {
			b.Fatal(err)
		}
		if err := byHand(); err != nil {
			b.Fatal(err)
		}
	}
	const block = 32
	sides := [2]func() error{viaClient, byHand}
	var (
		spent  [2]time.Duration
		allocs [2]uint64
		calls  [2]int
		ms     runtime.MemStats
	)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		for k := range 2 {
			side := k
			if (i/block)%2 == 1 {
				side = 1 - k // alternate which goes first
			}
			f := sides[side]
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			start := time.Now()
			for j := 0; j < n; j++ {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			spent[side] += time.Since(start)
			runtime.ReadMemStats(&ms)
			allocs[side] += ms.Mallocs - before
			calls[side] += n
		}
	}
	b.StopTimer()
	clientNs := float64(spent[0].Nanoseconds()) / float64(calls[0])
	handNs := float64(spent[1].Nanoseconds()) / float64(calls[1])
	clientAllocs := float64(allocs[0]) / float64(calls[0])
	handAllocs := float64(allocs[1]) / float64(calls[1])
	b.ReportMetric(clientNs, "client-ns/op")
	b.ReportMetric(handNs, "hand-ns/op")
	b.ReportMetric(clientNs/handNs, "x-handwritten")
	b.ReportMetric(clientAllocs, "client-allocs/op")
	b.ReportMetric(handAllocs, "hand-allocs/op")
	b.ReportMetric(clientAllocs-handAllocs, "allocs-over")
}

// handWrittenPost is a call as a service would write it with net/http alone: the same
// headers as the client sends, a token from the same source, the JSON body; it returns the
// response's status, header and body.
func handWrittenPost(ctx context.Context, hc *http.Client, url string, r client.UpgradeRequest) (int, http.Header, []byte, error) {
	body, err := json.Marshal(struct {
		CustomerID    string `json:"customerId"`
		ProductFamily string `json:"productFamily"`
	}{r.CustomerID, r.ProductFamily})
	if err != nil {
		return 0, nil, nil, err
	}
	tok, err := benchTokens.Token()
	if err != nil {
		return 0, nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
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
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, client.MaxResponseBytes))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, data, nil
}

// handWrittenCreate is the create by hand: the id cut from the Location.
func handWrittenCreate(ctx context.Context, hc *http.Client, baseURL string, r client.UpgradeRequest) (string, error) {
	status, h, _, err := handWrittenPost(ctx, hc, baseURL+"/v1/productupgrades", r)
	if err != nil {
		return "", err
	}
	if status != http.StatusAccepted {
		return "", fmt.Errorf("status %d", status)
	}
	loc := h.Get("Location")
	return loc[strings.LastIndexByte(loc, '/')+1:], nil
}

type handProduct struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type handStatus struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	ProductFamily string `json:"productFamily"`
	LineItems     []struct {
		SourceProduct handProduct `json:"sourceProduct"`
		TargetProduct handProduct `json:"targetProduct"`
		UpgradedDate  string      `json:"upgradedDate"`
		Status        string      `json:"status"`
	} `json:"lineItems"`
}

// handWrittenStatus is the status check by hand: the body decoded into a plain struct.
func handWrittenStatus(ctx context.Context, hc *http.Client, baseURL, upgradeID string, r client.UpgradeRequest) (*handStatus, error) {
	status, _, data, err := handWrittenPost(ctx, hc, baseURL+"/v1/productupgrades/"+upgradeID+"/status", r)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d", status)
	}
	var s handStatus
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

type handEligibility struct {
	CustomerID    string `json:"customerId"`
	IsEligible    bool   `json:"isEligible"`
	ProductFamily string `json:"productFamily"`
	UpgradeID     string `json:"upgradeId"`
	Reason        string `json:"reason"`
}

// handWrittenEligibility is the eligibility check by hand.
func handWrittenEligibility(ctx context.Context, hc *http.Client, baseURL string, r client.UpgradeRequest) (*handEligibility, error) {
	status, _, data, err := handWrittenPost(ctx, hc, baseURL+"/v1/productupgrades/eligibility", r)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d", status)
	}
	var e handEligibility
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	return &e, nil
}
