package fake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/pccodes"
)

// Partner Center error codes the fake answers with (error-codes.md). Their facts (status,
// name, documented message) are in one table, internal/pccodes, shared with the client; the
// fake's error descriptions are formatted from its messages, and its tests check that each
// Code constant here is a row of it, named and numbered alike.
const (
	CodeTokenMissing          = 800001 // 401: no bearer token
	CodeInvalidRequestInput   = 800002 // 400: the request breaks the spec
	CodeUnexpectedError       = 800003 // 500 and 503
	CodeUpgradeNotFound       = 900106 // 404: status of an unknown upgrade
	CodeUpgradeInProgress     = 900109 // 409: create while an upgrade is in progress
	CodeUpgradeCompleted      = 900110 // 400: create after the upgrade completed
	CodeUpgradeNotForCustomer = 900111 // 400: status of another customer's upgrade
	CodeCannotUpgrade         = 900120 // 403: create for a customer made ineligible by WithIneligible
)

// ServerID is the MS-ServerId header of every response.
const ServerID = "fake-partnercenter-01"

// jsonContentType is the Content-Type of every JSON body the fake sends.
const jsonContentType = "application/json; charset=utf-8"

// setResponseIDs puts the ids every response carries: the request's MS-RequestId and
// MS-CorrelationId echoed (new ones when absent or not GUIDs), a correlation vector, the
// server id.
func setResponseIDs(out, in http.Header) {
	for _, name := range []string{"MS-RequestId", "MS-CorrelationId"} {
		id, err := parseGUID(in.Get(name))
		if err != nil {
			id = newGUID()
		}
		out.Set(name, id.String())
	}
	var cv [12]byte
	_, _ = rand.Read(cv[:])
	out.Set("MS-CV", base64.RawURLEncoding.EncodeToString(cv[:])+".0")
	out.Set("MS-ServerId", ServerID)
}

// errorBody is the documented error body: {code, description, data: [], source: PartnerFD}.
func errorBody(code int, description string) gen.ErrorResponse {
	var c gen.ErrorCode
	_ = c.FromErrorCode1(code)
	data := []interface{}{}
	source := "PartnerFD"
	return gen.ErrorResponse{Code: c, Description: description, Data: &data, Source: &source}
}

// codeMessage is the documented description of code (internal/pccodes), placeholder {i}
// filled with args[i]: what the service writes for it.
func codeMessage(code int, args ...string) string {
	c, _ := pccodes.Lookup(code)
	return c.Format(args...)
}

// writeError answers status with the documented error body; code 0 means the status itself.
func writeError(w http.ResponseWriter, status, code int, description string) {
	if code == 0 {
		code = status
	}
	writeJSON(w, status, errorBody(code, description))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":800003,"description":"Unexpected service error","data":[],"source":"PartnerFD"}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// responseWriter records the status and gives the generated server's JSON responses the
// service's Content-Type.
type responseWriter struct {
	http.ResponseWriter
	status int
	lost   bool
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if h := w.Header(); h.Get("Content-Type") == "application/json" {
		h.Set("Content-Type", jsonContentType)
	}
	w.ResponseWriter.WriteHeader(code)
}

// abort ends the request without a response: the connection closes, and Requests shows
// status 0. For a response lost on purpose, and for a request cut short by Close or by the
// client going away, which must never read as a 200 with an empty body.
func (w *responseWriter) abort() {
	w.lost = true
	dropConnection(w.ResponseWriter)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// discardWriter takes the response of a request whose response is lost on purpose.
type discardWriter struct {
	header http.Header
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// dropConnection closes the client's connection without a response: a response lost on the
// way. The server speaks HTTP/1.1 on TCP, whose connections can always be hijacked; should
// that fail, net/http's own way to abort a response, http.ErrAbortHandler, does the same.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
