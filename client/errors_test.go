package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

var noRetry = client.WithRetry(client.RetryPolicy{MaxRetries: -1})

func TestAPIError_BodyShapes(t *testing.T) {
	t.Parallel()
	const (
		rid  = "560df6b9-6e53-4954-aed7-133477ac1194"
		corr = "e937630b-8341-4d70-8f73-450d32ee0189"
	)
	ids := []string{"MS-RequestId", rid, "MS-CorrelationId", corr}
	jsonCT := []string{"Content-Type", "application/json; charset=utf-8"}
	cases := []struct {
		name    string
		status  int
		body    string
		headers []string
		want    client.APIError
	}{
		{
			name: "numeric code, as every real example", status: 409,
			body:    `{"code": 900109, "description": "This upgrade is not allowed as original upgrade 42d075a4 is in progress", "data": [], "source": "PartnerFD"}`,
			headers: append(append([]string{}, ids...), jsonCT...),
			want:    client.APIError{StatusCode: 409, Code: "900109", Description: "This upgrade is not allowed as original upgrade 42d075a4 is in progress", Source: "PartnerFD", RequestID: rid, CorrelationID: corr},
		},
		{
			name: "string code, as the docs' table", status: 400,
			body:    `{"code":"900118","description":"Invalid Customer Id","data":["x"],"source":"PartnerFD"}`,
			headers: append(append([]string{}, ids...), jsonCT...),
			want:    client.APIError{StatusCode: 400, Code: "900118", Description: "Invalid Customer Id", Source: "PartnerFD", RequestID: rid, CorrelationID: corr},
		},
		{
			name: "no Content-Type, as the docs' examples", status: 404,
			body:    `{"code":900106,"description":"No upgrade request was found","data":[],"source":"PartnerFD"}`,
			headers: ids,
			want:    client.APIError{StatusCode: 404, Code: "900106", Description: "No upgrade request was found", Source: "PartnerFD", RequestID: rid, CorrelationID: corr},
		},
		{
			name: "UTF-8 BOM before JSON, with a JSON Content-Type", status: 401,
			body:    "\xEF\xBB\xBF" + `{"code":800001,"description":"Partner Token missing in request context","source":"PartnerFD"}`,
			headers: append(append([]string{}, ids...), jsonCT...),
			want:    client.APIError{StatusCode: 401, Code: "800001", Description: "Partner Token missing in request context", Source: "PartnerFD", RequestID: rid, CorrelationID: corr},
		},
		{
			name: "gateway 429 shape", status: 429,
			body:    `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }`,
			headers: append([]string{"Retry-After", "57"}, jsonCT...),
			want:    client.APIError{StatusCode: 429, Description: "Rate limit is exceeded. Try again in 57 seconds.", RetryAfter: 57 * time.Second},
		},
		{
			name: "HTML from a gateway", status: 502,
			body:    "<html><body><h1>502 Bad Gateway</h1>\n</body></html>",
			headers: append([]string{"Content-Type", "text/html"}, ids...),
			want:    client.APIError{StatusCode: 502, Description: "<html><body><h1>502 Bad Gateway</h1> </body></html>", RequestID: rid, CorrelationID: corr},
		},
		{
			name: "truncated JSON with a JSON Content-Type", status: 500,
			body:    `{"code":800003,"descr`,
			headers: jsonCT,
			want:    client.APIError{StatusCode: 500, Description: `{"code":800003,"descr`},
		},
		{
			name: "empty body", status: 403,
			want: client.APIError{StatusCode: 403, Description: "Forbidden"},
		},
		{
			name: "other JSON object", status: 400,
			body: `{"error":{"code":"BadRequest","message":"nope"}}`,
			want: client.APIError{StatusCode: 400, Description: `{"error":{"code":"BadRequest","message":"nope"}}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, tc.status, tc.body, tc.headers...)
			})
			c := newClient(t, srv.URL, noRetry)
			rec := recordSleeps(c)
			for name, op := range operations {
				if name == "WaitForUpgrade" && tc.status == 429 {
					continue // a wait honours the 429 and polls again; see wait_test.go
				}
				err := op(c, context.Background(), testUpgradeID, testRequest())
				ae := asAPIError(t, err)
				want := tc.want
				sent := srv.Requests()[len(srv.Requests())-1].Header
				if want.RequestID == "" {
					want.RequestID = sent.Get("MS-RequestId")
					want.CorrelationID = sent.Get("MS-CorrelationId")
				}
				want.Operation = operationOf[name]
				assert.Equalf(t, want, *ae, "%s", name)
				assert.Containsf(t, err.Error(), "productupgrades: "+operationOf[name]+": ", "%s: the message names the operation", name)
				ambiguous := name == "CreateUpgrade" && (tc.status == 500 || tc.status == 502 || tc.status == 504)
				assert.Equalf(t, ambiguous, errors.Is(err, client.ErrOutcomeUnknown),
					"%s: only a create answered 500, 502 or 504 may have left an upgrade", name)
			}
			assert.Empty(t, rec.Sleeps())
		})
	}
}

func TestAPIError_ErrorIsShortAndFreeOfTheToken(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("very long description ", 500)
	body := `{"code":800002,"description":"Invalid request input: header Authorization: Bearer ` + testToken +
		` and again ` + testToken + " " + long + `","source":"PartnerFD"}`
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusBadRequest, body, "MS-RequestId", strings.Repeat("r", 5000))
	})
	c := newClient(t, srv.URL)
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	ae := asAPIError(t, err)
	msg := err.Error()
	assert.NotContains(t, msg, testToken)
	assert.NotContains(t, ae.Description, testToken)
	assert.Contains(t, ae.Description, "<redacted>")
	assert.LessOrEqual(t, len(msg), 600, "Error() must be bounded: %d bytes", len(msg))
	assert.LessOrEqual(t, len([]rune(ae.Description)), 1025)
	assert.Contains(t, msg, "800002")
	assert.Contains(t, msg, "productupgrades: "+client.OpCreateProductUpgrade+": ")
}

func TestAPIError_OtherBearerTokensAreRedacted(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusUnauthorized, "rejected Authorization: bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl for tenant")
	})
	c := newClient(t, srv.URL)
	_, err := c.CheckEligibility(context.Background(), testRequest())
	ae := asAPIError(t, err)
	assert.NotContains(t, err.Error(), "eyJhbGciOi")
	assert.Equal(t, "rejected Authorization: Bearer <redacted> for tenant", ae.Description)
}

// hugeBody writes n bytes of 'x' in small chunks, without holding them in memory.
func hugeBody(w io.Writer, n int) {
	chunk := []byte(strings.Repeat("x", 32<<10))
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return // the client stopped reading
		}
	}
}

func TestAPIError_64MiBBodyIsNotRead(t *testing.T) {
	// Not parallel, nor its subtests: it measures the whole process's allocations
	// (runtime.MemStats.TotalAlloc), which any test running beside it would add to.
	const size = 64 << 20
	for _, withLength := range []bool{false, true} {
		t.Run("content-length "+strconv.FormatBool(withLength), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if withLength {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("MS-RequestId", "560df6b9-6e53-4954-aed7-133477ac1194")
				w.WriteHeader(http.StatusBadRequest)
				hugeBody(w, size)
			})
			c := newClient(t, srv.URL)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := c.CreateUpgrade(context.Background(), testRequest())
			runtime.ReadMemStats(&after)

			ae := asAPIError(t, err)
			assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
			assert.Equal(t, "560df6b9-6e53-4954-aed7-133477ac1194", ae.RequestID)
			assert.ErrorIs(t, err, client.ErrResponseTooLarge)
			assert.Contains(t, ae.Description, "exceeds")
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Lessf(t, allocated, uint64(16<<20), "allocated %d bytes for a 64 MiB body", allocated)
		})
	}
}

func TestSuccess_OversizedBodyIsAnError(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusOK)
		hugeBody(w, 2<<20)
	})
	c := newClient(t, srv.URL)
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrResponseTooLarge)
	_, err = c.CheckStatus(context.Background(), testUpgradeID, testRequest())
	assert.ErrorIs(t, err, client.ErrResponseTooLarge)
	assert.Len(t, srv.Requests(), 2, "an oversized 200 is not retried")
}

func TestSuccess_MalformedBodyIsAnError(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"empty": "", "not JSON": "<html>ok</html>", "wrong types": `{"isEligible":"yes"}`} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, http.StatusOK, body)
			})
			c := newClient(t, srv.URL)
			_, err := c.CheckEligibility(context.Background(), testRequest())
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrMalformedResponse)
			assert.Contains(t, err.Error(), srv.Requests()[0].Header.Get("MS-RequestId"))
		})
	}
}

func TestPredicates(t *testing.T) {
	t.Parallel()
	inProgress := &client.APIError{StatusCode: 409, Code: client.CodeUpgradeInProgress}
	notFound := &client.APIError{StatusCode: 404, Code: client.CodeUpgradeNotFound}
	throttled := &client.APIError{StatusCode: 429, RetryAfter: time.Minute}
	wrapped := func(err error) error { return errors.Join(errors.New("context"), err) }

	assert.True(t, client.IsUpgradeInProgress(wrapped(inProgress)))
	assert.False(t, client.IsUpgradeInProgress(notFound))
	assert.True(t, client.IsUpgradeNotFound(wrapped(notFound)))
	assert.True(t, client.IsUpgradeNotFound(&client.APIError{StatusCode: 404}))
	assert.False(t, client.IsUpgradeNotFound(&client.APIError{StatusCode: 404, Code: "3000"}))
	assert.True(t, client.IsThrottled(wrapped(throttled)))
	assert.False(t, client.IsThrottled(errors.New("429")))
	assert.True(t, throttled.Retryable())
	assert.False(t, inProgress.Retryable())
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	ae := &client.APIError{StatusCode: 429, Description: "slow down", RetryAfter: 57 * time.Second, RequestID: "r1", CorrelationID: "c1", Operation: client.OpCheckProductUpgradeStatus}
	assert.Equal(t, "productupgrades: CheckProductUpgradeStatus: 429 Too Many Requests: slow down (retry after 57s) [request-id r1, correlation-id c1]", ae.Error())
	ufe := &client.UpgradeFailedError{UpgradeID: testUpgradeID, Status: "Failed", ErrorDetails: &client.ErrorDetails{Code: "42", Message: "quota"}}
	assert.Equal(t, `productupgrades: upgrade `+testUpgradeID+` ended with status "Failed": code 42: quota`, ufe.Error())
	assert.ErrorIs(t, ufe, client.ErrUpgradeFailed)
}
