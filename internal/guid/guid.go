// Package guid is the module's one implementation of the spec's Guid: the strict check of
// its 8-4-4-4-12 hexadecimal form, parsing and formatting, the lenient reading of the forms
// .NET writes, and new random GUIDs. The values are github.com/google/uuid's UUID, the type
// behind the generated gen.Guid.
//
// uuid.Parse is laxer than the spec's Guid pattern (it accepts braces, a urn:uuid: prefix and
// the form without dashes), so the strict check is done here, by Valid, before any decoding.
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

// isDash reports the positions of the dashes in the 8-4-4-4-12 form.
func isDash(i int) bool { return i == 8 || i == 13 || i == 18 || i == 23 }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Valid reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form, any case: the only
// form the spec's Guid schema accepts. Nothing around it is allowed, not even white space.
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	for i := 0; i < Len; i++ {
		if isDash(i) {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// Parse decodes a GUID in its 8-4-4-4-12 form (any case); ok is false for anything else,
// including the other forms uuid.Parse accepts.
func Parse(s string) (u uuid.UUID, ok bool) {
	if !Valid(s) {
		return uuid.Nil, false
	}
	u, err := uuid.Parse(s)
	if err != nil { // cannot happen for a valid s; kept so that a change in uuid cannot slip through
		return uuid.Nil, false
	}
	return u, true
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
