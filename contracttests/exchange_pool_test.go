package contracttests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/partnercenter-go/productupgrades/internal/excerpt"
)

// ParseExchange reads fixtures with pooled buffered readers. parseExchangeUnpooled is the
// parser as it was before, with two new bufio.Readers per exchange: the two must agree on
// every input, to the error text.

func parseExchangeUnpooled(name string, raw []byte) (*Exchange, error) {
	ex := &Exchange{Name: name}
	fail := func(part string, err error) (*Exchange, error) {
		return nil, &ParseError{Exchange: name, Part: part, Err: err}
	}
	src := bytes.NewReader(raw)
	br := bufio.NewReader(src)
	consumed := func() int { return len(raw) - src.Len() - br.Buffered() }

	req, err := http.ReadRequest(br)
	if err != nil {
		return fail("request", err)
	}
	if req.ContentLength < 0 || len(req.TransferEncoding) > 0 {
		return fail("request", errors.New("a fixture's request must have a Content-Length header (chunked bodies are not stored)"))
	}
	ex.RequestBody, err = io.ReadAll(req.Body)
	if err != nil {
		return fail("request", fmt.Errorf("body shorter than its Content-Length %d: %w", req.ContentLength, err))
	}
	ex.RequestText = string(raw[:consumed()])
	ex.Request = req
	ex.resetRequestBody()

	respStart := consumed()
	for respStart < len(raw) && (raw[respStart] == '\n' || raw[respStart] == '\r') {
		respStart++
	}
	if respStart == len(raw) {
		return fail("response", errors.New("no response after the request (or the request's Content-Length is larger than its body)"))
	}
	if !bytes.HasPrefix(raw[respStart:], []byte("HTTP/")) {
		line, _, _ := bytes.Cut(raw[respStart:], []byte("\n"))
		return fail("response", fmt.Errorf("expected a status line after the request body, found %q: the request's Content-Length does not match its body", excerpt.Cut(string(line), 60)))
	}
	src = bytes.NewReader(raw[respStart:])
	br = bufio.NewReader(src)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail("response", err)
	}
	// The body reads from raw, in memory: closing it frees nothing and can only repeat an
	// error ReadAll reports, so its error is not checked. It is closed all the same, and
	// ex.Response gets http.NoBody, the bytes being in ex.ResponseBody.
	if resp.ContentLength < 0 || len(resp.TransferEncoding) > 0 {
		_ = resp.Body.Close()
		return fail("response", errors.New("a fixture's response must have a Content-Length header (chunked bodies are not stored)"))
	}
	ex.ResponseBody, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fail("response", fmt.Errorf("body shorter than its Content-Length %d: %w", resp.ContentLength, err))
	}
	resp.Body = http.NoBody
	ex.Response = resp
	end := respStart + (len(raw[respStart:]) - src.Len() - br.Buffered())
	if rest := raw[end:]; len(bytes.TrimSpace(rest)) > 0 {
		return fail("response", fmt.Errorf("%d bytes after the response body of Content-Length %d: the Content-Length is smaller than the body", len(bytes.TrimRight(rest, " \r\n")), resp.ContentLength))
	}
	ex.ResponseText = string(raw[respStart:end])
	return ex, nil
}

// sameParse reports how ParseExchange and parseExchangeUnpooled differ on raw, "" when they
// agree.
func sameParse(raw []byte) string {
	got, gotErr := ParseExchange("x", raw)
	want, wantErr := parseExchangeUnpooled("x", raw)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return fmt.Sprintf("error %v, before %v", gotErr, wantErr)
	case gotErr != nil:
		if gotErr.Error() != wantErr.Error() {
			return fmt.Sprintf("error %q, before %q", gotErr, wantErr)
		}
		return ""
	case !sameExchange(got, want):
		return fmt.Sprintf("exchange\n%#v\nbefore\n%#v", comparableExchange(got), comparableExchange(want))
	}
	a, _ := io.ReadAll(got.Request.Body)
	b, _ := io.ReadAll(want.Request.Body)
	if !bytes.Equal(a, b) {
		return fmt.Sprintf("request body %q, before %q", a, b)
	}
	return ""
}

func parseSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, dir := range []string{"exchanges", "flagged", "verifygolden"} {
		paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.http"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, raw)
		}
	}
	long := bytes.Repeat([]byte("a"), 5000)
	out = append(out,
		[]byte("GET / HTTP/1.1\nX-Long: "+string(long)+"\nContent-Length: 0\n\nHTTP/1.1 200 OK\nContent-Length: 0\n\n"),
		[]byte("POST / HTTP/1.1\nContent-Length: 5000\n\n"+string(long)+"HTTP/1.1 200 OK\nContent-Length: 5000\n\n"+string(long)),
		[]byte("POST / HTTP/1.1\nContent-Length: 6000\n\n"+string(long)),
		[]byte("POST / HTTP/1.1\nContent-Length: 2\n\n{}HTTP/1.1 200 OK\nContent-Length: 9\n\n{}"),
		[]byte("POST / HTTP/1.1\nContent-Length: 2\n\n{}\n\nHTTP/1.1 200 OK\nContent-Length: 1\n\n{}  "),
		[]byte(""), []byte("\n"), []byte("GET / HTTP/1.1\n\n"))
	return out
}

func TestParseExchangePooledAsBefore(t *testing.T) {
	seeds := parseSeeds(t)
	for i, raw := range seeds {
		if d := sameParse(raw); d != "" {
			t.Errorf("seed %d: %s", i, d)
		}
		// Every prefix too: the errors of truncated fixtures.
		for n := 0; n < len(raw); n += 1 + len(raw)/50 {
			if d := sameParse(raw[:n]); d != "" {
				t.Errorf("seed %d cut at %d: %s", i, n, d)
			}
		}
	}
}

func FuzzParseExchangePooled(f *testing.F) {
	for _, raw := range parseSeeds(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if d := sameParse(raw); d != "" {
			t.Fatal(d)
		}
	})
}
