package sync_test

import (
	"context"
	"path/filepath"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// jumpClock is real time plus a jump a test sets: a desk's clock that
// someone sets wrong, and right again.
type jumpClock struct {
	mu   stdsync.Mutex
	jump time.Duration
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.jump)
}

func (c *jumpClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jump = d
}

// clockDesks is a clinic of two desks in step (twoDesks) and a third desk
// on a clock a test can set wrong (jumpClock), enrolled and in step too.
func clockDesks(t *testing.T) (u string, first *clinic, desk *data.DB, clk *jumpClock) {
	t.Helper()
	return clockDesksAt(t, 0)
}

// clockDesksAt is clockDesks with the third desk's clock off by jump when
// it enrolls.
func clockDesksAt(t *testing.T, jump time.Duration) (u string, first *clinic, desk *data.DB, clk *jumpClock) {
	t.Helper()
	u, first, _ = twoDesks(t)
	clk = &jumpClock{jump: jump}
	desk, err := data.Open(filepath.Join(t.TempDir(), "hms.db"), data.Options{HashParams: datatest.CheapHash, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	mustEnroll(t, desk, u)
	syncUntilCaughtUp(t, u, desk)
	return u, first, desk, clk
}

// A desk whose clock jumps an hour ahead while it is offline: once it
// reaches the server again it notices, gives the changes it made meanwhile
// the time they were really made (its registrations reach the other desks
// at once, not an hour later), and stamps its next changes with the
// server's time; its stale edit of an address, older than another desk's
// edit of it, does not overwrite that one but is kept for review on every
// desk; and its audit log says what happened.
func TestClockJumpAheadWhileOffline(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Clock")
	syncAll(t, first.db, desk)

	// Offline, the desk's clock jumps an hour ahead.
	clk.set(time.Hour)
	made := time.Now()
	editField(t, desk, p.ID, "address", "stale address")
	q := newPatient(t, services(desk), "Registered Offline")
	// Meanwhile the other desk edits the same address, later.
	mustSync(t, first.db)
	editField(t, first.db, p.ID, "address", "fresh address")
	mustSync(t, first.db)

	// Back online (its clock still wrong, or set right: either way).
	rep := mustSync(t, desk)
	if rep.Quarantined != 0 {
		t.Fatalf("the desk's changes are still quarantined: %+v", rep)
	}
	syncAll(t, first.db, desk)
	sameClinic(t, first.db, desk)
	if n := count(t, first.db, `SELECT count(*) FROM patients WHERE id = ?`, q.ID); n != 1 {
		t.Fatal("the registration made while the clock was wrong did not reach the other desk")
	}
	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{first.db, desk} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = 'fresh address'`, p.ID); n != 1 {
			t.Errorf("desk %d: the stale edit overwrote the newer one", i)
		}
		if got := openLosses(t, d, admin, p.ID, "address"); got[`"stale address"`] != `"fresh address"` {
			t.Errorf("desk %d keeps for review %v, want the stale address", i, got)
		}
		// The history shows when the stale edit was made, not an hour later.
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND new_value = 'stale address'`,
			p.ID).Scan(&at); err != nil {
			t.Fatalf("desk %d: the history of the stale edit: %v", i, err)
		}
		if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
			t.Errorf("desk %d: the history shows the stale edit at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
		}
	}
	if n := count(t, desk, `SELECT count(*) FROM audit_log WHERE action = 'sync.clock'`); n != 1 {
		t.Errorf("%d audit rows of the clock incident", n)
	}

	// Its clock set right, the desk's next change is stamped now, not an
	// hour ahead.
	clk.set(0)
	editField(t, desk, p.ID, "notes", "after the fix")
	var stamp string
	if err := rawDB(t, desk).QueryRow(`SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1`).Scan(&stamp); err != nil {
		t.Fatal(err)
	}
	ts, err := hlc.Parse(stamp)
	if err != nil {
		t.Fatal(err)
	}
	if ahead := time.Until(ts.Time()); ahead > time.Minute {
		t.Fatalf("the next change is stamped %s ahead", ahead)
	}
	if rep := mustSync(t, desk); rep.Quarantined != 0 || rep.Applied == 0 {
		t.Fatalf("after the fix: %+v", rep)
	}
}

// A desk whose clock jumped an hour ahead signs a settings change with the
// jumped reading; its clock incident re-dates the change to when it was
// made. A later signed change of the same setting made on another desk,
// before real time reaches the jumped reading, is newer and must be taken
// by every desk (not refused as an old signed state sent again); the desks
// stay one clinic, with no change refused.
func TestSignedChangeAfterClockJump(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	admin := as(callerOf(first.users[app.RoleAdmin]))
	setAddress := func(db *data.DB, addr string) {
		t.Helper()
		svc := services(db)
		st, err := svc.Settings.GetSettings(admin)
		if err != nil {
			t.Fatal(err)
		}
		st.Address = addr
		if _, err := svc.Settings.UpdateSettings(admin, *st, nil); err != nil {
			t.Fatal(err)
		}
	}
	address := func(db *data.DB) string {
		t.Helper()
		var v string
		if err := rawDB(t, db).QueryRow(`SELECT value FROM settings WHERE key = 'address'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(step, want string) {
		t.Helper()
		for i, d := range []*data.DB{first.db, desk} {
			if got := address(d); !strings.Contains(got, want) {
				t.Errorf("%s: desk %d has the address %s, want %q", step, i, got, want)
			}
			if st, _ := engine(d).SyncStatus(anon); st.Unsigned != 0 {
				t.Errorf("%s: desk %d refused %d signed change(s)", step, i, st.Unsigned)
			}
		}
	}

	// Offline, the desk's clock jumps an hour ahead; its administrator
	// changes the clinic's address, signed with the jumped reading.
	clk.set(time.Hour)
	setAddress(desk, "1 Jumped Street")
	// Back online: the change is re-dated and reaches the other desk.
	syncAll(t, desk, first.db)
	check("the change made while the clock was ahead", "1 Jumped Street")

	// The other desk's administrator changes the address again, now
	// (before real time reaches the jumped reading): newer, it must win.
	setAddress(first.db, "2 Later Street")
	syncAll(t, first.db, desk)
	check("a later change made elsewhere", "2 Later Street")

	// The desk, its clock set right, changes it again: it reaches the
	// other desk too.
	clk.set(0)
	setAddress(desk, "3 Third Street")
	syncAll(t, desk, first.db)
	check("a change of the desk whose clock was ahead, set right", "3 Third Street")
	sameClinic(t, first.db, desk)
}

// A desk whose clock falls an hour behind while it is offline edits a
// patient's notes after another desk edited them. Its clock reading, which
// never goes backwards, is held at the newest one it gave before, so
// without a correction its later edit would lose to the earlier one. Back
// online with its clock still wrong, the handshake finds it behind: the
// edit gets the time it was made and wins on every desk, the value it
// replaced without having seen it is kept for review on every desk, the
// history on both desks shows when it was made, and its next change is
// stamped with the server's time.
func TestClockFallsBehindWhileOffline(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Behind")
	syncAll(t, first.db, desk)

	// Offline, the desk's clock falls an hour behind. The other desk edits
	// the notes; a moment later (real time) this desk edits them too.
	clk.set(-time.Hour)
	editField(t, first.db, p.ID, "notes", "earlier edit")
	mustSync(t, first.db)
	time.Sleep(20 * time.Millisecond)
	made := time.Now()
	editField(t, desk, p.ID, "notes", "later edit")

	// Back online, its clock still wrong.
	rep := mustSync(t, desk)
	if rep.Quarantined != 0 {
		t.Fatalf("quarantined: %+v", rep)
	}
	syncAll(t, first.db, desk)
	sameClinic(t, first.db, desk)
	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{first.db, desk} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND notes = 'later edit'`, p.ID); n != 1 {
			t.Errorf("desk %d: the later edit lost to the earlier one", i)
		}
		if got := openLosses(t, d, admin, p.ID, "notes"); got[`"earlier edit"`] != `"later edit"` {
			t.Errorf("desk %d keeps for review %v, want the earlier edit, replaced without being seen", i, got)
		}
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = 'notes' AND new_value = 'later edit'`,
			p.ID).Scan(&at); err != nil {
			t.Fatalf("desk %d: the history of the later edit: %v", i, err)
		}
		when, err := time.Parse(data.TimeLayout, at)
		if err != nil {
			t.Fatal(err)
		}
		if off := when.Sub(made); off < -time.Minute || off > time.Minute {
			t.Errorf("desk %d: the history shows the later edit at %s, %s from when it was made", i, at, off.Round(time.Second))
		}
		// The other desk's clock is a test's fixed morning: the timeline's
		// newest entry is the later edit's.
		if err := rawDB(t, d).QueryRow(`SELECT max(at) FROM patient_events WHERE patient_id = ?`, p.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
			t.Errorf("desk %d: the timeline shows the later edit at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
		}
	}
	if n := count(t, desk, `SELECT count(*) FROM audit_log WHERE action = 'sync.clock' AND detail LIKE '%behind%'`); n != 1 {
		t.Errorf("%d audit rows of the clock incident", n)
	}

	// Its clock still an hour behind, the desk's next change is stamped
	// with the server's time, and wins over what came before it.
	editField(t, desk, p.ID, "address", "after the incident")
	var stamp string
	if err := rawDB(t, desk).QueryRow(`SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1`).Scan(&stamp); err != nil {
		t.Fatal(err)
	}
	ts, err := hlc.Parse(stamp)
	if err != nil {
		t.Fatal(err)
	}
	if off := time.Since(ts.Time()); off > time.Minute || off < -time.Minute {
		t.Fatalf("the next change is stamped %s from now", off.Round(time.Second))
	}
	syncAll(t, desk, first.db)
	sameClinic(t, first.db, desk)
}

// A desk whose clock fell behind and was set right before it reconnected:
// the handshake cannot see it, and the edit made after another desk's
// keeps its early reading and loses; it is kept for review on every desk,
// never lost silently (docs/SYNC-DESIGN.md, "Clock incidents", limits).
func TestClockFellBehindSetRightBeforeSync(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Set Right")
	syncAll(t, first.db, desk)

	clk.set(-time.Hour)
	editField(t, first.db, p.ID, "notes", "earlier edit")
	mustSync(t, first.db)
	time.Sleep(20 * time.Millisecond)
	editField(t, desk, p.ID, "notes", "later edit")
	clk.set(0)

	syncAll(t, desk, first.db)
	sameClinic(t, first.db, desk)
	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{first.db, desk} {
		var notes string
		if err := rawDB(t, d).QueryRow(`SELECT notes FROM patients WHERE id = ?`, p.ID).Scan(&notes); err != nil {
			t.Fatal(err)
		}
		lost := openLosses(t, d, admin, p.ID, "notes")
		loser := map[string]string{"earlier edit": "later edit", "later edit": "earlier edit"}[notes]
		if loser == "" || lost[`"`+loser+`"`] != `"`+notes+`"` {
			t.Errorf("desk %d holds %q and keeps for review %v: the other edit was lost without review", i, notes, lost)
		}
	}
}

// A desk whose clock fell behind pushed its changes, and the reply was lost:
// the server decided them with their early readings. The handshake that
// finds the clock behind leaves those as the server decided them (the
// desk would otherwise hold readings and history no other desk has), and
// re-dates only what the server has not decided: the desks stay one clinic.
func TestClockBehindLostReply(t *testing.T) {
	t.Parallel()
	u, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Lost Reply")
	syncAll(t, first.db, desk)

	clk.set(-time.Hour)
	editField(t, first.db, p.ID, "address", "earlier address")
	mustSync(t, first.db)
	time.Sleep(20 * time.Millisecond)
	editField(t, desk, p.ID, "notes", "pushed, reply lost")
	ctx := context.Background()
	ops, err := desk.PendingOps(ctx, 0, sync.PushBatch)
	if err != nil || len(ops) == 0 {
		t.Fatalf("%d operations queued: %v", len(ops), err)
	}
	c, err := server.Dial(ctx, deskURL(t, desk, u))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Push(ctx, desk.SiteID(), ops); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	made := time.Now()
	editField(t, desk, p.ID, "address", "later address")

	syncAll(t, desk, first.db)
	sameClinic(t, first.db, desk)
	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{first.db, desk} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = 'later address' AND notes = 'pushed, reply lost'`, p.ID); n != 1 {
			t.Errorf("desk %d: the edits made while the clock was behind did not both win", i)
		}
		if got := openLosses(t, d, admin, p.ID, "address"); got[`"earlier address"`] != `"later address"` {
			t.Errorf("desk %d keeps for review %v, want the earlier address", i, got)
		}
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND new_value = 'later address'`,
			p.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
			t.Errorf("desk %d: the history shows the later address at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
		}
	}
}

// Two clock incidents on one desk with no handshake between them, in both
// orders: the clock is found an hour ahead (or behind), is set right, and
// before the desk next reaches the server it goes wrong the other way, or
// it is set right and the desk edits with it right. The offset the first
// handshake measured was the wrong clock's, so the readings the desk
// stamped since are off by both errors; the history rows, written with the
// desk's own clock, are off only by the clock's error when each edit was
// made. Every desk's history shows each edit when it was made (found by
// the seeded simulation, seed 24: an edit made an hour behind was shown an
// hour ahead).
func TestClockIncidentsInARow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		first, second time.Duration
		// whether the history of the edit made with the clock right,
		// between the two, is checked: after "ahead then behind" the desk
		// cannot tell it from the edits made behind (both held, with one
		// offset in use, and no handshake between), and it shows up to
		// the fall later than it was made (docs/SYNC-DESIGN.md, "Incidents
		// in a row").
		between bool
	}{
		{"ahead then behind", time.Hour, -time.Hour, false},
		{"behind then right", -time.Hour, 0, true},
		{"ahead then right", time.Hour, 0, true},
		{"behind then behind", -time.Hour, -time.Hour, true},
		// The second jump equals the first: the second handshake measures
		// the offset already in use, so no incident, but the clock is off
		// (seed 788: the history an hour late on every desk).
		{"ahead then ahead", time.Hour, time.Hour, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, first, desk, clk := clockDesks(t)
			p := newPatient(t, first.svc, "Twice Off")
			syncAll(t, first.db, desk)

			// The first incident: found while the clock is still wrong.
			clk.set(c.first)
			editField(t, desk, p.ID, "address", "first incident")
			mustSync(t, desk)
			// Set right, an edit with the clock right (its reading is off
			// by the offset the first handshake found); then, offline, the
			// second incident and an edit during it.
			clk.set(0)
			between := time.Now()
			editField(t, desk, p.ID, "address", "between incidents")
			time.Sleep(20 * time.Millisecond)
			clk.set(c.second)
			made := time.Now()
			editField(t, desk, p.ID, "notes", "second incident")
			mustSync(t, desk)
			syncAll(t, first.db, desk)
			sameClinic(t, first.db, desk)
			for i, d := range []*data.DB{first.db, desk} {
				for _, e := range []struct {
					field, value string
					made         time.Time
				}{{"notes", "second incident", made}, {"address", "between incidents", between}} {
					if e.field == "address" && !c.between {
						continue
					}
					var at string
					if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = ? AND new_value = ?`,
						p.ID, e.field, e.value).Scan(&at); err != nil {
						t.Fatalf("desk %d: the history of the %s edit: %v", i, e.field, err)
					}
					when, err := time.Parse(data.TimeLayout, at)
					if err != nil {
						t.Fatal(err)
					}
					if off := when.Sub(e.made); off < -time.Minute || off > time.Minute {
						t.Errorf("desk %d: the history shows the %s edit at %s, %s from when it was made", i, e.field, at, off.Round(time.Second))
					}
				}
			}
		})
	}
}

// A desk whose clock jumped ahead keeps it: the handshake that found the
// incident set its offset, and nobody sets the clock right. Its readings
// follow the server's time from then on, but the history rows of its
// later edits are written with its own clock, an hour ahead. The next
// handshake measures the same offset (no new incident) and must still
// find the clock off: every desk shows when those edits were made, and
// the desk's usual offset stays the one it had before the incident.
func TestClockStillAheadAtNextHandshake(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Still Off")
	syncAll(t, first.db, desk)

	clk.set(time.Hour)
	editField(t, desk, p.ID, "address", "found off")
	mustSync(t, desk)
	for round, value := range []string{"still off", "still off again"} {
		made := time.Now()
		editField(t, desk, p.ID, "notes", value)
		mustSync(t, desk)
		syncAll(t, first.db, desk)
		sameClinic(t, first.db, desk)
		for i, d := range []*data.DB{first.db, desk} {
			var at string
			if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = 'notes' AND new_value = ?`,
				p.ID, value).Scan(&at); err != nil {
				t.Fatalf("round %d, desk %d: the history of the edit: %v", round, i, err)
			}
			when, err := time.Parse(data.TimeLayout, at)
			if err != nil {
				t.Fatal(err)
			}
			if off := when.Sub(made); off < -time.Minute || off > time.Minute {
				t.Errorf("round %d, desk %d: the history shows the edit made with the clock still off at %s, %s from when it was made",
					round, i, at, off.Round(time.Second))
			}
		}
	}
	// Set right at last: the history of an edit made now is right too.
	clk.set(0)
	made := time.Now()
	editField(t, desk, p.ID, "notes", "set right")
	mustSync(t, desk)
	syncAll(t, first.db, desk)
	for i, d := range []*data.DB{first.db, desk} {
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = 'notes' AND new_value = 'set right'`,
			p.ID).Scan(&at); err != nil {
			t.Fatalf("desk %d: the history of the edit after the fix: %v", i, err)
		}
		if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
			t.Errorf("desk %d: the history shows the edit made after the fix at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
		}
	}
}

// A desk's clock jumps an hour ahead and it syncs before it made anything
// (no reading from the future: the handshake only measures the offset),
// is set right, syncs a few times with edits between, then falls an hour
// behind and edits. The handshake that found the clock ahead must not take
// the wrong clock's offset as the desk's usual one: it did, and the
// handshake after the clock was set right moved the history of the edit
// made with the clock right an hour late; every later handshake found the
// clock "still off" against that usual offset and moved the history of
// every edit an hour late, and the edits made behind two hours (simulation
// seed 852: the history of edits made behind an hour late on every desk).
// Nor does a handshake that finds the clock in step with the server's
// time move any history: the clock is right, whatever the usual offset.
func TestClockAheadFoundBeforeAnyEdit(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesks(t)
	p := newPatient(t, first.svc, "Ahead Then Behind")
	syncAll(t, first.db, desk)

	type edit struct {
		field, value string
		made         time.Time
	}
	var edits []edit
	do := func(field, value string) {
		edits = append(edits, edit{field, value, time.Now()})
		editField(t, desk, p.ID, field, value)
	}
	clk.set(time.Hour)
	mustSync(t, desk) // found ahead, nothing stamped from the future
	clk.set(0)
	do("address", "set right")
	mustSync(t, desk)
	for _, v := range []string{"right 1", "right 2", "right 3"} {
		do("notes", v)
		mustSync(t, desk)
	}
	clk.set(-time.Hour)
	do("address", "made behind")
	mustSync(t, desk) // found behind
	clk.set(0)
	do("notes", "set right again")
	mustSync(t, desk)
	syncAll(t, first.db, desk)
	sameClinic(t, first.db, desk)
	for i, d := range []*data.DB{first.db, desk} {
		for _, e := range edits {
			checkHistoryMade(t, i, d, p.ID, e.field, e.value, e.made)
		}
	}
}

// checkHistoryMade fails t unless desk i's history of the edit of field
// to value shows it within a minute of made.
func checkHistoryMade(t *testing.T, i int, d *data.DB, patientID, field, value string, made time.Time) {
	t.Helper()
	var at string
	if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = ? AND new_value = ?`,
		patientID, field, value).Scan(&at); err != nil {
		t.Fatalf("desk %d: the history of the edit of %s to %q: %v", i, field, value, err)
	}
	when, err := time.Parse(data.TimeLayout, at)
	if err != nil {
		t.Fatal(err)
	}
	if off := when.Sub(made); off < -time.Minute || off > time.Minute {
		t.Errorf("desk %d: the history shows the edit of %s to %q at %s, %s from when it was made",
			i, field, value, at, off.Round(time.Second))
	}
}

// A desk enrolled while its clock was an hour ahead, so that its usual
// offset is the wrong clock's; someone sets the clock right. From then on
// the handshakes find the clock in step with the server's time, as far
// from the usual offset as it was wrong: that is no clock "still off",
// and the history of the edits made with the clock right must show when
// they were made (every handshake moved it an hour late).
func TestClockEnrolledWrongThenSetRight(t *testing.T) {
	t.Parallel()
	_, first, desk, clk := clockDesksAt(t, time.Hour)
	p := newPatient(t, first.svc, "Enrolled Wrong")
	syncAll(t, first.db, desk)
	mustSync(t, desk) // the usual offset: the clock an hour ahead

	clk.set(0)
	mustSync(t, desk) // set right: the offset in use changes
	type edit struct {
		value string
		made  time.Time
	}
	var edits []edit
	for _, v := range []string{"right 1", "right 2", "right 3"} {
		edits = append(edits, edit{v, time.Now()})
		editField(t, desk, p.ID, "notes", v)
		mustSync(t, desk)
	}
	syncAll(t, first.db, desk)
	sameClinic(t, first.db, desk)
	for i, d := range []*data.DB{first.db, desk} {
		for _, e := range edits {
			checkHistoryMade(t, i, d, p.ID, "notes", e.value, e.made)
		}
	}
}

// A desk whose clock fell behind registers a patient; its push is taken by
// the server and the reply is lost, and the other desk pulls the
// registration, its history dated by the wrong clock. The server is then
// restored from a dump older than the push: it no longer holds the
// change, so the handshake that finds the clock behind re-dates it, and
// its history rows, and pushes it again. The other desk, which took the
// first version, must take the re-dated history too: every desk shows the
// registration at one time (found by the seeded simulation, seeds 50 and
// 224: a history row an hour, or milliseconds, off on one desk).
func TestClockBehindRedatedAfterRestore(t *testing.T) {
	t.Parallel()
	u, first, desk, clk := clockDesks(t)
	syncAll(t, first.db, desk)
	dump := servertest.Copy(t, u)

	clk.set(-time.Hour)
	made := time.Now()
	p := newPatient(t, services(desk), "Registered Behind")
	ctx := context.Background()
	ops, err := desk.PendingOps(ctx, 0, sync.PushBatch)
	if err != nil || len(ops) == 0 {
		t.Fatalf("%d operations queued: %v", len(ops), err)
	}
	c, err := server.Dial(ctx, deskURL(t, desk, u))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Push(ctx, desk.SiteID(), ops); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	// The pull stops short of transactions still open on the server
	// (other tests' too): a few rounds may be needed.
	for round := 0; count(t, first.db, `SELECT count(*) FROM patient_events WHERE patient_id = ?`, p.ID) == 0; round++ {
		if round == 20 {
			t.Fatal("the other desk did not take the registration from the server")
		}
		time.Sleep(100 * time.Millisecond)
		mustSync(t, first.db)
	}

	pointAt(t, first.db, dump)
	pointAt(t, desk, dump)
	syncAll(t, desk, first.db)
	syncAll(t, desk, first.db)
	sameClinic(t, first.db, desk)
	for i, d := range []*data.DB{first.db, desk} {
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT min(at) FROM patient_events WHERE patient_id = ?`, p.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
			t.Errorf("desk %d shows the registration at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
		}
	}
}

// A desk whose clock fell behind signs a change of the clinic's address
// after another desk's administrator signed one. Its reading is held at
// the newest it gave before the fall, and the signature carries that
// reading, which no one can change afterwards. Re-dating the change to
// when it was made let it win on the server, while the desk that held the
// other state refused it, signed no later than what it held (an old state
// sent again, by the rule against replays): the desks parted, one refusing
// a signed change (found by the seeded simulation, seed 65). A signed
// change keeps the reading it was signed with: the two merge by the
// signed readings, one wins on every desk, the other is kept for review,
// and no desk refuses anything.
func TestSignedChangeWhileClockBehind(t *testing.T) {
	t.Parallel()
	u, first, _ := twoDesks(t)
	clk := &jumpClock{}
	desk, err := data.Open(filepath.Join(t.TempDir(), "hms.db"), data.Options{HashParams: datatest.CheapHash, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	// The other desk keeps real time too (the test clinic's first desk
	// keeps a fixed morning, whose readings stay at its last handshake).
	other, err := data.Open(filepath.Join(t.TempDir(), "other.db"), data.Options{HashParams: datatest.CheapHash, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	mustEnroll(t, desk, u)
	mustEnroll(t, other, u)
	syncAll(t, desk, other, first.db)
	admin := as(callerOf(first.users[app.RoleAdmin]))
	setAddress := func(db *data.DB, addr string) {
		t.Helper()
		svc := services(db)
		st, err := svc.Settings.GetSettings(admin)
		if err != nil {
			t.Fatal(err)
		}
		st.Address = addr
		if _, err := svc.Settings.UpdateSettings(admin, *st, nil); err != nil {
			t.Fatal(err)
		}
	}

	// Offline, the desk's clock falls an hour behind; the other desk's
	// administrator signs a new address, and a moment later this desk's.
	clk.set(-time.Hour)
	time.Sleep(50 * time.Millisecond)
	setAddress(other, "1 Other Street")
	mustSync(t, other)
	time.Sleep(50 * time.Millisecond)
	setAddress(desk, "2 Behind Street")

	syncAll(t, desk, other, first.db)
	syncAll(t, desk, other, first.db)
	sameClinic(t, other, desk, first.db)
	for i, d := range []*data.DB{other, desk, first.db} {
		if st, _ := engine(d).SyncStatus(anon); st.Unsigned != 0 {
			t.Errorf("desk %d refused %d signed change(s)", i, st.Unsigned)
		}
		var v string
		if err := rawDB(t, d).QueryRow(`SELECT value FROM settings WHERE key = 'address'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE entity = 'settings' AND row_id = 'address'`); n == 0 {
			t.Errorf("desk %d holds the address %s and keeps the other for review nowhere", i, v)
		}
	}
}

// A clock incident re-dates a queued edit after the reading of the value
// it replaced, not only after the desk's own earlier readings: B takes A's
// address, then, its clock an hour ahead, replaces it; its clock moves
// again before it reconnects, so the jump measured is larger than the one
// its edit was stamped with, and less that jump the edit's reading falls
// before A's. It saw A's value, so it must win on every desk with no
// review item (issue #21: before, it lost to the very value it replaced
// and was kept for review).
func TestClockIncidentRedatesAfterWhatTheEditSaw(t *testing.T) {
	t.Parallel()
	u, first, desk, clk := clockDesks(t)
	a := first.db
	p := newPatient(t, first.svc, "Redate Base")
	syncAll(t, a, desk)
	mustSync(t, a)
	editField(t, a, p.ID, "address", "1 A Street")
	mustSync(t, a)
	syncUntilCaughtUp(t, u, desk)
	if n := count(t, desk, `SELECT count(*) FROM patients WHERE id = ? AND address = '1 A Street'`, p.ID); n != 1 {
		t.Fatal("B did not take A's address")
	}

	clk.set(time.Hour)
	editField(t, desk, p.ID, "address", "2 B Street")
	clk.set(time.Hour + 30*time.Second)
	syncUntilCaughtUp(t, u, desk)
	syncAll(t, a, desk)
	sameClinic(t, a, desk)

	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{a, desk} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = '2 B Street'`, p.ID); n != 1 {
			t.Errorf("desk %d: B's edit, made after it saw A's address, did not win", i)
		}
		if got := openLosses(t, d, admin, p.ID, "address"); len(got) != 0 {
			t.Errorf("desk %d keeps for review %v, want nothing: B's edit replaced A's value in order", i, got)
		}
	}
}
