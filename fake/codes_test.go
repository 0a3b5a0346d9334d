package fake_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/partnercenter-go/productupgrades/fake"
	"github.com/partnercenter-go/productupgrades/internal/pccodes"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// TestErrorDescriptionsFollowTheTable drives the fake into each service error it answers
// with and checks the description against the documented message in internal/pccodes:
// exactly, placeholders filled with the ids at hand, or, where the fake says why, the
// message followed by ": " or " (" and the detail. The status is the table's too.
func TestErrorDescriptionsFollowTheTable(t *testing.T) {
	t.Parallel()
	const customerC = "2a4f8b9e-6c1d-4e3f-9a7b-5d8c0e1f2a3b"
	const reason = "customer has no Azure subscriptions"
	srv := fake.Start(t, fake.WithPollsUntilComplete(0), fake.WithIneligible(customerC, reason))
	tr := testkit.NewSpecTransport(t, nil)
	create := func(customer string, headers ...string) reply {
		return raw(t, tr, srv, "/v1/productupgrades", requestBody(customer, "Azure"), headers...)
	}
	status := func(upgradeID, customer string) reply {
		return raw(t, tr, srv, "/v1/productUpgrades/"+upgradeID+"/status", requestBody(customer, "Azure"))
	}
	idOf := func(r reply) string {
		t.Helper()
		if r.status != http.StatusAccepted {
			t.Fatalf("create: status %d, want 202: %v", r.status, r.body)
		}
		return strings.TrimPrefix(r.header.Get("Location"), "productUpgrades/")
	}

	type check struct {
		name   string
		got    reply
		code   int
		args   []string // the placeholders' values: the description is exactly the message
		detail bool     // the description is the message, then the fake's detail
	}
	var checks []check

	// Customer A: an upgrade in progress (no status check yet), then a second create.
	rid := testkit.NewID()
	upA := idOf(create(customerA, "MS-RequestId", rid))
	checks = append(checks,
		check{name: "create while an upgrade runs", got: create(customerA), code: fake.CodeUpgradeInProgress, args: []string{upA}},
		check{name: "another customer's upgrade, none of its own", got: status(upA, customerB), code: fake.CodeUpgradeNotForCustomer, args: []string{customerB, "none"}},
		check{name: "unknown upgrade", got: status(testkit.NewID(), customerA), code: fake.CodeUpgradeNotFound},
		check{name: "MS-RequestId reused for another customer", got: create(customerB, "MS-RequestId", rid), code: fake.CodeInvalidRequestInput, detail: true},
		check{name: "ineligible customer", got: create(customerC), code: fake.CodeCannotUpgrade, detail: true},
		check{name: "no token", got: create(customerA, "Authorization", "-"), code: fake.CodeTokenMissing, detail: true},
		check{name: "request breaks the spec", got: create("not-a-guid"), code: fake.CodeInvalidRequestInput, detail: true},
	)
	// Customer B: an upgrade that completes at its first check, then a second create.
	upB := idOf(create(customerB))
	if r := status(upB, customerB); r.body["status"] != "Completed" {
		t.Fatalf("status of %s: %v, want Completed", upB, r.body)
	}
	checks = append(checks,
		check{name: "create after the upgrade completed", got: create(customerB), code: fake.CodeUpgradeCompleted, args: []string{upB}},
		check{name: "another customer's upgrade, mapped to its own", got: status(upA, customerB), code: fake.CodeUpgradeNotForCustomer, args: []string{customerB, upB}},
	)

	for _, c := range checks {
		tc, ok := pccodes.Lookup(c.code)
		if !ok {
			t.Fatalf("%s: code %d is not in the table", c.name, c.code)
		}
		if c.got.code() != float64(c.code) || c.got.status != tc.Status {
			t.Errorf("%s: status %d, code %v; want %d, %d", c.name, c.got.status, c.got.body["code"], tc.Status, c.code)
		}
		desc, msg := c.got.description(), tc.Format(c.args...)
		if c.detail {
			if !strings.HasPrefix(desc, msg+": ") && !(strings.HasPrefix(desc, msg+" (") && strings.HasSuffix(desc, ")")) {
				t.Errorf("%s: description %q is not %q followed by \": \" or \" (\" and a detail", c.name, desc, msg)
			}
		} else if desc != msg {
			t.Errorf("%s: description\n%q, want\n%q (internal/pccodes, code %d)", c.name, desc, msg, c.code)
		}
	}
}
