package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultPollInterval is the wait between two status checks unless WaitOptions says otherwise.
const DefaultPollInterval = 15 * time.Second

// WaitOptions tunes WaitForUpgrade. A nil *WaitOptions means the defaults.
type WaitOptions struct {
	// Interval is the wait between two status checks. Default DefaultPollInterval. A
	// Retry-After on a status response makes the next wait at least that long.
	Interval time.Duration
	// OnProgress, when set, is called with every status read, the final one included, in the
	// goroutine that called WaitForUpgrade.
	OnProgress func(*UpgradeStatus)
}

// WaitForUpgrade checks the status of upgrade upgradeID of r at once and then every
// interval, until the upgrade reaches a terminal status or ctx ends.
//
//   - Completed (any casing): the status and a nil error.
//   - Failed, Failure, Error, Cancelled, Canceled, Aborted or Rejected (any casing): the
//     status and an *UpgradeFailedError (ErrUpgradeFailed) carrying its ErrorDetails.
//   - Any other status (InProgress, Pending, …): still running; wait and check again.
//
// Each check is a CheckStatus with its own retries. A throttled or busy check whose
// Retry-After exceeded the retry policy's MaxDelay (an *APIError with RetryAfter) is not
// fatal: WaitForUpgrade waits as asked and checks again. Any other error ends the wait, a
// 404 "No upgrade request was found" (code 900106, IsUpgradeNotFound) included. When ctx
// ends, the error wraps ctx.Err() and the last status read is returned with it.
func (c *Client) WaitForUpgrade(ctx context.Context, upgradeID string, r UpgradeRequest, o *WaitOptions) (*UpgradeStatus, error) {
	var opts WaitOptions
	if o != nil {
		opts = *o
	}
	if opts.Interval < 0 {
		return nil, invalidInput("WaitOptions.Interval", opts.Interval.String(), "must not be negative")
	}
	if opts.Interval == 0 {
		opts.Interval = DefaultPollInterval
	}
	if !isGUID(upgradeID) {
		return nil, invalidInput("upgradeID", upgradeID, "must be a GUID in 8-4-4-4-12 form")
	}
	if _, err := r.body(); err != nil {
		return nil, err
	}
	var last *UpgradeStatus
	for checks := 1; ; checks++ {
		s, ra, err := c.checkStatus(ctx, upgradeID, r)
		wait := opts.Interval
		switch {
		case err == nil:
			last = s
			if opts.OnProgress != nil {
				opts.OnProgress(s)
			}
			if s.Succeeded() {
				return s, nil
			}
			if s.Failed() {
				return s, &UpgradeFailedError{UpgradeID: upgradeID, Status: s.Status, ErrorDetails: s.ErrorDetails}
			}
		case ctx.Err() != nil:
			return last, fmt.Errorf("productupgrades: WaitForUpgrade %s: %w", upgradeID, err)
		default:
			var ae *APIError
			if !errors.As(err, &ae) || !ae.Retryable() || ae.RetryAfter <= 0 {
				return last, fmt.Errorf("productupgrades: WaitForUpgrade %s, check %d: %w", upgradeID, checks, err)
			}
			ra = ae.RetryAfter
		}
		if ra > wait {
			wait = ra
		}
		if err := c.clock.sleep(ctx, wait); err != nil {
			status := "none"
			if last != nil {
				status = fmt.Sprintf("%q", last.Status)
			}
			return last, fmt.Errorf("productupgrades: WaitForUpgrade %s: last status %s after %d checks: %w", upgradeID, status, checks, err)
		}
	}
}
