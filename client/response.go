package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
	"github.com/partnercenter-go/productupgrades/internal/pccodes"
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// stripBOM drops a UTF-8 byte order mark, which some Microsoft commerce endpoints put before
// JSON.
func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// successBody returns a successful response's body, trimmed, ready to decode into one of the
// client's lenient wire types. The client reads every body itself, whatever the Content-Type
// says (the docs' examples send none), and never through the generated response types, so
// that a response the spec would reject on a field the caller does not need still decodes.
func successBody(st *call, res response) ([]byte, error) {
	if res.truncated {
		return nil, fmt.Errorf("productupgrades: %s: HTTP %d body exceeds %d bytes [request-id %s]: %w",
			st.op, res.status, MaxResponseBytes, st.rid.String(), ErrResponseTooLarge)
	}
	body := bytes.TrimSpace(stripBOM(res.body))
	if len(body) == 0 {
		return nil, malformed(st, res, "with an empty body")
	}
	if body[0] != '{' {
		return nil, malformed(st, res, "body is not a JSON object")
	}
	return body, nil
}

// decodeObject decodes a JSON object into one of the wire types, whose fields are all
// jsonValue (any JSON value), so that only a body that is not JSON fails.
func decodeObject(st *call, res response, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return malformed(st, res, fmt.Sprintf("body is not valid JSON (%s)", sanitize(err.Error(), st.redactor())))
	}
	return nil
}

// malformed is an ErrMalformedResponse for the response res to the call st.
func malformed(st *call, res response, what string) error {
	return fmt.Errorf("productupgrades: %s: HTTP %d %s [request-id %s]: %w",
		st.op, res.status, what, st.rid.String(), ErrMalformedResponse)
}

// response is a call's final answer as the pipeline read it: the status, the headers, and
// the body through the cap.
type response struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool // the body exceeded MaxResponseBytes and was not read
}

// responseOf reads the response a call returned. Its body is the body policy's
// *cappedBody, so nothing is read here: the bytes and the truncation are taken from it.
func responseOf(resp *http.Response) response {
	res := response{status: resp.StatusCode, header: resp.Header}
	if b, ok := resp.Body.(*cappedBody); ok {
		res.body, res.truncated = b.data, b.truncated
	}
	_ = resp.Body.Close()
	return res
}

// apiError builds the *APIError for a non-2xx response res to the call st.
func apiError(st *call, res response, now time.Time) *APIError {
	return newAPIError(st.op, res, st.rid, st.cid, now, st.redactor())
}

// newAPIError builds the *APIError for a non-2xx response res to operation op: a pure
// function of the response, the ids the request sent (used when the response carries none),
// the time (for a Retry-After date) and the redactor of the token sent.
func newAPIError(op string, res response, sentRID, sentCID gen.Guid, now time.Time, rd *redactor) *APIError {
	e := &APIError{
		StatusCode:    res.status,
		Operation:     op,
		RequestID:     headerID(res.header, hdrRequestID, sentRID, rd),
		CorrelationID: headerID(res.header, hdrCorrelationID, sentCID, rd),
	}
	if d, ok := retryAfter(res.header, now); ok {
		e.RetryAfter = d
	}
	if res.truncated {
		e.Description = fmt.Sprintf("response body exceeds %d bytes and was not read", MaxResponseBytes)
		e.cause = ErrResponseTooLarge
		return e
	}
	body := bytes.TrimSpace(stripBOM(res.body))
	switch {
	case len(body) == 0:
		e.Description = http.StatusText(res.status)
	case body[0] == '{' && json.Valid(body):
		decodeErrorBody(e, body, rd)
	default:
		// An HTML page from a gateway, plain text, or JSON that is not an object.
		e.Description = bodyText(body, rd)
	}
	return e
}

// bodyText is a body quoted as an error's description: cut a little past the bound first
// (the token is removed before the final cut, so a cut cannot leave a piece of it), cleaned,
// then bounded.
func bodyText(body []byte, rd *redactor) string {
	n := 4 * maxDescription
	if rd != nil {
		n += 2 * len(rd.token)
	}
	return truncateRunes(sanitize(string(bytesPrefix(body, n)), rd), maxDescription)
}

// wireError is an error body: the service's {code, description, data, source} or the
// gateway's 429 {statusCode, message}. code comes as a number or a string.
type wireError struct {
	Code        jsonValue `json:"code"`
	Description jsonValue `json:"description"`
	Source      jsonValue `json:"source"`
	Message     jsonValue `json:"message"`
}

// decodeErrorBody reads the service's or the gateway's error shape; any other object is
// quoted as text.
func decodeErrorBody(e *APIError, body []byte, rd *redactor) {
	var we wireError
	_ = json.Unmarshal(body, &we) // a valid object: every field is raw
	code := codeText(we.Code, rd)
	desc := we.Description.text
	if code != "" || desc != "" {
		e.Code = code
		e.UpgradeID = upgradeIDIn(code, desc)
		e.Description = truncateRunes(sanitize(desc, rd), maxDescription)
		e.Source = truncate(sanitize(we.Source.text, rd), maxShortField)
		return
	}
	if msg := we.Message.text; msg != "" {
		e.Description = truncateRunes(sanitize(msg, rd), maxDescription)
		return
	}
	e.Description = bodyText(body, rd)
}

// codeText reads the service's error code whether it came as a JSON string or a number
// (the docs type it as a string, every real example sends a number); other JSON is quoted.
func codeText(v jsonValue, rd *redactor) string {
	if v.isNull() {
		return ""
	}
	s := v.text
	if s == "" && (v.raw[0] == '{' || v.raw[0] == '[') {
		s = v.raw
	}
	// A hostile server may send 2,000 digits.
	return truncate(sanitize(s, rd), maxShortField)
}

// upgradeIDIn returns the upgrade id an error description names, for the codes whose text
// carries one (the table of internal/pccodes says which placeholder names the upgrade: for
// 900109, 900110 and 900112 to 900114 the first GUID, for 900111's "customer {0} ... upgrade
// {1}" the last). The wording changed between 2020 and 2023, so ids are found by their
// shape, counted from the first GUID for the first placeholder and from the last GUID for a
// later one, never by the sentence.
func upgradeIDIn(code, desc string) string {
	pos, ok := pccodes.UpgradeIDAt(code)
	if !ok || pos.Args == 0 {
		return ""
	}
	ids := guid.FindAll(desc)
	if len(ids) < pos.Args {
		return ""
	}
	id := ids[0]
	if pos.Arg > 0 {
		id = ids[len(ids)-(pos.Args-pos.Arg)]
	}
	if guid.IsNil(id) {
		return ""
	}
	return id
}

// Response id headers, keys in canonical form for direct lookups.
const (
	hdrRequestID     = "Ms-Requestid"     // MS-RequestId
	hdrCorrelationID = "Ms-Correlationid" // MS-CorrelationId
)

// headerID returns a response id header (canonical key), shortened and cleaned, or the id
// the request sent.
func headerID(h http.Header, key string, sent gen.Guid, rd *redactor) string {
	var v string
	if vs := h[key]; len(vs) > 0 {
		v = vs[0]
	}
	if isGUIDText(v, sent) || guid.Valid(v) {
		return v
	} else if v != "" {
		if s := truncate(sanitize(v, rd), maxShortField); s != "" {
			return s
		}
	}
	return sent.String()
}

// isGUIDText reports whether v is u in the lowercase 8-4-4-4-12 form, as the client sends
// it and the service echoes it: a cheaper test than guid.Valid for the usual answer.
func isGUIDText(v string, u gen.Guid) bool {
	const hexDigits = "0123456789abcdef"
	if len(v) != guid.Len || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return false
	}
	for i, p := range guidHexAt {
		if v[p] != hexDigits[u[i]>>4] || v[p+1] != hexDigits[u[i]&0x0f] {
			return false
		}
	}
	return true
}

// guidHexAt is where each byte of a GUID is written in its 8-4-4-4-12 form.
var guidHexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

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
