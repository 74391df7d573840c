// Package datatest gives the tests of package data and of the packages
// built on it (the sync engine, data/sync) the same fixtures: a database
// in a temporary folder with a clock the test moves, a clinic set up with
// an account of every role, a plain connection to the file as a tamperer
// would open one, and the role matrix's check of one call.
package datatest

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/mattn/go-sqlite3"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// CheapHash keeps tests fast; the code path is the production one.
var CheapHash = app.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// FakeClock is a clock tests move by hand.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock is a clock at 09:00 UTC on 25 November 2026.
func NewFakeClock() *FakeClock {
	return &FakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

// Now is the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *FakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustOpenDB opens a new database in a temporary folder, on clock (a new
// FakeClock when nil), and closes it when the test ends.
func MustOpenDB(tb testing.TB, clock *FakeClock) *data.DB {
	tb.Helper()
	if clock == nil {
		clock = NewFakeClock()
	}
	path := filepath.Join(tb.TempDir(), "hms.db")
	b, err := schemaTemplate()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := data.Open(path, data.Options{HashParams: CheapHash, Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// schema is a new database's file with the schema alone
// (data.NewSchemaFile), made once per test binary: MustOpenDB writes a copy
// for each database and opens it, which gives it its own desk identity,
// audit key and baseline, instead of applying every migration again, each
// committed with its fsync (about a second per database on a busy
// two-core machine, more under -race).
var schema struct {
	once sync.Once
	file []byte
	err  error
}

func schemaTemplate() ([]byte, error) {
	schema.once.Do(func() {
		dir, err := os.MkdirTemp("", "hms-schema-")
		if err != nil {
			schema.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "schema.db")
		if schema.err = data.NewSchemaFile(path); schema.err != nil {
			return
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			schema.err = fmt.Errorf("schema file: its WAL was left beside it")
			return
		}
		schema.file, schema.err = os.ReadFile(path)
	})
	return schema.file, schema.err
}

// TamperDriver is go-sqlite3 as a tamperer who knows HMS would set it up:
// with a do-nothing hms_seal, the function the audited tables' triggers
// call on HMS's own connections, so that edits pass the triggers unsealed,
// and an hms_tx_hlc that returns NULL, the outbox's clock reading outside
// HMS's write helper, so that they write no outbox rows.
const TamperDriver = "sqlite3_tamper"

func init() {
	sql.Register(TamperDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.RegisterFunc("hms_tx_hlc", func() any { return nil }, false); err != nil {
			return err
		}
		return c.RegisterFunc("hms_seal", func(string, string) int64 { return 0 }, false)
	}})
}

// RawDB opens a second, plain connection to the file, as a tamperer would.
func RawDB(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open(TamperDriver, "file:"+db.Path()+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// AdminPassword is the password of a Clinic's administrator.
const AdminPassword = "correct horse battery"

// As is a context whose caller is c.
func As(c app.Caller) context.Context { return app.NewContextWithCaller(context.Background(), c) }

// CallerOf is the caller u is when logged in: with their signing key when
// a test has opened it (Signer), as a login opens an administrator's.
func CallerOf(u *app.User) app.Caller {
	c := app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role, PatientID: u.PatientID, SessionGen: u.SessionGen}
	if k, ok := signers.Load(u.ID); ok {
		c.Signer = k.(*app.SigningKey)
	}
	return c
}

// signers are the signing keys tests have opened, by account id.
var signers sync.Map

// Signer opens the signing key of account u of db with its password, as a
// login does, and has CallerOf(u) carry it from then on.
func Signer(tb testing.TB, db *data.DB, u *app.User, password string) *app.SigningKey {
	tb.Helper()
	var public, sealed string
	if err := db.ReadDB().QueryRow(`SELECT sign_key, sealed_sign_key FROM users WHERE id = ?`, u.ID).Scan(&public, &sealed); err != nil {
		tb.Fatal(err)
	}
	k, err := app.UnsealSigningKey(u.ID, sealed, public, password)
	if err != nil {
		tb.Fatal(err)
	}
	signers.Store(u.ID, k)
	return k
}

// NewPatient registers a patient of given name (family name Sync), as the
// system.
func NewPatient(tb testing.TB, svc app.Services, given string) *app.Patient {
	tb.Helper()
	p, err := svc.Patients.CreatePatient(As(app.SystemCaller("test")), app.PatientCreate{GivenName: given,
		FamilyName: "Sync", Sex: app.SexFemale, BirthDate: "1980-02-03", Phone: "+30 210 555 0100"})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Clinic is a set-up database with one account of every role.
type Clinic struct {
	DB       *data.DB
	Services app.Services
	Clock    *FakeClock
	Users    map[app.Role]*app.User
	Patient2 *app.User // another patient
	Pending  *app.User // a staff registration waiting for approval
}

// Ctx is a context whose caller is the clinic's account of role r.
func (c *Clinic) Ctx(r app.Role) context.Context { return As(CallerOf(c.Users[r])) }

// MustSetup sets up a clinic in a new database: its settings, an
// administrator (admin, AdminPassword), an account of every staff role
// (doctor1, nurse1, …), two patients' accounts (zoe, yannis) and a nurse
// waiting for approval (newnurse).
func MustSetup(tb testing.TB) *Clinic {
	tb.Helper()
	clock := NewFakeClock()
	db := MustOpenDB(tb, clock)
	c := &Clinic{DB: db, Services: db.Services(), Clock: clock, Users: map[app.Role]*app.User{}}
	anon := context.Background()
	admin, err := c.Services.Settings.Setup(anon, app.ClinicSetup{
		Settings:      app.Settings{ClinicName: "Riverside Clinic", Address: "1 River Road", Currency: "EUR", TimeZone: "Europe/Athens"},
		AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: AdminPassword,
	})
	if err != nil {
		tb.Fatal(err)
	}
	c.Users[app.RoleAdmin] = admin
	Signer(tb, db, admin, AdminPassword)
	for _, r := range app.StaffRoles {
		u, err := c.Services.Users.CreateUser(c.Ctx(app.RoleAdmin), app.UserCreate{
			Username: string(r) + "1", FullName: "Staff " + string(r), Role: r, Password: "a long staff password " + string(r)})
		if err != nil {
			tb.Fatal(err)
		}
		c.Users[r] = u
	}
	for i, name := range []string{"zoe", "yannis"} {
		u, err := c.Services.Users.RegisterPatient(anon, app.PatientRegistration{Username: name, GivenName: name,
			FamilyName: "Papadopoulou", Sex: app.SexFemale, BirthDate: "1990-01-0" + string(rune('1'+i)),
			Phone: "+30 210 555 000" + string(rune('1'+i)), Password: "patient password " + name})
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			c.Users[app.RolePatient] = u
		} else {
			c.Patient2 = u
		}
	}
	p, err := c.Services.Users.RegisterStaff(anon, app.StaffRegistration{Username: "newnurse", FullName: "New Nurse",
		Role: app.RoleNurse, Password: "waiting for approval"})
	if err != nil {
		tb.Fatal(err)
	}
	c.Pending = p
	return c
}

// setupFiles are the database and audit key of one clinic set up by
// MustSetup, made once per test binary (MustSetupCopy), with its accounts.
var setupFiles struct {
	once    sync.Once
	db, key []byte
	clinic  *Clinic
	err     error
}

// MustSetupCopy is MustSetup for tests that each use one clinic alone, and
// many of them (the role matrix, a clinic per method and role): a copy of
// one clinic set up once per test binary, opened on a new FakeClock at the
// same time, instead of a clinic set up anew (the accounts, their hashes
// and signing keys: most of a small test's time, several times more
// under -race). Every copy has the same accounts, ids, audit key and desk
// identity, so two copies are never two desks of one clinic, nor two
// clinics that meet: tests of those use MustSetup.
func MustSetupCopy(tb testing.TB) *Clinic {
	tb.Helper()
	setupFiles.once.Do(func() {
		dir, err := os.MkdirTemp("", "hms-setup-")
		if err != nil {
			setupFiles.err = err
			return
		}
		defer os.RemoveAll(dir)
		var c *Clinic
		// MustSetup needs a testing.TB for its fixtures: a throwaway one
		// whose failure is kept as the error of every copy.
		ft := &onceTB{dir: dir}
		func() {
			defer ft.recover()
			c = MustSetup(ft)
		}()
		if ft.err != nil {
			setupFiles.err = ft.err
			return
		}
		path := c.DB.Path()
		ft.cleanup()
		if _, err := os.Stat(path + "-wal"); err == nil {
			setupFiles.err = fmt.Errorf("set-up clinic: its WAL was left beside it")
			return
		}
		if setupFiles.db, setupFiles.err = os.ReadFile(path); setupFiles.err != nil {
			return
		}
		if setupFiles.key, setupFiles.err = os.ReadFile(data.DefaultAuditKeyPath(path)); setupFiles.err != nil {
			return
		}
		setupFiles.clinic = c
	})
	if setupFiles.err != nil {
		tb.Fatal(setupFiles.err)
	}
	clock := NewFakeClock()
	path := filepath.Join(tb.TempDir(), "hms.db")
	if err := os.WriteFile(path, setupFiles.db, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(data.DefaultAuditKeyPath(path), setupFiles.key, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := data.Open(path, data.Options{HashParams: CheapHash, Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	orig := setupFiles.clinic
	c := &Clinic{DB: db, Services: db.Services(), Clock: clock, Users: map[app.Role]*app.User{}}
	for r, u := range orig.Users {
		c.Users[r] = copyUser(u)
	}
	c.Patient2, c.Pending = copyUser(orig.Patient2), copyUser(orig.Pending)
	return c
}

func copyUser(u *app.User) *app.User {
	v := *u
	return &v
}

// onceTB is the testing.TB MustSetupCopy sets its one clinic up with,
// outside any test: a failure stops it with the error kept, and its
// temporary folders live in dir.
type onceTB struct {
	testing.TB // nil: a method not written here is not used by MustSetup
	dir        string
	n          int
	cleanups   []func()
	err        error
}

type onceTBStop struct{}

func (t *onceTB) Helper() {}
func (t *onceTB) TempDir() string {
	t.n++
	d := filepath.Join(t.dir, fmt.Sprint(t.n))
	if err := os.MkdirAll(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}
func (t *onceTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *onceTB) Fatal(args ...any) {
	t.err = fmt.Errorf("set-up clinic: %s", fmt.Sprint(args...))
	panic(onceTBStop{})
}
func (t *onceTB) Fatalf(f string, a ...any) { t.Fatal(fmt.Sprintf(f, a...)) }
func (t *onceTB) recover() {
	if r := recover(); r != nil {
		if _, ok := r.(onceTBStop); !ok {
			panic(r)
		}
		t.cleanup()
	}
}

// cleanup runs the cleanups, last registered first, as testing does.
func (t *onceTB) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}

// OutboxCount is how many operations wait in the desk's outbox.
func OutboxCount(tb testing.TB, db *data.DB) int {
	tb.Helper()
	var n int
	if err := RawDB(tb, db).QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// AuditCount is how many rows the audit log has.
func AuditCount(tb testing.TB, db *data.DB) int {
	tb.Helper()
	var n int
	if err := RawDB(tb, db).QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// Snapshot renders every row of every table but the audit log's, so a test
// can tell that a call changed nothing.
func Snapshot(tb testing.TB, db *data.DB) string {
	tb.Helper()
	raw := RawDB(tb, db)
	rows, err := raw.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('audit_log', 'audit_head') ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := raw.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
		if err != nil {
			rows, err = raw.Query(`SELECT * FROM "` + table + `"`)
			if err != nil {
				tb.Fatal(err)
			}
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		b.WriteString(table + "\n")
		for rows.Next() {
			rows.Scan(ptrs...)
			for _, v := range vals {
				b.WriteString(strings.ReplaceAll(toString(v), "\n", " ") + "|")
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	default:
		return strings.TrimSpace(strings.ReplaceAll(strings.Trim(fmt.Sprint(x), "\x00"), "\t", " "))
	}
}

// CheckCall is the role matrix's check of one service call, made by do as
// the caller of ctx (role; "" for nobody) on clinic c: an allowed call is
// never refused for permission; a denied one returns EUNAUTHORIZED,
// changes no row, and writes one denied audit row.
func CheckCall(t *testing.T, c *Clinic, ctx context.Context, allowed bool, do func(ctx context.Context) error) {
	t.Helper()
	before, snap := AuditCount(t, c.DB), Snapshot(t, c.DB)
	err := do(ctx)
	if allowed {
		if app.ErrorCode(err) == app.EUNAUTHORIZED && !isLoginOutcome(err) {
			t.Fatalf("allowed call refused: %v", err)
		}
		return
	}
	if app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("want EUNAUTHORIZED, got %v", err)
	}
	if Snapshot(t, c.DB) != snap {
		t.Fatal("a denied call changed data")
	}
	if AuditCount(t, c.DB) != before+1 {
		t.Fatalf("want one denied audit row, audit rows %d -> %d", before, AuditCount(t, c.DB))
	}
	var outcome string
	RawDB(t, c.DB).QueryRow(`SELECT outcome FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&outcome)
	if outcome != string(app.OutcomeDenied) {
		t.Fatalf("last audit row outcome %q, want denied", outcome)
	}
}

// isLoginOutcome tells a refused login (locked, pending) from a permission denial.
func isLoginOutcome(err error) bool {
	msg := app.ErrorMessage(err)
	return strings.Contains(msg, "locked") || strings.Contains(msg, "approval") || strings.Contains(msg, "deactivated")
}

// Unlisted are the methods of the service interfaces ifaces, each as
// "Interface.Method", that the role matrix lacks (listed says which it
// has): every method must say which roles may call it.
func Unlisted(ifaces []reflect.Type, listed func(method string) bool) []string {
	var out []string
	for _, iface := range ifaces {
		for i := 0; i < iface.NumMethod(); i++ {
			if name := iface.Name() + "." + iface.Method(i).Name; !listed(name) {
				out = append(out, name)
			}
		}
	}
	return out
}
