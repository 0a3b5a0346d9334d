package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/internal/guid"
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
//   - Completed, Complete, Succeeded or Success (any casing): the status and a nil error.
//   - A failure (see UpgradeStatus.Failed: Failed, Failure, Error, Cancelled, Canceled,
//     Aborted, Rejected, a partial completion; any casing): the status and an
//     *UpgradeFailedError (ErrUpgradeFailed) carrying its ErrorDetails.
//   - Any other status (InProgress, Pending, …): still running; wait and check again. A value
//     the client does not know (UpgradeStatus.Known is false) is treated the same, passed to
//     OnProgress, and logged once as a warning (WithLogger).
//
// Each check is a CheckStatus with its own retries. A throttled or busy check whose
// Retry-After exceeded the retry policy's MaxDelay (an *APIError with RetryAfter) is not
// fatal: WaitForUpgrade waits and checks again. A Retry-After, on a status or on an error,
// lengthens a wait to at most the retry policy's MaxDelay, never more, so that a server
// asking for a year cannot hang the wait (a shortened wait is logged as a warning); repeated
// throttled checks back off exponentially up to MaxDelay. Any other error ends the wait, a
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
	if !guid.Valid(upgradeID) {
		return nil, invalidInput("upgradeID", upgradeID, "must be a GUID in 8-4-4-4-12 form")
	}
	if _, err := r.body(); err != nil {
		return nil, err
	}
	var (
		last     *UpgradeStatus
		throttle time.Duration // the last wait after a throttled check, doubled on the next
	)
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
		if ra > c.retry.MaxDelay {
			c.warn(ctx, "productupgrades: Retry-After longer than the retry policy's MaxDelay; waiting MaxDelay",
				slog.String("upgrade_id", upgradeID), slog.Duration("retry_after", ra), slog.Duration("max_delay", c.retry.MaxDelay))
			ra = c.retry.MaxDelay
		}
		if err != nil {
			// Throttled again: back off exponentially, Retry-After the floor, MaxDelay the cap.
			ra = max(ra, min(2*throttle, c.retry.MaxDelay))
			throttle = ra
		} else {
			throttle = 0
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

// maxSeenStatuses bounds the unknown status values remembered for warn-once, so that a
// server sending a new value every time cannot grow the client's memory.
const maxSeenStatuses = 64

// seenStatuses remembers the unknown status values already logged.
type seenStatuses struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// first reports whether v is seen for the first time (and remembers it while there is room).
func (s *seenStatuses) first(v string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return false
	}
	if s.seen == nil {
		s.seen = make(map[string]struct{})
	}
	if len(s.seen) < maxSeenStatuses {
		s.seen[v] = struct{}{}
	}
	return true
}

// warnUnknownStatus logs, once per value and client, a status value the client does not know.
func (c *Client) warnUnknownStatus(ctx context.Context, upgradeID, status string) {
	if c.logger == nil {
		return
	}
	v := truncate(sanitize(status, nil), maxShortField)
	if !c.seen.first(statusKey(v)) {
		return
	}
	c.warn(ctx, "productupgrades: unknown upgrade status value; still polling",
		slog.String("status", v), slog.String("upgrade_id", upgradeID))
}

// warn writes a warning when a logger is set.
func (c *Client) warn(ctx context.Context, msg string, attrs ...slog.Attr) {
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
	}
}
