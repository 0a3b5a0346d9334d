package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goPackage is the part of `go list -json` the rules read.
type goPackage struct {
	ImportPath     string
	Dir            string
	Imports        []string // of the non-test files that build here
	IgnoredGoFiles []string // files excluded by build constraints, test files included
	Module         *struct {
		Path string
		Main bool
	}
}

// graph is the import graph of the main module's packages and everything they depend on.
type graph struct {
	module string                // the main module's path
	pkgs   map[string]*goPackage // by import path
	own    []string              // the main module's packages, sorted
}

func (g *graph) path(rel string) string { return g.module + "/" + rel }

func (g *graph) isUnder(pkg, rel string) bool {
	p := g.path(rel)
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

// chain returns the shortest import chain from pkg to dep ("a → b → dep"), or nil when pkg does
// not depend on dep.
func (g *graph) chain(pkg, dep string) []string {
	prev := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == dep {
			var c []string
			for ; p != ""; p = prev[p] {
				c = append(c, p)
			}
			slices.Reverse(c)
			return c
		}
		if gp := g.pkgs[p]; gp != nil {
			for _, imp := range gp.Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = p
					queue = append(queue, imp)
				}
			}
		}
	}
	return nil
}

// loadGraph runs `go list -deps -json` on the main module's packages.
func loadGraph(t *testing.T) *graph {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v); the layering rules are checked where it is", err)
	}
	gomod, err := exec.Command(gobin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))

	cmd := exec.Command(gobin, "list", "-deps",
		"-json=ImportPath,Dir,Imports,IgnoredGoFiles,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./... in %s: %v\n%s", root, err, stderr.Bytes())
	}

	g := &graph{pkgs: map[string]*goPackage{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(goPackage)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list -json: %v", err)
		}
		g.pkgs[p.ImportPath] = p
		if p.Module != nil && p.Module.Main {
			g.module = p.Module.Path
			g.own = append(g.own, p.ImportPath)
		}
	}
	slices.Sort(g.own)

	// A renamed module or package must not make the rules pass by checking nothing.
	for _, rel := range []string{"client", "fake", "record", "cmd/pcupgrade"} {
		if g.pkgs[g.path(rel)] == nil {
			t.Fatalf("go list found no package %s among the module's packages %v", g.path(rel), g.own)
		}
	}
	return g
}

// nonTestImports returns what p's non-test files import, including files that build
// constraints exclude here (an `//go:build integration` file, say), so that a tag cannot hide an
// import from the rules.
func nonTestImports(t *testing.T, p *goPackage) []string {
	t.Helper()
	imports := slices.Clone(p.Imports)
	for _, name := range p.IgnoredGoFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", name, spec.Path.Value, err)
			}
			imports = append(imports, path)
		}
	}
	return imports
}

func TestOnlyTheCommandLineImportsClient(t *testing.T) {
	g := loadGraph(t)
	client := g.path("client")
	for _, pkg := range g.own {
		if g.isUnder(pkg, "cmd") {
			continue
		}
		if slices.Contains(nonTestImports(t, g.pkgs[pkg]), client) {
			t.Errorf("%s imports %s; only packages under %s may (the client is what services import, not a layer of this module)",
				pkg, client, g.path("cmd/"))
		}
	}
}

func TestNoNonTestFileImportsHTTPTest(t *testing.T) {
	g := loadGraph(t)
	for _, pkg := range g.own {
		if slices.Contains(nonTestImports(t, g.pkgs[pkg]), "net/http/httptest") {
			t.Errorf("%s imports net/http/httptest in a non-test file; test servers belong in _test.go files", pkg)
		}
	}
}

func TestFakeAndRecordLinkNeitherClientNorHTTPTest(t *testing.T) {
	g := loadGraph(t)
	for _, rel := range []string{"fake", "record"} {
		for _, dep := range []string{g.path("client"), "net/http/httptest"} {
			if c := g.chain(g.path(rel), dep); c != nil {
				t.Errorf("%s depends on %s: %s", g.path(rel), dep, strings.Join(c, " → "))
			}
		}
	}
}

func TestClientDoesNotLinkSpec(t *testing.T) {
	g := loadGraph(t)
	if c := g.chain(g.path("client"), g.path("spec")); c != nil {
		t.Errorf("%s depends on %s: %s; the client repeats the spec's operation names (Op constants, "+
			"checked by a client test) so that programs using it do not link the OpenAPI parser",
			g.path("client"), g.path("spec"), strings.Join(c, " → "))
	}
}

func TestFakeDoesNotLinkContractTests(t *testing.T) {
	g := loadGraph(t)
	if c := g.chain(g.path("fake"), g.path("contracttests")); c != nil {
		t.Errorf("%s depends on %s: %s; the fake routes and validates with %s",
			g.path("fake"), g.path("contracttests"), strings.Join(c, " → "), g.path("spec"))
	}
}

func TestSpecLinksNoLayerAboveIt(t *testing.T) {
	g := loadGraph(t)
	if g.pkgs[g.path("spec")] == nil {
		t.Fatalf("go list found no package %s among the module's packages %v", g.path("spec"), g.own)
	}
	for _, rel := range []string{"client", "gen", "contracttests", "fake", "record"} {
		if c := g.chain(g.path("spec"), g.path(rel)); c != nil {
			t.Errorf("%s depends on %s: %s", g.path("spec"), g.path(rel), strings.Join(c, " → "))
		}
	}
	if c := g.chain(g.path("spec"), "net/http/httptest"); c != nil {
		t.Errorf("%s depends on net/http/httptest: %s", g.path("spec"), strings.Join(c, " → "))
	}
}

func TestTestkitIsImportedOnlyByTests(t *testing.T) {
	g := loadGraph(t)
	testkit := g.path("internal/testkit")
	if g.pkgs[testkit] == nil {
		t.Fatalf("go list found no package %s among the module's packages %v", testkit, g.own)
	}
	for _, pkg := range g.own {
		if pkg == testkit {
			continue
		}
		if slices.Contains(nonTestImports(t, g.pkgs[pkg]), testkit) {
			t.Errorf("%s imports %s in a non-test file; only _test.go files may", pkg, testkit)
		} else if c := g.chain(pkg, testkit); c != nil {
			t.Errorf("%s depends on %s: %s; only _test.go files may", pkg, testkit, strings.Join(c, " → "))
		}
	}
}

func TestTestkitLinksNeitherClientNorHTTPTest(t *testing.T) {
	g := loadGraph(t)
	testkit := g.path("internal/testkit")
	if g.pkgs[testkit] == nil {
		t.Fatalf("go list found no package %s among the module's packages %v", testkit, g.own)
	}
	for _, dep := range []string{g.path("client"), "net/http/httptest"} {
		if slices.Contains(nonTestImports(t, g.pkgs[testkit]), dep) {
			t.Errorf("%s imports %s", testkit, dep)
		} else if c := g.chain(testkit, dep); c != nil {
			t.Errorf("%s depends on %s: %s", testkit, dep, strings.Join(c, " → "))
		}
	}
}
