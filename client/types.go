package client

import (
	"strings"
	"time"
)

// UpgradeRequest names the customer and the product family of an upgrade; it is the body of
// all three operations. CustomerID is the customer's tenant id, a GUID. ProductFamily is the
// family to upgrade to: "Azure" (the Azure plan) is the only documented value, matched
// case-insensitively by the service.
type UpgradeRequest struct {
	CustomerID    string
	ProductFamily string
}

// Upgrade is an accepted create: the upgrade ID parsed from the Location header (or, when
// that is unusable, read from the 202's JSON body), the Location as sent (without the access
// token, should a server have echoed it), and the request and correlation ids of the call.
type Upgrade struct {
	ID            string
	Location      string
	RequestID     string
	CorrelationID string
}

// Eligibility tells whether a customer can be upgraded to a product family. When an upgrade
// for the family is already in place, UpgradeID names it (this is how a lost create response
// is recovered; see Reconcile): the id as the service wrote it, "" when it sent none, an empty
// one or the nil GUID. Reason says why a customer is not eligible. CustomerID and
// ProductFamily fall back to the request's when the body has none.
type Eligibility struct {
	CustomerID    string
	ProductFamily string
	IsEligible    bool
	UpgradeID     string
	Reason        string
}

// UpgradeStatus is the state of an upgrade and of each of its line items. Status is an open
// string: only "Completed" is documented; see Succeeded, Failed and Known. ID is the id the
// service sent, as written, or the upgrade asked for when the body names none. Every id is
// text of any shape: the SDKs type ids as strings, and the docs' own product id is not an
// RFC 4122 UUID; "" and the nil GUID mean the service sent none.
type UpgradeStatus struct {
	ID            string
	ProductFamily string
	Status        string
	LineItems     []LineItem
	ErrorDetails  *ErrorDetails
}

// LineItem is the upgrade of one subscription: from SourceProduct to TargetProduct.
// UpgradedDate is the upgradedDate in UTC, read from RFC 3339 or from the zone-less forms
// .NET writes ("2019-08-29T23:47:28.8524555", taken as UTC); it is zero until the line item
// is upgraded ("", null, .NET's "0001-01-01T00:00:00") and when the text is in no known
// form. UpgradedDateRaw is the text as the service sent it.
type LineItem struct {
	SourceProduct   Product
	TargetProduct   Product
	UpgradedDate    time.Time
	UpgradedDateRaw string
	Status          string
	ErrorDetails    *ErrorDetails
}

// Product is a product taking part in an upgrade.
type Product struct {
	ID   string
	Name string
}

// ErrorDetails says why an upgrade or a line item failed. Message holds the service's
// "message" or, as the SDKs name it, "description".
type ErrorDetails struct {
	Code    string
	Message string
}

// The status vocabulary. The docs show only "Completed"; the API runs on the Transfers
// service, whose docs and examples show Active, Complete, PartiallyComplete and Reject; the
// error texts speak of upgrades "in progress", "pending", "completed" and "failed"; .NET
// services commonly write Succeeded. Values are compared ignoring case, spaces, '-' and '_'.
var (
	// successStatuses end a wait successfully.
	successStatuses = []string{"completed", "complete", "succeeded", "success"}
	// failureStatuses end a wait with ErrUpgradeFailed. A partial completion is terminal but
	// not a success: some line items were not upgraded.
	failureStatuses = []string{"failed", "failure", "error", "cancelled", "canceled", "aborted",
		"rejected", "reject", "partiallycomplete", "partiallycompleted", "partiallysucceeded"}
	// runningStatuses are the known values of an upgrade still under way.
	runningStatuses = []string{"inprogress", "pending", "notstarted", "started", "running", "queued",
		"accepted", "active", "processing", "created", "submitted", "scheduled", "upgrading", "new"}
)

// statusKey folds a status value for comparison: lowercase, without spaces, '-' and '_'.
func statusKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '_' || r == '\t':
			return -1
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

func statusIn(s string, list []string) bool {
	k := statusKey(s)
	for _, v := range list {
		if k == v {
			return true
		}
	}
	return false
}

// Succeeded reports whether the upgrade completed: Completed, Complete, Succeeded or
// Success, in any casing.
func (s *UpgradeStatus) Succeeded() bool {
	return s != nil && statusIn(s.Status, successStatuses)
}

// Failed reports whether the upgrade ended in failure: Failed, Failure, Error, Cancelled,
// Canceled, Aborted, Rejected, Reject or a partial completion (PartiallyComplete,
// PartiallyCompleted, PartiallySucceeded), in any casing.
func (s *UpgradeStatus) Failed() bool {
	return s != nil && statusIn(s.Status, failureStatuses)
}

// Done reports whether the upgrade reached a terminal status; any status that is neither a
// success nor a failure (InProgress, Pending, an unknown value, …) means it is still running.
func (s *UpgradeStatus) Done() bool { return s.Succeeded() || s.Failed() }

// Known reports whether Status is a value the client recognises: a success, a failure, or
// one of the values of an upgrade under way (InProgress, Pending, NotStarted, Running,
// Queued, Active, …). WaitForUpgrade keeps polling on an unknown value, passes it to
// OnProgress, and logs it once as a warning, so that a new word from the service is seen.
func (s *UpgradeStatus) Known() bool {
	return s != nil && (s.Done() || statusIn(s.Status, runningStatuses))
}
