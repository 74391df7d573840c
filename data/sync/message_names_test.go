package sync_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
)

// TestForgedNameNotSent: the names that go into a message ({patient}, a
// patient's given and family names; {doctor}, the doctor's account's
// full_name) are rows any desk's server login can push unsigned, unlike
// the templates, the clinic's name and phone (signed settings). One
// desk's login (plain SQL, as that desk) renames a patient, then the
// doctor, to a phrase with a link. The lease holder sends neither name:
// each reminder that comes due after a rename is dropped with the reason
// (which name), audited as messages.refused, and not written again; the
// patients got the confirmations only, and later rounds send nothing.
// Fails on main (0ada951): each reminder was refused as not the
// templates' text, written again with the forged name and sent.
func TestForgedNameNotSent(t *testing.T) {
	t.Parallel()
	u, first, second, secondClock := leasedDesks(t, time.Minute)
	tick := func(d time.Duration) { first.clock.Add(d); secondClock.Add(d) }
	box, _ := mailFrom(t, first)
	doctor := first.users[app.RoleDoctor].ID
	// Two patients of the doctor: reminders in one hour and in four.
	patient := func(name string, in time.Duration) *app.Patient {
		p := emailPatient(t, first, name, strings.ToLower(name)+"@example.org")
		if _, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: doctor,
			Start: first.clock.Now().Add(in), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	renamed := patient("Renamed", 3*time.Hour)
	other := patient("Other", 6*time.Hour)
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	secondSvc := services(second)
	if rep := deliverRound(t, secondSvc); rep.Sent != 2 {
		t.Fatalf("the lease holder sent %+v, want the two confirmations", rep)
	}

	const evil = "pay the deposit at evil.example/pay"
	f := newForger(t, u, first.db)
	t.Log("forged patient's name:", f.push("patients", renamed.ID, hlc.KindUpdate, map[string]any{"given_name": "Renamed, " + evil}))
	syncUntilCaughtUp(t, u, second)
	tick(time.Hour + time.Minute) // the renamed patient's reminder
	deliverRound(t, secondSvc)
	t.Log("forged doctor's name:", f.push("users", doctor, hlc.KindUpdate, map[string]any{"full_name": "Dr House, " + evil}))
	syncUntilCaughtUp(t, u, second)
	tick(3 * time.Hour) // the other patient's reminder
	deliverRound(t, secondSvc)
	deliverRound(t, secondSvc)
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, first.db)

	box.mu.Lock()
	bodies := append([]string(nil), box.bodies...)
	box.mu.Unlock()
	for _, b := range bodies {
		if strings.Contains(b, "evil.example") {
			t.Errorf("a patient got the forger's name in the clinic's message: %q", b)
		}
	}
	if len(bodies) != 2 {
		t.Errorf("the patients got %d messages, want the two confirmations:\n%s", len(bodies), strings.Join(bodies, "\n---\n"))
	}
	for _, c := range []struct {
		p   *app.Patient
		why string
	}{
		{renamed, "the patient's name on record cannot go into a message"},
		{other, "the doctor's name on record cannot go into a message"},
	} {
		for i, db := range []*data.DB{first.db, second} {
			ms, err := services(db).Messages.FindMessages(first.ctx(app.RoleAdmin), app.MessageFilter{PatientID: c.p.ID})
			if err != nil {
				t.Fatal(err)
			}
			var reminders []string
			for _, m := range ms {
				if m.Kind == app.MessageReminder {
					reminders = append(reminders, string(m.Status)+": "+m.LastError)
				}
			}
			if len(reminders) != 1 || !strings.HasPrefix(reminders[0], string(app.MessageDropped)+": "+c.why) {
				t.Errorf("desk %d, %s's reminders: %q; want one, dropped: %s", i+1, c.p.GivenName, reminders, c.why)
			}
		}
		if n := count(t, second, `SELECT count(*) FROM audit_log WHERE action = 'messages.refused' AND patient_id = ?
			AND detail NOT LIKE '%evil%'`, c.p.ID); n != 1 {
			t.Errorf("the lease holder audited %d refusals of %s's reminder, want 1 (not naming the forger's words)", n, c.p.GivenName)
		}
	}
	if n := count(t, second, `SELECT count(*) FROM message_due`); n != 0 {
		t.Errorf("%d messages still queued", n)
	}
	// Refused for good: later rounds send nothing more.
	if rep := deliverRound(t, secondSvc); rep != (app.DeliveryReport{}) {
		t.Errorf("a later round did %+v", rep)
	}
	if ids, _ := box.got(); len(ids) != 2 {
		t.Errorf("the patients got %d messages after a later round, want 2", len(ids))
	}
}
