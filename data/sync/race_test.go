package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
)

// A push that got its transaction id before another desk's push, but took
// a row's lock only after that push had changed the row and committed,
// must not log the row's newer state below the older one: every desk
// reads the log in (txid, seq) order, and the desk whose change is older
// skips the row's entries below its own. Desk B pushes a batch that
// changes invoice Q, then invoice R; the test holds Q's row on the server,
// so B's push has its id and waits; desk A pushes a change of R, which
// commits; then Q is let go and B's push goes on to R. In the end every
// desk holds R as the server does, with both changes.
func TestPullRaceRowLockOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, first, second := twoDesks(t)
	third := MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	p := newPatient(t, first.svc, "Race")
	draft := func() string {
		inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return inv.ID
	}
	q, r := draft(), draft()
	for _, d := range []*data.DB{first.db, second, third} {
		mustSync(t, d)
	}
	edit := func(db *data.DB, id, set string, val any) {
		t.Helper()
		if err := writeInTx(db, system, func(tx *data.Tx) error {
			_, err := tx.Exec(`UPDATE invoices SET `+set+` = ? WHERE id = ?`, val, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	edit(second, q, "notes", "B's note on Q")
	edit(second, r, "notes", "B's note on R")
	edit(first.db, r, "discount_rate", 500)

	hold, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(ctx)
	tx, err := hold.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM sync.rows WHERE entity = 'invoices' AND row_id = $1 FOR UPDATE`, q); err != nil {
		t.Fatal(err)
	}
	pushed := make(chan error, 1)
	go func() {
		_, err := engine(second).PushOnce(ctx)
		pushed <- err
	}()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if servertest.QueryInt(t, u, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("desk B's push never waited for invoice Q")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mustPush(t, first.db) // a later transaction id, and it commits first
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-pushed; err != nil {
		t.Fatal(err)
	}

	// Each row's entries in the log are in the order their changes took
	// the row.
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log a JOIN sync.change_log b
			ON a.entity = b.entity AND a.row_id = b.row_id AND a.seq < b.seq AND (a.txid, a.seq) > (b.txid, b.seq)`); n != 0 {
		t.Errorf("%d pairs of entries of one row logged out of their order", n)
	}
	for range 2 {
		for _, d := range []*data.DB{first.db, second, third} {
			mustSync(t, d)
		}
	}
	want := serverRow(t, u, "invoices", r)
	if want["notes"] != "B's note on R" || want["discount_rate"] != float64(500) {
		t.Fatalf("the server's invoice R: notes %v, discount %v", want["notes"], want["discount_rate"])
	}
	for name, d := range map[string]*data.DB{"A": first.db, "B": second, "C": third} {
		var notes string
		var rate int
		if err := rawDB(t, d).QueryRow(`SELECT notes, discount_rate FROM invoices WHERE id = ?`, r).Scan(&notes, &rate); err != nil {
			t.Fatal(err)
		}
		if notes != "B's note on R" || rate != 500 {
			t.Errorf("desk %s holds invoice R with notes %q and discount %d; the server has both changes", name, notes, rate)
		}
	}
	sameClinic(t, first.db, second, third)
}
