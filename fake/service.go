package fake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	slabs    [][]upgrade             // every upgrade, oldest first, in slabs that never move
	upgrades map[gen.Guid]*upgrade   // by id
	current  map[upgradeKey]*upgrade // the latest upgrade of a customer to a family
	creates  map[gen.Guid]*upgrade   // by the MS-RequestId of the create that made it
	families map[string]string       // the product families seen (as sent, and folded), interned

	// ops are the generated server's handlers of the operations, by operationId, for serve
	// to call once it has routed a request (see operationHandlers).
	ops map[string]http.HandlerFunc
}

// upgradeKey identifies the upgrades of a customer to a family; the service matches the
// family case-insensitively ("Azure", "azure"), so family is folded (see fold).
type upgradeKey struct {
	customer gen.Guid
	family   string
}

// fold is the spelling of a product family that upgradeKey compares.
func fold(family string) string { return strings.ToLower(strings.TrimSpace(family)) }

// upgrade is one upgrade the service holds. A fake may hold many, so it is small: the
// strings of its Upgrade are made when asked for, its family is interned, and whether it
// fails is looked up in the configured failures when it ends.
type upgrade struct {
	id, customer, requestID gen.Guid
	family                  string // as first sent
	created, finished       time.Time
	checks                  int32
	state                   upgradeState
}

type upgradeState uint8

const (
	inProgress upgradeState = iota
	completed
	failed
)

// String is the state as the API writes it (StatusInProgress, ...).
func (st upgradeState) String() string {
	return [...]string{StatusInProgress, StatusCompleted, StatusFailed}[st]
}

// slabSize is how many upgrades a slab holds: upgrades are allocated a slab at a time.
const slabSize = 256

// maxFamilies bounds the families interned; past it, each upgrade keeps its own copy.
const maxFamilies = 1024

var _ gen.StrictServerInterface = (*service)(nil)

func newService(cfg config) *service {
	s := &service{
		polls:      cfg.polls,
		failures:   cfg.failures,
		ineligible: cfg.ineligible,
		now:        time.Now,
		upgrades:   map[gen.Guid]*upgrade{},
		current:    map[upgradeKey]*upgrade{},
		creates:    map[gen.Guid]*upgrade{},
		families:   map[string]string{},
	}
	s.ops = operationHandlers(s)
	return s
}

// key is the upgradeKey of customer and family, its family interned. The caller holds s.mu.
func (s *service) key(customer gen.Guid, family string) upgradeKey {
	return upgradeKey{customer: customer, family: s.intern(fold(family))}
}

// intern returns the service's copy of family, so that the upgrades of a family share one.
// The caller holds s.mu.
func (s *service) intern(family string) string {
	if f, ok := s.families[family]; ok {
		return f
	}
	family = strings.Clone(family) // not a part of a request
	if len(s.families) < maxFamilies {
		s.families[family] = family
	}
	return family
}

// add keeps a new upgrade and returns it. The caller holds s.mu.
func (s *service) add(u upgrade) *upgrade {
	if n := len(s.slabs); n == 0 || len(s.slabs[n-1]) == slabSize {
		s.slabs = append(s.slabs, make([]upgrade, 0, slabSize))
	}
	slab := &s.slabs[len(s.slabs)-1]
	*slab = append(*slab, u)
	return &(*slab)[len(*slab)-1]
}

func (s *service) list() []Upgrade {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, slab := range s.slabs {
		n += len(slab)
	}
	out := make([]Upgrade, 0, n)
	for _, slab := range s.slabs {
		for i := range slab {
			out = append(out, slab[i].public())
		}
	}
	return out
}

// public is the upgrade as Upgrades shows it.
func (u *upgrade) public() Upgrade {
	return Upgrade{
		ID: u.id.String(), CustomerID: u.customer.String(), ProductFamily: u.family,
		Status: u.state.String(), StatusChecks: int(u.checks), RequestID: u.requestID.String(), Created: u.created,
	}
}

// CreateProductUpgrade starts an upgrade: 202 with its Location, or the service's refusal.
func (s *service) CreateProductUpgrade(_ context.Context, req gen.CreateProductUpgradeRequestObject) (gen.CreateProductUpgradeResponseObject, error) {
	body, problem := checkBody(req.Body)
	if problem != "" {
		return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeInvalidRequestInput, codeMessage(CodeInvalidRequestInput)+": "+problem)}}, nil
	}
	rid := req.Params.MSRequestId

	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.key(body.CustomerId, body.ProductFamily)
	// The idempotency promise: the same MS-RequestId gets the same answer and changes nothing.
	if u, ok := s.creates[rid]; ok {
		if s.key(u.customer, u.family) != k {
			return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
				Body: errorBody(CodeInvalidRequestInput, codeMessage(CodeInvalidRequestInput)+fmt.Sprintf(
					": MS-RequestId %s was already used by a create for another customer or product family", rid))}}, nil
		}
		return accepted(u), nil
	}
	if reason, ok := s.ineligible[body.CustomerId.String()]; ok {
		return gen.CreateProductUpgrade403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse{
			Body: errorBody(CodeCannotUpgrade, codeMessage(CodeCannotUpgrade)+": "+reason)}}, nil
	}
	if u := s.current[k]; u != nil {
		switch u.state {
		case inProgress:
			return gen.CreateProductUpgrade409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse{
				Body: errorBody(CodeUpgradeInProgress, codeMessage(CodeUpgradeInProgress, u.id.String()))}}, nil
		case completed:
			return gen.CreateProductUpgrade400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
				Body: errorBody(CodeUpgradeCompleted, codeMessage(CodeUpgradeCompleted, u.id.String()))}}, nil
		}
		// A failed upgrade does not block a new one.
	}
	id, err := guid.New()
	if err != nil {
		return nil, fmt.Errorf("fake: new upgrade id: %w", err)
	}
	u := s.add(upgrade{
		id: id, customer: body.CustomerId, requestID: rid, family: s.intern(body.ProductFamily),
		created: s.now().UTC(), state: inProgress,
	})
	s.upgrades[id] = u
	s.current[k] = u
	s.creates[rid] = u
	return accepted(u), nil
}

func accepted(u *upgrade) gen.CreateProductUpgrade202Response {
	return gen.CreateProductUpgrade202Response{Headers: gen.CreateProductUpgrade202ResponseHeaders{
		Location: "productUpgrades/" + u.id.String(),
	}}
}

// CheckProductUpgradeEligibility tells whether the customer may be upgraded, naming the
// upgrade in place if there is one.
func (s *service) CheckProductUpgradeEligibility(_ context.Context, req gen.CheckProductUpgradeEligibilityRequestObject) (gen.CheckProductUpgradeEligibilityResponseObject, error) {
	body, problem := checkBody(req.Body)
	if problem != "" {
		return gen.CheckProductUpgradeEligibility400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeInvalidRequestInput, codeMessage(CodeInvalidRequestInput)+": "+problem)}}, nil
	}
	family, customer := body.ProductFamily, body.CustomerId.String()
	out := gen.ProductUpgradesEligibility{CustomerId: &customer, ProductFamily: &family, IsEligible: true}

	s.mu.Lock()
	defer s.mu.Unlock()
	if reason, ok := s.ineligible[body.CustomerId.String()]; ok {
		out.IsEligible, out.Reason = false, &reason
	} else if u := s.current[s.key(body.CustomerId, family)]; u != nil && u.state != failed {
		id := u.id.String()
		reason := fmt.Sprintf("Upgrade %s is %s", id, map[upgradeState]string{inProgress: "in progress", completed: "completed"}[u.state])
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
			Body: errorBody(CodeInvalidRequestInput, codeMessage(CodeInvalidRequestInput)+": "+problem)}}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.upgrades[req.UpgradeId]
	if u == nil || (u.customer == body.CustomerId && fold(body.ProductFamily) != fold(u.family)) {
		return gen.CheckProductUpgradeStatus404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse{
			Body: errorBody(CodeUpgradeNotFound, codeMessage(CodeUpgradeNotFound))}}, nil
	}
	if u.customer != body.CustomerId {
		mapped := "none"
		if own := s.current[s.key(body.CustomerId, body.ProductFamily)]; own != nil {
			mapped = own.id.String()
		}
		return gen.CheckProductUpgradeStatus400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse{
			Body: errorBody(CodeUpgradeNotForCustomer, codeMessage(CodeUpgradeNotForCustomer, body.CustomerId.String(), mapped))}}, nil
	}
	u.checks++
	if u.state == inProgress && int(u.checks) > s.polls {
		u.finished = s.now().UTC()
		u.state = completed
		if _, fails := s.failures[u.customer.String()]; fails {
			u.state = failed
		}
	}
	var f failure
	if u.state == failed {
		f = s.failures[u.customer.String()]
	}
	return gen.CheckProductUpgradeStatus200JSONResponse{Body: u.status(f)}, nil
}

// status renders the upgrade as the API's ProductUpgradesStatus; f is its failure, when it
// failed.
func (u *upgrade) status(f failure) gen.ProductUpgradesStatus {
	src, dst := SourceProductID, TargetProductID
	srcName, dstName := SourceProductName, TargetProductName
	family, state := u.family, u.state.String()
	item := gen.UpgradesLineItem{
		SourceProduct: &gen.UpgradeProduct{Id: &src, Name: &srcName},
		TargetProduct: &gen.UpgradeProduct{Id: &dst, Name: &dstName},
		Status:        &state,
	}
	out := gen.ProductUpgradesStatus{Id: u.id.String(), ProductFamily: &family, Status: state}
	switch u.state {
	case completed:
		// As the docs' example writes it: UTC, 7 fractional digits, a Z.
		at := u.finished.UTC().Format("2006-01-02T15:04:05.0000000Z")
		item.UpgradedDate = &at
	case failed:
		var code gen.NullableErrorCode
		_ = code.FromNullableErrorCode0(f.code)
		msg := f.message
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
