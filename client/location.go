package client

import (
	"strings"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// ParseLocation returns the upgrade id named by the Location header of a create response.
//
// The docs show the header relative and camel-cased, productUpgrades/{id}. ParseLocation
// also accepts a leading slash, a /v1/ prefix, an absolute URL (any scheme and host, followed
// by a slash: the client never follows it, since status is read with a POST), any casing of
// productUpgrades, v1 and status, a trailing /status, one trailing slash, and a ?query or
// #fragment, which are ignored. The id must be a GUID in 8-4-4-4-12 form; it is returned as
// written. Anything else, an empty header included, is a *LocationError (ErrInvalidLocation).
func ParseLocation(location string) (upgradeID string, err error) {
	id, le := parseLocation(location)
	if le != nil {
		return "", le
	}
	return id, nil
}

// locationSeg is the path segment in front of the upgrade id, any casing.
const locationSeg = "productupgrades/"

func parseLocation(location string) (string, *LocationError) {
	// The docs' form, exactly, as the service writes it: what parseLocationForms gives for
	// it (no white space, scheme, query or prefix can be in it), in one check.
	if len(location) == len(locationSeg)+guid.Len && strings.EqualFold(location[:len(locationSeg)], locationSeg) &&
		guid.Valid(location[len(locationSeg):]) {
		return location[len(locationSeg):], nil
	}
	return parseLocationForms(location)
}

// parseLocationForms reads every form ParseLocation accepts.
func parseLocationForms(location string) (string, *LocationError) {
	fail := func(reason string) (string, *LocationError) {
		loc := location
		if len(loc) > 512 {
			loc = string(bytesPrefix([]byte(loc), 512))
		}
		return "", &LocationError{Location: loc, Reason: reason}
	}
	s := strings.TrimSpace(location)
	if s == "" {
		return fail("missing")
	}
	// An absolute URL: a scheme, "://", a host, then the path from the first slash. The
	// scheme is told apart from a "://" inside a query by its syntax.
	if i := strings.Index(s, "://"); i >= 0 && validScheme(s[:i]) {
		rest := s[i+3:]
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			return fail("absolute URL without a path")
		}
		if slash == 0 {
			return fail("absolute URL without a host")
		}
		s = rest[slash:]
	}
	// The query and the fragment name nothing the client needs.
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "/")
	if len(s) >= 3 && strings.EqualFold(s[:3], "v1/") {
		s = s[3:]
	}
	if len(s) < len(locationSeg) || !strings.EqualFold(s[:len(locationSeg)], locationSeg) {
		return fail("path is not productUpgrades/{id}")
	}
	s = s[len(locationSeg):]
	if len(s) < guid.Len || !guid.Valid(s[:guid.Len]) {
		return fail("upgrade id is not a GUID")
	}
	id, tail := s[:guid.Len], s[guid.Len:]
	tail = strings.TrimSuffix(tail, "/")
	if tail != "" && !strings.EqualFold(tail, "/status") {
		return fail("path goes on after the upgrade id")
	}
	return id, nil
}

// validScheme checks an RFC 3986 scheme: a letter, then letters, digits, '+', '-' or '.'.
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
