package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// The operations of the API, named by their operationId in the spec: the values of
// APIError.Operation, and the names the client's error messages and logs give an operation.
// They equal the spec package's constants of the same names (spec.OpCreateProductUpgrade,
// ...) and fake's OpCreate, OpEligibility and OpStatus; they are repeated here so that a
// program that imports the client does not link the spec package and its OpenAPI parser.
const (
	// OpCreateProductUpgrade is the operation of CreateUpgrade and CreateUpgradeWithRequestID.
	OpCreateProductUpgrade = "CreateProductUpgrade"
	// OpCheckProductUpgradeEligibility is the operation of CheckEligibility and Reconcile.
	OpCheckProductUpgradeEligibility = "CheckProductUpgradeEligibility"
	// OpCheckProductUpgradeStatus is the operation of CheckStatus and of each check
	// WaitForUpgrade makes.
	OpCheckProductUpgradeStatus = "CheckProductUpgradeStatus"
)

// CreateUpgrade starts the asynchronous upgrade of r.CustomerID to r.ProductFamily
// (POST /v1/productupgrades) and returns the upgrade id from the 202's Location header. Track
// the upgrade with CheckStatus or WaitForUpgrade.
//
// This call moves money. Every try of it carries the same new MS-RequestId, the service's
// idempotency key, so the retries the RetryPolicy makes cannot start a second upgrade.
//
// Errors: a *ValidationError for bad input (nothing sent); an *APIError for a non-2xx
// response (IsUpgradeInProgress for 409 code 900109); and an *OutcomeUnknownError
// (ErrOutcomeUnknown) when an upgrade may exist but its id is unknown: retries ran out after
// transport failures; ctx ended with a try in flight; any try was answered 500, 502 or 504,
// whatever later tries answered, or any error came after a try that may have landed (the
// *APIError is then wrapped, still reachable with errors.As); or the 202's Location was
// missing or malformed and its body names no upgrade id (it then also matches
// ErrInvalidLocation; a 202 is never retried, even when its body is cut short). A failure
// before anything can have reached the server (a refused connection, a failed TLS
// handshake, https to a plain-HTTP port) is not "may have landed"; one that would fail again
// the same way (TLS, a header net/http will not send) is not retried. An access token with
// control characters is a *ValidationError, and nothing is sent.
//
// A 202 whose Location is unusable but whose JSON body carries the upgrade's id (id or
// upgradeId, a GUID) is accepted with that id. To reconcile, call Reconcile:
// CheckEligibility's upgradeId names an upgrade already in place; if none is, resend with
// CreateUpgradeWithRequestID and the error's RequestID.
func (c *Client) CreateUpgrade(ctx context.Context, r UpgradeRequest) (*Upgrade, error) {
	return c.createUpgrade(ctx, "", r)
}

// CreateUpgradeWithRequestID is CreateUpgrade with a given MS-RequestId instead of a new one:
// use it only to resend a create whose outcome is unknown (OutcomeUnknownError.RequestID), so
// that the service recognises the same request. requestID must be a GUID.
func (c *Client) CreateUpgradeWithRequestID(ctx context.Context, requestID string, r UpgradeRequest) (*Upgrade, error) {
	if !guid.Valid(requestID) {
		return nil, invalidInput("requestID", requestID, "must be a GUID in 8-4-4-4-12 form")
	}
	return c.createUpgrade(ctx, requestID, r)
}

func (c *Client) createUpgrade(ctx context.Context, requestID string, r UpgradeRequest) (*Upgrade, error) {
	body, err := r.body()
	if err != nil {
		return nil, err
	}
	st, ctx, h, err := c.begin(ctx, OpCreateProductUpgrade, requestID)
	if err != nil {
		return nil, err
	}
	params := gen.CreateProductUpgradeParams{
		MSRequestId: h.requestID, MSCorrelationId: h.corrID,
	}
	// The generated request builder and the pipeline send the create; the response is read
	// here, never by the generated parser (a 202 has no body, and the parser fails outright
	// on a response header it cannot bind, which would hide an accepted upgrade).
	resp, err := c.api.CreateProductUpgradeWithBody(ctx, &params, jsonContentType, bytes.NewReader(encodeBody(body)))
	if err != nil {
		return nil, c.noResponse(st, err)
	}
	res := responseOf(resp)
	rd := st.redactor()
	if !is2xx(res.status) {
		ae := apiError(st, res, c.clock.now())
		if st.maybeSent {
			// An earlier try may have landed, or the service failed part way (500, 502 or
			// 504 on any try): the *APIError stays reachable with errors.As.
			return nil, &OutcomeUnknownError{RequestID: st.rid.String(), CorrelationID: st.cid.String(), Tries: st.try, Err: ae}
		}
		return nil, ae
	}
	location := res.header.Get("Location")
	u := &Upgrade{
		Location:      rd.scrub(location),
		RequestID:     headerID(res.header, hdrRequestID, st.rid, rd),
		CorrelationID: headerID(res.header, hdrCorrelationID, st.cid, rd),
	}
	id, le := parseLocation(location)
	if le != nil {
		// The docs' 202 has no body, but a service that sends the new upgrade's id in one
		// names it as surely as a Location does.
		if bid, ok := decodeAcceptedID(res.body); ok && !res.truncated {
			u.ID = bid
			return u, nil
		}
		le.Location = rd.scrub(le.Location)
		le.RequestID = st.rid.String()
		return nil, &OutcomeUnknownError{RequestID: st.rid.String(), CorrelationID: st.cid.String(), Tries: st.try, Err: le}
	}
	u.ID = id
	return u, nil
}

// CheckEligibility tells whether r.CustomerID can be upgraded to r.ProductFamily
// (POST /v1/productupgrades/eligibility). When an upgrade for the family is already in
// place, the result's UpgradeID names it. Errors as for CheckStatus.
func (c *Client) CheckEligibility(ctx context.Context, r UpgradeRequest) (*Eligibility, error) {
	body, err := r.body()
	if err != nil {
		return nil, err
	}
	st, ctx, h, err := c.begin(ctx, OpCheckProductUpgradeEligibility, "")
	if err != nil {
		return nil, err
	}
	params := gen.CheckProductUpgradeEligibilityParams{
		MSRequestId: h.requestID, MSCorrelationId: h.corrID,
	}
	resp, err := c.api.CheckProductUpgradeEligibilityWithBody(ctx, &params, jsonContentType, bytes.NewReader(encodeBody(body)))
	if err != nil {
		return nil, c.noResponse(st, err)
	}
	res := responseOf(resp)
	if !is2xx(res.status) {
		return nil, apiError(st, res, c.clock.now())
	}
	return decodeEligibility(st, res, r)
}

// CheckStatus returns the status of the upgrade upgradeID of r.CustomerID
// (POST /v1/productupgrades/{upgradeId}/status; a POST with r as body, not a GET on the
// Location).
//
// Errors: a *ValidationError for bad input (nothing sent); an *APIError for a non-2xx
// response (IsUpgradeNotFound for 404 code 900106); ErrResponseTooLarge for a 200 whose body
// exceeds MaxResponseBytes; ErrMalformedResponse for a 200 that is not a JSON object, has no
// status (or, for CheckEligibility, no isEligible), or whose id is a GUID other than
// upgradeID, the message naming the field; otherwise a transport or context error that
// carries the request id. Every other field is read leniently (see the package
// documentation): it never fails the call.
func (c *Client) CheckStatus(ctx context.Context, upgradeID string, r UpgradeRequest) (*UpgradeStatus, error) {
	s, _, err := c.checkStatus(ctx, upgradeID, r)
	return s, err
}

// checkStatus also returns the Retry-After of a successful response, for WaitForUpgrade.
func (c *Client) checkStatus(ctx context.Context, upgradeID string, r UpgradeRequest) (*UpgradeStatus, time.Duration, error) {
	id, ok := guid.Parse(upgradeID)
	if !ok {
		return nil, 0, invalidInput("upgradeID", upgradeID, "must be a GUID in 8-4-4-4-12 form")
	}
	body, err := r.body()
	if err != nil {
		return nil, 0, err
	}
	st, ctx, h, err := c.begin(ctx, OpCheckProductUpgradeStatus, "")
	if err != nil {
		return nil, 0, err
	}
	params := gen.CheckProductUpgradeStatusParams{
		MSRequestId: h.requestID, MSCorrelationId: h.corrID,
	}
	resp, err := c.api.CheckProductUpgradeStatusWithBody(ctx, id, &params, jsonContentType, bytes.NewReader(encodeBody(body)))
	if err != nil {
		return nil, 0, c.noResponse(st, err)
	}
	res := responseOf(resp)
	if !is2xx(res.status) {
		return nil, 0, apiError(st, res, c.clock.now())
	}
	ra, _ := retryAfter(res.header, c.clock.now())
	s, err := decodeStatus(st, res, upgradeID)
	if err != nil {
		return nil, 0, err
	}
	if c.logger != nil && !s.Known() { // the warning is only logged
		c.warnUnknownStatus(ctx, upgradeID, s.Status)
	}
	return s, ra, nil
}

// Reconcile returns the id of the upgrade in place for r, as CheckEligibility's upgradeId
// names it (in lowercase 8-4-4-4-12 form), or ErrNoUpgradeInPlace when there is none (no
// upgradeId, an empty one, or the nil GUID). An upgradeId that is not a GUID is
// ErrMalformedResponse. Use it after CreateUpgrade returned
// ErrOutcomeUnknown: an id means the create (or an earlier one) took effect, so wait for it;
// ErrNoUpgradeInPlace means no upgrade is visible yet, and CreateUpgradeWithRequestID with
// the lost call's request id resends the create without risk of a second upgrade.
func (c *Client) Reconcile(ctx context.Context, r UpgradeRequest) (string, error) {
	e, err := c.CheckEligibility(ctx, r)
	if err != nil {
		return "", err
	}
	if e.UpgradeID == "" { // none, "" or the nil GUID
		return "", ErrNoUpgradeInPlace
	}
	// An upgrade is in place; an id that cannot be polled is an error, never "none".
	return inPlaceID(e.UpgradeID)
}

// body validates the request and returns it as the generated body type.
func (r UpgradeRequest) body() (gen.ProductUpgradeRequest, error) {
	id, ok := guid.Parse(r.CustomerID)
	if !ok {
		return gen.ProductUpgradeRequest{}, invalidInput("UpgradeRequest.CustomerID", r.CustomerID, "must be a GUID in 8-4-4-4-12 form")
	}
	if strings.TrimSpace(r.ProductFamily) == "" {
		return gen.ProductUpgradeRequest{}, invalidInput("UpgradeRequest.ProductFamily", r.ProductFamily, `must not be empty (for example "Azure")`)
	}
	return gen.ProductUpgradeRequest{CustomerId: id, ProductFamily: r.ProductFamily}, nil
}

// callHeaders are the per-call values put into the generated params.
type callHeaders struct {
	requestID, corrID gen.Guid
}

// begin starts a logical call: a new MS-RequestId (unless given), the correlation id, and
// the call state the pipeline shares across tries.
func (c *Client) begin(ctx context.Context, op, requestID string) (*call, context.Context, callHeaders, error) {
	var h callHeaders
	corr, err := correlationID(ctx)
	if err != nil {
		return nil, ctx, h, err
	}
	h.corrID = corr
	if requestID != "" {
		h.requestID, _ = guid.Parse(requestID)
	} else if h.requestID, err = newGUID(); err != nil {
		return nil, ctx, h, err
	}
	st := &call{op: op, rid: h.requestID, cid: corr}
	return st, context.WithValue(ctx, callKey{}, st), h, nil
}

// noResponse is the error of a call that got no response to hand on: a token source
// failure, a transport failure after the retries, or the context.
func (c *Client) noResponse(st *call, err error) error {
	if err == nil {
		err = errors.New("no response")
	}
	if st.op == OpCreateProductUpgrade && st.maybeSent {
		return &OutcomeUnknownError{RequestID: st.rid.String(), CorrelationID: st.cid.String(), Tries: st.try, Err: err}
	}
	var te *tokenError
	if errors.As(err, &te) && st.try <= 1 {
		return fmt.Errorf("productupgrades: %s: nothing sent: %w", st.op, err)
	}
	return fmt.Errorf("productupgrades: %s [request-id %s]: %w", st.op, st.rid.String(), st.redactor().redactErr(err))
}

func is2xx(code int) bool { return code >= 200 && code < 300 }

// ambiguousStatus is a final create status after which the upgrade may exist: the service
// failed part way (500), or a gateway lost the backend's answer (502, 504). A 408, 429 or
// 503 says the request was not taken up.
func ambiguousStatus(code int) bool {
	return code == http.StatusInternalServerError || code == http.StatusBadGateway || code == http.StatusGatewayTimeout
}
