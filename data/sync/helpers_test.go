package sync_test

import (
	"context"
	"database/sql"
	stdsync "sync"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
)

// The fixtures are package datatest's, which package data's tests share;
// these are their names here.

// cheapHash keeps tests fast; the code path is the production one.
var cheapHash = datatest.CheapHash

// fakeClock is a clock tests move by hand.
type fakeClock = datatest.FakeClock

func newFakeClock() *fakeClock { return datatest.NewFakeClock() }

// MustOpenDB opens a new database in a temporary folder.
func MustOpenDB(tb testing.TB, clock *fakeClock) *data.DB { return datatest.MustOpenDB(tb, clock) }

// rawDB opens a second, plain connection to the file, as a tamperer would.
func rawDB(tb testing.TB, db *data.DB) *sql.DB { return datatest.RawDB(tb, db) }

const adminPassword = datatest.AdminPassword

var anon = context.Background()

func as(c app.Caller) context.Context { return datatest.As(c) }

func callerOf(u *app.User) app.Caller { return datatest.CallerOf(u) }

func code(err error) string { return app.ErrorCode(err) }

func outboxCount(t *testing.T, db *data.DB) int { return datatest.OutboxCount(t, db) }

// engines are the sync engines of the tests' databases: one each, as main
// makes one, since an engine runs its rounds one at a time.
var engines stdsync.Map

// engine is the sync engine of db.
func engine(db *data.DB) *sync.Engine {
	if e, ok := engines.Load(db); ok {
		return e.(*sync.Engine)
	}
	e, _ := engines.LoadOrStore(db, sync.New(db, sync.Options{AppVersion: "test"}))
	return e.(*sync.Engine)
}

// services are db's services as main wires them: data's, and the sync
// engine's.
func services(db *data.DB) app.Services {
	svc := db.Services()
	e := engine(db)
	svc.Sync = e
	svc.Billing = e.Billing(svc.Billing)
	svc.Messages = e.Messages(svc.Messages)
	return svc
}

// clinic is a set-up database with one account of every role
// (datatest.MustSetup), whose services sync.
type clinic struct {
	db       *data.DB
	svc      app.Services
	clock    *fakeClock
	users    map[app.Role]*app.User
	patient2 *app.User // another patient
	pending  *app.User // a staff registration waiting for approval
	shared   *datatest.Clinic
}

func (c *clinic) ctx(r app.Role) context.Context { return as(callerOf(c.users[r])) }

func mustSetup(tb testing.TB) *clinic {
	tb.Helper()
	s := datatest.MustSetup(tb)
	s.Services = services(s.DB)
	return &clinic{db: s.DB, svc: s.Services, clock: s.Clock, users: s.Users, patient2: s.Patient2, pending: s.Pending,
		shared: s}
}

// writeInTx runs fn inside the write helper's transaction as the caller
// in ctx, with an audit row, as a service method would: tests use it to
// change rows.
func writeInTx(db *data.DB, ctx context.Context, fn func(tx *data.Tx) error) error {
	return db.Write(ctx, "test.write", func(tx *data.Tx) error {
		tx.Audit("test.write", "", "", "", "")
		return fn(tx)
	})
}

// syncOrder lists the synced tables, parents first; syncKey is a synced
// table's key columns and syncLocalColumns its columns that are each
// desk's own (data/synctables.go).
func syncOrder() []string {
	var names []string
	for _, t := range data.SyncedTables() {
		names = append(names, t.Name)
	}
	return names
}

func syncKey(entity string) []string {
	t, _ := data.FindSyncedTable(entity)
	return t.KeyColumns()
}

func syncLocalColumns(entity string) []string {
	t, _ := data.FindSyncedTable(entity)
	return t.Local
}
