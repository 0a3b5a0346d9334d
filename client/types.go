package client

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/partnercenter-go/productupgrades/gen"
)

// UpgradeRequest names the customer and the product family of an upgrade; it is the body of
// all three operations. CustomerID is the customer's tenant id, a GUID. ProductFamily is the
// family to upgrade to: "Azure" (the Azure plan) is the only documented value, matched
// case-insensitively by the service.
type UpgradeRequest struct {
	CustomerID    string
	ProductFamily string
}

// Upgrade is an accepted create: the upgrade ID parsed from the Location header, the raw
// Location, and the request and correlation ids of the call.
type Upgrade struct {
	ID            string
	Location      string
	RequestID     string
	CorrelationID string
}

// Eligibility tells whether a customer can be upgraded to a product family. When an upgrade
// for the family is already in place, UpgradeID names it (this is how a lost create response
// is recovered; see Reconcile). Reason says why a customer is not eligible.
type Eligibility struct {
	CustomerID    string
	ProductFamily string
	IsEligible    bool
	UpgradeID     string
	Reason        string
}

// UpgradeStatus is the state of an upgrade and of each of its line items. Status is an open
// string: only "Completed" is documented; see Succeeded and Failed.
type UpgradeStatus struct {
	ID            string
	ProductFamily string
	Status        string
	LineItems     []LineItem
	ErrorDetails  *ErrorDetails
}

// LineItem is the upgrade of one subscription: from SourceProduct to TargetProduct.
// UpgradedDate is zero until the line item is upgraded.
type LineItem struct {
	SourceProduct Product
	TargetProduct Product
	UpgradedDate  time.Time
	Status        string
	ErrorDetails  *ErrorDetails
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

// failureStatuses are the words taken as a terminal failure. The docs list no status values;
// their error texts speak of upgrades "failed", and these are the other unambiguous ones.
var failureStatuses = []string{"failed", "failure", "error", "cancelled", "canceled", "aborted", "rejected"}

// Succeeded reports whether the upgrade completed ("Completed", any casing).
func (s *UpgradeStatus) Succeeded() bool {
	return s != nil && strings.EqualFold(strings.TrimSpace(s.Status), "Completed")
}

// Failed reports whether the upgrade ended in failure: Failed, Failure, Error, Cancelled,
// Canceled, Aborted or Rejected, any casing.
func (s *UpgradeStatus) Failed() bool {
	if s == nil {
		return false
	}
	st := strings.TrimSpace(s.Status)
	for _, f := range failureStatuses {
		if strings.EqualFold(st, f) {
			return true
		}
	}
	return false
}

// Done reports whether the upgrade reached a terminal status; any status that is neither a
// success nor a failure (InProgress, Pending, …) means it is still running.
func (s *UpgradeStatus) Done() bool { return s.Succeeded() || s.Failed() }

func guidString(g *gen.Guid) string {
	if g == nil {
		return ""
	}
	return g.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func eligibilityFrom(e *gen.ProductUpgradesEligibility, r UpgradeRequest) *Eligibility {
	out := &Eligibility{
		CustomerID:    guidString(e.CustomerId),
		ProductFamily: deref(e.ProductFamily),
		IsEligible:    e.IsEligible,
		UpgradeID:     guidString(e.UpgradeId),
		Reason:        deref(e.Reason),
	}
	if out.CustomerID == "" {
		out.CustomerID = r.CustomerID
	}
	if out.ProductFamily == "" {
		out.ProductFamily = r.ProductFamily
	}
	return out
}

func statusFrom(s *gen.ProductUpgradesStatus) *UpgradeStatus {
	out := &UpgradeStatus{
		ProductFamily: deref(s.ProductFamily),
		Status:        s.Status,
		ErrorDetails:  errorDetailsFrom(s.ErrorDetails),
	}
	if s.Id != (gen.Guid{}) {
		out.ID = s.Id.String()
	}
	if s.LineItems != nil {
		out.LineItems = make([]LineItem, 0, len(*s.LineItems))
		for _, li := range *s.LineItems {
			item := LineItem{
				SourceProduct: productFrom(li.SourceProduct),
				TargetProduct: productFrom(li.TargetProduct),
				Status:        deref(li.Status),
				ErrorDetails:  errorDetailsFrom(li.ErrorDetails),
			}
			if li.UpgradedDate != nil {
				item.UpgradedDate = *li.UpgradedDate
			}
			out.LineItems = append(out.LineItems, item)
		}
	}
	return out
}

func productFrom(p *gen.UpgradeProduct) Product {
	if p == nil {
		return Product{}
	}
	return Product{ID: guidString(p.Id), Name: deref(p.Name)}
}

func errorDetailsFrom(d *gen.ErrorDetails) *ErrorDetails {
	if d == nil {
		return nil
	}
	out := &ErrorDetails{Message: deref(d.Message)}
	if out.Message == "" {
		out.Message = deref(d.Description)
	}
	if d.Code != nil {
		out.Code = codeText(*d.Code)
	}
	return out
}

// codeText reads the service's error code whether it came as a JSON string or a number
// (the docs type it as a string, every real example sends a number).
func codeText(c gen.ErrorCode) string {
	raw, err := c.MarshalJSON()
	if err != nil || len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if s, err := c.AsErrorCode0(); err == nil {
		return truncate(sanitize(s, ""), maxShortField)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return truncate(n.String(), maxShortField) // a hostile server may send 2,000 digits
	}
	return truncate(sanitize(string(raw), ""), maxShortField)
}
