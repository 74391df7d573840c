package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The dependency direction of DESIGN.md: ui → app ← data, main wires.
// TestLayout fails when a package reaches across it.

// layoutRule forbids the packages under a tree from depending on others.
type layoutRule struct {
	tree   string   // the packages it applies to: this path and those under it
	forbid []string // import paths (and what is under them) they may not depend on
	why    string
}

var layoutRules = []layoutRule{
	{
		tree:   "hms/app",
		forbid: []string{"fyne.io", "database/sql", "github.com/mattn/go-sqlite3", "github.com/jackc/pgx", "hms/data", "hms/ui"},
		why:    "the domain imports neither Fyne, nor SQL, nor the packages that use it",
	},
	{
		tree:   "hms/ui",
		forbid: []string{"hms/data", "database/sql", "github.com/mattn/go-sqlite3", "github.com/jackc/pgx"},
		why:    "the UI works on app interfaces; only main knows the data package",
	},
	{
		tree:   "hms/ui/cli",
		forbid: []string{"fyne.io"},
		why:    "the command line runs without a display",
	},
	{
		tree:   "hms/data",
		forbid: []string{"fyne.io", "hms/ui"},
		why:    "storage knows nothing of screens",
	},
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

func under(pkg, tree string) bool {
	return pkg == tree || strings.HasPrefix(pkg, tree+"/")
}

func TestLayout(t *testing.T) {
	pkgs := goList(t, "-e", "-f", "{{.ImportPath}}", "./...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	// Each rule's tree must exist, or a renamed package would slip past it.
	for _, rule := range layoutRules {
		found := false
		for _, p := range pkgs {
			found = found || under(p, rule.tree)
		}
		if !found {
			t.Errorf("no package under %s: update layoutRules", rule.tree)
		}
	}
	for _, rule := range layoutRules {
		for _, pkg := range pkgs {
			if !under(pkg, rule.tree) {
				continue
			}
			for _, dep := range goList(t, "-deps", pkg) {
				for _, bad := range rule.forbid {
					if under(dep, bad) {
						t.Errorf("%s depends on %s: %s", pkg, dep, rule.why)
					}
				}
			}
		}
	}

	// Direct imports, tests included: only main imports fyne.io/fyne/v2/app.
	lines := goList(t, "-e", "-f", `{{.ImportPath}}|{{join .Imports ","}},{{join .TestImports ","}},{{join .XTestImports ","}}`, "./...")
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, "|")
		if pkg == "hms" {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if imp == fyneAppPkg {
				t.Errorf("%s imports %s: only main may (tests use fyne.io/fyne/v2/test)", pkg, fyneAppPkg)
			}
		}
	}
}
