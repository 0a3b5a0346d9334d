package client

import (
	"errors"
	"net/url"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// The live access token never leaves the process: a server or a proxy may echo it back (in
// an error body, a response header, the 202's Location, a 200 body, a malformed status line
// the transport quotes in its error), so every text the client hands on, in an error, a log
// line or a returned field, goes through a redactor that knows the token it sent.

// redactor removes one access token from text; nil, for no token, removes nothing. The
// work is internal/secrets' Redactor (every form of the token, any ASCII casing, pieces of
// it a server cut short, a token split by control characters); this keeps the token it was
// made for, so that a call can tell whether the redactor is still the right one.
type redactor struct {
	token string
	r     *secrets.Redactor
}

// newRedactor returns a redactor of token; nil for no token, which redacts nothing.
func newRedactor(token string) *redactor {
	if token == "" {
		return nil
	}
	return &redactor{token: token, r: secrets.NewRedactor(token)}
}

// redact returns s without the token (see secrets.Redactor.Redact): a token of
// secrets.MinRedactLen bytes or more wherever it occurs, a shorter one where it stands as a
// word of its own.
func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	return r.r.Redact(s)
}

// scrub removes the token and anything shaped like a bearer credential from s, and nothing
// else: for returned fields, which keep the server's text as it is otherwise.
func (r *redactor) scrub(s string) string {
	return secrets.RedactBearer(r.redact(s))
}

// redactedError is an error whose text held the token: Error gives the text without it, Is
// still matches what the original matched (context.DeadlineExceeded, ...), and the original,
// whose text would leak, cannot be reached by unwrapping.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) Timeout() bool        { return isTimeout(e.err) }

// isTimeout reports an error that says it is a timeout.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// redactErr returns err, or when its text holds the token (or a bearer credential), an error
// with the same meaning whose text does not. A *url.Error stays a *url.Error.
func (r *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := r.scrub(msg)
	if clean == msg {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) && error(ue) == err { //nolint:errorlint // identity, not matching: only a *url.Error at the top level is rebuilt; a wrapped one would lose its wrapper's text
		return &url.Error{Op: ue.Op, URL: r.scrub(ue.URL), Err: r.redactErr(ue.Err)}
	}
	return &redactedError{msg: clean, err: err}
}
