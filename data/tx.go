package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"hms/app"
	"hms/data/sync/hlc"
)

// Tx is a write transaction. Every change made through it records what it
// did with Audit; the helper appends those audit rows in the same
// transaction, so a change and its audit row exist together or not at all.
// The synced tables' triggers write the change's outbox rows in it too
// (outbox.go).
//
// It is not a sql.Tx: inTx sends BEGIN IMMEDIATE and COMMIT on the writer
// connection itself (conn). database/sql watches a sql.Tx's context, which
// it can always cancel, with a goroutine for the transaction and one more
// for every query's rows, each waking an idle thread: at 20,000 patients
// they were about a sixth of an invoice's issue and payment (docs/
// ARCHITECTURE.md, "The cost of a payment"). A query on a sql.Conn in a
// context that cannot be cancelled starts none, and inTx runs the
// statements without the caller's cancellation (checked before BEGIN and
// COMMIT instead).
type Tx struct {
	conn   *sql.Conn
	ctx    context.Context
	db     *DB
	now    time.Time
	caller app.Caller
	action string
	// callerFullName is the caller's full name as the session check read
	// it (callerName).
	callerFullName string
	audits         []auditEvent
	// hlc stamps the transaction's outbox rows; zero when it writes none.
	hlc hlc.Timestamp
	// deferred is an error the method returns after committing, e.g. a
	// failed login whose failure count must be kept.
	deferred error
	// stmts are statements prepared in the transaction (Prepared, for
	// the sync engine's statements run for every row of a batch).
	stmts map[string]*sql.Stmt
	// touched are the audited records the transaction wrote (seal.go);
	// sealAllRows seals every record instead (the baseline).
	touched     *touched
	sealAllRows bool
	// resealFrom seals again the records of these tables, whose columns
	// before a migration are given (the reseal, reseal.go).
	resealFrom map[string][]string
}

// stmt prepares q once per transaction.
func (tx *Tx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(tx.ctx, q)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

// ExecContext, QueryRowContext and QueryContext are sql.Tx's, counted
// (DB.statements): every statement a write transaction sends to SQLite
// goes through them or through the statements prepared in it (stmt).
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx.db.count(q)
	return tx.conn.ExecContext(ctx, q, args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	tx.db.count(q)
	return tx.conn.QueryRowContext(ctx, q, args...)
}

func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	tx.db.count(q)
	return tx.conn.QueryContext(ctx, q, args...)
}

// PrepareContext prepares q on the transaction's connection, for a
// statement run for each of many rows; the caller closes it before the
// transaction ends.
func (tx *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return tx.conn.PrepareContext(ctx, q)
}

// Exec, QueryRow and Query are the context-taking ones with the
// transaction's context.
func (tx *Tx) Exec(q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(tx.ctx, q, args...)
}

func (tx *Tx) QueryRow(q string, args ...any) *sql.Row { return tx.QueryRowContext(tx.ctx, q, args...) }

func (tx *Tx) Query(q string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(tx.ctx, q, args...)
}

// count counts statement q (DB.statements).
func (db *DB) count(q string) {
	db.statements.Add(1)
	if f := db.onStatement; f != nil {
		f(q)
	}
}

// exec is ExecContext through the connection's statement cache
// (_stmt_cache_size in dsn): the statement is compiled, with the programs
// of its triggers, once per connection, not once per transaction as a
// statement prepared with tx.Prepare is (the driver does not cache those).
func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(tx.ctx, q, args...)
}

// queryRow is QueryRowContext through the connection's statement cache,
// as exec.
func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	return tx.QueryRowContext(tx.ctx, q, args...)
}

// queryRowInBatch is QueryRowContext with a statement prepared once in the
// transaction, for the reads a pull makes for each row of a batch, some of
// them built per table and field: kept out of the connection's cache so
// that they do not push the hot statements out of it.
func (tx *Tx) queryRowInBatch(q string, args ...any) *sql.Row {
	st, err := tx.stmt(q)
	if err != nil {
		return tx.QueryRowContext(tx.ctx, q, args...) // reports the same error
	}
	tx.db.count(q)
	return st.QueryRowContext(tx.ctx, args...)
}

type auditEvent struct {
	action, entity, entityID, patientID, detail string
	outcome                                     app.Outcome
	who                                         *app.Caller // overrides the caller (login, registration)
}

// Audit records that this transaction did action to a record.
func (tx *Tx) Audit(action, entity, entityID, patientID, detail string) {
	tx.audits = append(tx.audits, auditEvent{action: action, entity: entity, entityID: entityID,
		patientID: patientID, detail: detail, outcome: app.OutcomeOK})
}

// AuditAs records an event on behalf of someone other than the caller, with
// an outcome: a login names the account it tried.
func (tx *Tx) AuditAs(who app.Caller, action, entity, entityID string, outcome app.Outcome, detail string) {
	tx.audits = append(tx.audits, auditEvent{action: action, entity: entity, entityID: entityID,
		detail: detail, outcome: outcome, who: &who})
}

// FailAfterCommit commits what the transaction wrote and then returns err.
func (tx *Tx) FailAfterCommit(err error) { tx.deferred = err }

// Require checks that the caller is logged in and has the permission.
func (tx *Tx) Require(p app.Permission) error {
	return authorize(app.RequireAny(tx.caller, p))
}

// RequireLoggedIn checks that there is a caller.
func (tx *Tx) RequireLoggedIn() error {
	return authorize(app.RequireLoggedIn(tx.caller))
}

// denial is an EUNAUTHORIZED error with the detail of its audit row.
type denial struct {
	err    *app.Error
	detail string
}

func (d *denial) Error() string { return d.err.Error() }
func (d *denial) Unwrap() error { return d.err }

// authorize passes on the answer of one of app's permission rules (access.go
// there): a denial, returned from a write's fn, rolls it back and is
// written to the audit log with the rule's reason; any other error is
// returned as it is.
func authorize(err error) error {
	var ae *app.Error
	if errors.As(err, &ae) && ae.Code == app.EUNAUTHORIZED {
		return &denial{err: ae, detail: ae.Message}
	}
	return err
}

// write runs fn in an IMMEDIATE transaction on the writer connection and
// appends fn's audit rows before committing. action names the service
// method for the audit log. A permission denial rolls fn back and writes a
// denied audit row in a transaction of its own. A write that recorded no
// audit event is refused: nothing changes without its audit row.
func (db *DB) write(ctx context.Context, action string, fn func(tx *Tx) error) error {
	return db.writeFor(ctx, action, "", "", "", fn)
}

// writeFor is write for a method about one record: a denial's audit row
// names the record too.
func (db *DB) writeFor(ctx context.Context, action, entity, entityID, patientID string, fn func(tx *Tx) error) error {
	caller, _ := app.CallerFromContext(ctx)
	err := db.inTx(ctx, caller, action, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if len(tx.audits) == 0 {
			return fmt.Errorf("%s: a write without an audit row", action)
		}
		return nil
	})
	var d *denial
	if errors.As(err, &d) {
		return db.refuse(ctx, action, entity, entityID, patientID, d.detail, d.err)
	}
	return err
}

// inTx is the one place a write transaction begins and commits.
func (db *DB) inTx(ctx context.Context, caller app.Caller, action string, fn func(tx *Tx) error) error {
	var clock phaseClock
	var asked time.Time
	onTx := db.onTx
	if onTx != nil {
		clock.start()
		asked = clock.last
	}
	// Password hashes under way wait for this write (at most
	// maxHashPause): their 64 MiB passes would slow it on the other CPU.
	// Deferred first, so undone last, on every path, a panic's included.
	if !db.noHashPause.Load() {
		defer app.PauseHashing()()
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return internal(action, err)
	}
	defer conn.Close()
	// The transaction's statements run in ctx's values without its
	// cancellation. For a context that can be cancelled (the sync loop's,
	// an import's) the driver ran each statement on a goroutine of its own
	// and watched each row read: a pull applied a third fewer rows a
	// second (BenchmarkPullEdits). Cancellation is still honoured: a write
	// whose context is done before BEGIN or before COMMIT is rolled back;
	// a statement under way runs to its end first.
	cancelled := ctx
	ctx = context.WithoutCancel(ctx)
	if err := cancelled.Err(); err != nil {
		return internal(action, err)
	}
	// done is what this transaction did, for onTx: called before the
	// connection goes back (deferred after its Close), so that no other
	// write comes between the commit and the hook.
	var done txDone
	if onTx != nil {
		got := time.Now()
		done.Action, done.Wait = action, got.Sub(asked)
		defer func() {
			done.Held = time.Since(got)
			onTx(done)
		}()
	}
	lazy := isUnsyncedCommit(ctx)
	if lazy {
		db.count("PRAGMA synchronous = NORMAL")
		if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
			return internal(action, err)
		}
		// After the commit or the rollback (deferred below, so run before
		// this), before the connection goes back: every other write syncs.
		defer func() {
			db.count("PRAGMA synchronous = FULL")
			if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops it
			}
		}()
	}
	touched, err := touchedOf(ctx, conn)
	if err != nil {
		return internal(action, err)
	}
	touched.take() // what was touched outside this helper is no write of this transaction's
	// No reading outlives the transaction (beginOutbox sets it), on any way out.
	defer touched.setReading("")
	tx := &Tx{conn: conn, ctx: ctx, db: db, now: db.now().UTC(), caller: caller, action: action, touched: touched}
	committed := false
	defer func() {
		tx.closeStmts()
		if !committed {
			// Also when BEGIN returned an error: rollback ends only a
			// transaction the connection is in.
			rollback(ctx, conn)
		}
	}()
	db.count("BEGIN IMMEDIATE")
	defer db.count("COMMIT") // or ROLLBACK
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return internal(action, err)
	}
	clock.mark(&clock.p.Begin)
	if tx.callerFullName, err = sessionOf(ctx, tx, caller); err != nil {
		return err
	}
	if err := tx.beginOutbox(); err != nil {
		return internal(action, err)
	}
	if err := fn(tx); err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return err
		}
		var handled handledError
		if errors.As(err, &handled) && !fault(handled.err) {
			return handled.err
		}
		return internal(action, err)
	}
	clock.mark(&clock.p.Work)
	if err := tx.finishAudit(); err != nil {
		return internal(action, err)
	}
	if err := tx.endOutbox(); err != nil {
		return internal(action, err)
	}
	clock.mark(&clock.p.Audit)
	if onTx != nil && db.onTxSyncLevel {
		if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&done.SyncLevel); err != nil {
			return internal(action, err)
		}
		clock.restart() // the read above is the hook's, no phase's
	}
	if err := cancelled.Err(); err != nil {
		return internal(action, err) // rolled back, as a sql.Tx's Commit in a cancelled context
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return internal(action, err)
	}
	committed = true
	if lazy {
		db.lazy.Add(1)
	}
	if clock.mark(&clock.p.Commit) {
		done.Committed, done.Phases = true, clock.p
	}
	if !tx.hlc.IsZero() {
		tx.db.changed() // the sync loop pushes it (DB.Queued)
	}
	return tx.deferred
}

// closeStmts closes the statements prepared in the transaction (stmt):
// prepared on the connection, they would outlive it otherwise.
func (tx *Tx) closeStmts() {
	for q, st := range tx.stmts {
		_ = st.Close()
		delete(tx.stmts, q)
	}
}

// rollback ends the transaction inTx began on conn without committing it.
// SQLite may have rolled it back already (an I/O error, a full disk): then
// there is nothing to end. A connection left in a transaction it cannot
// end is dropped from the pool, never handed to the next write.
func rollback(ctx context.Context, conn *sql.Conn) {
	if !inTransaction(conn) {
		return
	}
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); err != nil || inTransaction(conn) {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// inTransaction tells whether conn is inside a transaction.
func inTransaction(conn *sql.Conn) bool {
	in := true
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			in = !c.AutoCommit()
		}
		return nil
	})
	return in
}

// txDone is what one write transaction did (DB.onTx, for tests and
// benchmarks): its action; how long it waited for the writer connection
// (the database's write lock) and how long it held it, its COMMIT and
// fsync included; whether it committed, and if so how long its phases
// took; and, when the hook asked for it (DB.onTxSyncLevel), its
// connection's PRAGMA synchronous as it went to commit (1 NORMAL, 2 FULL;
// 0 when it did not get that far).
type txDone struct {
	Action     string
	Wait, Held time.Duration
	Committed  bool
	Phases     txPhases
	SyncLevel  int
}

// txPhases is how long a write transaction's phases took (txDone):
// Begin, taking the writer connection and BEGIN IMMEDIATE (the write
// lock); Work, the session check, the outbox's clock reading and the
// method's own statements with their triggers (outbox rows, summaries,
// seal calls); Audit, the touched records' seals, the audit row and the
// chain's head; Commit, COMMIT: the dirty pages written to the WAL and
// the WAL synced to the disk.
type txPhases struct{ Begin, Work, Audit, Commit time.Duration }

// phaseClock measures txPhases when started; marks are no-ops otherwise.
type phaseClock struct {
	on   bool
	last time.Time
	p    txPhases
}

func (c *phaseClock) start() { c.on, c.last = true, time.Now() }

// restart leaves the time since the last mark out of every phase.
func (c *phaseClock) restart() {
	if c.on {
		c.last = time.Now()
	}
}

// mark sets *d to the time since the previous mark, and reports whether
// the clock runs.
func (c *phaseClock) mark(d *time.Duration) bool {
	if !c.on {
		return false
	}
	now := time.Now()
	*d, c.last = now.Sub(c.last), now
	return true
}

// checkSession compares the caller's session with their account's row as
// it is now (app.CheckSession), by one read of the row by its key: every
// write (inTx) and every read's permission check (authorizeRead) makes it,
// so a session ends at the first call after its account changed.
func checkSession(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, c app.Caller) error {
	_, err := sessionOf(ctx, q, c)
	return err
}

// sessionOf is checkSession that also returns the caller's full name from
// the same read of their row, which a write transaction keeps for what the
// caller signs (callerName); "" for no caller.
func sessionOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, c app.Caller) (string, error) {
	if c.UserID == "" {
		return "", nil
	}
	now := app.AccountNow{Exists: true}
	var name string
	err := q.QueryRowContext(ctx, `SELECT role, status, session_gen, full_name FROM users WHERE id = ? AND deleted_at IS NULL`,
		c.UserID).Scan(&now.Role, &now.Status, &now.SessionGen, &name)
	if errors.Is(err, sql.ErrNoRows) {
		now.Exists = false
	} else if err != nil {
		return "", internal("session", err)
	}
	return name, app.CheckSession(c, now)
}

// Handled marks an error a write transaction's fn returns that its caller
// deals with (a pull applies a batch whole and, when one change is refused,
// applies it again one by one and keeps the refused change for review): the
// transaction rolls back and returns err as it is, without logging it as an
// internal error, which would tell an administrator reading the log of a
// fault that did not happen. SQLite failing (fault) is logged all the same.
func Handled(err error) error {
	if err == nil {
		return nil
	}
	return handledError{err}
}

// fault reports whether err is SQLite failing for a reason other than a
// constraint (a disk that is full or failing, a damaged file, a statement
// the program got wrong): a fault of the program or the machine, to log as
// an internal error even where its caller deals with the error (Handled),
// unlike a row the database's constraints or triggers refuse.
func fault(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code != sqlite3.ErrConstraint
}

type handledError struct{ err error }

func (h handledError) Error() string { return h.err.Error() }
func (h handledError) Unwrap() error { return h.err }

// internal maps an unexpected error to EINTERNAL once, logging the detail
// that must not reach a user's screen.
func internal(action string, err error) error {
	if sqliteCode(err) == 5 /* SQLITE_BUSY */ || strings.Contains(err.Error(), "database is locked") {
		slog.Warn("database busy", "action", action, "err", err)
		return app.Errorf(app.ECONFLICT, "The database is busy with other work; try again in a moment.")
	}
	if errors.Is(err, context.Canceled) {
		// Stopped on purpose (the app closing, a sync cancelled): no fault.
		slog.Info("cancelled", "action", action)
		return fmt.Errorf("%s: %w", action, err)
	}
	slog.Error("internal error", "action", action, "err", err)
	return fmt.Errorf("%s: %w", action, err)
}

// denyRead checks in read methods that run outside a write transaction: the
// denial is written to the audit log all the same.
func (db *DB) denyRead(ctx context.Context, action, entity, entityID, patientID string, p app.Permission) error {
	caller, _ := app.CallerFromContext(ctx)
	return db.authorizeRead(ctx, action, entity, entityID, patientID, app.RequireAny(caller, p))
}

// authorizeRead is authorize for read methods that run outside a write
// transaction: a denial is written to the audit log all the same.
func (db *DB) authorizeRead(ctx context.Context, action, entity, entityID, patientID string, err error) error {
	caller, _ := app.CallerFromContext(ctx)
	if serr := checkSession(ctx, db.r, caller); serr != nil {
		return serr
	}
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code != app.EUNAUTHORIZED {
		return err
	}
	return db.refuse(ctx, action, entity, entityID, patientID, ae.Message, ae)
}

// auditOpen writes the audit row of a read method that opened one record
// of a patient's outside a write transaction (an invoice, a payment, a
// statement), when app.AuditsOpening says it is another person's. The read
// fails when its audit row cannot be written: no record is shown unaudited.
func (db *DB) auditOpen(ctx context.Context, action, entity, entityID, patientID, detail string) error {
	caller, _ := app.CallerFromContext(ctx)
	if !app.AuditsOpening(caller, patientID) {
		return nil
	}
	return db.inTx(ctx, caller, action, func(tx *Tx) error {
		tx.Audit(action, entity, entityID, patientID, detail)
		return nil
	})
}

// auditDenial writes the audit row of a call refused to the caller for
// lack of what missing names, and returns the EUNAUTHORIZED error.
func (db *DB) auditDenial(ctx context.Context, action, entity, entityID, patientID, missing string) error {
	return db.refuse(ctx, action, entity, entityID, patientID, "requires "+missing, app.ErrUnauthorized())
}

// refuse writes the audit row of a call refused to the caller, in a
// transaction of its own (the call's own was rolled back, or never began),
// and returns why, the EUNAUTHORIZED error.
func (db *DB) refuse(ctx context.Context, action, entity, entityID, patientID, detail string, why error) error {
	caller, _ := app.CallerFromContext(ctx)
	derr := db.inTx(ctx, caller, action, func(tx *Tx) error {
		tx.audits = append(tx.audits, auditEvent{action: action, entity: entity, entityID: entityID,
			patientID: patientID, outcome: app.OutcomeDenied, detail: detail})
		return nil
	})
	if derr != nil {
		slog.Error("audit of a denied call", "action", action, "err", derr)
	}
	return why
}

// unsyncedKey marks a context whose write transaction commits without a
// sync of its own (unsyncedCommit).
type unsyncedKey struct{}

// unsyncedCommit has the write transaction run with ctx commit without
// syncing the disk itself (PRAGMA synchronous = NORMAL for that commit
// only): its pages are in the WAL, so it survives the desk's process
// ending at any moment, and they reach the disk with the next commit that
// syncs (every other write: the WAL is synced whole), a checkpoint, or
// SyncLog, whichever comes first. Only a power loss or an operating
// system crash before then loses it, and then atomically: all of the
// transaction or none, the audit chain's head with its rows. A successful
// login uses it (docs/AUDIT.md, "A login's row").
func unsyncedCommit(ctx context.Context) context.Context {
	return context.WithValue(ctx, unsyncedKey{}, true)
}

func isUnsyncedCommit(ctx context.Context) bool {
	b, _ := ctx.Value(unsyncedKey{}).(bool)
	return b
}

// Unsynced reports whether a commit made without a sync of its own
// (unsyncedCommit) may not be on the disk yet: one was made since the
// start of the last successful SyncLog.
func (db *DB) Unsynced() bool { return db.lazy.Load() > db.synced.Load() }

// SyncLog puts every commit made so far on the disk, those made without
// a sync of their own (unsyncedCommit) included, by syncing the WAL file.
// The sync loop calls it after reading the audit rows it sends and before
// sending them, so that the server never holds a row this desk could
// still lose: a row it read is committed, so its frames are in the WAL
// file the sync covers.
//
// Only a successful sync marks the commits it covers as on the disk (the
// ones counted before the file was opened: a commit counted later may
// have written its frames after the sync), so Unsynced never says a
// commit is on the disk while it may not be: not during the sync, not
// after a failed one.
func (db *DB) SyncLog() error {
	covered := db.lazy.Load()
	f, err := os.OpenFile(db.path+"-wal", os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		// Checkpointed into the database file, which syncs it (the
		// frames of a commit counted before are in the database file).
		db.markSynced(covered)
		return nil
	} else if err != nil {
		return fmt.Errorf("syncing the log: %w", err)
	}
	if db.syncWAL != nil {
		err = db.syncWAL(f)
	} else {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncing the log: %w", err)
	}
	db.markSynced(covered)
	return nil
}

// markSynced notes that the first n unsynced commits are on the disk
// (never moving the count back: two SyncLogs may end out of order).
func (db *DB) markSynced(n uint64) {
	for {
		old := db.synced.Load()
		if n <= old || db.synced.CompareAndSwap(old, n) {
			return
		}
	}
}
