package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestPrescriberRegistration: a doctor records their registration number,
// an administrator corrects it, others may not; the prescription PDF
// prints the number in force under the doctor's name.
func TestPrescriberRegistration(t *testing.T) {
	c := mustSetup(t)
	admin, doc, nurse := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	docID := c.users[app.RoleDoctor].ID
	p, err := c.svc.Clinical.GetPrescriber(nurse, docID)
	if err != nil || p.RegistrationNumber != "" || p.Name == "" {
		t.Fatal(p, err)
	}
	snap := snapshot(t, c.db)
	for name, call := range map[string]func() error{
		"Nurse":    func() error { _, err := c.svc.Clinical.SetRegistrationNumber(nurse, docID, "GMC 1"); return err },
		"Empty":    func() error { _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, "  "); return err },
		"BadChars": func() error { _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, "GMC <1>"); return err },
		"NotDoctor": func() error {
			_, err := c.svc.Clinical.SetRegistrationNumber(admin, c.users[app.RoleNurse].ID, "X1")
			return err
		},
		"OtherDoc": func() error {
			_, err := c.svc.Clinical.SetRegistrationNumber(doc, c.users[app.RoleAdmin].ID, "X1")
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: recorded", name)
		}
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("a refused change changed data")
	}
	if _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, " GMC  7012345 "); err != nil {
		t.Fatal(err)
	}
	p, err = c.svc.Clinical.SetRegistrationNumber(admin, docID, "GMC 7012346")
	if err != nil || p.RegistrationNumber != "GMC 7012346" {
		t.Fatal(p, err)
	}
	if e := lastAudit(t, c); e.Action != "prescriber.set" || !strings.Contains(e.Detail, "GMC 7012346 (was GMC 7012345)") {
		t.Errorf("audit %+v", e)
	}
	if p, _ := c.svc.Clinical.GetPrescriber(doc, docID); p.RegistrationNumber != "GMC 7012346" {
		t.Errorf("in force: %+v", p)
	}
	rx, err := c.svc.Clinical.Prescribe(doc, app.PrescriptionCreate{PatientID: c.patient2.PatientID, Items: []app.PrescriptionItem{
		{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet", Frequency: "every 6 hours"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.svc.Clinical.PrescriptionPDF(doc, rx.ID)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, b, false); !strings.Contains(text, "Registration no. GMC 7012346") {
		t.Errorf("the PDF lacks the registration number:\n%s", text)
	}
}

// TestLetters: a doctor writes a sick note and a referral letter; the PDF
// carries the patient, the dates or the recipient, the doctor and the
// registration number; the history and the audit log note each; a bad
// request is refused next to its field, and a nurse writes none.
func TestLetters(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	if _, err := c.svc.Clinical.SetRegistrationNumber(doc, c.users[app.RoleDoctor].ID, "GMC 7012345"); err != nil {
		t.Fatal(err)
	}
	b, err := c.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: pid, Kind: app.LetterSickNote,
		From: "2026-11-25", To: "2026-11-27", Text: "Influenza."})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftest.Text(t, b, false)), " ")
	for _, want := range []string{"Medical certificate", "from Wednesday 25 November 2026 to Friday 27 November 2026 inclusive (3 days)", "Influenza.",
		"Registration no. GMC 7012345"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sick note lacks %q:\n%s", want, text)
		}
	}
	if e := lastAudit(t, c); e.Action != "letter.pdf" || e.PatientID != pid || e.Detail != "Medical certificate (unfit 2026-11-25 to 2026-11-27)" {
		t.Errorf("audit %+v", e)
	}
	if _, err := c.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: pid, Kind: app.LetterReferral,
		Recipient: "Cardiology outpatients", Text: "Palpitations."}); err != nil {
		t.Fatal(err)
	}
	h, err := c.svc.Clinical.FindHistory(doc, pid, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryLetter}})
	if err != nil || len(h) != 2 || !strings.HasPrefix(h[0].Summary, "Referral letter to Cardiology outpatients by ") {
		t.Errorf("history %+v, %v", h, err)
	}
	snap := snapshot(t, c.db)
	for field, r := range map[string]app.LetterRequest{
		"to":        {PatientID: pid, Kind: app.LetterSickNote, From: "2026-11-25", To: "2026-11-20"},
		"from":      {PatientID: pid, Kind: app.LetterSickNote, From: "25/11", To: "2026-11-20"},
		"recipient": {PatientID: pid, Kind: app.LetterReferral, Text: "x"},
		"kind":      {PatientID: pid, Kind: "poem"},
	} {
		if _, err := c.svc.Visits.LetterPDF(doc, r); app.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if _, err := c.svc.Visits.LetterPDF(c.ctx(app.RoleNurse), app.LetterRequest{PatientID: pid, Kind: app.LetterSickNote,
		From: "2026-11-25", To: "2026-11-27"}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a nurse: %v", err)
	}
	if snapshot(t, c.db) != snap {
		t.Error("a refused letter changed data")
	}
}

// TestAllergyReview: the review lists the allergies in force that the
// catalogue matches to nothing (free text) or to several names, not those
// it matches to one, nor removed ones.
func TestAllergyReview(t *testing.T) {
	c := mustSetup(t)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	pid := c.patient2.PatientID
	add := func(s string) *app.Allergy {
		a, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: s, Severity: app.SeverityModerate})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	add("Penicillin")
	add("Augmentin")
	cats := add("the pills from last winter")
	both := add("aspirin and codeine")
	gone := add("blue tablets")
	if err := c.svc.Clinical.RemoveAllergy(doc, gone.ID, "entered in error"); err != nil {
		t.Fatal(err)
	}
	list, err := c.svc.Clinical.AllergyReview(nurse)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Allergy.ID != cats.ID || len(list[0].Matches) != 0 || list[1].Allergy.ID != both.ID ||
		len(list[1].Matches) != 2 || list[0].PatientMRN == "" || list[0].PatientName == "" {
		for _, it := range list {
			t.Logf("%s %v", it.Allergy.Substance, it.Matches)
		}
		t.Fatalf("%d to review", len(list))
	}
	if e := lastAudit(t, c); e.Action != "allergy.review" || e.Detail != "2 allergies to review" {
		t.Errorf("audit %+v", e)
	}
	if _, err := c.svc.Clinical.AllergyReview(c.ctx(app.RoleReception)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("reception: %v", err)
	}
}

// TestAllergyCertainty: an allergy is recorded with its certainty
// (unknown when not given); an unknown certainty is refused next to its
// field.
func TestAllergyCertainty(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	if _, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Penicillin",
		Reaction: "urticaria", Severity: app.SeverityModerate, Certainty: app.CertaintySuspected}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Latex"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Iodine",
		Certainty: "probably"}); app.ErrorField(err) != "certainty" {
		t.Errorf("an unknown certainty: %v", err)
	}
	list, err := c.svc.Clinical.FindAllergies(doc, pid)
	if err != nil || len(list) != 2 || list[0].Certainty != app.CertaintyUnknown || list[1].Certainty != app.CertaintySuspected {
		t.Fatalf("%+v, %v", list, err)
	}
}
