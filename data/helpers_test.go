package data_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// cheapHash keeps tests fast; the code path is the production one.
var cheapHash = app.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustOpenDB opens a new database in a temporary folder.
func MustOpenDB(tb testing.TB, clock *fakeClock) *data.DB {
	tb.Helper()
	if clock == nil {
		clock = newFakeClock()
	}
	db, err := data.Open(filepath.Join(tb.TempDir(), "hms.db"), data.Options{HashParams: cheapHash, Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// rawDB opens a second, plain connection to the file, as a tamperer would.
func rawDB(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

const adminPassword = "correct horse battery"

var anon = context.Background()

func as(c app.Caller) context.Context { return app.NewContextWithCaller(context.Background(), c) }

func callerOf(u *app.User) app.Caller {
	return app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role, PatientID: u.PatientID}
}

// clinic is a set-up database with one account of every role.
type clinic struct {
	db       *data.DB
	svc      app.Services
	clock    *fakeClock
	users    map[app.Role]*app.User
	patient2 *app.User // another patient
	pending  *app.User // a staff registration waiting for approval
}

func (c *clinic) ctx(r app.Role) context.Context { return as(callerOf(c.users[r])) }

func mustSetup(tb testing.TB) *clinic {
	tb.Helper()
	clock := newFakeClock()
	db := MustOpenDB(tb, clock)
	c := &clinic{db: db, svc: db.Services(), clock: clock, users: map[app.Role]*app.User{}}
	admin, err := c.svc.Settings.Setup(anon, app.ClinicSetup{
		Settings:      app.Settings{ClinicName: "Riverside Clinic", Address: "1 River Road", Currency: "EUR", TimeZone: "Europe/Athens"},
		AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: adminPassword,
	})
	if err != nil {
		tb.Fatal(err)
	}
	c.users[app.RoleAdmin] = admin
	for _, r := range app.StaffRoles {
		u, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{
			Username: string(r) + "1", FullName: "Staff " + string(r), Role: r, Password: "a long staff password " + string(r)})
		if err != nil {
			tb.Fatal(err)
		}
		c.users[r] = u
	}
	for i, name := range []string{"zoe", "yannis"} {
		u, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: name, GivenName: name,
			FamilyName: "Papadopoulou", Sex: app.SexFemale, BirthDate: "1990-01-0" + string(rune('1'+i)),
			Phone: "+30 210 555 000" + string(rune('1'+i)), Password: "patient password " + name})
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			c.users[app.RolePatient] = u
		} else {
			c.patient2 = u
		}
	}
	p, err := c.svc.Users.RegisterStaff(anon, app.StaffRegistration{Username: "newnurse", FullName: "New Nurse",
		Role: app.RoleNurse, Password: "waiting for approval"})
	if err != nil {
		tb.Fatal(err)
	}
	c.pending = p
	return c
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
