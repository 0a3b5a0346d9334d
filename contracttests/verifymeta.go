package contracttests

// What Verify reads of a sidecar: the operation and expect.status, nothing else. Decoding the
// whole Meta (titles, sources, fix-ups with their texts) was a quarter of Verify's time, for
// two fields. decodeVerifyMeta scans the sidecar once, without allocating, checking its shape
// against Meta's (every key known, every value of its field's type) and keeping the two
// fields. Anything the scan is not certain to read as ParseMeta does (an escape in a key or
// in the operation, a null, a number that is not a plain integer, a key that differs from its
// field's name in case only, data after the object, a syntax error) sends the sidecar to
// ParseMeta itself, so the outcome and the error are ParseMeta's in every case.

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// verifyMeta is what Verify uses of a sidecar.
type verifyMeta struct {
	operation string
	status    int
}

// metaOf returns what Verify uses of m (nil for none).
func metaOf(m *Meta) *verifyMeta {
	if m == nil {
		return nil
	}
	return &verifyMeta{operation: m.Operation, status: m.Expect.Status}
}

// decodeVerifyMeta decodes what Verify uses of a sidecar; it accepts and rejects exactly the
// sidecars ParseMeta does, with ParseMeta's error.
func decodeVerifyMeta(raw []byte) (*verifyMeta, error) {
	if m, ok := scanVerifyMeta(raw); ok {
		return m, nil
	}
	meta, err := ParseMeta(raw)
	if err != nil {
		return nil, err
	}
	return metaOf(meta), nil
}

// jsonKind is the JSON shape of a Go field.
type jsonKind uint8

const (
	kindUnsupported jsonKind = iota // anything else: the scan gives up
	kindString
	kindInt
	kindBool
	kindObject    // a struct: known keys only
	kindArray     // a slice
	kindStringMap // a map[string]string
)

// metaSlot names the fields of verifyMeta a value is kept in.
type metaSlot uint8

const (
	slotNone metaSlot = iota
	slotOperation
	slotStatus
)

// jsonShape is the shape of one value: its kind, the fields of an object, the element of an
// array, and where the value is kept.
type jsonShape struct {
	kind   jsonKind
	fields map[string]*jsonShape // kindObject, by JSON name
	elem   *jsonShape            // kindArray
	slot   metaSlot
}

// metaShape is Meta's shape, with the two fields Verify uses marked.
var metaShape = sync.OnceValue(func() *jsonShape {
	s := shapeOf(reflect.TypeFor[Meta]())
	if s.kind != kindObject || s.fields["operation"] == nil || s.fields["expect"] == nil ||
		s.fields["expect"].kind != kindObject || s.fields["expect"].fields["status"] == nil {
		return &jsonShape{} // Meta changed beyond the scan: ParseMeta reads every sidecar
	}
	op, status := *s.fields["operation"], *s.fields["expect"].fields["status"]
	if op.kind != kindString || status.kind != kindInt {
		return &jsonShape{}
	}
	op.slot, status.slot = slotOperation, slotStatus
	s.fields["operation"], s.fields["expect"].fields["status"] = &op, &status
	return s
})

// shapeOf is the JSON shape encoding/json gives t, as far as the scan follows it.
func shapeOf(t reflect.Type) *jsonShape {
	switch t.Kind() {
	case reflect.String:
		return &jsonShape{kind: kindString}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return &jsonShape{kind: kindInt}
	case reflect.Bool:
		return &jsonShape{kind: kindBool}
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &jsonShape{} // []byte is base64 text
		}
		return &jsonShape{kind: kindArray, elem: shapeOf(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String {
			return &jsonShape{kind: kindStringMap}
		}
	case reflect.Struct:
		s := &jsonShape{kind: kindObject, fields: map[string]*jsonShape{}}
		for i := range t.NumField() {
			f := t.Field(i)
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case tag == "-" && opts == "":
				continue
			case f.Anonymous || strings.Contains(","+opts+",", ",string,"):
				return &jsonShape{} // embedded fields, ",string": not followed
			case !f.IsExported():
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			s.fields[tag] = shapeOf(f.Type)
		}
		return s
	}
	return &jsonShape{}
}

// metaScanner reads a sidecar as JSON, checking it against a shape.
type metaScanner struct {
	b   []byte
	i   int
	out verifyMeta
}

// scanVerifyMeta scans raw against Meta's shape; ok is false when ParseMeta must decide.
func scanVerifyMeta(raw []byte) (*verifyMeta, bool) {
	s := &metaScanner{b: raw}
	s.space()
	if !s.value(metaShape()) {
		return nil, false
	}
	s.space()
	if s.i != len(s.b) {
		return nil, false
	}
	return &s.out, true
}

func (s *metaScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next is the next byte (0 at the end).
func (s *metaScanner) next() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// value scans one value of shape sh.
func (s *metaScanner) value(sh *jsonShape) bool {
	switch sh.kind {
	case kindString:
		text, ok := s.str(sh.slot == slotOperation)
		if ok && sh.slot == slotOperation {
			s.out.operation = string(text)
		}
		return ok
	case kindInt:
		n, ok := s.integer()
		if ok && sh.slot == slotStatus {
			s.out.status = n
		}
		return ok
	case kindBool:
		return s.literal("true") || s.literal("false")
	case kindObject:
		return s.object(func(key []byte) (*jsonShape, bool) {
			f, ok := sh.fields[string(key)]
			return f, ok
		})
	case kindStringMap:
		str := &jsonShape{kind: kindString}
		return s.object(func([]byte) (*jsonShape, bool) { return str, true })
	case kindArray:
		return s.array(sh.elem)
	}
	return false
}

// object scans an object whose values have the shapes field gives their keys.
func (s *metaScanner) object(field func(key []byte) (*jsonShape, bool)) bool {
	if s.next() != '{' {
		return false
	}
	s.i++
	s.space()
	if s.next() == '}' {
		s.i++
		return true
	}
	for {
		key, ok := s.str(true)
		if !ok {
			return false
		}
		f, ok := field(key)
		if !ok {
			return false
		}
		s.space()
		if s.next() != ':' {
			return false
		}
		s.i++
		s.space()
		if !s.value(f) {
			return false
		}
		s.space()
		switch s.next() {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *metaScanner) array(elem *jsonShape) bool {
	if s.next() != '[' {
		return false
	}
	s.i++
	s.space()
	if s.next() == ']' {
		s.i++
		return true
	}
	for {
		if !s.value(elem) {
			return false
		}
		s.space()
		switch s.next() {
		case ',':
			s.i++
			s.space()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str scans a string and returns its text as written. plain asks for one without escapes
// and of valid UTF-8, whose text is its value (keys, the operation); otherwise escapes are
// checked and skipped.
func (s *metaScanner) str(plain bool) ([]byte, bool) {
	if s.next() != '"' {
		return nil, false
	}
	s.i++
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			text := s.b[start:s.i]
			s.i++
			if plain && !utf8.Valid(text) {
				return nil, false
			}
			return text, true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if plain || !s.escape() {
				return nil, false
			}
		default:
			s.i++
		}
	}
	return nil, false
}

// escape checks and skips the escape at s.i.
func (s *metaScanner) escape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if s.i+6 > len(s.b) {
			return false
		}
		for _, h := range s.b[s.i+2 : s.i+6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		s.i += 6
		return true
	}
	return false
}

// integer scans a plain JSON integer of at most 9 digits: what an int holds on every
// platform, read by encoding/json as written.
func (s *metaScanner) integer() (int, bool) {
	neg := s.next() == '-'
	if neg {
		s.i++
	}
	start := s.i
	n := 0
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	switch {
	case digits == 0, digits > 9, digits > 1 && s.b[start] == '0':
		return 0, false
	}
	if c := s.next(); c == '.' || c == 'e' || c == 'E' {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func (s *metaScanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
