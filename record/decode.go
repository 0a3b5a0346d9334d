package record

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxEncodings bounds the codings of one body ("gzip, gzip, ..." is decoded at most this
// deep).
const maxEncodings = 4

// knownCodings are the content codings that may be named in an error message; any other
// Content-Encoding value is written "unknown" (a header value is not trusted to be a word).
var knownCodings = map[string]bool{
	"gzip": true, "x-gzip": true, "deflate": true, "br": true, "zstd": true, "compress": true, "x-compress": true, "identity": true,
}

// decodeBody undoes the Content-Encoding of a captured body, so that the recorder masks, and
// writes, the bytes the JSON is in. Codings apply in the order listed, so they are undone
// from the last. gzip and deflate are decoded; br (no decoder in the standard library, and
// this module adds no dependency for it), zstd, compress and unknown codings are not. Each
// step reads at most max+1 bytes, so a small compressed body that expands without bound (a
// zip bomb) costs at most max bytes of memory and is reported as too large.
//
// It returns the decoded body, or an error (without any of the body in it) when the body
// cannot be decoded or decodes to more than max bytes.
func decodeBody(body []byte, h http.Header, max int64) ([]byte, error) {
	var codings []string
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 {
		return body, nil
	}
	if len(codings) > maxEncodings {
		return nil, fmt.Errorf("Content-Encoding has %d codings (at most %d are decoded): not recorded", len(codings), maxEncodings)
	}
	if len(body) == 0 {
		return body, nil
	}
	for i := len(codings) - 1; i >= 0; i-- {
		c := codings[i]
		var err error
		switch c {
		case "gzip", "x-gzip":
			body, err = readBounded(func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }, body, max)
		case "deflate":
			// HTTP's deflate is zlib-wrapped (RFC 9110); some servers send raw deflate.
			var zerr error
			body2, zerr := readBounded(func(r io.Reader) (io.ReadCloser, error) { return zlib.NewReader(r) }, body, max)
			if zerr == nil {
				body = body2
			} else if errTooLarge(zerr) {
				err = zerr
			} else {
				body, err = readBounded(func(r io.Reader) (io.ReadCloser, error) { return flate.NewReader(r), nil }, body, max)
			}
		default:
			name := c
			if !knownCodings[name] {
				name = "unknown"
			}
			return nil, fmt.Errorf("Content-Encoding %s cannot be decoded: not recorded", name)
		}
		if err != nil {
			if errTooLarge(err) {
				return nil, fmt.Errorf("decoded body larger than %d bytes: not recorded", max)
			}
			return nil, fmt.Errorf("Content-Encoding %s: body does not decode: not recorded", c)
		}
	}
	return body, nil
}

type tooLargeError struct{}

func (tooLargeError) Error() string { return "too large" }

func errTooLarge(err error) bool { return errors.As(err, new(tooLargeError)) }

// readBounded decodes body with the reader open returns, reading at most max+1 bytes.
func readBounded(open func(io.Reader) (io.ReadCloser, error), body []byte, max int64) ([]byte, error) {
	rc, err := open(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	// A decompressor's Close reports the error its Read already returned (ReadAll has it), or
	// nothing when it stopped early at max+1 bytes: there is no error of its own to handle.
	defer func() { _ = rc.Close() }()
	out, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > max {
		return nil, tooLargeError{}
	}
	return out, nil
}
