package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors, matched with errors.Is, for the conditions callers branch on.
var (
	// ErrInvalidInput is matched by a *ValidationError: an argument or option was rejected
	// before anything was sent.
	ErrInvalidInput = errors.New("productupgrades: invalid input")

	// ErrOutcomeUnknown is matched when CreateUpgrade cannot tell whether, or as which
	// upgrade, the create took effect: retries ran out after transport failures, the context
	// ended while a try was in flight, any try was answered 500, 502 or 504, or a 202 came
	// without a usable Location (or an id in its body). The error is an *OutcomeUnknownError carrying the request id. Reconcile (CheckEligibility's
	// upgradeId) tells whether an upgrade is in place; CreateUpgradeWithRequestID resends the
	// create with the same idempotency key.
	ErrOutcomeUnknown = errors.New("productupgrades: outcome of the create is unknown")

	// ErrInvalidLocation is matched by a *LocationError: a Location header that is missing or
	// does not name an upgrade.
	ErrInvalidLocation = errors.New("productupgrades: invalid Location header")

	// ErrResponseTooLarge is matched when a response body exceeds MaxResponseBytes. The body
	// is not read past the cap.
	ErrResponseTooLarge = errors.New("productupgrades: response body too large")

	// ErrMalformedResponse is matched when a successful response cannot be decoded.
	ErrMalformedResponse = errors.New("productupgrades: malformed response")

	// ErrUpgradeFailed is matched by an *UpgradeFailedError: WaitForUpgrade saw the upgrade
	// end in a failure state.
	ErrUpgradeFailed = errors.New("productupgrades: upgrade failed")

	// ErrNoUpgradeInPlace is returned by Reconcile when CheckEligibility names no upgrade for
	// the customer and product family.
	ErrNoUpgradeInPlace = errors.New("productupgrades: no upgrade in place")
)

// Partner Center error codes of note for product upgrades (error-codes.md), as found in
// APIError.Code. The facts of every code (status, name, documented message, where the
// message names an upgrade) are in one table, internal/pccodes, shared with the fake; its
// tests check that each Code constant here is a row of it, named and numbered alike.
const (
	CodeTokenMissing          = "800001" // 401: Partner Token missing in request context.
	CodeInvalidRequestInput   = "800002" // 400: Invalid request input.
	CodeUpgradeNotFound       = "900106" // 404: No upgrade request was found.
	CodeUpgradeInProgress     = "900109" // 409: original upgrade {0} is in progress.
	CodeUpgradeCompleted      = "900110" // 400: cannot process the request for completed upgrade {0}.
	CodeUpgradeNotForCustomer = "900111" // 400: the upgrade id does not belong to customer {0}.
	CodeInvalidCustomerID     = "900118" // 400: Invalid Customer Id.
)

// Limits on the text an error carries, so that Error() stays short whatever a server sends.
const (
	maxDescription    = 1024 // the docs' own maximum for description
	maxErrorTextField = 200  // description as quoted by Error()
	maxShortField     = 64   // code, source, ids
)

// APIError is the error for every response with a non-2xx status. Reach it with errors.As.
// Code is the service's error code as text, whether the service sent it as a JSON number or
// a string; for the gateway's 429 body ({statusCode, message}) Code is empty and Description
// holds the message. RequestID and CorrelationID come from the response headers (or, when the
// response has none, from the request), and are what a support ticket needs. RetryAfter is
// the response's Retry-After, zero when absent. UpgradeID is the upgrade an error names in
// its description (900109 "original upgrade {0} is in progress", 900110 "completed upgrade
// {0}", 900111's "mapped to upgrade Id {1}", 900112 to 900114), empty otherwise.
//
// Every text field comes from the server; each is cleaned of control characters and of the
// access token the client sent, in case a server or proxy echoed it.
type APIError struct {
	StatusCode    int
	Code          string
	Description   string
	Source        string
	RequestID     string
	CorrelationID string
	RetryAfter    time.Duration
	UpgradeID     string

	// Operation is the operation that got the response, named by the spec's operationId:
	// OpCreateProductUpgrade, OpCheckProductUpgradeEligibility or
	// OpCheckProductUpgradeStatus (the values of spec's and fake's constants too).
	Operation string

	cause error // for example ErrResponseTooLarge
}

// Error returns a one-line message of at most about 600 bytes, whatever the fields hold. It
// never contains request headers (so never the token) and quotes at most the first 200
// bytes of the description.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("productupgrades: ")
	if e.Operation != "" {
		b.WriteString(truncate(e.Operation, maxShortField))
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" ")
		b.WriteString(t)
	}
	if e.Code != "" {
		b.WriteString(": code ")
		b.WriteString(truncate(e.Code, maxShortField))
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(truncate(e.Description, maxErrorTextField))
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteString(")")
	}
	if e.RequestID != "" || e.CorrelationID != "" {
		b.WriteString(" [request-id ")
		b.WriteString(truncate(e.RequestID, maxShortField))
		b.WriteString(", correlation-id ")
		b.WriteString(truncate(e.CorrelationID, maxShortField))
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap returns the cause behind the error, if any (for example ErrResponseTooLarge).
func (e *APIError) Unwrap() error { return e.cause }

// Retryable reports whether the status is one the client retries (408, 429, 500, 502, 503,
// 504): the same call may succeed later.
func (e *APIError) Retryable() bool { return retryableStatus(e.StatusCode) }

// IsUpgradeInProgress reports whether err is the service's 409 "original upgrade is in
// progress" (code 900109): an upgrade for the customer already runs.
func IsUpgradeInProgress(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == CodeUpgradeInProgress
}

// IsUpgradeNotFound reports whether err is the service's 404 "No upgrade request was found"
// (code 900106), or a 404 without a code.
func IsUpgradeNotFound(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Code == CodeUpgradeNotFound || (ae.Code == "" && ae.StatusCode == http.StatusNotFound)
}

// IsThrottled reports whether err is a 429 Too Many Requests; its RetryAfter tells how long
// the service asked to wait.
func IsThrottled(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests
}

// ValidationError names an argument or option that was rejected before anything was sent.
// It matches ErrInvalidInput.
type ValidationError struct {
	Field  string // for example "UpgradeRequest.CustomerID"
	Value  string // the rejected value, shortened
	Reason string
}

// Error returns "productupgrades: invalid <field> <value>: <reason>".
func (e *ValidationError) Error() string {
	return fmt.Sprintf("productupgrades: invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

func invalidInput(field, value, reason string) *ValidationError {
	return &ValidationError{Field: field, Value: truncate(sanitize(value, nil), maxShortField), Reason: reason}
}

// OutcomeUnknownError is returned by CreateUpgrade when an upgrade may have been created but
// the client does not know its id. It matches ErrOutcomeUnknown and unwraps to the cause (a
// transport error, the context's error, an *APIError, or a *LocationError).
//
// To reconcile: call Reconcile (CheckEligibility: its upgradeId names an upgrade already in
// place); if none is in place, CreateUpgradeWithRequestID(ctx, e.RequestID, r) resends the
// create with the same MS-RequestId, which the service treats as the same request.
type OutcomeUnknownError struct {
	RequestID     string // the MS-RequestId sent on every try: the idempotency key
	CorrelationID string
	Tries         int
	Err           error
}

// Error says the outcome is unknown and gives the request id.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("productupgrades: "+OpCreateProductUpgrade+": outcome unknown after %d tries, an upgrade may exist "+
		"(request-id %s, correlation-id %s; reconcile with CheckEligibility): %v",
		e.Tries, e.RequestID, e.CorrelationID, e.Err)
}

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// LocationError reports a Location header that is missing or does not name an upgrade. It
// matches ErrInvalidLocation. Location is the raw header (shortened to 512 bytes; from
// CreateUpgrade, without the access token should a server have echoed it), RequestID the
// request id of the create that got it (empty from ParseLocation).
type LocationError struct {
	Location  string
	Reason    string
	RequestID string
}

// Error quotes the header (its first 200 bytes) and the reason.
func (e *LocationError) Error() string {
	s := fmt.Sprintf("productupgrades: invalid Location header %q: %s", truncate(e.Location, 200), e.Reason)
	if e.RequestID != "" {
		s += " [request-id " + e.RequestID + "]"
	}
	return s
}

// Is makes errors.Is(err, ErrInvalidLocation) true.
func (e *LocationError) Is(target error) bool { return target == ErrInvalidLocation }

// UpgradeFailedError is returned by WaitForUpgrade when the upgrade ends in a failure state.
// It matches ErrUpgradeFailed.
type UpgradeFailedError struct {
	UpgradeID    string
	Status       string
	ErrorDetails *ErrorDetails // nil when the service gave none
}

// Error gives the upgrade, its status and the service's error details.
func (e *UpgradeFailedError) Error() string {
	s := fmt.Sprintf("productupgrades: upgrade %s ended with status %q", truncate(e.UpgradeID, maxShortField), truncate(e.Status, maxShortField))
	if d := e.ErrorDetails; d != nil {
		if d.Code != "" {
			s += ": code " + truncate(d.Code, maxShortField)
		}
		if d.Message != "" {
			s += ": " + truncate(sanitize(d.Message, nil), maxErrorTextField)
		}
	}
	return s
}

// Is makes errors.Is(err, ErrUpgradeFailed) true.
func (e *UpgradeFailedError) Is(target error) bool { return target == ErrUpgradeFailed }

// sanitize makes server-provided text safe to carry in an error or a log line: valid UTF-8,
// no control characters, no line breaks, and without the token (see redactor.scrub). The
// text is cleaned before the token is looked for, so that a control character removed from
// the middle of an echoed token cannot join its halves after the search.
func sanitize(s string, rd *redactor) string {
	if !isClean(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		s = strings.Map(func(r rune) rune {
			switch {
			case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' || r == 0x85:
				return ' '
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(rd.scrub(s))
}

// isClean reports whether s is printable ASCII, the common case, which needs no rewriting.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// truncate shortens s to at most n bytes, cut on a rune boundary, marking the cut with "…".
// Bounds are in bytes so that a message of 3-byte characters stays as short as one of ASCII.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// truncateRunes shortens s to at most n characters, marking the cut: the docs bound the
// service's description in characters.
func truncateRunes(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			break
		}
		count++
	}
	return s[:i] + "…"
}
