package secrets

import (
	"bytes"
	"testing"
)

// FuzzMask checks that Mask never panics, leaves nothing Find would report, and leaves text
// without findings unchanged.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"",
		"Authorization: Bearer " + jwt + "\n",
		`{"access_token":"abc","client_secret":"x\"y"}`,
		"grant_type=client_credentials&client_secret=s3cr3t",
		"abc8Q~abcdefghijklmnopqrstuvwxyz0123456 abc8Q~abcdefghijklmnopqrstuvwxyz0123456",
		"-----BEGIN PRIVATE KEY-----\nMIIB",
		`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969"}`,
		"x " + jwe + " y",
		"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXZpdml2aXZpdg.Y2lwaGVydGV4dA.dGFndGFndGFn",
		"abc8Q~abcdefghijklmnopqrstuvwxyz0123456.abc8Q~abcdefghijklmnopqrstuvwxyz0123456-",
		`{"\u0074oken":"a","private_key":"b","code":"SplxlOBeZQQYbYS6WxSbIA","code":900118}`,
		"code=abcdef1&code_verifier=x&token=y&private_key=z&client_assertion=w&refresh_token=v&sig=abc%2B1",
		"client%5Fsecret=a&client%255Fsecret=b&x=token=c",
		"Authorization: SHORTKEY extra\r\nProxy-Authorization: Basic\n",
		"User-Agent: app token=X\n",
		`{"description":"{\"access_token\":\"x\"}"}`,
		"===token=a==b&&=",
		`"\\\":"token":"`,
		`{"password":1234,"token":-1.5e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		masked := Mask(text)
		if found := Find(masked); len(found) > 0 {
			t.Fatalf("after Mask, Find still reports %+v in %q", found, masked)
		}
		if len(Find(text)) == 0 && !bytes.Equal(masked, text) {
			t.Fatalf("Mask changed text without secrets: %q -> %q", text, masked)
		}
	})
}
