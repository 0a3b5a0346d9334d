package client

import (
	"encoding/json"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

const jsonContentType = "application/json"

// encodeBody writes the generated request type as JSON, byte for byte what json.Marshal
// writes for it (a test checks this), without reflection: the body of every call is the
// same two fields, and encoding them is a visible share of a loopback call's cost. It is
// sent through the generated ...WithBody request builders.
func encodeBody(b gen.ProductUpgradeRequest) []byte {
	if b.Attributes != nil {
		buf, _ := json.Marshal(b) // never set by this package; kept exact all the same
		return buf
	}
	buf := make([]byte, 0, 80+len(b.ProductFamily))
	buf = append(buf, `{"customerId":"`...)
	buf = guid.Append(buf, b.CustomerId)
	buf = append(buf, `","productFamily":`...)
	buf = appendJSONString(buf, b.ProductFamily)
	return append(buf, '}')
}

// appendJSONString appends s quoted; anything but plain printable ASCII goes through
// encoding/json, so that escaping (HTML-safe, \u2028, invalid UTF-8) matches json.Marshal.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
