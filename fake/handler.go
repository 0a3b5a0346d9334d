package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/spec"
)

// The operations of the API, named by the spec's operationId (the spec.Op constants, the
// values client.APIError.Operation holds too); see Fault.Operation and Request.Operation.
const (
	OpCreate      = spec.OpCreateProductUpgrade
	OpEligibility = spec.OpCheckProductUpgradeEligibility
	OpStatus      = spec.OpCheckProductUpgradeStatus
)

// maxRequestBody bounds the request bodies the fake reads; the API's are under 200 bytes.
const maxRequestBody = 64 << 10

// serve answers one request: record it, route it (case-insensitively), check the bearer
// token and the spec, apply a fault, then hand it to the generated strict server.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		dropConnection(w)
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	// rec gathers what the log keeps; the log copies the headers and the body itself.
	rec := Request{Method: r.Method, Path: r.URL.Path}
	var body []byte
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		status := rw.status
		if rw.lost {
			status = 0
		}
		s.log.add(rec.Method, rec.Path, r.Header, body, rec.BodyTruncated, rec.Operation, status)
	}()
	setResponseIDs(w.Header(), r.Header)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		rec.BodyTruncated = errors.As(err, &tooLarge)
		writeError(rw, http.StatusBadRequest, CodeInvalidRequestInput, "Invalid request input: request body unreadable or over 64 KiB")
		return
	}
	setBody(r, body)

	if !s.sleep(r.Context(), s.latency) {
		rw.abort()
		return
	}
	route, params, err := s.validator.Router().FindRoute(r)
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			status = http.StatusMethodNotAllowed
		}
		writeError(rw, status, 0, fmt.Sprintf("No operation %s %s in the product-upgrade API", r.Method, r.URL.Path))
		return
	}
	rec.Operation = route.Operation.OperationID
	if reason := bearerProblem(r.Header); reason != "" {
		writeError(rw, http.StatusUnauthorized, CodeTokenMissing, "Partner Token missing in request context ("+reason+")")
		return
	}
	if s.validate {
		if vs := s.validator.ValidateRoutedRequest(r.Context(), "request", r, route, params); len(vs) > 0 {
			if vs.Has("request.security", "") {
				writeError(rw, http.StatusUnauthorized, CodeTokenMissing, "Partner Token missing in request context")
				return
			}
			writeError(rw, http.StatusBadRequest, CodeInvalidRequestInput, describe(vs))
			return
		}
		// A body the validator kept its validated value on is handed on as it is: the
		// generated server binds that value instead of decoding the body again.
		if _, validated := r.Body.(interface{ ValidatedValue() any }); !validated {
			setBody(r, body)
		}
	}

	f, faulty := s.takeFault(r, rec.Operation, body)
	if faulty && s.applyFault(rw, r, f) {
		return
	}

	handle := s.operation(r, route, params)
	if faulty && f.Kind == FaultLoseResponse {
		handle(&discardWriter{header: http.Header{}}, r)
		rw.abort()
		return
	}
	handle(rw, r)
}

// operation returns the generated server's handler of route's operation, to be called
// directly: the request was routed once, by serve, and is not routed again. It gives r the
// path parameters the handler reads.
func (s *Server) operation(r *http.Request, route *routers.Route, params map[string]string) http.HandlerFunc {
	if h := s.svc.ops[route.Operation.OperationID]; h != nil {
		for name, v := range params {
			r.SetPathValue(name, v)
		}
		return h
	}
	// An operation of the spec that the service does not implement: the generated router
	// answers it. It matches the spec's lowercase paths exactly; the service does not care
	// about casing (the SDKs send productUpgrades), so hand it the spec's spelling.
	r.URL.Path = canonicalPath(route.Path, params)
	r.URL.RawPath = ""
	return s.api.ServeHTTP
}

// operationHandlers returns the generated server's handler of each operation svc
// implements, by operationId, with the fake's answers to what it cannot bind (those of
// newHandler's generated router).
func operationHandlers(svc *service) map[string]http.HandlerFunc {
	strict := gen.NewStrictHandlerWithOptions(svc, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  badRequest,
		ResponseErrorHandlerFunc: serviceError,
	})
	w := &gen.ServerInterfaceWrapper{Handler: strict, ErrorHandlerFunc: badRequest}
	return map[string]http.HandlerFunc{
		OpCreate:      w.CreateProductUpgrade,
		OpEligibility: w.CheckProductUpgradeEligibility,
		OpStatus:      w.CheckProductUpgradeStatus,
	}
}

// badRequest answers a request the generated server cannot bind (800002).
func badRequest(w http.ResponseWriter, _ *http.Request, err error) {
	writeError(w, http.StatusBadRequest, CodeInvalidRequestInput, "Invalid request input: "+err.Error())
}

// serviceError answers a failure of the service itself (800003).
func serviceError(w http.ResponseWriter, _ *http.Request, err error) {
	writeError(w, http.StatusInternalServerError, CodeUnexpectedError, "Unexpected service error: "+err.Error())
}

// sleep waits d, or until the client goes away or the server closes; it reports whether the
// wait ran its course.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// canonicalPath fills the spec's path template with params.
func canonicalPath(tmpl string, params map[string]string) string {
	for k, v := range params {
		tmpl = strings.ReplaceAll(tmpl, "{"+k+"}", url.PathEscape(v))
	}
	return tmpl
}

// bearerProblem says what is wrong with the request's bearer token, "" when there is one.
func bearerProblem(h http.Header) string {
	v := h.Values("Authorization")
	switch {
	case len(v) == 0:
		return "no Authorization header"
	case len(v) > 1:
		return "more than one Authorization header"
	}
	scheme, token, _ := strings.Cut(v[0], " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "the Authorization scheme is not Bearer"
	case strings.TrimSpace(token) == "":
		return "the bearer token is empty"
	}
	return ""
}

// describe renders request violations as an 800002 description: "Invalid request input:"
// then rule, place, expected vs actual of each, within the documented 1024 characters.
func describe(vs spec.Violations) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		p := v.Rule
		if v.Where != "" {
			p += " at " + v.Where
		}
		if v.Expected != "" || v.Actual != "" {
			p += ": expected " + v.Expected + ", got " + v.Actual
		}
		parts = append(parts, p)
	}
	d := "Invalid request input: " + strings.Join(parts, "; ")
	if len(d) > 1024 {
		d = d[:1020] + " ..."
	}
	return d
}
