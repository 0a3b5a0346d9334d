package contracttests

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
	"github.com/partnercenter-go/productupgrades/spec"
)

// SpecChecker validates recorded exchanges against an OpenAPI document. It is spec.Validator
// (kin-openapi's openapi3filter behind the service's case-insensitive router, each failure a
// Violation that names the rule, the header or JSON pointer, and the place in the spec) with
// methods that take an *Exchange.
type SpecChecker struct {
	v   *spec.Validator
	doc *openapi3.T
	// err is why no validator could be built for doc (see NewSpecCheckerFor): every lookup
	// fails with it, and every check reports it.
	err error
}

// NewSpecChecker loads and validates the embedded spec (spec.Load) and returns a checker for it.
func NewSpecChecker(ctx context.Context) (*SpecChecker, error) {
	v, err := spec.NewValidator(ctx)
	if err != nil {
		return nil, err
	}
	return &SpecChecker{v: v, doc: v.Doc()}, nil
}

// NewSpecCheckerFor returns a checker for an already loaded and validated document. When
// spec.NewValidatorFor refuses doc (its paths cannot be routed), FindRoute fails with that
// error and every check reports it as a route violation.
func NewSpecCheckerFor(doc *openapi3.T) *SpecChecker {
	v, err := spec.NewValidatorFor(doc)
	return &SpecChecker{v: v, doc: doc, err: err}
}

// Validator returns the spec.Validator the checker wraps, or nil when it has none (see
// NewSpecCheckerFor).
func (c *SpecChecker) Validator() *spec.Validator { return c.v }

// Doc returns the checker's OpenAPI document.
func (c *SpecChecker) Doc() *openapi3.T { return c.doc }

// FindRoute finds the operation of method and path with spec.Router.Find: path segments are
// compared without regard to case, because the service treats its paths so (the docs write
// productupgrades, the SDKs productUpgrades); methods are compared case-sensitively, as HTTP
// does. Servers are not compared: the same routes serve every base URL, a loopback test
// server included. Errors wrap routers.ErrPathNotFound or routers.ErrMethodNotAllowed.
func (c *SpecChecker) FindRoute(method, path string) (*routers.Route, map[string]string, error) {
	if c.err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, path, c.err)
	}
	return c.v.FindRoute(method, path)
}

// Check validates both halves of ex, with one route lookup.
func (c *SpecChecker) Check(ctx context.Context, ex *Exchange) Violations {
	if c.err != nil {
		return append(c.CheckRequest(ctx, ex), c.CheckResponse(ctx, ex)...)
	}
	return c.v.ValidateExchange(ctx, ex.Name, ex.NewRequest(), ex.Response.StatusCode, ex.Response.Header, ex.ResponseBody)
}

// CheckRequest validates the recorded request: route, security, header and path parameters,
// content type and body.
func (c *SpecChecker) CheckRequest(ctx context.Context, ex *Exchange) Violations {
	return c.CheckHTTPRequest(ctx, ex.Name, ex.NewRequest())
}

// CheckHTTPRequest validates a request (for example one a client sent to a test server)
// as CheckRequest does; name labels the violations. The request's body is read and replaced.
func (c *SpecChecker) CheckHTTPRequest(ctx context.Context, name string, req *http.Request) Violations {
	if c.err != nil {
		return Violations{c.unrouted(name, CheckSpecRequest, "request.route", req)}
	}
	return c.v.ValidateRequest(ctx, name, req)
}

// CheckResponse validates the recorded response against the operation of the recorded
// request: declared status, headers (required ones present, each matching its schema),
// content type and body.
func (c *SpecChecker) CheckResponse(ctx context.Context, ex *Exchange) Violations {
	return c.CheckHTTPResponse(ctx, ex.Name, ex.NewRequest(), ex.Response.StatusCode, ex.Response.Header, ex.ResponseBody)
}

// CheckHTTPResponse validates a response given by its parts against the operation of req.
func (c *SpecChecker) CheckHTTPResponse(ctx context.Context, name string, req *http.Request, status int, header http.Header, body []byte) Violations {
	if c.err != nil {
		return Violations{c.unrouted(name, CheckSpecResponse, "response.route", req)}
	}
	return c.v.ValidateResponse(ctx, name, req, status, header, body)
}

// unrouted is the violation of a check made without a validator.
func (c *SpecChecker) unrouted(name, check, rule string, req *http.Request) Violation {
	return Violation{Exchange: name, Check: check, Rule: rule, Where: "request line",
		Expected: "a method and path of the spec", Actual: excerpt.Quote(req.Method + " " + req.URL.Path), Detail: c.err.Error()}
}

// opLocation is the spec location of an operation, e.g. "paths./v1/productupgrades.post".
func opLocation(r *routers.Route) string {
	return "paths." + r.Path + "." + strings.ToLower(r.Method)
}
