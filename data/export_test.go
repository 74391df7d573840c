package data

import (
	"context"
	"database/sql"
	"encoding/binary"
	"os"
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

// TxDone is what one write transaction did (DB.onTx).
type TxDone = txDone

// OnTx has f called once per write transaction, as it gives the writer
// connection back, with what it did; with syncLevel, each transaction
// reads its connection's PRAGMA synchronous before it commits, for
// TxDone.SyncLevel (a statement more, left out of the phases). Set it
// before the writes begin; nil removes it.
func (db *DB) OnTx(f func(TxDone), syncLevel bool) { db.onTx, db.onTxSyncLevel = f, syncLevel }

// OnSyncWAL has SyncLog call f instead of syncing the WAL file itself.
func (db *DB) OnSyncWAL(f func(*os.File) error) { db.syncWAL = f }

// NoHashPause has write transactions leave password hashes under way
// running (off: app.PauseHashing not called) or pause them (the desk's
// way); it may change while transactions run.
func (db *DB) NoHashPause(off bool) { db.noHashPause.Store(off) }

// WriteTx runs fn as a write transaction of action (DB.write).
func (db *DB) WriteTx(ctx context.Context, action string, fn func(tx *Tx) error) error {
	return db.write(ctx, action, fn)
}

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

// RowsWritten is how many rows the writer connection has inserted,
// changed or deleted since it opened, the triggers' included (SQLite's
// total_changes(); index entries are not rows).
func (db *DB) RowsWritten() int64 {
	var n int64
	if err := db.w.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
		panic(err)
	}
	return n
}

// OnStatement has f called with each statement a write transaction sends.
func (db *DB) OnStatement(f func(q string)) { db.onStatement = f }

// TxPhases is how long a committed write transaction's phases took.
type TxPhases = txPhases

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

// ForeignMigrations lists the migrations applied to the database at path
// that this program does not have (another branch's), read without
// changing the file.
func ForeignMigrations(path string) ([]string, error) {
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	all, err := migrations()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, m := range all {
		known[m.base] = true
	}
	rows, err := raw.Query(`SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var foreign []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if !known[name] {
			foreign = append(foreign, name)
		}
	}
	return foreign, rows.Err()
}

// WALFrames reads the WAL index's header (the -shm file, SQLite's
// WalIndexHdr): how many frames the WAL holds (mxFrame) and its salt, which
// changes when a writer starts the WAL again from its beginning.
func (db *DB) WALFrames() (frames uint32, salt uint64, err error) {
	f, err := db.OpenWALIndex()
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return ReadWALIndex(f)
}

// OpenWALIndex opens the database's WAL index (the -shm file) for
// ReadWALIndex: a benchmark that reads it after every commit keeps it open
// rather than pay an open and a close inside each timed operation.
func (db *DB) OpenWALIndex() (*os.File, error) { return os.Open(db.path + "-shm") }

// ReadWALIndex is WALFrames from an open WAL index.
func ReadWALIndex(f *os.File) (frames uint32, salt uint64, err error) {
	var hdr [48]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, 0, err
	}
	return binary.NativeEndian.Uint32(hdr[16:]), binary.NativeEndian.Uint64(hdr[32:]), nil
}

// IndexedQuery is a query whose plan TestIndexesTheQueriesUse checks: the
// index it must use, and arguments to explain it with.
type IndexedQuery struct {
	Name, SQL, Index string
	Args             []any
}

// IndexedQueries are the queries that read the audit log and the patients'
// timelines by something other than their key: the tables every audited
// write adds a row to, whose indexes each cost such a commit a page.
func IndexedQueries() []IndexedQuery {
	var out []IndexedQuery
	add := func(name, index, q string, args ...any) {
		out = append(out, IndexedQuery{name, q, index, args})
	}
	add("audit baseline, at every start", "audit_log_rare_action", baselineCountSQL)
	add("verify: the reports' hashes attached here", "audit_log_rare_action", attachedHashesSQL)
	add("verify: the reports' hashes received", "audit_log_rare_action", receivedReportsSQL)
	add("verify: every record's latest seal", "audit_seal_row", verifySealsSQL)
	q, args := historySQL("p", app.HistoryFilter{Limit: 200})
	add("a patient's history", "patient_events_patient_at", q, args...)
	q, args = historySQL("p", app.HistoryFilter{BeforeSeq: 9, Limit: 200})
	add("a patient's history, next page", "patient_events_patient_at", q, args...)
	add("purge: a patient's history", "patient_events_patient_at", purgeSQL[0], "p")
	q, args = auditListSQL(app.AuditFilter{Username: "u"})
	add("Audit screen by user", "audit_log_username", q, args...)
	q, args = auditListSQL(app.AuditFilter{PatientID: "p"})
	add("Audit screen by patient", "audit_log_patient", q, args...)
	q, args = auditListSQL(app.AuditFilter{PatientID: "p", Username: "u"})
	add("Audit screen by patient and user", "", q, args...)
	q, args = auditListSQL(app.AuditFilter{From: time.Now().Add(-time.Hour), To: time.Now()})
	add("Audit screen by time", "", q, args...)
	q, args = auditListSQL(app.AuditFilter{Action: "invoice."})
	add("Audit screen by action (a prefix: no index)", "", q, args...)
	return out
}

// ExecWriter runs q on the writer connection, outside the services: a
// test's raw write that takes its turn with the others.
func (db *DB) ExecWriter(q string) error {
	_, err := db.w.Exec(q)
	return err
}

// QueueReadSQL is the one read of a booking that queues messages.
var QueueReadSQL = queueReadSQL

// VerifySeals runs Verify's check of every audited record against its
// latest seal, alone, in a read transaction (BenchmarkVerifySeals).
func (db *DB) VerifySeals(ctx context.Context) (checked int64, problems []string, err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	return db.verifySeals(ctx, tx)
}

// MigrateUpTo creates a database at path with the embedded migrations up
// to version applied and no more, for tests of a migration's text.
func MigrateUpTo(path string, version int) error {
	if err := createOwnerOnly(path); err != nil {
		return err
	}
	w, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return err
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	return (&DB{path: path, w: w}).migrateUpTo(version)
}

// PatientListProblems is what verify says of patient_list against patients.
func PatientListProblems(ctx context.Context, db *DB) ([]string, error) {
	return patientListProblems(ctx, db.r, 20)
}
