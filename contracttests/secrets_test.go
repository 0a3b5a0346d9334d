package contracttests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// TestTestdataHasNoSecrets fails on anything under testdata that looks like a credential
// (in compressed bodies too, see testkit.ScanTree): fixtures must say "Bearer <token>" (or "<redacted>"), never carry a real token.
func TestTestdataHasNoSecrets(t *testing.T) {
	t.Parallel()
	found := testkit.ScanTree(t, "testdata")
	assert.Empty(t, found, "secrets in testdata: replace them with <token> or <redacted>:\n%s", strings.Join(found, "\n"))
}

// TestSecretScanCatchesPlantedSecrets shows the scan can fail: a copy of the fixtures with a
// JWT, a bearer token and a client secret planted in it.
func TestSecretScanCatchesPlantedSecrets(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJub2JvZHkifQ.bm90LWEtcmVhbC1zaWduYXR1cmU"
	dir := t.TempDir()
	copyFixture(t, dir, "create-202", "planted-jwt", func(s string) string {
		return strings.Replace(s, "Bearer <token>", "Bearer "+jwt, 1)
	})
	copyFixture(t, dir, "eligibility-200", "planted-bearer", func(s string) string {
		return strings.Replace(s, "Bearer <token>", "Bearer 0pAqu3-t0ken", 1)
	})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"),
		[]byte("token request body: grant_type=client_credentials&client_id=x&client_secret=hunter2hunter2\n"), 0o644))

	found := testkit.ScanTree(t, dir)
	joined := strings.Join(found, "\n")
	assert.Contains(t, joined, "planted-jwt.http:2: jwt")
	assert.Contains(t, joined, "planted-bearer.http:2: authorization-header")
	assert.Contains(t, joined, "notes.txt:1: credential-param")
	assert.NotContains(t, joined, "bm90LWEtcmVhbC1zaWduYXR1cmU", "the report does not repeat the secret")
	assert.NotContains(t, joined, "hunter2hunter2")
}
