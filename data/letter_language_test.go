package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf/pdftest"
)

// TestLetterReprintKeepsItsLanguage: a letter keeps the language it was
// issued in (desk migration 0174), and a reprint's labels are in it after
// the patient's language changed; its wording is as issued.
func TestLetterReprintKeepsItsLanguage(t *testing.T) {
	c := mustSetup(t)
	rec, doc := c.ctx(app.RoleReception), c.ctx(app.RoleDoctor)
	me := c.users[app.RolePatient].PatientID
	lang := func(l string) {
		t.Helper()
		if _, err := c.svc.Patients.UpdatePatient(rec, me, app.PatientUpdate{Language: &l}); err != nil {
			t.Fatal(err)
		}
	}
	words := func(b []byte) string { return strings.Join(strings.Fields(pdftest.Text(t, b, false)), " ") }
	lang("el")
	if _, err := c.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: me, Kind: app.LetterSickNote,
		From: "2026-11-25", To: "2026-11-27", Text: "Influenza."}); err != nil {
		t.Fatal(err)
	}
	ls, err := c.svc.Visits.FindLetters(doc, me)
	if err != nil || len(ls) != 1 {
		t.Fatalf("letters: %v, %v", ls, err)
	}
	if ls[0].Language != i18n.Greek {
		t.Errorf("the letter's language %q, want el", ls[0].Language)
	}
	lang("es")
	b, err := c.svc.Visits.ReprintLetter(doc, ls[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	text := words(b)
	el, es := i18n.For(i18n.Greek), i18n.For(i18n.Spanish)
	for _, want := range []string{el.T("Medical certificate"), el.T("COPY")} {
		if !strings.Contains(text, want) {
			t.Errorf("the reprint lacks the Greek %q:\n%s", want, text)
		}
	}
	for _, spanish := range []string{es.T("Medical certificate"), es.T("COPY")} {
		if strings.Contains(text, spanish) {
			t.Errorf("the reprint follows the patient's new language: %q", spanish)
		}
	}
}
