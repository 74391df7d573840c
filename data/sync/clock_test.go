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
