// Package secrets finds and masks credentials in recorded HTTP traffic: JSON Web Tokens,
// bearer and basic credentials, client secrets and token fields. Package record masks with
// it at capture time; the fixture tests scan with it so nothing secret is ever committed.
//
// Placeholders written in angle brackets ("<token>", "<redacted>") are not secrets.
package secrets

import (
	"regexp"
	"strings"
)

// Redacted replaces a masked value.
const Redacted = "<redacted>"

// Finding is one secret-looking string.
type Finding struct {
	// Kind names the pattern that matched, for example "jwt" or "bearer".
	Kind string
	// Offset is the byte offset of the match in the scanned text.
	Offset int
	// Excerpt is the start of the match, cut short so that a report does not repeat the secret.
	Excerpt string
}

// pattern is one kind of secret. value is the index of the submatch holding the secret
// itself (0 for the whole match); Mask replaces only that part. When valid is set, a value
// must also satisfy it.
type pattern struct {
	kind  string
	re    *regexp.Regexp
	value int
	valid func(string) bool
}

var patterns = []pattern{
	// A JWT (JWS compact form): base64url JSON header and payload, both starting "eyJ" ("{"").
	// The signature may be empty (alg none).
	{kind: "jwt", re: regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), value: 0},
	// The credentials of an Authorization header line, whatever they are.
	{kind: "authorization-header", re: regexp.MustCompile(`(?im)^(?:proxy-)?authorization:[ \t]*[A-Za-z0-9\-]+[ \t]+([^\r\n]+?)[ \t]*\r?$`), value: 1},
	// Credentials after an HTTP auth scheme elsewhere, for example quoted in a body. At least
	// 16 characters, so that prose ("a bearer token is required") is not taken for one.
	{kind: "bearer", re: regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)`), value: 1},
	{kind: "basic-auth", re: regexp.MustCompile(`(?i)\bbasic[ \t]+([A-Za-z0-9+/]{16,}=*)`), value: 1},
	// Azure AD (Entra ID) client secrets: 3 characters, a digit, "Q~", then 31 to 34 more.
	// The pattern takes whole runs of the secret's alphabet (Go's regexp has no look-around
	// to say "not inside a longer run"); valid checks the run's shape.
	{kind: "azure-client-secret", re: regexp.MustCompile(`[A-Za-z0-9_~.-]{38,}`), valid: azureClientSecret.MatchString},
	// A credential field in JSON: "client_secret": "…", "access_token": "…", "password": "…".
	{kind: "credential-field", re: regexp.MustCompile(`(?i)"(?:client[_-]?secret|client[_-]?assertion|access[_-]?token|refresh[_-]?token|id[_-]?token|password|api[_-]?key|secret)"\s*:\s*"((?:[^"\\]|\\.)+)"`), value: 1},
	// The same in a form or a query string: client_secret=…&.
	{kind: "credential-param", re: regexp.MustCompile(`(?i)\b(?:client[_-]?secret|client[_-]?assertion|access[_-]?token|refresh[_-]?token|id[_-]?token|password|api[_-]?key)=([^&\s"']+)`), value: 1},
	{kind: "private-key", re: regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), value: 0},
}

var azureClientSecret = regexp.MustCompile(`^[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}$`)

// isPlaceholder reports whether a matched value is a placeholder such as "<token>".
func isPlaceholder(v string) bool {
	v = strings.Trim(v, `"' `)
	return v == "" || (strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">")) || strings.Contains(v, Redacted)
}

// matches reports whether v, matched by p's expression, is a secret.
func (p pattern) matches(v string) bool {
	if p.valid != nil && !p.valid(v) {
		return false
	}
	return p.kind == "private-key" || !isPlaceholder(v)
}

// Find returns every secret-looking string in text, in the order of the patterns and then
// of their offsets.
func Find(text []byte) []Finding {
	var out []Finding
	for _, p := range patterns {
		for _, m := range p.re.FindAllSubmatchIndex(text, -1) {
			start, end := m[2*p.value], m[2*p.value+1]
			if start < 0 {
				continue
			}
			v := string(text[start:end])
			if !p.matches(v) {
				continue
			}
			out = append(out, Finding{Kind: p.kind, Offset: start, Excerpt: excerpt(v)})
		}
	}
	return out
}

// excerpt keeps enough of a secret to find it, not enough to use it.
func excerpt(v string) string {
	const keep = 6
	if len(v) <= keep {
		return v + "…"
	}
	return v[:keep] + "…"
}

// Mask returns text with every secret Find would report replaced by Redacted; the text
// around it is kept byte for byte, so a JSON body stays valid JSON. A private key block is
// replaced from its BEGIN line to its END line.
func Mask(text []byte) []byte {
	out := text
	for _, p := range patterns {
		if p.kind == "private-key" {
			out = privateKeyBlock.ReplaceAll(out, []byte(Redacted))
			continue
		}
		out = maskPattern(out, p)
	}
	return out
}

var privateKeyBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z)`)

func maskPattern(text []byte, p pattern) []byte {
	ms := p.re.FindAllSubmatchIndex(text, -1)
	if len(ms) == 0 {
		return text
	}
	var b []byte
	last := 0
	for _, m := range ms {
		start, end := m[2*p.value], m[2*p.value+1]
		if start < 0 || !p.matches(string(text[start:end])) {
			continue
		}
		b = append(b, text[last:start]...)
		b = append(b, Redacted...)
		last = end
	}
	if b == nil {
		return text
	}
	return append(b, text[last:]...)
}

// MaskHeaderValue masks the credentials of an Authorization-like header value, keeping the
// scheme: "Bearer eyJ…" becomes "Bearer <redacted>", a value without a scheme "<redacted>".
func MaskHeaderValue(v string) string {
	scheme, _, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || scheme == "" || len(scheme) > 20 {
		return Redacted
	}
	return scheme + " " + Redacted
}
