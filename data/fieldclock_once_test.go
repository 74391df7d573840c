package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"hms/data"
	"hms/data/sync/hlc"
)

// fieldClockBefore is the schema whose triggers wrote each field clock
// twice (an INSERT, then field_clock_seen_insert's or _update's UPDATE of
// seen); migration 0219 writes it once.
const fieldClockBefore = 218

// fieldClockDriver is go-sqlite3 with HMS's two trigger functions as the
// write helper has them: hms_seal doing nothing (seals are not compared
// here) and hms_tx_hlc returning fieldClockReading, the reading of the
// write under way, or NULL (a pull's writes) when it is empty.
const fieldClockDriver = "sqlite3_fieldclock"

var (
	fieldClockReading atomic.Value // string
	fieldClockCalls   atomic.Int64 // calls of hms_tx_hlc
)

func init() {
	fieldClockReading.Store("")
	sql.Register(fieldClockDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.RegisterFunc("hms_tx_hlc", func() any {
			fieldClockCalls.Add(1)
			if s := fieldClockReading.Load().(string); s != "" {
				return s
			}
			return nil
		}, false); err != nil {
			return err
		}
		return c.RegisterFunc("hms_seal", func(string, string) int64 { return 0 }, false)
	}})
}

// summariesNowViews finds a trigger that writes dash_invoices or
// dash_allocated, tables until desk migration 0243 and views since.
var summariesNowViews = regexp.MustCompile(`(?i)(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE)\s+dash_(invoices|allocated)\b`)

// fieldClockPair is one demo database twice: "old" with every trigger as
// migration 0218 left it, "new" with the program's schema.
func fieldClockPair(t testing.TB) (old, cur *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	db, err := data.Open(demo, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 12, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	open := func(name string) *sql.DB {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open(fieldClockDriver, "file:"+path+"?_foreign_keys=1")
		if err != nil {
			t.Fatal(err)
		}
		raw.SetMaxOpenConns(1)
		t.Cleanup(func() { raw.Close() })
		return raw
	}
	old, cur = open("old.db"), open("new.db")

	before := filepath.Join(dir, "before.db")
	if err := data.MigrateUpTo(before, fieldClockBefore); err != nil {
		t.Fatal(err)
	}
	ref, err := sql.Open("sqlite3", "file:"+before)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	triggers := func(db *sql.DB) map[string]string {
		rows, err := db.Query(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]string{}
		for rows.Next() {
			var n, s string
			if err := rows.Scan(&n, &s); err != nil {
				t.Fatal(err)
			}
			m[n] = s
		}
		return m
	}
	then, now := triggers(ref), triggers(old)
	changed := 0
	for name, text := range then {
		if now[name] == text {
			continue
		}
		// The summaries dash_invoices and dash_allocated are views since
		// desk migration 0243 (rows of dash_revenue and dash_payments): a
		// trigger as 0218 had it cannot write them, and the summaries
		// write no outbox row or field clock, which is what is compared.
		if summariesNowViews.MatchString(text) {
			t.Logf("trigger %s left as the program's: it writes a summary that is a view now", name)
			continue
		}
		if _, err := old.Exec(`DROP TRIGGER IF EXISTS ` + name); err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(text); err != nil {
			t.Fatalf("trigger %s as at migration %04d: %v", name, fieldClockBefore, err)
		}
		changed++
	}
	if changed == 0 {
		t.Fatalf("no trigger differs from migration %04d's: nothing to compare", fieldClockBefore)
	}
	return old, cur
}

// fieldClockWrites makes the same mixed set of writes on db: a patient's
// edits (a first one, one with the field's lineage, a pulled value and a
// local edit after it, two edits in one transaction), a draft invoice with
// its line edited and its notes and discount edited twice, its issue and
// its payment's status, a user's and a doctor's profile edits, a setting
// made and changed, and a power signature made and changed.
func fieldClockWrites(t testing.TB, db *sql.DB) {
	t.Helper()
	var site string
	if err := db.QueryRow(`SELECT site_id FROM sync_meta`).Scan(&site); err != nil {
		t.Fatal(err)
	}
	wall := int64(1_900_000_000_000)
	write := func(local bool, stmts ...string) {
		t.Helper()
		wall += 1000
		reading := ""
		if local {
			reading = hlc.Timestamp{Wall: wall, Site: site}.String()
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		fieldClockReading.Store(reading)
		defer fieldClockReading.Store("")
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				tx.Rollback()
				t.Fatalf("%s: %v", s, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	first := func(q string) string {
		t.Helper()
		var s string
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	p := first(`SELECT id FROM patients ORDER BY id LIMIT 1`)
	u := first(`SELECT id FROM users ORDER BY id LIMIT 1`)
	dp := first(`SELECT id FROM doctor_profiles ORDER BY id LIMIT 1`)
	pulled := hlc.Timestamp{Wall: wall + 500, Site: "other-desk"}.String()
	const inv, line = "0190f000-0000-7000-8000-00000000f1c0", "0190f000-0000-7000-8000-00000000f1c1"
	at := "2030-03-15T10:00:00.000Z"

	write(true, `UPDATE patients SET phone = '+30 210 555 0101', notes = 'first' WHERE id = '`+p+`'`)
	write(true, `UPDATE patients SET phone = '+30 210 555 0102' WHERE id = '`+p+`'`)
	write(false, `UPDATE patients SET notes = 'pulled' WHERE id = '`+p+`'`,
		`INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen) VALUES ('patients', '`+p+`', 'notes', '`+
			pulled+`', 'other-desk', '["x","y"]') ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc,
			site_id = excluded.site_id, seen = excluded.seen`)
	write(true, `UPDATE patients SET notes = 'after the pull' WHERE id = '`+p+`'`)
	write(true, `UPDATE patients SET phone = '+30 210 555 0103', notes = 'twice' WHERE id = '`+p+`'`,
		`UPDATE patients SET phone = '+30 210 555 0104' WHERE id = '`+p+`'`)

	write(true, `INSERT INTO invoices (id, patient_id, patient_name, patient_mrn, status, currency, discount_rate,
		discount_amount, created_by, created_at, updated_at) SELECT '`+inv+`', id, given_name || ' ' || family_name, mrn,
		'draft', 'EUR', 0, 0, 'billing', '`+at+`', '`+at+`' FROM patients WHERE id = '`+p+`'`,
		`INSERT INTO invoice_lines (id, invoice_id, position, code, description, kind, quantity, unit_price, tax_rate,
		gross, discount, invoice_discount, net, tax, total, created_at, updated_at) VALUES ('`+line+`', '`+inv+`', 1, 'C1',
		'Consultation', 'consultation', 1, 5000, 0, 5000, 0, 0, 5000, 0, 5000, '`+at+`', '`+at+`')`)
	write(true, `UPDATE invoice_lines SET quantity = 2, gross = 10000, net = 10000, total = 10000 WHERE id = '`+line+`'`)
	write(true, `UPDATE invoice_lines SET quantity = 3, gross = 15000, net = 15000, total = 15000 WHERE id = '`+line+`'`)
	write(true, `UPDATE invoices SET notes = 'one', discount_rate = 500 WHERE id = '`+inv+`'`)
	write(true, `UPDATE invoices SET notes = 'two' WHERE id = '`+inv+`'`)
	write(true, `UPDATE invoices SET status = 'issued', number = 'INV-T-1', issued_at = '`+at+`', issued_by = 'billing',
		issued_lines = '[{"id":"`+line+`"}]', issued_with = '{"currency":"EUR"}', updated_at = '`+at+`' WHERE id = '`+inv+`'`)
	write(true, `UPDATE invoices SET status = 'paid', updated_at = '2030-03-15T10:05:00.000Z' WHERE id = '`+inv+`'`)

	write(true, `UPDATE users SET phone = '+30 210 555 0199' WHERE id = '`+u+`'`)
	write(true, `UPDATE users SET phone = '+30 210 555 0198', email = 'x@example.org' WHERE id = '`+u+`'`)
	write(true, `UPDATE doctor_profiles SET room = 'R9' WHERE id = '`+dp+`'`)
	write(true, `INSERT INTO settings (key, value, updated_at) VALUES ('test.field_clock', 'a', '`+at+`')`)
	write(true, `UPDATE settings SET value = 'b' WHERE key = 'test.field_clock'`)
	write(true, `DELETE FROM settings WHERE key = 'test.field_clock'`)
	write(true, `INSERT INTO settings (key, value, updated_at) VALUES ('test.field_clock', 'c', '`+at+`')`)
	write(true, `INSERT INTO power_sigs (id, entity, row_id, field, sig, updated_at) VALUES ('patients/notes/`+p+`',
		'patients', '`+p+`', 'notes', 'sig1', '`+at+`')`)
	write(true, `UPDATE power_sigs SET sig = 'sig2' WHERE id = 'patients/notes/`+p+`'`)
}

// fieldClockDump is the outbox (its random op_id left out) and field_clock,
// one line a row.
func fieldClockDump(t testing.TB, db *sql.DB) (outbox, clocks []string) {
	t.Helper()
	read := func(q string) []string {
		rows, err := db.Query(q)
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
	return read(`SELECT seq || ' ' || entity || ' ' || row_id || ' ' || kind || ' ' || hlc || ' ' || payload || ' base=' || base
			FROM outbox ORDER BY seq`),
		read(`SELECT entity || ' ' || row_id || ' ' || field || ' ' || hlc || ' ' || site_id || ' seen=' || seen
			FROM field_clock ORDER BY entity, row_id, field`)
}

// TestFieldClockOncePerField: the same writes on a database whose triggers
// are migration 0218's (each field clock inserted, then its seen set by a
// trigger on field_clock) and on the program's (written once) leave the
// same outbox and the same field clocks: payloads, bases, readings, sites
// and lineages.
func TestFieldClockOncePerField(t *testing.T) {
	old, cur := fieldClockPair(t)
	fieldClockWrites(t, old)
	fieldClockWrites(t, cur)
	oldOut, oldClocks := fieldClockDump(t, old)
	newOut, newClocks := fieldClockDump(t, cur)
	compare := func(what string, want, got []string) {
		t.Helper()
		if len(want) == 0 {
			t.Fatalf("no %s rows written: the writes test nothing", what)
		}
		for i := 0; i < max(len(want), len(got)); i++ {
			var w, g string
			if i < len(want) {
				w = want[i]
			}
			if i < len(got) {
				g = got[i]
			}
			if w != g {
				t.Errorf("%s row %d:\n 0218: %s\n now:  %s", what, i, w, g)
			}
		}
	}
	compare("outbox", oldOut, newOut)
	compare("field_clock", oldClocks, newClocks)

	// The writes reach the cases that matter: a lineage taken from a
	// pulled value, one from the desk's own earlier reading, and clocks of
	// the issue's fields without one.
	joined := strings.Join(newClocks, "\n")
	for _, want := range []string{`seen=["` + "", `"x","y"]`, "invoices 0190f000-0000-7000-8000-00000000f1c0 status", "settings test.field_clock power_sig", "power_sigs patients/notes/"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no field clock with %q among:\n%s", want, joined)
		}
	}
	var lineages int
	for _, c := range newClocks {
		if !strings.HasSuffix(c, "seen=[]") {
			lineages++
		}
	}
	if lineages < 4 {
		t.Errorf("only %d field clocks with a lineage: the writes test too little\n%s", lineages, joined)
	}
	if testing.Verbose() {
		fmt.Println(strings.Join(newOut, "\n"))
		fmt.Println(joined)
	}
}

// BenchmarkFieldClockTriggers prices what the invoices' triggers do for
// sync when an invoice is issued and then paid (its outbox rows, bases and
// field clocks, with every other trigger of the two statements), on the
// triggers of migration 0218 ("0218") and on the program's ("now"): each
// operation issues one five-line draft (made untimed beforehand) and sets
// it paid, and reports the thread's CPU. "committed": each in its own
// transaction, committed; "rolled-back": both in one transaction rolled
// back, which leaves the commit's page writes out of the figure.
func BenchmarkFieldClockTriggers(b *testing.B) {
	old, cur := fieldClockPair(b)
	made := map[*sql.DB]int{} // invoices made by the runs before, whose keys and numbers are taken
	for _, c := range []struct {
		name string
		db   *sql.DB
		mode string
	}{{"0218", old, "committed"}, {"now", cur, "committed"}, {"0218", old, "rolled-back"}, {"now", cur, "rolled-back"}} {
		b.Run(c.name+"-"+c.mode, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			db := c.db
			var site, p string
			if err := db.QueryRow(`SELECT site_id FROM sync_meta`).Scan(&site); err != nil {
				b.Fatal(err)
			}
			if err := db.QueryRow(`SELECT id FROM patients ORDER BY id LIMIT 1`).Scan(&p); err != nil {
				b.Fatal(err)
			}
			wall := int64(1_900_000_000_000)
			// Statements compiled once, as the desk's statement cache has
			// them: compiling an UPDATE of invoices compiles its triggers too.
			prepared := map[string]*sql.Stmt{}
			defer func() {
				for _, st := range prepared {
					st.Close()
				}
			}()
			tx := func(q string, args ...any) {
				wall++
				st := prepared[q]
				if st == nil {
					var err error
					if st, err = db.Prepare(q); err != nil {
						b.Fatal(err)
					}
					prepared[q] = st
				}
				t, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				fieldClockReading.Store(hlc.Timestamp{Wall: wall, Site: site}.String())
				if _, err := t.Stmt(st).Exec(args...); err != nil {
					t.Rollback()
					b.Fatalf("%s: %v", q, err)
				}
				if err := t.Commit(); err != nil {
					b.Fatal(err)
				}
				fieldClockReading.Store("")
			}
			const (
				at       = "2030-03-15T10:00:00.000Z"
				issueSQL = `UPDATE invoices SET status = 'issued', number = ?, issued_at = ?, issued_by = 'billing',
					issued_lines = ?, issued_with = '{"currency":"EUR","zone":"Europe/Athens"}', updated_at = ?2 WHERE id = ?4`
				paidSQL = `UPDATE invoices SET status = 'paid', updated_at = ? WHERE id = ?`
			)
			// both issues and pays in one transaction, rolled back, and
			// counts the rows the statements and their triggers inserted,
			// updated or deleted, and the calls of hms_tx_hlc.
			var rowsChanged, callsMade int64
			both := func(issue, paid []any) {
				wall++
				steps := []struct {
					q    string
					args []any
				}{{issueSQL, issue}, {paidSQL, paid}}
				for _, st := range steps {
					if prepared[st.q] == nil {
						var err error
						if prepared[st.q], err = db.Prepare(st.q); err != nil {
							b.Fatal(err)
						}
					}
				}
				t, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				defer t.Rollback()
				fieldClockReading.Store(hlc.Timestamp{Wall: wall, Site: site}.String())
				defer fieldClockReading.Store("")
				var before, after int64
				if err := t.QueryRow(`SELECT total_changes()`).Scan(&before); err != nil {
					b.Fatal(err)
				}
				calls := fieldClockCalls.Load()
				for _, st := range steps {
					if _, err := t.Stmt(prepared[st.q]).Exec(st.args...); err != nil {
						b.Fatal(err)
					}
				}
				callsMade += fieldClockCalls.Load() - calls
				if err := t.QueryRow(`SELECT total_changes()`).Scan(&after); err != nil {
					b.Fatal(err)
				}
				rowsChanged += after - before
			}
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				made[db]++
				inv := fmt.Sprintf("0190f000-0000-7000-8000-%012x", made[db])
				tx(`INSERT INTO invoices (id, patient_id, patient_name, patient_mrn, status, currency, discount_rate,
					discount_amount, created_by, created_at, updated_at) SELECT ?1, id, given_name || ' ' || family_name,
					mrn, 'draft', 'EUR', 0, 0, 'billing', ?2, ?2 FROM patients WHERE id = ?3`, inv, at, p)
				lines := make([]string, 5)
				for l := range lines {
					id := fmt.Sprintf("%s-%d", inv, l)
					lines[l] = fmt.Sprintf(`{"id":"%s","code":"C%d","quantity":1,"unit_price":5000,"total":5000}`, id, l)
					tx(`INSERT INTO invoice_lines (id, invoice_id, position, code, description, kind, quantity, unit_price,
						tax_rate, gross, discount, invoice_discount, net, tax, total, created_at, updated_at) VALUES (?, ?, ?,
						'C1', 'Consultation', 'consultation', 1, 5000, 0, 5000, 0, 0, 5000, 0, 5000, ?4, ?4)`, id, inv, l+1, at)
				}
				start := threadCPU()
				b.StartTimer()
				issue := []any{fmt.Sprint("INV-B-", made[db]), at, "[" + strings.Join(lines, ",") + "]", inv}
				paid := []any{"2030-03-15T10:05:00.000Z", inv}
				if c.mode == "committed" {
					tx(issueSQL, issue...)
					tx(paidSQL, paid...)
				} else {
					both(issue, paid)
				}
				b.StopTimer()
				cpu += threadCPU() - start
				b.StartTimer()
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
			if c.mode != "committed" {
				b.ReportMetric(float64(rowsChanged)/float64(b.N), "rows-changed/op")
				b.ReportMetric(float64(callsMade)/float64(b.N), "tx-hlc-calls/op")
			}
		})
	}
}
