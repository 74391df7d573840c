package data_test

import (
	"context"
	"database/sql"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

// The fixtures are package datatest's, which the sync engine's tests
// share; these are their names here.

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

// clinic is a set-up database with one account of every role
// (datatest.MustSetup).
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
	return &clinic{db: s.DB, svc: s.Services, clock: s.Clock, users: s.Users, patient2: s.Patient2, pending: s.Pending,
		shared: s}
}

// mustSetupCopy is mustSetup as a copy of one clinic set up once per test
// binary (datatest.MustSetupCopy): for the many tests that each use one
// clinic alone.
func mustSetupCopy(tb testing.TB) *clinic {
	tb.Helper()
	s := datatest.MustSetupCopy(tb)
	return &clinic{db: s.DB, svc: s.Services, clock: s.Clock, users: s.Users, patient2: s.Patient2, pending: s.Pending,
		shared: s}
}

func code(err error) string { return app.ErrorCode(err) }

func openPlain(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// queryPlan returns the steps of EXPLAIN QUERY PLAN for query on db's
// readers, failing the test when SQLite refuses the query.
func queryPlan(tb testing.TB, db *data.DB, query string, args ...any) []string {
	tb.Helper()
	rows, err := db.ReadDB().Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return plan
}
