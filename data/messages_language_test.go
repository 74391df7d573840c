package data_test

import (
	"context"
	"strings"
	"testing"

	"hms/app"
)

// TestMessagesInThePatientsLanguage: a patient's language (on their
// record, set by reception or by the patient in My record) chooses the
// language of their messages, dates and weekdays included; a patient with
// none gets the clinic's.
func TestMessagesInThePatientsLanguage(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	setLang := func(lang string) *app.Patient {
		t.Helper()
		p, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient, app.PatientUpdate{Language: &lang})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// confirmations books on day at 09:00 and returns the confirmations
	// sent (e-mail, SMS).
	confirmations := func(day string) []*app.Message {
		t.Helper()
		tr.reset()
		a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(day, "09:00")})
		deliver(t, a, svc, tr)
		var out []*app.Message
		for _, m := range tr.sent {
			if m.Kind == app.MessageConfirmation {
				out = append(out, m)
			}
		}
		if len(out) != 2 {
			t.Fatalf("%d confirmations sent, want one per channel: %v", len(out), tr.kinds())
		}
		return out
	}

	if p := setLang("el-GR"); p.Language != "el" {
		t.Fatalf("language %q, want el", p.Language)
	}
	for _, m := range confirmations("2026-11-30") {
		if !strings.Contains(m.Body, "Δευτέρα 30 Νοεμβρίου 2026, ώρα 09:00") || !strings.HasPrefix(m.Body, "Αγαπητέ/ή zoe Papadopoulou") {
			t.Errorf("Greek %s: %q", m.Channel, m.Body)
		}
		if m.Channel == app.ChannelEmail && !strings.HasPrefix(m.Subject, "Το ραντεβού σας: Δευτέρα 30 Νοεμβρίου 2026") {
			t.Errorf("Greek subject %q", m.Subject)
		}
	}

	// The patient sets their own language in My record.
	es := "es"
	if _, err := a.svc.Patients.UpdateOwnContact(a.ctx(app.RolePatient), app.ContactUpdate{Language: &es}); err != nil {
		t.Fatal(err)
	}
	for _, m := range confirmations("2026-12-01") {
		if !strings.Contains(m.Body, "el martes 1 de diciembre de 2026 a las 09:00") || !strings.HasPrefix(m.Body, "Estimado/a zoe") {
			t.Errorf("Spanish %s: %q", m.Channel, m.Body)
		}
	}

	// No language: the clinic's (English here).
	setLang("")
	for _, m := range confirmations("2026-12-02") {
		if !strings.Contains(m.Body, "Wednesday 2 December 2026 at 09:00") || !strings.HasPrefix(m.Body, "Dear zoe") {
			t.Errorf("the clinic's language, %s: %q", m.Channel, m.Body)
		}
	}

	lang := "fr"
	_, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient, app.PatientUpdate{Language: &lang})
	wantErr(t, err, app.EINVALID, "language", "")
}

// TestDefaultMessageTemplatesPerLanguage: HMS has its own text in Greek
// and Spanish for every kind of message, each a valid template that says
// the day, the time and how to reach the clinic.
func TestDefaultMessageTemplatesPerLanguage(t *testing.T) {
	en := app.DefaultMessageTemplatesIn("en")
	for _, lang := range []string{"el", "es"} {
		ts := app.DefaultMessageTemplatesIn(lang)
		for _, k := range app.MessageKinds {
			tm, ok := ts[k]
			if !ok || tm.Body == en[k].Body || tm.Subject == en[k].Subject {
				t.Errorf("%s %s: no text of its own: %+v", lang, k, tm)
				continue
			}
			if err := app.ValidateMessageTemplate("body", tm.Body, true); err != nil {
				t.Errorf("%s %s: %v", lang, k, err)
			}
			for _, ph := range []string{"{patient}", "{weekday}", "{date}", "{time}", "{phone}"} {
				if !strings.Contains(tm.Body, ph) {
					t.Errorf("%s %s: the body lacks %s", lang, k, ph)
				}
			}
		}
	}
}

// TestDocumentLanguage: a document for a patient is in their language,
// else in the clinic's message language; a staff report is in its reader's
// screen language, else the clinic's, whatever the message language.
func TestDocumentLanguage(t *testing.T) {
	a, svc, _ := messagesClinic(t)
	caller := callerOf(a.users[app.RoleAdmin])
	check := func(wantPatient, wantReader string) {
		t.Helper()
		p, r, err := a.db.DocumentLangs(context.Background(), a.patient, caller)
		if err != nil || p != wantPatient || r != wantReader {
			t.Fatalf("patient's %q, reader's %q (%v), want %q and %q", p, r, err, wantPatient, wantReader)
		}
	}
	check("en", "en")
	in := testMessageSettings
	in.Language = "el"
	if _, err := svc.SetMessageSettings(a.ctx(app.RoleAdmin), in); err != nil {
		t.Fatal(err)
	}
	check("el", "en")
	s, err := a.svc.Settings.GetSettings(a.ctx(app.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	s.ScreenLanguage = "es"
	if _, err := a.svc.Settings.UpdateSettings(a.ctx(app.RoleAdmin), *s, nil); err != nil {
		t.Fatal(err)
	}
	check("el", "es")
	if _, err := a.svc.Users.SetLanguage(a.ctx(app.RoleAdmin), caller.UserID, "el", nil); err != nil {
		t.Fatal(err)
	}
	check("el", "el")
	es := "es"
	if _, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient, app.PatientUpdate{Language: &es}); err != nil {
		t.Fatal(err)
	}
	check("es", "el")
}
