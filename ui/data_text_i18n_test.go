package ui

// Text the data layer builds (i18n.Text: an English format and its
// arguments) shown on Greek screens: a report's title, columns and
// footer, a conflict's record and rule, an import's row problems.

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/i18n"
)

func TestDataTextOnGreekScreens(t *testing.T) {
	el := i18n.For(i18n.Greek)
	t.Run("ReportTable", func(t *testing.T) {
		inGreek(t)
		h := newDashHarness(t)
		h.dash.ReportTableFn = func(ctx context.Context, r app.ReportRequest) (*app.Table, error) {
			tb := app.NewTable(i18n.Nf("Outstanding invoices"), i18n.Nf("On %s", "2026-03-02"),
				i18n.Nf("Invoice"), i18n.Nf("Patient"), i18n.Nf("Amount (%s)", "EUR"))
			tb.Rows = [][]string{{"INV-D1-2026-000001", "Ada Byron", "45.00"}}
			tb.SetFooter(i18n.Nf("Total"), i18n.Nf("%d invoices", 1), i18n.Text{Format: "%s", Args: []any{"45.00"}})
			return tb, nil
		}
		s := h.openDashboard(app.RoleAdmin)
		selectTab(t, s.tabs, T("Reports"))
		v := s.reports
		h.waitFor("the preview", func() bool { return v.table != nil && len(v.table.Rows) == 1 })
		h.settle()
		if want := el.T("Outstanding invoices"); v.title.Text != want || want == "Outstanding invoices" {
			t.Errorf("title %q, want %q", v.title.Text, want)
		}
		if want := el.F("On %s", "2026-03-02"); v.subtitle.Text != want {
			t.Errorf("subtitle %q, want %q", v.subtitle.Text, want)
		}
		if got, want := v.table.Columns, []string{el.T("Invoice"), el.T("Patient"), el.F("Amount (%s)", "EUR")}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("columns %q, want %q", got, want)
		}
		if f, _ := v.cell(1, 1); f != el.F("%d invoices", 1) || f == "1 invoices" {
			t.Errorf("footer %q", f)
		}
		if r, _ := v.cell(0, 1); r != "Ada Byron" {
			t.Errorf("a row's value changed: %q", r)
		}
	})
	t.Run("Conflict", func(t *testing.T) {
		inGreek(t)
		h := newSyncHarness(t, enrolledStatus)
		rule := i18n.Nf("field: last writer by (HLC, site) wins")
		h.conflicts = []*app.Conflict{{ID: "c1", Entity: "patients", RowID: "p1", Field: "phone",
			What: i18n.Nf("Patient %s", "P-D1-000001 Ada Byron"), Rule: rule.String(), RuleText: rule,
			LostValue: `"+30 210 555 0001"`, WonValue: `"+30 210 555 0002"`}}
		h.loginAs(user(app.RoleAdmin))
		m := h.u.main
		h.openArea(app.AreaSettings)
		m.showSyncTab(syncTabConflicts)
		s := m.conflicts
		h.waitFor("the conflict", func() bool { return len(s.items) == 1 })
		row := s.list.CreateItem()
		s.list.UpdateItem(0, row)
		r := row.(*conflictRow)
		if want := el.F("Patient %s", "P-D1-000001 Ada Byron"); !strings.HasPrefix(r.title.Text, want+" — ") || strings.HasPrefix(want, "Patient") {
			t.Errorf("title %q, want it to begin %q", r.title.Text, want)
		}
		if want := el.T(rule.Format); !strings.Contains(r.meta.Text, want) || strings.Contains(r.meta.Text, "last writer") {
			t.Errorf("rule %q, want it to say %q", r.meta.Text, want)
		}
	})
	t.Run("ImportRowProblem", func(t *testing.T) {
		inGreek(t)
		h := newClinicHarness(t)
		w := openImport(t, h, "new.csv", goodCSV)
		w.fields["birth_date"].SetSelected(T(columnNone))
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		want := el.Text(i18n.Nf("Choose the column that holds %s.", i18n.Nf("the date of birth")))
		if got := w.problemsText(); !strings.Contains(got, want) || strings.Contains(got, "Choose the column") {
			t.Errorf("problems %q, want %q", got, want)
		}
	})
	t.Run("ServiceRefusesRow", func(t *testing.T) {
		inGreek(t)
		h := newClinicHarness(t)
		h.patients.ImportPatientsFn = func(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error) {
			err := app.FieldErrorf("birth_date", "The date of birth is in the future.")
			return nil, &app.ImportError{Rows: []app.RowError{{Line: 2, Field: "birth_date", Message: app.ErrorText(err)}}}
		}
		w := openImport(t, h, "new.csv", goodCSV)
		test.Tap(w.check)
		h.waitFor("the check", func() bool { return w.checked })
		test.Tap(w.doImport)
		want := el.T("The date of birth is in the future.")
		h.waitFor("the refusal", func() bool { return strings.Contains(w.problemsText(), want) })
		if strings.Contains(w.problemsText(), "in the future") {
			t.Errorf("problems %q are English", w.problemsText())
		}
	})
}

// A patient's sex and an allergy's severity share the English "Unknown"
// but not its Greek form: the sex's is neuter (το φύλο), the severity's
// feminine (η βαρύτητα).
func TestUnknownSexAndSeverityInGreek(t *testing.T) {
	inGreek(t)
	if got := sexLabel(app.SexUnknown); got != "Άγνωστο" {
		t.Errorf("sex Unknown %q, want Άγνωστο", got)
	}
	if got := sexLabel(app.SexOther); got != "Άλλο" {
		t.Errorf("sex Other %q, want Άλλο", got)
	}
	if got := T("Unknown"); got != "Άγνωστη" {
		t.Errorf("severity Unknown %q, want Άγνωστη", got)
	}
	for _, s := range app.Sexes {
		if got := sexOf(sexLabel(s)); got != s {
			t.Errorf("the label of %s reads back as %q", s, got)
		}
	}
}
