package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/client"
)

func TestParseLocation_AcceptedForms(t *testing.T) {
	t.Parallel()
	const id = testUpgradeID
	cases := map[string]string{
		"docs' relative form":       "productUpgrades/" + id,
		"leading slash":             "/productUpgrades/" + id,
		"v1 prefix":                 "/v1/productUpgrades/" + id,
		"v1 prefix without slash":   "v1/productupgrades/" + id,
		"absolute URL":              "https://api.partnercenter.microsoft.com/v1/productUpgrades/" + id,
		"absolute URL without v1":   "https://api.partnercenter.microsoft.com/productUpgrades/" + id,
		"lowercase":                 "productupgrades/" + id,
		"uppercase":                 "/V1/PRODUCTUPGRADES/" + id,
		"trailing slash":            "productUpgrades/" + id + "/",
		"absolute with port, slash": "http://127.0.0.1:8080/v1/ProductUpgrades/" + id + "/",
		"surrounding spaces":        "  productUpgrades/" + id + " ",
		"status path":               "productUpgrades/" + id + "/status",
		"status path, slash":        "/v1/productUpgrades/" + id + "/Status/",
		"absolute status path":      "https://api.partnercenter.microsoft.com/v1/productUpgrades/" + id + "/status",
		"query string":              "productUpgrades/" + id + "?x=1",
		"fragment":                  "productUpgrades/" + id + "#top",
		"query and fragment":        "https://host/v1/productUpgrades/" + id + "/status?api-version=1&next=https://x/#f",
		"query with a URL":          "productUpgrades/" + id + "?next=https://other/productUpgrades/x",
	}
	for name, loc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := client.ParseLocation(loc)
			require.NoError(t, err)
			assert.Equal(t, id, got)
		})
	}
	got, err := client.ParseLocation("productUpgrades/42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4")
	require.NoError(t, err)
	assert.Equal(t, "42D075A4-BFE7-43E7-AF6D-7C68A57EDCB4", got, "the id is returned as written")
}

func TestParseLocation_RejectedForms(t *testing.T) {
	t.Parallel()
	const id = testUpgradeID
	cases := map[string]string{
		"empty":                  "",
		"blank":                  "   ",
		"bare id":                id,
		"id not a GUID":          "productUpgrades/123",
		"GUID without dashes":    "productUpgrades/42d075a4bfe743e7af6d7c68a57edcb4",
		"GUID in braces":         "productUpgrades/{" + id + "}",
		"other subresource":      "productUpgrades/" + id + "/lineItems",
		"status, then more":      "productUpgrades/" + id + "/status/x",
		"no slash after host":    "https://hostproductUpgrades/" + id,
		"query before the path":  "productUpgrades?id=" + id,
		"id in the query only":   "productUpgrades/?id=" + id,
		"other resource":         "customers/" + id,
		"two trailing slashes":   "productUpgrades/" + id + "//",
		"v2 prefix":              "/v2/productUpgrades/" + id,
		"scheme without host":    "https:///productUpgrades/" + id,
		"host without path":      "https://api.partnercenter.microsoft.com",
		"bad scheme":             "1http://host/productUpgrades/" + id,
		"double leading slash":   "//productUpgrades/" + id,
		"segment prefix differs": "myproductUpgrades/" + id,
	}
	for name, loc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := client.ParseLocation(loc)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.ErrorIs(t, err, client.ErrInvalidLocation)
			var le *client.LocationError
			require.True(t, errors.As(err, &le))
			assert.Equal(t, loc, le.Location, "the raw header is kept")
		})
	}
}

func TestParseLocation_LongHeaderIsShortenedInError(t *testing.T) {
	t.Parallel()
	_, err := client.ParseLocation(strings.Repeat("x", 10000))
	var le *client.LocationError
	require.True(t, errors.As(err, &le))
	assert.Len(t, le.Location, 512)
	assert.Less(t, len(err.Error()), 700)
}

func TestCreate_LocationFormsFromServer(t *testing.T) {
	t.Parallel()
	for _, loc := range []string{
		"productUpgrades/" + testUpgradeID,
		"/v1/productupgrades/" + testUpgradeID + "/",
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/" + testUpgradeID,
	} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { accepted(w, loc) })
		c := newClient(t, srv.URL)
		u, err := c.CreateUpgrade(context.Background(), testRequest())
		require.NoError(t, err, loc)
		assert.Equal(t, testUpgradeID, u.ID)
		assert.Equal(t, loc, u.Location)
		assert.Equal(t, "cb82f7d6-f0d9-44d4-82f9-f6eee6e68390", u.RequestID, "request id from the response header")
		assert.Equal(t, "772871a9-399b-4f3b-b8c7-38f550e4f22a", u.CorrelationID)
	}
}

func TestCreate_MissingOrMalformedLocationIsNotRetried(t *testing.T) {
	t.Parallel()
	cases := map[string]func(w http.ResponseWriter){
		"no Location header": func(w http.ResponseWriter) { reply(w, http.StatusAccepted, "") },
		"empty Location":     func(w http.ResponseWriter) { reply(w, http.StatusAccepted, "", "Location", "") },
		"wrong Location":     func(w http.ResponseWriter) { accepted(w, "customers/"+testCustomerID) },
		"id not a GUID":      func(w http.ResponseWriter) { accepted(w, "productUpgrades/12345") },
		"202 with a bad response id header": func(w http.ResponseWriter) {
			reply(w, http.StatusAccepted, "", "Location", "productUpgrades/oops", "MS-RequestId", "not-a-guid")
		},
	}
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) { answer(w) })
			c := newClient(t, srv.URL)
			u, err := c.CreateUpgrade(context.Background(), testRequest())
			require.Error(t, err)
			assert.Nil(t, u)
			assert.ErrorIs(t, err, client.ErrInvalidLocation)
			assert.ErrorIs(t, err, client.ErrOutcomeUnknown, "the upgrade may exist")

			reqs := srv.Requests()
			require.Len(t, reqs, 1, "a 202 is never retried")
			sent := reqs[0].Header.Get("MS-RequestId")
			var le *client.LocationError
			require.True(t, errors.As(err, &le))
			assert.Equal(t, sent, le.RequestID)
			var oe *client.OutcomeUnknownError
			require.True(t, errors.As(err, &oe))
			assert.Equal(t, sent, oe.RequestID)
			assert.Contains(t, err.Error(), sent)
			assert.Contains(t, err.Error(), "CheckEligibility", "the message says how to reconcile")
		})
	}
}

func TestCreate_BadResponseIDHeaderDoesNotHideThe202(t *testing.T) {
	t.Parallel()
	// The generated parser binds MS-RequestId as a uuid and fails on anything else; the
	// upgrade was accepted all the same.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, http.StatusAccepted, "", "Location", "productUpgrades/"+testUpgradeID, "MS-RequestId", "not-a-guid")
	})
	c := newClient(t, srv.URL)
	u, err := c.CreateUpgrade(context.Background(), testRequest())
	require.NoError(t, err)
	assert.Equal(t, testUpgradeID, u.ID)
	assert.Equal(t, "not-a-guid", u.RequestID)
}

func TestParseLocation_NonHexGUIDIsRejected(t *testing.T) {
	t.Parallel()
	_, err := client.ParseLocation("productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcbg")
	assert.ErrorIs(t, err, client.ErrInvalidLocation)
	_, err = client.ParseLocation("productUpgrades/42d075a4-bfe7-43e7-af6d_7c68a57edcb4")
	assert.ErrorIs(t, err, client.ErrInvalidLocation)
}
