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
