package client

import (
	"net/http"
)

// staticHeader is a header every request of a client carries, its key already canonical.
type staticHeader struct {
	key   string
	value []string // shared by all requests, never modified
}

// staticHeaders returns the headers set on every request besides those in the generated
// params: Accept, User-Agent, X-Locale and, when set, MS-PartnerCenter-Application.
func staticHeaders(locale, app string) []staticHeader {
	h := []staticHeader{
		{"Accept", []string{jsonContentType}},
		{"User-Agent", []string{UserAgent}},
		{"X-Locale", []string{locale}},
	}
	if app != "" {
		h = append(h, staticHeader{http.CanonicalHeaderKey("MS-PartnerCenter-Application"), []string{app}})
	}
	return h
}

// withHeaders sets the client's static headers on every try.
func withHeaders(headers []staticHeader) policy {
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			for _, h := range headers {
				r.Header[h.key] = h.value
			}
			return next(r)
		}
	}
}
