package sync_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"hms/data"
	"hms/data/sync/server/servertest"
)

// A desk restored from its own older backup takes back from the server
// what it numbered after that backup, and numbers on from there: no
// patient, invoice or receipt number is given twice, and the series have
// no gaps.
func TestDeskRestoredFromOlderBackupNumbersOn(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	mustEnroll(t, c.db, u)
	first := newPatient(t, c.svc, "Before")
	payInvoice(t, c.svc, first.ID, "Visit before the backup")
	mustSync(t, c.db)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := c.db.Backup(anon, backup); err != nil {
		t.Fatal(err)
	}

	// After the backup: a patient, an invoice and a receipt, synced.
	lost := newPatient(t, c.svc, "After")
	payInvoice(t, c.svc, lost.ID, "Visit after the backup")
	mustSync(t, c.db)

	// The server's copy of the desk's audit log as it stands.
	held := func() string {
		var s string
		servertest.QueryRow(t, u, `SELECT coalesce(string_agg(local_seq || ':' || hash, ',' ORDER BY local_seq), '')
			FROM sync.audit_log WHERE generation = 0`, nil, &s)
		return s
	}
	before := held()

	path := c.db.Path()
	if err := c.db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Restore(path, backup, data.Options{HashParams: cheapHash}); err != nil {
		t.Fatal(err)
	}
	db, err := data.Open(path, data.Options{HashParams: cheapHash, Now: c.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	syncUntilCaughtUp(t, u, db) // a round pulls only below the oldest transaction open on the cluster
	svc := services(db)
	if got, err := svc.Patients.FindPatientByID(system, lost.ID); err != nil || got.MRN != lost.MRN {
		t.Fatalf("the record made after the backup did not come back: %+v, %v", got, err)
	}

	next := newPatient(t, svc, "Restored")
	var n int
	if _, err := fmt.Sscanf(lost.MRN, "P-D1-%06d", &n); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("P-D1-%06d", n+1); next.MRN != want {
		t.Fatalf("after the restore the desk numbered a patient %s, want %s (after %s and %s)", next.MRN, want, first.MRN, lost.MRN)
	}
	payInvoice(t, svc, next.ID, "Visit after the restore")
	for _, q := range []string{`SELECT number FROM invoices WHERE number IS NOT NULL ORDER BY number`,
		`SELECT receipt_number FROM payments ORDER BY receipt_number`} {
		nums := queryStrings(t, db, q)
		if len(nums) != 3 || !strings.HasSuffix(nums[0], "-000001") || !strings.HasSuffix(nums[1], "-000002") ||
			!strings.HasSuffix(nums[2], "-000003") {
			t.Fatalf("%s: %v", q, nums)
		}
	}
	rep := mustSync(t, db)
	if rep.Rejected != 0 || rep.Conflicts != 0 {
		t.Fatalf("the restored desk's new records: %+v", rep)
	}
	if st, err := engine(db).SyncStatus(context.Background()); err != nil || st.Pending != 0 || st.Conflicts != 0 {
		t.Fatalf("status %+v, %v", st, err)
	}

	// Its audit log numbered again from where the backup stopped: the
	// server kept the rows it held, refused the new ones at their seqs,
	// and holds the desk's log from there on under generation 1, the
	// whole of it.
	if after := held(); after != before {
		t.Fatalf("the server's audit rows of generation 0 changed:\n%s\n%s", before, after)
	}
	var gen, localMax int64
	rawDB(t, db).QueryRow(`SELECT audit_generation, (SELECT max(seq) FROM audit_log) FROM sync_meta`).Scan(&gen, &localMax)
	if gen != 1 || servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_refused`) == 0 ||
		servertest.QueryInt(t, u, `SELECT max(local_seq) FROM sync.audit_log WHERE generation = 1`) != localMax {
		t.Fatalf("generation %d; refused %d; generation 1 up to %d of %d", gen,
			servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_refused`),
			servertest.QueryInt(t, u, `SELECT coalesce(max(local_seq), 0) FROM sync.audit_log WHERE generation = 1`), localMax)
	}
	if n := queryStrings(t, db, `SELECT detail FROM audit_log WHERE action = 'sync.audit_generation'`); len(n) != 1 ||
		!strings.Contains(n[0], "generation 1") {
		t.Fatalf("the desk's log about it: %v", n)
	}
	if rep, err := db.Verify(anon); err != nil || !rep.AuditOK {
		t.Fatalf("verify after the new generation: %+v, %v", rep, err)
	}
}

// queryStrings reads one text column.
func queryStrings(t testing.TB, db *data.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := rawDB(t, db).Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
