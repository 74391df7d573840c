package data_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestMorbidityReportTable: the morbidity report among the dashboard's
// reports, on screen (its table), as CSV and as PDF: the totals by ICD
// chapter, by code, and each code by age band and sex; an administrator
// sees the clinic's, a doctor their own patients' only; reception none.
func TestMorbidityReportTable(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	for _, code := range []string{"J45.909", "J45.909", "I10"} {
		if _, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Code: code}); err != nil {
			t.Fatal(err)
		}
	}
	other, err := c.svc.Users.CreateUser(admin, app.UserCreate{Username: "doctor2", FullName: "Dr. Second",
		Role: app.RoleDoctor, Password: "a long staff password doctor2"})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Athens")
	p, err := app.PeriodContaining(app.PeriodMonth, app.DayOf(c.clock.Now(), loc))
	if err != nil {
		t.Fatal(err)
	}
	req := app.ReportRequest{Kind: app.ReportMorbidity, Period: p}
	tab, err := c.svc.Dashboard.ReportTable(admin, req)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"ICD chapter", "10", "", "", "", "2"},
		{"ICD chapter", "9", "", "", "", "1"},
		{"Code", "J45.909", "", "", "", "2"},
		{"Code", "I10", "", "", "", "1"},
	}
	if len(tab.Rows) < len(want)+2 || tab.Footer[5] != "3" {
		t.Fatalf("table %+v", tab)
	}
	for i, w := range want {
		if g := tab.Rows[i]; g[0] != w[0] || g[1] != w[1] || g[5] != w[5] {
			t.Errorf("row %d = %q, want %q", i, g, w)
		}
	}
	var banded int
	for _, r := range tab.Rows {
		if r[0] == "Code, age and sex" && r[1] == "J45.909" && r[3] == "25-44" && r[4] == "female" && r[5] == "2" {
			banded++
		}
	}
	if banded != 1 {
		t.Errorf("no row of J45.909 for the patient's age band and sex: %q", tab.Rows)
	}
	pdf, err := c.svc.Dashboard.ExportPDF(admin, req)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, pdf, true)
	for _, s := range []string{"Morbidity", "J45.909", "I10", "25-44"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF does not show %q:\n%s", s, text)
		}
	}
	var csv strings.Builder
	if err := c.svc.Dashboard.ExportCSV(doc, req, &csv); err != nil || !strings.Contains(csv.String(), "J45.909") {
		t.Fatalf("a doctor's CSV: %v\n%s", err, csv.String())
	}
	mine, err := c.svc.Dashboard.ReportTable(app.NewContextWithCaller(doc, app.Caller{UserID: other.ID, Username: other.Username,
		Role: app.RoleDoctor}), req)
	if err != nil || mine.Footer[5] != "0" || !strings.Contains(mine.Title, "Dr. Second") {
		t.Fatalf("another doctor sees %+v, %v", mine, err)
	}
	if _, err := c.svc.Dashboard.ReportTable(c.ctx(app.RoleReception), req); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("reception: %v", err)
	}
}
