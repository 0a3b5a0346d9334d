package contracttests

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Corruption is a way to break an exchange, with the rule the checks must name when they
// reject the broken copy. The contract tests apply every corruption to every exchange it
// applies to and require the rejection; the second opinion (spec/crosscheck) requires an
// independent validator to reject the same copies.
type Corruption struct {
	// Name says what is broken, for example "drop Location".
	Name string
	// Applies reports whether the corruption makes sense for an exchange.
	Applies func(ex *Exchange) bool
	// Apply breaks ex in place (use it on a Clone).
	Apply func(ex *Exchange)
	// Rule and Where are what the spec checks must report.
	Rule, Where string
	// GenRule and GenWhere, when set, are what the generated-client replay must report too.
	GenRule, GenWhere string
	// ClientRule and ClientWhere, when set, are what the hand-written client's replay must
	// report too.
	ClientRule, ClientWhere string
}

// Corruptions returns the ways in which the contract checks' self-test breaks exchanges.
func Corruptions() []Corruption {
	return []Corruption{
		{Name: "drop Location", Applies: is202,
			Apply: func(ex *Exchange) { ex.Response.Header.Del("Location") },
			Rule:  "response.header.required", Where: "header Location",
			GenRule: "client.decode.location", GenWhere: "header Location",
			ClientRule: "client.decode.location", ClientWhere: "response"},
		{Name: "202 turned 200", Applies: is202,
			Apply: func(ex *Exchange) { ex.Response.StatusCode = http.StatusOK },
			Rule:  "response.status.undeclared", Where: "status",
			GenRule: "client.decode.status", GenWhere: "status"},
		{Name: "non-GUID upgrade id in Location", Applies: is202,
			Apply: func(ex *Exchange) { ex.Response.Header.Set("Location", "productUpgrades/42d075a4-not-a-guid") },
			Rule:  "response.header.schema", Where: "header Location",
			GenRule: "client.decode.location", GenWhere: "header Location",
			ClientRule: "client.decode.location", ClientWhere: "response"},
		{Name: "Location without an id", Applies: is202,
			Apply: func(ex *Exchange) { ex.Response.Header.Set("Location", "productUpgrades/") },
			Rule:  "response.header.schema", Where: "header Location",
			ClientRule: "client.decode.location", ClientWhere: "response"},
		{Name: "absolute Location without a slash after the host", Applies: is202,
			Apply: func(ex *Exchange) {
				ex.Response.Header.Set("Location", "https://hostproductUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4")
			},
			Rule: "response.header.schema", Where: "header Location"},
		{Name: "repeated Location", Applies: is202,
			Apply: func(ex *Exchange) {
				ex.Response.Header.Add("Location", "productUpgrades/0f5c3e2a-9b7d-4c1e-8a6f-2d4b8e1c7a90")
			},
			Rule: "response.header.repeated", Where: "header Location"},
		{Name: "repeated MS-RequestId, the second not a GUID", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Add("MS-RequestId", "retry-2") },
			Rule:  "request.header.schema", Where: "header MS-RequestId"},
		{Name: "non-GUID customerId", Applies: always,
			Apply: func(ex *Exchange) { setBodyProp(ex, "customerId", "4c721420-72ad-4708-a0a7") },
			Rule:  "request.body.schema", Where: "body /customerId",
			GenRule: "client.input", GenWhere: "body",
			ClientRule: "client.input", ClientWhere: ""},
		{Name: "productFamily missing", Applies: always,
			Apply: func(ex *Exchange) { setBodyProp(ex, "productFamily", nil) },
			Rule:  "request.body.schema", Where: "body /productFamily"},
		{Name: "productFamily empty", Applies: always,
			Apply: func(ex *Exchange) { setBodyProp(ex, "productFamily", "") },
			Rule:  "request.body.schema", Where: "body /productFamily",
			ClientRule: "client.input", ClientWhere: ""},
		{Name: "no Authorization", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Del("Authorization") },
			Rule:  "request.security", Where: "header Authorization"},
		{Name: "Basic instead of Bearer", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Set("Authorization", "Basic dXNlcjpwYXNz") },
			Rule:  "request.security", Where: "header Authorization"},
		{Name: "wrong request Content-Type", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Set("Content-Type", "text/plain") },
			Rule:  "request.body.content-type", Where: "header Content-Type"},
		{Name: "broken request JSON", Applies: always,
			Apply: func(ex *Exchange) { ex.setRequestBody(ex.RequestBody[:len(ex.RequestBody)/2]) },
			Rule:  "request.body.decode", Where: "body",
			GenRule: "client.input", GenWhere: "body"},
		{Name: "data after the request's JSON value", Applies: always,
			Apply: func(ex *Exchange) { ex.setRequestBody(append(bytes.Clone(ex.RequestBody), " xyz"...)) },
			Rule:  "request.body.trailing", Where: "body"},
		{Name: "no MS-RequestId", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Del("MS-RequestId") },
			Rule:  "request.header.required", Where: "header MS-RequestId",
			GenRule: "client.input", GenWhere: "header MS-RequestId"},
		{Name: "non-GUID MS-CorrelationId", Applies: always,
			Apply: func(ex *Exchange) { ex.Request.Header.Set("MS-CorrelationId", "correlation-1") },
			Rule:  "request.header.schema", Where: "header MS-CorrelationId"},
		{Name: "non-GUID upgrade id in the status path", Applies: isStatusOp,
			Apply: func(ex *Exchange) {
				ex.Request.URL.Path = "/v1/productupgrades/not-a-guid/status"
			},
			Rule: "request.path.schema", Where: "path upgradeId",
			GenRule: "client.input", GenWhere: "path upgradeId",
			ClientRule: "client.input", ClientWhere: ""},
		{Name: "broken response JSON", Applies: hasRespBody,
			Apply: func(ex *Exchange) { ex.ResponseBody = ex.ResponseBody[:len(ex.ResponseBody)/2] },
			Rule:  "response.body.decode", Where: "body",
			GenRule: "client.response.decode", GenWhere: "body"},
		{Name: "data after the response's JSON value", Applies: hasRespBody,
			Apply: func(ex *Exchange) { ex.ResponseBody = append(bytes.Clone(ex.ResponseBody), " xyz"...) },
			Rule:  "response.body.trailing", Where: "body"},
		{Name: "wrong response Content-Type", Applies: hasRespBody,
			Apply: func(ex *Exchange) { ex.Response.Header.Set("Content-Type", "text/html") },
			Rule:  "response.content-type", Where: "header Content-Type"},
		{Name: "empty status", Applies: hasStatusBody,
			Apply: func(ex *Exchange) { setRespBodyProp(ex, "status", "") },
			Rule:  "response.body.schema", Where: "body /status"},
		{Name: "error code missing", Applies: isErrorWithCode,
			Apply: func(ex *Exchange) { setRespBodyProp(ex, "code", nil) },
			Rule:  "response.body.schema", Where: "body /code",
			GenRule: "client.decode.error", GenWhere: "body /code",
			ClientRule: "client.decode.error", ClientWhere: "body /code"},
		{Name: "error code an object", Applies: isErrorWithCode,
			Apply: func(ex *Exchange) { setRespBodyProp(ex, "code", map[string]any{"value": 1}) },
			Rule:  "response.body.schema", Where: "body /code"},
	}
}

func is202(ex *Exchange) bool       { return ex.Response.StatusCode == http.StatusAccepted }
func always(*Exchange) bool         { return true }
func hasRespBody(ex *Exchange) bool { return len(ex.ResponseBody) > 0 }
func isStatusOp(ex *Exchange) bool {
	return ex.Meta != nil && ex.Meta.Operation == "CheckProductUpgradeStatus"
}
func hasStatusBody(ex *Exchange) bool {
	return isStatusOp(ex) && ex.Response.StatusCode == http.StatusOK && len(ex.ResponseBody) > 0
}
func isErrorWithCode(ex *Exchange) bool {
	return ex.Meta != nil && ex.Meta.Expect.Error != nil && ex.Meta.Expect.Error.Code != ""
}

// Clone copies an exchange deeply enough that a corruption of the copy leaves the original
// alone.
func (ex *Exchange) Clone() *Exchange {
	c := *ex
	c.Request = ex.Request.Clone(context.Background())
	u := *ex.Request.URL
	c.Request.URL = &u
	c.RequestBody = bytes.Clone(ex.RequestBody)
	c.resetRequestBody()
	resp := *ex.Response
	resp.Header = ex.Response.Header.Clone()
	c.Response = &resp
	c.ResponseBody = bytes.Clone(ex.ResponseBody)
	return &c
}

// setRequestBody replaces the request body, keeping Content-Length in step.
func (ex *Exchange) setRequestBody(b []byte) {
	ex.RequestBody = b
	ex.Request.ContentLength = int64(len(b))
	ex.resetRequestBody()
}

// setBodyProp sets (or, with nil, removes) a top-level property of the request body, found
// without regard to case.
func setBodyProp(ex *Exchange, name string, value any) {
	ex.setRequestBody(setProp(ex.RequestBody, name, value))
}

func setRespBodyProp(ex *Exchange, name string, value any) {
	ex.ResponseBody = setProp(ex.ResponseBody, name, value)
}

func setProp(body []byte, name string, value any) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			delete(m, k)
		}
	}
	if value != nil {
		m[name] = value
	}
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}
