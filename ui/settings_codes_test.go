package ui

import (
	"io"
	"strings"
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// TestSettingsCodesImport: an administrator imports a code list from
// Settings on a real database: a file with bad lines is refused whole,
// each problem listed with its line number, nothing imported; a missing
// system name is refused next to its field; a good file replaces that
// system's list, and its codes are found.
func TestSettingsCodesImport(t *testing.T) {
	h, c, d := realHarness(t)
	h.loginReal("admin", datatest.AdminPassword)
	h.openArea(app.AreaSettings)
	ci := h.u.main.settings.codes
	if ci == nil {
		t.Fatal("Settings has no code import")
	}
	file := func(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
	found := func(q string) int {
		cs, err := d.Services().Diagnoses.SearchCodes(c.Ctx(app.RoleAdmin), q, 50)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}

	ci.system.SetText("ICD-10-GM")
	ci.importFrom("bad.csv", file("code,description\nA00.0,Cholera durch Vibrio cholerae\n???,\nB01.9,Varizellen ohne Komplikation\n"))
	h.waitLong("the refusal", func() bool { return ci.details.Visible() })
	if !strings.Contains(ci.details.Text, "line 3") || !strings.Contains(ci.result.Text, "Nothing was imported") {
		t.Fatalf("result %q, details %q", ci.result.Text, ci.details.Text)
	}
	if found("Varizellen") != 0 {
		t.Fatal("a refused file imported codes")
	}

	ci.system.SetText(" ")
	ci.importFrom("good.csv", file("A00.0,Cholera durch Vibrio cholerae\n"))
	if ci.errs.text("system") == "" {
		t.Fatal("no message next to the code system")
	}

	ci.system.SetText("ICD-10-GM")
	ci.importFrom("good.csv", file("code,description\nA00.0,Cholera durch Vibrio cholerae\nB01.9,Varizellen ohne Komplikation\n"))
	h.waitLong("the import", func() bool { return strings.HasPrefix(ci.result.Text, "Imported") })
	if ci.result.Text != "Imported 2 codes as this desk's ICD-10-GM list from good.csv." || ci.details.Visible() {
		t.Fatalf("result %q", ci.result.Text)
	}
	if found("Varizellen") != 1 {
		t.Fatal("the imported codes are not found")
	}
}
