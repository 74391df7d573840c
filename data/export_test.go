package data

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"hms/app"
)

// Connections returns the database's connection pools by name, for tests
// that check every connection's settings.
func (db *DB) Connections() map[string]*sql.DB {
	return map[string]*sql.DB{"writer": db.w, "reader": db.r}
}

// SearchSQL is the query FindPatients runs for f, for query-plan tests.
func SearchSQL(f app.PatientFilter) (string, []any, error) {
	q, args, limit, err := buildSearch(f)
	return q, append(args, limit+1), err
}

// CopyFile copies a file and flushes the copy to disk, as restore does.
var CopyFile = copyFile

// OnHash has f called as each password hash starts, after it took its
// hashing place.
func (db *DB) OnHash(f func()) { db.onHash = f }

// OnWrite has f called as each write transaction gives the writer
// connection back (DB.onWrite). Set it before the calls it times.
func (db *DB) OnWrite(f func(action string, wait, held time.Duration)) { db.onWrite = f }

// OnSyncLevel has f called before each write transaction commits with its
// connection's PRAGMA synchronous (1 NORMAL, 2 FULL).
func (db *DB) OnSyncLevel(f func(action string, level int)) { db.onSyncLevel = f }

// HashAside runs f where the database runs a password hash (hashAside).
func (db *DB) HashAside(f func()) { db.hashAside(f) }

// AddTestMigration adds a migration after the embedded ones, standing for
// a future one, until the returned function takes it away.
func AddTestMigration(version int, name, body string) func() {
	forgetExpectedSchemas()
	testMigrations = append(testMigrations, migration{version, name, body})
	return func() { testMigrations = nil; forgetExpectedSchemas() }
}

// forgetExpectedSchemas empties expectedSchema's cache: a test migration
// changes what a version's migrations create.
func forgetExpectedSchemas() {
	expectedMu.Lock()
	defer expectedMu.Unlock()
	clear(expectedByVer)
}

// ResealPlan is resealPlan, for its refusals.
var ResealPlan = resealPlan

// DemoNames are every given and family name the demo gives its patients.
func DemoNames() []string {
	out := append(append(append([]string{}, demoGivenFemale...), demoGivenMale...), demoFamily...)
	for _, p := range demoFamilyBySex {
		out = append(out, p[0], p[1])
	}
	return out
}

// MigrationResealProblems applies the migrations one by one to a new
// database in memory and returns what resealPlan would refuse after each:
// a sealed column of an audited table dropped or renamed.
func MigrationResealProblems() ([]string, error) {
	mem, err := sql.Open(driverName, "file:hms_reseal_steps?mode=memory&cache=private&_foreign_keys=1")
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1)
	if _, err := mem.Exec(`CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return nil, err
	}
	all, err := migrations()
	if err != nil {
		return nil, err
	}
	db := &DB{w: mem}
	var out []string
	var before map[string][]string
	for _, m := range all {
		if err := db.applyMigration(m); err != nil {
			return nil, err
		}
		after, err := sealedColumnsNow(mem)
		if err != nil {
			return nil, err
		}
		if before != nil {
			_, refused := resealPlan(before, after)
			for _, r := range refused {
				out = append(out, m.base+": "+r)
			}
		}
		before = after
	}
	return out, nil
}

// Statements is how many statements the database's write transactions
// have sent so far, BEGIN and COMMIT included.
func (db *DB) Statements() int64 { return db.statements.Load() }

// OnStatement has f called with each statement a write transaction sends.
func (db *DB) OnStatement(f func(q string)) { db.onStatement = f }

// TxPhases is how long a committed write transaction's phases took.
type TxPhases = txPhases

// OnTxPhases has f called after each committed write transaction with how
// long its phases took. Set it before the writes begin.
func (db *DB) OnTxPhases(f func(TxPhases)) { db.onTxPhases = f }

// AddTestSyncedTable makes st a synced, audited table until the returned
// function is called, for a test migration that creates a table of its
// own. Tests that call it must not run in parallel.
func AddTestSyncedTable(st SyncedTable) func() {
	saved := syncedTables
	syncedTables = append(slices.Clone(syncedTables), st)
	syncedByName[st.Name] = st
	return func() { syncedTables = saved; delete(syncedByName, st.Name) }
}

// DocumentLangs are the languages of a document for the patient and of a
// staff report for the caller c.
func (db *DB) DocumentLangs(ctx context.Context, patientID string, c app.Caller) (patient, reader string, err error) {
	p, err := patientLang(ctx, db.r, patientID)
	if err != nil {
		return "", "", err
	}
	r, err := readerLang(ctx, db.r, c)
	return string(p), string(r), err
}

// StmtJournalSpillRC is what setting SQLite's statement journal spill
// size returned (stmtjournal.go): 0 when it took effect.
func StmtJournalSpillRC() int { return stmtJournalSpillRC }
