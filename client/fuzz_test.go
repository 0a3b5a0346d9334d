package client

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/partnercenter-go/productupgrades/internal/guid"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// FuzzParseLocation: ParseLocation never panics, and an id it accepts is a GUID that the
// header names, which the documented relative form gives back unchanged; what it accepts, it
// still accepts with the same id after a trailing /status, a query or a fragment is added.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/",
		"/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4",
		"productUpgrades/", "productUpgrades/not-a-guid", "://", "https:///x", "", " ",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status",
		"/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/Status/?a=b#c",
		"https://h/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4?next=https://x/productUpgrades/1",
		"https://hproductUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4#/productUpgrades/x",
		"productUpgrades?id=42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status/x",
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
		if !guid.Valid(id) {
			t.Fatalf("ParseLocation(%q) = %q, not a GUID", loc, id)
		}
		if !strings.Contains(loc, id) {
			t.Fatalf("ParseLocation(%q) = %q, which the header does not contain", loc, id)
		}
		if again, err := ParseLocation("productUpgrades/" + id); err != nil || again != id {
			t.Fatalf("the relative form of %q gives %q, %v", id, again, err)
		}
		trimmed := strings.TrimSpace(loc)
		if strings.ContainsAny(trimmed, "?#") {
			return
		}
		for _, more := range []string{"?api-version=1", "#f", "?a=b#c"} {
			if again, err := ParseLocation(trimmed + more); err != nil || again != id {
				t.Fatalf("ParseLocation(%q) = %q, %v; without %q it gave %q", trimmed+more, again, err, more, id)
			}
		}
		if !strings.HasSuffix(strings.ToLower(strings.TrimSuffix(trimmed, "/")), "/status") {
			if again, err := ParseLocation(strings.TrimSuffix(trimmed, "/") + "/status"); err != nil || again != id {
				t.Fatalf("ParseLocation(%q/status) = %q, %v; without it %q", trimmed, again, err, id)
			}
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
		`{"code":"` + strings.Repeat("€", 100) + `","description":"` + strings.Repeat("€", 400) + `"}`,
		`{"code":900109,"description":"original upgrade 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 is in progress"}`,
		`{"code":"` + token + `","source":"` + token + `","description":"x` + token[:15] + `"}`,
		`[1,2,3]`, `null`, `{"code":null}`, ``, `{`,
	} {
		f.Add([]byte(s), "57")
	}
	f.Fuzz(func(t *testing.T, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("MS-RequestId", retryAfter)
		st := &call{op: "create", rid: uuid.New(), cid: uuid.New(), token: token}
		e := apiError(st, response{status: 400, header: h, body: body}, time.Unix(0, 0))
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
		if e.UpgradeID != "" && !guid.Valid(e.UpgradeID) {
			t.Fatalf("UpgradeID %q is not a GUID", e.UpgradeID)
		}
		for _, f := range []string{e.Code, e.Source, e.RequestID, e.CorrelationID, e.Description} {
			if strings.Contains(f, token) {
				t.Fatalf("the token leaked into a field: %q", f)
			}
		}
	})
}

// FuzzRedact: a token of secrets.MinRedactLen bytes or more planted anywhere in any text, in
// any of the forms a server echoes it in, is gone from what the client hands on (sanitize,
// scrub), also once control characters are dropped. The redactor's own properties are
// internal/secrets' FuzzRedactor.
func FuzzRedact(f *testing.F) {
	f.Add("error: token X was rejected", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln", 7)
	f.Add("", "Opaque/Secret+Value==", 0)
	f.Add("aaaaaaaaaaaaaaaaaaaa", "aaaaaaaa", 3)
	f.Add("Bearer", "bearer-token-12345", 6)
	f.Add("echo: ", "Tok&en/<v>\"q=12", 6) // escapes of JSON and "/" at once
	f.Fuzz(func(t *testing.T, text, token string, at int) {
		if len(token) < secrets.MinRedactLen || strings.Contains(asciiLower(secrets.Redacted), asciiLower(token)) {
			return
		}
		rd := newRedactor(token)
		if at < 0 {
			at = -at
		}
		at %= len(text) + 1
		for _, form := range testkit.TokenForms(token) {
			s := text[:at] + form.Text + text[at:]
			if got := sanitize(s, rd); strings.Contains(asciiLower(got), asciiLower(token)) {
				t.Fatalf("sanitize(%q) = %q still holds the token %q", s, got, token)
			}
			if got := dropControls(rd.scrub(s)); strings.Contains(asciiLower(got), asciiLower(token)) {
				t.Fatalf("scrub(%q) = %q holds the token %q once control characters are dropped", s, got, token)
			}
		}
	})
}

// asciiLower lowers ASCII letters only, as the redactor compares.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// dropControls is what a printer that drops control characters shows.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
