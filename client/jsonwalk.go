package client

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// A walk over a response body that encoding/json has found valid (json.Valid): one pass
// over the bytes, each member of an object handed to the reader of the object with the
// index of its value, each reader returning the index just past the value it read. No
// reflection, and no piece is scanned twice. It reads what decoding into a struct would
// read: a member's key matches a field's name as encoding/json matches it (exactly, or by
// case folding after unescaping), and the last of repeated keys wins. It must only be given
// valid JSON: on other input it reads garbage, but never panics or loops.

// skipSpace returns the index of the first byte at or after i that is not JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the JSON string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	i++
	for i < len(b) {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b)
		}
		i += q
		// The quote ends the string unless an odd number of backslashes comes before it.
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
	return len(b)
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return len(b)
}

// memberKey is an object member's key as the walk matches it to a field's name.
type memberKey struct {
	plain []byte // the key as written, when it has no escapes and is ASCII
	text  string // otherwise, the key unescaped
}

func keyOf(quoted []byte) memberKey {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			var s string
			_ = json.Unmarshal(quoted, &s) // valid JSON: a string
			return memberKey{text: s}
		}
	}
	return memberKey{plain: inner}
}

// is reports whether the key names the field name (ASCII), as encoding/json matches them:
// equal, or equal but for case (bytes.EqualFold: "K" and "ſ" fold to k and s).
func (k memberKey) is(name string) bool {
	if k.plain != nil {
		return string(k.plain) == name || len(k.plain) == len(name) && bytes.EqualFold(k.plain, []byte(name))
	}
	return strings.EqualFold(k.text, name)
}

// walkObject calls f with the key and the index of the value of each member of the object
// starting at b[i] ('{'), in order; f returns the index just past the value. walkObject
// returns the index just past the object.
func walkObject(b []byte, i int, f func(k memberKey, i int) int) int {
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return len(b)
		}
		if b[i] != '"' {
			return i + 1 // '}'
		}
		end := skipString(b, i)
		k := keyOf(b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return len(b)
		}
		next := f(k, skipSpace(b, i+1))
		if next <= i {
			return len(b)
		}
		i = skipSpace(b, next)
		if i >= len(b) {
			return len(b)
		}
		if b[i] != ',' {
			return i + 1 // '}'
		}
		i++
	}
}

// walkArray calls f with the index of each element of the array starting at b[i] ('['),
// in order; f returns the index just past the element. walkArray returns the index just
// past the array.
func walkArray(b []byte, i int, f func(i int) int) int {
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return len(b)
		}
		if b[i] == ']' {
			return i + 1
		}
		next := f(i)
		if next <= i {
			return len(b)
		}
		i = skipSpace(b, next)
		if i >= len(b) {
			return len(b)
		}
		if b[i] != ',' {
			return i + 1 // ']'
		}
		i++
	}
}

// read reads the value starting at b[i] into v, as decoding into a jsonValue field reads
// it, and returns the index just past it.
func (v *jsonValue) read(b []byte, i int) int {
	end := skipValue(b, i)
	_ = v.UnmarshalJSON(b[i:end])
	return end
}

// walkEligibility reads an eligibility body (a valid JSON object).
func walkEligibility(body []byte) wireEligibility {
	var w wireEligibility
	walkObject(body, 0, func(k memberKey, i int) int {
		switch {
		case k.is("customerId"):
			return w.CustomerID.read(body, i)
		case k.is("productFamily"):
			return w.ProductFamily.read(body, i)
		case k.is("isEligible"):
			return w.IsEligible.read(body, i)
		case k.is("upgradeId"):
			return w.UpgradeID.read(body, i)
		case k.is("reason"):
			return w.Reason.read(body, i)
		}
		return skipValue(body, i)
	})
	return w
}

// walkStatus reads a status body (a valid JSON object) as encoding/json reads it member by
// member: a lineItems that is not an array, a line item, product or errorDetails that is
// not an object, is left out.
func walkStatus(body []byte) wireStatus {
	var w wireStatus
	walkObject(body, 0, func(k memberKey, i int) int {
		switch {
		case k.is("id"):
			return w.ID.read(body, i)
		case k.is("productFamily"):
			return w.ProductFamily.read(body, i)
		case k.is("status"):
			return w.Status.read(body, i)
		case k.is("lineItems"):
			var end int
			w.LineItems, end = walkLineItems(body, i)
			return end
		case k.is("errorDetails"):
			var end int
			w.ErrorDetails, end = walkErrorDetails(body, i)
			return end
		}
		return skipValue(body, i)
	})
	return w
}

func walkLineItems(b []byte, i int) ([]*wireLineItem, int) {
	if i >= len(b) || b[i] != '[' {
		return nil, skipValue(b, i)
	}
	items := make([]*wireLineItem, 0, 1)
	end := walkArray(b, i, func(i int) int {
		if b[i] != '{' {
			return skipValue(b, i) // null or not an object: nothing to report
		}
		li := new(wireLineItem)
		items = append(items, li)
		return walkObject(b, i, func(k memberKey, i int) int {
			switch {
			case k.is("sourceProduct"):
				var end int
				li.SourceProduct, end = walkProduct(b, i)
				return end
			case k.is("targetProduct"):
				var end int
				li.TargetProduct, end = walkProduct(b, i)
				return end
			case k.is("upgradedDate"):
				return li.UpgradedDate.read(b, i)
			case k.is("status"):
				return li.Status.read(b, i)
			case k.is("errorDetails"):
				var end int
				li.ErrorDetails, end = walkErrorDetails(b, i)
				return end
			}
			return skipValue(b, i)
		})
	})
	return items, end
}

func walkProduct(b []byte, i int) (wireProduct, int) {
	var p wireProduct
	if i >= len(b) || b[i] != '{' {
		return p, skipValue(b, i)
	}
	end := walkObject(b, i, func(k memberKey, i int) int {
		switch {
		case k.is("id"):
			return p.ID.read(b, i)
		case k.is("name"):
			return p.Name.read(b, i)
		}
		return skipValue(b, i)
	})
	return p, end
}

func walkErrorDetails(b []byte, i int) (*wireErrorDetails, int) {
	if i >= len(b) || b[i] != '{' {
		return nil, skipValue(b, i)
	}
	d := new(wireErrorDetails)
	end := walkObject(b, i, func(k memberKey, i int) int {
		switch {
		case k.is("code"):
			return d.Code.read(b, i)
		case k.is("message"):
			return d.Message.read(b, i)
		case k.is("description"):
			return d.Description.read(b, i)
		}
		return skipValue(b, i)
	})
	return d, end
}
