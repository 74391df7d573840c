package data_test

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

// tamperDemo is a demo database, made once per test binary, whose copies
// the tamper cases edit: its path (the key file beside it).
var tamperDemo struct {
	once sync.Once
	path string
	err  error
}

func demoForTamper(t testing.TB) string {
	tamperDemo.once.Do(func() {
		dir, err := os.MkdirTemp("", "hms-tamper-")
		if err != nil {
			tamperDemo.err = err
			return
		}
		p := filepath.Join(dir, "demo.db")
		db, err := data.Open(p, data.Options{HashParams: datatest.CheapHash})
		if err != nil {
			tamperDemo.err = err
			return
		}
		tamperDemo.err = data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 120, Seed: 14})
		if cerr := db.Close(); tamperDemo.err == nil {
			tamperDemo.err = cerr
		}
		tamperDemo.path = p
	})
	if tamperDemo.err != nil {
		t.Fatal(tamperDemo.err)
	}
	return tamperDemo.path
}

// copyDemo copies the demo database and its audit key into a new folder.
func copyDemo(t *testing.T) string {
	src := demoForTamper(t)
	dst := filepath.Join(t.TempDir(), "hms.db")
	for _, suffix := range []string{"", ".audit-key"} {
		in, err := os.Open(src + suffix)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(dst+suffix, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// carefully runs stmts as someone with the file and the sqlite3 library
// would who wants to leave no trace: the guard triggers of table (those
// that refuse a change) are dropped first and put back, with their own
// SQL, after.
func carefully(t *testing.T, raw *sql.DB, table string, stmts ...string) {
	t.Helper()
	var guards, names []string
	for _, tb := range strings.Split(table, ",") {
		rows, err := raw.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql LIKE '%RAISE(%'`, tb)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n, s string
			if err := rows.Scan(&n, &s); err != nil {
				t.Fatal(err)
			}
			names, guards = append(names, n), append(guards, s)
		}
		rows.Close()
	}
	for _, n := range names {
		if _, err := raw.Exec(`DROP TRIGGER "` + n + `"`); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stmts {
		if res, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		} else if n, _ := res.RowsAffected(); n == 0 && !strings.HasPrefix(s, "CREATE") && !strings.HasPrefix(s, "DROP") && !strings.HasPrefix(s, "PRAGMA") {
			t.Fatalf("%s changed nothing", s)
		}
	}
	for _, g := range guards {
		if _, err := raw.Exec(g); err != nil {
			t.Fatal(err)
		}
	}
}

func openVerify(t *testing.T, path string) *app.VerifyReport {
	t.Helper()
	db, err := data.Open(path, data.Options{HashParams: datatest.CheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := db.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// reportText is every problem verify found, one a line.
func verifyText(rep *app.VerifyReport) string {
	var b strings.Builder
	b.WriteString(rep.AuditProblem + "\n")
	for _, l := range [][]string{rep.Integrity, rep.ForeignKeys, rep.SchemaProblems, rep.RecordProblems, rep.DocumentProblems} {
		for _, p := range l {
			b.WriteString(p + "\n")
		}
	}
	return b.String()
}

// TestTamper: edits made outside the app, with the sqlite3 library, on a
// copy of a demo database; verify reports each one and names what it found.
func TestTamper(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a demo database")
	}
	demoForTamper(t)
	t.Run("UntouchedVerifies", func(t *testing.T) {
		rep := openVerify(t, copyDemo(t))
		if !rep.OK() || rep.Records == 0 || rep.AuditRows == 0 {
			t.Fatalf("untouched demo: %v\n%s", rep.Records, verifyText(rep))
		}
	})
	one := func(table, cond string) string {
		return `(SELECT ` + cond + ` FROM ` + table + ` ORDER BY rowid LIMIT 1)`
	}
	cases := []struct {
		name  string
		table string // whose guard triggers the edit goes around
		stmts []string
		want  []string // each must appear in the report
	}{
		// The audit log itself.
		{"TailCutHeadMoved", "audit_log", []string{
			`DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log)`,
			`UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_log), hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)`},
			[]string{"audit"}},
		{"TailAndSealsCutHeadMoved", "audit_log", []string{
			`DROP TRIGGER audit_seal_no_delete`,
			`DELETE FROM audit_seal WHERE seq > (SELECT max(seq) - 3 FROM audit_log)`,
			`DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log)`,
			`UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_log), hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)`},
			[]string{"head (row", "was moved or altered"}},
		{"LogWiped", "audit_log", []string{`DROP TRIGGER audit_seal_no_delete`, `DELETE FROM audit_seal`,
			`DELETE FROM audit_log`, `DELETE FROM audit_head`}, []string{"the log was wiped"}},
		{"HeadDeleted", "audit_head", []string{`DELETE FROM audit_head`}, []string{"head record is missing"}},
		{"AuditRowEdited", "audit_log", []string{`UPDATE audit_log SET detail = 'nothing here' WHERE seq = 5`}, []string{"row 5 was altered"}},
		{"AuditRowDeleted", "audit_log", []string{`DELETE FROM audit_log WHERE seq = 7`}, []string{"row 7 is missing"}},
		{"NoUpdateGuardDropped", "", []string{`DROP TRIGGER audit_log_no_update`}, []string{"trigger audit_log_no_update is missing"}},
		{"NoDeleteGuardDropped", "", []string{`DROP TRIGGER audit_log_no_delete`}, []string{"trigger audit_log_no_delete is missing"}},
		{"SealGuardAltered", "", []string{`DROP TRIGGER audit_seal_no_delete`,
			`CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal BEGIN SELECT 1; END`},
			[]string{"trigger audit_seal_no_delete was altered"}},
		{"SealTriggerDropped", "", []string{`DROP TRIGGER seal_payments_upd`}, []string{"trigger seal_payments_upd is missing"}},
		{"TriggerAdded", "", []string{`CREATE TRIGGER sneaky AFTER INSERT ON notes BEGIN SELECT 1; END`}, []string{"trigger sneaky was added"}},
		{"SealForged", "notes", []string{
			`UPDATE notes SET text = 'rewritten' WHERE id = ` + one("notes", "id"),
			`INSERT INTO audit_seal (seq, entity, row_id, hash) SELECT (SELECT max(seq) FROM audit_log), 'notes', ` + one("notes", "id") + `, 'x'`},
			[]string{"record seals of audit row"}},
		// Records edited.
		{"NoteRewritten", "notes", []string{`UPDATE notes SET text = 'no findings' WHERE id = ` + one("notes", "id")}, []string{"notes ", "(patient P-D1-", "was altered outside the app"}},
		{"PaymentAmountChanged", "payments", []string{`UPDATE payments SET amount = amount + 1000 WHERE id = (SELECT id FROM payments WHERE method <> 'cash' ORDER BY rowid LIMIT 1)`}, []string{"payments ", "altered"}},
		{"RoleRaisedToAdmin", "users", []string{`UPDATE users SET role = 'admin' WHERE username = 'dr.house'`}, []string{"users ", "altered"}},
		{"PasswordHashCopiedOntoAdmin", "users", []string{`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'nurse.joy') WHERE username = 'admin'`}, []string{"users ", "altered"}},
		{"PatientRenamed", "patients", []string{`UPDATE patients SET family_name = 'Nobody' WHERE id = ` + one("patients", "id")}, []string{"patients ", "Nobody)", "altered"}},
		{"PrescriptionEdited", "prescriptions", []string{`UPDATE prescriptions SET notes = 'double the dose' WHERE id = ` + one("prescriptions", "id")}, []string{"prescriptions ", "altered"}},
		{"PrescriptionItemEdited", "prescription_items", []string{`UPDATE prescription_items SET dose = '10 tablets' WHERE id = ` + one("prescription_items", "id")}, []string{"prescription_items ", "altered"}},
		{"InvoiceEdited", "invoices", []string{`UPDATE invoices SET notes = 'waived' WHERE id = ` + one("invoices", "id")}, []string{"invoices ", "altered"}},
		{"InvoiceLineTotalChanged", "invoice_lines", []string{`UPDATE invoice_lines SET description = 'Nothing' WHERE id = ` + one("invoice_lines", "id")}, []string{"invoice_lines ", "altered"}},
		{"SettingChanged", "settings", []string{`UPDATE settings SET value = 'Elsewhere Clinic' WHERE key = (SELECT key FROM settings ORDER BY key LIMIT 1)`}, []string{"settings ", "altered"}},
		{"AppointmentCancelled", "appointments", []string{`UPDATE appointments SET reason = 'moved' WHERE id = ` + one("appointments", "id")}, []string{"appointments ", "altered"}},
		{"VitalsChanged", "vitals", []string{`UPDATE vitals SET systolic = 120 WHERE id = ` + one("vitals", "id")}, []string{"vitals ", "altered"}},
		{"AttachmentRetitled", "reports", []string{`UPDATE reports SET title = 'nothing' WHERE id = ` + one("reports", "id")}, []string{"reports ", "altered"}},
		{"AllergyRemoved", "allergies", []string{`UPDATE allergies SET severity = CASE severity WHEN 'mild' THEN 'moderate' ELSE 'mild' END WHERE id = ` + one("allergies", "id")}, []string{"allergies ", "altered"}},
		{"PriceChanged", "price_items", []string{`UPDATE price_items SET price = price + 1 WHERE id = ` + one("price_items", "id")}, []string{"price_items ", "altered"}},
		{"DoctorFeeChanged", "doctor_profiles", []string{`UPDATE doctor_profiles SET room = '13' WHERE id = ` + one("doctor_profiles", "id")}, []string{"doctor_profiles ", "altered"}},
		{"AllocationChanged", "payment_allocations", []string{`UPDATE payment_allocations SET amount = amount / 2 WHERE payment_id = (SELECT min(payment_id) FROM payment_allocations)`}, []string{"payment_allocations ", "altered"}},
		// Records added.
		{"AdminInserted", "users", []string{`INSERT INTO users (id, username, full_name, role, status, password_hash, created_at, updated_at)
			SELECT '00000000-0000-7000-8000-000000000001', 'root', 'Root', 'admin', 'active', password_hash, created_at, updated_at FROM users WHERE username = 'admin'`},
			[]string{"users 00000000-0000-7000-8000-000000000001 was added outside the app"}},
		{"PaymentInserted", "payments", []string{`INSERT INTO payments SELECT '00000000-0000-7000-8000-000000000002', receipt_number || 'X', patient_id, patient_name, patient_mrn, method, amount,
			tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at, reversal_of, reason, created_at, updated_at, deleted_at, server_seq FROM payments ORDER BY rowid LIMIT 1`},
			[]string{"payments 00000000-0000-7000-8000-000000000002 was added"}},
		{"NoteInserted", "notes", []string{`INSERT INTO notes (id, patient_id, kind, text, author_id, author_name, created_at)
			SELECT '00000000-0000-7000-8000-000000000003', patient_id, kind, 'backdated', author_id, author_name, created_at FROM notes ORDER BY rowid LIMIT 1`},
			[]string{"notes 00000000-0000-7000-8000-000000000003 was added"}},
		// Records deleted.
		{"PaymentDeleted", "payments,payment_allocations,receipts", []string{`PRAGMA foreign_keys = OFF`, `DELETE FROM payment_allocations WHERE payment_id = ` + one("payments", "id"),
			`DELETE FROM payments WHERE id = ` + one("payments", "id")},
			[]string{"payments ", "was deleted outside the app"}},
		{"NoteDeleted", "notes", []string{`DELETE FROM notes WHERE id = ` + one("notes", "id")}, []string{"notes ", "deleted outside the app"}},
		{"AppointmentDeleted", "appointments,appointment_events", []string{`DELETE FROM appointment_events WHERE appointment_id = ` + one("appointments", "id"),
			`DELETE FROM appointments WHERE id = ` + one("appointments", "id")}, []string{"appointments ", "deleted outside the app"}},
		{"InvoiceLineDeleted", "invoice_lines", []string{`DELETE FROM invoice_lines WHERE id = ` + one("invoice_lines", "id")}, []string{"invoice_lines ", "deleted outside the app"}},
		{"VitalsDeleted", "vitals", []string{`DELETE FROM vitals WHERE id = ` + one("vitals", "id")}, []string{"vitals ", "(patient P-D1-", "deleted outside the app"}},
		{"PatientEventDeleted", "patient_events", []string{`DELETE FROM patient_events WHERE id = ` + one("patient_events", "id")}, []string{"patient_events ", "deleted outside the app"}},
		// Last stop's additions: a letter's language, a message plan
		// slipped in, the trigger that keeps a plan due until all its
		// messages are here (desk migration 0195).
		{"LetterLanguageChanged", "letters", []string{`UPDATE letters SET language = CASE language WHEN 'es' THEN 'el' ELSE 'es' END WHERE id = ` + one("letters", "id")},
			[]string{"letters ", "altered"}},
		{"MessagePlanInserted", "message_plans", []string{`INSERT INTO message_plans (id, appointment_id, patient_id, appt_start, plan, origin, created_at, updated_at)
			SELECT 'forgedplan', id, patient_id, start_at, '{"to": [{"channel": "email", "address": "mallory@evil.example"}], "items": [{"kind": "confirmation", "send_at": "2026-01-01T00:00:00.000000000Z"}]}',
			'elsewhere', created_at, created_at FROM appointments ORDER BY rowid LIMIT 1`},
			[]string{"message_plans forgedplan was added outside the app"}},
		{"PlanWrittenTriggerDropped", "", []string{`DROP TRIGGER messages_plan_written`}, []string{"trigger messages_plan_written is missing"}},
		// The newer columns and indexes (desk 0175, 0182, 0183): held before
		// 0214 too, kept here so that they stay held.
		{"InvoiceIssuedWithForged", "invoices", []string{`UPDATE invoices SET issued_with = '{}' WHERE id = (SELECT id FROM invoices WHERE status <> 'draft' ORDER BY rowid LIMIT 1)`},
			[]string{"invoices ", "altered"}},
		{"InvoiceIssuedLinesEmptied", "invoices", []string{`UPDATE invoices SET issued_lines = '[]' WHERE id = (SELECT id FROM invoices WHERE status <> 'draft' ORDER BY rowid LIMIT 1)`},
			[]string{"invoices ", "altered"}},
		{"SealIndexReshaped", "", []string{`DROP INDEX audit_seal_row`, `CREATE INDEX audit_seal_row ON audit_seal (entity, row_id, seq, hash)`},
			[]string{"index audit_seal_row was altered"}},
		{"InvoiceClockTriggerDropped", "", []string{`DROP TRIGGER invoices_field_clock_delete`}, []string{"trigger invoices_field_clock_delete is missing"}},
		// What waits for review (desk migration 0214): a conflict slipped
		// in for billing staff to "take back" a value of the tamperer's,
		// and an overpayment that never happened.
		{"ConflictInserted", "", []string{`INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site,
			won_value, won_hlc, won_site, detected_at) SELECT 'forged-conflict', 'invoices', id, 'notes', 'lost to a newer change',
			'"waived by the director"', '0000000000001-0000-aaaa', 'aaaa', json_quote(notes), '0000000000002-0000-bbbb', 'bbbb', created_at
			FROM invoices WHERE status = 'draft' ORDER BY rowid LIMIT 1`},
			[]string{"conflicts forged-conflict was added outside the app"}},
		{"BillingConflictInserted", "", []string{`INSERT INTO billing_conflicts (id, invoice_id, payment_id, total, paid, detected_at)
			SELECT invoice_id || '/' || payment_id, invoice_id, payment_id, 1, 2, '2026-01-01T00:00:00.000Z' FROM payment_allocations ORDER BY payment_id LIMIT 1`},
			[]string{"billing_conflicts ", "was added outside the app"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := copyDemo(t)
			raw, err := sql.Open(datatest.TamperDriver, "file:"+path+"?_busy_timeout=5000")
			if err != nil {
				t.Fatal(err)
			}
			raw.SetMaxOpenConns(1)
			carefully(t, raw, tc.table, tc.stmts...)
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			rep := openVerify(t, path)
			text := verifyText(rep)
			if rep.OK() {
				t.Fatalf("verify passed after %s", tc.name)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Fatalf("want %q in the report:\n%s", w, text)
				}
			}
			t.Logf("%s:\n%s", tc.name, strings.TrimSpace(text))
		})
	}
}

// TestTamperReview: the rows waiting for review (conflicts, overpaid
// invoices; desk migration 0214) and the desk's backup settings (0215),
// written by the app, then changed or removed with the sqlite3 library:
// verify reports each. Before 0214 and 0215 none was reported. Rows that were there before the migration are sealed as
// they are by the open that applies it, and verify holds them from then
// on.
func TestTamperReview(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a demo database")
	}
	demoForTamper(t)
	// withReview is a copy of the demo with one open conflict of a draft's
	// notes and one overpaid invoice, written by the app (sealed).
	withReview := func(t *testing.T) string {
		path := copyDemo(t)
		db, err := data.Open(path, data.Options{HashParams: datatest.CheapHash})
		if err != nil {
			t.Fatal(err)
		}
		err = db.WriteTx(context.Background(), "sync.apply", func(tx *data.Tx) error {
			if _, err := tx.ExecContext(tx.Context(), `INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc,
				lost_site, won_value, won_hlc, won_site, detected_at) SELECT 'c1', 'invoices', id, 'notes', 'lost to a newer change',
				'"to be taken back"', '0000000000001-0000-aaaa', 'aaaa', json_quote(notes), '0000000000002-0000-bbbb', 'bbbb', created_at
				FROM invoices WHERE status = 'draft' ORDER BY rowid LIMIT 1`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.Context(), `INSERT INTO billing_conflicts (id, invoice_id, payment_id, total, paid, detected_at)
				SELECT 'b1', invoice_id, payment_id, 1, 2, '2026-01-01T00:00:00.000Z' FROM payment_allocations ORDER BY payment_id LIMIT 1`); err != nil {
				return err
			}
			_, err := tx.ExecContext(tx.Context(), `INSERT INTO desk_backup (id, folder, daily_at, on_close, keep, recipient, updated_at, updated_by)
				VALUES (1, '/media/usb/hms', '18:00', 1, 14, 'age1clinic', '2026-01-01T00:00:00.000Z', 'admin')`)
			tx.Audit("sync.apply", "conflicts", "c1", "", "kept for review")
			return err
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		if rep := openVerify(t, path); !rep.OK() {
			t.Fatalf("the app's own review rows do not verify:\n%s", verifyText(rep))
		}
		return path
	}
	cases := []struct {
		name  string
		stmts []string
		want  string
	}{
		{"ConflictDeleted", []string{`DELETE FROM conflicts WHERE id = 'c1'`}, "conflicts c1 was deleted outside the app"},
		{"ConflictLostValueRewritten", []string{`UPDATE conflicts SET lost_value = '"waived"' WHERE id = 'c1'`}, "conflicts c1 was altered"},
		// A change kept for later (desk 0246): an entry rewritten to
		// make it a delete would remove the record when it is applied.
		{"ParkedEntryRewritten", []string{`UPDATE conflicts SET entry = '{"deleted_hlc":"0000000000009-0000-aaaa"}' WHERE id = 'c1'`},
			"conflicts c1 was altered"},
		{"ConflictResolvedOutside", []string{`UPDATE conflicts SET resolved_at = detected_at, resolved_by = 'admin', resolution = 'kept' WHERE id = 'c1'`},
			"conflicts c1 was altered"},
		{"BillingConflictDeleted", []string{`DELETE FROM billing_conflicts WHERE id = 'b1'`}, "billing_conflicts b1 was deleted outside the app"},
		{"BillingConflictSettledOutside", []string{`UPDATE billing_conflicts SET resolved_at = detected_at, resolved_by = 'billing',
			resolution = 'refunded', note = 'refunded in cash' WHERE id = 'b1'`}, "billing_conflicts b1 was altered"},
		// The backup settings (0215): keep 1 makes the next run remove
		// every older backup; another key makes the new ones unreadable
		// with the clinic's recovery key.
		{"BackupKeepCut", []string{`UPDATE desk_backup SET keep = 1`}, "desk_backup 1 was altered"},
		{"BackupKeyReplaced", []string{`UPDATE desk_backup SET recipient = 'age1mallory'`}, "desk_backup 1 was altered"},
		{"BackupSettingsDeleted", []string{`DELETE FROM desk_backup`}, "desk_backup 1 was deleted outside the app"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := withReview(t)
			raw, err := sql.Open(datatest.TamperDriver, "file:"+path+"?_busy_timeout=5000")
			if err != nil {
				t.Fatal(err)
			}
			raw.SetMaxOpenConns(1)
			carefully(t, raw, "", tc.stmts...)
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			rep := openVerify(t, path)
			if text := verifyText(rep); rep.OK() || !strings.Contains(text, tc.want) {
				t.Fatalf("want %q in the report:\n%s", tc.want, text)
			}
		})
	}
	// A desk upgraded to 0214 with review rows already there: they are
	// sealed as they are, and an edit after the upgrade is reported.
	t.Run("RowsBeforeTheMigration", func(t *testing.T) {
		path := copyDemo(t)
		raw, err := sql.Open(datatest.TamperDriver, "file:"+path+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		raw.SetMaxOpenConns(1)
		carefully(t, raw, "", `DROP TRIGGER seal_conflicts_ins`, `DROP TRIGGER seal_conflicts_upd`, `DROP TRIGGER seal_conflicts_del`,
			`DROP TRIGGER seal_billing_conflicts_ins`, `DROP TRIGGER seal_billing_conflicts_upd`, `DROP TRIGGER seal_billing_conflicts_del`,
			`DELETE FROM schema_migrations WHERE version = 214`,
			`INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site,
				detected_at) VALUES ('old', 'patients', 'p', 'phone', 'lost', '"1"', '1', 'a', '"2"', '2', 'b', '2026-01-01T00:00:00.000Z')`)
		if err := raw.Close(); err != nil {
			t.Fatal(err)
		}
		if rep := openVerify(t, path); !rep.OK() {
			t.Fatalf("a conflict kept before 0214 is reported after the upgrade:\n%s", verifyText(rep))
		}
		raw, err = sql.Open(datatest.TamperDriver, "file:"+path+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		raw.SetMaxOpenConns(1)
		carefully(t, raw, "", `UPDATE conflicts SET lost_value = '"9"' WHERE id = 'old'`)
		if err := raw.Close(); err != nil {
			t.Fatal(err)
		}
		if rep := openVerify(t, path); rep.OK() || !strings.Contains(verifyText(rep), "conflicts old was altered") {
			t.Fatalf("an edit after the upgrade is not reported:\n%s", verifyText(rep))
		}
	})
}

// BenchmarkVerify reports how long hms verify takes on the benchmark's
// demo database (HMS_BENCH_PATIENTS, as the other benchmarks).
func BenchmarkVerify(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := db.Verify(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.OK() {
			b.Fatalf("verify: %s", verifyText(rep))
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/verify")
		b.ReportMetric(float64(rep.Records), "records")
	}
}

// BenchmarkVerifySeals reports how long Verify's check of every audited
// record against its latest seal (the seals' index read once, in key
// order, beside every audited table) takes on the benchmark's demo
// database (HMS_BENCH_PATIENTS), without the rest of Verify.
func BenchmarkVerifySeals(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	for b.Loop() {
		start := time.Now()
		n, problems, err := db.VerifySeals(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(problems) > 0 {
			b.Fatalf("verify: %s", strings.Join(problems, "\n"))
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/check")
		b.ReportMetric(float64(n), "records")
	}
}
