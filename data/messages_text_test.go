package data_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestTemplateChangedBeforeTheReminder: the sending desk sends only text
// it writes itself from the clinic's templates and its records, and a
// legitimate change still reaches the patient. A booking's reminders are
// written out at the first round (with the templates and the patient's
// name of then); an administrator then changes the reminder's template
// and reception corrects the patient's name. When the reminder is due,
// its rows no longer say what the clinic's templates say: each is
// dropped with the reason and audited as refused, and written again as
// the templates now say, which goes at once, once per channel, and never
// again. A row pushed with the forger's own text beside a message of the
// same time that waits is refused and not written again: only the
// clinic's goes. Fails on main (612b418), which sent the rows' old text
// and the forged one.
func TestTemplateChangedBeforeTheReminder(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	start := a.at("2026-11-28", "10:00")
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: start, Reason: "Check-up"})
	forgeMessage(t, a, "forged-confirmation", ap.ID, a.patient, "zoe@example.org", "Pay your deposit at http://evil.example/pay")
	deliver(t, a, svc, tr)
	for _, m := range tr.sent {
		if m.Kind != app.MessageConfirmation || strings.Contains(m.Body, "evil") {
			t.Errorf("the first round sent %s %s: %q", m.Kind, m.Channel, m.Body)
		}
	}
	if len(tr.sent) != 2 {
		t.Fatalf("the first round sent %v, want the confirmation by e-mail and SMS", tr.kinds())
	}
	var written int
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM messages WHERE appointment_id = ? AND kind = 'reminder'`, ap.ID).Scan(&written); err != nil || written != 4 {
		t.Fatalf("%d reminders written out, %v; want 4 (two times, two channels)", written, err)
	}

	in := testMessageSettings
	in.Templates = map[app.MessageKind]app.MessageTemplate{app.MessageReminder: {Subject: "See you {weekday}", Body: "New words: {patient}, {weekday} {time} with {doctor}."}}
	if _, err := svc.SetMessageSettings(a.ctx(app.RoleAdmin), in); err != nil {
		t.Fatal(err)
	}
	given := "Zoí"
	if _, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient, app.PatientUpdate{GivenName: &given}); err != nil {
		t.Fatal(err)
	}
	a.clock.Add(start.Add(-24*time.Hour).Sub(a.clock.Now()) + time.Minute)
	tr.sent = nil
	rep := deliver(t, a, svc, tr)
	if rep.Sent != 2 || rep.Dropped != 2 || len(tr.sent) != 2 {
		t.Fatalf("the reminder's round did %+v, sent %v; want the two rows refused and written again, sent", rep, tr.kinds())
	}
	for _, m := range tr.sent {
		if m.Kind != app.MessageReminder || !strings.HasPrefix(m.Body, "New words: Zoí ") {
			t.Errorf("sent %s %s: %q, want the new template with the name on record", m.Kind, m.Channel, m.Body)
		}
		if m.Channel == app.ChannelEmail && !strings.HasPrefix(m.Subject, "See you ") {
			t.Errorf("sent the subject %q", m.Subject)
		}
	}
	ms := patientMessages(t, a, svc, a.patient)
	refused := 0
	for _, m := range ms {
		if m.Kind == app.MessageReminder && m.Status == app.MessageDropped {
			refused++
			if !strings.Contains(m.LastError, "written again") {
				t.Errorf("reminder %s dropped as %q", m.ID, m.LastError)
			}
		}
		if m.ID == "forged-confirmation" && m.Status != app.MessageDropped {
			t.Errorf("the forged confirmation is %s", m.Status)
		}
	}
	var again int
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM messages WHERE resend_of = 'forged-confirmation'`).Scan(&again); err != nil || again != 0 {
		t.Errorf("the forged confirmation was written again %d times, %v; the real one was waiting", again, err)
	}
	if refused != 2 {
		t.Errorf("%d reminders refused, want 2", refused)
	}
	var audited int
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'messages.refused' AND patient_id = ?`, a.patient).Scan(&audited); err != nil || audited < 2 {
		t.Errorf("%d refusals audited, %v; want the two reminders' at least", audited, err)
	}
	tr.sent = nil
	if rep := deliver(t, a, svc, tr); rep != (app.DeliveryReport{}) || len(tr.sent) != 0 {
		t.Errorf("the next round did %+v, sent %v", rep, tr.kinds())
	}
}
