package spec_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/productupgrades/spec"
)

// The Router finds operations as the service does, whatever the casing of the path, and
// plugs into kin-openapi wherever a routers.Router is wanted.
func ExampleRouter() {
	doc, err := spec.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	router, err := spec.NewRouter(doc)
	if err != nil {
		log.Fatal(err)
	}

	for _, target := range []string{
		"https://api.partnercenter.microsoft.com/v1/productUpgrades/42d075a4-bfe7-43e7-af6d-7c68a57edcb4/status",
		"http://127.0.0.1:8080/V1/ProductUpgrades/Eligibility",
		"https://api.partnercenter.microsoft.com/v1/upgrades",
	} {
		req, _ := http.NewRequest(http.MethodPost, target, nil)
		route, params, err := router.FindRoute(req)
		switch {
		case errors.Is(err, routers.ErrPathNotFound):
			fmt.Println("no operation:", req.URL.Path)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(route.Operation.OperationID, params)
		}
	}

	// Library middleware takes it as any routers.Router.
	_ = openapi3filter.NewValidator(router).Middleware(http.NotFoundHandler())
	// Output:
	// CheckProductUpgradeStatus map[upgradeId:42d075a4-bfe7-43e7-af6d-7c68a57edcb4]
	// CheckProductUpgradeEligibility map[]
	// no operation: /v1/upgrades
}

// A Validator checks a request, and the response to it, against the spec, each problem a
// Violation that says what the spec wants, what the message has and where the rule is written.
func ExampleValidator() {
	ctx := context.Background()
	v, err := spec.NewValidator(ctx)
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "https://api.partnercenter.microsoft.com/v1/productUpgrades",
		strings.NewReader(`{"customerId":"4c721420-72ad-4708-a0a7-371a2f7b0969","productFamily":"Azure"}`))
	req.Header.Set("Authorization", "Bearer <token>")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MS-RequestId", "c245d5f2-1de3-4ae0-9e42-95e38e3cb8ff")
	req.Header.Set("MS-CorrelationId", "not a GUID")

	for _, vio := range v.ValidateRequest(ctx, "create", req) {
		fmt.Println(vio.Rule, "at", vio.Where)
	}

	header := http.Header{}
	header.Set("MS-RequestId", "cb82f7d6-f0d9-44d4-82f9-f6eee6e68390")
	header.Set("MS-CorrelationId", "772871a9-399b-4f3b-b8c7-38f550e4f22a")
	for _, vio := range v.ValidateResponse(ctx, "create", req, http.StatusAccepted, header, nil) {
		fmt.Println(vio.Rule, "at", vio.Where, "["+vio.SpecLocation+"]")
	}
	// Output:
	// request.header.schema at header MS-CorrelationId
	// response.header.required at header Location [paths./v1/productupgrades.post.responses.202.headers.Location]
}
