package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// The client is a tolerant reader: it decodes each response into its own small wire types,
// every field a json.RawMessage read leniently, never into the generated types. A field the
// caller does not need never fails a call (an id that is not a GUID, a date without a zone,
// a null, an unknown property); a field the caller must have (isEligible, the status value,
// the 202's upgrade id) is an error naming it when it is missing. The verifier
// (contracttests) is where strictness lives.

// wireEligibility is a 200 of the eligibility check.
type wireEligibility struct {
	CustomerID    json.RawMessage `json:"customerId"`
	ProductFamily json.RawMessage `json:"productFamily"`
	IsEligible    json.RawMessage `json:"isEligible"`
	UpgradeID     json.RawMessage `json:"upgradeId"`
	Reason        json.RawMessage `json:"reason"`
}

// wireStatus is a 200 of the status check.
type wireStatus struct {
	ID            json.RawMessage `json:"id"`
	ProductFamily json.RawMessage `json:"productFamily"`
	Status        json.RawMessage `json:"status"`
	LineItems     json.RawMessage `json:"lineItems"`
	ErrorDetails  json.RawMessage `json:"errorDetails"`
}

// wireLineItem is one of a status's lineItems.
type wireLineItem struct {
	SourceProduct json.RawMessage `json:"sourceProduct"`
	TargetProduct json.RawMessage `json:"targetProduct"`
	UpgradedDate  json.RawMessage `json:"upgradedDate"`
	Status        json.RawMessage `json:"status"`
	ErrorDetails  json.RawMessage `json:"errorDetails"`
}

// wireProduct is a line item's sourceProduct or targetProduct.
type wireProduct struct {
	ID   json.RawMessage `json:"id"`
	Name json.RawMessage `json:"name"`
}

// wireErrorDetails is an errorDetails: code and message (the docs) or description (the SDKs).
type wireErrorDetails struct {
	Code        json.RawMessage `json:"code"`
	Message     json.RawMessage `json:"message"`
	Description json.RawMessage `json:"description"`
}

// wireAccepted is a body a 202 may carry although the docs show none: an upgrade id.
type wireAccepted struct {
	ID        json.RawMessage `json:"id"`
	UpgradeID json.RawMessage `json:"upgradeId"`
}

// rawText reads a JSON value as text: a string as written, a number or a boolean as its
// literal; null, an absent field, an object or an array as "".
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	case 'n', '{', '[':
		return ""
	}
	return string(raw)
}

// isNull reports an absent field or an explicit null.
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// isObject reports a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// idText reads an id leniently: any JSON scalar as text, kept as written (only the token is
// removed); "", whitespace and the nil GUID (in any form guid.Normalize reads) mean absent.
func idText(raw json.RawMessage, rd *redactor) string {
	s := rawText(raw)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if g, ok := guid.Normalize(s); ok && guid.IsNil(g) {
		return ""
	}
	return rd.scrub(s)
}

// decodeEligibility reads a 200 of CheckEligibility. isEligible is required: a JSON boolean,
// or "true"/"false" in any casing.
func decodeEligibility(st *call, res response, r UpgradeRequest) (*Eligibility, error) {
	body, err := successBody(st, res)
	if err != nil {
		return nil, err
	}
	var w wireEligibility
	if err := decodeObject(st, res, body, &w); err != nil {
		return nil, err
	}
	rd := st.redactor()
	out := &Eligibility{
		CustomerID:    idText(w.CustomerID, rd),
		ProductFamily: rd.scrub(strings.TrimSpace(rawText(w.ProductFamily))),
		UpgradeID:     idText(w.UpgradeID, rd),
		Reason:        rd.scrub(rawText(w.Reason)),
	}
	if isNull(w.IsEligible) {
		return nil, malformed(st, res, `body has no "isEligible"`)
	}
	switch v := strings.TrimSpace(rawText(w.IsEligible)); {
	case strings.EqualFold(v, "true"):
		out.IsEligible = true
	case strings.EqualFold(v, "false"):
	default:
		return nil, malformed(st, res, fmt.Sprintf(`body's "isEligible" is not a boolean: %.64q`, sanitize(string(w.IsEligible), rd)))
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
	var w wireStatus
	if err := decodeObject(st, res, body, &w); err != nil {
		return nil, err
	}
	rd := st.redactor()
	status := strings.TrimSpace(rawText(w.Status))
	if status == "" {
		return nil, malformed(st, res, `body has no "status"`)
	}
	out := &UpgradeStatus{
		ID:            idText(w.ID, rd),
		ProductFamily: rd.scrub(strings.TrimSpace(rawText(w.ProductFamily))),
		Status:        rd.scrub(status),
		ErrorDetails:  errorDetailsFrom(w.ErrorDetails, rd),
	}
	if out.ID == "" {
		out.ID = upgradeID
	} else if got, ok := guid.Normalize(out.ID); ok {
		if want, _ := guid.Normalize(upgradeID); got != want {
			return nil, malformed(st, res, fmt.Sprintf(`body's "id" names upgrade %s, not %s`, out.ID, upgradeID))
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(w.LineItems, &items); err == nil && items != nil {
		out.LineItems = make([]LineItem, 0, len(items))
		for _, raw := range items {
			var li wireLineItem
			if !isObject(raw) || json.Unmarshal(raw, &li) != nil {
				continue // null or not an object: nothing to report
			}
			date := strings.TrimSpace(rawText(li.UpgradedDate))
			out.LineItems = append(out.LineItems, LineItem{
				SourceProduct:   productFrom(li.SourceProduct, rd),
				TargetProduct:   productFrom(li.TargetProduct, rd),
				UpgradedDate:    parseUpgradedDate(date),
				UpgradedDateRaw: rd.scrub(date),
				Status:          rd.scrub(strings.TrimSpace(rawText(li.Status))),
				ErrorDetails:    errorDetailsFrom(li.ErrorDetails, rd),
			})
		}
	}
	return out, nil
}

func productFrom(raw json.RawMessage, rd *redactor) Product {
	var p wireProduct
	if !isObject(raw) || json.Unmarshal(raw, &p) != nil {
		return Product{}
	}
	return Product{ID: idText(p.ID, rd), Name: rd.scrub(rawText(p.Name))}
}

func errorDetailsFrom(raw json.RawMessage, rd *redactor) *ErrorDetails {
	var d wireErrorDetails
	if !isObject(raw) || json.Unmarshal(raw, &d) != nil {
		return nil
	}
	out := &ErrorDetails{Code: codeText(d.Code, rd), Message: rd.scrub(rawText(d.Message))}
	if out.Message == "" {
		out.Message = rd.scrub(rawText(d.Description))
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

// parseUpgradedDate returns upgradedDate in UTC, or the zero time when there is none: "",
// .NET's default "0001-01-01T00:00:00", or text in no known form (kept raw by the caller).
func parseUpgradedDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range upgradedDateLayouts {
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
	for _, raw := range []json.RawMessage{w.ID, w.UpgradeID} {
		if g, ok := guid.Normalize(rawText(raw)); ok && !guid.IsNil(g) {
			return g, true
		}
	}
	return "", false
}
