// Package gentemplates holds this project's oapi-codegen templates, with which `go generate
// ./gen` generates package gen (see gen/oapi-codegen.yaml). client.tmpl is oapi-codegen's
// own client template with faster request builders: the request is made with its context
// (no copy), the server URL and the spec's path are joined without URL parsing when that
// gives what resolving the path against the server URL gives, simple string and uuid
// parameters are formatted without reflection, and header keys are canonicalised once, from
// the spec's names. The package's test checks that the generated builders make the requests
// oapi-codegen's own builders make.
package gentemplates
