package client

import (
	"strings"
)

// ParseLocation returns the upgrade id named by the Location header of a create response.
//
// The docs show the header relative and camel-cased, productUpgrades/{id}. ParseLocation
// also accepts a leading slash, a /v1/ prefix, an absolute URL (any scheme and host: the
// client never follows it, since status is read with a POST), any casing of productUpgrades
// and v1, and one trailing slash. The id must be a GUID in 8-4-4-4-12 form; it is returned as
// written. Anything else, an empty header included, is a *LocationError (ErrInvalidLocation).
func ParseLocation(location string) (upgradeID string, err error) {
	id, le := parseLocation(location)
	if le != nil {
		return "", le
	}
	return id, nil
}

func parseLocation(location string) (string, *LocationError) {
	fail := func(reason string) (string, *LocationError) {
		loc := location
		if len(loc) > 512 {
			loc = loc[:512]
		}
		return "", &LocationError{Location: loc, Reason: reason}
	}
	s := strings.TrimSpace(location)
	if s == "" {
		return fail("missing")
	}
	if i := strings.Index(s, "://"); i >= 0 {
		if !validScheme(s[:i]) {
			return fail("not a URL or a productUpgrades/{id} path")
		}
		rest := s[i+3:]
		slash := strings.IndexByte(rest, '/')
		if slash <= 0 {
			return fail("absolute URL without a host and path")
		}
		s = rest[slash:]
	}
	s = strings.TrimPrefix(s, "/")
	if len(s) >= 3 && strings.EqualFold(s[:3], "v1/") {
		s = s[3:]
	}
	const seg = "productupgrades/"
	if len(s) < len(seg) || !strings.EqualFold(s[:len(seg)], seg) {
		return fail("path is not productUpgrades/{id}")
	}
	id := strings.TrimSuffix(s[len(seg):], "/")
	if !isGUID(id) {
		return fail("upgrade id is not a GUID")
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
