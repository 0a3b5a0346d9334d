package fake_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

// A service's test runs its upgrade flow against the fake with the real client: eligibility,
// create, wait; then it looks at what the fake holds (Upgrades) and what it received
// (Requests). In a test, fake.Start(t, ...) does NewServer and Close in one line.
func Example() {
	srv, err := fake.NewServer(fake.WithPollsUntilComplete(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "any-token"})),
		client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	req := client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"}

	e, err := c.CheckEligibility(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("eligible:", e.IsEligible)

	u, err := c.CreateUpgrade(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := c.WaitForUpgrade(ctx, u.ID, req, &client.WaitOptions{
		Interval:   time.Millisecond,
		OnProgress: func(s *client.UpgradeStatus) { fmt.Println("status:", s.Status) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("done:", s.ID == u.ID, s.Status)
	fmt.Println("upgrades on the server:", len(srv.Upgrades()))
	for _, r := range srv.Requests() {
		fmt.Println(r.Operation, r.Status, r.Header.Get("Authorization"))
	}
	// Output:
	// eligible: true
	// status: InProgress
	// status: Completed
	// done: true Completed
	// upgrades on the server: 1
	// CheckProductUpgradeEligibility 200 Bearer <redacted>
	// CreateProductUpgrade 202 Bearer <redacted>
	// CheckProductUpgradeStatus 200 Bearer <redacted>
	// CheckProductUpgradeStatus 200 Bearer <redacted>
}

// A lost 202: the create takes effect, then the connection drops before the answer. The
// client's retry carries the same MS-RequestId, so the fake answers it with the same 202 and
// no second upgrade exists.
func ExampleServer_InjectFault() {
	srv, err := fake.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	if err := srv.InjectFault(fake.Fault{Kind: fake.FaultLoseResponse, Operation: fake.OpCreate}); err != nil {
		fmt.Println(err)
		return
	}

	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "any-token"})),
		client.WithRetry(client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, err := c.CreateUpgrade(context.Background(), client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Operation, "answered", r.Status, r.Header.Get("MS-RequestId") == u.RequestID)
	}
	ups := srv.Upgrades()
	fmt.Println("upgrades:", len(ups), "same id:", ups[0].ID == u.ID)
	// Output:
	// CreateProductUpgrade answered 0 true
	// CreateProductUpgrade answered 202 true
	// upgrades: 1 same id: true
}
