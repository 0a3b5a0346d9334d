package spec

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// The fast path: a validator compiled from the spec when the Validator is made, which checks
// what the spec's operations actually use (the bearer scheme, header and path parameters,
// declared response headers, JSON bodies against the spec's few schemas) with byte loops and
// one pass over each body, without decoding it into Go values.
//
// The fast path may only accept. It answers true only when it is sure that kin-openapi and
// the Validator's own checks (repeated headers, trailing data) find nothing; on any doubt (a
// construct it does not compile, an escape it does not decode, a number it does not read, a
// value it rejects) it answers false and the message goes through kin-openapi as before, which
// produces the violations. So a verdict never changes: a clean message is clean either way,
// and a message with violations always gets kin-openapi's.

// fastPath holds the compiled operations of one document.
type fastPath struct {
	doc *openapi3.T
	ops map[*openapi3.Operation]*fastOp
}

// fastOp is one compiled operation.
type fastOp struct {
	pathItem *openapi3.PathItem
	method   string
	bearer   bool // the operation requires the HTTP bearer scheme (and nothing else)
	params   []fastParam
	body     *fastSchema // the application/json request body's schema
	// responses by status; def is the default response (error statuses only).
	responses map[int]*fastResp
	def       *fastResp
}

// fastParam is one header or path parameter.
type fastParam struct {
	inHeader bool
	name     string // the path parameter's name, or the header's canonical key
	required bool
	schema   *fastSchema
}

// fastResp is one declared response.
type fastResp struct {
	headers    []fastParam // the declared headers, Content-Type excepted
	mayBeEmpty bool        // x-body-may-be-empty
	body       *fastSchema // nil when the response declares no content
}

// Schema kinds.
const (
	kindAny    = iota // the empty schema {}
	kindString        // type: string
	kindInt           // type: integer
	kindBool          // type: boolean
	kindObject        // type: object
	kindArray         // type: array
	kindOneOf         // no type, oneOf only
)

// fastSchema is a compiled schema: only the keywords the fast path understands.
type fastSchema struct {
	kind     int
	nullable bool
	// strings
	minLen  int
	maxLen  int     // -1: none
	match   matcher // nil funcs: no pattern
	pattern string
	format  string
	// objects
	props    []fastProp
	required []string
	// arrays
	items *fastSchema
	// oneOf
	oneOf []*fastSchema
}

type fastProp struct {
	name   string
	schema *fastSchema
}

// newFastPath compiles doc's operations; one it cannot compile is left out (and validated by
// kin-openapi only). It returns nil for a document it does not handle at all.
func newFastPath(doc *openapi3.T) *fastPath {
	if doc == nil || doc.Paths == nil || doc.IsOpenAPI31OrLater() {
		return nil
	}
	fp := &fastPath{doc: doc, ops: map[*openapi3.Operation]*fastOp{}}
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(tmpl)
		if item == nil || len(item.Parameters) > 0 {
			continue
		}
		for method, op := range item.Operations() {
			if fo := compileOp(doc, item, method, op); fo != nil {
				fp.ops[op] = fo
			}
		}
	}
	return fp
}

func compileOp(doc *openapi3.T, item *openapi3.PathItem, method string, op *openapi3.Operation) *fastOp {
	if op == nil || op.Responses == nil || op.Responses.Len() == 0 || len(op.Callbacks) > 0 {
		return nil
	}
	fo := &fastOp{pathItem: item, method: method, responses: map[int]*fastResp{}}
	// Security: exactly one requirement, the HTTP bearer scheme without scopes.
	sec := op.Security
	if sec == nil {
		sec = &doc.Security
	}
	if len(*sec) != 1 || len((*sec)[0]) != 1 {
		return nil
	}
	for name, scopes := range (*sec)[0] {
		if len(scopes) != 0 || doc.Components == nil {
			return nil
		}
		ref := doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil || ref.Value.Type != "http" || !strings.EqualFold(ref.Value.Scheme, "bearer") {
			return nil
		}
	}
	fo.bearer = true
	for _, pref := range op.Parameters {
		if pref == nil || pref.Value == nil {
			return nil
		}
		p := pref.Value
		if p.Content != nil || p.Schema == nil || p.Schema.Value == nil || p.AllowEmptyValue || p.AllowReserved {
			return nil
		}
		if p.Style != "" && p.Style != openapi3.SerializationSimple || p.Explode != nil && *p.Explode {
			return nil
		}
		s := compileSchema(p.Schema.Value, map[*openapi3.Schema]bool{})
		if s == nil || s.kind != kindString || s.nullable {
			return nil
		}
		switch p.In {
		case openapi3.ParameterInHeader:
			fo.params = append(fo.params, fastParam{inHeader: true, name: http.CanonicalHeaderKey(p.Name), required: p.Required, schema: s})
		case openapi3.ParameterInPath:
			fo.params = append(fo.params, fastParam{name: p.Name, required: p.Required, schema: s})
		default:
			return nil
		}
	}
	// The request body: required, application/json only, with a schema.
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	rb := op.RequestBody.Value
	if !rb.Required {
		return nil
	}
	if fo.body = jsonContent(rb.Content); fo.body == nil {
		return nil
	}
	for key, ref := range op.Responses.Map() {
		if ref == nil || ref.Value == nil {
			return nil
		}
		fr := compileResponse(ref.Value)
		if fr == nil {
			return nil
		}
		if key == "default" {
			fo.def = fr
			continue
		}
		status, err := strconv.Atoi(key)
		if err != nil || len(key) != 3 || status < 100 || status > 599 {
			return nil
		}
		fo.responses[status] = fr
	}
	return fo
}

// jsonContent compiles the schema of content that is application/json only.
func jsonContent(c openapi3.Content) *fastSchema {
	if len(c) != 1 {
		return nil
	}
	mt := c["application/json"]
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Encoding) > 0 {
		return nil
	}
	return compileSchema(mt.Schema.Value, map[*openapi3.Schema]bool{})
}

func compileResponse(r *openapi3.Response) *fastResp {
	fr := &fastResp{}
	switch e := r.Extensions["x-body-may-be-empty"]; e {
	case nil, false:
	case true:
		fr.mayBeEmpty = true
	default:
		return nil
	}
	for name, ref := range r.Headers {
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			return nil // kin-openapi skips "Content-Type" only, the Validator checks it repeated
		}
		if ref == nil || ref.Value == nil {
			return nil
		}
		h := ref.Value
		if h.Content != nil || h.Schema == nil || h.Schema.Value == nil || h.AllowEmptyValue {
			return nil
		}
		if h.Style != "" && h.Style != openapi3.SerializationSimple || h.Explode != nil && *h.Explode {
			return nil
		}
		s := compileSchema(h.Schema.Value, map[*openapi3.Schema]bool{})
		if s == nil || s.kind != kindString || s.nullable {
			return nil
		}
		fr.headers = append(fr.headers, fastParam{inHeader: true, name: http.CanonicalHeaderKey(name), required: h.Required, schema: s})
	}
	if len(r.Content) > 0 {
		if fr.body = jsonContent(r.Content); fr.body == nil {
			return nil
		}
	}
	return fr
}

// compileSchema compiles s, or returns nil when s uses anything the fast path does not
// check exactly as kin-openapi does.
func compileSchema(s *openapi3.Schema, inProgress map[*openapi3.Schema]bool) *fastSchema {
	if s == nil || inProgress[s] {
		return nil
	}
	inProgress[s] = true
	defer delete(inProgress, s)
	if s.IsEmpty() {
		return &fastSchema{kind: kindAny, nullable: s.Nullable, maxLen: -1}
	}
	// Keywords the fast path never handles. (A default is no check: requests are validated
	// with SkipSettingDefaults, and kin-openapi sets no default in a response.)
	if len(s.Enum) > 0 || s.Const != nil || s.Not != nil || len(s.AllOf) > 0 || len(s.AnyOf) > 0 ||
		s.Discriminator != nil || s.Always != nil || s.ReadOnly || s.WriteOnly ||
		s.UniqueItems || s.MinItems != 0 || s.MaxItems != nil || s.MinProps != 0 || s.MaxProps != nil ||
		s.Min != nil || s.Max != nil || s.MultipleOf != nil || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() ||
		len(s.PrefixItems) > 0 || s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil ||
		len(s.PatternProperties) > 0 || s.Contains != nil || s.If != nil || s.Then != nil || s.Else != nil ||
		len(s.DependentRequired) > 0 || len(s.DependentSchemas) > 0 || s.PropertyNames != nil ||
		s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil || s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil {
		return nil
	}
	fs := &fastSchema{nullable: s.Nullable, maxLen: -1}
	var typ string
	if s.Type != nil {
		ts := s.Type.Slice()
		if len(ts) != 1 {
			return nil
		}
		typ = ts[0]
	}
	hasString := s.MinLength != 0 || s.MaxLength != nil || s.Pattern != "" || s.Format != ""
	hasObject := len(s.Properties) > 0 || len(s.Required) > 0
	if typ != openapi3.TypeString && hasString || typ != openapi3.TypeObject && hasObject || typ != openapi3.TypeArray && s.Items != nil {
		return nil
	}
	if len(s.OneOf) > 0 {
		if typ != "" {
			return nil
		}
		fs.kind = kindOneOf
		for _, ref := range s.OneOf {
			if ref == nil || ref.Value == nil {
				return nil
			}
			b := compileSchema(ref.Value, inProgress)
			if b == nil {
				return nil
			}
			fs.oneOf = append(fs.oneOf, b)
		}
		return fs
	}
	switch typ {
	case openapi3.TypeString:
		fs.kind = kindString
		if s.MinLength > 1<<30 || s.MaxLength != nil && *s.MaxLength > 1<<30 {
			return nil
		}
		fs.minLen = int(s.MinLength)
		if s.MaxLength != nil {
			fs.maxLen = int(*s.MaxLength)
		}
		if s.Pattern != "" {
			if fs.match = compileMatch(s.Pattern); fs.match.str == nil {
				return nil
			}
			fs.pattern = s.Pattern
		}
		fs.format = s.Format
	case openapi3.TypeInteger:
		if s.Format != "" {
			return nil
		}
		fs.kind = kindInt
	case openapi3.TypeBoolean:
		fs.kind = kindBool
	case openapi3.TypeObject:
		fs.kind = kindObject
		for name, ref := range s.Properties {
			if ref == nil || ref.Value == nil {
				return nil
			}
			p := compileSchema(ref.Value, inProgress)
			if p == nil {
				return nil
			}
			fs.props = append(fs.props, fastProp{name: name, schema: p})
		}
		fs.required = append(fs.required, s.Required...)
	case openapi3.TypeArray:
		fs.kind = kindArray
		if s.Items == nil || s.Items.Value == nil {
			return nil
		}
		if fs.items = compileSchema(s.Items.Value, inProgress); fs.items == nil {
			return nil
		}
	default:
		return nil
	}
	return fs
}

// The patterns of the spec that are checked by byte loops; any other is compiled as
// kin-openapi compiles it (patterns without \u escapes, which it rewrites, only).
const (
	guidPattern         = `^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`
	optionalGUIDPattern = `^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?$`
	versionPattern      = `^v[0-9]+$`
	nonSpacePattern     = `\S`
)

// matcher matches a pattern against a string (a header) or bytes (a body's string, not
// copied).
type matcher struct {
	str   func(string) bool
	bytes func([]byte) bool
}

func compileMatch(pattern string) matcher {
	switch pattern {
	case guidPattern:
		return matcher{isGUID[string], isGUID[[]byte]}
	case optionalGUIDPattern:
		return matcher{isOptionalGUID[string], isOptionalGUID[[]byte]}
	case versionPattern:
		return matcher{isVersion[string], isVersion[[]byte]}
	case nonSpacePattern:
		return matcher{hasNonSpace[string], hasNonSpace[[]byte]}
	}
	if strings.Contains(pattern, `\u`) {
		return matcher{}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return matcher{}
	}
	return matcher{re.MatchString, re.Match}
}

func isOptionalGUID[T string | []byte](s T) bool { return len(s) == 0 || isGUID(s) }

// isGUID reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form (guidPattern).
func isGUID[T string | []byte](s T) bool {
	if len(s) != 36 {
		return false
	}
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	for i := 0; i < 36; i++ {
		if !isHex[s[i]] && i != 8 && i != 13 && i != 18 && i != 23 {
			return false
		}
	}
	return true
}

// isHex tells the hexadecimal digits [0-9A-Fa-f].
var isHex = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] = true
	}
	return t
}()

// isVersion reports whether s matches ^v[0-9]+$. ($ in Go's regexp, without the m flag,
// matches at the end of the text only.)
func isVersion[T string | []byte](s T) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hasNonSpace reports whether s matches \S: holds a character other than Go's \s, which is
// [\t\n\f\r ]. An invalid UTF-8 byte matches \S as U+FFFD does.
func hasNonSpace[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\f', '\r', ' ':
		default:
			return true
		}
	}
	return false
}

// validBearerToken reports whether token matches ^[A-Za-z0-9\-._~+/<>]+=*$: one or more
// token characters, then any number of '='.
func validBearerToken(token string) bool {
	i := 0
	for i < len(token) {
		c := token[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			i++
			continue
		}
		switch c {
		case '-', '.', '_', '~', '+', '/', '<', '>':
			i++
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(token); i++ {
		if token[i] != '=' {
			return false
		}
	}
	return true
}

// op returns the compiled operation of route, nil when there is none.
func (fp *fastPath) op(route *routers.Route) *fastOp {
	if fp == nil || route == nil || route.Spec != fp.doc {
		return nil
	}
	fo := fp.ops[route.Operation]
	if fo == nil || fo.pathItem != route.PathItem || fo.method != route.Method {
		return nil
	}
	return fo
}

// acceptRequest reports whether req (whose body is body) is surely valid: false means "not
// sure", and the request is to be validated by kin-openapi.
func (fo *fastOp) acceptRequest(req *http.Request, params map[string]string, body []byte) bool {
	h := req.Header
	if fo.bearer {
		auth := h["Authorization"]
		if len(auth) != 1 {
			return false
		}
		scheme, token, ok := strings.Cut(auth[0], " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !validBearerToken(token) {
			return false
		}
	}
	for i := range fo.params {
		p := &fo.params[i]
		var v string
		if p.inHeader {
			vs, present := h[p.name]
			switch len(vs) {
			case 0:
				if p.required || present {
					return false // absent, or present without a value (kin-openapi: "empty value")
				}
				continue
			case 1:
				v = vs[0]
			default:
				return false // repeated: a violation
			}
		} else {
			var ok bool
			if v, ok = params[p.name]; !ok {
				return false
			}
		}
		if v == "" || !p.schema.stringOK(v) {
			return false
		}
	}
	if len(body) == 0 || !jsonContentType(h) {
		return false
	}
	return fo.body.acceptBody(body)
}

// acceptResponse reports whether the response is surely valid.
func (fo *fastOp) acceptResponse(status int, h http.Header, body []byte) bool {
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return false // kin-openapi skips these; leave them to it
	}
	fr := fo.responses[status]
	if fr == nil {
		if status < 400 || fo.def == nil {
			return false
		}
		fr = fo.def
	}
	for i := range fr.headers {
		p := &fr.headers[i]
		vs, present := h[p.name]
		switch len(vs) {
		case 0:
			if p.required || present {
				return false // absent, or present without a value, which kin-openapi rejects
			}
			continue
		case 1:
		default:
			return false // repeated: a violation
		}
		if vs[0] == "" || !p.schema.stringOK(vs[0]) {
			return false
		}
	}
	if len(body) == 0 {
		// No body: fine where the response has no content, or may come without one.
		return fr.body == nil || fr.mayBeEmpty
	}
	if fr.body == nil {
		return false // a body where none is declared: leave the trailing-data check to the slow path
	}
	return jsonContentType(h) && fr.body.acceptBody(body)
}

// jsonContentType reports whether the Content-Type is one the fast path knows kin-openapi
// maps to application/json.
func jsonContentType(h http.Header) bool {
	ct := h["Content-Type"]
	if len(ct) == 0 {
		return false
	}
	switch ct[0] {
	case "application/json", "application/json; charset=utf-8":
		return true
	}
	return false
}

// constrained reports whether a string schema checks anything beyond the type.
func (s *fastSchema) constrained() bool {
	return s.minLen != 0 || s.maxLen >= 0 || s.match.str != nil || s.format != ""
}

// stringOK reports whether the string v surely passes s.
func (s *fastSchema) stringOK(v string) bool {
	return s.checkString(v) == vOK
}

// checkString checks v against a string schema. It counts length in code points, as
// kin-openapi does; v must be valid UTF-8.
func (s *fastSchema) checkString(v string) verdict {
	if s.minLen != 0 || s.maxLen >= 0 {
		if !utf8.ValidString(v) {
			return vUnknown
		}
		n := utf8.RuneCountInString(v)
		if n < s.minLen || s.maxLen >= 0 && n > s.maxLen {
			return vBad
		}
	}
	if s.match.str != nil && !s.match.str(v) {
		return vBad
	}
	return s.checkFormat(v)
}

// checkFormat checks v against the schema's format, as kin-openapi does: with the validator
// registered for it, if any (an unknown format checks nothing).
func (s *fastSchema) checkFormat(v string) verdict {
	if s.format != "" {
		f, ok := openapi3.SchemaStringFormats[s.format]
		if ok && f != nil {
			if err := f.Validate(v); err != nil {
				return vBad
			}
		}
	}
	return vOK
}

// checkBytes is checkString for the text of a JSON string, which str has checked is valid
// UTF-8; it is copied into a string only for a format validator.
func (s *fastSchema) checkBytes(v []byte) verdict {
	if s.minLen != 0 || s.maxLen >= 0 {
		n := utf8.RuneCount(v)
		if n < s.minLen || s.maxLen >= 0 && n > s.maxLen {
			return vBad
		}
	}
	if s.match.bytes != nil && !s.match.bytes(v) {
		return vBad
	}
	if s.format != "" {
		return s.checkFormat(string(v))
	}
	return vOK
}

// acceptBody reports whether body is one JSON value, followed by nothing but JSON white
// space, that surely passes s.
func (s *fastSchema) acceptBody(body []byte) bool {
	p := jsonScanner{b: body}
	p.skipSpace()
	if p.value(s) != vOK {
		return false
	}
	p.skipSpace()
	return p.i == len(p.b)
}
