// Package pccodes is the one table of the Partner Center error codes the product-upgrade API
// answers with (error-codes.md, as quoted in the project's API reference): each code's number,
// HTTP status, Go-style name and documented message. The client's Code constants (strings,
// as found in APIError.Code) and the fake's (ints) are checked against it by this package's
// tests; the fake formats its error descriptions from its messages, and the table says where
// a description names an upgrade, which the client extracts into APIError.UpgradeID.
//
// The client links this package, so it imports nothing beyond the standard library (a test
// checks).
package pccodes

import (
	"net/http"
	"strconv"
	"strings"
)

// Code is one Partner Center error code.
type Code struct {
	// Number is the code as the service sends it in an error body's "code": 900109.
	Number int

	// Status is the HTTP status the docs pair the code with: 409.
	Status int

	// Name is the code's Go-style name; the client's and the fake's constants are "Code"
	// followed by it: UpgradeInProgress, CodeUpgradeInProgress.
	Name string

	// Message is the documented description, verbatim, with the service's placeholders {0},
	// {1} for the values it fills in: "This upgrade is not allowed as original upgrade {0} is
	// in progress".
	Message string

	// UpgradeID is the placeholder of Message that holds an upgrade id ("{0}", "{1}"), empty
	// when the message names no upgrade.
	UpgradeID string
}

// table holds every code of error-codes.md that concerns product upgrades, in ascending
// order. The rows for 900112 to 900114 are about purchases that an upgrade blocks; the service
// may still answer a product-upgrade call with them, and their texts name the upgrade.
var table = []Code{
	{800001, http.StatusUnauthorized, "TokenMissing", "Partner Token missing in request context", ""},
	{800002, http.StatusBadRequest, "InvalidRequestInput", "Invalid request input", ""},
	{800003, http.StatusInternalServerError, "UnexpectedError", "Unexpected service error", ""},
	{900105, http.StatusForbidden, "SuspendedSubscriptions", "You have one or more Azure subscriptions in the suspended state. These can't be transitioned to the Azure plan", ""},
	{900106, http.StatusNotFound, "UpgradeNotFound", "No upgrade request was found", ""},
	{900107, http.StatusBadRequest, "CatalogItemNotFound", "Cannot process Azure upgrade since Azure catalog item was not found", ""},
	{900108, http.StatusForbidden, "NoAzureSubscriptions", "Cannot process Azure upgrade since customer has no Azure subscriptions.", ""},
	{900109, http.StatusConflict, "UpgradeInProgress", "This upgrade is not allowed as original upgrade {0} is in progress", "{0}"},
	{900110, http.StatusBadRequest, "UpgradeCompleted", "Cannot process the upgrade request for completed upgrade {0}", "{0}"},
	{900111, http.StatusBadRequest, "UpgradeNotForCustomer", "The upgrade ID provided does not belong to customer {0}. The customer is mapped to upgrade Id {1}", "{1}"},
	{900112, http.StatusConflict, "PurchaseUpgradePending", "This purchase is not allowed as the upgrade request {0} is in pending state", "{0}"},
	{900113, http.StatusConflict, "PurchaseUpgradeInProgress", "This purchase is not allowed as the upgrade request {0} is in progress", "{0}"},
	{900114, http.StatusConflict, "PurchaseUpgradeFailed", "This purchase is not allowed as the upgrade request {0} failed", "{0}"},
	{900115, http.StatusForbidden, "ActiveSubscriptions", "Azure plan cannot be moved to suspended state since you have one or more Azure Subscriptions in the active state", ""},
	{900118, http.StatusBadRequest, "InvalidCustomerID", "Invalid Customer Id", ""},
	{900119, http.StatusForbidden, "PartnerSharedServices", "Cannot process Azure upgrade for Azure Partner Shared Services", ""},
	{900120, http.StatusForbidden, "CannotUpgrade", "Cannot process Azure upgrade", ""},
	{900130, http.StatusForbidden, "RecentPurchase", "One or more Azure subscriptions were purchased recently, these subscriptions cannot be transitioned at this time. Please try again later", ""},
}

// IDPosition says where an error description names an upgrade: the id is placeholder Arg of
// the Args placeholders of the code's message.
type IDPosition struct {
	Arg, Args int
}

// idPosition is where the description of code Number names an upgrade.
type idPosition struct {
	Number int
	IDPosition
}

// idPositions holds the codes whose message names an upgrade, in ascending order: few, so
// that a scan of them costs a few nanoseconds, no map and no allocation.
var idPositions = func() []idPosition {
	var out []idPosition
	for _, c := range table {
		if arg, ok := c.UpgradeIDArg(); ok {
			out = append(out, idPosition{c.Number, IDPosition{Arg: arg, Args: c.Placeholders()}})
		}
	}
	return out
}()

// All returns a copy of the table, in ascending order of Number.
func All() []Code { return append([]Code(nil), table...) }

// Lookup returns the code numbered n.
func Lookup(n int) (Code, bool) {
	for _, c := range table {
		if c.Number == n {
			return c, true
		}
	}
	return Code{}, false
}

// UpgradeIDAt returns where a description of the code (as text, "900109", the form of
// APIError.Code) names an upgrade; ok is false for a code whose message names none, for a
// code not in the table, and for any text but the code's decimal digits.
func UpgradeIDAt(code string) (pos IDPosition, ok bool) {
	if code == "" || len(code) > 9 || code[0] == '0' {
		return IDPosition{}, false
	}
	n := 0
	for i := 0; i < len(code); i++ {
		d := code[i]
		if d < '0' || d > '9' {
			return IDPosition{}, false
		}
		n = n*10 + int(d-'0')
	}
	for _, p := range idPositions {
		if p.Number >= n {
			return p.IDPosition, p.Number == n
		}
	}
	return IDPosition{}, false
}

// Format returns the message with placeholder {i} replaced by args[i]. A placeholder without
// an argument is left as it is.
func (c Code) Format(args ...string) string {
	if len(args) == 0 {
		return c.Message
	}
	var b strings.Builder
	rest := c.Message
	for {
		i, n, arg := nextPlaceholder(rest)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		if arg < len(args) {
			b.WriteString(args[arg])
		} else {
			b.WriteString(rest[i : i+n])
		}
		rest = rest[i+n:]
	}
}

// Placeholders returns how many placeholders the message has: one more than the highest i
// of a {i} in it.
func (c Code) Placeholders() int {
	count := 0
	for rest := c.Message; ; {
		i, n, arg := nextPlaceholder(rest)
		if i < 0 {
			return count
		}
		count = max(count, arg+1)
		rest = rest[i+n:]
	}
}

// UpgradeIDArg returns the index of the placeholder holding an upgrade id: 1 for "{1}".
func (c Code) UpgradeIDArg() (int, bool) {
	if c.UpgradeID == "" {
		return 0, false
	}
	i, n, arg := nextPlaceholder(c.UpgradeID)
	if i != 0 || n != len(c.UpgradeID) {
		return 0, false
	}
	return arg, true
}

// nextPlaceholder finds the first {i} in s (i one or more decimal digits): at byte at, n bytes
// long; at is -1 when there is none.
func nextPlaceholder(s string) (at, n, arg int) {
	for from := 0; ; {
		i := strings.IndexByte(s[from:], '{')
		if i < 0 {
			return -1, 0, 0
		}
		i += from
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '}' {
			if v, err := strconv.Atoi(s[i+1 : j]); err == nil {
				return i, j + 1 - i, v
			}
		}
		from = i + 1
	}
}
