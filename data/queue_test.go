package data_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestQueueTokensAndCalls: check-in (booked or walk-in) gives the day's
// next token of the desk, shown on the board and the doctor's day; the
// doctor calls the next waiting patient, in the order they were checked
// in, to a room they chose and that is remembered; every call is audited;
// the display reads names only when the clinic turns them on; the numbers
// start again the next day, and another desk's tokens carry its letter.
func TestQueueTokensAndCalls(t *testing.T) {
	a := mustAppointments(t)
	appts, q := a.svc.Appointments, a.svc.Queue
	desk, doc := a.ctx(app.RoleReception), a.ctx(app.RoleDoctor)

	w1, err := appts.WalkIn(desk, a.patient, a.doctor, "Sprained ankle", "")
	if err != nil {
		t.Fatal(err)
	}
	if w1.Token != "A-001" {
		t.Fatalf("walk-in token %q, want A-001", w1.Token)
	}
	b := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(today, "11:30")})
	if b.Token != "" {
		t.Fatalf("a booking has a token before check-in: %q", b.Token)
	}
	a.clock.Add(time.Minute)
	in, err := appts.CheckIn(desk, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if in.Token != "A-002" {
		t.Fatalf("check-in token %q, want A-002", in.Token)
	}
	board, err := appts.ReceptionBoard(desk, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Entries) != 2 || board.Entries[0].Appointment.Token != "A-001" || board.Entries[1].Appointment.Token != "A-002" {
		t.Fatalf("board tokens %+v %+v", board.Entries[0].Appointment, board.Entries[1].Appointment)
	}
	day, err := appts.DoctorDay(doc, a.doctor, today)
	if err != nil || len(day) != 2 || day[1].Token != "A-002" {
		t.Fatalf("doctor's day %v, %v", day, err)
	}

	// The doctor has no room in their profile and never called: the room
	// must be given.
	_, err = q.CallNext(doc, a.doctor, "")
	wantErr(t, err, app.EINVALID, "room", "Enter the room")
	// Another doctor calls none of this doctor's patients; a nurse none.
	u2, err := a.svc.Users.FindUserByID(a.ctx(app.RoleAdmin), a.doctor2)
	if err != nil {
		t.Fatal(err)
	}
	d2 := as(callerOf(u2))
	if _, err := q.CallNext(d2, a.doctor, "Room 9"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("another doctor calls: %v", err)
	}
	if _, err := q.Call(a.ctx(app.RoleNurse), w1.ID, "Room 9"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a nurse calls: %v", err)
	}

	a.clock.Add(time.Minute)
	c1, err := q.CallNext(doc, a.doctor, "  Room   3 ")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Token != "A-001" || c1.Room != "Room 3" || c1.AppointmentID != w1.ID || !c1.CalledAt.Equal(a.clock.Now()) {
		t.Fatalf("first call %+v", c1)
	}
	if room, err := q.DoctorRoom(doc, a.doctor); err != nil || room != "Room 3" {
		t.Fatalf("remembered room %q, %v", room, err)
	}
	a.clock.Add(time.Minute)
	c2, err := q.CallNext(doc, a.doctor, "") // the room remembered
	if err != nil {
		t.Fatal(err)
	}
	if c2.Token != "A-002" || c2.Room != "Room 3" {
		t.Fatalf("second call %+v", c2)
	}
	_, err = q.CallNext(doc, a.doctor, "")
	wantErr(t, err, app.ENOTFOUND, "", "Nobody is waiting")
	// Calling a chosen patient again is allowed (they did not come).
	a.clock.Add(time.Minute)
	if _, err := q.Call(desk, w1.ID, "Room 4"); err != nil {
		t.Fatal(err)
	}
	var detail string
	if err := rawDB(t, a.db).QueryRow(`SELECT detail FROM audit_log WHERE action = 'queue.call' AND entity_id = ?
		ORDER BY seq DESC LIMIT 1`, w1.ID).Scan(&detail); err != nil || detail != "token A-001 called to Room 4 by Staff doctor" {
		t.Fatalf("audit %q, %v", detail, err)
	}

	// The display: newest first, no names until the clinic turns them on.
	calls, err := q.RecentCalls(a.ctx(app.RoleNurse), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0].Token != "A-001" || calls[0].Room != "Room 4" || calls[1].Token != "A-002" {
		t.Fatalf("calls %+v", calls)
	}
	for _, c := range calls {
		if c.PatientName != "" {
			t.Fatalf("a name on the display with names off: %+v", c)
		}
	}
	admin := a.ctx(app.RoleAdmin)
	st, err := a.svc.Settings.GetSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	st.DisplayNames = true
	if _, err := a.svc.Settings.UpdateSettings(admin, *st, nil); err != nil {
		t.Fatal(err)
	}
	calls, _ = q.RecentCalls(a.ctx(app.RoleNurse), 10)
	if calls[0].PatientName == "" || calls[0].PatientName != w1.PatientName {
		t.Fatalf("names on: %+v", calls[0])
	}
	if _, err := q.RecentCalls(a.ctx(app.RolePatient), 10); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a patient reads the calls: %v", err)
	}

	// A patient not checked in is not called.
	later := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor2, Start: a.at(today, "15:00")})
	_, err = q.Call(desk, later.ID, "Room 1")
	wantErr(t, err, app.ECONFLICT, "", "not waiting")

	// The next day the numbers start again; another desk has its letter.
	a.clock.Add(24 * time.Hour)
	next, err := appts.WalkIn(desk, a.patient, a.doctor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if next.Token != "A-001" {
		t.Fatalf("next day's first token %q", next.Token)
	}
	if calls, _ := q.RecentCalls(a.ctx(app.RoleNurse), 10); len(calls) != 0 {
		t.Fatalf("yesterday's calls on today's display: %+v", calls)
	}
	if err := a.db.SetDeskCode(desk, "D2"); err != nil {
		t.Fatal(err)
	}
	other, err := appts.WalkIn(desk, a.patient2, a.doctor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if other.Token != "B-001" {
		t.Fatalf("desk D2's first token %q, want B-001", other.Token)
	}
	if !strings.HasPrefix(other.Token, app.QueueLetter("D2")+"-") {
		t.Fatal(other.Token)
	}
}
