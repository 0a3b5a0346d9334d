package spec

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// NewValidatorWithoutFastPath is NewValidatorFor without the fast path: every message goes
// through kin-openapi, as before the fast path. The differential tests compare the two.
func NewValidatorWithoutFastPath(doc *openapi3.T) (*Validator, error) {
	v, err := NewValidatorFor(doc)
	if err != nil {
		return nil, err
	}
	v.fast = nil
	return v, nil
}

// FastAccepts reports what the fast path alone says of an exchange: whether it accepts the
// request and the response (false, false when it has no operation for the request). req's
// body is read and replaced.
func (v *Validator) FastAccepts(req *http.Request, status int, header http.Header, body []byte) (reqOK, respOK bool) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return false, false
	}
	fo := v.fast.op(route)
	if fo == nil {
		return false, false
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := readAllAndReset(req)
		if err != nil {
			return false, false
		}
		reqBody = b
		reqOK = fo.acceptRequest(req, params, reqBody)
	}
	return reqOK, fo.acceptResponse(status, header, body)
}

// FastPathCovers reports whether the fast path compiled every operation of v's document.
func (v *Validator) FastPathCovers(_ context.Context) (compiled, total int) {
	if v.fast == nil {
		return 0, 0
	}
	for _, item := range v.doc.Paths.Map() {
		total += len(item.Operations())
	}
	return len(v.fast.ops), total
}

func readAllAndReset(req *http.Request) ([]byte, error) {
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// RaceEnabled reports whether the tests run with -race (race_on_test.go).
const RaceEnabled = raceEnabled
