// Package client is the Go client for Partner Center's product-upgrade API, which moves a CSP
// customer from a legacy Microsoft Azure (MS-AZR-0145P) subscription to a product family
// (today the Azure plan). It is built on the generated package gen and adds what generation
// cannot: input checks, an idempotent retry policy, Location parsing, typed errors, polling
// and logging.
//
// # The upgrade workflow
//
//	ts := oauth2.ReuseTokenSource(nil, myPartnerCenterTokenSource) // an Azure AD token for Partner Center
//	c, err := client.New(client.WithTokenSource(ts), client.WithApplication("contoso-billing"))
//	if err != nil { ... }
//	req := client.UpgradeRequest{CustomerID: "4c721420-72ad-4708-a0a7-371a2f7b0969", ProductFamily: "Azure"}
//
//	// 1. Is the customer eligible? An upgrade already in place is named by UpgradeID.
//	e, err := c.CheckEligibility(ctx, req)
//	if err != nil { ... }
//	upgradeID := e.UpgradeID
//	if upgradeID == "" {
//		if !e.IsEligible { return fmt.Errorf("not eligible: %s", e.Reason) }
//
//		// 2. Start the upgrade (202 Accepted; the id comes from the Location header).
//		u, err := c.CreateUpgrade(ctx, req)
//		var unknown *client.OutcomeUnknownError
//		switch {
//		case errors.As(err, &unknown):
//			// The upgrade may exist: find it, or resend with the same idempotency key.
//			if upgradeID, err = c.Reconcile(ctx, req); errors.Is(err, client.ErrNoUpgradeInPlace) {
//				u, err = c.CreateUpgradeWithRequestID(ctx, unknown.RequestID, req)
//			}
//		case client.IsUpgradeInProgress(err):
//			upgradeID, err = c.Reconcile(ctx, req)
//		}
//		if err != nil { ... }
//		if u != nil { upgradeID = u.ID }
//	}
//
//	// 3. Wait for it to finish (Completed, or an *UpgradeFailedError with ErrorDetails).
//	s, err := c.WaitForUpgrade(ctx, upgradeID, req, &client.WaitOptions{Interval: 30 * time.Second})
//
// # Requests
//
// Every call sends Authorization: Bearer (from the token source, on every try), a new
// MS-RequestId (the same on every retry of that call: it is the service's idempotency key), a
// new MS-CorrelationId unless the context carries one (WithCorrelationID), X-Locale, Accept,
// MS-PartnerCenter-Application when set, and a User-Agent naming this module and its Version.
// Bad input (a customer or upgrade id that is not a GUID, an empty product family) and a
// failing token source are errors before anything is sent.
//
// # Errors
//
// A non-2xx response is an *APIError (errors.As): status, the service's code (sent as a
// number or a string), description, source, request and correlation ids, Retry-After. Create
// failures that leave an upgrade possibly started match ErrOutcomeUnknown; see CreateUpgrade.
// Response bodies are read through a 1 MiB cap (MaxResponseBytes). Error messages are short
// and never contain the token.
//
// # Retries
//
// See RetryPolicy: transport errors and 408, 429, 500, 502, 503, 504 are retried, POST
// included, honouring Retry-After; cancelling the context stops at once.
package client
