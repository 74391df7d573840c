package sync_test

import (
	"path/filepath"
	stdsync "sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync/hlc"
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

// A desk whose clock jumps an hour ahead while it is offline: once it
// reaches the server again it notices, gives the changes it made meanwhile
// the time they were really made (its registrations reach the other desks
// at once, not an hour later), and stamps its next changes with the
// server's time; its stale edit of an address, older than another desk's
// edit of it, does not overwrite that one but is kept for review on every
// desk; and its audit log says what happened.
func TestClockJumpAheadWhileOffline(t *testing.T) {
	t.Parallel()
	u, first, _ := twoDesks(t)
	clk := &jumpClock{}
	desk, err := data.Open(filepath.Join(t.TempDir(), "hms.db"), data.Options{HashParams: datatest.CheapHash, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	mustEnroll(t, desk, u)
	mustSync(t, desk)
	p := newPatient(t, first.svc, "Clock")
	syncAll(t, first.db, desk)

	// Offline, the desk's clock jumps an hour ahead.
	clk.set(time.Hour)
	editField(t, desk, p.ID, "address", "stale address")
	made := time.Now()
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
		// The history shows when the change was made, not the time the
		// wrong clock gave.
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = 'address'
			AND new_value LIKE '%stale address%'`, p.ID).Scan(&at); err != nil {
			t.Fatalf("desk %d: %v", i, err)
		}
		when, err := time.Parse(data.TimeLayout, at)
		if err != nil {
			t.Fatal(err)
		}
		if off := when.Sub(made); off < -time.Minute || off > time.Minute {
			t.Errorf("desk %d: the history shows the change at %s, %s from when it was made", i, at, off.Round(time.Second))
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

// A desk's clock falls an hour behind while it is offline. Its edit made
// after another desk's edit of the same address is stamped earlier than
// that one (its clock never goes backwards, so it stays at its last
// reading), and would lose to it. The handshake finds the clock behind the
// server's: the desk's queued change gets the time it was made, so it wins
// everywhere and the other desk's value, which it did not see, is kept for
// review; the desk's history shows the change at the time it was made;
// the incident is audited.
func TestClockFallsBehindWhileOffline(t *testing.T) {
	t.Parallel()
	u, first, _ := twoDesks(t)
	clk := &jumpClock{}
	desk, err := data.Open(filepath.Join(t.TempDir(), "hms.db"), data.Options{HashParams: datatest.CheapHash, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	mustEnroll(t, desk, u)
	mustSync(t, desk)
	p := newPatient(t, first.svc, "Behind")
	syncAll(t, first.db, desk)

	// Offline, the desk's clock falls an hour behind; the other desk edits
	// the address, and then the desk does.
	clk.set(-time.Hour)
	mustSync(t, first.db)
	editField(t, first.db, p.ID, "address", "earlier address")
	mustSync(t, first.db)
	time.Sleep(20 * time.Millisecond)
	editField(t, desk, p.ID, "address", "later address")
	made := time.Now()

	rep := mustSync(t, desk)
	if rep.Quarantined != 0 {
		t.Fatalf("quarantined: %+v", rep)
	}
	syncAll(t, first.db, desk)
	sameClinic(t, first.db, desk)
	admin := callerOf(first.users[app.RoleAdmin])
	for i, d := range []*data.DB{first.db, desk} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = 'later address'`, p.ID); n != 1 {
			t.Errorf("desk %d: the later edit lost to the earlier one", i)
		}
		if got := openLosses(t, d, admin, p.ID, "address"); got[`"earlier address"`] != `"later address"` {
			t.Errorf("desk %d keeps for review %v, want the earlier address lost to the later one", i, got)
		}
		var at string
		if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND field = 'address'
			AND new_value LIKE '%later address%'`, p.ID).Scan(&at); err != nil {
			t.Fatalf("desk %d: %v", i, err)
		}
		when, err := time.Parse(data.TimeLayout, at)
		if err != nil {
			t.Fatal(err)
		}
		if off := when.Sub(made); off < -time.Minute || off > time.Minute {
			t.Errorf("desk %d: the history shows the change at %s, %s from when it was made", i, at, off.Round(time.Second))
		}
	}
	if n := count(t, desk, `SELECT count(*) FROM audit_log WHERE action = 'sync.clock'`); n != 1 {
		t.Errorf("%d audit rows of the clock incident", n)
	}
	// The next change is stamped with the server's time, not an hour early.
	editField(t, desk, p.ID, "notes", "after the sync")
	var stamp string
	if err := rawDB(t, desk).QueryRow(`SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1`).Scan(&stamp); err != nil {
		t.Fatal(err)
	}
	ts, err := hlc.Parse(stamp)
	if err != nil {
		t.Fatal(err)
	}
	if behind := time.Since(ts.Time()); behind > time.Minute {
		t.Fatalf("the next change is stamped %s behind", behind)
	}
}
