package server_test

import (
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// booking is an appointment's insert as a desk pushes it.
func booking(doctor string, start time.Time, minutes int, status string) string {
	return fmt.Sprintf(`{"doctor_id": %q, "patient_id": %q, "start_at": %q, "end_at": %q, "status": %q}`, doctor,
		uuid.NewString(), start.UTC().Format("2006-01-02T15:04:05.000Z"),
		start.Add(time.Duration(minutes)*time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"), status)
}

// Many desks book overlapping times of one doctor at once: the server's
// exclusion constraint lets exactly one hold the time, every other booking
// is kept with status 'conflict' (never dropped), and bookings of other
// doctors or other times are untouched.
func TestBookingsRaceForOneSlot(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	doctor := uuid.NewString()
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	const desks = 8
	sites := make([]*site, desks)
	for i := range sites {
		sites[i], _ = enroll(t, u)
	}
	results := make([]server.Result, desks)
	var wg gosync.WaitGroup
	for i, s := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Overlapping, not equal: 10:00-10:30, 10:05-10:35, …
			op := s.op("appointments", uuid.NewString(), hlc.KindInsert, booking(doctor, start.Add(time.Duration(i)*time.Minute), 30, "confirmed"))
			res, err := s.client.Push(ctx, s.id, []hlc.Op{op})
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = res[0]
		}()
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		switch {
		case r.Status == server.Applied:
			applied++
		case r.Status == server.Conflict && len(r.Lost) == 1 && r.Lost[0].Field == "status":
		default:
			t.Errorf("a booking's result: %+v", r)
		}
	}
	if applied != 1 {
		t.Fatalf("%d bookings hold the time", applied)
	}
	confirmed := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE entity = 'appointments' AND data->>'status' = 'confirmed'`)
	conflicted := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE entity = 'appointments' AND data->>'status' = 'conflict'`)
	logged := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE entity = 'appointments' AND server_set = '{"status": "conflict"}'`)
	if confirmed != 1 || conflicted != desks-1 || logged != desks-1 {
		t.Fatalf("%d confirmed, %d conflict, %d logged as the server's", confirmed, conflicted, logged)
	}

	// Another doctor, and the time right after, are free.
	s := sites[0]
	other := s.push(s.op("appointments", uuid.NewString(), hlc.KindInsert, booking(uuid.NewString(), start, 30, "confirmed")),
		s.op("appointments", uuid.NewString(), hlc.KindInsert, booking(doctor, start.Add(2*time.Hour), 30, "confirmed")))
	if statuses(other) != "applied,applied" {
		t.Fatalf("free times: %s", statuses(other))
	}
}

// A cancelled booking frees its time; a status never moves back, whatever
// the clocks say.
func TestBookingStatusRules(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	b, _ := enroll(t, u)
	doctor := uuid.NewString()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	first, second := uuid.NewString(), uuid.NewString()
	if got := statuses(a.push(a.op("appointments", first, hlc.KindInsert, booking(doctor, start, 30, "confirmed")))); got != "applied" {
		t.Fatal(got)
	}
	if got := statuses(b.push(b.op("appointments", second, hlc.KindInsert, booking(doctor, start, 30, "confirmed")))); got != "conflict" {
		t.Fatalf("the double booking: %s", got)
	}
	// B checks the first one in (newer), then A's older cancel arrives:
	// checked_in -> cancelled is a move forward, so it applies.
	cancel := a.op("appointments", first, hlc.KindUpdate, `{"status": "cancelled", "cancel_reason": "ill"}`)
	checkIn := b.op("appointments", first, hlc.KindUpdate, `{"status": "checked_in", "checked_in_at": "x"}`)
	b.push(checkIn)
	if got := statuses(a.push(cancel)); got != "conflict" {
		// The cancel is older than the check-in: last writer wins.
		t.Fatalf("the older cancel: %s", got)
	}
	complete := b.op("appointments", first, hlc.KindUpdate, `{"status": "completed"}`)
	b.push(complete)
	// Now an older move back to confirmed loses, though its clock is set
	// to be the newest.
	back := a.op("appointments", first, hlc.KindUpdate, `{"status": "confirmed"}`)
	back.HLC = b.clock.Now()
	back.HLC.Site = a.id
	if got := statuses(a.push(back)); got != "conflict" {
		t.Fatalf("moving a completed visit back: %s", got)
	}
	if r, _ := row(t, u, "appointments", first); r["status"] != "completed" {
		t.Fatalf("status %v", r["status"])
	}
	// A completed visit holds no time, nor a cancelled conflict: the time
	// is free for a new booking.
	b.push(b.op("appointments", second, hlc.KindUpdate, `{"status": "cancelled", "cancel_reason": "double"}`))
	if got := statuses(b.push(b.op("appointments", uuid.NewString(), hlc.KindInsert, booking(doctor, start, 30, "confirmed")))); got != "applied" {
		t.Fatalf("a free time: %s", got)
	}
}
