package client_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// Issue 8: the client is liberal in what it accepts and never fails an upgrade over a field
// it does not need; a field it needs missing is an error naming it.

// statusWith is a status body with the given line item JSON.
func statusWith(status, lineItem string) string {
	return `{"id":"` + testUpgradeID + `","status":"` + status + `","productFamily":"Azure","lineItems":[` + lineItem + `]}`
}

func TestCheckStatus_UpgradedDateForms(t *testing.T) {
	t.Parallel()
	utc := func(nsec int) time.Time { return time.Date(2019, 8, 29, 23, 47, 28, nsec, time.UTC) }
	cases := []struct {
		raw  string // the JSON value
		want time.Time
		text string // UpgradedDateRaw
	}{
		{`"2019-08-29T23:47:28.8524555Z"`, utc(852455500), "2019-08-29T23:47:28.8524555Z"},
		{`"2019-08-29T23:47:28.8524555"`, utc(852455500), "2019-08-29T23:47:28.8524555"},
		{`"2019-08-29T23:47:28"`, utc(0), "2019-08-29T23:47:28"},
		{`"2019-08-29T23:47:28.8"`, utc(800000000), "2019-08-29T23:47:28.8"},
		{`"2019-08-30T00:47:28.8524555+01:00"`, utc(852455500), "2019-08-30T00:47:28.8524555+01:00"},
		{`"2019-08-29 23:47:28"`, utc(0), "2019-08-29 23:47:28"},
		{`"0001-01-01T00:00:00"`, time.Time{}, "0001-01-01T00:00:00"},
		{`"0001-01-01T00:00:00Z"`, time.Time{}, "0001-01-01T00:00:00Z"},
		{`""`, time.Time{}, ""},
		{`null`, time.Time{}, ""},
		{`"yesterday"`, time.Time{}, "yesterday"},
		{`1567122448`, time.Time{}, "1567122448"},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, http.StatusOK, statusWith("Completed", `{"upgradedDate":`+tc.raw+`,"status":"Completed"}`))
			})
			s, err := newClient(t, srv.URL).CheckStatus(context.Background(), testUpgradeID, testRequest())
			require.NoError(t, err, "a date the caller does not need never fails the call")
			require.Len(t, s.LineItems, 1)
			li := s.LineItems[0]
			assert.True(t, tc.want.Equal(li.UpgradedDate), "got %v, want %v", li.UpgradedDate, tc.want)
			assert.Equal(t, time.UTC, li.UpgradedDate.Location())
			assert.Equal(t, tc.text, li.UpgradedDateRaw)
		})
	}
}

func TestCheckStatus_AnyIDShapeAndNullsAreAccepted(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"product ids not GUIDs": statusWith("InProgress",
			`{"sourceProduct":{"id":"MS-AZR-0145P","name":"Azure"},"targetProduct":{"id":"DZH318Z0BCZC","name":"Azure plan"}}`),
		"empty product id":   statusWith("InProgress", `{"sourceProduct":{"id":""},"targetProduct":{"id":"00000000-0000-0000-0000-000000000000"}}`),
		"numeric product id": statusWith("InProgress", `{"sourceProduct":{"id":12345},"targetProduct":{"id":true}}`),
		"explicit nulls everywhere": `{"id":null,"status":"InProgress","productFamily":null,"lineItems":[null,{"sourceProduct":null,` +
			`"targetProduct":{"id":null,"name":null,"attributes":null},"upgradedDate":null,"status":null,"errorDetails":null}],` +
			`"errorDetails":null,"attributes":null}`,
		"lineItems null":           `{"id":"` + testUpgradeID + `","status":"InProgress","lineItems":null}`,
		"lineItems not an array":   `{"id":"` + testUpgradeID + `","status":"InProgress","lineItems":{"x":1}}`,
		"unknown properties":       `{"id":"` + testUpgradeID + `","status":"InProgress","etag":"x","newThing":{"a":[1,2]}}`,
		"id upper-case":            `{"id":"` + strings.ToUpper(testUpgradeID) + `","status":"InProgress"}`,
		"id in braces":             `{"id":"{` + testUpgradeID + `}","status":"InProgress"}`,
		"id the nil GUID":          `{"id":"00000000-0000-0000-0000-000000000000","status":"InProgress"}`,
		"id not a GUID":            `{"id":"upgrade-7","status":"InProgress"}`,
		"Id capitalised (docs)":    `{"Id":"` + testUpgradeID + `","Status":"InProgress"}`,
		"errorDetails description": `{"status":"Failed","errorDetails":{"code":900114,"description":"failed","message":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, http.StatusOK, body) })
			s, err := newClient(t, srv.URL).CheckStatus(context.Background(), testUpgradeID, testRequest())
			require.NoError(t, err)
			assert.NotEmpty(t, s.Status)
			assert.NotEmpty(t, s.ID)
		})
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusWith("InProgress",
			`{"sourceProduct":{"id":"MS-AZR-0145P","name":"Azure"},"targetProduct":{"id":"00000000-0000-0000-0000-000000000000"}}`))
	})
	s, err := newClient(t, srv.URL).CheckStatus(context.Background(), testUpgradeID, testRequest())
	require.NoError(t, err)
	assert.Equal(t, "MS-AZR-0145P", s.LineItems[0].SourceProduct.ID, "kept as written")
	assert.Empty(t, s.LineItems[0].TargetProduct.ID, "the nil GUID means none")
}

func TestDecode_NeededFieldMissingIsAnErrorNamingIt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, field string
		eligibility       bool
	}{
		{"isEligible missing", `{"customerId":"` + testCustomerID + `","upgradeId":""}`, `no "isEligible"`, true},
		{"isEligible null", `{"isEligible":null}`, `no "isEligible"`, true},
		{"isEligible not a boolean", `{"isEligible":"maybe"}`, `"isEligible" is not a boolean`, true},
		{"status missing", `{"id":"` + testUpgradeID + `"}`, `no "status"`, false},
		{"status null", `{"id":"` + testUpgradeID + `","status":null}`, `no "status"`, false},
		{"status empty", `{"id":"` + testUpgradeID + `","status":"  "}`, `no "status"`, false},
		{"status of another upgrade", `{"id":"6f7e1a43-52c1-4e8f-9d0a-31b5c2e8a7d4","status":"Completed"}`, `"id" names upgrade 6f7e1a43`, false},
		{"body not an object", `["Completed"]`, "JSON object", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, http.StatusOK, tc.body) })
			c := newClient(t, srv.URL)
			var err error
			if tc.eligibility {
				_, err = c.CheckEligibility(context.Background(), testRequest())
				_, rerr := c.Reconcile(context.Background(), testRequest())
				assert.ErrorIs(t, rerr, client.ErrMalformedResponse, "Reconcile never reads a missing isEligible as none")
			} else {
				_, err = c.CheckStatus(context.Background(), testUpgradeID, testRequest())
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrMalformedResponse)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestCheckEligibility_LenientFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		want       client.Eligibility
		reconcile  string // "" means ErrNoUpgradeInPlace
	}{
		{"empty upgradeId", `{"isEligible":true,"upgradeId":""}`,
			client.Eligibility{CustomerID: testCustomerID, ProductFamily: "Azure", IsEligible: true}, ""},
		{"nil GUID upgradeId", `{"isEligible":true,"upgradeId":"00000000-0000-0000-0000-000000000000"}`,
			client.Eligibility{CustomerID: testCustomerID, ProductFamily: "Azure", IsEligible: true}, ""},
		{"null everywhere", `{"isEligible":false,"upgradeId":null,"customerId":null,"reason":null,"productFamily":null}`,
			client.Eligibility{CustomerID: testCustomerID, ProductFamily: "Azure"}, ""},
		{"string boolean", `{"isEligible":"True"}`,
			client.Eligibility{CustomerID: testCustomerID, ProductFamily: "Azure", IsEligible: true}, ""},
		{"upgradeId in braces, upper-case", `{"isEligible":false,"upgradeId":"{` + strings.ToUpper(testUpgradeID) + `}"}`,
			client.Eligibility{CustomerID: testCustomerID, ProductFamily: "Azure", UpgradeID: "{" + strings.ToUpper(testUpgradeID) + "}"}, testUpgradeID},
		{"customerId not a GUID", `{"isEligible":true,"customerId":"contoso"}`,
			client.Eligibility{CustomerID: "contoso", ProductFamily: "Azure", IsEligible: true}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, http.StatusOK, tc.body) })
			c := newClient(t, srv.URL)
			e, err := c.CheckEligibility(context.Background(), testRequest())
			require.NoError(t, err)
			assert.Equal(t, tc.want, *e)
			id, err := c.Reconcile(context.Background(), testRequest())
			if tc.reconcile == "" {
				assert.ErrorIs(t, err, client.ErrNoUpgradeInPlace)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.reconcile, id)
			}
		})
	}
}

func TestReconcile_UpgradeIDNotAGUIDIsAnError(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, `{"isEligible":false,"upgradeId":"upgrade-7"}`)
	})
	_, err := newClient(t, srv.URL).Reconcile(context.Background(), testRequest())
	assert.ErrorIs(t, err, client.ErrMalformedResponse)
	assert.NotErrorIs(t, err, client.ErrNoUpgradeInPlace, "an upgrade is in place: never report none")
}

func TestWait_StatusVocabulary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status  string
		success bool
		failure bool
		known   bool
	}{
		{"Completed", true, false, true}, {"COMPLETE", true, false, true}, {"Succeeded", true, false, true},
		{"success", true, false, true},
		{"Failed", false, true, true}, {"failure", false, true, true}, {"Error", false, true, true},
		{"Cancelled", false, true, true}, {"canceled", false, true, true}, {"Reject", false, true, true},
		{"PartiallyComplete", false, true, true},
		{"InProgress", false, false, true}, {"In Progress", false, false, true}, {"pending", false, false, true},
		{"NotStarted", false, false, true}, {"Active", false, false, true},
		{"Migrating", false, false, false}, {"42", false, false, false},
	}
	for _, tc := range cases {
		s := &client.UpgradeStatus{Status: tc.status}
		assert.Equalf(t, tc.success, s.Succeeded(), "%s Succeeded", tc.status)
		assert.Equalf(t, tc.failure, s.Failed(), "%s Failed", tc.status)
		assert.Equalf(t, tc.known, s.Known(), "%s Known", tc.status)
	}
	for _, tc := range cases {
		if !tc.success && !tc.failure {
			continue
		}
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, http.StatusOK, statusBody([]string{"InProgress", tc.status}[min(n, 1)]))
			})
			c := newClient(t, srv.URL)
			recordSleeps(c)
			s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), nil)
			require.NotNil(t, s)
			assert.Equal(t, tc.status, s.Status)
			if tc.success {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, client.ErrUpgradeFailed)
			}
			assert.Len(t, srv.Requests(), 2)
		})
	}
}

func TestWait_UnknownStatusKeepsPollingAndIsReportedOnce(t *testing.T) {
	t.Parallel()
	statuses := []string{"Migrating", "Migrating", "Verifying", "Migrating", "Completed"}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusOK, statusBody(statuses[min(n, len(statuses)-1)]))
	})
	var buf syncBuffer
	c := newClient(t, srv.URL, client.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	recordSleeps(c)
	var seen []string
	var known []bool
	s, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{
		OnProgress: func(s *client.UpgradeStatus) { seen = append(seen, s.Status); known = append(known, s.Known()) },
	})
	require.NoError(t, err)
	assert.Equal(t, "Completed", s.Status)
	assert.Equal(t, statuses, seen, "OnProgress sees every value, unknown ones included")
	assert.Equal(t, []bool{false, false, false, false, true}, known)
	out := buf.String()
	assert.Equal(t, 1, strings.Count(out, "status=Migrating"), out)
	assert.Equal(t, 1, strings.Count(out, "status=Verifying"), out)
	assert.Contains(t, out, "level=WARN")
}

func TestWait_RetryAfterNeverExceedsMaxDelay(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(w http.ResponseWriter, n int){
		"200 asking for a year": func(w http.ResponseWriter, n int) {
			if n == 0 {
				reply(w, http.StatusOK, statusBody("InProgress"), "Retry-After", "31536000")
				return
			}
			reply(w, http.StatusOK, statusBody("Completed"))
		},
		"429 asking for a year": func(w http.ResponseWriter, n int) {
			if n == 0 {
				reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "31536000")
				return
			}
			reply(w, http.StatusOK, statusBody("Completed"))
		},
		"503 with an HTTP date in ten years": func(w http.ResponseWriter, n int) {
			if n == 0 {
				reply(w, http.StatusServiceUnavailable, "", "Retry-After", time.Now().AddDate(10, 0, 0).UTC().Format(http.TimeFormat))
				return
			}
			reply(w, http.StatusOK, statusBody("Completed"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { answer(w, n) })
			var buf syncBuffer
			c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 30 * time.Second}),
				client.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
			rec := recordSleeps(c)
			_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Second})
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{30 * time.Second}, rec.Sleeps())
			assert.Contains(t, buf.String(), "Retry-After longer than", "a shortened wait is not silent")
		})
	}
}

func TestWait_RepeatedThrottlesBackOffExponentially(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 6 {
			reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "2")
			return
		}
		reply(w, http.StatusOK, statusBody("Completed"))
	})
	// No retries inside a check: each 429 reaches the wait, which backs off.
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: -1, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Second}))
	rec := recordSleeps(c)
	_, err := c.WaitForUpgrade(testkit.Context(t, callBound), testUpgradeID, testRequest(), &client.WaitOptions{Interval: time.Second})
	require.NoError(t, err)
	s := time.Second
	assert.Equal(t, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 20 * s, 20 * s}, rec.Sleeps(),
		"Retry-After the floor, doubling, MaxDelay the cap")
}

func TestRetry_Repeated429sBackOffExponentiallyWithRetryAfterAsFloor(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 0, 1, 2:
			reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "2")
		case 3:
			reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "20")
		default:
			accepted(w, "productUpgrades/"+testUpgradeID)
		}
	})
	c := newClient(t, srv.URL, client.WithRetry(client.RetryPolicy{MaxRetries: 5, BaseDelay: time.Millisecond, MaxDelay: 60 * time.Second}))
	rec := recordSleeps(c)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 20 * time.Second}, rec.Sleeps())
}

func TestCreate_202WithUnusableLocationUsesTheBodyID(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(w http.ResponseWriter){
		"no Location, id in body": func(w http.ResponseWriter) {
			reply(w, http.StatusAccepted, `{"id":"`+strings.ToUpper(testUpgradeID)+`","status":"InProgress"}`, "Content-Type", "application/json")
		},
		"bad Location, upgradeId in body": func(w http.ResponseWriter) {
			reply(w, http.StatusAccepted, `{"upgradeId":"`+testUpgradeID+`"}`, "Location", "productUpgrades/oops")
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { answer(w) })
			u, err := newClient(t, srv.URL).CreateUpgrade(context.Background(), testRequest())
			require.NoError(t, err)
			assert.Equal(t, testUpgradeID, u.ID)
			assert.Len(t, srv.Requests(), 1)
		})
	}
	for name, body := range map[string]string{
		"body id the nil GUID": `{"id":"00000000-0000-0000-0000-000000000000"}`,
		"body id not a GUID":   `{"id":"upgrade-7"}`,
		"body not JSON":        `accepted`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, http.StatusAccepted, body) })
			_, err := newClient(t, srv.URL).CreateUpgrade(context.Background(), testRequest())
			assert.ErrorIs(t, err, client.ErrOutcomeUnknown)
			assert.ErrorIs(t, err, client.ErrInvalidLocation)
			assert.Len(t, srv.Requests(), 1)
		})
	}
}

func TestCreate_202WithValidLocationAndABodyCutShortIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Location", "productUpgrades/"+testUpgradeID)
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"id":"` + testUpgradeID + `","sta`))
		w.(http.Flusher).Flush()
		dropConnection(t, w)
	})
	c := newClient(t, srv.URL)
	rec := recordSleeps(c)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	assert.Len(t, srv.Requests(), 1, "a 202 is never retried")
	assert.Empty(t, rec.Sleeps())
}

func TestCreate_AmbiguousAnswerOnAnyTryKeepsTheOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, first := range []int{500, 502, 504} {
		for _, later := range []int{429, 503, 408} {
			name := http.StatusText(first) + " then " + http.StatusText(later)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
					if n == 0 {
						reply(w, first, "")
						return
					}
					reply(w, later, "", "Retry-After", "1")
				})
				c := newClient(t, srv.URL)
				recordSleeps(c)
				_, err := c.CreateUpgrade(context.Background(), testRequest())
				assert.ErrorIs(t, err, client.ErrOutcomeUnknown)
				ae := asAPIError(t, err)
				assert.Equal(t, later, ae.StatusCode, "the last answer is the one reported")
			})
		}
	}
	// A 429 whose Retry-After exceeds MaxDelay ends the retries at once: still unknown.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			reply(w, http.StatusBadGateway, "")
			return
		}
		reply(w, http.StatusTooManyRequests, throttleBody, "Retry-After", "3600")
	})
	c := newClient(t, srv.URL)
	recordSleeps(c)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	assert.ErrorIs(t, err, client.ErrOutcomeUnknown)
	assert.True(t, client.IsThrottled(err))
}

// connCounter counts the connections a listener accepts.
func connCounter(srv *httptest.Server) *atomic.Int32 {
	var n atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	return &n
}

func TestCreate_FailureBeforeAnythingIsSentIsNotOutcomeUnknownNorRetried(t *testing.T) {
	t.Parallel()
	// Each case has its own handler and count of handled requests: the cases run in parallel.
	handlerCounting := func(handled *atomic.Int32) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handled.Add(1)
			accepted(w, "productUpgrades/"+testUpgradeID)
		})
	}
	cases := map[string]func(t *testing.T, handler http.Handler) (baseURL string, conns *atomic.Int32){
		"https to a plain-HTTP port": func(t *testing.T, handler http.Handler) (string, *atomic.Int32) {
			srv := httptest.NewUnstartedServer(handler)
			n := connCounter(srv)
			srv.Start()
			t.Cleanup(srv.Close)
			return strings.Replace(srv.URL, "http://", "https://", 1), n
		},
		"untrusted certificate": func(t *testing.T, handler http.Handler) (string, *atomic.Int32) {
			srv := httptest.NewUnstartedServer(handler)
			n := connCounter(srv)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL, n
		},
	}
	for name, start := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var handled atomic.Int32
			baseURL, conns := start(t, handlerCounting(&handled))
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
			c := newClient(t, baseURL, client.WithHTTPClient(hc))
			rec := recordSleeps(c)
			_, err := c.CreateUpgrade(testkit.Context(t, callBound), testRequest())
			require.Error(t, err)
			assert.NotErrorIs(t, err, client.ErrOutcomeUnknown, "nothing can have reached the server: %v", err)
			assert.Empty(t, rec.Sleeps(), "the same failure would repeat: not retried")
			assert.Equal(t, int32(1), conns.Load(), "one connection, no retry")
			assert.Zero(t, handled.Load())
		})
	}
}

func TestToken_ControlCharactersAreAValidationErrorAndNothingIsSent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { accepted(w, "productUpgrades/"+testUpgradeID) })
	// The subtests are not parallel: the assertion after the loop reads the server they share,
	// so it must run after them.
	for name, tok := range map[string]string{
		"line feed":       "secret-token-value\r\nX-Injected: 1",
		"NUL":             "secret-token-value\x00",
		"tab":             "secret\ttoken-value",
		"delete":          "secret-token-value\x7f",
		"short with a LF": "ab\ncd",
	} {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, srv.URL, client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})))
			rec := recordSleeps(c)
			for op, call := range operations {
				err := call(c, context.Background(), testUpgradeID, testRequest())
				var ve *client.ValidationError
				require.Truef(t, errors.As(err, &ve), "%s: %T %v", op, err, err)
				assert.ErrorIs(t, err, client.ErrInvalidInput)
				assert.NotErrorIs(t, err, client.ErrOutcomeUnknown)
				assert.NotContains(t, err.Error(), strings.TrimSpace(strings.Split(tok, "\n")[0]))
			}
			assert.Empty(t, rec.Sleeps())
		})
	}
	assert.Empty(t, srv.Requests())
}

func TestAPIError_UpgradeIDFromTheDescription(t *testing.T) {
	t.Parallel()
	const other = "6f7e1a43-52c1-4e8f-9d0a-31b5c2e8a7d4"
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{409, `{"code":900109,"description":"This upgrade is not allowed as original upgrade ` + testUpgradeID + ` is in progress"}`, testUpgradeID},
		{400, `{"code":"900110","description":"Cannot process the upgrade request for completed upgrade ` + testUpgradeID + `"}`, testUpgradeID},
		{400, `{"code":900111,"description":"The upgrade ID provided doesn't belong to customer ` + testCustomerID + `. The customer is mapped to upgrade ID ` + other + `"}`, other},
		{409, `{"code":900109,"description":"original upgrade is in progress"}`, ""},
		{400, `{"code":900118,"description":"Invalid Customer Id ` + testCustomerID + `"}`, ""},
	}
	for _, tc := range cases {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, tc.status, tc.body) })
		_, err := newClient(t, srv.URL, noRetry).CreateUpgrade(context.Background(), testRequest())
		assert.Equal(t, tc.want, asAPIError(t, err).UpgradeID, tc.body)
	}
}

func TestAPIError_ErrorIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	wide := strings.Repeat("€", 2000) // 3 bytes each
	e := &client.APIError{StatusCode: 400, Operation: wide, Code: wide, Description: wide, Source: wide,
		RequestID: wide, CorrelationID: wide, RetryAfter: time.Second}
	assert.LessOrEqual(t, len(e.Error()), 600)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 400, `{"code":"`+wide+`","description":"`+wide+`"}`, "MS-RequestId", wide, "MS-CorrelationId", wide)
	})
	_, err := newClient(t, srv.URL, noRetry).CreateUpgrade(context.Background(), testRequest())
	assert.LessOrEqual(t, len(err.Error()), 600, err.Error())
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCreate_HeaderValueThatCannotBeSentIsNotOutcomeUnknownNorRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { accepted(w, "productUpgrades/"+testUpgradeID) })
	var tries atomic.Int32
	// A middleware of the caller's adds a header value net/http refuses to write.
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		tries.Add(1)
		r = r.Clone(r.Context())
		r.Header["X-Tenant"] = []string{"contoso\r\nX-Injected: 1"}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newClient(t, srv.URL, client.WithHTTPClient(hc))
	rec := recordSleeps(c)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid header field value")
	assert.NotErrorIs(t, err, client.ErrOutcomeUnknown)
	assert.Equal(t, int32(1), tries.Load(), "not retried")
	assert.Empty(t, rec.Sleeps())
	assert.Empty(t, srv.Requests())
}
