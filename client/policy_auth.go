package client

import (
	"errors"
	"net/http"
	"sync/atomic"

	"golang.org/x/oauth2"
)

// tokenError is a token source failure; it is never retried, and nothing is sent.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "token source: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// withAuth sets Authorization: Bearer from the token source, asked again on every try so that
// a refreshed token is used. A failure sends nothing.
func withAuth(ts oauth2.TokenSource) policy {
	// The header value of the last token, reused while the token does not change.
	var last atomic.Pointer[authHeader]
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			tok, err := ts.Token()
			if err != nil {
				return nil, &tokenError{err}
			}
			if tok == nil || tok.AccessToken == "" {
				return nil, &tokenError{errors.New("returned an empty access token")}
			}
			h := last.Load()
			if h == nil || h.token != tok.AccessToken {
				if err := checkToken(tok.AccessToken); err != nil {
					return nil, &tokenError{err}
				}
				h = &authHeader{token: tok.AccessToken, value: []string{"Bearer " + tok.AccessToken},
					rd: newRedactor(tok.AccessToken)}
				last.Store(h)
			}
			st := callFrom(r.Context())
			if st != nil {
				st.token, st.rd = h.token, h.rd
			}
			r.Header["Authorization"] = h.value // shared, never modified
			resp, err := next(r)
			if err != nil {
				// A transport error may quote what the server sent (a malformed status
				// line), and so the token it echoed.
				return nil, h.rd.redactErr(err)
			}
			return resp, nil
		}
	}
}

// checkToken rejects an access token that cannot be sent in a header: one with control
// characters (a line break would end the header). The token is never quoted.
func checkToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x20 || c == 0x7f {
			return &ValidationError{Field: "access token (WithTokenSource)", Value: "<redacted>",
				Reason: "contains control characters, which cannot be sent in the Authorization header"}
		}
	}
	return nil
}

type authHeader struct {
	token string
	value []string
	rd    *redactor
}
