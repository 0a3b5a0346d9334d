package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

// newExampleServer starts a loopback stand-in for Partner Center that answers like the docs'
// examples: the customer is eligible, a create is accepted as upgrade 42d075a4-…, and the
// upgrade is InProgress on the first status check and Completed after.
func newExampleServer() *httptest.Server {
	var mu sync.Mutex
	checks := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		switch path := strings.ToLower(r.URL.Path); {
		case path == "/v1/productupgrades":
			w.Header().Set("Location", "productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4")
			w.WriteHeader(http.StatusAccepted)
		case path == "/v1/productupgrades/eligibility":
			_, _ = fmt.Fprint(w, `{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","isEligible":true,"productFamily":"azure"}`)
		case strings.HasSuffix(path, "/status"):
			mu.Lock()
			checks++
			status := "InProgress"
			if checks > 1 {
				status = "Completed"
			}
			mu.Unlock()
			_, _ = fmt.Fprintf(w, `{"id":"42d075a4-bfe7-43e7-af6d-7c68a57edcb4","status":%q,"productFamily":"Azure","lineItems":[`+
				`{"sourceProduct":{"name":"AzureSubscription"},"targetProduct":{"name":"Microsoft Azure plan"},"status":%[1]q}]}`, status)
		default:
			http.NotFound(w, r)
		}
	}))
}

// newExampleClient returns a client of the stand-in server. A real one would use the default
// base URL and an Azure AD token source for Partner Center.
func newExampleClient(baseURL string) *client.Client {
	c, err := client.New(
		client.WithBaseURL(baseURL),
		client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "<token>"})),
		client.WithApplication("contoso-billing"),
	)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// The whole upgrade workflow: check eligibility, create the upgrade, wait for it to finish.
func Example() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)
	ctx := context.Background()
	req := client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"}

	e, err := c.CheckEligibility(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	upgradeID := e.UpgradeID // an upgrade already in place
	if upgradeID == "" {
		if !e.IsEligible {
			log.Fatalf("not eligible: %s", e.Reason)
		}
		u, err := c.CreateUpgrade(ctx, req)
		var unknown *client.OutcomeUnknownError
		if errors.As(err, &unknown) {
			// The upgrade may exist: find it, or resend with the same idempotency key.
			if upgradeID, err = c.Reconcile(ctx, req); errors.Is(err, client.ErrNoUpgradeInPlace) {
				u, err = c.CreateUpgradeWithRequestID(ctx, unknown.RequestID, req)
			}
		}
		if err != nil {
			log.Fatal(err)
		}
		if u != nil {
			upgradeID = u.ID
		}
	}

	s, err := c.WaitForUpgrade(ctx, upgradeID, req, &client.WaitOptions{
		Interval:   10 * time.Millisecond, // 15s by default
		OnProgress: func(s *client.UpgradeStatus) { fmt.Println("status:", s.Status) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("upgraded", upgradeID, "to", s.LineItems[0].TargetProduct.Name)
	// Output:
	// status: InProgress
	// status: Completed
	// upgraded 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 to Microsoft Azure plan
}

func ExampleClient_CreateUpgrade() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	u, err := c.CreateUpgrade(context.Background(), client.UpgradeRequest{
		CustomerID:    "4c721420-72ad-4708-a0a7-371a2f7b0969",
		ProductFamily: "Azure",
	})
	var unknown *client.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		log.Fatalf("the upgrade may exist; reconcile (request id %s): %v", unknown.RequestID, err)
	case client.IsUpgradeInProgress(err):
		log.Fatal("an upgrade is already running for this customer")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("upgrade id:", u.ID)
	fmt.Println("location:", u.Location)
	// Output:
	// upgrade id: 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
	// location: productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4
}

func ExampleClient_CheckEligibility() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	e, err := c.CheckEligibility(context.Background(), client.UpgradeRequest{
		CustomerID:    "4c721420-72ad-4708-a0a7-371a2f7b0969",
		ProductFamily: "Azure",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("eligible: %t, family: %s, upgrade in place: %q\n", e.IsEligible, e.ProductFamily, e.UpgradeID)
	// Output:
	// eligible: true, family: azure, upgrade in place: ""
}

func ExampleClient_CheckStatus() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	s, err := c.CheckStatus(context.Background(), "42d075a4-bfe7-43e7-af6d-7c68a57edcb4", client.UpgradeRequest{
		CustomerID:    "4c721420-72ad-4708-a0a7-371a2f7b0969",
		ProductFamily: "Azure",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ID, s.Status, "done:", s.Done())
	for _, li := range s.LineItems {
		fmt.Printf("%s -> %s: %s\n", li.SourceProduct.Name, li.TargetProduct.Name, li.Status)
	}
	// Output:
	// 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 InProgress done: false
	// AzureSubscription -> Microsoft Azure plan: InProgress
}

func ExampleClient_WaitForUpgrade() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := c.WaitForUpgrade(ctx, "42d075a4-bfe7-43e7-af6d-7c68a57edcb4", client.UpgradeRequest{
		CustomerID:    "4c721420-72ad-4708-a0a7-371a2f7b0969",
		ProductFamily: "Azure",
	}, &client.WaitOptions{Interval: 10 * time.Millisecond})
	var failed *client.UpgradeFailedError
	switch {
	case errors.As(err, &failed):
		log.Fatalf("upgrade failed: %+v", failed.ErrorDetails)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(s.Status)
	// Output:
	// Completed
}

func ExampleParseLocation() {
	for _, loc := range []string{
		"productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4",
		"https://api.partnercenter.microsoft.com/v1/productupgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/",
		"/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status?api-version=1#top",
		"productUpgrades/",
	} {
		id, err := client.ParseLocation(loc)
		fmt.Printf("%q %v\n", id, err)
	}
	// Output:
	// "42d075a4-bfe7-43e7-af6d-7c68a57edcb4" <nil>
	// "42d075a4-bfe7-43e7-af6d-7c68a57edcb4" <nil>
	// "42d075a4-bfe7-43e7-af6d-7c68a57edcb4" <nil>
	// "" productupgrades: invalid Location header "productUpgrades/": upgrade id is not a GUID
}

// Status values are an open vocabulary: a success and a failure end a wait, anything else
// keeps it polling; Known tells a value the client recognises from a new one.
func ExampleUpgradeStatus_Known() {
	for _, v := range []string{"Completed", "Succeeded", "Failed", "PartiallyComplete", "InProgress", "Migrating"} {
		s := &client.UpgradeStatus{Status: v}
		fmt.Printf("%-17s succeeded=%-5v failed=%-5v known=%v\n", v, s.Succeeded(), s.Failed(), s.Known())
	}
	// Output:
	// Completed         succeeded=true  failed=false known=true
	// Succeeded         succeeded=true  failed=false known=true
	// Failed            succeeded=false failed=true  known=true
	// PartiallyComplete succeeded=false failed=true  known=true
	// InProgress        succeeded=false failed=false known=true
	// Migrating         succeeded=false failed=false known=false
}

func ExampleWithCorrelationID() {
	srv := newExampleServer()
	defer srv.Close()
	c := newExampleClient(srv.URL)

	// One correlation id for the calls of one business operation, to find them in traces.
	ctx := client.WithCorrelationID(context.Background(), "e3f26e6a-044f-4371-ad52-0d91ce4200be")
	u, err := c.CreateUpgrade(ctx, client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.CorrelationID)
	// Output:
	// e3f26e6a-044f-4371-ad52-0d91ce4200be
}
