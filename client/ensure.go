package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// MaxEnsureResends bounds the creates EnsureUpgrade resends, with the same MS-RequestId,
// after an outcome it could not reconcile: at most 1 + MaxEnsureResends creates per call,
// each with the retries of the RetryPolicy.
const MaxEnsureResends = 3

// ErrNotEligible is matched by a *NotEligibleError: the customer cannot be upgraded to the
// product family.
var ErrNotEligible = errors.New("productupgrades: customer not eligible for the upgrade")

// ErrUpgradeInProgress is matched by an *UpgradeInProgressError: an upgrade of the customer
// is in progress, and the service does not say which.
var ErrUpgradeInProgress = errors.New("productupgrades: an upgrade of the customer is in progress")

// EnsureResult is what EnsureUpgrade did: the upgrade to wait for, and how it was found.
type EnsureResult struct {
	// UpgradeID is the upgrade to wait for, in lowercase 8-4-4-4-12 form.
	UpgradeID string
	// Created is true when a create of this call was accepted (202), the first one or a
	// resend; false when the upgrade was already in place, or was found by reconciling.
	Created bool
	// Recovered is true when a create's outcome was unknown at first (a lost response,
	// retries run out, a 5xx) and the upgrade was then found by reconciling or accepted on a
	// resend with the same MS-RequestId.
	Recovered bool
	// RequestID is the MS-RequestId every create of this call carried, "" when no create
	// was sent (the upgrade was already in place).
	RequestID string
	// Resends counts the creates resent with RequestID after an unknown outcome.
	Resends int
}

// NotEligibleError is returned by EnsureUpgrade when the customer cannot be upgraded: the
// eligibility check answered isEligible false and named no upgrade in place, or the create
// was refused with code 900120 (Err is then the *APIError). It matches ErrNotEligible.
type NotEligibleError struct {
	CustomerID    string
	ProductFamily string
	Reason        string // the service's reason, cleaned of control characters; may be empty
	Err           error  // the *APIError of a refused create, nil after an eligibility check
}

// Error names the customer, the family and the reason.
func (e *NotEligibleError) Error() string {
	s := fmt.Sprintf("productupgrades: customer %s is not eligible for an upgrade to %q",
		truncate(e.CustomerID, maxShortField), truncate(e.ProductFamily, maxShortField))
	if e.Reason != "" {
		s += ": " + truncate(e.Reason, maxErrorTextField)
	}
	return s
}

// Is makes errors.Is(err, ErrNotEligible) true.
func (e *NotEligibleError) Is(target error) bool { return target == ErrNotEligible }

// Unwrap returns the *APIError of a refused create, if any.
func (e *NotEligibleError) Unwrap() error { return e.Err }

// UpgradeInProgressError is returned by EnsureUpgrade when the create is refused because an
// upgrade of the customer is in progress (409, code 900109) but neither the refusal nor the
// eligibility check names it: an upgrade started elsewhere, whose id this call cannot learn.
// Nothing was created. Try again later: once the service names the upgrade in place,
// EnsureUpgrade returns it. It matches ErrUpgradeInProgress and unwraps to the *APIError.
type UpgradeInProgressError struct {
	CustomerID    string
	ProductFamily string
	Err           error
}

// Error says an upgrade is in progress and gives the service's error.
func (e *UpgradeInProgressError) Error() string {
	return fmt.Sprintf("productupgrades: an upgrade of customer %s to %q is in progress elsewhere and its id is unknown: %v",
		truncate(e.CustomerID, maxShortField), truncate(e.ProductFamily, maxShortField), e.Err)
}

// Is makes errors.Is(err, ErrUpgradeInProgress) true.
func (e *UpgradeInProgressError) Is(target error) bool { return target == ErrUpgradeInProgress }

// Unwrap returns the service's error.
func (e *UpgradeInProgressError) Unwrap() error { return e.Err }

// EnsureUpgrade makes sure an upgrade of r.CustomerID to r.ProductFamily exists, creating
// it only when none is in place, and returns its id: the safe path of the workflow in one
// call. It never creates a second upgrade.
//
//  1. CheckEligibility: an upgrade already in place (upgradeId) is returned with Created
//     false, and nothing is created; a customer not eligible is a *NotEligibleError.
//  2. CreateUpgrade, with a new MS-RequestId that every try and every resend carries.
//     Accepted: the new upgrade, Created true. A refusal that names the upgrade in place
//     (409 code 900109 "in progress", 400 code 900110 "completed") returns that upgrade;
//     a 409 that names none, when the eligibility check names none either, is an
//     *UpgradeInProgressError; 900120 is a *NotEligibleError.
//  3. When the create's outcome is unknown (see CreateUpgrade), Reconcile: an upgrade in
//     place is returned (Recovered true); otherwise the create is resent with the same
//     MS-RequestId, which the service treats as the same request, after a wait that grows
//     like the retry policy's; at most MaxEnsureResends times.
//
// When the resends run out, or ctx ends while the outcome is unknown, the error is an
// *OutcomeUnknownError (ErrOutcomeUnknown) whose RequestID resumes the work with
// EnsureUpgradeWithRequestID, without risk of a second upgrade. Any other error (a
// *ValidationError before anything is sent, an *APIError, a transport error) is returned as
// the failing call gave it; a failure before the create means nothing was created.
func (c *Client) EnsureUpgrade(ctx context.Context, r UpgradeRequest) (*EnsureResult, error) {
	return c.ensure(ctx, "", r)
}

// EnsureUpgradeWithRequestID is EnsureUpgrade resuming an earlier call whose outcome was
// unknown: its creates carry requestID (the OutcomeUnknownError's RequestID, a GUID), so that
// the service recognises the earlier request. The eligibility check still comes first: if
// the earlier create took effect, its upgrade is returned as in place.
func (c *Client) EnsureUpgradeWithRequestID(ctx context.Context, requestID string, r UpgradeRequest) (*EnsureResult, error) {
	if !guid.Valid(requestID) {
		return nil, invalidInput("requestID", requestID, "must be a GUID in 8-4-4-4-12 form")
	}
	return c.ensure(ctx, requestID, r)
}

func (c *Client) ensure(ctx context.Context, requestID string, r UpgradeRequest) (*EnsureResult, error) {
	if _, err := r.body(); err != nil {
		return nil, err
	}
	e, err := c.CheckEligibility(ctx, r)
	if err != nil {
		return nil, err
	}
	if e.UpgradeID != "" {
		id, err := inPlaceID(e.UpgradeID)
		if err != nil {
			return nil, err
		}
		return &EnsureResult{UpgradeID: id}, nil
	}
	if !e.IsEligible {
		return nil, &NotEligibleError{CustomerID: r.CustomerID, ProductFamily: r.ProductFamily, Reason: e.Reason}
	}
	if requestID == "" {
		g, err := newGUID()
		if err != nil {
			return nil, err
		}
		requestID = g.String()
	}
	res := &EnsureResult{RequestID: requestID}
	for {
		u, err := c.createUpgrade(ctx, requestID, r)
		if err == nil {
			id, ok := guid.Normalize(u.ID)
			if !ok { // createUpgrade returns GUIDs only; never hand on an id that cannot be polled
				return nil, fmt.Errorf("productupgrades: %s: upgrade id %q is not a GUID: %w", OpCreateProductUpgrade, truncate(u.ID, maxShortField), ErrMalformedResponse)
			}
			res.UpgradeID, res.Created = id, true
			return res, nil
		}
		var unknown *OutcomeUnknownError
		if !errors.As(err, &unknown) {
			return c.refused(ctx, res, r, err)
		}
		res.Recovered = true
		if ctx.Err() != nil {
			return nil, err
		}
		id, rerr := c.Reconcile(ctx, r)
		switch {
		case rerr == nil:
			res.UpgradeID = id
			return res, nil
		case errors.Is(rerr, ErrMalformedResponse):
			// An upgrade is in place but its id cannot be polled: resending would not help.
			return nil, rerr
		case ctx.Err() != nil:
			return nil, err
		}
		// No upgrade visible (or the check failed): resending with the same MS-RequestId is
		// safe, since the service answers a repeated request id with the same upgrade.
		if res.Resends >= MaxEnsureResends {
			return nil, &OutcomeUnknownError{
				RequestID: unknown.RequestID, CorrelationID: unknown.CorrelationID, Tries: unknown.Tries,
				Err: fmt.Errorf("EnsureUpgrade gave up after %d resends (resume with EnsureUpgradeWithRequestID): %w", res.Resends, unknown.Err),
			}
		}
		res.Resends++
		if err := c.clock.sleep(ctx, c.retry.backoff(c.retry.MaxRetries+res.Resends, c.clock.jitter())); err != nil {
			return nil, unknown
		}
	}
}

// refused handles a create that was answered with an error and did not take effect.
func (c *Client) refused(ctx context.Context, res *EnsureResult, r UpgradeRequest, err error) (*EnsureResult, error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return nil, err
	}
	switch ae.Code {
	case CodeUpgradeInProgress, CodeUpgradeCompleted:
		if ae.UpgradeID != "" {
			if id, ok := guid.Normalize(ae.UpgradeID); ok {
				res.UpgradeID = id
				return res, nil
			}
		}
		id, rerr := c.Reconcile(ctx, r)
		if rerr == nil {
			res.UpgradeID = id
			return res, nil
		}
		if ae.Code == CodeUpgradeInProgress && errors.Is(rerr, ErrNoUpgradeInPlace) {
			return nil, &UpgradeInProgressError{CustomerID: r.CustomerID, ProductFamily: r.ProductFamily, Err: err}
		}
		return nil, err
	case codeCannotUpgrade:
		return nil, &NotEligibleError{CustomerID: r.CustomerID, ProductFamily: r.ProductFamily, Reason: ae.Description, Err: err}
	}
	return nil, err
}

// codeCannotUpgrade is the 403 of a create for a customer that cannot be upgraded.
const codeCannotUpgrade = "900120"

// inPlaceID normalises the upgradeId an eligibility check names.
func inPlaceID(s string) (string, error) {
	id, ok := guid.Normalize(s)
	if !ok {
		return "", fmt.Errorf("productupgrades: %s: upgradeId %q is not a GUID: %w",
			OpCheckProductUpgradeEligibility, truncate(sanitize(s, nil), maxShortField), ErrMalformedResponse)
	}
	return id, nil
}
