package client

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/partnercenter-go/productupgrades/gen"
	"github.com/partnercenter-go/productupgrades/internal/guid"
)

func TestEncodeBody_MatchesJSONMarshal(t *testing.T) {
	t.Parallel()
	id, ok := guid.Parse("4C721420-72AD-4708-A0A7-371A2F7B0969")
	assert.True(t, ok)
	etag := "W/\"1\""
	for _, b := range []gen.ProductUpgradeRequest{
		{CustomerId: id, ProductFamily: "Azure"},
		{CustomerId: id, ProductFamily: "azure plan"},
		{CustomerId: uuid.New(), ProductFamily: `quote " backslash \ html <&>`},
		{CustomerId: id, ProductFamily: "Éire\u2028\x01\xff"},
		{CustomerId: id, ProductFamily: "Azure", Attributes: &gen.ResourceAttributes{Etag: &etag}},
	} {
		want, err := json.Marshal(b)
		assert.NoError(t, err)
		assert.Equal(t, string(want), string(encodeBody(b)))
	}
}
