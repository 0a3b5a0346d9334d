package spec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Router finds the operation of a request the way Partner Center does: literal path segments
// are compared without regard to case (the docs write productupgrades, the SDKs
// productUpgrades), a leading or trailing slash does not count, and servers are not compared,
// so the same routes serve every base URL, a loopback test server included. Methods are
// compared as HTTP compares them, case-sensitively: "post" is not POST.
//
// Router implements kin-openapi's routers.Router, so library middleware such as
// openapi3filter can use it. A Router is safe for concurrent use; it reads its document on
// every lookup, so the document must not change while the Router is in use.
type Router struct {
	doc   *openapi3.T
	paths []pathRoute // in kin-openapi's matching order: literal segments before parameters
}

// Router implements routers.Router.
var _ routers.Router = (*Router)(nil)

// pathRoute is one path template of the document, split into segments.
type pathRoute struct {
	tmpl string
	item *openapi3.PathItem
	// segs are the template's segments; a parameter segment ("{upgradeId}") has its name in
	// param and its literal left empty.
	segs []segment
}

type segment struct {
	literal string
	param   string
}

// NewRouter returns a Router for doc's paths. It fails when doc has no paths, when a path
// segment mixes a parameter with other text ("/x/{id}.json", which the service does not
// use), or when two paths differ only in the case of their literal segments or the names of
// their parameters, so that no request could tell them apart.
func NewRouter(doc *openapi3.T) (*Router, error) {
	if doc == nil || doc.Paths == nil {
		return nil, errors.New("spec: router: the document has no paths")
	}
	r := &Router{doc: doc}
	shapes := map[string]string{}
	for _, tmpl := range doc.Paths.InMatchingOrder() {
		pr := pathRoute{tmpl: tmpl, item: doc.Paths.Value(tmpl)}
		shape := make([]string, 0, 4)
		for _, s := range splitPath(tmpl) {
			switch {
			case isParam(s):
				name := s[1 : len(s)-1]
				if name == "" || strings.ContainsAny(name, "{}") {
					return nil, fmt.Errorf("spec: router: path %q: segment %q is not a parameter this router matches", tmpl, s)
				}
				pr.segs = append(pr.segs, segment{param: name})
				shape = append(shape, "{}")
			case strings.ContainsAny(s, "{}"):
				return nil, fmt.Errorf("spec: router: path %q: segment %q mixes a parameter with text", tmpl, s)
			default:
				pr.segs = append(pr.segs, segment{literal: s})
				shape = append(shape, strings.ToLower(s))
			}
		}
		key := strings.Join(shape, "/")
		if other, dup := shapes[key]; dup {
			return nil, fmt.Errorf("spec: router: paths %q and %q match the same requests", other, tmpl)
		}
		shapes[key] = tmpl
		r.paths = append(r.paths, pr)
	}
	return r, nil
}

// Doc returns the document the Router routes to.
func (r *Router) Doc() *openapi3.T { return r.doc }

// FindRoute finds the operation of req from its method and its escaped path
// (req.URL.EscapedPath()), so that an encoded slash stays inside its segment. It returns the
// route, the path parameters (decoded) by name, and, when there is no operation, one of
// kin-openapi's errors unwrapped, as openapi3filter expects: routers.ErrPathNotFound when no
// path matches, routers.ErrMethodNotAllowed when a path matches and has no operation for the
// method. An empty req.Method means GET, as in net/http. The route's Server is nil: servers
// are not compared.
func (r *Router) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	if req == nil || req.URL == nil {
		return nil, nil, routers.ErrPathNotFound
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet // as net/http reads an empty Method
	}
	return r.find(method, req.URL.EscapedPath())
}

// Find is FindRoute for a method and a path given apart, as written in a request line
// (escaped: literal segments are compared as written, parameters are decoded). Its
// errors wrap routers.ErrPathNotFound or routers.ErrMethodNotAllowed (test them with
// errors.Is) and name the request.
func (r *Router) Find(method, path string) (*routers.Route, map[string]string, error) {
	route, params, err := r.find(method, path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return route, params, nil
}

func (r *Router) find(method, path string) (*routers.Route, map[string]string, error) {
	segs := splitPath(path)
	for _, pr := range r.paths {
		params, ok := pr.match(segs)
		if !ok {
			continue
		}
		op := pr.item.GetOperation(method)
		if op == nil {
			return nil, nil, routers.ErrMethodNotAllowed
		}
		return &routers.Route{Spec: r.doc, Path: pr.tmpl, PathItem: pr.item, Method: method, Operation: op}, params, nil
	}
	return nil, nil, routers.ErrPathNotFound
}

// match reports whether segs (escaped) fit the template, and returns its parameters
// (decoded). A parameter matches one non-empty segment that decodes.
func (pr *pathRoute) match(segs []string) (map[string]string, bool) {
	if len(pr.segs) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, t := range pr.segs {
		if t.param == "" {
			if !strings.EqualFold(t.literal, segs[i]) {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil || v == "" {
			return nil, false
		}
		if params == nil {
			params = make(map[string]string, len(pr.segs))
		}
		params[t.param] = v
	}
	if params == nil {
		params = map[string]string{}
	}
	return params, true
}

func splitPath(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func isParam(seg string) bool {
	return len(seg) >= 2 && strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}
