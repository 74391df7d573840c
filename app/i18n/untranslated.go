package i18n

// Finding text a package shows people without passing it through the
// translation layer.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Finding is a string literal that looks like text for people and is
// not translated.
type Finding struct {
	File string // the file's name, relative to the folder scanned
	Line int
	Text string
}

// Untranslated reports the string literals of the Go files in dir (not
// its subfolders, tests aside) that look like text for people and reach
// the screen untranslated, file by file. todo lists the files marked
// "//i18n:todo", whose findings are not reported: a file not translated
// yet. A literal is text for people when it starts with a capital letter
// or holds a space, and has a letter. It is not reported when it is
// the key of a T, Tf, F or N call; a struct tag or an import; compared
// (==, !=, a case of a switch) or a map key; an argument to the standard
// library's string, time, path, file, log and error functions or to a
// preference's getter and setter (keys and layouts, not text); or on a
// line whose comment starts "//i18n:ok" (say why after it).
func Untranslated(dir string) (findings []Finding, todo []string, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(paths)
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		name := filepath.Base(p)
		okLines := map[int]bool{}
		marked := false
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				switch {
				case strings.TrimSpace(c.Text) == "//i18n:todo":
					marked = true
				case strings.HasPrefix(c.Text, "//i18n:ok"):
					okLines[fset.Position(c.Pos()).Line] = true
				}
			}
		}
		if marked {
			todo = append(todo, name)
			continue
		}
		for _, lit := range untranslatedIn(f) {
			pos := fset.Position(lit.Pos())
			if okLines[pos.Line] {
				continue
			}
			s, _ := strconv.Unquote(lit.Value)
			findings = append(findings, Finding{File: name, Line: pos.Line, Text: s})
		}
	}
	return findings, todo, nil
}

// exemptPackages are the standard library's packages whose string
// arguments are keys, layouts, paths or messages for logs, not text.
var exemptPackages = map[string]bool{
	"strings": true, "strconv": true, "time": true, "filepath": true, "path": true, "os": true,
	"log": true, "slog": true, "errors": true, "regexp": true, "json": true, "exec": true,
	"runtime": true, "url": true, "utf8": true, "bytes": true, "sql": true, "storage": true,
	"unicode": true, "mime": true, "http": true, "debug": true, "pprof": true,
}

// exemptMethods are calls whose string arguments are keys or layouts:
// preferences, time layouts, lookups, and errors for logs.
var exemptMethods = map[string]bool{
	"Errorf": true, "Fprintf": true, "Fprintln": true, "Printf": true, "Println": true,
	"String": true, "SetString": true, "StringWithFallback": true, "Bool": true, "SetBool": true,
	"BoolWithFallback": true, "Int": true, "SetInt": true, "IntWithFallback": true, "Float": true,
	"SetFloat": true, "FloatWithFallback": true, "StringList": true, "SetStringList": true,
	"RemoveValue": true, "Format": true, "Parse": true, "ParseInLocation": true,
	"LoadLocation": true, "Getenv": true, "LookupEnv": true, "Setenv": true,
}

var keyCalls = map[string]bool{"T": true, "Tf": true, "F": true, "N": true}

// untranslatedIn walks one file and returns the literals Untranslated
// reports, before the "//i18n:ok" lines are taken out.
func untranslatedIn(f *ast.File) []*ast.BasicLit {
	exempt := map[*ast.BasicLit]bool{}
	mark := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if l, ok := n.(*ast.BasicLit); ok {
				exempt[l] = true
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			mark(n.Path)
		case *ast.Field:
			if n.Tag != nil {
				exempt[n.Tag] = true
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				mark(n.X)
				mark(n.Y)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				mark(e)
			}
		case *ast.IndexExpr:
			mark(n.Index)
		case *ast.KeyValueExpr:
			// a map's key; a struct field's name is an identifier.
			if _, ok := n.Key.(*ast.BasicLit); ok {
				mark(n.Key)
			}
		case *ast.CallExpr:
			var pkg, fn string
			switch f := n.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
				if id, ok := f.X.(*ast.Ident); ok {
					pkg = id.Name
				}
			}
			switch {
			case keyCalls[fn] && len(n.Args) > 0:
				mark(n.Args[0])
			case exemptPackages[pkg], exemptMethods[fn], pkg == "fmt" && fn != "Sprintf" && fn != "Sprint":
				for _, a := range n.Args {
					mark(a)
				}
			}
		}
		return true
	})
	var out []*ast.BasicLit
	ast.Inspect(f, func(n ast.Node) bool {
		l, ok := n.(*ast.BasicLit)
		if !ok || l.Kind != token.STRING || exempt[l] {
			return true
		}
		s, err := strconv.Unquote(l.Value)
		if err == nil && looksLikeText(s) {
			out = append(out, l)
		}
		return true
	})
	return out
}

// looksLikeText: a letter, and a capital first letter or a space.
func looksLikeText(s string) bool {
	hasLetter, first := false, true
	capital := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if first && unicode.IsUpper(r) {
				capital = true
			}
			hasLetter = true
			first = false
		} else if unicode.IsDigit(r) {
			first = false
		}
	}
	return hasLetter && (capital || strings.Contains(s, " "))
}
