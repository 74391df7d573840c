package data

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"hms/app"
	"hms/data/sync/hlc"
)

// Tx is a write transaction. Every change made through it records what it
// did with Audit; the helper appends those audit rows in the same
// transaction, so a change and its audit row exist together or not at all.
// The synced tables' triggers write the change's outbox rows in it too
// (outbox.go).
type Tx struct {
	*sql.Tx
	ctx    context.Context
	db     *DB
	now    time.Time
	caller app.Caller
	action string
	audits []auditEvent
	// hlc stamps the transaction's outbox rows; zero when it writes none.
	hlc hlc.Timestamp
	// deferred is an error the method returns after committing, e.g. a
	// failed login whose failure count must be kept.
	deferred error
	// stmts are statements prepared in the transaction by the cached
	// helpers (exec, queryRow, query), for statements run many times.
	stmts map[string]*sql.Stmt
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

// exec is ExecContext with a statement prepared once per transaction.
func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

// queryRow is QueryRowContext with a statement prepared once per
// transaction; a failure to prepare comes back from Scan.
func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	st, err := tx.stmt(q)
	if err != nil {
		return tx.QueryRowContext(tx.ctx, q, args...) // reports the same error
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// query is QueryContext with a statement prepared once per transaction.
func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
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
	if tx.caller.Role == "" || !app.Can(tx.caller.Role, p) {
		return deny(string(p))
	}
	return nil
}

// RequireLoggedIn checks that there is a caller.
func (tx *Tx) RequireLoggedIn() error {
	if tx.caller.Role == "" {
		return deny("logged in")
	}
	return nil
}

// denial is the EUNAUTHORIZED error with what was missing, for the audit row.
type denial struct {
	err     *app.Error
	missing string
}

func (d *denial) Error() string { return d.err.Error() }
func (d *denial) Unwrap() error { return d.err }

func deny(missing string) error {
	return &denial{err: app.ErrUnauthorized(), missing: missing}
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
		return db.auditDenial(ctx, action, entity, entityID, patientID, d.missing)
	}
	return err
}

// inTx is the one place a write transaction begins and commits.
func (db *DB) inTx(ctx context.Context, caller app.Caller, action string, fn func(tx *Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return internal(action, err)
	}
	tx := &Tx{Tx: sqlTx, ctx: ctx, db: db, now: db.now().UTC(), caller: caller, action: action}
	defer sqlTx.Rollback()
	if err := tx.beginOutbox(); err != nil {
		return internal(action, err)
	}
	if err := fn(tx); err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return err
		}
		return internal(action, err)
	}
	for _, ev := range tx.audits {
		if err := tx.appendAudit(ev); err != nil {
			return internal(action, err)
		}
	}
	if err := tx.endOutbox(); err != nil {
		return internal(action, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return internal(action, err)
	}
	if !tx.hlc.IsZero() {
		tx.db.changed() // the sync loop pushes it (DB.Queued)
	}
	return tx.deferred
}

// internal maps an unexpected error to EINTERNAL once, logging the detail
// that must not reach a user's screen.
func internal(action string, err error) error {
	if sqliteCode(err) == 5 /* SQLITE_BUSY */ || strings.Contains(err.Error(), "database is locked") {
		slog.Warn("database busy", "action", action, "err", err)
		return app.Errorf(app.ECONFLICT, "The database is busy with other work; try again in a moment.")
	}
	slog.Error("internal error", "action", action, "err", err)
	return fmt.Errorf("%s: %w", action, err)
}

// deny checks in read methods that run outside a write transaction: the
// denial is written to the audit log all the same.
func (db *DB) denyRead(ctx context.Context, action, entity, entityID, patientID string, p app.Permission) error {
	caller, _ := app.CallerFromContext(ctx)
	if caller.Role != "" && app.Can(caller.Role, p) {
		return nil
	}
	return db.auditDenial(ctx, action, entity, entityID, patientID, string(p))
}

// auditDenial writes the audit row of a call refused to the caller, in a
// transaction of its own (the call's own was rolled back, or never began),
// and returns the EUNAUTHORIZED error.
func (db *DB) auditDenial(ctx context.Context, action, entity, entityID, patientID, missing string) error {
	caller, _ := app.CallerFromContext(ctx)
	derr := db.inTx(ctx, caller, action, func(tx *Tx) error {
		tx.audits = append(tx.audits, auditEvent{action: action, entity: entity, entityID: entityID,
			patientID: patientID, outcome: app.OutcomeDenied, detail: "requires " + missing})
		return nil
	})
	if derr != nil {
		slog.Error("audit of a denied call", "action", action, "err", derr)
	}
	return app.ErrUnauthorized()
}

// appendAudit adds one row to the audit chain: its hash is the HMAC of the
// previous row's hash and this row's fields.
func (tx *Tx) appendAudit(ev auditEvent) error {
	who := tx.caller
	if ev.who != nil {
		who = *ev.who
	}
	var prevSeq int64
	prevHash := genesisHash
	err := tx.QueryRowContext(tx.ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit head: %w", err)
	}
	row := auditRow{
		Seq: prevSeq + 1, ID: newID(), SiteID: tx.db.siteID, At: formatTime(tx.now),
		UserID: who.UserID, Username: who.Username, Role: string(who.Role),
		Action: ev.action, Entity: ev.entity, EntityID: ev.entityID, PatientID: ev.patientID,
		Outcome: string(ev.outcome), Detail: ev.detail, PrevHash: prevHash,
	}
	row.Hash = row.computeHash(tx.db.key)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO audit_log
		(seq, id, site_id, at, user_id, username, role, action, entity, entity_id, patient_id, outcome, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.Seq, row.ID, row.SiteID, row.At, row.UserID, row.Username, row.Role, row.Action, row.Entity,
		row.EntityID, row.PatientID, row.Outcome, row.Detail, row.PrevHash, row.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, row.Seq, row.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// genesisHash is the previous hash of the first row.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

type auditRow struct {
	Seq                                                              int64
	ID, SiteID, At, UserID, Username, Role, Action, Entity, EntityID string
	PatientID, Outcome, Detail, PrevHash, Hash                       string
}

// computeHash is HMAC-SHA256 over the previous hash and every field, each
// length-prefixed so that no two different rows hash the same.
func (r *auditRow) computeHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.ID, r.SiteID, r.At, r.UserID,
		r.Username, r.Role, r.Action, r.Entity, r.EntityID, r.PatientID, r.Outcome, r.Detail} {
		fmt.Fprintf(m, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
}
