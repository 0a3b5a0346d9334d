package fake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

// Upgrade statuses the fake reports.
const (
	StatusInProgress = "InProgress"
	StatusCompleted  = "Completed"
	StatusFailed     = "Failed"
)

// The products of the line item every upgrade has: the legacy subscription and the Azure
// plan, with the ids of the docs' status example.
const (
	SourceProductID   = "b1beb621-3cad-4d7a-b360-62db33ce028e"
	SourceProductName = "AzureSubscription"
	TargetProductID   = "d231908e-31c1-de0e-027b-bc5ce11f09d9"
	TargetProductName = "Microsoft Azure plan"
)

// Upgrade is an upgrade the server holds, as Upgrades returns it.
type Upgrade struct {
	// ID is the upgrade id, as in the create's Location.
	ID string
	// CustomerID and ProductFamily are the create's (the family as first sent).
	CustomerID, ProductFamily string
	// Status is StatusInProgress, StatusCompleted or StatusFailed.
	Status string
	// StatusChecks counts the status requests answered for it.
	StatusChecks int
	// RequestID is the MS-RequestId of the create that made it.
	RequestID string
	// Created is when it was created.
	Created time.Time
}

// service is the upgrade state machine; it implements the generated strict server.
type service struct {
	polls      int
	failures   map[string]failure
	ineligible map[string]string
	now        func() time.Time

	mu       sync.Mutex
	upgrades map[gen.Guid]*upgrade
	order    []*upgrade
	current  map[string]*upgrade   // by key(customer, family): the latest upgrade
	creates  map[gen.Guid]*upgrade // by the MS-RequestId of the create that made it
}

type upgrade struct {
	Upgrade
	id        gen.Guid
	customer  gen.Guid
	key       string
	finished  time.Time
	failure   *failure
	requestID gen.Guid
}

var _ gen.StrictServerInterface = (*service)(nil)

func newService(cfg config) *service {
	return &service{
		polls:      cfg.polls,
		failures:   cfg.failures,
		ineligible: cfg.ineligible,
		now:        time.Now,
		upgrades:   map[gen.Guid]*upgrade{},
		current:    map[string]*upgrade{},
		creates:    map[gen.Guid]*upgrade{},
	}
}

// key identifies the upgrades of a customer to a family; the service matches the family
// case-insensitively ("Azure", "azure").
func key(customer gen.Guid, family string) string {
	return customer.String() + "|" + strings.ToLower(strings.TrimSpace(family))
}

func (s *service) list() []Upgrade {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upgrade, len(s.order))
	for i, u := range s.order {
		out[i] = u.Upgrade
	}
	return out
}

// CreateProductUpgrade starts an upgrade: 202 with its Location, or the service's refusal.
func (s *service) CreateProductUpgrade(_ context.Context, req gen.CreateProductUpgradeRequestObject) (gen.CreateProductUpgradeResponseObject, error) {
	body, problem := checkBody(req.Body)
	if problem != "" {
		return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeInvalidRequestInput, "Invalid request input: "+problem)}}, nil
	}
	k := key(body.CustomerId, body.ProductFamily)
	rid := req.Params.MSRequestId

	s.mu.Lock()
	defer s.mu.Unlock()
	// The idempotency promise: the same MS-RequestId gets the same answer and changes nothing.
	if u, ok := s.creates[rid]; ok {
		if u.key != k {
			return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
				Body: errorBody(CodeInvalidRequestInput, fmt.Sprintf(
					"Invalid request input: MS-RequestId %s was already used by a create for another customer or product family", rid))}}, nil
		}
		return accepted(u), nil
	}
	if reason, ok := s.ineligible[body.CustomerId.String()]; ok {
		return gen.CreateProductUpgrade403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse{
			Body: errorBody(CodeCannotUpgrade, "Cannot process Azure upgrade: "+reason)}}, nil
	}
	if u := s.current[k]; u != nil {
		switch u.Status {
		case StatusInProgress:
			return gen.CreateProductUpgrade409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse{
				Body: errorBody(CodeUpgradeInProgress, fmt.Sprintf("This upgrade is not allowed as original upgrade %s is in progress", u.ID))}}, nil
		case StatusCompleted:
			return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
				Body: errorBody(CodeUpgradeCompleted, fmt.Sprintf("Cannot process the upgrade request for completed upgrade %s", u.ID))}}, nil
		}
		// A failed upgrade does not block a new one.
	}
	id, err := guid.New()
	if err != nil {
		return nil, fmt.Errorf("fake: new upgrade id: %w", err)
	}
	u := &upgrade{
		Upgrade: Upgrade{
			ID: id.String(), CustomerID: body.CustomerId.String(), ProductFamily: body.ProductFamily,
			Status: StatusInProgress, RequestID: rid.String(), Created: s.now().UTC(),
		},
		id: id, customer: body.CustomerId, key: k, requestID: rid,
	}
	if f, ok := s.failures[u.CustomerID]; ok {
		u.failure = &f
	}
	s.upgrades[id] = u
	s.order = append(s.order, u)
	s.current[k] = u
	s.creates[rid] = u
	return accepted(u), nil
}

func accepted(u *upgrade) gen.CreateProductUpgrade202Response {
	return gen.CreateProductUpgrade202Response{Headers: gen.CreateProductUpgrade202ResponseHeaders{
		Location: "productUpgrades/" + u.ID,
	}}
}

// CheckProductUpgradeEligibility tells whether the customer may be upgraded, naming the
// upgrade in place if there is one.
func (s *service) CheckProductUpgradeEligibility(_ context.Context, req gen.CheckProductUpgradeEligibilityRequestObject) (gen.CheckProductUpgradeEligibilityResponseObject, error) {
	body, problem := checkBody(req.Body)
	if problem != "" {
		return gen.CheckProductUpgradeEligibility400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeInvalidRequestInput, "Invalid request input: "+problem)}}, nil
	}
	family, customer := body.ProductFamily, body.CustomerId.String()
	out := gen.ProductUpgradesEligibility{CustomerId: &customer, ProductFamily: &family, IsEligible: true}

	s.mu.Lock()
	defer s.mu.Unlock()
	if reason, ok := s.ineligible[body.CustomerId.String()]; ok {
		out.IsEligible, out.Reason = false, &reason
	} else if u := s.current[key(body.CustomerId, family)]; u != nil && u.Status != StatusFailed {
		id := u.ID
		reason := fmt.Sprintf("Upgrade %s is %s", u.ID, map[string]string{StatusInProgress: "in progress", StatusCompleted: "completed"}[u.Status])
		out.IsEligible, out.UpgradeId, out.Reason = false, &id, &reason
	}
	return gen.CheckProductUpgradeEligibility200JSONResponse{Body: out}, nil
}

// CheckProductUpgradeStatus reports an upgrade: InProgress for the configured number of
// checks, then its end.
func (s *service) CheckProductUpgradeStatus(_ context.Context, req gen.CheckProductUpgradeStatusRequestObject) (gen.CheckProductUpgradeStatusResponseObject, error) {
	body, problem := checkBody(req.Body)
	if problem != "" {
		return gen.CheckProductUpgradeStatus400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeInvalidRequestInput, "Invalid request input: "+problem)}}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.upgrades[req.UpgradeId]
	if u == nil || (u.customer == body.CustomerId && key(u.customer, body.ProductFamily) != u.key) {
		return gen.CheckProductUpgradeStatus404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{
			Body: errorBody(CodeUpgradeNotFound, "No upgrade request was found")}}, nil
	}
	if u.customer != body.CustomerId {
		mapped := "none"
		if own := s.current[key(body.CustomerId, body.ProductFamily)]; own != nil {
			mapped = own.ID
		}
		return gen.CheckProductUpgradeStatus400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeUpgradeNotForCustomer, fmt.Sprintf(
				"The upgrade ID provided does not belong to customer %s. The customer is mapped to upgrade Id %s", body.CustomerId, mapped))}}, nil
	}
	u.StatusChecks++
	if u.Status == StatusInProgress && u.StatusChecks > s.polls {
		u.finished = s.now().UTC()
		u.Status = StatusCompleted
		if u.failure != nil {
			u.Status = StatusFailed
		}
	}
	return gen.CheckProductUpgradeStatus200JSONResponse{Body: u.status()}, nil
}

// status renders the upgrade as the API's ProductUpgradesStatus.
func (u *upgrade) status() gen.ProductUpgradesStatus {
	src, dst := SourceProductID, TargetProductID
	srcName, dstName := SourceProductName, TargetProductName
	family, state := u.ProductFamily, u.Status
	item := gen.UpgradesLineItem{
		SourceProduct: &gen.UpgradeProduct{Id: &src, Name: &srcName},
		TargetProduct: &gen.UpgradeProduct{Id: &dst, Name: &dstName},
		Status:        &state,
	}
	out := gen.ProductUpgradesStatus{Id: u.ID, ProductFamily: &family, Status: u.Status}
	switch u.Status {
	case StatusCompleted:
		// As the docs' example writes it: UTC, 7 fractional digits, a Z.
		at := u.finished.UTC().Format("2006-01-02T15:04:05.0000000Z")
		item.UpgradedDate = &at
	case StatusFailed:
		var code gen.NullableErrorCode
		_ = code.FromNullableErrorCode0(u.failure.code)
		msg := u.failure.message
		details := &gen.ErrorDetails{Code: &code, Message: &msg}
		out.ErrorDetails, item.ErrorDetails = details, details
	}
	out.LineItems = &[]gen.UpgradesLineItem{item}
	return out
}

// checkBody returns the request body, or what is wrong with it. The spec validation finds
// the same; this keeps the state machine sound without it.
func checkBody(b *gen.ProductUpgradeRequest) (gen.ProductUpgradeRequest, string) {
	switch {
	case b == nil:
		return gen.ProductUpgradeRequest{}, "no body"
	case b.CustomerId == (gen.Guid{}):
		return *b, "customerId is missing or the nil GUID"
	case strings.TrimSpace(b.ProductFamily) == "":
		return *b, "productFamily is empty"
	}
	return *b, ""
}

// The fake's GUIDs come from internal/guid, the module's one implementation; newGUID and
// parseGUID adapt it to the fake's callers.

// newGUID returns a random (version 4) GUID, for the ids the fake makes up when a request
// has none. Should the random source fail (Go's crypto/rand never does: it stops the process
// instead), it returns the nil GUID; a new upgrade's id is made with guid.New, whose error
// fails the request.
func newGUID() gen.Guid {
	g, err := guid.New()
	if err != nil {
		return gen.Guid{}
	}
	return g
}

var errNotGUID = errors.New("not a GUID in 8-4-4-4-12 form")

// parseGUID reads a GUID in its 8-4-4-4-12 form, any case.
func parseGUID(s string) (gen.Guid, error) {
	g, ok := guid.Parse(s)
	if !ok {
		return g, errNotGUID
	}
	return g, nil
}
