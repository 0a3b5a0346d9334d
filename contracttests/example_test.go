package contracttests_test

import (
	"fmt"
	"log"

	"github.com/partnercenter-go/productupgrades/contracttests"
)

// A fixture is written with Format and read back with ParseFiles (LoadFile reads the same two
// files from disk, FixturePaths names them). Here the exchange's two messages are masked
// HTTP/1.1 text, as package record produces them, and its Meta says where they come from.
func ExampleFormat() {
	ex := &contracttests.Exchange{
		Name: "0001-check-product-upgrade-eligibility-200",
		RequestText: "POST /v1/productupgrades/eligibility HTTP/1.1\n" +
			"Host: api.partnercenter.microsoft.com\n" +
			"Authorization: Bearer <redacted>\n" +
			"Content-Type: application/json\n" +
			"Content-Length: 77\n" +
			"\n" +
			`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`,
		ResponseText: "HTTP/1.1 200 OK\n" +
			"Content-Type: application/json\n" +
			"Content-Length: 95\n" +
			"\n" +
			`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure","isEligible":true}`,
		Meta: &contracttests.Meta{
			Title:     "Recorded POST /v1/productupgrades/eligibility: 200",
			Operation: "CheckProductUpgradeEligibility",
			Request:   contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: "staging"},
			Response:  contracttests.Provenance{Origin: contracttests.OriginRecorded, Source: "staging"},
			Expect:    contracttests.Expect{Status: 200},
		},
	}
	fixture, sidecar, err := contracttests.Format(ex)
	if err != nil {
		log.Fatal(err)
	}
	fixturePath, sidecarPath := contracttests.FixturePaths("recorded", ex.Name)
	fmt.Printf("== %s\n%s== %s\n%s", fixturePath, fixture, sidecarPath, sidecar)

	back, err := contracttests.ParseFiles(ex.Name, fixture, sidecar)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("== parsed back:", back.Request.Method, back.Request.URL, back.Response.StatusCode, back.Response.Header.Get("Content-Type"), back.Meta.Operation)
	// Output:
	// == recorded/0001-check-product-upgrade-eligibility-200.http
	// POST /v1/productupgrades/eligibility HTTP/1.1
	// Host: api.partnercenter.microsoft.com
	// Authorization: Bearer <redacted>
	// Content-Type: application/json
	// Content-Length: 77
	//
	// {"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}
	//
	// HTTP/1.1 200 OK
	// Content-Type: application/json
	// Content-Length: 95
	//
	// {"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure","isEligible":true}
	// == recorded/0001-check-product-upgrade-eligibility-200.json
	// {
	//   "title": "Recorded POST /v1/productupgrades/eligibility: 200",
	//   "operation": "CheckProductUpgradeEligibility",
	//   "request": {
	//     "origin": "recorded",
	//     "source": "staging"
	//   },
	//   "response": {
	//     "origin": "recorded",
	//     "source": "staging"
	//   },
	//   "expect": {
	//     "status": 200
	//   }
	// }
	// == parsed back: POST /v1/productupgrades/eligibility 200 application/json CheckProductUpgradeEligibility
}
