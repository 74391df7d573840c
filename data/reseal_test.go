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
	if len(rep.RecordProblems) != 1 || !strings.Contains(rep.RecordProblems[0], "patients "+zoe+" ") ||
		!strings.Contains(rep.RecordProblems[0], " was altered outside the app") {
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
// and writes rows into it (here a table of the test's own) leaves rows no
// audited write sealed; the open that applies it seals them under its
// audit.reseal row, so verify passes, and an edit made afterwards outside
// the app is still reported. A migration that creates an audited table
// and leaves it empty writes no reseal row.
func TestResealSealsNewTableRows(t *testing.T) {
	leaflets := data.SyncedTable{Name: "test_leaflets", Editable: true}
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	undoTable := data.AddTestSyncedTable(leaflets)
	defer func() { undoTable() }()
	undo := data.AddTestMigration(9001, "9001_test_leaflets.sql", `
		CREATE TABLE test_leaflets (id TEXT PRIMARY KEY, title TEXT NOT NULL);
		INSERT INTO test_leaflets (id, title) VALUES ('leaflet-1', 'Eating well'), ('leaflet-2', 'Sleeping well');`)
	defer undo()

	rep := openVerify(t, c.db.Path())
	if len(rep.SchemaProblems) > 0 || !rep.AuditOK || len(rep.RecordProblems) > 0 {
		t.Fatalf("after the migration:\n%s", verifyText(rep))
	}
	var sealed int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_seal WHERE entity = 'test_leaflets'
		AND seq = (SELECT seq FROM audit_log WHERE action = 'audit.reseal')`).Scan(&sealed); err != nil || sealed != 2 {
		t.Fatalf("leaflets sealed by the reseal: %d %v", sealed, err)
	}
	if _, err := raw.Exec(`UPDATE test_leaflets SET title = 'Eating badly' WHERE id = 'leaflet-1'`); err != nil {
		t.Fatal(err)
	}
	rep = openVerify(t, c.db.Path())
	if text := verifyText(rep); !strings.Contains(text, "test_leaflets") || !strings.Contains(text, "leaflet-1") || strings.Contains(text, "leaflet-2") {
		t.Fatalf("an edit after the reseal is not reported, or the wrong row is:\n%s", text)
	}
	undo()
	undoTable()

	c2 := mustSetup(t)
	raw2 := rawDB(t, c2.db)
	undoTable = data.AddTestSyncedTable(leaflets)
	undo = data.AddTestMigration(9001, "9001_test_leaflets.sql", `CREATE TABLE test_leaflets (id TEXT PRIMARY KEY, title TEXT NOT NULL);`)
	defer undo()
	rep = openVerify(t, c2.db.Path())
	if len(rep.SchemaProblems) > 0 || !rep.AuditOK || len(rep.RecordProblems) > 0 {
		t.Fatalf("after creating the empty table:\n%s", verifyText(rep))
	}
	var n int
	if err := raw2.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'audit.reseal'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("reseal rows for an empty new table: %d %v", n, err)
	}
}
