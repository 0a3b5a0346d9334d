// Package secrets finds and masks credentials in recorded HTTP traffic: JSON Web Tokens
// (signed and encrypted), bearer and basic credentials, Authorization header lines, Entra ID
// client secrets, credential fields in JSON and credential parameters in forms and query
// strings. Package record masks with it at capture time; the fixture tests scan with it so
// nothing secret is ever committed.
//
// It is also the one home of two smaller jobs: RedactAuthorization keeps the scheme of an
// Authorization header value and removes its credentials (for logs, reports and fixtures),
// and a Redactor keeps the live token a process sends out of everything it hands on (the
// client's errors, logs and returned fields, the command line's output).
//
// Field and parameter names are compared after decoding: a JSON key written "\u0074oken" and a
// form or query name written "client%5Fsecret" are the names token and client_secret.
//
// Placeholders written in angle brackets ("<token>", "<redacted>") are not secrets.
package secrets

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
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

// span is the byte range of one secret value in a text.
type span struct{ start, end int }

// pattern is one kind of secret: spans returns the ranges of the secret values it finds
// (only the value: a field's name or a header's scheme stays).
type pattern struct {
	kind  string
	spans func(text []byte) []span
}

// regexpSpans returns the spans of submatch group of re (0: the whole match) that valid
// accepts (nil: any) and that are not placeholders.
func regexpSpans(re *regexp.Regexp, group int, valid func(string) bool) func([]byte) []span {
	return func(text []byte) []span {
		var out []span
		for _, m := range re.FindAllSubmatchIndex(text, -1) {
			start, end := m[2*group], m[2*group+1]
			if start < 0 {
				continue
			}
			v := string(text[start:end])
			if isPlaceholder(v) || (valid != nil && !valid(v)) {
				continue
			}
			out = append(out, span{start, end})
		}
		return out
	}
}

var patterns = []pattern{
	// A JWE (compact form): five base64url parts, the first a JSON header ("eyJ" is `{"`). The
	// encrypted key is empty with direct encryption ("dir"), so that part may be empty.
	// Listed before jwt, so that an encrypted token is masked whole.
	{kind: "jwe", spans: regexpSpans(regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}`), 0, nil)},
	// A JWT (JWS compact form): base64url JSON header, payload, signature. The payload usually
	// starts "eyJ" too but need not; the signature may be empty (alg none).
	{kind: "jwt", spans: regexpSpans(regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), 0, nil)},
	// The credentials of an Authorization header line: everything after a known scheme, or the
	// whole value when there is no known scheme ("Authorization: SHORTKEY extra").
	{kind: "authorization-header", spans: regexpSpans(authorizationLine, 1, func(v string) bool { return !isScheme(v) })},
	// Credentials after an HTTP auth scheme elsewhere, for example quoted in a body. At least
	// 16 characters, so that prose ("a bearer token is required") is not taken for one.
	{kind: "bearer", spans: regexpSpans(regexp.MustCompile(`(?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)`), 1, nil)},
	{kind: "basic-auth", spans: regexpSpans(regexp.MustCompile(`(?i)\bbasic[ \t]+([A-Za-z0-9+/]{16,}=*)`), 1, nil)},
	// Azure AD (Entra ID) client secrets: 3 characters, a digit, "Q~", then 31 to 34 more. The
	// rest of the run of the secret's alphabet is taken with it, so that a secret followed by
	// "." or "-" (the end of a sentence, a suffix) is masked whole.
	{kind: "azure-client-secret", spans: regexpSpans(regexp.MustCompile(`[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,}`), 0, nil)},
	// A credential field in JSON: "client_secret": "…", "token": "…", "\u0074oken": "…".
	{kind: "credential-field", spans: credentialFields},
	// The same in a form, a query string or a header value: client_secret=…&, client%5Fsecret=….
	{kind: "credential-param", spans: credentialParams},
	// A PEM private key block, BEGIN line to END line (or to the end of the text).
	{kind: "private-key", spans: regexpSpans(regexp.MustCompile(`(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z)`), 0, nil)},
}

// schemes are the HTTP authentication schemes whose name is kept in front of masked
// credentials, by lower-case name, with the spelling written.
var schemes = map[string]string{
	"bearer": "Bearer", "basic": "Basic", "digest": "Digest", "negotiate": "Negotiate", "ntlm": "NTLM",
	"pop": "PoP", "mac": "MAC", "hoba": "HOBA", "mutual": "Mutual", "token": "Token",
	"sharedkey": "SharedKey", "sharedkeylite": "SharedKeyLite", "sharedaccesssignature": "SharedAccessSignature",
	"aws4-hmac-sha256": "AWS4-HMAC-SHA256", "scram-sha-1": "SCRAM-SHA-1", "scram-sha-256": "SCRAM-SHA-256",
	"vapid": "vapid", "dpop": "DPoP", "gnap": "GNAP", "privatetoken": "PrivateToken", "concealed": "Concealed",
}

func isScheme(v string) bool {
	_, ok := schemes[strings.ToLower(strings.TrimSpace(v))]
	return ok
}

var authorizationLine = func() *regexp.Regexp {
	names := make([]string, 0, len(schemes))
	for k := range schemes {
		names = append(names, regexp.QuoteMeta(k))
	}
	// Longest first, so that "sharedkeylite" is not read as "sharedkey" and credentials "lite…".
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return regexp.MustCompile(`(?im)^[ \t]*(?:proxy-)?authorization[ \t]*:[ \t]*(?:(?:` + strings.Join(names, "|") + `)[ \t]+)?([^\r\n]*?)[ \t]*\r?$`)
}()

// Credential names, compared lower-case without "_", "-", "." and spaces: client_secret,
// Client-Secret and clientSecret are all "clientsecret".
var (
	// credentialNames are secret whatever their value.
	credentialNames = set("token", "accesstoken", "refreshtoken", "idtoken", "clientsecret", "clientassertion",
		"assertion", "password", "passwd", "pwd", "pass", "secret", "apikey", "privatekey", "codeverifier",
		"devicecode", "usercode", "signature", "sas", "sastoken", "subscriptionkey", "ocpapimsubscriptionkey",
		"accountkey", "sharedaccesskey", "connectionstring", "credential", "credentials", "authorization",
		"samlresponse", "samlassertion", "jwt", "otp", "cookie", "session", "sessionid")
	// credentialSuffixes make a name a credential name: "app_secret", "sessionToken", "db_password".
	credentialSuffixes = []string{"secret", "token", "password", "passwd", "apikey", "privatekey", "accesskey",
		"accountkey", "sharedkey", "assertion", "credential", "credentials", "connectionstring", "signature"}
	// weakNames are also ordinary words ("code" is a JSON error code too): their value is a
	// secret when it looks like one (see weakSecret).
	weakNames = set("code", "key", "sig")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// normalName returns a name in the form the credential names are listed in.
func normalName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case '_', '-', '.', ' ', '[', ']', '$', '@':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nameKind says whether a (decoded) name is a credential name ("strong"), an ordinary word
// that sometimes names one ("weak"), or neither ("").
func nameKind(name string) string {
	n := normalName(name)
	switch {
	case n == "":
		return ""
	case credentialNames[n]:
		return "strong"
	case weakNames[n]:
		return "weak"
	}
	for _, s := range credentialSuffixes {
		if strings.HasSuffix(n, s) {
			return "strong"
		}
	}
	return ""
}

// weakSecret reports whether the value of a weak name looks like a credential: at least min
// characters with both a letter and a digit or symbol (an OAuth code, a SAS signature), not
// a number or a word (an error code, "InvalidRequest").
func weakSecret(v string, min int) bool {
	if len(v) < min {
		return false
	}
	var letter, other bool
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letter = true
		case r == ' ':
			return false
		default:
			other = true
		}
	}
	return letter && other
}

// credentialFields finds the values of JSON members whose name is a credential name: a
// string value, or a number for a strong name. It starts from each ":" and reads the quoted
// name before it (at most 64 characters, escapes decoded) and the value after it. A scan,
// not a regular expression: it stays linear on hostile text.
func credentialFields(text []byte) []span {
	var out []span
	for i := 0; i < len(text); i++ {
		if text[i] != ':' {
			continue
		}
		key, ok := jsonNameBefore(text, i)
		if !ok {
			continue
		}
		kind := nameKind(key)
		if kind == "" {
			continue
		}
		v := i + 1
		for v < len(text) && isJSONSpace(text[v]) {
			v++
		}
		if v == len(text) {
			break
		}
		switch c := text[v]; {
		case c == '"':
			end := v + 1
			for end < len(text) && text[end] != '"' {
				if text[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(text) {
				break // an unterminated string: not a member
			}
			val := string(text[v+1 : end])
			i = end
			if isPlaceholder(val) || (kind == "weak" && !weakSecret(val, 8)) {
				continue
			}
			out = append(out, span{v + 1, end})
		case c == '-' || c >= '0' && c <= '9':
			end := v + 1
			for end < len(text) && strings.IndexByte("0123456789.eE+-", text[end]) >= 0 {
				end++
			}
			i = end - 1
			// A numeric password or PIN, never an error code.
			if kind == "strong" && end-v >= 4 {
				out = append(out, span{v, end})
			}
		}
	}
	return out
}

// jsonNameBefore reads the quoted JSON name that ends before the ":" at colon (white space
// between them allowed) and returns it decoded.
func jsonNameBefore(text []byte, colon int) (string, bool) {
	q := colon - 1
	for q >= 0 && colon-q <= 16 && isJSONSpace(text[q]) {
		q--
	}
	if q < 1 || text[q] != '"' || escaped(text, q) {
		return "", false
	}
	for open := q - 1; open >= 0 && q-open <= 2*64+1; open-- {
		switch c := text[open]; {
		case c == '\r' || c == '\n':
			return "", false
		case c == '"' && !escaped(text, open):
			if open+1 == q {
				return "", false
			}
			raw := text[open : q+1]
			if bytes.IndexByte(raw, '\\') < 0 {
				return string(raw[1 : len(raw)-1]), true
			}
			var name string
			if json.Unmarshal(raw, &name) != nil {
				return "", false
			}
			return name, true
		}
	}
	return "", false
}

// escaped reports whether the byte at i is preceded by an odd number of backslashes. It
// looks at most 2*64+2 bytes back (a longer run cannot be inside a name of 64 characters, and
// counts as escaped), so that a scan of hostile text stays linear.
func escaped(text []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && text[j] == '\\'; j-- {
		if n++; n > 2*64+2 {
			return true
		}
	}
	return n%2 == 1
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// credentialParams finds name=value in a form, a query string or free text. The name is the
// run of name characters before "=" (at most its last 64: credential names are matched by
// their end) and may be percent-encoded; the value ends at "&", ";", white space, a quote, an
// angle bracket or ")" (a User-Agent comment). A scan, not a regular expression: it stays
// linear on hostile text.
func credentialParams(text []byte) []span {
	var out []span
	for i := 0; i < len(text); i++ {
		if text[i] != '=' {
			continue
		}
		j := i
		for j > 0 && i-j < 64 && isParamNameByte(text[j-1]) {
			j--
		}
		if j == i {
			continue // no name: the next "=" may have one
		}
		k := i + 1
		for k < len(text) && !isParamValueEnd(text[k]) {
			k++
		}
		name := string(text[j:i])
		// Decode up to three times: client%255Fsecret is client%5Fsecret is client_secret.
		for range 3 {
			d, err := url.QueryUnescape(name)
			if err != nil || d == name {
				break
			}
			name = d
		}
		start := i + 1
		i = k - 1 // go on after the value: "=" inside it is part of it
		kind := nameKind(name)
		v := string(text[start:k])
		if kind == "" || isPlaceholder(v) || (kind == "weak" && !weakSecret(v, 6)) {
			continue
		}
		out = append(out, span{start, k})
	}
	return out
}

func isParamNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_%.+[]-", c) >= 0
}

func isParamValueEnd(c byte) bool {
	return strings.IndexByte("&; \t\r\n\v\f\"'<>)", c) >= 0
}

// isPlaceholder reports whether a matched value is a placeholder such as "<token>", or an
// elision ("...", "…", "***") as documentation writes one.
func isPlaceholder(v string) bool {
	v = strings.Trim(v, `"' `)
	return v == "" || (strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">")) || strings.Contains(v, Redacted) ||
		strings.Trim(v, ".…*") == ""
}

// Find returns every secret-looking string in text, in the order of the patterns and then
// of their offsets.
func Find(text []byte) []Finding {
	var out []Finding
	for _, p := range patterns {
		for _, s := range p.spans(text) {
			out = append(out, Finding{Kind: p.kind, Offset: s.start, Excerpt: excerpt(string(text[s.start:s.end]))})
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

// maxRounds bounds Mask's passes: masking one kind of secret can, in crafted text, line up
// another; what still matches after this many passes is masked whole.
const maxRounds = 4

// Mask returns text with every secret Find would report replaced by Redacted; the text
// around it is kept byte for byte, so a JSON body stays valid JSON. A private key block is
// replaced from its BEGIN line to its END line. Find reports nothing in what Mask returns.
func Mask(text []byte) []byte {
	out := text
	for range maxRounds {
		changed := false
		for _, p := range patterns {
			if next, ok := maskSpans(out, p.spans(out)); ok {
				out, changed = next, true
			}
		}
		if !changed {
			return out
		}
	}
	if len(Find(out)) > 0 {
		return []byte(Redacted)
	}
	return out
}

// MaskString is Mask for a string.
func MaskString(s string) string { return string(Mask([]byte(s))) }

// maskSpans replaces each span (in order, not overlapping) with Redacted.
func maskSpans(text []byte, spans []span) ([]byte, bool) {
	if len(spans) == 0 {
		return text, false
	}
	var b []byte
	last := 0
	for _, s := range spans {
		if s.start < last {
			continue
		}
		b = append(b, text[last:s.start]...)
		b = append(b, Redacted...)
		last = s.end
	}
	return append(b, text[last:]...), true
}
