package data_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hms/data"
)

// outboxClockMigration is the migration that has the outbox triggers read
// the transaction's clock reading from hms_tx_hlc() instead of
// sync_meta.tx_hlc, and drops the column.
const (
	outboxClockMigration = "migrations/0196_outbox_clock_function.sql"
	outboxClockBefore    = 195 // the schema it rewrites the triggers of
)

// Every way the triggers up to migration 0195 read the column: as a
// subquery, joined as sync_meta (m), or as a column of a SELECT from
// sync_meta. Longest first.
var txHLCReads = []struct{ re *regexp.Regexp }{
	{regexp.MustCompile(`\(SELECT tx_hlc FROM sync_meta(?: WHERE id = 1)?\)`)},
	{regexp.MustCompile(`\b(?:m|sync_meta)\.tx_hlc\b`)},
	{regexp.MustCompile(`\btx_hlc\b`)},
}

// readsTxHLC matches a trigger that reads the dropped column: tx_hlc that
// is not the name of the function.
var readsTxHLC = regexp.MustCompile(`(?:^|[^\w])tx_hlc\b`)

// rewriteTxHLC is sql with each read of sync_meta.tx_hlc replaced by a call
// of hms_tx_hlc().
func rewriteTxHLC(sql string) string {
	const mark = "\x00"
	for _, r := range txHLCReads {
		sql = r.re.ReplaceAllLiteralString(sql, mark)
	}
	return strings.ReplaceAll(sql, mark, "hms_tx_hlc()")
}

// outboxClockSQL is the text of migration 0196, made from the triggers of a
// database at migration 0195: each trigger that reads sync_meta.tx_hlc
// dropped and created again with hms_tx_hlc() in its place, then the
// column dropped.
func outboxClockSQL(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "before.db")
	if err := data.MigrateUpTo(path, outboxClockBefore); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql LIKE '%tx_hlc%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString(`-- The outbox's clock reading comes from hms_tx_hlc(), a function of HMS's
-- connections (data/seal.go) that returns the reading of the connection's
-- write transaction under way, and NULL outside one (data/outbox.go). It
-- was sync_meta.tx_hlc, which each write set as it began and cleared
-- before its commit: two statements per write transaction for a value
-- only that transaction reads.
--
-- Each trigger that read the column is made again with the call in its
-- place, and nothing else changed; the column goes. Generated from the
-- triggers as migration 0195 leaves them by TestOutboxClockMigration
-- (data/outboxclock_test.go); do not edit. A connection without the
-- function (the sqlite3 shell) cannot write a synced table any more, as
-- it could not write an audited one already (hms_seal): docs/SYNC-DESIGN.md.

`)
	n := 0
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "DROP TRIGGER %s;\n%s;\n\n", name, rewriteTxHLC(text))
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no trigger reads sync_meta.tx_hlc at migration 0195")
	}
	b.WriteString("ALTER TABLE sync_meta DROP COLUMN tx_hlc;\n")
	return b.String()
}

// TestOutboxClockMigration: migration 0196 is what the rule above makes of
// the triggers at migration 0195 (-update writes it).
func TestOutboxClockMigration(t *testing.T) {
	got := outboxClockSQL(t)
	if *update {
		if err := os.WriteFile(outboxClockMigration, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(outboxClockMigration)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Fatalf("%s is not what the triggers at migration %04d make: refresh it with go test -tags sqlite_fts5 -run TestOutboxClockMigration ./data/ -update",
			outboxClockMigration, outboxClockBefore)
	}
}

// TestNoTriggerReadsTxHLC: no trigger of the schema reads sync_meta.tx_hlc,
// which migration 0196 dropped; the outbox triggers call hms_tx_hlc(). A
// later migration that makes a trigger again from its text before 0196
// fails here (its rows would never be stamped): write hms_tx_hlc() in it.
func TestNoTriggerReadsTxHLC(t *testing.T) {
	raw := rawDB(t, MustOpenDB(t, nil))
	calls := 0
	for _, tr := range schemaTriggers(t, raw) {
		if readsTxHLC.MatchString(tr.sql) {
			t.Errorf("trigger %s reads sync_meta.tx_hlc: write hms_tx_hlc() instead (migration 0196)", tr.name)
		}
		calls += strings.Count(tr.sql, "hms_tx_hlc()")
	}
	if calls == 0 {
		t.Error("no trigger calls hms_tx_hlc()")
	}
	var column int
	if err := raw.QueryRow(`SELECT count(*) FROM pragma_table_info('sync_meta') WHERE name = 'tx_hlc'`).Scan(&column); err != nil {
		t.Fatal(err)
	}
	if column != 0 {
		t.Error("sync_meta.tx_hlc is back")
	}
}
