package fake_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
	"github.com/partnercenter-go/productupgrades/fake"
)

// A soak of an upgrade flow: the fake fails 30% of the requests at random (throttled, 5xx,
// delayed, or answered and then lost), the same ones on every run since the seed is fixed,
// and the flow must still end with exactly one upgrade per customer. The client waits for a
// 1-second Retry-After (MaxDelay is a second); a create whose outcome stays unknown is
// resumed with its MS-RequestId, never resent with a new one.
func ExampleWithChaos() {
	srv, err := fake.NewServer(fake.WithChaos(1, 0.3), fake.WithPollsUntilComplete(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c, err := client.New(
		client.WithBaseURL(srv.URL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "any-token"})),
		client.WithRetry(client.RetryPolicy{MaxRetries: 5, BaseDelay: time.Millisecond, MaxDelay: time.Second}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	customers := []string{
		"4c721420-72ad-4708-a0a7-371a2f7b0969",
		"c1958bc7-3284-4952-a257-de594ee64743",
		"0b1d7b2e-5b5e-4c43-9a53-4b1f0f3e8a11",
	}
	for _, customer := range customers {
		req := client.UpgradeRequest{CustomerID: customer, ProductFamily: "Azure"}
		res, err := c.EnsureUpgrade(ctx, req)
		var unknown *client.OutcomeUnknownError
		for resumes := 0; errors.As(err, &unknown) && resumes < 3; resumes++ {
			res, err = c.EnsureUpgradeWithRequestID(ctx, unknown.RequestID, req)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		s, err := c.WaitForUpgrade(ctx, res.UpgradeID, req, &client.WaitOptions{Interval: time.Millisecond})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(customer[:8], s.Status)
	}

	fmt.Println("upgrades:", len(srv.Upgrades()))
	total := 0
	for _, n := range srv.ChaosCounts() {
		total += n
	}
	fmt.Println("chaos injected faults:", total > 0, total == len(srv.ChaosFaults()))
	// Output:
	// 4c721420 Completed
	// c1958bc7 Completed
	// 0b1d7b2e Completed
	// upgrades: 3
	// chaos injected faults: true true
}
