package sync_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data/sync"
)

// loadAverage is the machine's load, for the figures a test logs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	return "load " + strings.Join(strings.Fields(string(b))[:3], " ")
}

// TestQueueCallReachesOtherDesk: each desk gives tokens with its own
// letter, and a call made on one desk reaches the display of another
// through sync, without the patient's name unless the clinic turns names
// on.
func TestQueueCallReachesOtherDesk(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
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
	syncUntilCaughtUp(t, u, second)

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
	syncUntilCaughtUp(t, u, second)
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
	syncUntilCaughtUp(t, u, first.db)
	if calls, _ := first.svc.Queue.RecentCalls(system, 10); len(calls) != 2 || calls[0].Token != "B-001" {
		t.Fatalf("the first desk's display: %+v", calls)
	}
}

// TestQueueCallReachesOtherDeskWithoutPolling: a call made on one desk
// reaches another desk's waiting-room display through the push after the
// commit and the server's notification, not the next poll. Polling is
// slowed to an hour, so a call that arrives came that way; the second
// desk's sync loop reports each round on a channel, and the test reads
// the second desk's calls after each report.
func TestQueueCallReachesOtherDeskWithoutPolling(t *testing.T) {
	_, first, second := twoDesks(t)
	doctor := first.users[app.RoleDoctor]
	p := newPatient(t, first.svc, "Waiting")
	mustSync(t, first.db)
	mustSync(t, second)

	poll := sync.PollEvery
	sync.PollEvery = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	rounds := make(chan struct{}, 100)
	done := make(chan struct{}, 2)
	go func() { engine(first.db).RunSync(ctx, nil); done <- struct{}{} }()
	go func() {
		engine(second).RunSync(ctx, func(*app.SyncStatus) {
			select {
			case rounds <- struct{}{}:
			default:
			}
		})
		done <- struct{}{}
	}()
	t.Cleanup(func() { cancel(); <-done; <-done; sync.PollEvery = poll })

	// reaches waits for the second desk's rounds until cond holds; false
	// when none does within limit (a missed notification waits an hour).
	reaches := func(limit time.Duration, cond func() bool) bool {
		deadline := time.After(limit)
		for !cond() {
			select {
			case <-rounds:
			case <-deadline:
				return false
			}
		}
		return true
	}
	// The second desk listens once a change made on the first reaches it:
	// one made before its LISTEN would wait for the poll.
	listening := false
	for i := 0; i < 20 && !listening; i++ {
		phone := fmt.Sprintf("+30 210 555 %04d", i)
		if _, err := first.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		listening = reaches(3*time.Second, func() bool {
			got, err := services(second).Patients.FindPatientByID(system, p.ID)
			return err == nil && got.Phone == phone
		})
	}
	if !listening {
		t.Fatal("no change reached the second desk through the server's notification")
	}

	w, err := first.svc.Appointments.WalkIn(system, p.ID, doctor.ID, "", "display test")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := first.svc.Queue.Call(system, w.ID, "Room 2"); err != nil {
		t.Fatal(err)
	}
	var shown []*app.QueueCall
	if !reaches(30*time.Second, func() bool {
		shown, err = services(second).Queue.RecentCalls(system, 5)
		return err == nil && len(shown) == 1
	}) {
		t.Fatalf("the call did not reach the second desk without a poll: %v %+v", err, shown)
	}
	if shown[0].Token != w.Token || shown[0].Room != "Room 2" || shown[0].PatientName != "" {
		t.Errorf("the second desk's display reads %+v", shown[0])
	}
	t.Logf("call to the second desk's calls in %v (%s)", time.Since(start), loadAverage())
}
