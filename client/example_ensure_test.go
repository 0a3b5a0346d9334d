package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/partnercenter-go/productupgrades/client"
)

// The safe path in one call: EnsureUpgrade checks eligibility, creates the upgrade only when
// none is in place, and recovers a lost answer without a second upgrade; then wait for it.
func ExampleClient_EnsureUpgrade() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)
	ctx := context.Background()
	req := client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"}

	res, err := c.EnsureUpgrade(ctx, req)
	var (
		notEligible *client.NotEligibleError
		unknown     *client.OutcomeUnknownError
	)
	switch {
	case errors.As(err, &notEligible):
		log.Fatalf("not eligible: %s", notEligible.Reason)
	case errors.As(err, &unknown):
		// Keep unknown.RequestID: EnsureUpgradeWithRequestID resumes without a second upgrade.
		log.Fatalf("outcome unknown; resume with request id %s", unknown.RequestID)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("upgrade:", res.UpgradeID, "created:", res.Created)

	s, err := c.WaitForUpgrade(ctx, res.UpgradeID, req, &client.WaitOptions{Interval: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", s.Status)
	// Output:
	// upgrade: 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 created: true
	// status: Completed
}
