package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// statusBody is a ProductUpgradesStatus as the docs' example shows it, with the given status.
func statusBody(status string) string {
	return `{"id":"` + testUpgradeID + `","status":"` + status + `","productFamily":"Azure","lineItems":[{` +
		`"sourceProduct":{"id":"b1beb621-3cad-4d7a-b360-62db33ce028e","name":"AzureSubscription"},` +
		`"targetProduct":{"id":"d231908e-31c1-de0e-027b-bc5ce11f09d9","name":"Microsoft Azure plan"},` +
		`"upgradedDate":"2019-08-29T23:47:28.8524555Z","status":"` + status + `"}]}`
}

func TestCheckStatus_DecodesTheDocsExample(t *testing.T) {
	t.Parallel()
	for name, headers := range map[string][]string{
		"no Content-Type, as the docs": nil,
		"JSON Content-Type":            {"Content-Type", "application/json"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, http.StatusOK, statusBody("Completed"), headers...)
			})
			c := newClient(t, srv.URL)
			s, err := c.CheckStatus(context.Background(), testUpgradeID, testRequest())
			require.NoError(t, err)
			want := &client.UpgradeStatus{
				ID: testUpgradeID, ProductFamily: "Azure", Status: "Completed",
				LineItems: []client.LineItem{{
					SourceProduct:   client.Product{ID: "b1beb621-3cad-4d7a-b360-62db33ce028e", Name: "AzureSubscription"},
					TargetProduct:   client.Product{ID: "d231908e-31c1-de0e-027b-bc5ce11f09d9", Name: "Microsoft Azure plan"},
					UpgradedDate:    time.Date(2019, 8, 29, 23, 47, 28, 852455500, time.UTC),
					UpgradedDateRaw: "2019-08-29T23:47:28.8524555Z",
					Status:          "Completed",
				}},
			}
			assert.Equal(t, want, s)
			r := srv.Requests()[0]
			assert.Equal(t, "/v1/productupgrades/"+testUpgradeID+"/status", r.Path)
			assert.JSONEq(t, `{"customerId":"`+testCustomerID+`","productFamily":"Azure"}`, r.Body)
		})
	}
}

func TestCheckEligibility_DecodesWithBOMAndWithoutContentType(t *testing.T) {
	t.Parallel()
	for name, headers := range map[string][]string{
		"no Content-Type":        nil,
		"BOM, JSON Content-Type": {"Content-Type", "application/json; charset=utf-8"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, http.StatusOK, "\xEF\xBB\xBF"+`{"customerId":"c1958bc7-3284-4952-a257-de594ee64743","isEligible":false,`+
					`"productFamily":"azure","upgradeId":"`+testUpgradeID+`","reason":"upgrade in place"}`, headers...)
			})
			c := newClient(t, srv.URL)
			e, err := c.CheckEligibility(context.Background(), testRequest())
			require.NoError(t, err)
			assert.Equal(t, &client.Eligibility{
				CustomerID: "c1958bc7-3284-4952-a257-de594ee64743", ProductFamily: "azure",
				IsEligible: false, UpgradeID: testUpgradeID, Reason: "upgrade in place",
			}, e)
			assert.Equal(t, "/v1/productupgrades/eligibility", srv.Requests()[0].Path)
		})
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body    string
		want    string
		wantErr error
	}{
		{`{"isEligible":false,"upgradeId":"` + testUpgradeID + `"}`, testUpgradeID, nil},
		{`{"isEligible":true}`, "", client.ErrNoUpgradeInPlace},
	} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, http.StatusOK, tc.body) })
		c := newClient(t, srv.URL)
		id, err := c.Reconcile(context.Background(), testRequest())
		assert.Equal(t, tc.want, id)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr)
		} else {
			assert.NoError(t, err)
		}
	}
}

func TestWait_PollsUntilCompleted(t *testing.T) {
	t.Parallel()
	statuses := []string{"InProgress", "Pending", "completed"}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusBody(statuses[min(n, len(statuses)-1)]))
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	var seen []string
	s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{
		Interval:   5 * time.Second,
		OnProgress: func(s *client.UpgradeStatus) { seen = append(seen, s.Status) },
	})
	require.NoError(t, err)
	assert.Equal(t, "completed", s.Status)
	assert.True(t, s.Succeeded())
	assert.Equal(t, statuses, seen)
	assert.Equal(t, []time.Duration{5 * time.Second, 5 * time.Second}, rec.Sleeps())
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.NotEqual(t, reqs[0].Header.Get("MS-RequestId"), reqs[1].Header.Get("MS-RequestId"), "each poll is a new call")
}

func TestWait_DefaultInterval(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusBody(map[bool]string{true: "InProgress", false: "Completed"}[n == 0]))
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{client.DefaultPollInterval}, rec.Sleeps())
}

func TestWait_FailureStatesReturnTheErrorDetails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status, details string
		want            *client.ErrorDetails
	}{
		{"Failed", `{"code":900120,"description":"Cannot process Azure upgrade"}`, &client.ErrorDetails{Code: "900120", Message: "Cannot process Azure upgrade"}},
		{"FAILED", `{"code":"E1","message":"docs' field name"}`, &client.ErrorDetails{Code: "E1", Message: "docs' field name"}},
		{"Cancelled", "", nil},
		{"canceled", "", nil},
		{"Error", "", nil},
	} {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			body := `{"id":"` + testUpgradeID + `","status":"` + tc.status + `"`
			if tc.details != "" {
				body += `,"errorDetails":` + tc.details
			}
			body += "}"
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 0 {
					reply(w, http.StatusOK, statusBody("InProgress"))
					return
				}
				reply(w, http.StatusOK, body)
			})
			c := newClient(t, srv.URL)
			recordSleeps(c)
			s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Millisecond})
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrUpgradeFailed)
			var fe *client.UpgradeFailedError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.want, fe.ErrorDetails)
			assert.Equal(t, tc.status, fe.Status)
			assert.Equal(t, testUpgradeID, fe.UpgradeID)
			require.NotNil(t, s, "the final status comes with the error")
			assert.True(t, s.Failed())
			assert.Len(t, srv.Requests(), 2)
		})
	}
}

func TestWait_RetryAfterOnAStatusResponseIsHonoured(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusOK, statusBody("InProgress"), "Retry-After", "7")
			return
		}
		reply(w, http.StatusOK, statusBody("Completed"))
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Second})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, rec.Sleeps())
}

func TestWait_LongThrottleIsWaitedOutNotFatal(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "120")
			return
		}
		reply(w, http.StatusOK, statusBody("Completed"))
	})
	c := newClient(t, srv.URL) // MaxDelay 60s: the check returns the 429 instead of sleeping
	rec := recordSleeps(c)
	s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Second})
	require.NoError(t, err)
	assert.True(t, s.Succeeded())
	assert.Equal(t, []time.Duration{60 * time.Second}, rec.Sleeps(), "a Retry-After is waited for at most MaxDelay")
	assert.Len(t, srv.Requests(), 2)
}

func TestWait_NotFoundEndsTheWait(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusNotFound, `{"code":900106,"description":"No upgrade request was found","data":[],"source":"PartnerFD"}`)
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Millisecond})
	assert.Nil(t, s)
	assert.True(t, client.IsUpgradeNotFound(err), "%v", err)
	assert.Len(t, srv.Requests(), 1)
	assert.Empty(t, rec.Sleeps())
}

func TestWait_ContextEndsTheWait(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusBody("InProgress"))
	})
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	s, err := c.WaitForUpgrade(ctx, testUpgradeID, testRequest(), &client.WaitOptions{
		Interval: time.Hour, // only cancellation can end this wait in time
		OnProgress: func(*client.UpgradeStatus) {
			calls++
			cancel()
		},
	})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, s, "the last status read comes with the error")
	assert.Equal(t, "InProgress", s.Status)
	assert.Equal(t, 1, calls)
	assert.Contains(t, err.Error(), "InProgress")
}

func TestWait_RejectsNegativeInterval(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://127.0.0.1:1")
	_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: -time.Second})
	assert.ErrorIs(t, err, client.ErrInvalidInput)
	assert.Contains(t, err.Error(), "Interval")
}

func TestUpgradeStatus_Classification(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]struct{ succeeded, failed bool }{
		"Completed": {true, false}, "COMPLETED": {true, false}, " completed ": {true, false},
		"Failed": {false, true}, "failure": {false, true}, "Error": {false, true},
		"Cancelled": {false, true}, "Canceled": {false, true}, "Aborted": {false, true}, "Rejected": {false, true},
		"InProgress": {false, false}, "Pending": {false, false}, "": {false, false}, "Completing": {false, false},
		"PartiallyFailed": {false, false},
	} {
		s := &client.UpgradeStatus{Status: status}
		assert.Equalf(t, want.succeeded, s.Succeeded(), "%q", status)
		assert.Equalf(t, want.failed, s.Failed(), "%q", status)
		assert.Equalf(t, want.succeeded || want.failed, s.Done(), "%q", status)
	}
	var nilStatus *client.UpgradeStatus
	assert.False(t, nilStatus.Done())
}

func TestCheckStatus_MissingStatusIsMalformed(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, `{"id":"`+testUpgradeID+`"}`)
	})
	c := newClient(t, srv.URL)
	_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Millisecond})
	assert.ErrorIs(t, err, client.ErrMalformedResponse)
	assert.Len(t, srv.Requests(), 1)
}

func TestCheckStatus_BadResponseIDHeaderDoesNotHideTheBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusBody("InProgress"), "Content-Type", "application/json", "MS-RequestId", "not-a-guid")
	})
	c := newClient(t, srv.URL)
	s, err := c.CheckStatus(context.Background(), testUpgradeID, testRequest())
	require.NoError(t, err)
	assert.Equal(t, "InProgress", s.Status)
}
