package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/i18n"
)

const badCSV = "First name,Surname,Gender,DOB,Mobile\n" +
	"Ada,Lovelace,F,1985-12-10,+30 690 1111111\n" +
	"Alan,Turing,M,12/23/1912,+30 690 2222222\n" +
	"Grace,Hopper,F,1956-12-09\n"

const goodCSV = "First name,Surname,Gender,DOB,Mobile\n" +
	"Ada,Lovelace,F,1985-12-10,+30 690 1111111\n" +
	"Alan,Turing,M,23/06/1912,+30 690 2222222\n"

func openImport(t *testing.T, h *clinicHarness, name, content string) *importWizard {
	t.Helper()
	s := h.openPatients(app.RoleReception)
	if s.importCSV == nil {
		t.Fatal("no Import button for reception")
	}
	s.onImportFile(newMemReader(name, content), nil)
	h.waitFor("the wizard", func() bool { return s.importer != nil })
	return s.importer
}

func TestImportWizard(t *testing.T) {
	t.Run("BadRowsListedNothingImported", func(t *testing.T) {
		h := newClinicHarness(t)
		w := openImport(t, h, "old.csv", badCSV)
		for f, want := range map[string]string{"given_name": "1: First name", "family_name": "2: Surname", "sex": "3: Gender",
			"birth_date": "4: DOB", "phone": "5: Mobile", "email": columnNone} {
			if got := w.fields[f].Selected; got != want {
				t.Errorf("%s maps to %q, want %q", f, got, want)
			}
		}
		if !h.shows("Lovelace") || !h.shows("4: DOB") {
			t.Error("preview does not show the records")
		}
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		if len(w.bad) != 2 || !w.doImport.Disabled() {
			t.Fatalf("bad rows %v; import enabled %v", w.bad, !w.doImport.Disabled())
		}
		if !strings.Contains(w.problemsText(), "line 3: date of birth — ") || !strings.Contains(w.problemsText(), "line 4: ") {
			t.Errorf("problems = %q", w.problemsText())
		}
		test.Tap(w.doImport)
		h.settle()
		if h.called("ImportPatients") != 0 {
			t.Error("imported with bad rows")
		}
	})

	t.Run("MappingChangeNeedsNewCheck", func(t *testing.T) {
		h := newClinicHarness(t)
		w := openImport(t, h, "new.csv", goodCSV)
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		if w.doImport.Disabled() {
			t.Fatalf("import disabled after a good check: %q", w.summary.Text)
		}
		w.fields["birth_date"].SetSelected(columnNone)
		if !w.doImport.Disabled() {
			t.Error("import still enabled after the mapping changed")
		}
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		if !strings.Contains(w.problemsText(), "date of birth — Choose the column") {
			t.Errorf("problems = %q", w.problemsText())
		}
	})

	t.Run("GoodRowsImported", func(t *testing.T) {
		h := newClinicHarness(t)
		h.patients.ImportPatientsFn = func(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error) {
			h.record("ImportPatients", ctx, rows)
			return &app.ImportResult{Imported: len(rows), Duplicates: []app.ImportDuplicate{
				{Line: 3, MRN: "P-D1-000124", Reason: "same name and date of birth as P-D1-000042"}}}, nil
		}
		h.servePatients(nil, 50)
		w := openImport(t, h, "new.csv", goodCSV)
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		if !strings.Contains(w.summary.Text, "All 2 rows are ready") {
			t.Errorf("summary = %q", w.summary.Text)
		}
		test.Tap(w.doImport)
		h.waitFor("the result", func() bool { return w.result != nil })
		rows := h.callsOf("ImportPatients")[0].([]app.ImportRow)
		if len(rows) != 2 || rows[1].Line != 3 || rows[1].Patient.BirthDate != "1912-06-23" || rows[1].Patient.Sex != app.SexMale {
			t.Errorf("rows = %+v", rows)
		}
		for _, want := range []string{"Imported 2 patients.", "line 3: P-D1-000124 — same name and date of birth as P-D1-000042"} {
			if !h.shows(want) {
				t.Errorf("result does not show %q", want)
			}
		}
		if h.u.main.patients.importer != nil {
			t.Error("wizard still open")
		}
	})

	t.Run("ServiceRefusesRows", func(t *testing.T) {
		h := newClinicHarness(t)
		h.patients.ImportPatientsFn = func(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error) {
			return nil, &app.ImportError{Rows: []app.RowError{{Line: 2, Field: "phone", Message: i18n.Nf("This phone number belongs to %s.", "P-D1-000001")}}}
		}
		w := openImport(t, h, "new.csv", goodCSV)
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		test.Tap(w.doImport)
		h.waitFor("the refusal", func() bool { return strings.Contains(w.problemsText(), "line 2: phone — This phone number") })
		if !strings.Contains(w.summary.Text, "Nothing was imported") {
			t.Errorf("summary = %q", w.summary.Text)
		}
	})

	t.Run("UnreadableFile", func(t *testing.T) {
		h := newClinicHarness(t)
		s := h.openPatients(app.RoleReception)
		s.onImportFile(newMemReader("empty.csv", ""), nil)
		h.waitFor("the error", func() bool { return h.shows("The file is empty.") })
		if s.importer != nil {
			t.Error("wizard opened on an empty file")
		}
	})
}
