package fake_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// The soak's chaos: a fixed seed, so that every run injects the same faults.
const (
	soakSeed      = 20261127
	soakRate      = 0.25
	soakWorkflows = 500
	// soakResumes bounds the EnsureUpgradeWithRequestID resumes of one workflow,
	// soakRestarts its EnsureUpgrade restarts and its WaitForUpgrade restarts.
	soakResumes  = 3
	soakRestarts = 3
	// soakMaxRetries is the client's: few, so that some creates end with an unknown outcome.
	soakMaxRetries = 1
)

// soakCustomer is the GUID of the soak's i-th customer.
func soakCustomer(i int) string { return testkit.GUID(uint64(0x50a4_0000 + i)) }

// soakOutcome is how one workflow ended.
type soakOutcome struct {
	ensure   *client.EnsureResult
	status   *client.UpgradeStatus
	err      error
	resumes  int // EnsureUpgradeWithRequestID calls after an unknown outcome
	restarts int // EnsureUpgrade calls again after a failure before any create
	rewaits  int // WaitForUpgrade calls again after a failed check
}

// soakTransient reports whether err is a failure worth trying again (throttled, a 5xx, a
// transport error) that left no create's outcome unknown.
func soakTransient(err error) bool {
	if err == nil || errors.Is(err, client.ErrOutcomeUnknown) {
		return false
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	}
	var urlErr *url.Error
	return errors.As(err, &urlErr)
}

// runSoakWorkflow is the documented recovery path: EnsureUpgrade; while its outcome is
// unknown, EnsureUpgradeWithRequestID with the OutcomeUnknownError's RequestID, never a new
// one; after a failure before any create (nothing was created), EnsureUpgrade again. Then
// WaitForUpgrade, again after a failed check. Each bounded.
func runSoakWorkflow(ctx context.Context, c *client.Client, customer string) soakOutcome {
	req := client.UpgradeRequest{CustomerID: customer, ProductFamily: "Azure"}
	var o soakOutcome
	for {
		o.ensure, o.err = c.EnsureUpgrade(ctx, req)
		var unknown *client.OutcomeUnknownError
		for errors.As(o.err, &unknown) && o.resumes < soakResumes {
			o.resumes++
			o.ensure, o.err = c.EnsureUpgradeWithRequestID(ctx, unknown.RequestID, req)
		}
		if !soakTransient(o.err) || o.restarts == soakRestarts {
			break
		}
		o.restarts++
	}
	if o.err != nil {
		o.err = fmt.Errorf("ensure (after %d resumes, %d restarts): %w", o.resumes, o.restarts, o.err)
		return o
	}
	for {
		o.status, o.err = c.WaitForUpgrade(ctx, o.ensure.UpgradeID, req, &client.WaitOptions{Interval: time.Millisecond})
		if !soakTransient(o.err) || o.rewaits == soakRestarts {
			break
		}
		o.rewaits++
	}
	if o.err != nil {
		o.err = fmt.Errorf("wait for %s (after %d rewaits): %w", o.ensure.UpgradeID, o.rewaits, o.err)
	}
	return o
}

// 500 customers run the upgrade workflow at once against a fake that fails a quarter of the
// requests: each ends with exactly one upgrade, Completed, and chaos really did inject every
// kind of fault.
func TestSoakEnsureUpgradeUnderChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs 500 workflows")
	}
	t.Parallel()
	start := time.Now()
	srv := fake.Start(t, fake.WithChaos(soakSeed, soakRate), fake.WithPollsUntilComplete(1))
	// Retries are fast and few, so that retries run out and EnsureUpgrade has unknown
	// outcomes to recover from; a 1-second Retry-After (chaos's longest) is waited for, not
	// returned as an error: MaxDelay is a second.
	// The responses are not spec-checked here (the other tests do it; it is a third of the
	// soak's CPU): the soak is about recovery. The fake still checks every request.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	t.Cleanup(hc.CloseIdleConnections)
	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(hc),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		client.WithRetry(client.RetryPolicy{MaxRetries: soakMaxRetries, BaseDelay: time.Millisecond, MaxDelay: time.Second}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testkit.Context(t, 2*time.Minute)

	outcomes := make([]soakOutcome, soakWorkflows)
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = runSoakWorkflow(ctx, c, soakCustomer(i))
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	srv.Close()

	upgrades := map[string][]fake.Upgrade{}
	for _, u := range srv.Upgrades() {
		upgrades[u.CustomerID] = append(upgrades[u.CustomerID], u)
	}
	var created, recovered, resends, resumes, restarts, rewaits int
	for i, o := range outcomes {
		customer := soakCustomer(i)
		if o.err != nil {
			t.Errorf("customer %s: %v", customer, o.err)
			continue
		}
		if !o.status.Succeeded() || o.status.Status != fake.StatusCompleted {
			t.Errorf("customer %s: workflow ended %q, want %s", customer, o.status.Status, fake.StatusCompleted)
		}
		ups := upgrades[customer]
		if len(ups) != 1 {
			t.Errorf("customer %s: %d upgrades on the server, want exactly 1: %+v", customer, len(ups), ups)
			continue
		}
		if !strings.EqualFold(ups[0].ID, o.ensure.UpgradeID) {
			t.Errorf("customer %s: the workflow waited for %s, the server holds %s", customer, o.ensure.UpgradeID, ups[0].ID)
		}
		if o.ensure.Created {
			created++
		}
		if o.ensure.Recovered {
			recovered++
		}
		resends += o.ensure.Resends
		resumes += o.resumes
		restarts += o.restarts
		rewaits += o.rewaits
	}
	if len(upgrades) != soakWorkflows {
		t.Errorf("the server holds upgrades of %d customers, want %d", len(upgrades), soakWorkflows)
	}

	counts := srv.ChaosCounts()
	for _, k := range []fake.FaultKind{fake.FaultThrottle, fake.FaultServerError, fake.FaultDelay, fake.FaultLoseResponse} {
		if counts[k] == 0 {
			t.Errorf("chaos injected no %s fault (counts %v)", k, counts)
		}
	}
	lostCreates := 0
	for _, f := range srv.ChaosFaults() {
		if f.Operation == fake.OpCreate && f.Fault.Kind == fake.FaultLoseResponse {
			lostCreates++
		}
	}
	if lostCreates == 0 {
		t.Error("chaos lost no create's response: the soak did not test the recovery of an unknown outcome")
	}
	if recovered == 0 {
		t.Error("no EnsureUpgrade recovered from an unknown outcome: the soak did not test the recovery")
	}
	t.Logf("%d workflows in %v: %d requests, chaos %v (%d lost 202s); created %d, recovered %d, resends %d, resumes %d, restarts %d, rewaits %d",
		soakWorkflows, elapsed.Round(time.Millisecond), len(srv.Requests()), counts, lostCreates, created, recovered, resends, resumes, restarts, rewaits)
}
