package client

import (
	"strconv"
	"strings"
	"testing"

	"github.com/partnercenter-go/productupgrades/internal/guid"
	"github.com/partnercenter-go/productupgrades/internal/pccodes"
	"github.com/partnercenter-go/productupgrades/internal/testkit"
)

// TestUpgradeIDInFollowsTheTable ties upgradeIDIn to the table in internal/pccodes: for every
// code, the description written from the code's documented message, each placeholder a
// different GUID, yields the placeholder the table names as the upgrade, and nothing for a
// code whose message names none. A row added to the table with an upgrade id that
// upgradeIDIn does not read fails here.
func TestUpgradeIDInFollowsTheTable(t *testing.T) {
	t.Parallel()
	for _, c := range pccodes.All() {
		code := strconv.Itoa(c.Number)
		args := make([]string, max(c.Placeholders(), 1))
		for i := range args {
			args[i] = testkit.GUID(uint64(c.Number)*10 + uint64(i))
		}
		desc := c.Format(args...)
		want := ""
		if arg, ok := c.UpgradeIDArg(); ok {
			want = args[arg]
		}
		if got := upgradeIDIn(code, desc); got != want {
			t.Errorf("upgradeIDIn(%s, %q) = %q, want %q (the table's upgrade placeholder is %q)", code, desc, got, want, c.UpgradeID)
		}
		// The reading must not depend on the wording, which changed between 2020 and 2023.
		if got := upgradeIDIn(code, "changed wording: "+strings.Join(args, ", then ")); got != want {
			t.Errorf("upgradeIDIn(%s) on other wording = %q, want %q", code, got, want)
		}
	}
}

// upgradeIDByCodeList is how upgradeIDIn read descriptions before it read the table: its own
// list of codes. It is kept as an oracle: the table must answer alike
// (TestUpgradeIDInAnswersAsTheCodeList) and cost about the same (BenchmarkUpgradeIDIn).
func upgradeIDByCodeList(code, desc string) string {
	switch code {
	case CodeUpgradeInProgress, CodeUpgradeCompleted, "900112", "900113", "900114":
		if ids := guid.FindAll(desc); len(ids) > 0 && !guid.IsNil(ids[0]) {
			return ids[0]
		}
	case CodeUpgradeNotForCustomer:
		if ids := guid.FindAll(desc); len(ids) >= 2 && !guid.IsNil(ids[len(ids)-1]) {
			return ids[len(ids)-1]
		}
	}
	return ""
}

// upgradeIDCases are error codes and descriptions of every kind: each code the table knows
// (its message filled with none, one, two and three GUIDs, the nil GUID among them), codes
// it does not know, and the wordings the client has seen.
func upgradeIDCases() [][2]string {
	const a, b, c = "42d075a4-bfe7-43e7-af6d-7c68a57edcb4", "4c721420-72ad-4708-a0a7-371a2f7b0969", "6f7e1a43-52c1-4e8f-9d0a-31b5c2e8a7d4"
	fills := [][]string{nil, {a}, {b, a}, {a, b, c}, {guid.NilString}, {b, guid.NilString}, {guid.NilString, a}}
	var out [][2]string
	codes := []string{"", "900100", "0900109", "900109.0", " 900109", "abc"}
	for _, row := range pccodes.All() {
		codes = append(codes, strconv.Itoa(row.Number))
	}
	for _, code := range codes {
		n, _ := strconv.Atoi(strings.TrimSpace(code))
		row, _ := pccodes.Lookup(n)
		msg := row.Message
		if msg == "" {
			msg = "upgrade {0} of customer {1}"
		}
		for _, f := range fills {
			out = append(out,
				[2]string{code, (pccodes.Code{Message: msg}).Format(f...)},
				[2]string{code, strings.Join(f, " ")},
				[2]string{code, "upgrade " + strings.ToUpper(strings.Join(f, "/")) + "."})
		}
	}
	return out
}

func TestUpgradeIDInAnswersAsTheCodeList(t *testing.T) {
	t.Parallel()
	found := 0
	for _, tc := range upgradeIDCases() {
		want := upgradeIDByCodeList(tc[0], tc[1])
		if got := upgradeIDIn(tc[0], tc[1]); got != want {
			t.Errorf("code %q, description %q: upgradeIDIn = %q, the code list = %q", tc[0], tc[1], got, want)
		}
		if want != "" {
			found++
		}
	}
	if found < 50 {
		t.Errorf("only %d cases name an upgrade; the comparison would prove little", found)
	}
}

// BenchmarkUpgradeIDIn compares the table-reading upgradeIDIn with upgradeIDByCodeList (the
// baseline, its own switch) on the same descriptions: a 409 that names an upgrade, a 900111
// that names two ids, and a code that names none.
//
//	go test -run XXX -bench UpgradeIDIn ./client/
func BenchmarkUpgradeIDIn(b *testing.B) {
	cases := [][2]string{
		{CodeUpgradeInProgress, "This upgrade is not allowed as original upgrade 42d075a4-bfe7-43e7-af6d-7c68a57edcb4 is in progress"},
		{CodeUpgradeNotForCustomer, "The upgrade ID provided does not belong to customer 4c721420-72ad-4708-a0a7-371a2f7b0969. The customer is mapped to upgrade Id 42d075a4-bfe7-43e7-af6d-7c68a57edcb4"},
		{CodeInvalidRequestInput, "Invalid request input"},
	}
	for _, impl := range []struct {
		name string
		f    func(code, desc string) string
	}{{"switch", upgradeIDByCodeList}, {"table", upgradeIDIn}} {
		for _, tc := range cases {
			b.Run(impl.name+"/"+tc[0], func(b *testing.B) {
				for b.Loop() {
					_ = impl.f(tc[0], tc[1])
				}
			})
		}
	}
}
