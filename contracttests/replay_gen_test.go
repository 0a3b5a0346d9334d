package contracttests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// ReplayGenerated drives the generated client (package gen) with the inputs of ex's recorded
// request against a loopback server that answers with ex's recorded response. It reports
// where the request the client sent differs from the recorded one, and where what the
// client decoded differs from ex.Meta.Expect.
func ReplayGenerated(ctx context.Context, sc *SpecChecker, ex *Exchange) Violations {
	fail := failWith(ex, CheckGenClient)
	route, pathParams, vs := replayRoute(sc, ex, fail)
	if vs != nil {
		return vs
	}
	in, err := genInputs(ex)
	if err != nil {
		return fail("client.input", in.where, "a value the generated types accept", "", err.Error())
	}

	srv := newReplayServer(ex)
	defer srv.Close()
	c, err := gen.NewClientWithResponses(srv.URL,
		gen.WithHTTPClient(srv.Client()),
		gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+ReplayToken)
			return nil
		}))
	if err != nil {
		return fail("client.setup", "", "", "", err.Error())
	}

	var resp any
	switch route.Operation.OperationID {
	case "CreateProductUpgrade":
		resp, err = c.CreateProductUpgradeWithResponse(ctx, &gen.CreateProductUpgradeParams{
			MSRequestId: in.requestID, MSCorrelationId: in.correlationID, XLocale: in.locale,
			MSPartnerCenterApplication: in.application, MSContractVersion: in.contract,
		}, in.body)
	case "CheckProductUpgradeEligibility":
		resp, err = c.CheckProductUpgradeEligibilityWithResponse(ctx, &gen.CheckProductUpgradeEligibilityParams{
			MSRequestId: in.requestID, MSCorrelationId: in.correlationID, XLocale: in.locale,
			MSPartnerCenterApplication: in.application, MSContractVersion: in.contract,
		}, in.body)
	case "CheckProductUpgradeStatus":
		id, perr := uuid.Parse(pathParams["upgradeId"])
		if perr != nil {
			return fail("client.input", "path upgradeId", "a GUID", excerpt.Quote(pathParams["upgradeId"]), perr.Error())
		}
		resp, err = c.CheckProductUpgradeStatusWithResponse(ctx, id, &gen.CheckProductUpgradeStatusParams{
			MSRequestId: in.requestID, MSCorrelationId: in.correlationID, XLocale: in.locale,
			MSPartnerCenterApplication: in.application, MSContractVersion: in.contract,
		}, in.body)
	default:
		return fail("client.input", "operation", "an operation the replay knows", excerpt.Quote(route.Operation.OperationID), "")
	}

	out := compareRequest(ctx, sc, CheckGenClient, ex, srv.requests(), requestExpectations{
		sameHeaders: []string{"MS-RequestId", "MS-CorrelationId", "X-Locale", "MS-PartnerCenter-Application", "MS-Contract-Version"},
		guidHeaders: []string{"MS-RequestId", "MS-CorrelationId"},
	})
	if err != nil {
		return append(out, fail("client.response.decode", "body", "a response the generated client decodes", "an error", err.Error())...)
	}
	return append(out, checkGenDecoded(ex, resp)...)
}

type genCallInputs struct {
	where               string
	requestID           uuid.UUID
	correlationID       uuid.UUID
	locale, application *string
	contract            *gen.MSContractVersion
	body                gen.ProductUpgradeRequest
}

// genInputs takes the generated client's inputs from the recorded request.
func genInputs(ex *Exchange) (genCallInputs, error) {
	var in genCallInputs
	h := ex.Request.Header
	var err error
	if in.requestID, err = uuid.Parse(h.Get("MS-RequestId")); err != nil {
		in.where = "header MS-RequestId"
		return in, err
	}
	if in.correlationID, err = uuid.Parse(h.Get("MS-CorrelationId")); err != nil {
		in.where = "header MS-CorrelationId"
		return in, err
	}
	opt := func(name string) *string {
		if v := h.Get(name); v != "" {
			return &v
		}
		return nil
	}
	in.locale, in.application = opt("X-Locale"), opt("MS-PartnerCenter-Application")
	if v := opt("MS-Contract-Version"); v != nil {
		cv := *v
		in.contract = &cv
	}
	if err := json.Unmarshal(ex.RequestBody, &in.body); err != nil {
		in.where = "body"
		return in, err
	}
	return in, nil
}

// checkGenDecoded compares what the generated client decoded with ex.Meta.Expect.
func checkGenDecoded(ex *Exchange, resp any) Violations {
	if ex.Meta == nil {
		return nil
	}
	want := ex.Meta.Expect
	var out Violations
	add := func(rule, where, expected, actual string) {
		out = append(out, Violation{Exchange: ex.Name, Check: CheckGenClient, Rule: rule, Where: where, Expected: expected, Actual: actual})
	}
	rv := reflect.ValueOf(resp).Elem()
	httpResp := rv.FieldByName("HTTPResponse").Interface().(*http.Response)
	if want.Status != 0 && httpResp.StatusCode != want.Status {
		add("client.decode.status", "status", strconv.Itoa(want.Status), strconv.Itoa(httpResp.StatusCode))
	}
	field := func(name string) any {
		f := rv.FieldByName(name)
		if !f.IsValid() || f.IsNil() {
			return nil
		}
		return f.Interface()
	}
	status := strconv.Itoa(httpResp.StatusCode)

	if want.Location != "" || want.UpgradeID != "" {
		h, _ := field("Headers202").(*gen.CreateProductUpgradeResponse202Headers)
		got := ""
		if h != nil {
			got = h.Location
		}
		if want.Location != "" && got != want.Location {
			add("client.decode.location", "header Location", excerpt.Quote(want.Location), excerpt.Quote(got))
		}
	}
	if w := want.Eligibility; w != nil {
		g, _ := field("JSON200").(*gen.ProductUpgradesEligibility)
		if g == nil {
			add("client.decode.body", "body", "a ProductUpgradesEligibility", "nothing decoded")
		} else {
			cmp := func(where, w string, g *string) {
				if got := deref(g); got != w {
					add("client.decode.body", "body "+where, excerpt.Quote(w), excerpt.Quote(got))
				}
			}
			cmp("/customerId", w.CustomerID, g.CustomerId)
			cmp("/productFamily", w.ProductFamily, g.ProductFamily)
			cmp("/upgradeId", w.UpgradeID, absentIfNilGUID(g.UpgradeId))
			cmp("/reason", w.Reason, g.Reason)
			if g.IsEligible != w.IsEligible {
				add("client.decode.body", "body /isEligible", fmt.Sprint(w.IsEligible), fmt.Sprint(g.IsEligible))
			}
		}
	}
	if w := want.UpgradeStatus; w != nil {
		g, _ := field("JSON200").(*gen.ProductUpgradesStatus)
		if g == nil {
			add("client.decode.body", "body", "a ProductUpgradesStatus", "nothing decoded")
		} else {
			out = append(out, compareStatus(ex.Name, CheckGenClient, w, genStatusView(g))...)
		}
	}
	if w := want.Error; w != nil {
		code, desc, source, ok := genErrorBody(field("JSON" + status))
		if !ok && (w.Code != "" || w.Description != "") {
			add("client.decode.error", "body", "an error body", "nothing decoded")
		}
		if w.Code != "" && code != w.Code {
			add("client.decode.error", "body /code", excerpt.Quote(w.Code), excerpt.Quote(code))
		}
		if w.Description != "" && desc != w.Description {
			add("client.decode.error", "body /description", excerpt.Quote(w.Description), excerpt.Quote(desc))
		}
		if w.Source != "" && source != w.Source {
			add("client.decode.error", "body /source", excerpt.Quote(w.Source), excerpt.Quote(source))
		}
		if w.RetryAfterSeconds != 0 {
			got := ""
			if h := field("Headers" + status); h != nil {
				if f := reflect.ValueOf(h).Elem().FieldByName("RetryAfter"); f.IsValid() && !f.IsNil() {
					got = f.Elem().String()
				}
			}
			if got != strconv.Itoa(w.RetryAfterSeconds) {
				add("client.decode.error", "header Retry-After", strconv.Itoa(w.RetryAfterSeconds), excerpt.Quote(got))
			}
		}
	}
	return out
}

// statusView is the part of a ProductUpgradesStatus the checks compare, whichever client
// decoded it.
type statusView struct {
	ID, ProductFamily, Status string
	LineItems                 []ExpectLineItem
}

func genStatusView(g *gen.ProductUpgradesStatus) statusView {
	s := statusView{ID: g.Id, ProductFamily: deref(g.ProductFamily), Status: g.Status}
	if g.LineItems != nil {
		for _, li := range *g.LineItems {
			e := ExpectLineItem{Status: deref(li.Status)}
			if li.SourceProduct != nil {
				e.SourceProductID, e.SourceProductName = deref(li.SourceProduct.Id), deref(li.SourceProduct.Name)
			}
			if li.TargetProduct != nil {
				e.TargetProductID, e.TargetProductName = deref(li.TargetProduct.Id), deref(li.TargetProduct.Name)
			}
			// The generated client keeps the date as the service wrote it.
			e.UpgradedDateRaw = deref(li.UpgradedDate)
			s.LineItems = append(s.LineItems, e)
		}
	}
	return s
}

func compareStatus(name, check string, w *ExpectStatus, g statusView) Violations {
	var out Violations
	add := func(where, expected, actual string) {
		out = append(out, Violation{Exchange: name, Check: check, Rule: "client.decode.body", Where: "body " + where, Expected: excerpt.Quote(expected), Actual: excerpt.Quote(actual)})
	}
	if g.ID != w.ID {
		add("/id", w.ID, g.ID)
	}
	if g.ProductFamily != w.ProductFamily {
		add("/productFamily", w.ProductFamily, g.ProductFamily)
	}
	if g.Status != w.Status {
		add("/status", w.Status, g.Status)
	}
	if len(g.LineItems) != len(w.LineItems) {
		out = append(out, Violation{Exchange: name, Check: check, Rule: "client.decode.body", Where: "body /lineItems",
			Expected: fmt.Sprintf("%d items", len(w.LineItems)), Actual: fmt.Sprintf("%d items", len(g.LineItems))})
		return out
	}
	for i := range w.LineItems {
		wl, gl := w.LineItems[i], g.LineItems[i]
		p := fmt.Sprintf("/lineItems/%d", i)
		for _, f := range []struct{ where, w, g string }{
			{"/sourceProduct/id", wl.SourceProductID, gl.SourceProductID},
			{"/sourceProduct/name", wl.SourceProductName, gl.SourceProductName},
			{"/targetProduct/id", wl.TargetProductID, gl.TargetProductID},
			{"/targetProduct/name", wl.TargetProductName, gl.TargetProductName},
			{"/status", wl.Status, gl.Status},
		} {
			if !strings.EqualFold(f.w, f.g) {
				add(p+f.where, f.w, f.g)
			}
		}
		// The generated client hands over the text on the wire; package client the instant.
		if check == CheckGenClient {
			want := wl.UpgradedDateRaw
			if want == "" {
				want = wl.UpgradedDate
			}
			if gl.UpgradedDateRaw != want {
				add(p+"/upgradedDate", want, gl.UpgradedDateRaw)
			}
		} else if gl.UpgradedDate != wl.UpgradedDate {
			add(p+"/upgradedDate", wl.UpgradedDate, gl.UpgradedDate)
		}
	}
	return out
}

// genErrorBody reads code, description and source from a generated error body, whichever
// of the documented shapes it has.
func genErrorBody(v any) (code, desc, source string, ok bool) {
	switch b := v.(type) {
	case *gen.ErrorResponse:
		return errorCodeText(b.Code), b.Description, deref(b.Source), true
	case *gen.TooManyRequests:
		raw, err := b.MarshalJSON()
		if err != nil {
			return "", "", "", false
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(raw, &probe) == nil {
			if _, isGateway := probe["statusCode"]; isGateway {
				t, err := b.AsThrottlingError()
				return strconv.Itoa(t.StatusCode), t.Message, "", err == nil
			}
		}
		e, err := b.AsErrorResponse()
		return errorCodeText(e.Code), e.Description, deref(e.Source), err == nil
	}
	return "", "", "", false
}

// errorCodeText renders the union code (a JSON string or number) as text.
func errorCodeText(c gen.ErrorCode) string {
	raw, err := c.MarshalJSON()
	if err != nil {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nilGUID is the all-zero GUID, which the spec says means "no id".
const nilGUID = "00000000-0000-0000-0000-000000000000"

// absentIfNilGUID reads an optional id the way the spec describes it: the nil GUID, like
// "" and null, names nothing.
func absentIfNilGUID(s *string) *string {
	if s != nil && *s == nilGUID {
		return nil
	}
	return s
}
