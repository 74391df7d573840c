package data_test

import (
	"fmt"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

// Attacks on message plans (desk migration 0156) and on the messages the
// sending desk sends. Rows written here with plain SQL on the writer
// connection are what another desk's login can push: the server keeps
// messages and plans as written (append) and every desk applies them.

// plannedFor books an appointment of yannis (patient2) with his consent on
// both channels, leaving one pending plan; it returns the plan's id.
func plannedFor(t *testing.T, a *apptClinic, svc app.MessageService, day string) (planID, apptID string) {
	t.Helper()
	email, phone := "yannis@example.org", "+30 690 000 0002"
	if _, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient2, app.PatientUpdate{Email: &email, Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range app.MessageChannels {
		if _, err := svc.SetMessageConsent(a.ctx(app.RoleReception), a.patient2, ch, true); err != nil {
			t.Fatal(err)
		}
	}
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
		Start: a.at(day, "10:00"), Reason: "Check-up"})
	if err := a.db.ReadDB().QueryRow(`SELECT id FROM message_plans WHERE appointment_id = ?`, ap.ID).Scan(&planID); err != nil {
		t.Fatal(err)
	}
	return planID, ap.ID
}

// TestMessagePlansAcrossPatients: a patient lists no other patient's
// planned or written messages through any id or filter (the patient's
// own filter, another patient's id, a plan's id, a planned message's
// id), before and after the plan is written out; a patient resends
// nothing. Reception sees the clinic's log, with the plan's messages.
func TestMessagePlansAcrossPatients(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	plan, _ := plannedFor(t, a, svc, "2026-11-28")
	own := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "11:00"), Reason: "Check-up"})
	patient := a.ctx(app.RolePatient)
	msgID := plan + ".0.email"
	check := func(when string) {
		t.Helper()
		for _, f := range []app.MessageFilter{{PatientID: a.patient2}, {PatientID: plan}, {PatientID: msgID}, {},
			{Status: app.MessageWaiting}, {PatientID: a.patient2, Status: app.MessageWaiting}} {
			ms, err := svc.FindMessages(patient, f)
			if code(err) != app.EUNAUTHORIZED {
				t.Errorf("%s: a patient's FindMessages(%+v): %d messages, %v; want EUNAUTHORIZED", when, f, len(ms), err)
			}
		}
		ms, err := svc.FindMessages(patient, app.MessageFilter{PatientID: a.patient})
		if err != nil || len(ms) == 0 {
			t.Fatalf("%s: the patient's own messages: %d, %v", when, len(ms), err)
		}
		for _, m := range ms {
			if m.PatientID != a.patient || m.AppointmentID != own.ID || strings.HasPrefix(m.ID, plan) || strings.Contains(m.To, "yannis") {
				t.Errorf("%s: the patient's own list holds %+v", when, m)
			}
		}
		if _, err := svc.ResendMessage(patient, msgID); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s: a patient resending another patient's message: %v", when, err)
		}
		all, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{PatientID: a.patient2})
		if err != nil || len(all) != 6 {
			t.Fatalf("%s: reception lists %d of yannis's messages, %v; want 6", when, len(all), err)
		}
	}
	check("planned")
	deliver(t, a, svc, tr)
	check("written out")
}

// forgeMessage writes a messages row as another desk's login can push
// one.
func forgeMessage(t *testing.T, a *apptClinic, id, apptID, patientID, to, body string) {
	t.Helper()
	var start string
	if err := a.db.ReadDB().QueryRow(`SELECT start_at FROM appointments WHERE id = ?`, apptID).Scan(&start); err != nil {
		t.Fatal(err)
	}
	now := a.clock.Now().UTC().Format(data.TimeLayout)
	if err := a.db.ExecWriter(fmt.Sprintf(`INSERT INTO messages (id, appointment_id, patient_id, kind, channel, to_address,
		subject, body, send_at, appt_start, origin, created_by, created_at, updated_at)
		VALUES ('%s', '%s', '%s', 'confirmation', 'email', '%s', 'Your appointment', '%s', '%s', '%s', 'elsewhere', 'mallory',
		'%s', '%s')`, id, apptID, patientID, to, body, now, start, now, now)); err != nil {
		t.Fatal(err)
	}
}

// TestForgedMessagesNotSent: messages another desk's login pushed go
// only to the appointment's patient at the address on their record: one
// addressed elsewhere, or naming a patient who is not the appointment's,
// is dropped with the reason and never handed to the transport; a plan
// whose addresses were changed likewise.
func TestForgedMessagesNotSent(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	forgeMessage(t, a, "forged-1", ap.ID, a.patient, "mallory@evil.example", "Pay here: http://evil.example")
	_, other := plannedFor(t, a, svc, "2026-11-28")
	// Zoe's appointment, yannis's address and id.
	forgeMessage(t, a, "forged-2", ap.ID, a.patient2, "yannis@example.org", "About zoe")
	// A plan of zoe's appointment whose addresses are mallory's.
	var planJSON string
	if err := a.db.ReadDB().QueryRow(`SELECT plan FROM message_plans WHERE appointment_id = ?`, ap.ID).Scan(&planJSON); err != nil {
		t.Fatal(err)
	}
	forged := strings.NewReplacer("zoe@example.org", "mallory@evil.example", "+30 690 000 0001", "+44 7700 900123").Replace(planJSON)
	now := a.clock.Now().UTC().Format(data.TimeLayout)
	if err := a.db.ExecWriter(fmt.Sprintf(`INSERT INTO message_plans (id, appointment_id, patient_id, appt_start, plan, origin,
		created_by, created_at, updated_at) SELECT 'forgedplan', appointment_id, patient_id, appt_start, '%s', 'elsewhere', 'mallory',
		'%s', '%s' FROM message_plans WHERE appointment_id = '%s'`, forged, now, now, ap.ID)); err != nil {
		t.Fatal(err)
	}
	_ = other
	deliver(t, a, svc, tr)
	for _, m := range tr.sent {
		if m.To != "zoe@example.org" && m.To != "+30 690 000 0001" && m.To != "yannis@example.org" && m.To != "+30 690 000 0002" {
			t.Errorf("sent %s to %s", m.ID, m.To)
		}
		if strings.HasPrefix(m.ID, "forged") {
			t.Errorf("sent the forged message %s to %s: %q", m.ID, m.To, m.Body)
		}
	}
	ms, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, m := range ms {
		if strings.HasPrefix(m.ID, "forged") && m.Status != app.MessageWaiting {
			if m.Status != app.MessageDropped || !strings.Contains(m.LastError, "not") {
				t.Errorf("forged message %s: %s %q", m.ID, m.Status, m.LastError)
			}
			if m.Status == app.MessageDropped {
				dropped++
			}
		}
	}
	if dropped != 4 { // forged-1, forged-2, and the forged plan's two confirmations
		t.Errorf("%d forged messages dropped, want 4", dropped)
	}
	if n := len(tr.sent); n != 4 {
		t.Errorf("sent %d messages, want 4 (zoe's and yannis's confirmations by e-mail and SMS)", n)
	}
}

// TestPlanNotSuppressedByAForgedMessage: a plan leaves the plans to
// write out only when every one of its messages is here: a row pushed
// under one of its message ids (or a made-up item of it) by another desk
// does not stop the others from being written out and sent, and the log
// lists each once.
func TestPlanNotSuppressedByAForgedMessage(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	plan, appt := plannedFor(t, a, svc, "2026-11-28")
	forgeMessage(t, a, plan+".9.email", appt, a.patient2, "mallory@evil.example", "Nothing")
	forgeMessage(t, a, plan+".0.email", appt, a.patient2, "mallory@evil.example", "Pay here")
	var due int
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM message_plan_due WHERE plan_id = ?`, plan).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if due != 1 {
		t.Fatalf("a forged message took the plan off the plans to write out")
	}
	listed := map[string]int{}
	ms, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{PatientID: a.patient2})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		listed[m.ID]++
	}
	for id, n := range listed {
		if n != 1 {
			t.Errorf("the log lists %s %d times", id, n)
		}
	}
	if len(ms) != 7 { // the plan's six and the made-up one
		t.Errorf("the log lists %d of yannis's messages, want 7", len(ms))
	}
	deliver(t, a, svc, tr)
	if len(tr.sent) != 1 || tr.sent[0].ID != plan+".0.sms" {
		t.Errorf("sent %v, want the plan's SMS confirmation (the e-mail one is the forged row, dropped)", tr.kinds())
	}
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM message_plan_due`).Scan(&due); err != nil || due != 0 {
		t.Errorf("%d plans still to write out, %v", due, err)
	}
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM messages WHERE id > ? AND id < ?`, plan+".", plan+"/").Scan(&due); err != nil || due != 7 {
		t.Errorf("%d messages of the plan, %v; want 7", due, err)
	}
}

// TestMalformedPlanStopsNothing: a plan that is not JSON, or JSON that is
// not a plan (another desk's login can push either), stops neither the
// Messages log nor the sending desk's round: the other plans are listed,
// written out and sent.
func TestMalformedPlanStopsNothing(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	now := a.clock.Now().UTC().Format(data.TimeLayout)
	for i, bad := range []string{`not json`, `{"items": "x", "to": 5}`, `{"items": [{"kind": 7}], "to": [{"channel": 1}]}`} {
		if err := a.db.ExecWriter(fmt.Sprintf(`INSERT INTO message_plans (id, appointment_id, patient_id, appt_start, plan, origin,
			created_by, created_at, updated_at) SELECT 'bad%d', id, patient_id, start_at, '%s', 'elsewhere', 'mallory', '%s', '%s'
			FROM appointments WHERE id = '%s'`, i, bad, now, now, ap.ID)); err != nil {
			t.Fatalf("a desk applying the pulled plan %q: %v", bad, err)
		}
	}
	ms, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{})
	if err != nil || len(ms) != 6 {
		t.Fatalf("the log: %d messages, %v; want zoe's 6", len(ms), err)
	}
	rep, err := svc.DeliverDue(a.ctx(app.RoleAdmin), tr)
	if err != nil || rep.Sent != 2 {
		t.Fatalf("the round: %+v, %v; want zoe's two confirmations sent", rep, err)
	}
}

// TestForgedPlanCopyNotSentTwice: a copy of a booking's plan under
// another id (another desk's login can push one) does not send the
// patient each message twice: a copy of a message already sent, with
// the same appointment, kind, channel and time, is dropped; a resend
// asked for still goes.
func TestForgedPlanCopyNotSentTwice(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	now := a.clock.Now().UTC().Format(data.TimeLayout)
	if err := a.db.ExecWriter(fmt.Sprintf(`INSERT INTO message_plans (id, appointment_id, patient_id, appt_start, plan, origin,
		created_by, created_at, updated_at) SELECT 'copyplan', appointment_id, patient_id, appt_start, plan, 'elsewhere', 'mallory',
		'%s', '%s' FROM message_plans WHERE appointment_id = '%s'`, now, now, ap.ID)); err != nil {
		t.Fatal(err)
	}
	if rep := deliver(t, a, svc, tr); rep.Sent != 2 || rep.Dropped != 2 {
		t.Errorf("the round: %+v, sent %v; want the two confirmations once, two copies dropped", rep, tr.kinds())
	}
	ms := patientMessages(t, a, svc, a.patient)
	var failed string
	for _, m := range ms {
		if m.Status == app.MessageDropped && m.Channel == app.ChannelSMS {
			if m.LastError != "the same message was sent already" {
				t.Errorf("dropped with %q", m.LastError)
			}
			failed = m.ID
		}
	}
	// A person may send a dropped message again on purpose.
	if _, err := svc.ResendMessage(a.ctx(app.RoleReception), failed); err != nil {
		t.Fatal(err)
	}
	tr.reset()
	if rep := deliver(t, a, svc, tr); rep.Sent != 1 {
		t.Errorf("the resend: %+v", rep)
	}
}
