package spec

import (
	"unicode/utf16"
	"unicode/utf8"
)

// verdict is what the fast path knows of a value against a schema.
type verdict uint8

const (
	// vOK: kin-openapi surely accepts the value.
	vOK verdict = iota
	// vBad: kin-openapi surely rejects it (used to decide a oneOf; never reported).
	vBad
	// vUnknown: the fast path cannot tell (or the JSON is not what it reads); the body must
	// go through kin-openapi. Once vUnknown, the scan stops.
	vUnknown
)

// worse returns the worse of two verdicts (unknown, then bad, then ok).
func worse(a, b verdict) verdict {
	if a > b {
		return a
	}
	return b
}

// maxDepth bounds the nesting the scanner follows; deeper is left to kin-openapi.
const maxDepth = 64

// maxKeys bounds the members of one object the scanner checks for duplicates.
const maxKeys = 64

// jsonScanner reads one JSON text and checks it against compiled schemas in the same pass.
// It reads a strict subset of JSON, in which every value decodes to what encoding/json
// decodes (with UseNumber, as kin-openapi decodes bodies) and no object repeats a member
// name; anything outside it is vUnknown.
type jsonScanner struct {
	b     []byte
	i     int
	depth int
	buf   []byte // the decoded text of a string with escapes
	// escaped says whether the last string read had escapes.
	escaped bool
}

func (p *jsonScanner) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads the value at p.i (white space already skipped) and checks it against s (nil:
// anything). It consumes the whole value unless it returns vUnknown.
func (p *jsonScanner) value(s *fastSchema) verdict {
	if p.i >= len(p.b) {
		return vUnknown
	}
	if s != nil && s.kind == kindOneOf {
		return p.oneOf(s)
	}
	c := p.b[p.i]
	switch {
	case c == '{':
		return p.object(s)
	case c == '[':
		return p.array(s)
	case c == '"':
		str, ok := p.str()
		if !ok {
			return vUnknown
		}
		if s == nil || s.kind == kindAny {
			return vOK
		}
		if s.kind != kindString {
			return vBad
		}
		if !s.constrained() {
			return vOK
		}
		return s.checkBytes(str)
	case c == 't' || c == 'f':
		if !p.literal(c) {
			return vUnknown
		}
		if s == nil || s.kind == kindAny || s.kind == kindBool {
			return vOK
		}
		return vBad
	case c == 'n':
		if !p.literal(c) {
			return vUnknown
		}
		if s == nil {
			return vOK
		}
		if s.nullable {
			return vOK
		}
		return vUnknown // not nullable: kin-openapi's null rules are left to it
	default:
		isInt, digits, ok := p.number()
		if !ok {
			return vUnknown
		}
		switch {
		case s == nil || s.kind == kindAny:
			return vOK
		case s.kind == kindInt:
			if isInt && digits <= 15 {
				return vOK
			}
			return vUnknown
		}
		return vBad
	}
}

// oneOf checks the value against each branch of s: exactly one must pass, all others fail
// surely.
func (p *jsonScanner) oneOf(s *fastSchema) verdict {
	if p.b[p.i] == 'n' {
		if !p.literal('n') {
			return vUnknown
		}
		if s.nullable {
			return vOK
		}
		return vUnknown
	}
	start, ok := 0, 0
	end := -1
	start = p.i
	for _, b := range s.oneOf {
		p.i = start
		v := p.value(b)
		if v == vUnknown {
			return vUnknown
		}
		if end >= 0 && p.i != end {
			return vUnknown // cannot happen: the same text read twice
		}
		end = p.i
		if v == vOK {
			ok++
		}
	}
	if end < 0 {
		return vUnknown
	}
	p.i = end
	if ok == 1 {
		return vOK
	}
	return vBad
}

func (p *jsonScanner) object(s *fastSchema) verdict {
	if s != nil && s.kind != kindAny && s.kind != kindObject {
		// The wrong type: still read the value through, so that the verdict is sure.
		if v := p.object(nil); v == vUnknown {
			return vUnknown
		}
		return vBad
	}
	if s != nil && s.kind == kindAny {
		s = nil
	}
	p.depth++
	if p.depth > maxDepth {
		return vUnknown
	}
	defer func() { p.depth-- }()
	p.i++               // {
	var keys [16][2]int // the member names read, as spans of p.b
	seen := keys[:0]
	res := vOK
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		if s != nil && len(s.required) > 0 {
			return vBad
		}
		return vOK
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return vUnknown
		}
		kStart := p.i + 1
		k, ok := p.str()
		if !ok || p.escaped {
			return vUnknown // a member name with escapes: left to kin-openapi
		}
		if len(seen) >= maxKeys {
			return vUnknown
		}
		for _, o := range seen {
			if string(p.b[o[0]:o[1]]) == string(k) {
				return vUnknown // a repeated member
			}
		}
		seen = append(seen, [2]int{kStart, kStart + len(k)})
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return vUnknown
		}
		p.i++
		p.skipSpace()
		var ps *fastSchema
		known := false
		if s != nil {
			for j := range s.props {
				if s.props[j].name == string(k) {
					ps, known = s.props[j].schema, true
					break
				}
			}
		}
		var v verdict
		if known {
			v = p.value(ps)
		} else {
			v = p.value(nil) // an unknown member: additionalProperties allows anything
		}
		if v == vUnknown {
			return vUnknown
		}
		res = worse(res, v)
		more, ok := p.afterItem('}')
		if !ok {
			return vUnknown
		}
		if more {
			continue
		}
		break
	}
	if s != nil {
		for _, r := range s.required {
			found := false
			for _, k := range seen {
				if string(p.b[k[0]:k[1]]) == r {
					found = true
					break
				}
			}
			if !found {
				res = worse(res, vBad)
			}
		}
	}
	return res
}

func (p *jsonScanner) array(s *fastSchema) verdict {
	if s != nil && s.kind != kindAny && s.kind != kindArray {
		if v := p.array(nil); v == vUnknown {
			return vUnknown
		}
		return vBad
	}
	var items *fastSchema
	anyItems := true
	if s != nil && s.kind == kindArray {
		items, anyItems = s.items, false
	}
	p.depth++
	if p.depth > maxDepth {
		return vUnknown
	}
	defer func() { p.depth-- }()
	p.i++ // [
	res := vOK
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return vOK
	}
	for {
		var v verdict
		if anyItems {
			v = p.value(nil)
		} else {
			v = p.value(items)
		}
		if v == vUnknown {
			return vUnknown
		}
		res = worse(res, v)
		more, ok := p.afterItem(']')
		if !ok {
			return vUnknown
		}
		if more {
			continue
		}
		return res
	}
}

// afterItem reads what follows a member of an object or an element of an array: a ',' (more
// follow: more is true) or end (the closing bracket). ok is false for anything else and at the end of
// the input.
func (p *jsonScanner) afterItem(end byte) (more, ok bool) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		p.skipSpace()
		return true, true
	case end:
		p.i++
		return false, true
	}
	return false, false
}

// literal reads true, false or null.
func (p *jsonScanner) literal(c byte) bool {
	var lit string
	switch c {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. It reports
// whether it is written as an integer, and its count of digits.
func (p *jsonScanner) number() (isInt bool, digits int, ok bool) {
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
		digits = 1
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			digits++
		}
	default:
		return false, 0, false
	}
	isInt = true
	if i < len(b) && b[i] == '.' {
		isInt = false
		i++
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		if n == 0 {
			return false, 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		if n == 0 {
			return false, 0, false
		}
	}
	p.i = i
	return isInt, digits, true
}

// str reads a string at p.i (a '"'). It returns its decoded text: a slice of the input when
// it has no escapes (p.escaped false), else of p.buf, valid until the next call. A string
// encoding/json would decode with a replacement character (invalid UTF-8, a lone surrogate)
// or that is not JSON (a control character) is not ok.
func (p *jsonScanner) str() ([]byte, bool) {
	b := p.b
	i := p.i + 1
	start := i
	p.escaped = false
	ascii := true
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			seg := b[start:i]
			if !ascii && !utf8.Valid(seg) {
				return nil, false
			}
			p.i = i + 1
			return seg, true
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	return nil, false
}

// escapedStr decodes a string with escapes whose text starts at start.
func (p *jsonScanner) escapedStr(start int) ([]byte, bool) {
	b := p.b
	p.escaped = true
	out := p.buf[:0]
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return nil, false
			}
			p.buf = out
			p.i = i + 1
			return out, true
		case c < 0x20:
			return nil, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return nil, false
		}
		switch b[i+1] {
		case '"', '\\', '/':
			out = append(out, b[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b[i+2:])
			if !ok {
				return nil, false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a valid pair: encoding/json makes anything else U+FFFD.
				if len(b)-i < 6 || b[i] != '\\' || b[i+1] != 'u' {
					return nil, false
				}
				r2, ok := hex4(b[i+2:])
				if !ok {
					return nil, false
				}
				d := utf16.DecodeRune(r, r2)
				if d == utf8.RuneError {
					return nil, false
				}
				r = d
				i += 6
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return nil, false
		}
		i += 2
	}
	return nil, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}
