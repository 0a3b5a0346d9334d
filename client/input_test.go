package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

// operations calls each operation the same way, so that input checks apply to all.
var operations = map[string]func(c *client.Client, ctx context.Context, upgradeID string, r client.UpgradeRequest) error{
	"CreateUpgrade": func(c *client.Client, ctx context.Context, _ string, r client.UpgradeRequest) error {
		_, err := c.CreateUpgrade(ctx, r)
		return err
	},
	"CheckEligibility": func(c *client.Client, ctx context.Context, _ string, r client.UpgradeRequest) error {
		_, err := c.CheckEligibility(ctx, r)
		return err
	},
	"CheckStatus": func(c *client.Client, ctx context.Context, id string, r client.UpgradeRequest) error {
		_, err := c.CheckStatus(ctx, id, r)
		return err
	},
	"WaitForUpgrade": func(c *client.Client, ctx context.Context, id string, r client.UpgradeRequest) error {
		_, err := c.WaitForUpgrade(ctx, id, r, nil)
		return err
	},
	"Reconcile": func(c *client.Client, ctx context.Context, _ string, r client.UpgradeRequest) error {
		_, err := c.Reconcile(ctx, r)
		return err
	},
}

func TestBadInput_SendsNothingAndNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		customer  string
		family    string
		upgradeID string
		field     string
		onlyWith  string // the operation that takes the argument, when not all do
	}{
		{"empty customer id", "", "Azure", testUpgradeID, "CustomerID", ""},
		{"customer id not a GUID", "contoso", "Azure", testUpgradeID, "CustomerID", ""},
		{"customer id in braces", "{" + testCustomerID + "}", "Azure", testUpgradeID, "CustomerID", ""},
		{"customer id without dashes", "4c72142072ad4708a0a7371a2f7b0969", "Azure", testUpgradeID, "CustomerID", ""},
		{"customer id as URN", "urn:uuid:" + testCustomerID, "Azure", testUpgradeID, "CustomerID", ""},
		{"customer id with a path", testCustomerID + "/../x", "Azure", testUpgradeID, "CustomerID", ""},
		{"empty product family", testCustomerID, "", testUpgradeID, "ProductFamily", ""},
		{"blank product family", testCustomerID, " \t", testUpgradeID, "ProductFamily", ""},
		{"upgrade id not a GUID", testCustomerID, "Azure", "productUpgrades/" + testUpgradeID, "upgradeID", "status"},
		{"empty upgrade id", testCustomerID, "Azure", "", "upgradeID", "status"},
		{"upgrade id with a path", testCustomerID, "Azure", testUpgradeID + "/../../x", "upgradeID", "status"},
	}
	for _, tc := range cases {
		for opName, op := range operations {
			takesID := opName == "CheckStatus" || opName == "WaitForUpgrade"
			if tc.onlyWith == "status" && !takesID {
				continue
			}
			t.Run(tc.name+"/"+opName, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
					reply(w, http.StatusInternalServerError, "")
				})
				ts := &countingTokenSource{}
				c := newClient(t, srv.URL, client.WithTokenSource(ts))
				err := op(c, context.Background(), tc.upgradeID, client.UpgradeRequest{CustomerID: tc.customer, ProductFamily: tc.family})
				require.Error(t, err)
				assert.ErrorIs(t, err, client.ErrInvalidInput)
				var ve *client.ValidationError
				require.True(t, errors.As(err, &ve))
				assert.Contains(t, ve.Field, tc.field)
				assert.Contains(t, err.Error(), tc.field)
				assert.Empty(t, srv.Requests(), "nothing may be sent")
				assert.Zero(t, ts.n.Load(), "the token source must not be asked")
			})
		}
	}
}

func TestBadInput_InvalidCorrelationIDSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	ctx := client.WithCorrelationID(context.Background(), "not-a-guid")
	for name, op := range operations {
		err := op(c, ctx, testUpgradeID, testRequest())
		assert.ErrorIsf(t, err, client.ErrInvalidInput, "%s", name)
		assert.Containsf(t, err.Error(), "correlation id", "%s", name)
	}
	assert.Empty(t, srv.Requests())
}

func TestBadInput_CreateWithInvalidRequestIDSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL)
	_, err := c.CreateUpgradeWithRequestID(context.Background(), "x", testRequest())
	assert.ErrorIs(t, err, client.ErrInvalidInput)
	assert.Contains(t, err.Error(), "requestID")
	assert.Empty(t, srv.Requests())
}

func TestTokenSourceFailure_SendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	boom := errors.New("aad: invalid_client")
	// The subtests are not parallel: the assertion after the loop reads the server they share,
	// so it must run after them.
	for name, op := range operations {
		t.Run(name, func(t *testing.T) {
			ts := &countingTokenSource{err: boom}
			c := newClient(t, srv.URL, client.WithTokenSource(ts))
			err := op(c, context.Background(), testUpgradeID, testRequest())
			require.Error(t, err)
			assert.ErrorIs(t, err, boom)
			assert.Contains(t, err.Error(), "token source")
			assert.False(t, errors.Is(err, client.ErrOutcomeUnknown), "nothing was sent, so the outcome is known")
			assert.Equal(t, int32(1), ts.n.Load(), "a token failure is not retried")
		})
	}
	assert.Empty(t, srv.Requests())
}

func TestTokenSource_EmptyTokenSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		accepted(w, "productUpgrades/"+testUpgradeID)
	})
	c := newClient(t, srv.URL, client.WithTokenSource(emptyTokenSource{}))
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty access token")
	assert.Empty(t, srv.Requests())
}
