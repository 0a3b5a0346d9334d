package contracttests_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/partnercenter-go/productupgrades/contracttests"
)

// VerifyTo hands each Result, in order, to a sink as soon as it is ready; a ReportWriter as
// the sink writes the report as it goes, so a run over any number of fixtures keeps only a few
// results in memory. Close writes the summary (for JUnit: the whole document, totals first).
func ExampleVerifier_VerifyTo() {
	ctx := context.Background()
	v, err := contracttests.NewVerifier(ctx)
	if err != nil {
		log.Fatal(err)
	}
	rw := contracttests.NewTextReportWriter(os.Stdout)
	dir := filepath.Join("testdata", "exchanges")
	err = v.VerifyTo(ctx, rw.Write, filepath.Join(dir, "create-202.http"), filepath.Join(dir, "eligibility-200.http"))
	if err != nil {
		rw.Abort()
		log.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("passed:", rw.Passed())
	// Output:
	// ok    create-202 (testdata/exchanges/create-202.http): CreateProductUpgrade
	// ok    eligibility-200 (testdata/exchanges/eligibility-200.http): CheckProductUpgradeEligibility
	// 2 exchange(s): 2 passed, 0 failed with 0 violation(s), 0 unreadable
	// passed: true
}

// A JUnit report written as the results arrive is the document Report.WriteJUnit writes.
func ExampleNewJUnitReportWriter() {
	ctx := context.Background()
	v, err := contracttests.NewVerifier(ctx)
	if err != nil {
		log.Fatal(err)
	}
	rw := contracttests.NewJUnitReportWriter(os.Stdout)
	if err := v.VerifyTo(ctx, rw.Write, filepath.Join("testdata", "exchanges", "create-202.http")); err != nil {
		rw.Abort()
		log.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="pcupgrade verify" tests="1" failures="0" errors="0">
	//   <testsuite name="contract" tests="1" failures="0" errors="0">
	//     <testcase name="create-202" classname="contract.CreateProductUpgrade" file="testdata/exchanges/create-202.http"></testcase>
	//   </testsuite>
	// </testsuites>
}
