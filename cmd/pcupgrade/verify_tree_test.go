//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// runBounded runs pcupgrade with a context that ends after a minute, and fails the test if
// it has not returned a while after that: a hang is a failure, never a wait for ever. (The
// bound is a safety net for hangs, not a measure of speed.)
func runBounded(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := runContext(ctx, args, &out, &errOut)
		recordOutput(args, out.String(), errOut.String())
		done <- result{code, out.String(), errOut.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(2 * time.Minute):
		t.Fatalf("pcupgrade %v did not return (ignoring its context)", args)
		return 0, "", ""
	}
}

// mkfifo makes a named pipe at path. Should a reader ever block on it, cleanup opens it for
// writing, which releases the reader.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o644))
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = f.Close()
		}
	})
}

// mksocket makes a unix socket at path, listening until the test ends.
func mksocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
}

// TestVerifySurvivesAnyTree: named pipes, sockets and devices are unreadable files, never
// opened; symlinks to folders are followed; symlink loops are unreadable files; verify
// returns with the documented exit status every time.
func TestVerifySurvivesAnyTree(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.http"))
	require.NoError(t, err)
	good := func(t *testing.T, dir, name string) {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), raw, 0o644))
	}
	for _, tc := range []struct {
		name string
		// build makes the tree under root and returns the arguments to verify.
		build func(t *testing.T, root string) []string
		code  int
		want  []string // in stdout
	}{
		{"FIFO named x.http in a folder", func(t *testing.T, root string) []string {
			good(t, root, "good.http")
			mkfifo(t, filepath.Join(root, "x.http"))
			return []string{root}
		}, exitViolation, []string{"ok    good (", "ERROR x (", "x.http is a named pipe (FIFO), not a regular file: not read", "1 passed, 0 failed with 0 violation(s), 1 unreadable"}},
		{"FIFO given as a file", func(t *testing.T, root string) []string {
			mkfifo(t, filepath.Join(root, "x.http"))
			return []string{filepath.Join(root, "x.http")}
		}, exitViolation, []string{"ERROR x (", "named pipe (FIFO)"}},
		{"FIFO as a sidecar", func(t *testing.T, root string) []string {
			good(t, root, "x.http")
			mkfifo(t, filepath.Join(root, "x.json"))
			return []string{root}
		}, exitViolation, []string{"ERROR x (", "meta: x.json is a named pipe (FIFO)"}},
		{"socket named s.http", func(t *testing.T, root string) []string {
			good(t, root, "good.http")
			// Unix socket paths are short (104 bytes on macOS, 108 on Linux): make it in a
			// short temporary folder. t.TempDir's is named after the test, up to 64 bytes more.
			dir, err := os.MkdirTemp("", "pcu") //nolint:usetesting // t.TempDir's long path can exceed a socket path's limit
			require.NoError(t, err)
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			mksocket(t, filepath.Join(dir, "s.http"))
			require.NoError(t, os.Symlink(filepath.Join(dir, "s.http"), filepath.Join(root, "s.http")))
			return []string{root}
		}, exitViolation, []string{"ERROR s (", "s.http is a socket, not a regular file"}},
		{"device named zero.http", func(t *testing.T, root string) []string {
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(root, "zero.http")))
			return []string{root}
		}, exitViolation, []string{"ERROR zero (", "zero.http is a device, not a regular file"}},
		{"symlink to a folder is followed", func(t *testing.T, root string) []string {
			good(t, filepath.Join(root, "elsewhere"), "good.http")
			tree := filepath.Join(root, "tree")
			require.NoError(t, os.Mkdir(tree, 0o755))
			require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(tree, "linked")))
			return []string{tree}
		}, exitOK, []string{filepath.Join("tree", "linked", "good.http") + "): CreateProductUpgrade", "1 exchange(s): 1 passed"}},
		{"symlink to a folder given as the path", func(t *testing.T, root string) []string {
			good(t, filepath.Join(root, "real"), "good.http")
			require.NoError(t, os.Symlink(filepath.Join(root, "real"), filepath.Join(root, "link")))
			return []string{filepath.Join(root, "link")}
		}, exitOK, []string{"1 exchange(s): 1 passed"}},
		{"symlink loop named loop.http", func(t *testing.T, root string) []string {
			good(t, root, "good.http")
			require.NoError(t, os.Symlink("loop.http", filepath.Join(root, "loop.http")))
			return []string{root}
		}, exitViolation, []string{"ok    good (", "ERROR loop (", "too many levels of symbolic links"}},
		{"symlink loop of two links", func(t *testing.T, root string) []string {
			good(t, root, "good.http")
			require.NoError(t, os.Symlink("b", filepath.Join(root, "a")))
			require.NoError(t, os.Symlink("a", filepath.Join(root, "b")))
			return []string{root}
		}, exitViolation, []string{"ok    good (", "ERROR a (", "ERROR b (", "2 unreadable"}},
		{"folder symlink back to an ancestor", func(t *testing.T, root string) []string {
			good(t, filepath.Join(root, "sub"), "good.http")
			require.NoError(t, os.Symlink("..", filepath.Join(root, "sub", "up")))
			return []string{root}
		}, exitViolation, []string{"ok    good (", "ERROR up (", "symlink loop", "1 passed, 0 failed with 0 violation(s), 1 unreadable"}},
		{"symlink loop given as the path", func(t *testing.T, root string) []string {
			require.NoError(t, os.Symlink("self.http", filepath.Join(root, "self.http")))
			return []string{filepath.Join(root, "self.http")}
		}, exitViolation, []string{"ERROR self (", "too many levels of symbolic links"}},
		{"dangling symlink that is no fixture is ignored", func(t *testing.T, root string) []string {
			good(t, root, "good.http")
			require.NoError(t, os.Symlink("nowhere", filepath.Join(root, "notes")))
			return []string{root}
		}, exitOK, []string{"1 exchange(s): 1 passed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			args := append([]string{"verify"}, tc.build(t, root)...)
			code, out, errOut := runBounded(t, args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errOut)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
			assert.Empty(t, errOut)
			assertNoSecrets(t, out, errOut)
		})
	}
}

const plantedJWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJub2JvZHkiLCJ0aWQiOiJ4In0.bm90LWEtcmVhbC1zaWduYXR1cmUtYXQtYWxs"

// plantedTree is a folder of fixtures that carry secrets: files that do not parse and quote
// their first line (a JWT, an Authorization line without a scheme, a long line with a JWT
// inside), and a parsable one with a bearer token and a violation.
func plantedTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(exchangesDir, "create-202.http"))
	require.NoError(t, err)
	files := map[string]string{
		"token.http":  plantedJWT + "\n",
		"auth.http":   "Authorization: opaqueCredential0123456789abcdef\n\n",
		"long.http":   strings.Repeat("A", 3000) + " " + plantedJWT + " HTTP/1.1\n\n",
		"escape.http": "\x1b]0;pwned\x07\x1b[2J" + plantedJWT + "\n",
		"bearer.http": strings.Replace(strings.Replace(string(raw), "Bearer <token>", "Bearer "+plantedJWT, 1),
			"Location:", "X-Location:", 1),
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// What verify writes, text and JUnit, goes through the same secret scan as testdata: the
// planted secrets never show, first lines are masked and at most 200 bytes, and the scan
// itself finds the secrets in the files (so it can fail).
func TestVerifyOutputPassesTheSecretScan(t *testing.T) {
	t.Parallel()
	dir := plantedTree(t)

	var inFiles []string
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		inFiles = append(inFiles, testkit.FindSecrets(e.Name(), string(data), "opaqueCredential0123456789abcdef")...)
	}
	require.GreaterOrEqual(t, len(inFiles), 5, "the scan finds what was planted: %v", inFiles)

	for _, format := range []string{"text", "junit"} {
		code, out, errOut := runBounded(t, "verify", "--format", format, dir)
		assert.Equal(t, exitViolation, code, "%s: %s%s", format, out, errOut)
		assertNoSecrets(t, out, errOut, "opaqueCredential0123456789abcdef", plantedJWT)
		assert.NotContains(t, out, "bm90LWEtcmVhbC1zaWduYXR1cmU", "%s: the JWT's signature", format)
		assert.NotContains(t, out, "\x1b", format)
		assert.NotContains(t, out, strings.Repeat("A", 201), "%s: at most 200 bytes of a first line", format)
		if format == "junit" {
			var doc struct {
				Tests  int `xml:"tests,attr"`
				Errors int `xml:"errors,attr"`
			}
			require.NoError(t, xml.Unmarshal([]byte(out), &doc), out)
			assert.Equal(t, 5, doc.Tests)
			assert.Equal(t, 4, doc.Errors)
		} else {
			assert.Contains(t, out, "ERROR token (")
			assert.Contains(t, out, "<redacted>")
		}
	}
}
