package sync

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	stdsync "sync"
	"time"

	"github.com/google/uuid"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
)

// Engine is a desk's side of syncing with its clinic's server: it enrolls
// the desk, pushes the outbox, pulls and applies the other desks'
// changes, and keeps the desk in sync in the background (RunSync). With
// the review of conflicts of package data, which it embeds, it implements
// app.SyncService.
//
// An open database has one Engine: its rounds run one at a time.
type Engine struct {
	*data.ConflictService // ListConflicts, ResolveConflict

	db         *data.DB
	r          *sql.DB // the database's readers
	siteID     string
	appVersion string
	sendLease  time.Duration // the send lease's length (messages.go)

	round stdsync.Mutex // one SyncNow at a time, from the loop or a person
	// versionSent: the server has this run's version (under round).
	versionSent bool
	tables      tableCache // the synced tables' columns, for applying pulled rows (pull.go)
	// claims: one overpayment's claim and settlement at a time, and no
	// claim given up while one is under way (billing.go).
	claims stdsync.Mutex
	// afterClaim, when set (tests only, export_test.go), runs between an
	// overpayment's claim on the server and the writing of its settlement.
	afterClaim func()
}

var _ app.SyncService = (*Engine)(nil)

// Options tune an Engine.
type Options struct {
	// AppVersion is the program's version, as the desk reports it to the
	// server.
	AppVersion string
	// SendLease is how long the clinic's send lease for messages lasts
	// from each renewal (messages.go); zero is DefaultSendLease.
	SendLease time.Duration
}

// New returns the sync engine of the desk whose database is db.
func New(db *data.DB, opt Options) *Engine {
	return &Engine{ConflictService: db.Conflicts(), db: db, r: db.ReadDB(), siteID: db.SiteID(),
		appVersion: opt.AppVersion, sendLease: cmp.Or(opt.SendLease, DefaultSendLease)}
}

// txn is a write transaction of the desk's database, as the engine uses
// it: the statements it runs many times are prepared once.
type txn struct {
	*data.Tx
	ctx context.Context
}

func wrap(tx *data.Tx) *txn { return &txn{Tx: tx, ctx: tx.Context()} }

// exec is ExecContext with a statement prepared once per transaction.
func (tx *txn) exec(q string, args ...any) (sql.Result, error) {
	st, err := tx.Prepared(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

// queryRow is QueryRowContext with a statement prepared once per
// transaction; a failure to prepare comes back from Scan.
func (tx *txn) queryRow(q string, args ...any) *sql.Row {
	st, err := tx.Prepared(q)
	if err != nil {
		return tx.QueryRowContext(tx.ctx, q, args...) // reports the same error
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// query is QueryContext with a statement prepared once per transaction.
func (tx *txn) query(q string, args ...any) (*sql.Rows, error) {
	st, err := tx.Prepared(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
}

// writeState runs fn in a transaction of the engine's own bookkeeping,
// which writes no audit row and no outbox rows (data.DB.WriteSyncState).
func (e *Engine) writeState(ctx context.Context, action string, fn func(tx *txn) error) error {
	return e.db.WriteSyncState(ctx, action, func(tx *data.Tx) error { return fn(wrap(tx)) })
}

// write runs fn in an audited write transaction as the caller in ctx
// (data.DB.Write).
func (e *Engine) write(ctx context.Context, action string, fn func(tx *txn) error) error {
	return e.db.Write(ctx, action, func(tx *data.Tx) error { return fn(wrap(tx)) })
}

// applyRemote runs fn in the transaction that applies pulled changes, the
// newest stamped newest (data.DB.ApplyRemote).
func (e *Engine) applyRemote(ctx context.Context, newest hlc.Timestamp, fn func(tx *txn) error) error {
	return e.db.ApplyRemote(ctx, newest, func(tx *data.Tx) error { return fn(wrap(tx)) })
}

// internal maps an unexpected error to EINTERNAL once, as data's services
// do.
func internal(action string, err error) error { return data.Internal(action, err) }

func formatTime(t time.Time) string { return t.UTC().Format(data.TimeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(data.TimeLayout, s)
	return t
}

// newID is a new UUIDv7, for the conflicts the engine keeps.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		panic(fmt.Sprintf("uuid: %v", err)) // only fails when the system's randomness does
	}
	return id.String()
}
