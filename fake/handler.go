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

	rec := Request{Method: r.Method, Path: r.URL.Path, Header: redactedHeader(r.Header)}
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		rec.Status = rw.status
		if rw.lost {
			rec.Status = 0
		}
		s.log.add(rec)
	}()
	setResponseIDs(w.Header(), r.Header)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	rec.Body, rec.BodyTruncated = loggedBody(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		rec.BodyTruncated = rec.BodyTruncated || errors.As(err, &tooLarge)
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
		setBody(r, body)
	}

	f, faulty := s.takeFault(rec.Operation)
	if faulty && s.applyFault(rw, r, f) {
		return
	}

	// The generated router matches the spec's lowercase paths exactly; the service does not
	// care about casing (the SDKs send productUpgrades), so hand it the spec's spelling.
	r.URL.Path = canonicalPath(route.Path, params)
	r.URL.RawPath = ""
	if faulty && f.Kind == FaultLoseResponse {
		s.api.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		rw.abort()
		return
	}
	s.api.ServeHTTP(rw, r)
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
