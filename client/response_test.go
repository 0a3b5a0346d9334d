package client

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestNewAPIError is the *APIError of a response alone: no server, no call state.
func TestNewAPIError(t *testing.T) {
	t.Parallel()
	const token = "api-error-test-token-value"
	now := time.Date(2020, 7, 21, 4, 10, 58, 0, time.UTC)
	sentRID := uuid.MustParse("0d2c1a60-4d3a-4c7f-9e0b-5f6a7b8c9d01")
	sentCID := uuid.MustParse("1e3d2b71-5e4b-4d80-af1c-6a7b8c9dae12")
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	cases := []struct {
		name string
		res  response
		want APIError
	}{
		{"service error body, ids from the response",
			response{status: 409, body: []byte(`{"code":900109,"description":"original upgrade 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 is in progress","source":"PartnerFD"}`),
				header: hdr("MS-RequestId", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "MS-CorrelationId", "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee")},
			APIError{StatusCode: 409, Code: "900109", Source: "PartnerFD", UpgradeID: "42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
				Description:   "original upgrade 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 is in progress",
				RequestID:     "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
				CorrelationID: "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"}},
		{"gateway 429 with Retry-After seconds, the sent ids",
			response{status: 429, header: hdr("Retry-After", "57"),
				body: []byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`)},
			APIError{StatusCode: 429, Description: "Rate limit is exceeded. Try again in 57 seconds.", RetryAfter: 57 * time.Second}},
		{"Retry-After as an HTTP date",
			response{status: 503, header: hdr("Retry-After", now.Add(30*time.Second).Format(http.TimeFormat))},
			APIError{StatusCode: 503, Description: "Service Unavailable", RetryAfter: 30 * time.Second}},
		{"empty body: the status text",
			response{status: 502, header: hdr()},
			APIError{StatusCode: 502, Description: "Bad Gateway"}},
		{"an HTML page is quoted",
			response{status: 504, header: hdr(), body: []byte("\xEF\xBB\xBF<html>Gateway Timeout</html>")},
			APIError{StatusCode: 504, Description: "<html>Gateway Timeout</html>"}},
		{"code as a string",
			response{status: 401, header: hdr(), body: []byte(`{"code":"800001","description":"Partner Token missing in request context"}`)},
			APIError{StatusCode: 401, Code: "800001", Description: "Partner Token missing in request context"}},
		{"the token is removed from what the server echoed",
			response{status: 400, header: hdr(), body: []byte(`{"code":800002,"description":"bad token ` + token + `"}`)},
			APIError{StatusCode: 400, Code: "800002", Description: "bad token <redacted>"}},
		{"a body over the cap is not read",
			response{status: 500, header: hdr(), truncated: true, body: []byte(`{"code":1}`)},
			APIError{StatusCode: 500, Description: "response body exceeds 1048576 bytes and was not read", cause: ErrResponseTooLarge}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := tc.want
			want.Operation = OpCreateProductUpgrade
			if want.RequestID == "" {
				want.RequestID, want.CorrelationID = sentRID.String(), sentCID.String()
			}
			got := newAPIError(OpCreateProductUpgrade, tc.res, sentRID, sentCID, now, newRedactor(token))
			if *got != want {
				t.Errorf("\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}
