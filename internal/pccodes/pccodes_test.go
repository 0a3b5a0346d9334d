package pccodes_test

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/partnercenter-go/productupgrades/internal/pccodes"
	"github.com/partnercenter-go/productupgrades/spec"
)

func TestTableIsWellFormed(t *testing.T) {
	all := pccodes.All()
	if len(all) == 0 {
		t.Fatal("the table is empty")
	}
	names := map[string]int{}
	for i, c := range all {
		if i > 0 && all[i-1].Number >= c.Number {
			t.Errorf("%d follows %d: the table must be in ascending order, each code once", c.Number, all[i-1].Number)
		}
		if c.Number < 100000 || c.Number > 999999 {
			t.Errorf("%d: a Partner Center error code has six digits", c.Number)
		}
		if c.Status < 400 || c.Status > 599 || http.StatusText(c.Status) == "" {
			t.Errorf("%d: status %d is not an HTTP error status", c.Number, c.Status)
		}
		if !regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`).MatchString(c.Name) {
			t.Errorf("%d: name %q is not an exported Go name", c.Number, c.Name)
		}
		if other, dup := names[c.Name]; dup {
			t.Errorf("%d and %d are both named %q", other, c.Number, c.Name)
		}
		names[c.Name] = c.Number
		if strings.TrimSpace(c.Message) != c.Message || c.Message == "" {
			t.Errorf("%d: message %q is empty or padded", c.Number, c.Message)
		}
		if c.UpgradeID != "" {
			if _, ok := c.UpgradeIDArg(); !ok || !strings.Contains(c.Message, c.UpgradeID) {
				t.Errorf("%d: UpgradeID %q is not a placeholder of the message %q", c.Number, c.UpgradeID, c.Message)
			}
		}
		if got, ok := pccodes.Lookup(c.Number); !ok || got != c {
			t.Errorf("Lookup(%d) = %+v, %v; want %+v", c.Number, got, ok, c)
		}
	}
	if _, ok := pccodes.Lookup(900100); ok {
		t.Error("Lookup(900100) found a code the docs do not list")
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := pccodes.All()
	a[0].Message = "changed"
	if b := pccodes.All(); b[0].Message == "changed" {
		t.Error("changing All's result changed the table")
	}
}

func TestFormat(t *testing.T) {
	c := pccodes.Code{Message: "customer {0}. mapped to {1}; {x} {} {2"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "customer {0}. mapped to {1}; {x} {} {2"},
		{[]string{"A"}, "customer A. mapped to {1}; {x} {} {2"},
		{[]string{"A", "B"}, "customer A. mapped to B; {x} {} {2"},
		{[]string{"A", "B", "C"}, "customer A. mapped to B; {x} {} {2"},
		{[]string{"{1}", "B"}, "customer {1}. mapped to B; {x} {} {2"}, // arguments are not re-read
	} {
		if got := c.Format(tc.args...); got != tc.want {
			t.Errorf("Format(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestPlaceholdersAndUpgradeIDArg(t *testing.T) {
	for _, tc := range []struct {
		c            pccodes.Code
		placeholders int
		arg          int
		ok           bool
	}{
		{pccodes.Code{Message: "none"}, 0, 0, false},
		{pccodes.Code{Message: "upgrade {0} runs", UpgradeID: "{0}"}, 1, 0, true},
		{pccodes.Code{Message: "customer {0}, upgrade {1}", UpgradeID: "{1}"}, 2, 1, true},
		{pccodes.Code{Message: "upgrade {1} only"}, 2, 0, false},
		{pccodes.Code{Message: "{0}", UpgradeID: "{0} "}, 1, 0, false},
		{pccodes.Code{Message: "{0}", UpgradeID: "0"}, 1, 0, false},
	} {
		if got := tc.c.Placeholders(); got != tc.placeholders {
			t.Errorf("%q: Placeholders() = %d, want %d", tc.c.Message, got, tc.placeholders)
		}
		if arg, ok := tc.c.UpgradeIDArg(); arg != tc.arg || ok != tc.ok {
			t.Errorf("%q, UpgradeID %q: UpgradeIDArg() = %d, %v; want %d, %v", tc.c.Message, tc.c.UpgradeID, arg, ok, tc.arg, tc.ok)
		}
	}
}

func TestUpgradeIDAtCoversTheCodesThatNameAnUpgrade(t *testing.T) {
	for _, c := range pccodes.All() {
		arg, named := c.UpgradeIDArg()
		pos, ok := pccodes.UpgradeIDAt(strconv.Itoa(c.Number))
		if ok != named || (ok && pos != (pccodes.IDPosition{Arg: arg, Args: c.Placeholders()})) {
			t.Errorf("UpgradeIDAt(%q) = %+v, %v; the table says the upgrade is placeholder %q of %q",
				strconv.Itoa(c.Number), pos, ok, c.UpgradeID, c.Message)
		}
	}
	for _, code := range []string{"", "900100", " 900109", "900109.0", "0900109"} {
		if pos, ok := pccodes.UpgradeIDAt(code); ok {
			t.Errorf("UpgradeIDAt(%q) = %+v, true; want false", code, pos)
		}
	}
	// The documented positions, spelled out, so that a wrong row cannot pass by agreeing
	// with itself.
	for code, want := range map[string]pccodes.IDPosition{
		"900109": {0, 1}, "900110": {0, 1}, "900111": {1, 2}, "900112": {0, 1}, "900113": {0, 1}, "900114": {0, 1},
	} {
		if got, ok := pccodes.UpgradeIDAt(code); !ok || got != want {
			t.Errorf("UpgradeIDAt(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
	}
}

// TestImportsOnlyTheStandardLibrary keeps the client light: it links this package.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v)", err)
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasSuffix(p, "/internal/pccodes") {
			t.Errorf("pccodes depends on %s; it may depend on the standard library only, since the client links it", p)
		}
	}
}

// TestCodeConstantsAreInTheTable finds the Code constants in the source of the client and
// the fake, so that a constant added without a table row fails here.
func TestCodeConstantsAreInTheTable(t *testing.T) {
	for _, pkg := range []struct {
		dir  string
		kind token.Token // of the constants' literals: the client's are strings, the fake's ints
		min  int         // constants there are today, so that a moved file cannot pass by checking nothing
	}{
		{"client", token.STRING, 7},
		{"fake", token.INT, 8},
	} {
		consts := codeConstants(t, filepath.Join("..", "..", pkg.dir))
		if len(consts) < pkg.min {
			t.Errorf("%s: found %d Code constants, want at least %d", pkg.dir, len(consts), pkg.min)
		}
		for _, k := range consts {
			where := fmt.Sprintf("%s: %s", k.pos, k.name)
			if k.lit.Kind != pkg.kind {
				t.Errorf("%s = %s: want a %s literal", where, k.lit.Value, pkg.kind)
				continue
			}
			text := k.lit.Value
			if k.lit.Kind == token.STRING {
				var err error
				if text, err = strconv.Unquote(text); err != nil {
					t.Errorf("%s = %s: %v", where, k.lit.Value, err)
					continue
				}
			}
			n, err := strconv.Atoi(text)
			if err != nil || strconv.Itoa(n) != text {
				t.Errorf("%s = %s: not a code number", where, k.lit.Value)
				continue
			}
			c, ok := pccodes.Lookup(n)
			if !ok {
				t.Errorf("%s = %s: code %d is not in internal/pccodes's table; add its row there", where, k.lit.Value, n)
				continue
			}
			if want := "Code" + c.Name; k.name != want {
				t.Errorf("%s = %s: the table names code %d %s, so the constant would be %s", where, k.lit.Value, n, c.Name, want)
			}
			if !strings.HasPrefix(k.comment, strconv.Itoa(c.Status)) {
				t.Errorf("%s = %s: its comment %q should start with the code's status, %d", where, k.lit.Value, k.comment, c.Status)
			}
		}
	}
}

type codeConst struct {
	pos     token.Position
	name    string
	lit     *ast.BasicLit
	comment string
}

// codeConstants returns the package-level constants named Code<Upper>... in the non-test Go
// files of dir. A constant whose value is not a literal is returned with an empty literal.
func codeConstants(t *testing.T, dir string) []codeConst {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	fset := token.NewFileSet()
	var out []codeConst
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !isCodeName(id.Name) {
						continue
					}
					k := codeConst{pos: fset.Position(id.Pos()), name: id.Name, lit: &ast.BasicLit{Kind: token.ILLEGAL, Value: "(not a literal)"}}
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
							k.lit = lit
						}
					}
					if vs.Comment != nil {
						k.comment = strings.TrimSpace(vs.Comment.Text())
					}
					out = append(out, k)
				}
			}
		}
	}
	return out
}

func isCodeName(s string) bool {
	return len(s) > len("Code") && strings.HasPrefix(s, "Code") && s[4] >= 'A' && s[4] <= 'Z'
}

// TestStatusesMatchTheSpec checks the table against the error responses the spec declares:
// every code a response names (in its description or its example's "code") is in the table,
// and the table's status is one of the statuses of the responses that name it. The example
// description of a response with the code's own status follows the code's message.
func TestStatusesMatchTheSpec(t *testing.T) {
	doc, err := spec.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	codeInText := regexp.MustCompile(`\b[89]00\d{3}\b`)
	statuses := map[int][]int{} // code → the statuses of the responses that name it
	type example struct {
		where       string
		status      int
		description string
	}
	examples := map[int][]example{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for key, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(key)
				if err != nil || ref.Value == nil || status < 400 {
					continue // default, 2xx
				}
				where := fmt.Sprintf("%s %s %s", method, path, key)
				r := ref.Value
				if r.Description != nil {
					for _, m := range codeInText.FindAllString(*r.Description, -1) {
						n, _ := strconv.Atoi(m)
						statuses[n] = append(statuses[n], status)
					}
				}
				for _, mt := range r.Content {
					body, ok := mt.Example.(map[string]any)
					if !ok {
						continue
					}
					n, ok := exampleCode(body["code"])
					if !ok || n < 100000 { // 408, 502, 504: the status as the code
						continue
					}
					statuses[n] = append(statuses[n], status)
					desc, _ := body["description"].(string)
					examples[n] = append(examples[n], example{where, status, desc})
				}
			}
		}
	}
	if len(statuses) < 10 {
		t.Fatalf("found only %d codes in the spec's error responses: %v", len(statuses), statuses)
	}
	for n, ss := range statuses {
		slices.Sort(ss)
		ss = slices.Compact(ss)
		c, ok := pccodes.Lookup(n)
		if !ok {
			t.Errorf("the spec's error responses name code %d (statuses %v); it is not in the table", n, ss)
			continue
		}
		if !slices.Contains(ss, c.Status) {
			t.Errorf("code %d: the table says status %d, the spec names it only in responses %v", n, c.Status, ss)
		}
		for _, ex := range examples[n] {
			if ex.status == c.Status && !matches(c.Message, ex.description) {
				t.Errorf("%s: example description %q does not follow code %d's message %q", ex.where, ex.description, n, c.Message)
			}
		}
	}
}

func exampleCode(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		return int(v), v == float64(int(v))
	case int:
		return v, true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}

// matches reports whether text is message with each placeholder filled by some non-empty text.
func matches(message, text string) bool {
	var re bytes.Buffer
	re.WriteString("^")
	for i, part := range regexp.MustCompile(`\{\d+\}`).Split(message, -1) {
		if i > 0 {
			re.WriteString(".+")
		}
		re.WriteString(regexp.QuoteMeta(part))
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(text)
}
