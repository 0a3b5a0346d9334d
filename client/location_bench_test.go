package client

import "testing"

// Micro-benchmarks of the create's Location handling (issue 12): the parse of the docs'
// relative form and the scrub of the token from it, as createUpgrade does both per call.
//
//	go test -run XXX -bench 'ParseLocation|ScrubLocation' ./client/

const benchLocation = "productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4"

func BenchmarkParseLocation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, le := parseLocation(benchLocation); le != nil {
			b.Fatal(le)
		}
	}
}

func BenchmarkScrubLocation(b *testing.B) {
	rd := newRedactor("bench-token")
	b.ReportAllocs()
	for b.Loop() {
		if rd.scrub(benchLocation) != benchLocation {
			b.Fatal("changed")
		}
	}
}

// BenchmarkScrubLocationJWT is the scrub with a token of a real access token's length,
// which the fragment search looks for in pieces.
func BenchmarkScrubLocationJWT(b *testing.B) {
	tok := "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ" + ".c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"
	rd := newRedactor(tok)
	b.ReportAllocs()
	for b.Loop() {
		if rd.scrub(benchLocation) != benchLocation {
			b.Fatal("changed")
		}
	}
}
