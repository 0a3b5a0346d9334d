package contracttests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// ReplayClient drives the hand-written client (package client) with the inputs of ex's
// recorded request against a loopback server that answers with ex's recorded response, and
// reports where its request differs from the recorded one and where what it returned
// differs from ex.Meta.Expect. Retries are off, so that a recorded 429 or 5xx reaches the
// caller as it was recorded.
func ReplayClient(ctx context.Context, sc *SpecChecker, ex *Exchange) Violations {
	fail := failWith(ex, CheckClient)
	route, pathParams, vs := replayRoute(sc, ex, fail)
	if vs != nil {
		return vs
	}
	var body struct{ CustomerID, ProductFamily string }
	if err := json.Unmarshal(ex.RequestBody, &body); err != nil {
		return fail("client.input", "body", "a JSON ProductUpgradeRequest", "undecodable body", errText(err))
	}
	in := client.UpgradeRequest{CustomerID: body.CustomerID, ProductFamily: body.ProductFamily}

	srv := newReplayServer(ex)
	defer srv.Close()
	h := ex.Request.Header
	opts := []client.Option{
		client.WithBaseURL(srv.URL),
		client.WithHTTPClient(srv.Client()),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: ReplayToken, TokenType: "Bearer"})),
		client.WithRetry(client.RetryPolicy{MaxRetries: -1}),
	}
	if v := h.Get("X-Locale"); v != "" {
		opts = append(opts, client.WithLocale(v))
	}
	if v := h.Get("MS-PartnerCenter-Application"); v != "" {
		opts = append(opts, client.WithApplication(v))
	}
	c, err := client.New(opts...)
	if err != nil {
		return fail("client.setup", "", "", "", err.Error())
	}
	callCtx := client.WithCorrelationID(ctx, h.Get("MS-CorrelationId"))

	var (
		upgrade     *client.Upgrade
		eligibility *client.Eligibility
		status      *client.UpgradeStatus
	)
	switch route.Operation.OperationID {
	case "CreateProductUpgrade":
		upgrade, err = c.CreateUpgradeWithRequestID(callCtx, h.Get("MS-RequestId"), in)
	case "CheckProductUpgradeEligibility":
		eligibility, err = c.CheckEligibility(callCtx, in)
	case "CheckProductUpgradeStatus":
		status, err = c.CheckStatus(callCtx, pathParams["upgradeId"], in)
	default:
		return fail("client.input", "operation", "an operation the replay knows", excerpt.Quote(route.Operation.OperationID), "")
	}

	var validation *client.ValidationError
	if errors.As(err, &validation) {
		// The client refused the recorded inputs and sent nothing.
		return fail("client.input", "", "inputs the client accepts", "", err.Error())
	}
	want := requestExpectations{
		// Only create lets the caller choose the request id; the other calls make their own.
		sameHeaders:     []string{"MS-CorrelationId", "X-Locale", "MS-PartnerCenter-Application"},
		guidHeaders:     []string{"MS-RequestId", "MS-CorrelationId"},
		ignoreBodyProps: []string{"attributes"}, // resource metadata: the client never sends it
	}
	if route.Operation.OperationID == "CreateProductUpgrade" {
		want.sameHeaders = append(want.sameHeaders, "MS-RequestId")
	}
	out := compareRequest(ctx, sc, CheckClient, ex, srv.requests(), want)
	return append(out, checkClientResult(ex, in, err, upgrade, eligibility, status)...)
}

// checkClientResult compares what the hand-written client returned with ex.Meta.Expect.
func checkClientResult(ex *Exchange, in client.UpgradeRequest, err error, up *client.Upgrade, el *client.Eligibility, st *client.UpgradeStatus) Violations {
	if ex.Meta == nil {
		return nil
	}
	want := ex.Meta.Expect
	var out Violations
	add := func(rule, where, expected, actual string) {
		out = append(out, Violation{Exchange: ex.Name, Check: CheckClient, Rule: rule, Where: where, Expected: expected, Actual: actual})
	}
	if want.Error != nil {
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) {
			add("client.decode.error", "error", "an *APIError", excerpt.Quote(errText(err)))
			return out
		}
		if apiErr.StatusCode != want.Status {
			add("client.decode.error", "status", strconv.Itoa(want.Status), strconv.Itoa(apiErr.StatusCode))
		}
		w := want.Error
		if w.Code != "" && apiErr.Code != w.Code {
			add("client.decode.error", "body /code", excerpt.Quote(w.Code), excerpt.Quote(apiErr.Code))
		}
		if w.Description != "" && apiErr.Description != w.Description {
			add("client.decode.error", "body /description", excerpt.Quote(w.Description), excerpt.Quote(apiErr.Description))
		}
		if w.Source != "" && apiErr.Source != w.Source {
			add("client.decode.error", "body /source", excerpt.Quote(w.Source), excerpt.Quote(apiErr.Source))
		}
		if w.RetryAfterSeconds != 0 && apiErr.RetryAfter != time.Duration(w.RetryAfterSeconds)*time.Second {
			add("client.decode.error", "header Retry-After", fmt.Sprintf("%ds", w.RetryAfterSeconds), apiErr.RetryAfter.String())
		}
		if rid := ex.Response.Header.Get("MS-RequestId"); rid != "" && !strings.EqualFold(apiErr.RequestID, rid) {
			add("client.decode.error", "header MS-RequestId", excerpt.Quote(rid), excerpt.Quote(apiErr.RequestID))
		}
		return out
	}
	if want.MissingField != "" {
		// A field the caller needs is missing: the call must fail, saying which field.
		var apiErr *client.APIError
		switch {
		case err == nil:
			add("client.decode.missing", "body /"+want.MissingField, "an error naming "+want.MissingField, "no error")
		case errors.As(err, &apiErr):
			add("client.decode.missing", "body /"+want.MissingField, "a decoding error naming "+want.MissingField, "an *APIError: "+excerpt.Quote(errText(err)))
		case !strings.Contains(err.Error(), want.MissingField):
			add("client.decode.missing", "body /"+want.MissingField, "an error naming "+want.MissingField, excerpt.Quote(errText(err)))
		}
		return out
	}
	if err != nil {
		rule := "client.response.decode"
		if want.Location != "" || want.UpgradeID != "" {
			rule = "client.decode.location"
		}
		add(rule, "response", "a result", excerpt.Quote(errText(err)))
		return out
	}
	if want.Status == 202 && up != nil {
		if want.UpgradeID != "" && up.ID != want.UpgradeID {
			add("client.decode.location", "header Location", "upgrade id "+want.UpgradeID, excerpt.Quote(up.ID))
		}
		if want.Location != "" && up.Location != want.Location {
			add("client.decode.location", "header Location", excerpt.Quote(want.Location), excerpt.Quote(up.Location))
		}
	}
	if w := want.Eligibility; w != nil && el != nil {
		for _, f := range []struct{ where, w, g, asked string }{
			{"/customerId", w.CustomerID, el.CustomerID, in.CustomerID},
			{"/productFamily", w.ProductFamily, el.ProductFamily, in.ProductFamily},
			{"/upgradeId", w.UpgradeID, el.UpgradeID, ""},
			{"/reason", w.Reason, el.Reason, ""},
			{"/isEligible", strconv.FormatBool(w.IsEligible), strconv.FormatBool(el.IsEligible), ""},
		} {
			// Where the service left the customer or family out (absent or null), the client
			// may answer with the one it asked about.
			if f.w == "" && f.asked != "" && strings.EqualFold(f.g, f.asked) {
				continue
			}
			if !strings.EqualFold(f.w, f.g) {
				add("client.decode.body", "body "+f.where, excerpt.Quote(f.w), excerpt.Quote(f.g))
			}
		}
	}
	if w := want.UpgradeStatus; w != nil && st != nil {
		view := statusView{ID: st.ID, ProductFamily: st.ProductFamily, Status: st.Status}
		for _, li := range st.LineItems {
			e := ExpectLineItem{Status: li.Status,
				SourceProductID: li.SourceProduct.ID, SourceProductName: li.SourceProduct.Name,
				TargetProductID: li.TargetProduct.ID, TargetProductName: li.TargetProduct.Name}
			if !li.UpgradedDate.IsZero() {
				e.UpgradedDate = li.UpgradedDate.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
			}
			view.LineItems = append(view.LineItems, e)
		}
		out = append(out, compareStatus(ex.Name, CheckClient, w, view)...)
	}
	return out
}
