package secrets

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwt is a made-up token of the right shape (header {"alg":"RS256","typ":"JWT"}).
const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLW5vdC1yZWFs"

// jwe is a made-up encrypted token of the right shape (header {"alg":"RSA-OAEP","enc":"A256GCM"}).
const jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5a2V5a2V5a2V5.aXZpdml2aXZpdg.Y2lwaGVydGV4dGNpcGhlcnRleHQ.dGFndGFndGFndGFn"

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
		{"jwt in a body", `{"token":"` + jwt + `"}`, []string{"jwt", "credential-field"}},
		{"jwt in prose", `the token ` + jwt + ` expired`, []string{"jwt"}},
		{"jws with a payload that is not JSON", "x eyJhbGciOiJIUzI1NiJ9.cGF5bG9hZA.c2lnbmF0dXJlLW5vdC1yZWFs y", []string{"jwt"}},
		{"jwe", "x " + jwe + " y", []string{"jwe", "jwt"}},
		{"jwe with direct encryption (empty key)", "x eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXZpdml2aXZpdg.Y2lwaGVydGV4dA.dGFndGFndGFn y", []string{"jwe"}},
		{"authorization without a scheme", "Authorization: SHORTKEY\n", []string{"authorization-header"}},
		{"authorization with an unknown scheme", "Authorization: SHORTKEY extra\n", []string{"authorization-header"}},
		{"authorization scheme alone", "Authorization: Bearer\n", nil},
		{"entra secret followed by a dot", "secret abc8Q~abcdefghijklmnopqrstuvwxyz0123456.", []string{"azure-client-secret"}},
		{"entra secret followed by a dash", "abc8Q~abcdefghijklmnopqrstuvwxyz0123456-suffix", []string{"azure-client-secret"}},
		{"entra secret inside a longer run", "prefix.abc8Q~abcdefghijklmnopqrstuvwxyz0123456", []string{"azure-client-secret"}},
		{"token field", `{"token":"opaque"}`, []string{"credential-field"}},
		{"escaped token field", `{"\u0074oken":"opaque"}`, []string{"credential-field"}},
		{"private_key field", `{"private_key":"MIIEvQIB"}`, []string{"credential-field"}},
		{"code_verifier field", `{"code_verifier":"dBjftJeZ4CVP"}`, []string{"credential-field"}},
		{"client_assertion field", `{"client_assertion" : "opaque"}`, []string{"credential-field"}},
		{"refresh_token field", `{"refresh_token":"0.AXoA"}`, []string{"credential-field"}},
		{"camel-case secret field", `{"appSecret":"opaque"}`, []string{"credential-field"}},
		{"numeric password", `{"password":123456}`, []string{"credential-field"}},
		{"oauth code field", `{"code":"SplxlOBeZQQYbYS6WxSbIA"}`, []string{"credential-field"}},
		{"error code number", `{"code":900118,"description":"Invalid Customer Id"}`, nil},
		{"error code string", `{"code":"900118"}`, nil},
		{"error code word", `{"code":"InvalidRequest"}`, nil},
		{"token param", "app/1.0 token=abc", []string{"credential-param"}},
		{"code param", "code=SplxlOBeZQQYbYS6WxSbIA&state=xyz", []string{"credential-param"}},
		{"code_verifier param", "grant_type=authorization_code&code_verifier=dBjftJeZ4CVP", []string{"credential-param"}},
		{"sig param", "sv=2020-08-04&sig=abc%2Bdef%3D1", []string{"credential-param"}},
		{"percent-encoded name", "client%5Fsecret=s3cr3t", []string{"credential-param"}},
		{"twice percent-encoded name", "client%255Fsecret=s3cr3t", []string{"credential-param"}},
		{"private_key param", "private_key=MIIEvQIB", []string{"credential-param"}},
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
		{"elided value in docs", "export PARTNER_CENTER_TOKEN=...   # never printed\n" + `{"token":"…","password":"***"}`, nil},
		{"ordinary form", "customerId=4c721420&productFamily=Azure&keyword=upgrade", nil},
		{"sas version and expiry", "sv=2020-08-04&se=2026-01-01", nil},
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

func TestMaskKeepsNamesAndSchemes(t *testing.T) {
	for in, want := range map[string]string{
		"Authorization: Bearer " + jwt + "\r\n":    "Authorization: Bearer <redacted>\r\n",
		"Authorization: SHORTKEY extra\n":          "Authorization: <redacted>\n",
		`{"\u0074oken":"opaque","customerId":"x"}`: `{"\u0074oken":"<redacted>","customerId":"x"}`,
		"a=1&client%5Fsecret=s3cr3t&b=2":           "a=1&client%5Fsecret=<redacted>&b=2",
		"app/1.0 (token=abc)":                      "app/1.0 (token=<redacted>)",
		"x " + jwe + " y":                          "x <redacted> y",
		"abc8Q~abcdefghijklmnopqrstuvwxyz0123456.": "<redacted>",
		`{"code":900118,"token":12345678}`:         `{"code":900118,"token":<redacted>}`,
	} {
		assert.Equal(t, want, string(Mask([]byte(in))), "%q", in)
	}
}
