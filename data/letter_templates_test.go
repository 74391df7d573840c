package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestLetterTemplates: an administrator words the medical certificate and
// the referral letter with placeholders; the doctors' PDFs use that
// wording, filled from the record; a bad template is refused next to its
// field and changes nothing; nobody else may change them; the change is
// signed like any clinic setting and audited; the default wording comes
// back when a template is emptied.
func TestLetterTemplates(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	sick := app.LetterRequest{PatientID: pid, Kind: app.LetterSickNote, From: "2026-11-25", To: "2026-11-26", Text: "Influenza."}
	ref := app.LetterRequest{PatientID: pid, Kind: app.LetterReferral, Recipient: "Dermatology", Text: "Changing naevus."}
	pdfOf := func(r app.LetterRequest) string {
		t.Helper()
		b, err := c.svc.Visits.LetterPDF(doc, r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(pdftest.Text(t, b, false)), " ")
	}
	if text := pdfOf(sick); !strings.Contains(text, "unfit for work or school from Wednesday 25 November 2026 to Thursday 26 November 2026 inclusive (2 days)") {
		t.Errorf("the default certificate:\n%s", text)
	}

	snap := snapshot(t, c.db)
	for field, bad := range map[string]app.LetterTemplates{
		"sick_note_template": {SickNote: "Unfit from {from} to {until}, {patient}."},
		"referral_template":  {Referral: "Please see {patient} about {from}."},
	} {
		if _, err := c.svc.Settings.UpdateLetterTemplates(admin, bad, nil); app.ErrorField(err) != field {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	for _, bad := range []app.LetterTemplates{
		{SickNote: "{patient} is unwell."},          // no dates
		{SickNote: "{patient} unfit {from} to {to"}, // unclosed
		{SickNote: strings.Repeat("x", 2001) + "{patient}{from}{to}"},
	} {
		if _, err := c.svc.Settings.UpdateLetterTemplates(admin, bad, nil); app.ErrorField(err) != "sick_note_template" {
			t.Errorf("%.40q: %v", bad.SickNote, err)
		}
	}
	for _, role := range []app.Role{app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling, app.RolePatient} {
		if _, err := c.svc.Settings.UpdateLetterTemplates(c.ctx(role), app.LetterTemplates{Referral: "{patient}"}, nil); app.ErrorCode(err) != app.EUNAUTHORIZED {
			t.Errorf("%s: %v", role, err)
		}
	}
	if snapshot(t, c.db) != snap {
		t.Error("a refused template changed data")
	}

	st, err := c.svc.Settings.UpdateLetterTemplates(admin, app.LetterTemplates{
		SickNote: "  {clinic} certifies that {patient} (record {record_no}, born {born}) may not work from {from} to {to}: {days}. Signed {doctor}, {date}.  ",
		Referral: "To whom it may concern at {recipient}: please see {patient}.",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Letters.SickNote, "{clinic} certifies") || st.Letters.Referral == "" {
		t.Errorf("stored %+v", st.Letters)
	}
	if e := lastAudit(t, c); e.Action != "settings.letter_templates" || e.Detail != "changed sick_note_template, referral_template" {
		t.Errorf("audit %+v", e)
	}
	var unsigned int
	if err := c.db.ReadDB().QueryRow(`SELECT count(*) FROM settings WHERE key IN ('sick_note_template', 'referral_template')
		AND power_sig = ''`).Scan(&unsigned); err != nil || unsigned != 0 {
		t.Errorf("%d templates stored unsigned, %v", unsigned, err)
	}
	p := c.patient2
	text := pdfOf(sick)
	for _, want := range []string{"certifies that " + p.FullName + " (record ", "may not work from Wednesday 25 November 2026 to Thursday 26 November 2026: 2 days.",
		"Influenza."} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "I certify") || strings.Contains(text, "{") {
		t.Errorf("the certificate keeps the default wording or a placeholder:\n%s", text)
	}
	if text := pdfOf(ref); !strings.Contains(text, "To whom it may concern at Dermatology: please see "+p.FullName+".") {
		t.Errorf("the referral:\n%s", text)
	}

	// Settings saved from the general form, which has no templates, keep them.
	general := *st
	general.Phone, general.Letters = "+30 210 555 0100", app.LetterTemplates{}
	if st, err = c.svc.Settings.UpdateSettings(admin, general, nil); err != nil {
		t.Fatal(err)
	}
	if st.Letters.Referral == "" {
		t.Error("saving the general settings dropped the letter templates")
	}
	// The default wording, given back or emptied, is the default again.
	if st, err = c.svc.Settings.UpdateLetterTemplates(admin, app.LetterTemplates{SickNote: app.DefaultSickNoteTemplate}, nil); err != nil {
		t.Fatal(err)
	}
	if st.Letters != (app.LetterTemplates{}) {
		t.Errorf("after restoring the defaults: %+v", st.Letters)
	}
	if text := pdfOf(sick); !strings.Contains(text, "I certify that I examined") {
		t.Errorf("the certificate after restoring the default:\n%s", text)
	}
	if _, err := c.svc.Settings.UpdateLetterTemplates(admin, app.LetterTemplates{}, nil); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("nothing changed: %v", err)
	}
}
