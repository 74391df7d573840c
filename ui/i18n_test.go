package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"hms/app/i18n"
)

// Every text a screen shows goes through the translation layer. A file
// marked //i18n:todo is not translated yet and is skipped; a marked file
// with nothing left to translate must lose its mark.
func TestEveryStringIsTranslated(t *testing.T) {
	found, todo, err := i18n.Untranslated(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s:%d: %q is shown untranslated: wrap it in T or Tf (or end the line with //i18n:ok and say why it is not text for people)", f.File, f.Line, f.Text)
	}
	if len(todo) > 0 {
		t.Logf("%d file(s) not translated yet: %s", len(todo), strings.Join(todo, ", "))
	}
}

func TestScreenLanguageSwitches(t *testing.T) {
	t.Cleanup(func() { setScreenLanguage(i18n.English) })
	setScreenLanguage(i18n.Greek)
	if got := T("Save"); got != "Αποθήκευση" {
		t.Errorf("T(Save) in Greek = %q", got)
	}
	setScreenLanguage(i18n.Spanish)
	if got := Tf("%d of %d", 1, 2); got != "1 of 2" {
		t.Errorf("Tf without a translation = %q", got)
	}
	setScreenLanguage(i18n.English)
	if got := T("Save"); got != "Save" {
		t.Errorf("T(Save) in English = %q", got)
	}
}

// T and Tf translate when they run: in a package-level variable they run
// once, at start-up, in English. Such text is marked with i18n.N and
// translated where it is shown.
func TestNoTranslationAtStartUp(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			ast.Inspect(g, func(n ast.Node) bool {
				if _, ok := n.(*ast.FuncLit); ok {
					return false // runs later
				}
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok && (id.Name == "T" || id.Name == "Tf") {
						t.Errorf("%s: %s(…) in a package-level variable runs once, in English: mark the text with i18n.N and translate it where it is shown", fset.Position(c.Pos()), id.Name)
					}
				}
				return true
			})
		}
	}
}
