package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// withBodyLimit reads each response body, at most limit bytes, and hands on a buffered copy,
// a *cappedBody. A longer body is not read (its connection is dropped) and the copy is
// marked truncated. A failure while reading is a transport error, retried like one, except
// after a 202, which stands.
func withBodyLimit(limit int64) policy {
	return func(next sendFunc) sendFunc {
		return func(r *http.Request) (*http.Response, error) {
			resp, err := next(r)
			if err != nil {
				return nil, err
			}
			data, truncated, err := readCapped(resp.Body, resp.ContentLength, limit)
			_ = resp.Body.Close()
			if err != nil && resp.StatusCode != http.StatusAccepted {
				return nil, fmt.Errorf("read response body: %w", err)
			}
			// A 202 needs no body: the upgrade is accepted, and a retry must not be made
			// over a body the docs say is empty anyway, so a 202 keeps what was read.
			cb := &cappedBody{data: data, truncated: truncated}
			cb.Reset(data)
			resp.Body = cb
			return resp, nil
		}
	}
}

// cappedBody is a response body as the body policy read it. It reads like any body (the
// generated client may read it), and it keeps the bytes and whether the cap cut them, for
// responseOf: the response the call returns is the one place an operation reads.
type cappedBody struct {
	bytes.Reader
	data      []byte
	truncated bool
}

func (*cappedBody) Close() error { return nil }

func readCapped(body io.Reader, contentLength, limit int64) (data []byte, truncated bool, err error) {
	switch {
	case contentLength > limit:
		return nil, true, nil
	case contentLength == 0:
		return nil, false, nil
	case contentLength > 0:
		data = make([]byte, contentLength)
		if n, err := io.ReadFull(body, data); err != nil {
			return data[:n], false, err
		}
		return data, false, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return buf.Bytes(), false, err
	}
	if n > limit {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}
