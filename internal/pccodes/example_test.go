package pccodes_test

import (
	"fmt"

	"github.com/partnercenter-go/productupgrades/internal/pccodes"
)

// The fake writes a service error's description from the table; the client reads from the
// table where that description names the upgrade.
func ExampleCode_Format() {
	c, _ := pccodes.Lookup(900111)
	fmt.Println(c.Status, c.Name)
	fmt.Println(c.Format("4c721420-72ad-4708-a0a7-371a2f7b0969", "42d075a4-bfe7-43e7-af6d-7c68a57edcb4"))
	pos, _ := pccodes.UpgradeIDAt("900111")
	fmt.Printf("the upgrade is placeholder %d of %d\n", pos.Arg, pos.Args)
	// Output:
	// 400 UpgradeNotForCustomer
	// The upgrade ID provided does not belong to customer 4c721420-72ad-4708-a0a7-371a2f7b0969. The customer is mapped to upgrade Id 42d075a4-bfe7-43e7-af6d-7c68a57edcb4
	// the upgrade is placeholder 1 of 2
}
