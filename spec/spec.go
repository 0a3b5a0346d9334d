// Package spec embeds the hand-written OpenAPI 3.0 description of Partner Center's
// product-upgrade API, the single source from which gen/ is generated and against which
// the contract checks validate recorded exchanges; with the facts of the service that come
// with it: Router finds an operation as the service does (paths case-insensitively) and
// implements kin-openapi's routers.Router, and Validator checks requests and responses
// against the spec, reporting each deviation as a Violation that names its rule and place.
package spec

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// YAML is the spec file productupgrades.yaml, byte for byte.
//
//go:embed productupgrades.yaml
var YAML []byte

// Load parses the embedded spec and validates it, examples included. Each call returns a
// fresh document, so callers may change theirs without affecting others.
func Load(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(YAML)
	if err != nil {
		return nil, fmt.Errorf("spec: parse productupgrades.yaml: %w", err)
	}
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec: productupgrades.yaml is not a valid OpenAPI 3 document: %w", err)
	}
	return doc, nil
}
