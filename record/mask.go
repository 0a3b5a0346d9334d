package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// redacted replaces whatever the recorder does not keep.
const redacted = secrets.Redacted

// redactedHost is the Host written for traffic the spec does not route, and for a host that
// is not a plain host name.
const redactedHost = "redacted.invalid"

// knownMethods are written as sent for traffic the spec does not route; any other method is
// written as "REDACTED" (a method is a token a caller can fill with anything).
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodConnect: true, http.MethodOptions: true, http.MethodTrace: true,
}

func methodOf(req *http.Request) string {
	m := req.Method
	if m == "" {
		m = http.MethodGet
	}
	if !knownMethods[m] {
		return "REDACTED"
	}
	return m
}

// maskedPath is the request's path as recorded. For a routed request, literal segments keep
// their spelling (the service matches them without regard to case, and the casing is worth
// seeing) and a path parameter is kept when it matches its declared schema (the upgrade id is
// a GUID); anything else is redacted. For traffic the spec does not route only the shape is
// kept: one "<redacted>" per segment.
func maskedPath(req *http.Request, rt *route) string {
	if req.URL == nil {
		return "/"
	}
	segs := splitPath(req.URL.EscapedPath())
	if len(segs) == 1 && segs[0] == "" {
		return "/"
	}
	out := make([]string, len(segs))
	for i := range segs {
		out[i] = redacted
	}
	if rt != nil {
		for i, t := range splitPath(rt.tmpl) {
			if !isParam(t) {
				if isASCII(segs[i]) && strings.EqualFold(segs[i], t) {
					out[i] = segs[i]
				} else {
					out[i] = t
				}
				continue
			}
			p := rt.parameter(openapi3.ParameterInPath, t[1:len(t)-1])
			v, ok := pathValue(segs[i])
			if ok && p != nil && p.Schema != nil && validValue(p.Schema.Value, v) && safeSegment.MatchString(v) {
				out[i] = v
			}
		}
	}
	return "/" + strings.Join(out, "/")
}

// safeSegment is a path parameter value that can be written as is.
var safeSegment = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,128}$`)

// safeName is a query parameter name, a JSON key or a header name kept as sent: short and
// plain. Longer or stranger names could themselves be a credential.
var safeName = regexp.MustCompile(`^[A-Za-z_$@][A-Za-z0-9_.$@-]{0,63}$`)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maskedQuery is the recorded query of a routed request: the API declares no query
// parameters, so every value is redacted, whatever its name; a name is kept (decoded) when it
// is plain, and an item without "=" counts as a value. Traffic the spec does not route keeps
// no query at all.
func maskedQuery(req *http.Request, rt *route) string {
	if rt == nil || req.URL == nil || req.URL.RawQuery == "" {
		return ""
	}
	var parts []string
	for _, item := range strings.FieldsFunc(req.URL.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
		name, _, hasValue := strings.Cut(item, "=")
		if !hasValue {
			parts = append(parts, redacted)
			continue
		}
		parts = append(parts, plainName(name)+"="+redacted)
	}
	return strings.Join(parts, "&")
}

// plainName decodes a query name and keeps it when it is plain.
func plainName(name string) string {
	if d, err := url.QueryUnescape(name); err == nil {
		name = d
	}
	if !isPlainName(name) {
		return redacted
	}
	return name
}

// isPlainName reports whether a name (a query parameter's, a JSON key, a header's) can be
// written as sent: short, made of identifier characters, not token-shaped, and not random
// looking. Names are chosen by people (customerId, lineItems, MS-RequestId); a name with
// more than 4 digits or more than 3 lower-to-upper case changes is more likely a key or a
// token used as a name ("ghp_16C7e42F292c6912E7710c838347Ae178B4a").
func isPlainName(name string) bool {
	if !safeName.MatchString(name) || len(secrets.Find([]byte(name))) > 0 {
		return false
	}
	digits, changes := 0, 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= '0' && c <= '9' {
			digits++
		}
		if i > 0 && c >= 'A' && c <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z' {
			changes++
		}
	}
	return digits <= 4 && changes <= 3
}

// requestTarget is the recorded request target: the masked path and query.
func requestTarget(req *http.Request, rt *route) string {
	t := maskedPath(req, rt)
	if q := maskedQuery(req, rt); q != "" {
		t += "?" + q
	}
	return t
}

var plainHost = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$`)

// maskedHost keeps the host of a routed request when it is a plain host name or address.
func maskedHost(req *http.Request, rt *route) string {
	if rt == nil {
		return redactedHost
	}
	host := req.Host
	if host == "" && req.URL != nil {
		host = req.URL.Host
	}
	if host == "" {
		return ""
	}
	if !plainHost.MatchString(host) || len(secrets.Find([]byte(host))) > 0 {
		return redactedHost
	}
	return host
}

// validValue reports whether the string v (a header or path value) matches schema. Numbers
// and booleans are compared as such when the schema asks for them.
func validValue(schema *openapi3.Schema, v string) bool {
	if schema == nil {
		return false
	}
	if schema.VisitJSON(v) == nil {
		return true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && schema.VisitJSON(f) == nil {
		return true
	}
	if b, err := strconv.ParseBool(v); err == nil && schema.VisitJSON(b) == nil {
		return true
	}
	return false
}

// maskedLocation keeps the path of a Location header and nothing else: no scheme, host, user,
// query or fragment. Each segment is kept when it is one of the spec's literal path segments
// (any casing) or matches one of its path parameters' schemas (the upgrade id), otherwise
// redacted; a leading and a trailing slash are kept as sent, so each of the Location forms
// the spec accepts stays what it was.
func (ix *specIndex) maskedLocation(v string) string {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || ix == nil {
		return redacted
	}
	p := u.EscapedPath()
	if p == "" || p == "/" {
		return p
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range segs {
		segs[i] = redacted
		d, ok := pathValue(s)
		if !ok || !isASCII(d) {
			continue
		}
		if ix.literals[strings.ToLower(d)] {
			segs[i] = d
			continue
		}
		for _, ps := range ix.pathParams {
			if validValue(ps, d) && safeSegment.MatchString(d) {
				segs[i] = d
				break
			}
		}
	}
	out := strings.Join(segs, "/")
	if strings.HasPrefix(p, "/") || u.Host != "" {
		out = "/" + out
	}
	if strings.HasSuffix(p, "/") {
		out += "/"
	}
	return out
}

// maskedHeaderValue is the recorded value of one header of a routed exchange.
//   - Authorization keeps only a known scheme word (secrets.RedactAuthorization).
//   - A header off the allow-list reads "<redacted>".
//   - Location keeps its path, segment by segment (maskedLocation).
//   - An allow-listed header the spec declares for this exchange is kept when it matches its
//     declared schema (MS-RequestId a GUID, Retry-After seconds or a date), else redacted.
//   - Date must be an HTTP date; Content-Type keeps its media type and charset only.
//   - Every kept value is still scanned, and anything token-shaped in it masked
//     ("User-Agent: app token=X").
func (r *Recorder) maskedHeaderValue(ck, v string, declared *openapi3.Schema, ix *specIndex) string {
	switch {
	case ck == "Authorization" || ck == "Proxy-Authorization":
		return secrets.RedactAuthorization(v)
	case !r.allowed[ck]:
		return redacted
	case ck == "Location":
		v = ix.maskedLocation(v)
	case declared != nil && !validValue(declared, v):
		return redacted
	case ck == "Date":
		if _, err := http.ParseTime(v); err != nil {
			return redacted
		}
	case ck == "Content-Type":
		v = plainMediaType(v)
	}
	return secrets.MaskString(v)
}

// plainMediaType keeps a Content-Type's media type and its charset, the only parameter a
// JSON body has; other parameters are dropped, and a value that does not parse is redacted.
func plainMediaType(v string) string {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || !safeMediaType.MatchString(mt) {
		return redacted
	}
	if cs, ok := params["charset"]; ok && safeCharset.MatchString(cs) {
		return mt + "; charset=" + cs
	}
	return mt
}

var (
	safeMediaType = regexp.MustCompile(`^[a-z0-9!#$&^_.+-]{1,64}/[a-z0-9!#$&^_.+-]{1,64}$`)
	safeCharset   = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,32}$`)
)

// maskBody returns the body of a routed exchange as recorded (empty stays empty).
//
// A JSON body keeps its structure. A property the schema declares keeps its value when the
// value matches the property's schema (a GUID customerId, a boolean isEligible, a string
// productFamily), and a kept string is still scanned for token-shaped parts, which are
// masked; a string that is itself JSON is masked whole. A property the schema does not
// declare keeps its name (when plain) and its value is masked: a scalar becomes
// "<redacted>", an object or array keeps its shape with every value masked. null stays null.
//
// A body that is not JSON (XML, YAML, a form, text) is replaced by "<redacted>": its shape
// cannot be kept without parsing a format the spec does not use.
func maskBody(body []byte, schema *openapi3.Schema) []byte {
	if len(body) == 0 {
		return nil
	}
	m := &jsonMasker{dec: json.NewDecoder(bytes.NewReader(body))}
	m.dec.UseNumber()
	if err := m.value(schema, schema != nil, 0); err != nil {
		return []byte(redacted)
	}
	if _, err := m.dec.Token(); !errors.Is(err, io.EOF) {
		return []byte(redacted) // more than one JSON value, or trailing bytes
	}
	return m.out.Bytes()
}

// maxDepth bounds the nesting of a recorded JSON body; a deeper body is replaced whole.
const maxDepth = 64

type jsonMasker struct {
	dec *json.Decoder
	out bytes.Buffer
}

var errNotJSON = errors.New("not JSON")

// value masks the next JSON value. schema is what the spec declares for it (nil: nothing);
// declared is false inside an undeclared value, where everything is masked.
func (m *jsonMasker) value(schema *openapi3.Schema, declared bool, depth int) error {
	if depth > maxDepth {
		return errNotJSON
	}
	tok, err := m.dec.Token()
	if err != nil {
		return errNotJSON
	}
	if !declared || !declares(schema) {
		declared, schema = false, nil
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return m.object(schema, declared, depth)
		case '[':
			return m.array(schema, declared, depth)
		}
		return errNotJSON
	case nil:
		m.out.WriteString("null")
		return nil
	default:
		m.leaf(t, schema, declared)
		return nil
	}
}

func (m *jsonMasker) object(schema *openapi3.Schema, declared bool, depth int) error {
	m.out.WriteByte('{')
	redactedKeys := 0
	for i := 0; m.dec.More(); i++ {
		tok, err := m.dec.Token()
		if err != nil {
			return errNotJSON
		}
		key, ok := tok.(string)
		if !ok {
			return errNotJSON
		}
		if i > 0 {
			m.out.WriteByte(',')
		}
		var prop *openapi3.Schema
		if declared {
			prop = property(schema, key, 0)
		}
		switch {
		case prop != nil:
			writeString(&m.out, key)
		case isPlainName(key):
			writeString(&m.out, key)
		default:
			// A key that could be a credential itself; numbered so the object keeps its keys apart.
			redactedKeys++
			if redactedKeys == 1 {
				writeString(&m.out, redacted)
			} else {
				writeString(&m.out, redacted+"#"+strconv.Itoa(redactedKeys))
			}
		}
		m.out.WriteByte(':')
		if err := m.value(prop, prop != nil, depth+1); err != nil {
			return err
		}
	}
	if tok, err := m.dec.Token(); err != nil || tok != json.Delim('}') {
		return errNotJSON
	}
	m.out.WriteByte('}')
	return nil
}

func (m *jsonMasker) array(schema *openapi3.Schema, declared bool, depth int) error {
	m.out.WriteByte('[')
	var items *openapi3.Schema
	if declared {
		items = itemsOf(schema, 0)
	}
	for i := 0; m.dec.More(); i++ {
		if i > 0 {
			m.out.WriteByte(',')
		}
		if err := m.value(items, items != nil, depth+1); err != nil {
			return err
		}
	}
	if tok, err := m.dec.Token(); err != nil || tok != json.Delim(']') {
		return errNotJSON
	}
	m.out.WriteByte(']')
	return nil
}

// leaf writes a string, number or boolean: kept when declared and valid, else masked.
func (m *jsonMasker) leaf(tok json.Token, schema *openapi3.Schema, declared bool) {
	if !declared {
		writeString(&m.out, redacted)
		return
	}
	switch v := tok.(type) {
	case string:
		if schema.VisitJSON(v) != nil || looksLikeJSON(v) {
			writeString(&m.out, redacted)
			return
		}
		writeString(&m.out, secrets.MaskString(v))
	case json.Number:
		f, err := v.Float64()
		if err != nil || schema.VisitJSON(f) != nil {
			writeString(&m.out, redacted)
			return
		}
		m.out.WriteString(v.String())
	case bool:
		if schema.VisitJSON(v) != nil {
			writeString(&m.out, redacted)
			return
		}
		m.out.WriteString(strconv.FormatBool(v))
	default:
		writeString(&m.out, redacted)
	}
}

// looksLikeJSON reports whether a string value holds a JSON object or array: no declared
// string of this API does, and one that does is masked as a value, whatever it holds.
func looksLikeJSON(s string) bool {
	t := strings.TrimSpace(s)
	return len(t) >= 2 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t))
}

// writeString writes s as a JSON string, without escaping <, > and & (so "<redacted>" reads
// as itself).
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}

// declares reports whether a schema says anything about a value. An empty schema ("items: {}",
// the error body's free-form data) declares nothing, so what it holds is masked.
func declares(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	return (s.Type != nil && len(*s.Type) > 0) || s.Pattern != "" || s.Format != "" || len(s.Enum) > 0 ||
		len(s.Properties) > 0 || s.Items != nil || len(s.OneOf) > 0 || len(s.AnyOf) > 0 || len(s.AllOf) > 0 ||
		(s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil)
}

// property is the schema the spec declares for an object's property name: in its properties,
// those of its allOf, oneOf and anyOf branches (a 429 body is either error shape), or its
// additionalProperties schema. nil when undeclared.
func property(s *openapi3.Schema, name string, depth int) *openapi3.Schema {
	if s == nil || depth > 8 {
		return nil
	}
	if p, ok := s.Properties[name]; ok && p != nil && p.Value != nil {
		return p.Value
	}
	for _, branches := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, b := range branches {
			if b != nil {
				if p := property(b.Value, name, depth+1); p != nil {
					return p
				}
			}
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
		return ap.Value
	}
	return nil
}

// itemsOf is the schema the spec declares for an array's items, or nil.
func itemsOf(s *openapi3.Schema, depth int) *openapi3.Schema {
	if s == nil || depth > 8 {
		return nil
	}
	if s.Items != nil && s.Items.Value != nil {
		return s.Items.Value
	}
	for _, branches := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, b := range branches {
			if b != nil {
				if it := itemsOf(b.Value, depth+1); it != nil {
					return it
				}
			}
		}
	}
	return nil
}
