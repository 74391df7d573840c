package sync_test

import (
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// A desk whose edit lost to a value it had replaced takes that value back
// from the server with the lineage the value had: its next edit of the
// field must not claim to have seen edits it never saw.
//
// B takes A's address, then, its clock an hour ahead, replaces it; its
// clock moves again before it reconnects, so the clock incident re-dates
// the edit by more than the jump, below A's reading, and the edit loses
// to A's value (kept for review). The server's entry for a change that
// lost whole is the row as it is, and carried no lineage ("_seen"): B
// took A's value back with none, and its next edit of the address sent a
// base of one reading, A's, which the server reads as having seen every
// reading up to it (a lineage cut short). C's address, made offline
// before A's and pushed last, then lost to B's second edit with no review
// item anywhere (issue #21, "no lost edit without a review item").
func TestValueTakenBackKeepsItsLineage(t *testing.T) {
	t.Parallel()
	u, first, desk, clk := clockDesks(t)
	c := MustOpenDB(t, nil)
	mustEnroll(t, c, u)
	a := first.db
	p := newPatient(t, first.svc, "Lineage")
	syncAll(t, a, desk, c)

	editField(t, c, p.ID, "address", "3 C Street") // offline, first
	// (The test desks' clocks stand still between handshakes: A's edit
	// is stamped after C's once A has shaken hands since.)
	mustSync(t, a)
	editField(t, a, p.ID, "address", "1 A Street")
	mustSync(t, a)
	syncUntilCaughtUp(t, u, desk)

	clk.set(time.Hour)
	editField(t, desk, p.ID, "address", "2 B Street")
	clk.set(time.Hour + 30*time.Second)
	syncUntilCaughtUp(t, u, desk)
	admin := callerOf(first.users[app.RoleAdmin])
	if got := openLosses(t, desk, admin, p.ID, "address"); got[`"2 B Street"`] != `"1 A Street"` {
		t.Fatalf("B keeps for review %v: its edit did not lose to A's (the clock incident did not re-date it below A's)", got)
	}
	editField(t, desk, p.ID, "address", "22 B Street")
	mustSync(t, desk)
	mustSync(t, c)
	syncAll(t, a, desk, c)
	sameClinic(t, a, desk, c)

	for i, d := range []*data.DB{a, desk, c} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = '22 B Street'`, p.ID); n != 1 {
			t.Fatalf("desk %d: B's last address did not win", i)
		}
		if got := openLosses(t, d, admin, p.ID, "address"); got[`"3 C Street"`] != `"22 B Street"` {
			t.Errorf("desk %d keeps for review %v: C's address lost with no review item naming B's last one", i, got)
		}
	}
}
