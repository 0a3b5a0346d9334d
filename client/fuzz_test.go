package client

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseLocation: ParseLocation never panics, and an id it accepts is a GUID that the
// header names, which the documented relative form gives back unchanged.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/",
		"/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4",
		"productUpgrades/", "productUpgrades/not-a-guid", "://", "https:///x", "", " ",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		id, err := ParseLocation(loc)
		if err != nil {
			if id != "" {
				t.Fatalf("ParseLocation(%q) returned id %q with error %v", loc, id, err)
			}
			if len(err.Error()) > 1024 {
				t.Fatalf("error for %q is %d bytes long", loc, len(err.Error()))
			}
			return
		}
		if !isGUID(id) {
			t.Fatalf("ParseLocation(%q) = %q, not a GUID", loc, id)
		}
		if !strings.Contains(loc, id) {
			t.Fatalf("ParseLocation(%q) = %q, which the header does not contain", loc, id)
		}
		if again, err := ParseLocation("productUpgrades/" + id); err != nil || again != id {
			t.Fatalf("the relative form of %q gives %q, %v", id, again, err)
		}
	})
}

// FuzzErrorBody: whatever body an error response carries, the client builds an *APIError
// without panicking, its message stays bounded, and it never contains the token.
func FuzzErrorBody(f *testing.F) {
	const token = "fuzz-secret-token-value"
	for _, s := range []string{
		`{"code":900118,"description":"Invalid Customer Id","data":[],"source":"PartnerFD"}`,
		`{"code":"800001","description":"Partner Token missing in request context"}`,
		`{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }`,
		"\xEF\xBB\xBF{\"code\":1,\"description\":\"bom\"}",
		`<html><body>Bad gateway</body></html>`,
		`{"code":` + strings.Repeat("9", 2000) + `,"description":"long number"}`,
		`{"code":{"nested":true},"description":"Bearer ` + token + `"}`,
		`{"description":"` + strings.Repeat("é", 3000) + `"}`,
		`[1,2,3]`, `null`, `{"code":null}`, ``, `{`,
	} {
		f.Add([]byte(s), "57")
	}
	f.Fuzz(func(t *testing.T, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("MS-RequestId", retryAfter)
		st := &call{op: "create", rid: newGUID(), cid: newGUID(), token: token,
			resp: &http.Response{StatusCode: 400, Header: h}, body: body}
		e := apiError(st, time.Unix(0, 0))
		msg := e.Error()
		if len(msg) > 600 {
			t.Fatalf("Error() is %d bytes long: %q", len(msg), msg)
		}
		if strings.Contains(msg, token) || strings.Contains(e.Description, token) {
			t.Fatalf("the token leaked: %q", msg)
		}
		if len(e.Code) > maxShortField+len("…") || len(e.Source) > maxShortField+len("…") {
			t.Fatalf("code or source not bounded: %d, %d bytes", len(e.Code), len(e.Source))
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %v from %q", e.RetryAfter, retryAfter)
		}
	})
}
