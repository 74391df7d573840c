package data_test

import (
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestLettersStoredAndReprinted: a letter a doctor writes is stored as
// issued, linked to the visit open then and to its history entry; it is
// listed by patient and by visit; a reprint shows the same document with
// COPY, even after the patient, the clinic's header and its wording
// changed; clinical staff and the patient whose it is may list and reprint
// it, nobody else; the row can be neither changed nor deleted; every read
// is audited.
func TestLettersStoredAndReprinted(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	me := c.users[app.RolePatient].PatientID
	words := func(b []byte) string { return strings.Join(strings.Fields(pdftest.Text(t, b, false)), " ") }

	// Before any visit: a letter with no visit.
	first, err := c.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: me, Kind: app.LetterSickNote,
		From: "2026-11-25", To: "2026-11-27", Text: "Influenza; rest at home."})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: me})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: me, Kind: app.LetterReferral,
		Recipient: "Cardiology outpatients, City Hospital", Text: "Palpitations on exertion."})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := c.svc.Visits.FindLetters(doc, me)
	if err != nil || len(ls) != 2 {
		t.Fatalf("letters: %v, %v", ls, err)
	}
	ref, sick := ls[0], ls[1] // newest first
	if ref.Kind != app.LetterReferral || ref.VisitID != v.ID || ref.Recipient != "Cardiology outpatients, City Hospital" ||
		ref.DoctorID != c.users[app.RoleDoctor].ID || ref.PatientMRN == "" || ref.Body == "" || ref.IssuedOn == "" {
		t.Errorf("the referral: %+v", ref)
	}
	if sick.Kind != app.LetterSickNote || sick.VisitID != "" || sick.From != "2026-11-25" || sick.To != "2026-11-27" ||
		sick.Text != "Influenza; rest at home." {
		t.Errorf("the certificate: %+v", sick)
	}
	vl, err := c.svc.Visits.FindVisitLetters(doc, v.ID)
	if err != nil || len(vl) != 1 || vl[0].ID != ref.ID {
		t.Fatalf("the visit's letters: %v, %v", vl, err)
	}
	vs, err := c.svc.Visits.FindVisits(doc, me)
	if err != nil || !slices.Contains(vs[0].Records, app.VisitRecord{Entity: "letters", RecordID: ref.ID}) {
		t.Fatalf("the visit's records lack the letter: %+v, %v", vs, err)
	}
	h, err := c.svc.Clinical.FindHistory(doc, me, app.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(h, func(e *app.HistoryEntry) bool { return e.Kind == app.HistoryLetter && e.RefID == ref.ID }) {
		t.Error("the history entry does not refer to the letter")
	}

	// The record, the header and the wording change; the reprint does not.
	p, err := c.svc.Patients.FindPatientByID(admin, me)
	if err != nil {
		t.Fatal(err)
	}
	family := "Renamed"
	if _, err := c.svc.Patients.UpdatePatient(admin, me, app.PatientUpdate{FamilyName: &family}); err != nil {
		t.Fatal(err)
	}
	s, err := c.svc.Settings.GetSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	s.ClinicName, s.Address = "Another Name Clinic", "9 Elsewhere Road"
	if _, err := c.svc.Settings.UpdateSettings(admin, *s, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Settings.UpdateLetterTemplates(admin, app.LetterTemplates{
		SickNote: "New wording: {patient} unfit {from} to {to}.", Referral: "New wording for {patient}."}, nil); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		id       string
		original []byte
	}{{sick.ID, first}, {ref.ID, second}} {
		again, err := c.svc.Visits.ReprintLetter(doc, x.id)
		if err != nil {
			t.Fatal(err)
		}
		orig, cp := words(x.original), words(again)
		if strings.Contains(orig, "COPY") || !strings.Contains(cp, "COPY") {
			t.Errorf("COPY: original %q, reprint %q", orig, cp)
		}
		if strings.Join(strings.Fields(strings.ReplaceAll(cp, "COPY", "")), " ") != orig {
			t.Errorf("the reprint differs:\noriginal %s\nreprint  %s", orig, cp)
		}
		if !strings.Contains(cp, p.FamilyName) || strings.Contains(cp, "Renamed") || strings.Contains(cp, "New wording") ||
			strings.Contains(cp, "Another Name") {
			t.Errorf("the reprint shows today's record rather than the issued letter: %s", cp)
		}
	}

	// Who may read them.
	for _, role := range []app.Role{app.RoleAdmin, app.RoleNurse, app.RolePatient} {
		if _, err := c.svc.Visits.FindLetters(c.ctx(role), me); err != nil {
			t.Errorf("%s lists: %v", role, err)
		}
		if _, err := c.svc.Visits.ReprintLetter(c.ctx(role), ref.ID); err != nil {
			t.Errorf("%s reprints: %v", role, err)
		}
		if _, err := c.svc.Visits.FindVisitLetters(c.ctx(role), v.ID); err != nil {
			t.Errorf("%s lists the visit's: %v", role, err)
		}
	}
	for _, role := range []app.Role{app.RoleReception, app.RoleBilling} {
		if _, err := c.svc.Visits.FindLetters(c.ctx(role), me); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s lists: %v", role, err)
		}
		if _, err := c.svc.Visits.ReprintLetter(c.ctx(role), ref.ID); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s reprints: %v", role, err)
		}
	}
	if _, err := c.svc.Visits.ReprintLetter(doc, "019ab000-0000-7000-8000-000000000000"); code(err) != app.ENOTFOUND {
		t.Errorf("an unknown letter: %v", err)
	}
	if _, err := c.svc.Visits.FindVisitLetters(doc, "019ab000-0000-7000-8000-000000000000"); code(err) != app.ENOTFOUND {
		t.Errorf("an unknown visit: %v", err)
	}

	// Written once.
	raw := rawDB(t, c.db)
	if _, err := raw.Exec(`UPDATE letters SET text = 'changed' WHERE id = ?`, ref.ID); err == nil {
		t.Error("a letter was changed")
	}
	if _, err := raw.Exec(`DELETE FROM letters WHERE id = ?`, ref.ID); err == nil {
		t.Error("a letter was deleted")
	}
	// The table's own checks: a sick note without its days, a referral
	// without its recipient.
	if _, err := raw.Exec(`INSERT INTO letters (id, patient_id, kind, doctor_id, doctor_name, patient_name, patient_mrn, body,
		issued_on, created_at, updated_at) SELECT 'x1', patient_id, 'sick_note', doctor_id, doctor_name, patient_name,
		patient_mrn, body, issued_on, created_at, updated_at FROM letters WHERE id = ?`, ref.ID); err == nil {
		t.Error("a sick note without its days was stored")
	}
	if _, err := raw.Exec(`INSERT INTO letters (id, patient_id, kind, doctor_id, doctor_name, patient_name, patient_mrn, body,
		issued_on, created_at, updated_at, recipient) SELECT 'x2', patient_id, 'referral', doctor_id, doctor_name, patient_name,
		patient_mrn, body, issued_on, created_at, updated_at, '' FROM letters WHERE id = ?`, ref.ID); err == nil {
		t.Error("a referral without its recipient was stored")
	}

	// Audited.
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'letter.reprint' AND entity = 'letters'
		AND outcome = 'ok'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("%d reprints audited", n)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'letter.pdf' AND entity = 'letters'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d letters audited as written, %v", n, err)
	}
}
