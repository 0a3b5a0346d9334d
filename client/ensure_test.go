package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// upgradeService is a scripted Partner Center that keeps upgrades the way the service does:
// one per customer and family, a repeated MS-RequestId answered with the same upgrade. Its
// knobs make creates fail in the ways EnsureUpgrade must survive.
type upgradeService struct {
	t *testing.T

	mu        sync.Mutex
	byRequest map[string]string // MS-RequestId -> upgrade id
	upgrades  []string          // every upgrade created, in order
	creates   []string          // the MS-RequestId of every create received
	eligible  int               // eligibility checks received

	// loseAfter: the create is served, then its response is lost, this many times.
	loseAfter int
	// loseBefore: the create's connection closes before it is served, this many times.
	loseBefore int
	// hideFromEligibility: eligibility names no upgrade in place (a lagging read model).
	hideFromEligibility bool
	// inPlace: eligibility names this upgrade from the start.
	inPlace string
	// ineligible: eligibility answers isEligible false with this reason.
	ineligible string
	// createError: every create is answered with this status and body instead.
	createStatus int
	createBody   string
}

func newUpgradeService(t *testing.T) (*upgradeService, *fakeServer) {
	s := &upgradeService{t: t, byRequest: map[string]string{}}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, _ int) { s.serve(w, r) })
	return s, srv
}

func (s *upgradeService) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path := strings.ToLower(r.URL.Path); path {
	case "/v1/productupgrades/eligibility":
		s.eligible++
		id := s.inPlace
		if id == "" && len(s.upgrades) > 0 && !s.hideFromEligibility {
			id = s.upgrades[0]
		}
		switch {
		case s.ineligible != "":
			reply(w, http.StatusOK, fmt.Sprintf(`{"customerId":%q,"productFamily":"Azure","isEligible":false,"reason":%q}`, testCustomerID, s.ineligible))
		case id != "":
			reply(w, http.StatusOK, fmt.Sprintf(`{"customerId":%q,"productFamily":"Azure","isEligible":false,"upgradeId":%q}`, testCustomerID, id))
		default:
			reply(w, http.StatusOK, fmt.Sprintf(`{"customerId":%q,"productFamily":"Azure","isEligible":true}`, testCustomerID))
		}
	case "/v1/productupgrades":
		rid := r.Header.Get("MS-RequestId")
		s.creates = append(s.creates, rid)
		if s.loseBefore > 0 {
			s.loseBefore--
			dropConnection(s.t, w)
			return
		}
		if s.createStatus != 0 {
			reply(w, s.createStatus, s.createBody, "Content-Type", "application/json")
			return
		}
		id, ok := s.byRequest[rid]
		if !ok {
			id = testkit.GUID(uint64(len(s.upgrades)) + 100)
			s.byRequest[rid] = id
			s.upgrades = append(s.upgrades, id)
		}
		if s.loseAfter > 0 {
			s.loseAfter--
			dropConnection(s.t, w)
			return
		}
		accepted(w, "productUpgrades/"+id)
	default:
		http.NotFound(w, r)
	}
}

func (s *upgradeService) state() (upgrades, creates []string, eligibility int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.upgrades...), append([]string(nil), s.creates...), s.eligible
}

// oneRequestID fails unless every create carried the same MS-RequestId, and returns it.
func oneRequestID(t *testing.T, creates []string) string {
	t.Helper()
	require.NotEmpty(t, creates)
	for _, rid := range creates {
		require.Equal(t, creates[0], rid, "every create of one EnsureUpgrade must carry the same MS-RequestId")
	}
	require.Regexp(t, guidRE, creates[0])
	return creates[0]
}

func TestEnsureUpgrade_CreatesWhenNoneInPlace(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	c := newClient(t, srv.URL)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.NoError(t, err)
	upgrades, creates, _ := svc.state()
	require.Len(t, upgrades, 1)
	require.Equal(t, &client.EnsureResult{UpgradeID: upgrades[0], Created: true, RequestID: oneRequestID(t, creates)}, res)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.True(t, strings.HasSuffix(reqs[0].Path, "/eligibility"), "eligibility comes first, got %s", reqs[0].Path)
}

func TestEnsureUpgrade_InPlaceIsReturnedAndNothingCreated(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.inPlace = strings.ToUpper(testUpgradeID) // the service's casing is not the client's concern
	c := newClient(t, srv.URL)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.NoError(t, err)
	require.Equal(t, &client.EnsureResult{UpgradeID: testUpgradeID}, res)
	_, creates, _ := svc.state()
	require.Empty(t, creates, "an upgrade in place must never be created again")
}

func TestEnsureUpgrade_NotEligible(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.ineligible = "Customer has no Azure subscription"
	c := newClient(t, srv.URL)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.Nil(t, res)
	require.ErrorIs(t, err, client.ErrNotEligible)
	var ne *client.NotEligibleError
	require.ErrorAs(t, err, &ne)
	require.Equal(t, "Customer has no Azure subscription", ne.Reason)
	require.Equal(t, testCustomerID, ne.CustomerID)
	require.Contains(t, err.Error(), "not eligible")
	_, creates, _ := svc.state()
	require.Empty(t, creates)
}

// A create whose every try lost its response, after the service took it up: the outcome is
// unknown, and the eligibility check names the upgrade.
func TestEnsureUpgrade_LostResponsesReconciled(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.loseAfter = 100
	c := newClient(t, srv.URL)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.NoError(t, err)
	upgrades, creates, _ := svc.state()
	require.Len(t, upgrades, 1, "exactly one upgrade")
	require.Len(t, creates, 4, "one create and its 3 retries, then reconciled: no resend")
	require.Equal(t, &client.EnsureResult{UpgradeID: upgrades[0], Recovered: true, RequestID: oneRequestID(t, creates)}, res)
}

// The eligibility check does not show the upgrade yet: the create is resent with the same
// MS-RequestId, and the service answers it with the upgrade the lost tries created.
func TestEnsureUpgrade_ResendWithTheSameRequestID(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.loseAfter = 4 // every try of the first create
	svc.hideFromEligibility = true
	c := newClient(t, srv.URL)
	sleeps := recordSleeps(c)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.NoError(t, err)
	upgrades, creates, eligibility := svc.state()
	require.Len(t, upgrades, 1, "exactly one upgrade")
	require.Len(t, creates, 5)
	require.Equal(t, 2, eligibility, "the first check and one reconcile")
	require.Equal(t, &client.EnsureResult{UpgradeID: upgrades[0], Created: true, Recovered: true,
		RequestID: oneRequestID(t, creates), Resends: 1}, res)
	require.Len(t, sleeps.Sleeps(), 4, "3 retry waits and one wait before the resend")
}

func TestEnsureUpgrade_GivesUpWithTheRequestIDToResume(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.loseBefore = 1000
	c := newClient(t, srv.URL)
	recordSleeps(c)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.Nil(t, res)
	var unknown *client.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, client.ErrOutcomeUnknown)
	upgrades, creates, _ := svc.state()
	require.Empty(t, upgrades)
	require.Len(t, creates, 4*(1+client.MaxEnsureResends), "bounded: 1+MaxEnsureResends creates of 4 tries each")
	require.Equal(t, oneRequestID(t, creates), unknown.RequestID)
	require.Contains(t, err.Error(), "EnsureUpgradeWithRequestID")

	// Resuming with the request id, once the service answers, creates the one upgrade.
	svc.mu.Lock()
	svc.loseBefore = 0
	svc.mu.Unlock()
	res, err = c.EnsureUpgradeWithRequestID(testkit.Context(t, callBound), unknown.RequestID, testRequest())
	require.NoError(t, err)
	upgrades, creates, _ = svc.state()
	require.Len(t, upgrades, 1)
	require.Equal(t, unknown.RequestID, creates[len(creates)-1])
	require.Equal(t, &client.EnsureResult{UpgradeID: upgrades[0], Created: true, RequestID: unknown.RequestID}, res)
}

// Resuming after the lost create took effect finds its upgrade in place: nothing is sent.
func TestEnsureUpgradeWithRequestID_FindsTheEarlierUpgrade(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	c := newClient(t, srv.URL)
	first, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.NoError(t, err)

	res, err := c.EnsureUpgradeWithRequestID(testkit.Context(t, callBound), first.RequestID, testRequest())
	require.NoError(t, err)
	require.Equal(t, &client.EnsureResult{UpgradeID: first.UpgradeID}, res)
	upgrades, creates, _ := svc.state()
	require.Len(t, upgrades, 1)
	require.Len(t, creates, 1)
}

func TestEnsureUpgrade_RefusalsThatNameTheUpgrade(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"in progress", http.StatusConflict, `{"code":900109,"description":"This upgrade is not allowed as original upgrade ` + testUpgradeID + ` is in progress"}`},
		{"completed", http.StatusBadRequest, `{"code":"900110","description":"Cannot process the upgrade request for completed upgrade ` + strings.ToUpper(testUpgradeID) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, srv := newUpgradeService(t)
			svc.createStatus = tc.status
			svc.createBody = tc.body
			c := newClient(t, srv.URL)
			res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
			require.NoError(t, err)
			_, creates, eligibility := svc.state()
			require.Equal(t, &client.EnsureResult{UpgradeID: testUpgradeID, RequestID: oneRequestID(t, creates)}, res)
			require.Equal(t, 1, eligibility, "the refusal names the upgrade: no reconcile needed")
		})
	}
}

func TestEnsureUpgrade_InProgressElsewhere(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.createStatus = http.StatusConflict
	svc.createBody = `{"code":900109,"description":"This upgrade is not allowed as original upgrade is in progress"}`
	c := newClient(t, srv.URL)

	res, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.Nil(t, res)
	require.ErrorIs(t, err, client.ErrUpgradeInProgress)
	var ip *client.UpgradeInProgressError
	require.ErrorAs(t, err, &ip)
	ae := asAPIError(t, err)
	require.Equal(t, http.StatusConflict, ae.StatusCode)
	_, _, eligibility := svc.state()
	require.Equal(t, 2, eligibility, "the first check and one reconcile")
}

func TestEnsureUpgrade_CreateRefusedAsIneligible(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.createStatus = http.StatusForbidden
	svc.createBody = `{"code":900120,"description":"Cannot process Azure upgrade: reseller relationship missing"}`
	c := newClient(t, srv.URL)

	_, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	var ne *client.NotEligibleError
	require.ErrorAs(t, err, &ne)
	require.Contains(t, ne.Reason, "reseller relationship missing")
	require.Equal(t, http.StatusForbidden, asAPIError(t, err).StatusCode)
}

func TestEnsureUpgrade_OtherErrorsAsTheyCame(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.createStatus = http.StatusUnauthorized
	svc.createBody = `{"code":800001,"description":"Partner Token missing in request context"}`
	c := newClient(t, srv.URL)

	_, err := c.EnsureUpgrade(testkit.Context(t, callBound), testRequest())
	require.Equal(t, client.CodeTokenMissing, asAPIError(t, err).Code)
	require.NotErrorIs(t, err, client.ErrOutcomeUnknown)
}

func TestEnsureUpgrade_BadInputSendsNothing(t *testing.T) {
	t.Parallel()
	_, srv := newUpgradeService(t)
	c := newClient(t, srv.URL)
	ctx := testkit.Context(t, callBound)

	_, err := c.EnsureUpgrade(ctx, client.UpgradeRequest{CustomerID: "not-a-guid", ProductFamily: "Azure"})
	var ve *client.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "UpgradeRequest.CustomerID", ve.Field)
	_, err = c.EnsureUpgradeWithRequestID(ctx, "{"+testUpgradeID+"}", testRequest())
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "requestID", ve.Field)
	require.Empty(t, srv.Requests())
}

// Cancelled while the create's outcome is unknown: no reconcile, no resend, and the error
// carries the request id to resume with.
func TestEnsureUpgrade_CancelledWhileUnknown(t *testing.T) {
	t.Parallel()
	svc, srv := newUpgradeService(t)
	svc.loseAfter = 100
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(testkit.Context(t, callBound))
	client.SetSleep(c, func(context.Context, time.Duration) error { cancel(); return context.Canceled })

	_, err := c.EnsureUpgrade(ctx, testRequest())
	var unknown *client.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	_, creates, eligibility := svc.state()
	require.Len(t, creates, 1)
	require.Equal(t, 1, eligibility, "no reconcile after the context ended")
	require.Equal(t, creates[0], unknown.RequestID)
}
