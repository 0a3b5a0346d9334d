package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/gen"
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// stripBOM drops a UTF-8 byte order mark, which some Microsoft commerce endpoints put before
// JSON.
func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// decodeJSON decodes a successful response's body into v. The generated Parse*Response
// decodes only when the Content-Type says JSON, and the docs' examples send none, so the
// client decodes the body itself when the generated field is empty.
func decodeJSON(st *call, v any) error {
	if st.truncated {
		return fmt.Errorf("productupgrades: %s: HTTP %d body exceeds %d bytes [request-id %s]: %w",
			st.op, st.resp.StatusCode, MaxResponseBytes, st.rid.String(), ErrResponseTooLarge)
	}
	body := bytes.TrimSpace(stripBOM(st.body))
	if len(body) == 0 {
		return fmt.Errorf("productupgrades: %s: HTTP %d with an empty body [request-id %s]: %w",
			st.op, st.resp.StatusCode, st.rid.String(), ErrMalformedResponse)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("productupgrades: %s: HTTP %d body is not the expected JSON (%v) [request-id %s]: %w",
			st.op, st.resp.StatusCode, err, st.rid.String(), ErrMalformedResponse)
	}
	return nil
}

// apiError builds the *APIError for a non-2xx response kept in st.
func apiError(st *call, now time.Time) *APIError {
	resp := st.resp
	e := &APIError{
		StatusCode:    resp.StatusCode,
		Operation:     st.op,
		RequestID:     headerID(resp.Header, hdrRequestID, st.rid),
		CorrelationID: headerID(resp.Header, hdrCorrelationID, st.cid),
	}
	if d, ok := retryAfter(resp.Header, now); ok {
		e.RetryAfter = d
	}
	if st.truncated {
		e.Description = fmt.Sprintf("response body exceeds %d bytes and was not read", MaxResponseBytes)
		e.cause = ErrResponseTooLarge
		return e
	}
	body := bytes.TrimSpace(stripBOM(st.body))
	switch {
	case len(body) == 0:
		e.Description = http.StatusText(resp.StatusCode)
	case body[0] == '{' && json.Valid(body):
		decodeErrorBody(e, body, st.token)
	default:
		// An HTML page from a gateway, plain text, or JSON that is not an object.
		e.Description = truncate(sanitize(string(bytesPrefix(body, 4*maxDescription)), st.token), maxDescription)
	}
	return e
}

// decodeErrorBody reads the service's {code, description, data, source} or the gateway's
// 429 shape {statusCode, message}; any other object is quoted as text.
func decodeErrorBody(e *APIError, body []byte, token string) {
	var er gen.ErrorResponse
	_ = json.Unmarshal(body, &er) // fields of the wrong type are left empty
	code := codeText(er.Code)
	if code != "" || er.Description != "" {
		e.Code = code
		e.Description = truncate(sanitize(er.Description, token), maxDescription)
		e.Source = truncate(sanitize(deref(er.Source), token), maxShortField)
		return
	}
	var te gen.ThrottlingError
	if json.Unmarshal(body, &te) == nil && te.Message != "" {
		e.Description = truncate(sanitize(te.Message, token), maxDescription)
		return
	}
	e.Description = truncate(sanitize(string(bytesPrefix(body, 4*maxDescription)), token), maxDescription)
}

// Response id headers, keys in canonical form for direct lookups.
const (
	hdrRequestID     = "Ms-Requestid"     // MS-RequestId
	hdrCorrelationID = "Ms-Correlationid" // MS-CorrelationId
)

// headerID returns a response id header (canonical key), shortened and cleaned, or the id
// the request sent.
func headerID(h http.Header, key string, sent gen.Guid) string {
	var v string
	if vs := h[key]; len(vs) > 0 {
		v = vs[0]
	}
	if isGUID(v) {
		return v
	} else if v != "" {
		return truncate(sanitize(v, ""), maxShortField)
	}
	return sent.String()
}

// bytesPrefix returns at most n bytes of b, cut on a rune boundary.
func bytesPrefix(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}
