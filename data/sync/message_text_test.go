package sync_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hms/app"
	"hms/data"
	"hms/data/sync"
	"hms/data/sync/hlc"
)

// TestForgedMessageTextNotSent: one desk's server login (plain SQL, as
// that desk) pushes what HMS would never write, addressed to the right
// patient at the address on their record, about their real appointment:
// a message row whose body is the forger's own (a link to pay at), a
// message plan whose clinic name carries that text, and message settings
// whose reminder template does. The desk holding the send lease sends
// none of that text: the settings are refused (unsigned), and each row
// whose text is not what the clinic's templates say for that appointment
// is dropped with the reason, audited as refused, and written again as
// the templates say; only that text reaches the patient, once per
// message, and the refused rows are not tried again. Fails on main
// (612b418): the forged body was sent as written.
func TestForgedMessageTextNotSent(t *testing.T) {
	t.Parallel()
	box, port := startSMTP(t)
	u, first, second := plansDesks(t, time.Minute)
	if _, err := first.svc.Messages.SetMessageSettings(first.ctx(app.RoleAdmin), mailSettings(port)); err != nil {
		t.Fatal(err)
	}
	p := newPatient(t, first.svc, "Phished")
	email := "phished@example.org"
	if _, err := first.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Messages.SetMessageConsent(first.ctx(app.RoleReception), p.ID, app.ChannelEmail, true); err != nil {
		t.Fatal(err)
	}
	ap, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
		Start: first.clock.Now().Add(3 * time.Hour), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
	if err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	secondSvc := services(second)
	deliver := func() app.DeliveryReport {
		t.Helper()
		return deliverRound(t, secondSvc)
	}
	if rep := deliver(); rep.Sent != 1 {
		t.Fatalf("the lease holder sent %+v, want the booking's confirmation", rep)
	}

	const evil = "http://evil.example/pay"
	f := newForger(t, u, first.db)
	now := first.clock.Now().UTC()
	ts := func(t time.Time) string { return t.UTC().Format(data.TimeLayout) }
	forgedID := uuid.Must(uuid.NewV7()).String()
	t.Log("forged message:", f.push("messages", forgedID, hlc.KindInsert, map[string]any{"id": forgedID, "appointment_id": ap.ID,
		"patient_id": p.ID, "kind": "reminder", "channel": "email", "to_address": email, "subject": "Your appointment",
		"body": "Dear Phished, a deposit is due before your visit: pay it at " + evil, "send_at": ts(now.Add(-time.Minute)),
		"appt_start": ts(ap.Start), "origin": first.db.SiteID(), "created_by": "mallory", "created_at": ts(now), "updated_at": ts(now)}))
	plan, _ := json.Marshal(map[string]any{"lang": "en", "patient": "Phished", "doctor": "Dr Who",
		"clinic": "the clinic. A deposit is due: pay it at " + evil,
		"to":     []map[string]any{{"channel": "email", "address": email}}, "items": []map[string]any{{"kind": "reminder", "send_at": ts(now)}}})
	planID := uuid.Must(uuid.NewV7()).String()
	t.Log("forged plan:", f.push("message_plans", planID, hlc.KindInsert, map[string]any{"id": planID, "appointment_id": ap.ID,
		"patient_id": p.ID, "appt_start": ts(ap.Start), "plan": string(plan), "origin": first.db.SiteID(), "created_by": "mallory",
		"created_at": ts(now), "updated_at": ts(now)}))
	settings, _ := json.Marshal(map[string]any{"enabled": true, "reminder_offsets": []string{"2h"},
		"smtp": map[string]any{"Host": "127.0.0.1", "Port": port, "Security": "none", "Username": "desk", "From": "Clinic <desk@clinic.example>"},
		"sms":  map[string]any{}, "templates": map[string]any{"reminder": map[string]any{"Subject": "Deposit due", "Body": "Dear {patient}, pay at " + evil}}})
	refusedBefore := count(t, second, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%")
	t.Log("forged template:", f.push("settings", "message_settings", hlc.KindUpdate, map[string]any{"value": string(settings)}))

	syncUntilCaughtUp(t, u, second)
	if got := count(t, second, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%"); got != refusedBefore+1 {
		t.Errorf("the lease holder refused %d forged settings, want the template refused", got-refusedBefore)
	}
	deliver()
	deliver()
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, first.db)

	ids, to := box.got()
	box.mu.Lock()
	bodies := append([]string(nil), box.bodies...)
	box.mu.Unlock()
	for i, b := range bodies {
		if strings.Contains(b, "evil.example") || strings.Contains(b, "deposit") {
			t.Errorf("the patient got the forger's text from the clinic (to %s): %q", to[i], b)
		}
	}
	// The confirmation, and each forged reminder's time once, as the
	// clinic's template says.
	reminders := 0
	for _, b := range bodies {
		if strings.Contains(b, "this is a reminder of your appointment") && strings.Contains(b, "Phished") {
			reminders++
		}
	}
	if len(ids) != 3 || reminders != 2 {
		t.Errorf("the patient got %d messages, %d of them the clinic's reminder; want the confirmation and two reminders:\n%s",
			len(ids), reminders, strings.Join(bodies, "\n---\n"))
	}
	for i, db := range []*data.DB{first.db, second} {
		ms, err := services(db).Messages.FindMessages(first.ctx(app.RoleAdmin), app.MessageFilter{PatientID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, m := range ms {
			if !strings.Contains(m.Body, "evil.example") {
				continue
			}
			refused++
			if m.Status != app.MessageDropped || !strings.Contains(m.LastError, "templates") {
				t.Errorf("desk %d: the forged message %s is %s (%q), want dropped as not the clinic's text", i+1, m.ID, m.Status, m.LastError)
			}
		}
		if refused != 2 {
			t.Errorf("desk %d lists %d messages with the forger's text, want the two refused", i+1, refused)
		}
		if n := count(t, db, `SELECT count(*) FROM message_due d JOIN messages m ON m.id = d.message_id
			WHERE m.body LIKE '%evil.example%'`); n != 0 {
			t.Errorf("desk %d: %d messages with the forger's text still queued", i+1, n)
		}
	}
	if n := count(t, second, `SELECT count(*) FROM audit_log WHERE action = 'messages.refused' AND patient_id = ?`, p.ID); n != 2 {
		t.Errorf("the lease holder audited %d refusals, want 2", n)
	}
	// Refused for good: later rounds send nothing more.
	if rep := deliver(); rep != (app.DeliveryReport{}) {
		t.Errorf("a later round did %+v", rep)
	}
	if ids, _ := box.got(); len(ids) != 3 {
		t.Errorf("the patient got %d messages after a later round, want 3", len(ids))
	}
}
