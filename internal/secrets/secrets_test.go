package secrets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwt is a made-up token of the right shape (header {"alg":"RS256","typ":"JWT"}).
const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLW5vdC1yZWFs"

func kinds(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return out
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"jwt in a body", `{"token":"` + jwt + `"}`, []string{"jwt"}},
		{"authorization header", "Authorization: Bearer abc123\r\n", []string{"authorization-header"}},
		{"authorization header with a jwt", "Authorization: Bearer " + jwt + "\n", []string{"jwt", "authorization-header", "bearer"}},
		{"basic header", "Authorization: Basic dXNlcjpwYXNzd29yZA==\n", []string{"authorization-header", "basic-auth"}},
		{"bearer quoted in a body", `{"h":"Bearer 0123456789abcdefXYZ"}`, []string{"bearer"}},
		{"client secret field", `{"client_secret": "s3cr3t-value"}`, []string{"credential-field"}},
		{"access token field", `{"access_token":"opaque.value"}`, []string{"credential-field"}},
		{"client secret param", "grant_type=client_credentials&client_secret=s3cr3t&scope=x", []string{"credential-param"}},
		{"azure ad secret", "secret is abc8Q~abcdefghijklmnopqrstuvwxyz0123456 here", []string{"azure-client-secret"}},
		{"private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", []string{"private-key"}},

		{"token placeholder", "Authorization: Bearer <token>\n", nil},
		{"redacted placeholder", "Authorization: Bearer <redacted>\r\n", nil},
		{"field placeholder", `{"client_secret":"<redacted>"}`, nil},
		{"prose", `{"description":"Partner Token missing in request context: a bearer token is required"}`, nil},
		{"guids and ids", `MS-RequestId: c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff` + "\nMS-CV: iqOqN0FnaE2y0HcD.0\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Find([]byte(tc.text))
			assert.Equal(t, tc.want, kinds(got))
			for _, f := range got {
				assert.LessOrEqual(t, len(f.Excerpt), 10, "an excerpt does not repeat the secret")
			}
		})
	}
}

func TestMaskRemovesWhatFindFinds(t *testing.T) {
	body := `{"access_token":"opaque.value","id_token":"` + jwt + `","note":"Bearer 0123456789abcdefXYZ",` +
		`"client_secret":"abc8Q~abcdefghijklmnopqrstuvwxyz0123456","customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969"}`
	masked := Mask([]byte(body))
	assert.Empty(t, Find(masked), "%s", masked)
	assert.NotContains(t, string(masked), jwt)
	assert.NotContains(t, string(masked), "opaque.value")
	var v map[string]string
	require.NoError(t, json.Unmarshal(masked, &v), "masked JSON stays JSON: %s", masked)
	assert.Equal(t, "4c721420-72ad-4708-a0a7-371a2f7b0969", v["customerId"], "other values are kept")
	assert.Equal(t, Redacted, v["access_token"])
	assert.Equal(t, "Bearer "+Redacted, v["note"])
}

func TestMaskKeepsCleanTextIdentical(t *testing.T) {
	clean := []byte("{\n  \"customerId\": \"4c721420-72ad-4708-a0a7-371a2f7b0969\",\n  \"productFamily\": \"Azure\"\n}")
	assert.Equal(t, clean, Mask(clean))
}

func TestMaskPrivateKeyBlock(t *testing.T) {
	masked := Mask([]byte("a\n-----BEGIN PRIVATE KEY-----\nMIIBVQ\n-----END PRIVATE KEY-----\nb"))
	assert.Equal(t, "a\n"+Redacted+"\nb", string(masked))
}

func TestMaskHeaderValue(t *testing.T) {
	assert.Equal(t, "Bearer <redacted>", MaskHeaderValue("Bearer "+jwt))
	assert.Equal(t, "<redacted>", MaskHeaderValue(jwt))
	assert.False(t, strings.Contains(MaskHeaderValue("Basic dXNlcjpwYXNz"), "dXNl"))
}
