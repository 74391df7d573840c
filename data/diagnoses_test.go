package data_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestCodeSearch: the starter list is on a new desk; codes are found by
// code with or without the dot, by words of the title in any order and
// case and with accents, in code order.
func TestCodeSearch(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	for q, want := range map[string]string{
		"J45.909":              "J45.909",
		"j45909":               "J45.909",
		"i10":                  "I10",
		"ASTHMA uncompl unspe": "J45.909",
		"hypertensión":         "I10",
		"essential hyper":      "I10",
		"e11.6":                "E11.65",
		"otitis media left":    "H66.92",
		"no such thing at all": "",
	} {
		got, err := c.svc.Diagnoses.SearchCodes(doc, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, g := range got {
			codes = append(codes, g.Code)
		}
		if !strings.HasPrefix(strings.Join(codes, " "), want) || (want == "" && len(codes) > 0) {
			t.Errorf("SearchCodes(%q) = %v, want %s first", q, codes, want)
		}
	}
	got, err := c.svc.Diagnoses.SearchCodes(doc, "j45", 3)
	if err != nil || len(got) != 3 || got[0].Code != "J45.20" || got[1].Code != "J45.30" || got[0].System != app.CodeSystemICD10CM {
		t.Errorf("in code order, at most the limit: %+v, %v", got, err)
	}
}

// TestImportCodes: an administrator's list replaces the desk's list of
// that system, all or none; a bad file names its lines and changes
// nothing; a diagnosis recorded before keeps its title.
func TestImportCodes(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	before, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Code: "I10"})
	if err != nil {
		t.Fatal(err)
	}
	row := func(line int, code, title string) app.DiagnosisCodeRow {
		return app.DiagnosisCodeRow{Line: line, DiagnosisCode: app.DiagnosisCode{Code: code, Title: title}}
	}
	audits, snap := auditCount(t, c.db), snapshot(t, c.db)
	_, err = c.svc.Diagnoses.ImportCodes(admin, app.CodeSystemICD10CM, []app.DiagnosisCodeRow{
		row(2, "I10", "Hypertension"), row(3, "", "No code"), row(4, "I10", "Again"), row(5, "I11", ""),
	})
	ie, ok := err.(*app.ImportError)
	if !ok || fmt.Sprint(lines(ie)) != "[3 4 5]" || app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a bad file: %v", err)
	}
	if snapshot(t, c.db) != snap || auditCount(t, c.db) != audits {
		t.Fatal("a refused import changed data")
	}
	if _, err := c.svc.Diagnoses.ImportCodes(doc, app.CodeSystemICD10CM, []app.DiagnosisCodeRow{row(2, "I10", "x")}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a doctor imports: %v", err)
	}
	n, err := c.svc.Diagnoses.ImportCodes(admin, app.CodeSystemICD10CM, []app.DiagnosisCodeRow{
		row(2, "I10", "Essential (primary) hypertension"), row(3, "A00.0", "Cholera due to Vibrio cholerae 01, biovar cholerae"),
	})
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if e := lastAudit(t, c); e.Action != "codes.import" || e.Detail != "ICD-10-CM: 2 codes, replacing 322" {
		t.Errorf("audit %+v", e)
	}
	if got, _ := c.svc.Diagnoses.SearchCodes(doc, "asthma", 10); len(got) != 0 {
		t.Errorf("the starter list was not replaced: %+v", got)
	}
	if got, _ := c.svc.Diagnoses.SearchCodes(doc, "chol", 10); len(got) != 1 || got[0].Code != "A00.0" {
		t.Errorf("the imported list: %+v", got)
	}
	if _, err := c.svc.Diagnoses.ImportCodes(admin, "ICD-10-GM", []app.DiagnosisCodeRow{
		row(2, "J45.9", "Asthma bronchiale, nicht näher bezeichnet")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.svc.Diagnoses.SearchCodes(doc, "nahe asthma", 10); len(got) != 1 || got[0].System != "ICD-10-GM" {
		t.Errorf("another system beside: %+v", got)
	}
	list, err := c.svc.Diagnoses.FindDiagnoses(doc, pid)
	if err != nil || len(list) != 1 || list[0].ID != before.ID || list[0].Title != "Essential (primary) hypertension" {
		t.Errorf("%+v, %v", list, err)
	}
}

func lines(ie *app.ImportError) []int {
	var out []int
	for _, r := range ie.Rows {
		out = append(out, r.Line)
	}
	return out
}

// TestDiagnoses: a doctor records coded and free-text diagnoses, in a
// note or not; a code must be in the list and a note the same patient's;
// a removal keeps the row with its reason; the history and the audit log
// show each.
func TestDiagnoses(t *testing.T) {
	c := mustSetup(t)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	pid, other := c.patient2.PatientID, c.users[app.RolePatient].PatientID
	note, err := c.svc.Clinical.AddNote(doc, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Assessment: "Asthma"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, NoteID: note.ID, Code: "j45909", Text: " night cough "})
	if err != nil {
		t.Fatal(err)
	}
	if d.Code != "J45.909" || d.System != app.CodeSystemICD10CM || d.Title != "Unspecified asthma, uncomplicated" ||
		d.Text != "night cough" || d.NoteID != note.ID || d.RecordedBy == "" {
		t.Errorf("%+v", d)
	}
	if e := lastAudit(t, c); e.Action != "diagnosis.add" || e.EntityID != d.ID || e.PatientID != pid ||
		e.Detail != "J45.909 Unspecified asthma, uncomplicated — night cough" {
		t.Errorf("audit %+v", e)
	}
	if _, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Text: "Post-viral fatigue"}); err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, c.db)
	for name, bad := range map[string]struct {
		c     app.DiagnosisCreate
		field string
	}{
		"Nothing":        {app.DiagnosisCreate{PatientID: pid}, "code"},
		"UnknownCode":    {app.DiagnosisCreate{PatientID: pid, Code: "X99.999"}, "code"},
		"OtherSystem":    {app.DiagnosisCreate{PatientID: pid, System: "ICD-10-GM", Code: "J45.909"}, "code"},
		"OtherPatNote":   {app.DiagnosisCreate{PatientID: other, NoteID: note.ID, Code: "I10"}, "note"},
		"TooLong":        {app.DiagnosisCreate{PatientID: pid, Text: strings.Repeat("x", 1001)}, "text"},
		"NoPatient":      {app.DiagnosisCreate{Code: "I10"}, "patient"},
		"UnknownPatient": {app.DiagnosisCreate{PatientID: "019ab000-0000-7000-8000-000000000000", Code: "I10"}, ""},
	} {
		_, err := c.svc.Diagnoses.AddDiagnosis(doc, bad.c)
		if err == nil || app.ErrorField(err) != bad.field {
			t.Errorf("%s: %v (field %q), want field %q", name, err, app.ErrorField(err), bad.field)
		}
	}
	if _, err := c.svc.Diagnoses.AddDiagnosis(nurse, app.DiagnosisCreate{PatientID: pid, Code: "I10"}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a nurse diagnoses: %v", err)
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("a refused diagnosis changed data")
	}
	if _, err := c.svc.Diagnoses.RemoveDiagnosis(doc, d.ID, ""); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("a removal without reason: %v", err)
	}
	r, err := c.svc.Diagnoses.RemoveDiagnosis(doc, d.ID, "wrong patient")
	if err != nil || r.RemovedAt.IsZero() || r.RemovedReason != "wrong patient" {
		t.Fatal(r, err)
	}
	if _, err := c.svc.Diagnoses.RemoveDiagnosis(doc, d.ID, "again"); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("removed twice: %v", err)
	}
	list, err := c.svc.Diagnoses.FindDiagnoses(nurse, pid)
	if err != nil || len(list) != 2 || list[0].Text != "Post-viral fatigue" || list[1].RemovedReason != "wrong patient" {
		t.Fatalf("%+v, %v", list, err)
	}
	h, err := c.svc.Clinical.FindHistory(doc, pid, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryDiagnosis}})
	if err != nil || len(h) != 3 || !strings.HasPrefix(h[0].Summary, "Diagnosis J45.909") ||
		h[2].Summary != "Diagnosis: J45.909 Unspecified asthma, uncomplicated — night cough" {
		t.Errorf("history %+v, %v", h, err)
	}
	for _, q := range []string{`UPDATE diagnoses SET code = 'I10'`, `DELETE FROM diagnoses`} {
		if _, err := rawDB(t, c.db).Exec(q); err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
}

// TestMorbidityReport: coded diagnoses of the period, not removed, counted
// by code, chapter, age band and sex; a doctor sees only those they
// recorded; a period must make sense.
func TestMorbidityReport(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	for _, code := range []string{"J45.909", "J45.909", "I10", "J06.9"} {
		if _, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Code: code}); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Code: "Z23"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Diagnoses.RemoveDiagnosis(doc, gone.ID, "wrong code"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, Text: "uncoded"}); err != nil {
		t.Fatal(err)
	}
	now := c.clock.Now()
	f := app.MorbidityFilter{From: now.Add(-24 * time.Hour), To: now.Add(24 * time.Hour)}
	r, err := c.svc.Diagnoses.MorbidityReport(admin, f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 4 || len(r.ByCode) != 3 || r.ByCode[0].Key != "J45.909" || r.ByCode[0].Count != 2 ||
		len(r.ByChapter) != 2 || r.ByChapter[0].Key != "10" || r.ByChapter[0].Count != 3 {
		t.Fatalf("%+v", r)
	}
	if e := lastAudit(t, c); e.Action != "report.morbidity" || e.Detail == "" {
		t.Errorf("audit %+v", e)
	}
	p, err := c.svc.Patients.FindPatientByID(admin, pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Rows {
		if row.Sex != p.Sex || row.AgeBand == "" || row.AgeBand == "unknown" {
			t.Errorf("row %+v (patient born %s, %s)", row, p.BirthDate, p.Sex)
		}
	}
	mine, err := c.svc.Diagnoses.MorbidityReport(doc, f)
	if err != nil || mine.Total != 4 || mine.Doctor == "" {
		t.Fatalf("%+v, %v", mine, err)
	}
	if _, err := c.svc.Diagnoses.MorbidityReport(admin, app.MorbidityFilter{From: f.To, To: f.From}); app.ErrorField(err) != "to" {
		t.Errorf("a backwards period: %v", err)
	}
	if _, err := c.svc.Diagnoses.MorbidityReport(c.ctx(app.RoleNurse), f); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a nurse: %v", err)
	}
}
