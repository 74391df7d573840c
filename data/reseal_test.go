package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

// TestResealAfterAddedColumn: a migration that adds columns to audited
// tables (patients, users, with a value written into one) would change
// every row's hash; the open that applies it seals them again in one
// audit.reseal row, so verify passes, except for the row edited outside
// the app before the migration, which it goes on reporting.
func TestResealAfterAddedColumn(t *testing.T) {
	c := mustSetup(t)
	zoe := c.users[app.RolePatient].PatientID
	raw := rawDB(t, c.db)
	if _, err := raw.Exec(`UPDATE patients SET family_name = 'Nobody' WHERE id = ?`, zoe); err != nil {
		t.Fatal(err)
	}
	defer data.AddTestMigration(9001, "9001_added_columns.sql", `
		ALTER TABLE patients ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
		ALTER TABLE users ADD COLUMN pronouns TEXT;
		UPDATE users SET pronouns = 'she/her' WHERE username = 'admin';`)()

	rep := openVerify(t, c.db.Path())
	if len(rep.SchemaProblems) > 0 || !rep.AuditOK {
		t.Fatalf("after the migration:\n%s", verifyText(rep))
	}
	if len(rep.RecordProblems) != 1 || !strings.Contains(rep.RecordProblems[0], "patients "+zoe+" was altered outside the app") {
		t.Fatalf("want only patient %s reported, got:\n%s", zoe, verifyText(rep))
	}
	// One reseal, by the open that migrated.
	openVerify(t, c.db.Path())
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'audit.reseal'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("reseal rows: %d %v", n, err)
	}
	var resealed int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_seal WHERE seq = (SELECT seq FROM audit_log WHERE action = 'audit.reseal')`).Scan(&resealed); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := raw.QueryRow(`SELECT (SELECT count(*) FROM patients) + (SELECT count(*) FROM users)`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if resealed != rows-1 {
		t.Errorf("resealed %d records, want %d (every patient and user but the edited one)", resealed, rows-1)
	}
}

// TestResealRefusesDroppedColumn: a migration may only add sealed
// columns; a table with one dropped or renamed is not resealed, and named.
func TestResealRefusesDroppedColumn(t *testing.T) {
	before := map[string][]string{"notes": {"id", "text", "author"}}
	if plan, refused := data.ResealPlan(before, map[string][]string{"notes": {"id", "text", "author", "visit"}}); len(refused) > 0 || len(plan["notes"]) != 3 {
		t.Fatalf("added column: %v %v", plan, refused)
	}
	if plan, refused := data.ResealPlan(before, before); len(refused) > 0 || len(plan) != 0 {
		t.Fatalf("unchanged: %v %v", plan, refused)
	}
	plan, refused := data.ResealPlan(before, map[string][]string{"notes": {"id", "body", "author"}})
	if len(plan) != 0 || len(refused) != 1 || !strings.Contains(refused[0], "column text of the audited table notes") {
		t.Fatalf("renamed column: %v %v", plan, refused)
	}
}

// TestMigrationsOnlyAddSealedColumns: no migration of the project drops or
// renames a sealed column of an audited table (docs/AUDIT.md, the reseal),
// checked after each migration in turn.
func TestMigrationsOnlyAddSealedColumns(t *testing.T) {
	problems, err := data.MigrationResealProblems()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestResealSealsNewTableRows: a migration that creates an audited table
// and writes rows into it (here the consultation links, recreated with a
// link for the doctor) leaves rows no audited write sealed; the open that
// applies it seals them under its audit.reseal row, so verify passes.
// A table created empty adds no reseal row.
func TestResealSealsNewTableRows(t *testing.T) {
	c := mustSetup(t)
	doctor := c.users[app.RoleDoctor].ID
	raw := rawDB(t, c.db)
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM doctor_consultation_items`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("consultation links before: %d %v", n, err)
	}
	if _, err := raw.Exec(`DROP TABLE doctor_consultation_items; DELETE FROM schema_migrations WHERE version = 55`); err != nil {
		t.Fatal(err)
	}
	undo := data.AddTestMigration(9001, "9001_consultation_links.sql", `
		INSERT INTO doctor_consultation_items (id, user_id, price_code, created_at, updated_at)
		SELECT 'link-1', id, 'CONS', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM users WHERE id = '`+doctor+`';`)
	defer undo()

	rep := openVerify(t, c.db.Path())
	if len(rep.SchemaProblems) > 0 || !rep.AuditOK || len(rep.RecordProblems) > 0 {
		t.Fatalf("after the migration:\n%s", verifyText(rep))
	}
	var sealed int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_seal WHERE entity = 'doctor_consultation_items' AND row_id = 'link-1'
		AND seq = (SELECT seq FROM audit_log WHERE action = 'audit.reseal')`).Scan(&sealed); err != nil || sealed != 1 {
		t.Fatalf("link-1 sealed by the reseal: %d %v", sealed, err)
	}

	// A migration that creates an audited table and leaves it empty writes
	// no reseal.
	undo()
	c2 := mustSetup(t)
	raw2 := rawDB(t, c2.db)
	if _, err := raw2.Exec(`DROP TABLE doctor_consultation_items; DELETE FROM schema_migrations WHERE version = 55`); err != nil {
		t.Fatal(err)
	}
	rep = openVerify(t, c2.db.Path())
	if len(rep.SchemaProblems) > 0 || !rep.AuditOK || len(rep.RecordProblems) > 0 {
		t.Fatalf("after recreating the empty table:\n%s", verifyText(rep))
	}
	if err := raw2.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'audit.reseal'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("reseal rows for an empty new table: %d %v", n, err)
	}
}
