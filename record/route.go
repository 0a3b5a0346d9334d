package record

import (
	"context"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnercenter-go/productupgrades/spec"
)

// specIndex is what the recorder reads from the spec: the routes, and what a Location header's
// path may show (the paths' literal segments and the path parameters' schemas).
type specIndex struct {
	doc    *openapi3.T
	router *spec.Router
	// literals are the lower-case literal segments of every path ("v1", "productupgrades").
	literals map[string]bool
	// pathParams are the schemas of every path parameter (the upgrade id's Guid).
	pathParams []*openapi3.Schema
}

// loadSpec reads the embedded spec. Each call parses it anew, so the spec in force is the one
// built into the binary, whatever it declares today.
func loadSpec(ctx context.Context) (*specIndex, error) {
	doc, err := spec.Load(ctx)
	if err != nil {
		return nil, err
	}
	router, err := spec.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	ix := &specIndex{doc: doc, router: router, literals: map[string]bool{}}
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		for _, seg := range splitPath(tmpl) {
			if !isParam(seg) && seg != "" {
				ix.literals[strings.ToLower(seg)] = true
			}
		}
		item := doc.Paths.Value(tmpl)
		for _, op := range item.Operations() {
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInPath && p.Value.Schema != nil && p.Value.Schema.Value != nil {
					ix.pathParams = append(ix.pathParams, p.Value.Schema.Value)
				}
			}
		}
	}
	return ix, nil
}

// route is a request the spec declares: its operation and the request's path segments.
type route struct {
	tmpl string
	item *openapi3.PathItem
	op   *openapi3.Operation
	// segs are the request's path segments (decoded), one per segment of tmpl.
	segs []string
}

// findRoute finds the operation of method and path (escaped) with spec.Router: literal
// segments are compared without regard to case, because the service treats its paths so (the
// docs write productupgrades, the SDKs productUpgrades); servers are not compared, so a
// loopback test server routes too. Methods are compared as HTTP compares them,
// case-sensitively: "post" is not POST. It returns nil for traffic the spec does not declare.
func (ix *specIndex) findRoute(method, path string) *route {
	if ix == nil || ix.router == nil {
		return nil
	}
	r, _, err := ix.router.Find(method, path)
	if err != nil {
		return nil
	}
	return &route{tmpl: r.Path, item: r.PathItem, op: r.Operation, segs: splitPath(path)}
}

func splitPath(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// parameter returns the declared parameter named name in "path" or "header", or nil.
// Header names are compared without regard to case.
func (rt *route) parameter(in, name string) *openapi3.Parameter {
	for _, ps := range []openapi3.Parameters{rt.op.Parameters, rt.item.Parameters} {
		for _, p := range ps {
			if p.Value == nil || p.Value.In != in {
				continue
			}
			if p.Value.Name == name || (in == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, name)) {
				return p.Value
			}
		}
	}
	return nil
}

// response returns the declared response for status (exact, or a range such as 4XX), or
// for an error status (4xx, 5xx) the default response; nil when there is none. A success
// status the operation does not declare gets no schema, so all of its body is masked.
func (rt *route) response(status int) *openapi3.Response {
	if rt.op.Responses == nil {
		return nil
	}
	if r := rt.op.Responses.Status(status); r != nil && r.Value != nil {
		return r.Value
	}
	if status >= 400 {
		if r := rt.op.Responses.Default(); r != nil && r.Value != nil {
			return r.Value
		}
	}
	return nil
}

// requestSchema is the schema of the request body for contentType, or nil when the operation
// declares none.
func (rt *route) requestSchema(contentType string) *openapi3.Schema {
	if rt.op.RequestBody == nil || rt.op.RequestBody.Value == nil {
		return nil
	}
	return contentSchema(rt.op.RequestBody.Value.Content, contentType)
}

// responseSchema is the schema of the body of a status response for contentType, or nil.
func (rt *route) responseSchema(status int, contentType string) *openapi3.Schema {
	resp := rt.response(status)
	if resp == nil {
		return nil
	}
	return contentSchema(resp.Content, contentType)
}

// responseHeader is the schema of a header declared for a status response, or nil.
func (rt *route) responseHeader(status int, name string) *openapi3.Schema {
	resp := rt.response(status)
	if resp == nil {
		return nil
	}
	for k, h := range resp.Headers {
		if strings.EqualFold(k, name) && h != nil && h.Value != nil && h.Value.Schema != nil {
			return h.Value.Schema.Value
		}
	}
	return nil
}

// contentSchema picks the media type of contentType, else application/json, else any JSON
// media type the content declares. The body is masked as JSON whatever its Content-Type says;
// the schema is the one that says which of its properties are declared.
func contentSchema(c openapi3.Content, contentType string) *openapi3.Schema {
	if len(c) == 0 {
		return nil
	}
	mt := c.Get(contentType)
	if mt == nil {
		mt = c.Get("application/json")
	}
	if mt == nil {
		for k, v := range c {
			if strings.Contains(k, "json") {
				mt = v
				break
			}
		}
	}
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// pathValue decodes one path segment; ok is false when it does not decode.
func pathValue(seg string) (string, bool) {
	v, err := url.PathUnescape(seg)
	return v, err == nil
}
