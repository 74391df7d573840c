package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The dependency direction of DESIGN.md: ui → app ← data, main wires; the
// sync engine (data/sync) builds on data, and the clock it shares with
// data and the server (data/sync/hlc) builds on nothing of the project.
// TestLayout fails when a package reaches across it.

// layoutRule forbids the packages a pattern matches from depending on
// others. A pattern is an import path, "…/..." for the path and every
// package under it.
type layoutRule struct {
	tree   string   // the packages it applies to
	except []string // packages of tree it does not apply to
	forbid []string // what they may not depend on
	// tests: the packages' tests may not import what is forbidden either.
	tests bool
	why   string
}

var layoutRules = []layoutRule{
	{
		tree:   "hms/app/...",
		forbid: []string{"fyne.io/...", "database/sql/...", "github.com/mattn/go-sqlite3/...", "github.com/jackc/pgx/...", "hms/data/...", "hms/ui/..."},
		why:    "the domain imports neither Fyne, nor SQL, nor the packages that use it",
	},
	{
		tree:   "hms/ui/...",
		forbid: []string{"hms/data/...", "database/sql/...", "github.com/mattn/go-sqlite3/...", "github.com/jackc/pgx/..."},
		why:    "the UI works on app interfaces; only main knows the data package",
	},
	{
		tree:   "hms/ui/cli/...",
		forbid: []string{"fyne.io/..."},
		why:    "the command line runs without a display",
	},
	{
		tree:   "hms/data/...",
		forbid: []string{"fyne.io/...", "hms/ui/..."},
		why:    "storage knows nothing of screens",
	},
	{
		tree:   "hms/data/...",
		except: []string{"hms/data/sync"},
		forbid: []string{"hms/data/sync"},
		tests:  true,
		why:    "the sync engine builds on the desk's database and the server's client, never the other way round: only main wires it",
	},
	{
		tree:   "hms/data/sync/hlc",
		forbid: []string{"hms/..."},
		tests:  true,
		why:    "the clock and the operation are a leaf that the database, the engine and the server share",
	},
}

// layoutArrows are direct imports that must be there: the arrows the
// layout draws, which a refactoring must not quietly drop.
var layoutArrows = map[string][]string{
	"hms/data/sync":        {"hms/data", "hms/data/sync/hlc", "hms/data/sync/server"},
	"hms/data":             {"hms/data/sync/hlc"},
	"hms/data/sync/server": {"hms/data/sync/hlc"},
}

// fyneAppPkg may be imported by main alone: then ui tests build without cgo
// or a display.
const fyneAppPkg = "fyne.io/fyne/v2/app"

func goTool(t *testing.T) string {
	t.Helper()
	// go test puts its own GOROOT/bin first on the PATH of the tests it
	// runs, so this finds the go command that runs them.
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	return p
}

// goList runs go list with the sqlite_fts5 tag and returns its output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list", "-tags", "sqlite_fts5"}, args...)...)
	b, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("go list %s: %s", strings.Join(args, " "), msg)
	}
	return strings.Fields(string(b))
}

// matches reports whether pkg is one of the packages pattern names.
func matches(pkg, pattern string) bool {
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == tree || strings.HasPrefix(pkg, tree+"/")
	}
	return pkg == pattern
}

// applies reports whether rule applies to pkg.
func (rule layoutRule) applies(pkg string) bool {
	return matches(pkg, rule.tree) && !slices.ContainsFunc(rule.except, func(p string) bool { return matches(pkg, p) })
}

func TestLayout(t *testing.T) {
	pkgs := goList(t, "-e", "-f", "{{.ImportPath}}", "./...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	// Each rule's tree must exist, or a renamed package would slip past it.
	for _, rule := range layoutRules {
		if !slices.ContainsFunc(pkgs, rule.applies) {
			t.Errorf("no package matches %s: update layoutRules", rule.tree)
		}
	}
	for _, rule := range layoutRules {
		for _, pkg := range pkgs {
			if !rule.applies(pkg) {
				continue
			}
			for _, dep := range goList(t, "-deps", pkg) {
				for _, bad := range rule.forbid {
					if dep != pkg && matches(dep, bad) {
						t.Errorf("%s depends on %s: %s", pkg, dep, rule.why)
					}
				}
			}
		}
	}

	// Direct imports, tests included: only main imports fyne.io/fyne/v2/app;
	// the rules that say so hold for tests too; the arrows are there.
	lines := goList(t, "-e", "-f", `{{.ImportPath}}|{{join .Imports ","}}|{{join .TestImports ","}},{{join .XTestImports ","}}`, "./...")
	for _, line := range lines {
		parts := strings.Split(line, "|")
		pkg, imports, testImports := parts[0], strings.Split(parts[1], ","), strings.Split(parts[2], ",")
		for _, imp := range append(slices.Clone(imports), testImports...) {
			if imp == fyneAppPkg && pkg != "hms" {
				t.Errorf("%s imports %s: only main may (tests use fyne.io/fyne/v2/test)", pkg, fyneAppPkg)
			}
		}
		for _, rule := range layoutRules {
			if !rule.tests || !rule.applies(pkg) {
				continue
			}
			for _, imp := range testImports {
				for _, bad := range rule.forbid {
					if imp != pkg && imp != "" && matches(imp, bad) {
						t.Errorf("the tests of %s import %s: %s", pkg, imp, rule.why)
					}
				}
			}
		}
		for _, want := range layoutArrows[pkg] {
			if !slices.Contains(imports, want) {
				t.Errorf("%s no longer imports %s: update the layout (layoutArrows, README.md, docs)", pkg, want)
			}
		}
	}
	for pkg := range layoutArrows {
		if !slices.Contains(pkgs, pkg) {
			t.Errorf("no package %s: update layoutArrows", pkg)
		}
	}
}
