package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
	"github.com/partnercenter-go/productupgrades/internal/secrets"
)

// Validator validates requests and responses against an OpenAPI document with kin-openapi's
// openapi3filter, routed by the service's case-insensitive Router, and turns each failure
// into a Violation that names the rule, the header or JSON pointer, and the place in the spec.
// It adds what kin-openapi does not check: a JSON body followed by more data, and a header
// sent more than once. A response declared x-body-may-be-empty (a 401 or 5xx from the front
// door or a gateway) may come without a body.
//
// Most messages are valid, and a fast path compiled from the document when the Validator is
// made accepts them without kin-openapi (fastpath.go): byte loops for the headers, one pass
// over the body. It only ever accepts, and only when it is sure; every other message is
// validated by kin-openapi as before, so the violations are the same either way.
//
// A Validator is safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router *Router
	// fast accepts, without kin-openapi, the messages it is sure are valid (fastpath.go).
	fast *fastPath
}

// NewValidator loads and validates the embedded spec (Load) and returns a Validator for it.
func NewValidator(ctx context.Context) (*Validator, error) {
	doc, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	return NewValidatorFor(doc)
}

// NewValidatorFor returns a Validator for an already loaded and validated document (another
// version of the spec, say). It fails when NewRouter cannot route doc's paths. doc must not
// change afterwards: the Validator routes with it and compiles its fast path from it.
func NewValidatorFor(doc *openapi3.T) (*Validator, error) {
	r, err := NewRouter(doc)
	if err != nil {
		return nil, err // "spec: router: ...", context enough
	}
	return &Validator{doc: doc, router: r, fast: newFastPath(doc)}, nil
}

// Doc returns the Validator's OpenAPI document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Router returns the Router the Validator finds operations with.
func (v *Validator) Router() *Router { return v.router }

// FindRoute finds the operation of method and path (see Router.Find).
func (v *Validator) FindRoute(method, path string) (*routers.Route, map[string]string, error) {
	return v.router.Find(method, path)
}

// ValidateRequest validates req: route, security, header and path parameters, content type
// and body. name labels the violations (Violation.Exchange). The request's body is read and
// replaced, so req can still be served or sent.
func (v *Validator) ValidateRequest(ctx context.Context, name string, req *http.Request) Violations {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return Violations{routeViolation(name, CheckRequest, "request.route", req, err)}
	}
	return v.ValidateRoutedRequest(ctx, name, req, route, params)
}

// ValidateResponse validates a response given by its parts against the operation of req:
// declared status, headers (required ones present, each matching its schema, none repeated),
// content type and body. req's body is not read.
func (v *Validator) ValidateResponse(ctx context.Context, name string, req *http.Request, status int, header http.Header, body []byte) Violations {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return Violations{routeViolation(name, CheckResponse, "response.route", req, err)}
	}
	return v.ValidateRoutedResponse(ctx, name, req, route, params, status, header, body)
}

// ValidateExchange validates both halves of an exchange, the request then the response, with
// one route lookup. When req has no operation it reports both request.route and
// response.route.
func (v *Validator) ValidateExchange(ctx context.Context, name string, req *http.Request, status int, header http.Header, body []byte) Violations {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return Violations{
			routeViolation(name, CheckRequest, "request.route", req, err),
			routeViolation(name, CheckResponse, "response.route", req, err),
		}
	}
	out := v.ValidateRoutedRequest(ctx, name, req, route, params)
	return append(out, v.ValidateRoutedResponse(ctx, name, req, route, params, status, header, body)...)
}

// routeViolation is the violation of a request the router cannot place.
func routeViolation(name, check, rule string, req *http.Request, err error) Violation {
	detail := err.Error()
	if req != nil && req.URL != nil {
		detail = req.Method + " " + req.URL.EscapedPath() + ": " + detail
	}
	actual := "no request"
	if req != nil && req.URL != nil {
		actual = excerpt.Quote(req.Method + " " + req.URL.Path)
	}
	return Violation{Exchange: name, Check: check, Rule: rule, Where: "request line",
		Expected: "a method and path of the spec", Actual: actual, Detail: detail}
}

// errNoRoute is the error of a routed validation given no route.
var errNoRoute = errors.New("no route given")

// ValidateRoutedRequest is ValidateRequest for a request already routed, by
// Router.FindRoute, to route with path parameters params: a server that routes each request
// itself validates it without a second lookup.
func (v *Validator) ValidateRoutedRequest(ctx context.Context, name string, req *http.Request, route *routers.Route, params map[string]string) Violations {
	if route == nil || route.Operation == nil {
		return Violations{routeViolation(name, CheckRequest, "request.route", req, errNoRoute)}
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = readBody(req)
		_ = req.Body.Close()
		if err != nil {
			return Violations{{Exchange: name, Check: CheckRequest, Rule: "request.body.read", Where: "body",
				Expected: "a readable body", Actual: "a read error", Detail: errText(err), SpecLocation: opLocation(route) + ".requestBody"}}
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if fo := v.fast.op(route); fo != nil && fo.acceptRequest(req, params, body) {
			// Surely valid. What kin-openapi leaves on the request is left all the same: a
			// GetBody, and the Content-Length of the body read, when there was none.
			if req.GetBody == nil {
				req.ContentLength = int64(len(body))
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			}
			return nil
		}
	}
	loc := opLocation(route)
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    requestOptions,
	}
	err := openapi3filter.ValidateRequest(ctx, input)
	req.Body = io.NopCloser(bytes.NewReader(body))
	var out Violations
	if err != nil {
		for _, e := range flatten(err) {
			out = append(out, requestViolation(name, loc, req, e)...)
		}
	}
	// kin-openapi reads only the first value of a header and the first JSON value of a
	// body; the service's contract is about the whole message.
	for _, p := range route.Operation.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInHeader {
			continue
		}
		base := Violation{Exchange: name, Check: CheckRequest, Where: "header " + p.Value.Name,
			SpecLocation: loc + ".parameters." + p.Value.Name}
		out = append(out, repeatedHeader(base, "request.header", p.Value.Schema, req.Header.Values(p.Value.Name))...)
	}
	if tv, ok := trailingData(body, req.Header); ok {
		tv.Exchange, tv.Check, tv.Rule, tv.SpecLocation = name, CheckRequest, "request.body.trailing", loc+".requestBody"
		out = append(out, tv)
	}
	return out
}

// readBody reads req's body whole, into a buffer of its Content-Length when it has one.
func readBody(req *http.Request) ([]byte, error) {
	n := req.ContentLength
	if n <= 0 || n >= 1<<20 {
		return io.ReadAll(req.Body)
	}
	b := make([]byte, 0, n+1) // +1: EOF is seen without growing
	for {
		m, err := req.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err != nil {
			if err == io.EOF { // as io.ReadAll: only io.EOF itself ends a body
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // a body longer than its Content-Length: grow, as io.ReadAll does
		}
	}
}

// ValidateRoutedResponse is ValidateResponse for a request already routed, by
// Router.FindRoute, to route with path parameters params.
func (v *Validator) ValidateRoutedResponse(ctx context.Context, name string, req *http.Request, route *routers.Route, params map[string]string, status int, header http.Header, body []byte) Violations {
	if route == nil || route.Operation == nil {
		return Violations{routeViolation(name, CheckResponse, "response.route", req, errNoRoute)}
	}
	if fo := v.fast.op(route); fo != nil && req != nil && fo.acceptResponse(status, header, body) {
		return nil
	}
	loc := opLocation(route) + ".responses"
	resp := route.Operation.Responses.Value(strconv.Itoa(status))
	if resp == nil && status < 400 {
		// The spec's default response describes errors only: an undeclared success or
		// redirect is not the service's contract, whatever default says.
		return Violations{undeclaredStatus(name, route, status)}
	}
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	if len(body) == 0 && resp != nil && resp.Value != nil && resp.Value.Extensions["x-body-may-be-empty"] == true {
		// A 401 or 5xx from the front door or a gateway may come without a body.
		opts.ExcludeResponseBody = true
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	err := openapi3filter.ValidateResponse(ctx, input)
	var out Violations
	if err != nil {
		for _, e := range flatten(err) {
			out = append(out, responseViolation(name, route, status, header, e)...)
		}
	}
	if resp != nil && resp.Value != nil {
		key := responseKey(route, status)
		names := make([]string, 0, len(resp.Value.Headers))
		for h := range resp.Value.Headers {
			names = append(names, h)
		}
		sort.Strings(names)
		for _, h := range names {
			ref := resp.Value.Headers[h]
			var schema *openapi3.SchemaRef
			if ref != nil && ref.Value != nil {
				schema = ref.Value.Schema
			}
			base := Violation{Exchange: name, Check: CheckResponse, Where: "header " + h, SpecLocation: loc + "." + key + ".headers." + h}
			out = append(out, repeatedHeader(base, "response.header", schema, header.Values(h))...)
		}
		if tv, ok := trailingData(body, header); ok && !opts.ExcludeResponseBody {
			tv.Exchange, tv.Check, tv.Rule, tv.SpecLocation = name, CheckResponse, "response.body.trailing", loc+"."+key+".content"
			out = append(out, tv)
		}
	}
	return out
}

// repeatedHeader reports a header sent more than once: every header of this API has one
// value, and a reader that takes the first (as kin-openapi and the generated client do) may
// act on another value than one that takes the last. Each further value is also checked
// against the header's schema, so no value goes unchecked.
func repeatedHeader(base Violation, prefix string, schema *openapi3.SchemaRef, values []string) Violations {
	if len(values) < 2 {
		return nil
	}
	v := base
	v.Rule, v.Expected, v.Actual = prefix+".repeated", "one value", fmt.Sprintf("%d values", len(values))
	out := Violations{v}
	if schema == nil || schema.Value == nil {
		return out
	}
	for _, val := range values[1:] {
		if err := schema.Value.VisitJSON(val, openapi3.MultiErrors()); err != nil {
			out = append(out, schemaViolations(base, prefix+".schema", "", err, err.Error())...)
		}
	}
	return out
}

// trailingData reports a JSON body followed by more than white space ({...} xyz): Go's JSON
// decoders, kin-openapi's included, stop after the first value and would pass it.
func trailingData(body []byte, h http.Header) (Violation, bool) {
	if len(body) == 0 || !strings.Contains(mediaTypeOf(h), "json") {
		return Violation{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var first json.RawMessage
	if dec.Decode(&first) != nil {
		return Violation{}, false // not JSON at all: the decode check reports it
	}
	rest := bytes.TrimSpace(body[dec.InputOffset():])
	if len(rest) == 0 {
		return Violation{}, false
	}
	return Violation{Where: "body", Expected: "one JSON value", Actual: fmt.Sprintf("%d more bytes after it: %s", len(rest), excerpt.Quote(excerpt.Cut(string(rest), 40)))}, true
}

// requestOptions are the options of every request validation; kin-openapi only reads them.
var requestOptions = &openapi3filter.Options{
	MultiError:          true,
	SkipSettingDefaults: true,
	AuthenticationFunc:  authenticate,
}

// authenticate checks the spec's only security scheme, HTTP bearer: an Authorization header
// "Bearer <token>". The token itself is never put in an error.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "bearer") {
		return fmt.Errorf("security scheme %q is not HTTP bearer", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Values("Authorization")
	switch {
	case len(h) == 0:
		return errors.New("no Authorization header")
	case len(h) > 1:
		return fmt.Errorf("%d Authorization headers", len(h))
	}
	scheme, token, ok := strings.Cut(h[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		// Without a known scheme the first word may be the credential itself: only what
		// secrets.RedactAuthorization keeps is named.
		return fmt.Errorf("authorization %q is not Bearer", secrets.RedactAuthorization(h[0]))
	}
	if !validBearerToken(token) { // the credentials of RFC 6750: ^[A-Za-z0-9\-._~+/<>]+=*$
		return errors.New("bearer token is empty or malformed")
	}
	return nil
}

// undeclaredStatus is the violation of a status the operation does not declare.
func undeclaredStatus(name string, route *routers.Route, status int) Violation {
	keys := make([]string, 0, route.Operation.Responses.Len())
	for k := range route.Operation.Responses.Map() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return Violation{Exchange: name, Check: CheckResponse, Rule: "response.status.undeclared", Where: "status",
		Expected: "one of " + strings.Join(keys, ", ") + " (default: error statuses only)", Actual: strconv.Itoa(status),
		SpecLocation: opLocation(route) + ".responses"}
}

// opLocation is the spec location of an operation, e.g. "paths./v1/productupgrades.post".
func opLocation(r *routers.Route) string {
	return "paths." + r.Path + "." + strings.ToLower(r.Method)
}

// responseKey is the key of the operation's responses that describes status.
func responseKey(r *routers.Route, status int) string {
	if r.Operation.Responses.Value(strconv.Itoa(status)) != nil {
		return strconv.Itoa(status)
	}
	return "default"
}

// flatten unpacks kin-openapi's MultiError (and errors.Join) into single errors.
func flatten(err error) []error {
	// Only err itself is inspected, never an error found by unwrapping it: a MultiError inside
	// a *openapi3filter.RequestError or ResponseError stays that one error, with its context.
	if me, ok := err.(openapi3.MultiError); ok && len(me) > 0 { //nolint:errorlint // the top level only: a wrapped MultiError keeps its context
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if _, isSec := err.(*openapi3filter.SecurityRequirementsError); !isSec { //nolint:errorlint // the top level only: is this join itself the security error, not one it holds
			var out []error
			for _, e := range j.Unwrap() {
				out = append(out, flatten(e)...)
			}
			return out
		}
	}
	return []error{err}
}

// schemaErrors returns the schema errors inside err (more than one with MultiError).
func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			out = append(out, schemaErrors(e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		out = append(out, se)
	}
	return out
}

func requestViolation(name, loc string, req *http.Request, err error) Violations {
	base := Violation{Exchange: name, Check: CheckRequest}
	var sec *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sec) {
		v := base
		v.Rule, v.Where, v.Expected = "request.security", "header Authorization", `"Bearer <token>"`
		v.Actual = redactedAuthorization(req.Header)
		v.SpecLocation = loc + ".security"
		var reasons []string
		for _, e := range sec.Errors {
			var re *openapi3filter.RequestError
			if errors.As(e, &re) && re.Err != nil {
				reasons = append(reasons, re.Err.Error())
			} else {
				reasons = append(reasons, e.Error())
			}
		}
		v.Detail = strings.Join(reasons, "; ")
		return Violations{v}
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		v := base
		v.Rule, v.Detail, v.SpecLocation = "request.invalid", errText(err), loc
		return Violations{v}
	}
	switch {
	case re.Parameter != nil:
		p := re.Parameter
		base.Where = p.In + " " + p.Name
		base.SpecLocation = loc + ".parameters." + p.Name
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			base.Rule, base.Expected, base.Actual = "request."+p.In+".required", "present", "absent"
			return Violations{base}
		case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			base.Rule, base.Expected, base.Actual = "request."+p.In+".empty", "a value", `""`
			return Violations{base}
		}
		return schemaViolations(base, "request."+p.In+".schema", "", re.Err, re.Error())
	case re.RequestBody != nil:
		base.SpecLocation = loc + ".requestBody"
		switch {
		case strings.HasPrefix(re.Reason, "header Content-Type has unexpected value"):
			base.Rule, base.Where = "request.body.content-type", "header Content-Type"
			base.Expected = excerpt.Quote(strings.Join(mediaTypes(re.RequestBody.Content), " or "))
			base.Actual = excerpt.Quote(req.Header.Get("Content-Type"))
			base.SpecLocation += ".content"
			return Violations{base}
		case strings.HasPrefix(re.Reason, "failed to decode request body"):
			base.Rule, base.Where, base.Expected, base.Actual = "request.body.decode", "body", "a body of the declared media type", "undecodable body"
			base.Detail = errText(re.Err)
			return Violations{base}
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			base.Rule, base.Where, base.Expected, base.Actual = "request.body.required", "body", "a body", "none"
			return Violations{base}
		}
		base.SpecLocation += ".content." + mediaTypeOf(req.Header) + ".schema"
		return schemaViolations(base, "request.body.schema", "body ", re.Err, re.Error())
	}
	v := base
	v.Rule, v.Detail, v.SpecLocation = "request.invalid", errText(re), loc
	return Violations{v}
}

var headerInReason = regexp.MustCompile(`header "([^"]+)"`)

func responseViolation(name string, route *routers.Route, status int, header http.Header, err error) Violations {
	loc := opLocation(route) + ".responses"
	base := Violation{Exchange: name, Check: CheckResponse}
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		base.Rule, base.Detail, base.SpecLocation = "response.invalid", errText(err), loc
		return Violations{base}
	}
	key := responseKey(route, status)
	switch {
	case re.Reason == "status is not supported":
		return Violations{undeclaredStatus(name, route, status)}
	case strings.HasPrefix(re.Reason, "response header Content-Type has unexpected value"):
		base.Rule, base.Where, base.SpecLocation = "response.content-type", "header Content-Type", loc+"."+key+".content"
		if r := route.Operation.Responses.Value(key); r != nil && r.Value != nil {
			base.Expected = excerpt.Quote(strings.Join(mediaTypes(r.Value.Content), " or "))
		}
		base.Actual = excerpt.Quote(header.Get("Content-Type"))
		return Violations{base}
	case strings.HasPrefix(re.Reason, "response header "):
		m := headerInReason.FindStringSubmatch(re.Reason)
		h := ""
		if m != nil {
			h = m[1]
		}
		base.Where = "header " + h
		base.SpecLocation = loc + "." + key + ".headers." + h
		if strings.HasSuffix(re.Reason, " missing") {
			base.Rule, base.Expected, base.Actual = "response.header.required", "present", "absent"
			return Violations{base}
		}
		return schemaViolations(base, "response.header.schema", "", re.Err, re.Error())
	case strings.HasPrefix(re.Reason, "unable to decode header"):
		m := headerInReason.FindStringSubmatch(re.Reason)
		if m != nil {
			base.Where = "header " + m[1]
			base.SpecLocation = loc + "." + key + ".headers." + m[1]
		}
		base.Rule, base.Detail = "response.header.decode", errText(re.Err)
		return Violations{base}
	case strings.HasPrefix(re.Reason, "failed to decode response body"):
		base.Rule, base.Where, base.Expected, base.Actual = "response.body.decode", "body", "a body of the declared media type", "undecodable body"
		base.SpecLocation, base.Detail = loc+"."+key+".content", errText(re.Err)
		return Violations{base}
	case strings.HasPrefix(re.Reason, "response body doesn't match schema"):
		base.SpecLocation = loc + "." + key + ".content." + mediaTypeOf(header) + ".schema"
		return schemaViolations(base, "response.body.schema", "body ", re.Err, re.Error())
	}
	base.Rule, base.Detail, base.SpecLocation = "response.invalid", errText(re), loc+"."+key
	return Violations{base}
}

// schemaViolations makes one violation per schema error in err, with the JSON pointer (for
// bodies), the schema keyword that failed and the offending value.
func schemaViolations(base Violation, rule, wherePrefix string, err error, fallback string) Violations {
	ses := schemaErrors(err)
	if len(ses) == 0 {
		base.Rule, base.Detail = rule, excerpt.Cut(fallback, 200)
		return Violations{base}
	}
	out := make(Violations, 0, len(ses))
	for _, se := range ses {
		v := base
		v.Rule = rule
		if wherePrefix != "" {
			v.Where = wherePrefix + pointer(se)
		}
		if se.SchemaField != "" && wherePrefix != "" {
			v.SpecLocation = base.SpecLocation + pointerInSchema(se)
		}
		v.Expected, v.Actual = expectedOf(se), actualOf(se)
		v.Detail = se.Reason
		out = append(out, v)
	}
	return out
}

// pointer renders the JSON pointer of the value a schema error is about ("/" for the root).
// For a missing required property kin-openapi points at the missing property.
func pointer(se *openapi3.SchemaError) string {
	parts := se.JSONPointer()
	if len(parts) == 0 {
		return "/"
	}
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
	}
	return "/" + strings.Join(esc, "/")
}

// pointerInSchema is a rough location of the failing keyword below the media type's schema,
// e.g. ".properties.customerId.pattern".
func pointerInSchema(se *openapi3.SchemaError) string {
	var b strings.Builder
	parts := se.JSONPointer()
	if se.SchemaField == "required" && len(parts) > 0 {
		// The pointer names the missing property; the keyword sits on its parent.
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString(".items")
			continue
		}
		b.WriteString(".properties." + p)
	}
	b.WriteString("." + se.SchemaField)
	return b.String()
}

func expectedOf(se *openapi3.SchemaError) string {
	s := se.Schema
	if s == nil {
		return se.SchemaField
	}
	switch se.SchemaField {
	case "pattern":
		return "a string matching " + s.Pattern
	case "format":
		return "format " + s.Format
	case "type":
		if s.Type != nil {
			return "type " + strings.Join(s.Type.Slice(), " or ")
		}
	case "required":
		return "required properties " + strings.Join(s.Required, ", ")
	case "minLength":
		return fmt.Sprintf("at least %d characters", s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("at most %d characters", *s.MaxLength)
		}
	case "enum":
		return fmt.Sprintf("one of %v", s.Enum)
	case "oneOf":
		return fmt.Sprintf("exactly one of %d schemas", len(s.OneOf))
	case "anyOf":
		return fmt.Sprintf("at least one of %d schemas", len(s.AnyOf))
	}
	return se.SchemaField
}

func actualOf(se *openapi3.SchemaError) string {
	switch se.SchemaField {
	case "required":
		return "missing"
	case "type", "oneOf", "anyOf":
		return excerpt.JSONType(se.Value)
	}
	if _, isObj := se.Value.(map[string]any); isObj {
		return "an object"
	}
	return excerpt.Quote(se.Value)
}

func mediaTypes(c openapi3.Content) []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mediaTypeOf(h http.Header) string {
	mt, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" {
		return "application/json"
	}
	return mt
}

// redactedAuthorization describes the Authorization header without its credentials: the
// first value, only a known scheme kept (secrets.RedactAuthorization).
func redactedAuthorization(h http.Header) string {
	v := h.Values("Authorization")
	if len(v) == 0 {
		return "no Authorization header"
	}
	return excerpt.Quote(secrets.RedactAuthorization(v[0]))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return excerpt.Cut(err.Error(), 200)
}
