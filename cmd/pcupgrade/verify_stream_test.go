package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnercenter-go/productupgrades/contracttests"
)

// verify streams its report (each result cleaned and written as it arrives); the output is
// byte for byte what cleaning the whole Report and writing it gives, secrets planted in the
// files included.
func TestVerifyStreamsTheSameReport(t *testing.T) {
	t.Parallel()
	testdata := filepath.Join("..", "..", "contracttests", "testdata")
	paths := []string{exchangesDir, filepath.Join(testdata, "flagged"), filepath.Join(testdata, "verifygolden"), plantedTree(t)}
	rep, err := contracttests.Verify(context.Background(), paths...)
	require.NoError(t, err)

	for _, tc := range []struct {
		format string
		write  func(*contracttests.Report, io.Writer) error
	}{
		{"text", (*contracttests.Report).WriteText},
		{"junit", (*contracttests.Report).WriteJUnit},
	} {
		var want bytes.Buffer
		p := newPrinter(&want, newScrubber(""))
		cleaned := &contracttests.Report{}
		for _, res := range rep.Results {
			cleaned.Results = append(cleaned.Results, cleanResult(res, p.clean))
		}
		require.NoError(t, tc.write(cleaned, p))

		code, out, errOut := runArgs(append([]string{"verify", "--format", tc.format}, paths...)...)
		assert.Equal(t, exitViolation, code, errOut)
		assert.Empty(t, errOut)
		assert.Equal(t, want.String(), out, tc.format)
	}
}
