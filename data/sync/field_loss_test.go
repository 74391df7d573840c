package sync_test

import (
	"context"
	"encoding/json"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"

	"github.com/jackc/pgx/v5"
)

// A desk whose edit lost to a value it had replaced takes that value back
// from the server with the lineage the value had: its next edit of the
// field must not claim to have seen edits it never saw.
//
// B takes A's address, then replaces it, and its queued edit is re-dated
// below A's reading as a clock incident did before it kept a re-dated edit
// after the readings its base names (redateBelow: the incident re-dated
// the queue, the push failed, and the desk pushes it now), and the edit
// loses to A's value (kept for review). The server's entry for a change that
// lost whole is the row as it is, with no lineage ("_seen"; the server's
// fix waits in TestLostChangeEntryCarriesLineage, and withoutLostLineage
// keeps this test's server so once it lands, since only a desk's own
// lineage then gives one, pull.go lineageOf): B
// took A's value back with none, and its next edit of the address sent a
// base of one reading, A's, which the server reads as having seen every
// reading up to it (a lineage cut short). C's address, made offline
// before A's and pushed last, then lost to B's second edit with no review
// item anywhere (issue #21, "no lost edit without a review item").
func TestValueTakenBackKeepsItsLineage(t *testing.T) {
	t.Parallel()
	u, first, desk, _ := clockDesks(t)
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

	editField(t, desk, p.ID, "address", "2 B Street")
	redateBelow(t, desk, p.ID, "address")
	// The server's entry of B's edit, which loses whole, carries no
	// lineage, as the server writes it today (the desk's own lineage is
	// then all it has: pull.go, lineageOf).
	withoutLostLineage(t, u, p.ID, func() { syncUntilCaughtUp(t, u, desk) })
	admin := callerOf(first.users[app.RoleAdmin])
	if got := openLosses(t, desk, admin, p.ID, "address"); got[`"2 B Street"`] != `"1 A Street"` {
		t.Fatalf("B keeps for review %v: its edit did not lose to A's (it was not re-dated below A's)", got)
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

// withoutLostLineage runs f with the sync server (u) writing the entries
// of the changes of row rowID that lose ("_lost") without their lineages
// ("_seen"), as the server writes the entry of a change that lost whole
// until TestLostChangeEntryCarriesLineage's change lands: a trigger on the
// test's own server database, dropped
// when f returns.
func withoutLostLineage(t testing.TB, u, rowID string, f func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE FUNCTION test_lost_unseen() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.row_id = TG_ARGV[0] AND NEW.server_set ? '_lost' THEN
				NEW.server_set := NEW.server_set - '_seen';
			END IF;
			RETURN NEW;
		END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TRIGGER test_lost_unseen BEFORE INSERT ON sync.change_log
		FOR EACH ROW EXECUTE FUNCTION test_lost_unseen('`+rowID+`')`); err != nil {
		t.Fatal(err)
	}
	f()
	if _, err := conn.Exec(ctx, `DROP TRIGGER test_lost_unseen ON sync.change_log; DROP FUNCTION test_lost_unseen()`); err != nil {
		t.Fatal(err)
	}
}

// redateBelow re-dates the desk's queued edit of a patient's field to a
// reading of its own just before the one of the value the edit replaced
// (its base), with the desk's field clock, as a clock incident did before
// it kept a re-dated edit after what it saw (clock_incident.go,
// newestSeen): the edit then loses to the very value it replaced.
func redateBelow(t testing.TB, db *data.DB, patientID, field string) {
	t.Helper()
	raw := rawDB(t, db)
	var stamp, base string
	if err := raw.QueryRow(`SELECT hlc, json_extract(base, '$.'||?) FROM outbox WHERE entity = 'patients' AND row_id = ?
		AND kind = 'update' AND json_type(payload, '$.'||?) IS NOT NULL ORDER BY seq DESC LIMIT 1`,
		field, patientID, field).Scan(&stamp, &base); err != nil {
		t.Fatalf("the queued edit of %s: %v", field, err)
	}
	var lineage []string
	if err := json.Unmarshal([]byte(base), &lineage); err != nil || len(lineage) == 0 {
		lineage = []string{base} // a base of one reading
	}
	saw, err := hlc.Parse(lineage[0])
	if err != nil {
		t.Fatalf("the edit's base %q: %v", base, err)
	}
	own, err := hlc.Parse(stamp)
	if err != nil {
		t.Fatal(err)
	}
	to := hlc.Timestamp{Wall: saw.Wall - 1, Site: own.Site}.String()
	for _, q := range []string{`UPDATE outbox SET hlc = ? WHERE hlc = ?`, `UPDATE field_clock SET hlc = ? WHERE hlc = ?`} {
		if _, err := raw.Exec(q, to, stamp); err != nil {
			t.Fatal(err)
		}
	}
}
