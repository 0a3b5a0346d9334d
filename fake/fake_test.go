package fake_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

var reqA = client.UpgradeRequest{CustomerID: customerA, ProductFamily: "Azure"}

func apiError(t *testing.T, err error) *client.APIError {
	t.Helper()
	var ae *client.APIError
	require.True(t, errors.As(err, &ae), "want an *APIError, got %v", err)
	return ae
}

func TestWorkflowEligibleCreateWaitCompleted(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithPollsUntilComplete(2))
	c := newClient(t, srv)
	ctx := context.Background()

	e, err := c.CheckEligibility(ctx, reqA)
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
	assert.Empty(t, e.UpgradeID)

	u, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)
	assert.Equal(t, "productUpgrades/"+u.ID, u.Location)

	var seen []string
	s, err := c.WaitForUpgrade(ctx, u.ID, reqA, &client.WaitOptions{
		Interval:   time.Millisecond,
		OnProgress: func(s *client.UpgradeStatus) { seen = append(seen, s.Status) },
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"InProgress", "InProgress", "Completed"}, seen)
	assert.Equal(t, u.ID, s.ID)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, fake.TargetProductName, s.LineItems[0].TargetProduct.Name)
	assert.False(t, s.LineItems[0].UpgradedDate.IsZero())

	e, err = c.CheckEligibility(ctx, client.UpgradeRequest{CustomerID: customerA, ProductFamily: "azure"})
	require.NoError(t, err)
	assert.False(t, e.IsEligible, "after completion")
	assert.Equal(t, u.ID, e.UpgradeID, "eligibility names the upgrade")

	_, err = c.CreateUpgrade(ctx, reqA)
	ae := apiError(t, err)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.Equal(t, client.CodeUpgradeCompleted, ae.Code)
	assert.Contains(t, ae.Description, u.ID)

	ups := srv.Upgrades()
	require.Len(t, ups, 1)
	assert.Equal(t, fake.Upgrade{
		ID: u.ID, CustomerID: customerA, ProductFamily: "Azure", Status: fake.StatusCompleted,
		StatusChecks: 3, RequestID: u.RequestID, Created: ups[0].Created,
	}, ups[0])
}

func TestSecondCreateWhileInProgressIs409(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	c := newClient(t, srv)
	ctx := context.Background()
	u, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)

	// Product family is matched case-insensitively: "AZURE" is the same upgrade.
	_, err = c.CreateUpgrade(ctx, client.UpgradeRequest{CustomerID: customerA, ProductFamily: "AZURE"})
	ae := apiError(t, err)
	assert.Equal(t, http.StatusConflict, ae.StatusCode)
	assert.True(t, client.IsUpgradeInProgress(err))
	assert.Contains(t, ae.Description, u.ID)

	id, err := c.Reconcile(ctx, reqA)
	require.NoError(t, err)
	assert.Equal(t, u.ID, id)

	// Another customer is not affected.
	_, err = c.CreateUpgrade(ctx, client.UpgradeRequest{CustomerID: customerB, ProductFamily: "Azure"})
	require.NoError(t, err)
	assert.Len(t, srv.Upgrades(), 2)
}

func TestStatusOfUnknownUpgradeIs404(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	c := newClient(t, srv)
	_, err := c.CheckStatus(context.Background(), "42d075a4-bfe7-43e7-af6d-7c68a57edcb4", reqA)
	ae := apiError(t, err)
	assert.Equal(t, http.StatusNotFound, ae.StatusCode)
	assert.True(t, client.IsUpgradeNotFound(err))
}

func TestStatusOfAnotherCustomersUpgradeIs400(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	c := newClient(t, srv)
	ctx := context.Background()
	u, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)
	_, err = c.CheckStatus(ctx, u.ID, client.UpgradeRequest{CustomerID: customerB, ProductFamily: "Azure"})
	ae := apiError(t, err)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.Equal(t, client.CodeUpgradeNotForCustomer, ae.Code)
	assert.Contains(t, ae.Description, customerB)
	assert.Equal(t, 0, srv.Upgrades()[0].StatusChecks, "a refused check does not count")
}

func TestScriptedFailureReportsErrorDetails(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithPollsUntilComplete(1), fake.WithFailure(customerA, "900105", "suspended subscriptions"))
	c := newClient(t, srv)
	ctx := context.Background()
	u, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)

	s, err := c.CheckStatus(ctx, u.ID, reqA)
	require.NoError(t, err)
	assert.Equal(t, "InProgress", s.Status)
	assert.Nil(t, s.ErrorDetails)

	s, err = c.CheckStatus(ctx, u.ID, reqA)
	require.NoError(t, err)
	assert.Equal(t, "Failed", s.Status)
	assert.True(t, s.Failed())
	require.NotNil(t, s.ErrorDetails)
	assert.Equal(t, client.ErrorDetails{Code: "900105", Message: "suspended subscriptions"}, *s.ErrorDetails)
	require.Len(t, s.LineItems, 1)
	assert.Equal(t, s.ErrorDetails, s.LineItems[0].ErrorDetails)

	// A failed upgrade does not block a new one.
	e, err := c.CheckEligibility(ctx, reqA)
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
	u2, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)
	assert.NotEqual(t, u.ID, u2.ID)
}

func TestIneligibleCustomer(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithIneligible(customerA, "customer has no Azure subscriptions"))
	c := newClient(t, srv)
	e, err := c.CheckEligibility(context.Background(), reqA)
	require.NoError(t, err)
	assert.False(t, e.IsEligible)
	assert.Equal(t, "customer has no Azure subscriptions", e.Reason)
	_, err = c.CreateUpgrade(context.Background(), reqA)
	assert.Equal(t, http.StatusForbidden, apiError(t, err).StatusCode)
	assert.Empty(t, srv.Upgrades())
}

func TestCreateReplayedWithSameRequestIDIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	tr := testkit.NewSpecTransport(t, nil)
	rid := testkit.NewID()
	first := raw(t, tr, srv, "/v1/productupgrades", requestBody(customerA, "Azure"), "MS-RequestId", rid)
	again := raw(t, tr, srv, "/v1/productupgrades", requestBody(customerA, "azure"), "MS-RequestId", rid)
	require.Equal(t, http.StatusAccepted, first.status)
	assert.Equal(t, http.StatusAccepted, again.status)
	assert.Equal(t, first.header.Get("Location"), again.header.Get("Location"))
	assert.Equal(t, rid, again.header.Get("MS-RequestId"))
	assert.Len(t, srv.Upgrades(), 1)

	// The same key for another customer is refused, not answered with someone else's upgrade.
	other := raw(t, tr, srv, "/v1/productupgrades", requestBody(customerB, "Azure"), "MS-RequestId", rid)
	assert.Equal(t, http.StatusBadRequest, other.status)
	assert.Equal(t, float64(fake.CodeInvalidRequestInput), other.code())
	assert.Len(t, srv.Upgrades(), 1)

	// Through the client: resending with the same request id gets the same upgrade.
	c := newClient(t, srv)
	rid2 := testkit.NewID()
	u1, err := c.CreateUpgradeWithRequestID(context.Background(), rid2, client.UpgradeRequest{CustomerID: customerB, ProductFamily: "Azure"})
	require.NoError(t, err)
	u2, err := c.CreateUpgradeWithRequestID(context.Background(), rid2, client.UpgradeRequest{CustomerID: customerB, ProductFamily: "Azure"})
	require.NoError(t, err)
	assert.Equal(t, u1.ID, u2.ID)
	assert.Len(t, srv.Upgrades(), 2)
}

func TestNoBearerTokenIs401(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	tr := testkit.NewSpecTransport(t, nil)
	for _, auth := range []string{"-", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer two words"} {
		r := raw(t, tr, srv, "/v1/productupgrades/eligibility", requestBody(customerA, "Azure"), "Authorization", auth)
		assert.Equal(t, http.StatusUnauthorized, r.status, "Authorization %q", auth)
		assert.Equal(t, float64(fake.CodeTokenMissing), r.code(), "Authorization %q", auth)
		assert.Equal(t, "PartnerFD", r.body["source"])
		assert.Equal(t, []any{}, r.body["data"])
	}
	assert.Empty(t, srv.Upgrades())
}

func TestSpecViolationIs400NamingTheRule(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	tr := testkit.NewSpecTransport(t, nil)
	cases := []struct {
		name, path, body string
		headers          []string
		want             string
	}{
		{"no MS-RequestId", "/v1/productupgrades", requestBody(customerA, "Azure"), []string{"MS-RequestId", "-"},
			"request.header.required at header MS-RequestId"},
		{"MS-CorrelationId not a GUID", "/v1/productupgrades/eligibility", requestBody(customerA, "Azure"), []string{"MS-CorrelationId", "abc"},
			"request.header.schema"},
		{"customerId not a GUID", "/v1/productupgrades", requestBody("not-a-guid", "Azure"), nil,
			"request.body.schema at body /customerId"},
		{"productFamily missing", "/v1/productupgrades", `{"customerId":"` + customerA + `"}`, nil,
			"request.body.schema at body /productFamily"},
		{"productFamily empty", "/v1/productupgrades/eligibility", requestBody(customerA, ""), nil,
			"request.body.schema at body /productFamily"},
		{"wrong content type", "/v1/productupgrades", requestBody(customerA, "Azure"), []string{"Content-Type", "text/plain"},
			"request.body.content-type at header Content-Type"},
		{"broken JSON", "/v1/productupgrades", `{"customerId":`, nil,
			"request.body.decode at body"},
		{"upgrade id not a GUID", "/v1/productupgrades/oops/status", requestBody(customerA, "Azure"), nil,
			"request.path.schema"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := raw(t, tr, srv, tc.path, tc.body, tc.headers...)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, float64(fake.CodeInvalidRequestInput), r.code())
			assert.True(t, strings.HasPrefix(r.description(), "Invalid request input: "), r.description())
			assert.Contains(t, r.description(), tc.want)
		})
	}
	assert.Empty(t, srv.Upgrades(), "no invalid request created anything")
}

func TestPathsMatchCaseInsensitively(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithPollsUntilComplete(0))
	tr := testkit.NewSpecTransport(t, nil)
	r := raw(t, tr, srv, "/V1/ProductUpgrades", requestBody(customerA, "Azure"))
	require.Equal(t, http.StatusAccepted, r.status)
	loc := r.header.Get("Location")
	r = raw(t, tr, srv, "/v1/"+loc+"/STATUS", requestBody(customerA, "Azure"))
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "Completed", r.body["status"])
	r = raw(t, tr, srv, "/v1/productUpgrades/eligibility", requestBody(customerA, "Azure"))
	assert.Equal(t, false, r.body["isEligible"])
}

func TestUnknownPathIs404AndIsRecorded(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	r := raw(t, http.DefaultTransport, srv, "/v1/customers", "{}")
	assert.Equal(t, http.StatusNotFound, r.status)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "", reqs[0].Operation)
	assert.Equal(t, http.StatusNotFound, reqs[0].Status)
}

func TestResponsesEchoIDsAndCarryServerHeaders(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	tr := testkit.NewSpecTransport(t, nil)
	rid, cid := testkit.NewID(), testkit.NewID()
	for _, body := range []string{requestBody(customerA, "Azure"), requestBody("bad", "Azure")} {
		r := raw(t, tr, srv, "/v1/productupgrades/eligibility", body, "MS-RequestId", rid, "MS-CorrelationId", cid)
		assert.Equal(t, rid, r.header.Get("MS-RequestId"))
		assert.Equal(t, cid, r.header.Get("MS-CorrelationId"))
		assert.NotEmpty(t, r.header.Get("MS-CV"))
		assert.Equal(t, fake.ServerID, r.header.Get("MS-ServerId"))
		assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	}
}

func TestRequestsAreRecordedWithoutTheToken(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	c := newClient(t, srv)
	_, err := c.CheckEligibility(context.Background(), reqA)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, fake.OpEligibility, r.Operation)
	assert.Equal(t, "/v1/productupgrades/eligibility", r.Path)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "Bearer <redacted>", r.Header.Get("Authorization"))
	assert.JSONEq(t, requestBody(customerA, "Azure"), string(r.Body))
	assert.NotContains(t, fmt.Sprintf("%+v", reqs), testToken)
}

func TestThrottleWithRetryAfterZeroIsRetried(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultThrottle, Operation: fake.OpCreate, Count: 2}))
	c := newClient(t, srv)
	u, err := c.CreateUpgrade(context.Background(), reqA)
	require.NoError(t, err)
	var statuses []int
	var rids []string
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
		rids = append(rids, r.Header.Get("MS-RequestId"))
	}
	assert.Equal(t, []int{429, 429, 202}, statuses)
	assert.Equal(t, []string{u.RequestID, u.RequestID, u.RequestID}, rids, "every try carries the same idempotency key")
	assert.Len(t, srv.Upgrades(), 1)
}

func TestThrottleLongerThanMaxDelayIsReturned(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultThrottle, RetryAfter: 57 * time.Second}))
	c := newClient(t, srv)
	_, err := c.CheckEligibility(context.Background(), reqA)
	ae := apiError(t, err)
	assert.True(t, client.IsThrottled(err))
	assert.Equal(t, 57*time.Second, ae.RetryAfter)
	assert.Contains(t, ae.Description, "Try again in 57 seconds")
	// The fault is used up: the next call goes through.
	_, err = c.CheckEligibility(context.Background(), reqA)
	assert.NoError(t, err)
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultServerError, Operation: fake.OpStatus}))
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultServerError, Operation: fake.OpStatus, Status: 503}))
	c := newClient(t, srv)
	ctx := context.Background()
	u, err := c.CreateUpgrade(ctx, reqA)
	require.NoError(t, err)
	_, err = c.CheckStatus(ctx, u.ID, reqA)
	require.NoError(t, err)
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{202, 500, 503, 200}, statuses)
	assert.Equal(t, 1, srv.Upgrades()[0].StatusChecks, "failed tries had no effect")
}

func TestServerErrorWithoutRetriesSurfaces(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultServerError, Status: 503, RetryAfter: time.Second}))
	c := newClient(t, srv, client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	_, err := c.CheckEligibility(context.Background(), reqA)
	ae := apiError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
	assert.Equal(t, "800003", ae.Code)
	assert.Equal(t, time.Second, ae.RetryAfter)
}

func TestLost202ClientRetryEndsWithExactlyOneUpgrade(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}))
	c := newClient(t, srv)

	u, err := c.CreateUpgrade(context.Background(), reqA)
	require.NoError(t, err)

	ups := srv.Upgrades()
	require.Len(t, ups, 1, "the retry must not create a second upgrade")
	assert.Equal(t, ups[0].ID, u.ID, "the client returns the upgrade the lost 202 created")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 0, reqs[0].Status, "first response lost")
	assert.Equal(t, http.StatusAccepted, reqs[1].Status)
	assert.Equal(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"))
}

func TestLost202WithoutRetriesIsReconciled(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}))
	c := newClient(t, srv, client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	ctx := context.Background()

	_, err := c.CreateUpgrade(ctx, reqA)
	var unknown *client.OutcomeUnknownError
	require.True(t, errors.As(err, &unknown), "got %v", err)

	id, err := c.Reconcile(ctx, reqA)
	require.NoError(t, err)
	u, err := c.CreateUpgradeWithRequestID(ctx, unknown.RequestID, reqA)
	require.NoError(t, err, "resending with the same key is answered with the same 202")
	assert.Equal(t, id, u.ID)
	assert.Len(t, srv.Upgrades(), 1)
}

func TestDelayFaultAndTryTimeout(t *testing.T) {
	// Not parallel: the 50ms per-try limit must bind only the held try, never a retry slowed
	// down by other tests.
	srv := fake.Start(t)
	// The first try is held far longer than the client's per-try limit; the retry succeeds.
	require.NoError(t, srv.InjectFault(fake.Fault{Kind: fake.FaultDelay, Operation: fake.OpEligibility, Delay: time.Hour}))
	c := newClient(t, srv, client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond, TryTimeout: 50 * time.Millisecond}))
	e, err := c.CheckEligibility(context.Background(), reqA)
	require.NoError(t, err)
	assert.True(t, e.IsEligible)
}

// A caller that gives up ends the fake's wait at once: the request is logged as cut short
// (status 0) while the hour of latency still has 59 minutes to go, and Close, which waits for
// running handlers, returns. The request is written whole on a raw connection, which is then
// closed: the fake has every byte of it, so it must start its wait, and only the caller
// leaving can end that wait.
func TestLatencyEndsWhenTheClientGivesUp(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithLatency(time.Hour))
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	body := requestBody(customerA, "Azure")
	_, err = fmt.Fprintf(conn, "POST /v1/productupgrades/eligibility HTTP/1.1\r\nHost: %s\r\n"+
		"Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		u.Host, testToken, len(body), body)
	require.NoError(t, err)
	require.NoError(t, conn.Close()) // the caller gives up

	// A hang guard, not a timing assertion: the wait must end because the caller left.
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Requests()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the fake is still waiting although its caller gave up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := srv.Requests()
	require.Len(t, got, 1)
	assert.Equal(t, 0, got[0].Status, "a request cut short is logged with status 0")
	srv.Close()
}

func TestInjectFaultRejectsNonsense(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t)
	for _, f := range []fake.Fault{
		{},
		{Kind: 99},
		{Kind: fake.FaultThrottle, Operation: "DeleteEverything"},
		{Kind: fake.FaultThrottle, Count: -1},
		{Kind: fake.FaultDelay, Delay: -time.Second},
		{Kind: fake.FaultServerError, Status: 502},
	} {
		assert.Error(t, srv.InjectFault(f), "%+v", f)
	}
}

func TestOptionsRejectNonsense(t *testing.T) {
	t.Parallel()
	for _, o := range []fake.Option{
		fake.WithPollsUntilComplete(-1),
		fake.WithFailure("not-a-guid", "1", "x"),
		fake.WithFailure(customerA, " ", "x"),
		fake.WithIneligible("", "x"),
		fake.WithIneligible(customerA, ""),
		fake.WithLatency(-time.Second),
	} {
		srv, err := fake.NewServer(o)
		assert.Error(t, err)
		assert.Nil(t, srv)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := fake.Start(t, fake.WithPollsUntilComplete(1))
	c := newClient(t, srv)
	ctx := context.Background()

	// Many customers at once, each through the whole workflow.
	const customers = 16
	var wg sync.WaitGroup
	errs := make(chan error, 2*customers)
	for i := 0; i < customers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := client.UpgradeRequest{CustomerID: fmt.Sprintf("11111111-2222-4333-8444-%012d", i), ProductFamily: "Azure"}
			u, err := c.CreateUpgrade(ctx, r)
			if err != nil {
				errs <- err
				return
			}
			if _, err := c.WaitForUpgrade(ctx, u.ID, r, &client.WaitOptions{Interval: time.Millisecond}); err != nil {
				errs <- err
			}
		}(i)
	}
	// And one customer raced by many creates: exactly one wins, the others get 409.
	const racers = 8
	var mu sync.Mutex
	var won, conflicts int
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateUpgrade(ctx, reqA)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case client.IsUpgradeInProgress(err):
				conflicts++
			default:
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, 1, won)
	assert.Equal(t, racers-1, conflicts)
	ups := srv.Upgrades()
	assert.Len(t, ups, customers+1)
	completed := 0
	for _, u := range ups {
		if u.Status == fake.StatusCompleted {
			completed++
		}
	}
	assert.Equal(t, customers, completed)
	assert.Len(t, srv.Requests(), customers*3+racers)
}

// The spec check of the tests must itself be able to fail: a response that breaks the spec
// (a 202 without Location, an error body without code) is caught.
func TestSpecTransportCatchesDrift(t *testing.T) {
	t.Parallel()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "eligibility") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"description":"no code"}`))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer broken.Close()
	tr := testkit.NewSpecTransport(t, nil)
	c, err := client.New(client.WithBaseURL(broken.URL), client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})), client.WithRetry(client.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	_, _ = c.CreateUpgrade(context.Background(), reqA)
	_, _ = c.CheckEligibility(context.Background(), reqA)
	assert.Equal(t, 2, tr.Checked())
	bad := tr.TakeViolations() // expected: taken, so that the transport's cleanup does not report them
	assert.True(t, bad.Has("response.header.required", "header Location"), "%v", bad)
	assert.True(t, bad.Has("response.body.schema", "body /code"), "%v", bad)
}
