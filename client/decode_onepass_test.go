package client

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// statusBodies are status bodies of every shape: the docs' example, and each piece in
// another shape than the spec's.
var statusBodies = []string{
	`{"id":"42d075a4-bfe7-43e7-af6d-7c68a57edcb4","status":"InProgress","productFamily":"Azure","lineItems":[{"sourceProduct":{"id":"b1beb621-3cad-4d7a-b360-62db33ce028e","name":"AzureSubscription"},"targetProduct":{"id":"d231908e-31c1-de0e-027b-bc5ce11f09d9","name":"Microsoft Azure plan"},"upgradedDate":"0001-01-01T00:00:00","status":"InProgress"}]}`,
	`{"status":"Failed","errorDetails":{"code":900123,"message":"m","description":"d"}}`,
	`{"status":"Failed","errorDetails":{"code":{"a":1},"description":"d"}}`,
	`{"status":"Failed","errorDetails":"not an object"}`,
	`{"status":"Failed","errorDetails":[1,2]}`,
	`{"status":"Failed","errorDetails":null}`,
	`{"status":"x","lineItems":null}`,
	`{"status":"x","lineItems":"none"}`,
	`{"status":"x","lineItems":{"a":1}}`,
	`{"status":"x","lineItems":[]}`,
	`{"status":"x","lineItems":[null,5,"s",[],{},{"status":"Done"}]}`,
	`{"status":"x","lineItems":[{"sourceProduct":"s","targetProduct":[1],"errorDetails":7}]}`,
	`{"status":"x","lineItems":[{"sourceProduct":null,"targetProduct":{"id":null,"name":12.50}}]}`,
	`{"status":"x","lineItems":[{"errorDetails":{"code":"900","message":null}}]}`,
	`{"ID":"A","Status":"caps","PRODUCTFAMILY":"Azure"}`,
	`{"customerId":"c","CustomerID":"C","isEligible":"TRUE","upgradeId":null,"reason":{"x":1},"productFamily":7}`,
	`{"st\u0061tus":"escaped key","\u0069d":"i","s\u212Atatus":"k"}`,
	"{\"statu\u017F\":\"long s\",\"\u212Aey\":1,\"id\xff\":\"bad key\"}",
	`{"lineItems":[{"sourceProduct":{"id":"a"},"sourceProduct":{"name":"b"}}],"errorDetails":{"code":1},"errorDetails":{"message":"m"}}`,
	`{"a":{"b":[{"c":"}]\"{["}]},"status":"after nested","z":[[[]]],"n":-1.5E+3}`,
	`{"id":"a","id":"b","status":"s","status":"t"}`,
	`{"status":"esc\u00e9\"\\ \ud83d\ude00","productFamily":"\u2028<&>"}`,
	"{\"status\":\"bad utf-8 \xff\xfe\",\"id\":\"\xc3\"}",
	`{"status":true,"id":12e3,"productFamily":false}`,
	`{"status":{"nested":"object"},"id":["array"]}`,
	` { "status" : "spaced" , "lineItems" : [ { "status" : " s " } ] } `,
}

// TestWalkStatusReadsLikeEncodingJSON checks that the walk reads each status body as the
// reference reading does.
func TestWalkStatusReadsLikeEncodingJSON(t *testing.T) {
	for _, body := range statusBodies {
		checkOnePassIsLoose(t, []byte(body))
	}
	_, err := decodeWireStatus([]byte(`{"status":"x",}`))
	require.Error(t, err)
	var want struct{}
	assert.Equal(t, json.Unmarshal([]byte(`{"status":"x",}`), &want).Error(), err.Error(), "encoding/json's error")
}

func checkOnePassIsLoose(t *testing.T, body []byte) {
	t.Helper()
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return // successBody answers these
	}
	var loose looseStatus
	looseErr := json.Unmarshal(body, &loose)
	got, err := decodeWireStatus(body)
	if looseErr != nil {
		require.Error(t, err, "%s", body)
		return
	}
	require.NoError(t, err, "%s", body)
	assert.Equal(t, wireStatus(loose), got, "status %s", body)

	var e wireEligibility
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, e, walkEligibility(body), "eligibility %s", body)
}

// FuzzDecodeWireStatus: the walk reads every body as the reference reading does.
func FuzzDecodeWireStatus(f *testing.F) {
	for _, b := range statusBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkOnePassIsLoose(t, body)
	})
}

// TestJSONValueReadsLikeEncodingJSON checks jsonValue's text against encoding/json's
// reading of the same value as a string (strings), and its literal (numbers, booleans).
func TestJSONValueReadsLikeEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`""`, `"plain"`, `"esc\"aped\\"`, `"\u00e9\u2028"`, "\"\xff bad\"", "\"\xc3\xa9 ok\"",
		`"\ud83d\ude00"`, `"\ud800"`, `12`, `-0.5e3`, `true`, `false`, `null`, `{"a":1}`, `[1]`,
	} {
		v := valueOf(json.RawMessage(raw))
		assert.Equal(t, raw, v.raw)
		switch raw[0] {
		case '"':
			var want string
			require.NoError(t, json.Unmarshal([]byte(raw), &want))
			assert.Equal(t, want, v.text, raw)
		case 'n', '{', '[':
			assert.Empty(t, v.text, raw)
		default:
			assert.Equal(t, raw, v.text, raw)
		}
	}
	assert.True(t, valueOf(nil).isNull())
	assert.True(t, valueOf(json.RawMessage("null")).isNull())
	assert.False(t, valueOf(json.RawMessage(`""`)).isNull())
}

// TestNormalGUIDReadsLikeGuidNormalize: normalGUID accepts what guid.Normalize accepts, and
// two GUIDs are the same for one when they are for the other.
func TestNormalGUIDReadsLikeGuidNormalize(t *testing.T) {
	ids := []string{
		"42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4",
		" {42d075a4-bfe7-43e7-af6d-7c68a57edcb4} ", "(42d075a4-bfe7-43e7-af6d-7c68a57edcb4)",
		"urn:uuid:42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "URN:UUID:42D075A4-bfe7-43e7-af6d-7c68a57edcb4",
		"00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}",
		"42d075a4bfe743e7af6d7c68a57edcb4", "42d075a4-bfe7-43e7-af6d-7c68a57edcb", "{42d075a4-bfe7-43e7-af6d-7c68a57edcb4)",
		"00000000-0000-0000-0000-00000000000g", "", "-", "not a guid",
	}
	for _, a := range ids {
		na, okA := guid.Normalize(a)
		ga, ok := normalGUID(a)
		assert.Equal(t, okA, ok, a)
		if !ok {
			continue
		}
		assert.Equal(t, guid.IsNil(na), isNilGUID(ga), a)
		for _, b := range ids {
			if nb, okB := guid.Normalize(b); okB {
				gb, _ := normalGUID(b)
				assert.Equal(t, na == nb, strings.EqualFold(ga, gb), "%s %s", a, b)
			}
		}
	}
}

// The reference reading of a status body: encoding/json's, piece by piece (the client's
// reading before walkStatus). walkStatus must read every body as it does.

// looseStatus is a status body whose lineItems and errorDetails are read piece by piece:
// decoding it into a wireStatus fails only on a body that is not JSON.
type looseStatus wireStatus

// UnmarshalJSON reads b as a wireStatus, leaving out each piece of another shape than the
// spec's, as if it were absent (a product, errorDetails) or null (a line item).
func (l *looseStatus) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            jsonValue       `json:"id"`
		ProductFamily jsonValue       `json:"productFamily"`
		Status        jsonValue       `json:"status"`
		LineItems     json.RawMessage `json:"lineItems"`
		ErrorDetails  json.RawMessage `json:"errorDetails"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = looseStatus{ID: w.ID, ProductFamily: w.ProductFamily, Status: w.Status,
		ErrorDetails: looseErrorDetails(w.ErrorDetails)}
	var items []json.RawMessage
	if err := json.Unmarshal(w.LineItems, &items); err == nil && items != nil {
		l.LineItems = make([]*wireLineItem, 0, len(items))
		for _, raw := range items {
			var li struct {
				SourceProduct json.RawMessage `json:"sourceProduct"`
				TargetProduct json.RawMessage `json:"targetProduct"`
				UpgradedDate  jsonValue       `json:"upgradedDate"`
				Status        jsonValue       `json:"status"`
				ErrorDetails  json.RawMessage `json:"errorDetails"`
			}
			if !isObject(raw) || json.Unmarshal(raw, &li) != nil {
				continue // null or not an object: nothing to report
			}
			l.LineItems = append(l.LineItems, &wireLineItem{
				SourceProduct: looseProduct(li.SourceProduct),
				TargetProduct: looseProduct(li.TargetProduct),
				UpgradedDate:  li.UpgradedDate,
				Status:        li.Status,
				ErrorDetails:  looseErrorDetails(li.ErrorDetails),
			})
		}
	}
	return nil
}

func looseProduct(raw json.RawMessage) wireProduct {
	var p wireProduct
	if !isObject(raw) || json.Unmarshal(raw, &p) != nil {
		return wireProduct{}
	}
	return p
}

func looseErrorDetails(raw json.RawMessage) *wireErrorDetails {
	var d wireErrorDetails
	if !isObject(raw) || json.Unmarshal(raw, &d) != nil {
		return nil
	}
	return &d
}

// isObject reports a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

func TestIsGUIDText(t *testing.T) {
	for range 100 {
		u := uuid.New()
		assert.True(t, isGUIDText(u.String(), u))
		assert.False(t, isGUIDText(strings.ToUpper(u.String()), u) && strings.ToUpper(u.String()) != u.String())
		other := u
		other[15] ^= 1
		assert.False(t, isGUIDText(other.String(), u))
		assert.False(t, isGUIDText(strings.Replace(u.String(), "-", "x", 1), u))
		assert.False(t, isGUIDText(u.String()[:35], u))
	}
}
