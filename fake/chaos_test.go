package fake_test

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

func TestWithChaosRejectsRatesThatAreNotProbabilities(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{math.NaN(), -0.01, 1.01, math.Inf(1), math.Inf(-1)} {
		srv, err := fake.NewServer(fake.WithChaos(1, rate))
		if err == nil {
			srv.Close()
			t.Errorf("WithChaos(1, %v): no error", rate)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "WithChaos") || !strings.Contains(msg, "from 0 to 1") {
			t.Errorf("WithChaos(1, %v): error %q names neither the option nor the rule", rate, msg)
		}
	}
	for _, rate := range []float64{0, 0.25, 1} {
		srv, err := fake.NewServer(fake.WithChaos(1, rate))
		if err != nil {
			t.Errorf("WithChaos(1, %v): %v", rate, err)
			continue
		}
		srv.Close()
	}
}

// chaosCall is one call of a customer's script, and what it got.
type chaosCall struct {
	path   string
	status int // 0: no response (the connection closed)
}

// chaosScript is the calls each customer makes, in order: every operation, some twice.
func chaosScript(upgradeID string) []chaosCall {
	return []chaosCall{
		{path: "/v1/productupgrades/eligibility"},
		{path: "/v1/productupgrades"},
		{path: "/v1/productupgrades/eligibility"},
		{path: "/v1/productupgrades/" + upgradeID + "/status"},
		{path: "/v1/productupgrades"},
		{path: "/v1/productupgrades/" + upgradeID + "/status"},
		{path: "/v1/productupgrades/eligibility"},
	}
}

// chaosSend posts body to path with a fresh MS-RequestId and no retry; status 0 means the
// connection closed without a response.
func chaosSend(t *testing.T, hc *http.Client, srv *fake.Server, path, body string) (status int, retryAfter string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil { // t.Error, not t.Fatal: send runs in the scripts' goroutines
		t.Error(err)
		return -1, ""
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", testkit.NewID())
	req.Header.Set("MS-CorrelationId", testkit.NewID())
	resp, err := hc.Do(req)
	if err != nil {
		return 0, ""
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// runChaosScripts runs chaosScript for each customer against a new server with opts: the
// customers in parallel when parallel is set, else one after the other in reverse order. It
// returns what each customer's calls got and the server.
func runChaosScripts(t *testing.T, customers []string, parallel bool, opts ...fake.Option) (map[string][]chaosCall, *fake.Server) {
	t.Helper()
	srv := fake.Start(t, opts...)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	got := make([][]chaosCall, len(customers))
	run := func(i int) {
		calls := chaosScript(testkit.GUID(uint64(9000 + i)))
		for j := range calls {
			calls[j].status, _ = chaosSend(t, hc, srv, calls[j].path, requestBody(customers[i], "Azure"))
		}
		got[i] = calls
	}
	if parallel {
		var wg sync.WaitGroup
		for i := range customers {
			wg.Add(1)
			go func() { defer wg.Done(); run(i) }()
		}
		wg.Wait()
	} else {
		for i := len(customers) - 1; i >= 0; i-- {
			run(i)
		}
	}
	srv.Close()
	out := map[string][]chaosCall{}
	for i, c := range customers {
		out[c] = got[i]
	}
	return out, srv
}

// sortedChaos returns srv's chaos faults in a canonical order, without their request ids
// (new on every run).
func sortedChaos(srv *fake.Server) []fake.ChaosFault {
	fs := srv.ChaosFaults()
	for i := range fs {
		fs[i].RequestID = ""
	}
	slices.SortFunc(fs, func(a, b fake.ChaosFault) int {
		return cmp.Or(strings.Compare(a.CustomerID, b.CustomerID), strings.Compare(a.Operation, b.Operation), a.N-b.N)
	})
	return fs
}

func chaosCustomers(n int) []string {
	cs := make([]string, n)
	for i := range cs {
		cs[i] = testkit.GUID(uint64(0xc4a05000 + i))
	}
	return cs
}

func TestChaosRateZeroNeverFaults(t *testing.T) {
	t.Parallel()
	got, srv := runChaosScripts(t, chaosCustomers(30), true, fake.WithChaos(7, 0))
	for c, calls := range got {
		for _, call := range calls {
			if call.status == 0 || call.status == http.StatusTooManyRequests || call.status >= 500 {
				t.Errorf("customer %s: %s answered %d with chaos rate 0", c, call.path, call.status)
			}
		}
	}
	if n := len(srv.ChaosCounts()) + len(srv.ChaosFaults()); n != 0 {
		t.Errorf("rate 0: ChaosCounts %v, ChaosFaults %v: want none", srv.ChaosCounts(), srv.ChaosFaults())
	}
}

func TestChaosRateOneFaultsEveryValidRequest(t *testing.T) {
	t.Parallel()
	customers := chaosCustomers(30)
	got, srv := runChaosScripts(t, customers, true, fake.WithChaos(7, 1))
	calls := 0
	for _, cs := range got {
		calls += len(cs)
	}
	fs := srv.ChaosFaults()
	if len(fs) != calls {
		t.Fatalf("rate 1: %d chaos faults for %d requests", len(fs), calls)
	}
	counts := srv.ChaosCounts()
	total := 0
	for _, k := range []fake.FaultKind{fake.FaultThrottle, fake.FaultServerError, fake.FaultDelay, fake.FaultLoseResponse} {
		if counts[k] == 0 {
			t.Errorf("rate 1, %d requests: no %s fault (counts %v)", calls, k, counts)
		}
		total += counts[k]
	}
	if total != calls {
		t.Errorf("ChaosCounts %v add up to %d, want %d", counts, total, calls)
	}
	// Each fault stays in its bounds, and the response is the fault's.
	for _, f := range fs {
		ok := false
		switch f.Fault.Kind {
		case fake.FaultThrottle:
			ok = f.Fault.RetryAfter == 0 || f.Fault.RetryAfter == time.Second
		case fake.FaultServerError:
			ok = f.Fault.Status == http.StatusInternalServerError || f.Fault.Status == http.StatusServiceUnavailable
		case fake.FaultDelay:
			ok = f.Fault.Delay >= time.Millisecond && f.Fault.Delay <= 30*time.Millisecond
		case fake.FaultLoseResponse:
			ok = true
		}
		if !ok {
			t.Errorf("fault out of bounds: %+v", f)
		}
		if f.RequestID == "" || f.Operation == "" || f.N < 1 || !slices.Contains(customers, f.CustomerID) {
			t.Errorf("fault not attributed: %+v", f)
		}
		status := got[f.CustomerID][callIndex(t, got[f.CustomerID], f)].status
		var want []int
		switch f.Fault.Kind {
		case fake.FaultThrottle:
			want = []int{http.StatusTooManyRequests}
		case fake.FaultServerError:
			want = []int{f.Fault.Status}
		case fake.FaultLoseResponse:
			want = []int{0}
		default: // a delay, then the answer
			want = []int{http.StatusOK, http.StatusAccepted, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict}
		}
		if !slices.Contains(want, status) {
			t.Errorf("%+v: answered %d, want one of %v", f, status, want)
		}
	}
}

// callIndex finds the call of calls that f hit: the f.N-th to f.Operation.
func callIndex(t *testing.T, calls []chaosCall, f fake.ChaosFault) int {
	t.Helper()
	n := 0
	for i, c := range calls {
		var op string
		switch {
		case strings.HasSuffix(c.path, "/eligibility"):
			op = fake.OpEligibility
		case strings.HasSuffix(c.path, "/status"):
			op = fake.OpStatus
		default:
			op = fake.OpCreate
		}
		if op == f.Operation {
			if n++; n == f.N {
				return i
			}
		}
	}
	t.Fatalf("%+v: the customer made no such call", f)
	return 0
}

func TestChaosFailsNoRequestThatFailsAuthentication(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithChaos(7, 1))
	tr := testkit.NewSpecTransport(t, nil)
	for range 20 {
		if r := raw(t, tr, srv, "/v1/productupgrades/eligibility", requestBody(customerA, "Azure"), "Authorization", "-"); r.status != http.StatusUnauthorized {
			t.Fatalf("no token, chaos rate 1: status %d, want 401", r.status)
		}
		if r := raw(t, tr, srv, "/v1/productupgrades/eligibility", `{"customerId":"nope","productFamily":"Azure"}`); r.status != http.StatusBadRequest {
			t.Fatalf("invalid body, chaos rate 1: status %d, want 400", r.status)
		}
	}
	if fs := srv.ChaosFaults(); len(fs) != 0 {
		t.Errorf("chaos hit requests refused before it: %+v", fs)
	}
}

// The same seed and the same calls per customer give the same faults, whatever the
// interleaving: all customers at once against one server, one after the other (in reverse
// order) against another.
func TestChaosIsReproducibleFromTheSeed(t *testing.T) {
	t.Parallel()
	customers := chaosCustomers(24)
	gotA, srvA := runChaosScripts(t, customers, true, fake.WithChaos(42, 0.5))
	gotB, srvB := runChaosScripts(t, customers, false, fake.WithChaos(42, 0.5))
	a, b := sortedChaos(srvA), sortedChaos(srvB)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, same calls per customer: %d faults, then %d different ones", len(a), len(b))
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Errorf("first difference: %+v vs %+v", a[i], b[i])
				break
			}
		}
	}
	for _, c := range customers {
		if !slices.Equal(gotA[c], gotB[c]) {
			t.Errorf("customer %s: answers %v, then %v", c, gotA[c], gotB[c])
		}
	}
	// About half of the requests, the rate (fixed by the seed: this cannot flake).
	calls := len(customers) * len(chaosScript(""))
	if n := len(a); n < calls*35/100 || n > calls*65/100 {
		t.Errorf("rate 0.5: %d faults in %d requests", n, calls)
	}

	_, srvC := runChaosScripts(t, customers, true, fake.WithChaos(43, 0.5))
	if c := sortedChaos(srvC); slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 gave the same %d faults", len(a))
	}
}

// An injected fault takes precedence over chaos, and still counts as the customer's request.
func TestInjectFaultTakesPrecedenceOverChaos(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithChaos(7, 1))
	if err := srv.InjectFault(fake.Fault{Kind: fake.FaultThrottle, Operation: fake.OpEligibility, RetryAfter: 7 * time.Second}); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	if status, ra := chaosSend(t, hc, srv, "/v1/productupgrades/eligibility", requestBody(customerA, "Azure")); status != http.StatusTooManyRequests || ra != "7" {
		t.Fatalf("injected throttle: status %d Retry-After %q, want 429 and 7", status, ra)
	}
	if fs := srv.ChaosFaults(); len(fs) != 0 {
		t.Fatalf("chaos hit the request an injected fault took: %+v", fs)
	}
	chaosSend(t, hc, srv, "/v1/productupgrades/eligibility", requestBody(customerA, "Azure"))
	fs := srv.ChaosFaults()
	if len(fs) != 1 || fs[0].N != 2 || fs[0].Operation != fake.OpEligibility || fs[0].CustomerID != customerA {
		t.Errorf("chaos faults %+v, want one on the customer's second eligibility check", fs)
	}
}
