package contracttests

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseExchange feeds the fixture parser arbitrary text, seeded with every fixture in
// testdata and a few near misses. The parser must never panic; what it accepts must be
// consistent (bodies of exactly their Content-Length) and must go through the spec checks
// that `pcupgrade verify` runs without panicking either. And the format goes both ways: what
// it accepts, formatted, parses again into the same exchange (sameExchange: every parsed
// field of the request and the response, both texts and bodies, deep-equal), and formatting
// that again gives the same bytes.
//
// Run it with `make fuzz`; a crash it finds is saved under testdata/fuzz/FuzzParseExchange
// and from then on runs with every `go test` as a regression test.
func FuzzParseExchange(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(exchangesDir, "*.http"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed fixtures in %s: %v", exchangesDir, err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{
		"",
		"\n\n",
		"GET / HTTP/1.1\nContent-Length: 0\n\n",
		"GET / HTTP/1.1\nContent-Length: 0\n\nHTTP/1.1 200 OK\nContent-Length: 0\n\n",
		"POST /v1/productupgrades HTTP/1.1\nContent-Length: 2\n\n{}\nHTTP/1.1 202 Accepted\nContent-Length: 0\n\n",
		"POST /v1/productupgrades HTTP/1.1\nTransfer-Encoding: chunked\n\n0\n\n",
		"GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
	} {
		f.Add([]byte(s))
	}
	sc := specChecker(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		ex, err := ParseExchange("fuzz", raw)
		if err != nil {
			if ex != nil {
				t.Fatalf("an error and an exchange: %v", err)
			}
			return
		}
		if ex.Request == nil || ex.Response == nil {
			t.Fatal("parsed without a request or a response")
		}
		if int64(len(ex.RequestBody)) != ex.Request.ContentLength {
			t.Fatalf("request body %d bytes, Content-Length %d", len(ex.RequestBody), ex.Request.ContentLength)
		}
		if int64(len(ex.ResponseBody)) != ex.Response.ContentLength && ex.Request.Method != http.MethodHead {
			t.Fatalf("response body %d bytes, Content-Length %d", len(ex.ResponseBody), ex.Response.ContentLength)
		}
		fixture, sidecar, err := Format(ex)
		if err != nil {
			t.Fatalf("Format of a parsed exchange: %v", err)
		}
		if sidecar != nil {
			t.Fatalf("a sidecar for an exchange without Meta: %q", sidecar)
		}
		back, err := ParseFiles(ex.Name, fixture, nil)
		if err != nil {
			t.Fatalf("Format's output does not parse: %v\n%q", err, fixture)
		}
		if !sameExchange(ex, back) {
			t.Fatalf("Parse(Format(x)) != x\nx:    %#v\nback: %#v", comparableExchange(ex), comparableExchange(back))
		}
		again, _, err := Format(back)
		if err != nil || !bytes.Equal(again, fixture) {
			t.Fatalf("Format(Parse(Format(x))) != Format(x): %v\n%q\n%q", err, fixture, again)
		}
		_ = NewVerifierFor(sc).VerifyExchange(context.Background(), ex)
	})
}
