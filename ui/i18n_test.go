package ui

import (
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
