// Package crosscheck is the contract checks' second opinion. It validates the same
// exchanges as package contracttests, every fixture and every corrupted copy, with our
// validator (spec.Validator) and with an independent one, pb33f/libopenapi-validator (its own OpenAPI parser, router and JSON
// Schema engine), and reports where its verdict differs from ours. A bug in kin-openapi or in
// our use of it then shows as a disagreement instead of passing in silence: this is how the
// trailing-data and repeated-header gaps of issue 8 were found.
//
// It is a module of its own, like spec/compat, so that the main module's go.mod stays lean.
// `make test` runs it.
package crosscheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/partnercenter-go/productupgrades/contracttests"
	"github.com/partnercenter-go/productupgrades/spec"
)

// Half is the part of an exchange a verdict is about.
type Half string

// The two halves of an exchange.
const (
	Request  Half = "request"
	Response Half = "response"
)

// Verdict is one validator's judgement of one half of an exchange.
type Verdict struct {
	// Valid reports whether the validator found nothing wrong.
	Valid bool
	// Problems says what it found, one line each.
	Problems []string
}

// String is "valid", or "invalid: " and the problems, for a disagreement's report.
func (v Verdict) String() string {
	if v.Valid {
		return "valid"
	}
	return "invalid: " + strings.Join(v.Problems, "; ")
}

// Checker holds both validators, each built once from the same spec text.
type Checker struct {
	ours   *spec.Validator
	theirs validator.Validator
}

// New builds a checker that compares ours with libopenapi-validator reading yaml, the YAML
// of the OpenAPI document.
func New(ctx context.Context, ours *spec.Validator, yaml []byte) (*Checker, error) {
	doc, err := libopenapi.NewDocument(yaml)
	if err != nil {
		return nil, fmt.Errorf("libopenapi: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("libopenapi-validator: %v", errs)
	}
	return &Checker{ours: ours, theirs: v}, nil
}

// Ours is the verdict of spec.Validator (kin-openapi and our own rules).
func (c *Checker) Ours(ctx context.Context, ex *contracttests.Exchange, h Half) Verdict {
	var vs spec.Violations
	if h == Request {
		vs = c.ours.ValidateRequest(ctx, ex.Name, ex.NewRequest())
	} else {
		vs = c.ours.ValidateResponse(ctx, ex.Name, ex.NewRequest(), ex.Response.StatusCode, ex.Response.Header, ex.ResponseBody)
	}
	out := Verdict{Valid: len(vs) == 0}
	for _, v := range vs {
		out.Problems = append(out.Problems, v.Rule+" at "+v.Where)
	}
	return out
}

// Theirs is the verdict of libopenapi-validator.
func (c *Checker) Theirs(ex *contracttests.Exchange, h Half) Verdict {
	req := ex.NewRequest()
	var (
		ok   bool
		errs []*verrors.ValidationError
	)
	if h == Request {
		ok, errs = c.theirs.ValidateHttpRequestSync(req)
	} else {
		resp := &http.Response{
			Status: ex.Response.Status, StatusCode: ex.Response.StatusCode,
			Proto: ex.Response.Proto, ProtoMajor: ex.Response.ProtoMajor, ProtoMinor: ex.Response.ProtoMinor,
			Header: ex.Response.Header.Clone(), ContentLength: int64(len(ex.ResponseBody)),
			Body: io.NopCloser(bytes.NewReader(ex.ResponseBody)), Request: req,
		}
		ok, errs = c.theirs.ValidateHttpResponse(req, resp)
	}
	out := Verdict{Valid: ok && len(errs) == 0}
	for _, e := range errs {
		p := e.ValidationType
		if e.ValidationSubType != "" {
			p += "/" + e.ValidationSubType
		}
		p += ": " + e.Message
		for _, se := range e.SchemaValidationErrors {
			if se != nil && se.Reason != "" {
				p += " (" + se.FieldPath + ": " + se.Reason + ")"
			}
		}
		out.Problems = append(out.Problems, p)
	}
	sort.Strings(out.Problems)
	return out
}
