package i18n

// Finding the strings the code hands to the translation layer, so that a
// test can hold every catalogue to them.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// keyFuncs are the names of the calls whose first argument is a key: the
// translator's methods (tr.T, tr.F), N and Nf, and the wrappers a package may
// define around its current translator (T, Tf).
var keyFuncs = map[string]bool{"T": true, "F": true, "Tf": true, "N": true, "Nf": true}

// errorFuncs are the constructors of the domain's errors (hms/app) whose
// format is a key, by the index of that argument: app.Errorf(code,
// format, …), app.FieldErrorf(field, format, …), and inside package app
// the same without "app." and its denied(format, …). fmt.Errorf's text is
// for logs and is no key.
var errorFuncs = map[string]int{"Errorf": 1, "FieldErrorf": 1}

// appErrorFuncs are errorFuncs's like within package app only.
var appErrorFuncs = map[string]int{"Errorf": 1, "FieldErrorf": 1, "denied": 0}

// ScanKeys walks the Go files under root, tests and testdata aside, and
// returns every key the code passes as a literal to T, F, Tf or N (as a
// function or a method) and every format of an app error (errorFuncs),
// with the places ("ui/login.go:42") it is used.
// A key built at run time cannot be checked here; mark its literals with
// N where they are written.
func ScanKeys(root string) (map[string][]string, error) {
	keys := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			arg := keyArg(f.Name.Name, call)
			if arg < 0 || arg >= len(call.Args) {
				return true
			}
			if s, ok := literal(call.Args[arg]); ok {
				at := filepath.ToSlash(rel) + ":" + strconv.Itoa(fset.Position(call.Pos()).Line)
				keys[s] = append(keys[s], at)
			}
			return true
		})
		return nil
	})
	return keys, err
}

// keyArg is the index of call's argument that is a key, or -1; pkg is the
// name of the package the call is in.
func keyArg(pkg string, call *ast.CallExpr) int {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if keyFuncs[f.Name] {
			return 0
		}
		if i, ok := appErrorFuncs[f.Name]; ok && pkg == "app" {
			return i
		}
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok && x.Name == "app" {
			if i, ok := errorFuncs[f.Sel.Name]; ok {
				return i
			}
		}
		if keyFuncs[f.Sel.Name] {
			return 0
		}
	}
	return -1
}

// literal is the value of a string literal or of a sum of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\*|\d+)?(\.(\*|\d+))?[a-zA-Z%]`)

// Verbs lists the format verbs of s, "%%" aside, by their letter and in
// sorted order, so that a translation that reorders its verbs with
// explicit indexes still has the same list as its English text.
func Verbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		out = append(out, v[len(v)-1:])
	}
	slices.Sort(out)
	return out
}
