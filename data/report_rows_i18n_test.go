package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/i18n"
)

// TestReportRowsInTheReadersLanguage: the words in a report's rows (an
// appointment's status, a revenue line's kind, a patient's sex, "No
// doctor") are HMS's, not the records': a Greek reader's screen and PDF
// show them in Greek, while the CSV keeps its English words and codes.
func TestReportRowsInTheReadersLanguage(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	el := i18n.For(i18n.Greek)
	march := mustPeriod(t, app.PeriodMonth, "2026-03-01")
	table := func(k app.ReportKind) (english, greek *app.Table) {
		t.Helper()
		tab, err := f.svc.Dashboard.ReportTable(admin, app.ReportRequest{Kind: k, Period: march})
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) == 0 {
			t.Fatalf("%s: no rows", k)
		}
		return tab, tab.In(el.Text)
	}
	en, gr := table(app.ReportAppointments)
	for i, row := range gr.Rows {
		status := app.AppointmentStatus("")
		for _, s := range []app.AppointmentStatus{app.AppointmentCancelled, app.AppointmentNoShow, app.AppointmentConfirmed, app.AppointmentCompleted} {
			if s.Label() == en.Rows[i][5] {
				status = s
			}
		}
		if status == "" {
			t.Fatalf("the CSV's status %q is not an English label", en.Rows[i][5])
		}
		if want := el.T(status.Label()); row[5] != want || want == status.Label() {
			t.Errorf("row %d: status %q, want %q", i, row[5], want)
		}
	}
	en, gr = table(app.ReportRevenue)
	if en.Rows[0][4] != "consultation" || gr.Rows[0][4] != "Επίσκεψη" {
		t.Errorf("kind %q in the CSV, %q in Greek", en.Rows[0][4], gr.Rows[0][4])
	}
	en, gr = table(app.ReportNewPatients)
	if en.Rows[0][4] != "other" || gr.Rows[0][4] != "Άλλο" {
		t.Errorf("sex %q in the CSV, %q in Greek", en.Rows[0][4], gr.Rows[0][4])
	}
	if en.Rows[0][2] != gr.Rows[0][2] {
		t.Errorf("a record's own value changed: %q, %q", en.Rows[0][2], gr.Rows[0][2])
	}

	// "No doctor": a line of the revenue report with no doctor.
	tb := app.NewTable(i18n.Nf("Revenue"), i18n.Text{}, i18n.Nf("Doctor"))
	tb.AddRow(i18n.Nf("No doctor"))
	if got := tb.In(el.Text).Rows[0][0]; got != el.T("No doctor") || got == "No doctor" || tb.Rows[0][0] != "No doctor" {
		t.Errorf("No doctor: %q in Greek, %q in English", got, tb.Rows[0][0])
	}

	// The Greek reader's PDF prints the rows' words in Greek.
	me, _ := app.CallerFromContext(admin)
	if _, err := f.svc.Users.SetLanguage(admin, me.UserID, "el", nil); err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Dashboard.ExportPDF(admin, app.ReportRequest{Kind: app.ReportAppointments, Period: march})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, b)
	hasAll(t, "the Greek reader's appointments", text, el.T(app.AppointmentNoShow.Label()), el.T(app.AppointmentCompleted.Label()))
	for _, english := range []string{app.AppointmentNoShow.Label(), app.AppointmentCompleted.Label()} {
		if strings.Contains(text, english) {
			t.Errorf("the Greek reader's report prints the status %q in English", english)
		}
	}
}
