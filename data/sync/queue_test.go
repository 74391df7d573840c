package sync_test

import (
	"testing"

	"hms/app"
)

// TestQueueCallReachesOtherDesk: each desk gives tokens with its own
// letter, and a call made on one desk reaches the display of another
// through sync, without the patient's name unless the clinic turns names
// on.
func TestQueueCallReachesOtherDesk(t *testing.T) {
	t.Parallel()
	_, first, second := twoDesks(t)
	doctor := first.users[app.RoleDoctor]
	a := newPatient(t, first.svc, "Queue")
	b := newPatient(t, first.svc, "Other")
	// Another doctor for the second desk's walk-in: two walk-ins with one
	// doctor at one time on two desks apart are a double booking.
	doctor2, err := first.svc.Users.CreateUser(first.ctx(app.RoleAdmin), app.UserCreate{Username: "doctor2",
		FullName: "Dr. Second", Role: app.RoleDoctor, Password: "a long staff password doctor2"})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	mustSync(t, second)

	w1, err := first.svc.Appointments.WalkIn(system, a.ID, doctor.ID, "", "sync test")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := services(second).Appointments.WalkIn(system, b.ID, doctor2.ID, "", "sync test")
	if err != nil {
		t.Fatal(err)
	}
	if w1.Token != "A-001" || w2.Token != "B-001" {
		t.Fatalf("tokens %q on D1 and %q on D2, want A-001 and B-001", w1.Token, w2.Token)
	}
	if _, err := first.svc.Queue.Call(system, w1.ID, "Room 2"); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	mustSync(t, second)
	calls, err := services(second).Queue.RecentCalls(system, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].Token != "A-001" || calls[0].Room != "Room 2" || calls[0].PatientName != "" {
		t.Fatalf("the second desk's display: %+v", calls)
	}
	// The first doctor has nobody left: the first desk's call counts on
	// the second; the second doctor's next is the second desk's walk-in.
	if _, err := services(second).Queue.CallNext(system, doctor.ID, "Room 2"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the called patient called again as next: %v", err)
	}
	next, err := services(second).Queue.CallNext(system, doctor2.ID, "Room 4")
	if err != nil {
		t.Fatal(err)
	}
	if next.Token != "B-001" || next.Room != "Room 4" {
		t.Fatalf("next call on the second desk: %+v", next)
	}
	mustSync(t, second)
	mustSync(t, first.db)
	if calls, _ := first.svc.Queue.RecentCalls(system, 10); len(calls) != 2 || calls[0].Token != "B-001" {
		t.Fatalf("the first desk's display: %+v", calls)
	}
}
