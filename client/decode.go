package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// The client is a tolerant reader: it decodes each response into its own small wire types,
// every scalar field a jsonValue read leniently, never into the generated types. A field the
// caller does not need never fails a call (an id that is not a GUID, a date without a zone,
// a null, an unknown property); a field the caller must have (isEligible, the status value,
// the 202's upgrade id) is an error naming it when it is missing. The verifier
// (contracttests) is where strictness lives.

// wireEligibility is a 200 of the eligibility check.
type wireEligibility struct {
	CustomerID    jsonValue `json:"customerId"`
	ProductFamily jsonValue `json:"productFamily"`
	IsEligible    jsonValue `json:"isEligible"`
	UpgradeID     jsonValue `json:"upgradeId"`
	Reason        jsonValue `json:"reason"`
}

// wireStatus is a 200 of the status check, as walkStatus reads it.
type wireStatus struct {
	ID            jsonValue         `json:"id"`
	ProductFamily jsonValue         `json:"productFamily"`
	Status        jsonValue         `json:"status"`
	LineItems     []*wireLineItem   `json:"lineItems"`
	ErrorDetails  *wireErrorDetails `json:"errorDetails"`
}

// wireLineItem is one of a status's lineItems.
type wireLineItem struct {
	SourceProduct wireProduct       `json:"sourceProduct"`
	TargetProduct wireProduct       `json:"targetProduct"`
	UpgradedDate  jsonValue         `json:"upgradedDate"`
	Status        jsonValue         `json:"status"`
	ErrorDetails  *wireErrorDetails `json:"errorDetails"`
}

// wireProduct is a line item's sourceProduct or targetProduct.
type wireProduct struct {
	ID   jsonValue `json:"id"`
	Name jsonValue `json:"name"`
}

// wireErrorDetails is an errorDetails: code and message (the docs) or description (the SDKs).
type wireErrorDetails struct {
	Code        jsonValue `json:"code"`
	Message     jsonValue `json:"message"`
	Description jsonValue `json:"description"`
}

// wireAccepted is a body a 202 may carry although the docs show none: an upgrade id.
type wireAccepted struct {
	ID        jsonValue `json:"id"`
	UpgradeID jsonValue `json:"upgradeId"`
}

// jsonValue is one JSON value of a response, whatever its type: reading it never fails, so
// that a field of an unexpected type never fails a call. raw is the value as written (""
// when the field is absent); text is the value read as text: a string unescaped (a part of
// raw when there is nothing to unescape), a number or a boolean as its literal, and "" for
// null, an object or an array.
type jsonValue struct {
	raw  string
	text string
}

// UnmarshalJSON keeps b, a valid JSON value (encoding/json checked it), and its text.
func (v *jsonValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		*v = jsonValue{}
	case b[0] == 'n':
		*v = jsonValue{raw: "null"}
	case string(b) == "true":
		*v = jsonValue{raw: "true", text: "true"}
	case string(b) == "false":
		*v = jsonValue{raw: "false", text: "false"}
	case b[0] == '"':
		raw := string(b)
		text := raw[1 : len(raw)-1]
		if strings.IndexByte(text, '\\') >= 0 || !utf8.ValidString(text) {
			text = unquote(b)
		}
		*v = jsonValue{raw: raw, text: text}
	case b[0] == '{' || b[0] == '[':
		*v = jsonValue{raw: string(b)}
	default: // a number, kept as written
		raw := string(b)
		*v = jsonValue{raw: raw, text: raw}
	}
	return nil
}

// unquote is encoding/json's reading of the JSON string b: escapes decoded, bytes that are
// not UTF-8 replaced with U+FFFD.
func unquote(b []byte) string {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

// isNull reports an absent field or an explicit null.
func (v jsonValue) isNull() bool { return v.raw == "" || v.raw == "null" }

// valueOf reads raw, a valid JSON value or nothing, as a jsonValue.
func valueOf(raw json.RawMessage) jsonValue {
	var v jsonValue
	_ = v.UnmarshalJSON(raw)
	return v
}

// idText reads an id leniently: any JSON scalar as text, kept as written (only the token is
// removed); "", whitespace and the nil GUID (in any form guid.Normalize reads) mean absent.
func idText(v jsonValue, rd *redactor) string {
	s := v.text
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if g := normalGUIDForm(s); isNilGUID(g) && guid.Valid(g) { // isNilGUID first: it fails fast
		return ""
	}
	return rd.scrub(s)
}

// normalGUID is s in the 8-4-4-4-12 form when guid.Normalize reads it as a GUID (surrounding
// spaces, a urn:uuid: prefix, braces or parentheses allowed), in its own casing: two GUIDs
// are the same when their forms are equal but for case. Nothing is allocated.
func normalGUID(s string) (string, bool) {
	g := normalGUIDForm(s)
	return g, guid.Valid(g)
}

// normalGUIDForm is s without the spaces, urn:uuid: prefix, braces or parentheses
// guid.Normalize allows around a GUID.
func normalGUIDForm(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 9 && strings.EqualFold(s[:9], "urn:uuid:") {
		s = s[9:]
	}
	if len(s) == guid.Len+2 && (s[0] == '{' && s[guid.Len+1] == '}' || s[0] == '(' && s[guid.Len+1] == ')') {
		s = s[1 : guid.Len+1]
	}
	return s
}

// isNilGUID reports whether g, a GUID in the 8-4-4-4-12 form, is the nil GUID.
func isNilGUID(g string) bool { return strings.Trim(g, "0-") == "" }

// decodeEligibility reads a 200 of CheckEligibility. isEligible is required: a JSON boolean,
// or "true"/"false" in any casing.
func decodeEligibility(st *call, res response, r UpgradeRequest) (*Eligibility, error) {
	body, err := successBody(st, res)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		if err := decodeObject(st, res, body, &wireEligibility{}); err != nil {
			return nil, err // encoding/json's error, in the client's words
		}
		return nil, malformed(st, res, "body is not valid JSON")
	}
	w := walkEligibility(body)
	rd := st.redactor()
	out := &Eligibility{
		CustomerID:    idText(w.CustomerID, rd),
		ProductFamily: rd.scrub(strings.TrimSpace(w.ProductFamily.text)),
		UpgradeID:     idText(w.UpgradeID, rd),
		Reason:        rd.scrub(w.Reason.text),
	}
	if w.IsEligible.isNull() {
		return nil, malformed(st, res, `body has no "isEligible"`)
	}
	switch v := strings.TrimSpace(w.IsEligible.text); {
	case strings.EqualFold(v, "true"):
		out.IsEligible = true
	case strings.EqualFold(v, "false"):
	default:
		return nil, malformed(st, res, fmt.Sprintf(`body's "isEligible" is not a boolean: %.64q`, sanitize(w.IsEligible.raw, rd)))
	}
	if out.CustomerID == "" {
		out.CustomerID = r.CustomerID
	}
	if out.ProductFamily == "" {
		out.ProductFamily = r.ProductFamily
	}
	return out, nil
}

// decodeStatus reads a 200 of CheckStatus for upgrade upgradeID. status is required (a wait
// could never end without it); an id that is a GUID other than upgradeID is an error (the
// answer is about another upgrade); an id of another shape is kept, not compared.
func decodeStatus(st *call, res response, upgradeID string) (*UpgradeStatus, error) {
	body, err := successBody(st, res)
	if err != nil {
		return nil, err
	}
	w, err := decodeWireStatus(body)
	if err != nil {
		return nil, malformed(st, res, fmt.Sprintf("body is not valid JSON (%s)", sanitize(err.Error(), st.redactor())))
	}
	rd := st.redactor()
	status := strings.TrimSpace(w.Status.text)
	if status == "" {
		return nil, malformed(st, res, `body has no "status"`)
	}
	out := &UpgradeStatus{
		ID:            idText(w.ID, rd),
		ProductFamily: rd.scrub(strings.TrimSpace(w.ProductFamily.text)),
		Status:        rd.scrub(status),
		ErrorDetails:  errorDetailsFrom(w.ErrorDetails, rd),
	}
	if out.ID == "" || out.ID == upgradeID {
		out.ID = upgradeID
	} else if got, ok := normalGUID(out.ID); ok {
		if want, _ := normalGUID(upgradeID); !strings.EqualFold(got, want) {
			return nil, malformed(st, res, fmt.Sprintf(`body's "id" names upgrade %s, not %s`, out.ID, upgradeID))
		}
	}
	if w.LineItems != nil {
		out.LineItems = make([]LineItem, 0, len(w.LineItems))
		for _, li := range w.LineItems {
			if li == nil {
				continue // null or not an object: nothing to report
			}
			date := strings.TrimSpace(li.UpgradedDate.text)
			out.LineItems = append(out.LineItems, LineItem{
				SourceProduct:   productFrom(li.SourceProduct, rd),
				TargetProduct:   productFrom(li.TargetProduct, rd),
				UpgradedDate:    parseUpgradedDate(date),
				UpgradedDateRaw: rd.scrub(date),
				Status:          rd.scrub(strings.TrimSpace(li.Status.text)),
				ErrorDetails:    errorDetailsFrom(li.ErrorDetails, rd),
			})
		}
	}
	return out, nil
}

// decodeWireStatus reads a status body (a JSON object, or not JSON) in one walk
// (walkStatus) once json.Valid has found it JSON; it fails only on a body that is not JSON,
// with encoding/json's error.
func decodeWireStatus(body []byte) (wireStatus, error) {
	if !json.Valid(body) {
		return wireStatus{}, json.Unmarshal(body, &struct{}{})
	}
	if len(body) == 0 || body[0] != '{' {
		return wireStatus{}, nil
	}
	return walkStatus(body), nil
}

func productFrom(p wireProduct, rd *redactor) Product {
	return Product{ID: idText(p.ID, rd), Name: rd.scrub(p.Name.text)}
}

func errorDetailsFrom(d *wireErrorDetails, rd *redactor) *ErrorDetails {
	if d == nil {
		return nil
	}
	out := &ErrorDetails{Code: codeText(d.Code, rd), Message: rd.scrub(d.Message.text)}
	if out.Message == "" {
		out.Message = rd.scrub(d.Description.text)
	}
	return out
}

// upgradedDateLayouts are the forms upgradedDate takes: RFC 3339 (the docs' example, 7
// fractional digits and Z; or an offset), and the zone-less forms .NET writes for a
// DateTime of unspecified kind, read as UTC as the docs say the value is. Parsing accepts any
// number of fractional digits after the seconds.
var upgradedDateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// netDefaultDate is .NET's default DateTime as the service writes it (the docs' example):
// no date.
const netDefaultDate = "0001-01-01T00:00:00"

// parseUpgradedDate returns upgradedDate in UTC, or the zero time when there is none: "",
// .NET's default "0001-01-01T00:00:00", or text in no known form (kept raw by the caller).
func parseUpgradedDate(s string) time.Time {
	if s == "" || s == netDefaultDate {
		return time.Time{}
	}
	// A layout with a zone needs a Z or an offset after the date's 10 bytes: without one,
	// those layouts are not tried (each failure costs an error value).
	zoned := len(s) > 10 && strings.ContainsAny(s[10:], "Zz+-")
	for _, layout := range upgradedDateLayouts {
		if !zoned && strings.Contains(layout, "Z07") {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() <= 1 {
				return time.Time{}
			}
			return t
		}
	}
	return time.Time{}
}

// decodeAcceptedID returns the upgrade id a 202's JSON body carries (id, or upgradeId), for
// a 202 whose Location is unusable; ok is false when there is none.
func decodeAcceptedID(body []byte) (string, bool) {
	body = bytes.TrimSpace(stripBOM(body))
	if len(body) == 0 || body[0] != '{' {
		return "", false
	}
	var w wireAccepted
	if json.Unmarshal(body, &w) != nil {
		return "", false
	}
	for _, v := range []jsonValue{w.ID, w.UpgradeID} {
		if g, ok := guid.Normalize(v.text); ok && !guid.IsNil(g) {
			return g, true
		}
	}
	return "", false
}
