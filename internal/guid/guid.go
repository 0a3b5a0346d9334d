// Package guid is the module's one implementation of the spec's Guid: the strict check of
// its 8-4-4-4-12 hexadecimal form, parsing and formatting, the lenient reading of the forms
// .NET writes, and new random GUIDs. The values are github.com/google/uuid's UUID, the type
// behind the generated gen.Guid.
//
// uuid.Parse is laxer than the spec's Guid pattern (it accepts braces, a urn:uuid: prefix and
// the form without dashes), so the strict check is done here, by Valid and by Parse, which
// checks and decodes in one pass and is never laxer than Valid.
package guid

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Len is the length of a GUID in its 8-4-4-4-12 form.
const Len = 36

// NilString is the all-zero GUID in its 8-4-4-4-12 form, which .NET writes for an id it does
// not have.
const NilString = "00000000-0000-0000-0000-000000000000"

// hexAt are the offsets of the 16 byte pairs of the 8-4-4-4-12 form; the dashes stand at
// 8, 13, 18 and 23.
var hexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// hexValue is the value of a hexadecimal digit of either case; 0xff for any other byte, so
// that or-ing the values of a run of bytes gives 16 or more exactly when one is not a digit.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
		t[c-('a'-'A')] = c - 'a' + 10
	}
	return t
}()

// decode checks and decodes s in one pass: ok reports whether s is a GUID in its
// 8-4-4-4-12 hexadecimal form, any case, and u is then its value.
func decode(s string) (u [16]byte, ok bool) {
	if len(s) != Len || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	var bad byte
	for i, p := range hexAt {
		hi, lo := hexValue[s[p]], hexValue[s[p+1]]
		bad |= hi | lo
		u[i] = hi<<4 | lo
	}
	return u, bad < 16
}

// Valid reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form, any case: the only
// form the spec's Guid schema accepts. Nothing around it is allowed, not even white space.
func Valid(s string) bool {
	_, ok := decode(s)
	return ok
}

// Parse decodes a GUID in its 8-4-4-4-12 form (any case); ok is false for anything else,
// including the other forms uuid.Parse accepts. It checks and decodes in one pass, with the
// same result as uuid.Parse on the text it accepts.
func Parse(s string) (u uuid.UUID, ok bool) {
	b, ok := decode(s)
	if !ok {
		return uuid.Nil, false
	}
	return uuid.UUID(b), true
}

// Normalize reads a GUID in the forms .NET may write (braces, parentheses, a urn:uuid: prefix,
// surrounding white space, any casing) and returns it in its lowercase 8-4-4-4-12 form; ok is
// false for anything else (no dashes, other brackets, text around it).
func Normalize(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 9 && strings.EqualFold(s[:9], "urn:uuid:") {
		s = s[9:]
	}
	if len(s) == Len+2 && (s[0] == '{' && s[Len+1] == '}' || s[0] == '(' && s[Len+1] == ')') {
		s = s[1 : Len+1]
	}
	u, ok := Parse(s)
	if !ok {
		return "", false
	}
	return u.String(), true
}

// IsNil reports whether s is the all-zero GUID in its 8-4-4-4-12 form (NilString).
func IsNil(s string) bool { return s == NilString }

// New returns a random (version 4) GUID read from crypto/rand. The error is the random
// source's: Go's own source never fails (crypto/rand stops the process rather than return
// weak bytes), but a program that replaced crypto/rand.Reader gets its error here, never a
// panic and never a GUID of predictable bytes.
func New() (uuid.UUID, error) {
	u, err := uuid.NewRandomFromReader(rand.Reader)
	if err != nil {
		return uuid.Nil, fmt.Errorf("new GUID: reading random bytes: %w", err)
	}
	return u, nil
}

// Append appends u to dst in its lowercase 8-4-4-4-12 form, as u.String and u.MarshalText
// write it, without allocating beyond dst's growth.
func Append(dst []byte, u uuid.UUID) []byte {
	var b [Len]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return append(dst, b[:]...)
}

// FindAll returns the GUIDs in their 8-4-4-4-12 form that text holds, left to right, as
// written (not lowercased), not overlapping: what a regular expression of the form finds. A
// GUID is found wherever it stands, even inside a longer run of hexadecimal digits.
func FindAll(text string) []string {
	var out []string
	for i := 0; i+Len <= len(text); {
		if Valid(text[i : i+Len]) {
			out = append(out, text[i:i+Len])
			i += Len
			continue
		}
		i++
	}
	return out
}
