package sync_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// newSyncServer returns the URL of a fresh, initialized sync server.
func newSyncServer(t testing.TB) string {
	t.Helper()
	u := servertest.NewDatabase(t)
	if _, err := sync.InitServer(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

var system = as(app.SystemCaller("test"))

// deskLogins holds the server login each test desk enrolled with, by
// the desk's file (a server restored from a copy knows the same logins): a desk enrolls with a login of its own (hms server
// add-desk), made here on its first enrollment.
var deskLogins stdsync.Map

// deskLoginSeq numbers the logins.
var deskLoginSeq atomic.Int64

// deskURL is u as db's own login on that server (a password in u stays).
// A fragment in u names one of several desks a test plays without a
// database (db nil).
func deskURL(t testing.TB, db *data.DB, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	admin := *parsed
	admin.User = url.User("postgres")
	key := "#" + parsed.Fragment
	if db != nil {
		key = db.Path() + key
	}
	parsed.Fragment = ""
	admin.Fragment = ""
	name, ok := deskLogins.Load(key)
	if !ok {
		n := fmt.Sprintf("%sdesk%d", servertest.LoginPrefix(t, u), deskLoginSeq.Add(1))
		if _, err := sync.AddDesk(context.Background(), admin.String(), n); err != nil {
			t.Fatal(err)
		}
		name, _ = deskLogins.LoadOrStore(key, n)
	}
	if pw, has := parsed.User.Password(); has {
		parsed.User = url.UserPassword(name.(string), pw)
	} else {
		parsed.User = url.User(name.(string))
	}
	return parsed.String()
}

// deskLogin is the name of db's login on the test server.
func deskLogin(t testing.TB, db *data.DB, u string) string {
	t.Helper()
	parsed, err := url.Parse(deskURL(t, db, u))
	if err != nil {
		t.Fatal(err)
	}
	return parsed.User.Username()
}

func mustEnroll(t testing.TB, db *data.DB, u string) *app.SyncStatus {
	t.Helper()
	st, err := engine(db).EnrollDesk(system, deskURL(t, db, u))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func mustPush(t testing.TB, db *data.DB) *app.SyncReport {
	t.Helper()
	rep, err := engine(db).PushOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func newPatient(t testing.TB, svc app.Services, name string) *app.Patient {
	return datatest.NewPatient(t, svc, name)
}

func TestEnrollDesk(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	first, second := mustSetup(t), mustSetup(t)
	before := newPatient(t, second.svc, "Before")

	if _, err := second.svc.Sync.EnrollDesk(second.ctx(app.RoleReception), u); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a receptionist enrolled the desk: %v", err)
	}
	if st := mustEnroll(t, first.db, u); st.DeskCode != "D1" || !st.Enrolled {
		t.Fatalf("first desk %+v", st)
	}
	st := mustEnroll(t, second.db, strings.Replace(u, "postgres://postgres@", "postgres://postgres:not-stored@", 1))
	if st.DeskCode != "D2" || st.Server == "" || strings.Contains(st.Server, "not-stored") {
		t.Fatalf("second desk %+v", st)
	}
	var stored string
	rawDB(t, second.db).QueryRow(`SELECT server_url FROM sync_meta`).Scan(&stored)
	if strings.Contains(stored, "not-stored") || stored == "" {
		t.Fatalf("stored server address %q", stored)
	}

	// From now on the desk numbers with its code; what it numbered before
	// keeps its number.
	after := newPatient(t, second.svc, "After")
	if !strings.HasPrefix(before.MRN, "P-D1-") || after.MRN != "P-D2-000001" {
		t.Fatalf("MRNs %s before enrolling, %s after", before.MRN, after.MRN)
	}
	if p, err := second.svc.Patients.FindPatientByID(system, before.ID); err != nil || p.MRN != before.MRN {
		t.Fatalf("the earlier patient: %+v, %v", p, err)
	}

	// Enrolling again is safe and keeps the code; so does reopening.
	if again := mustEnroll(t, second.db, u); again.DeskCode != "D2" {
		t.Fatalf("enrolled again as %s", again.DeskCode)
	}
	path := second.db.Path()
	second.db.Close()
	reopened, err := data.Open(path, data.Options{HashParams: cheapHash, Now: second.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if p := newPatient(t, services(reopened), "Reopened"); p.MRN != "P-D2-000002" {
		t.Fatalf("after reopening: %s", p.MRN)
	}
}

func TestEnrollRefusals(t *testing.T) {
	t.Parallel()
	t.Run("NewerServer", func(t *testing.T) {
		u := newSyncServer(t)
		servertest.Exec(t, u, `UPDATE sync.meta SET schema_version = $1, min_client_schema = $1`, server.SchemaVersion()+1)
		db := MustOpenDB(t, nil)
		_, err := engine(db).EnrollDesk(system, u)
		if code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "newer version") {
			t.Fatalf("enrolling with a newer server: %v", err)
		}
		if st, _ := engine(db).SyncStatus(context.Background()); st.Enrolled {
			t.Fatal("enrolled anyway")
		}
	})
	t.Run("NotInitialized", func(t *testing.T) {
		_, err := engine(MustOpenDB(t, nil)).EnrollDesk(system, servertest.NewDatabase(t))
		if !strings.Contains(app.ErrorMessage(err), "hms server init") {
			t.Fatalf("enrolling with a bare database: %v", err)
		}
	})
	t.Run("NoDatabase", func(t *testing.T) {
		u := newSyncServer(t)
		i := strings.LastIndex(u, "/")
		_, err := engine(MustOpenDB(t, nil)).EnrollDesk(system, u[:i]+"/hms_no_such_database?sslmode=disable")
		if !strings.Contains(app.ErrorMessage(err), "no such database") {
			t.Fatalf("enrolling with a missing database: %v", err)
		}
	})
	t.Run("AnotherServer", func(t *testing.T) {
		db := MustOpenDB(t, nil)
		mustEnroll(t, db, newSyncServer(t))
		if _, err := engine(db).EnrollDesk(system, newSyncServer(t)); code(err) != app.ECONFLICT {
			t.Fatalf("enrolling with a second server: %v", err)
		}
	})
}

// serverRow reads a row the server keeps.
func serverRow(t testing.TB, u, entity, id string) map[string]any {
	t.Helper()
	var m map[string]any
	servertest.QueryRow(t, u, `SELECT data FROM sync.rows WHERE entity = $1 AND row_id = $2`, []any{entity, id}, &m)
	return m
}

func TestPushOnce(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	if _, err := engine(c.db).PushOnce(context.Background()); code(err) != app.ECONFLICT {
		t.Fatalf("push before enrolling: %v", err)
	}
	mustEnroll(t, c.db, u)
	p := newPatient(t, c.svc, "Pushed")
	pending := outboxCount(t, c.db)

	rep := mustPush(t, c.db)
	if rep.Pushed != pending || rep.Applied != pending || rep.Rejected+rep.Conflicts+rep.Quarantined != 0 {
		t.Fatalf("report %+v for %d pending", rep, pending)
	}
	if n := outboxCount(t, c.db); n != 0 {
		t.Fatalf("%d operations left", n)
	}
	if row := serverRow(t, u, "patients", p.ID); row["mrn"] != p.MRN || row["given_name"] != "Pushed" {
		t.Fatalf("server row %v", row)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE row_id = $1`, p.ID); n != 1 {
		t.Fatalf("%d change_log rows for the patient", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT last_op_seq FROM sync.sites WHERE site_id = $1`, c.db.SiteID()); n == 0 {
		t.Fatal("the server did not keep the desk's last seq")
	}
	st, err := c.svc.Sync.SyncStatus(context.Background())
	if err != nil || st.Pending != 0 || st.LastError != "" || st.Conflicts != 0 {
		t.Fatalf("status %+v, %v", st, err)
	}
	// Nothing to push: a no-op.
	if rep := mustPush(t, c.db); rep.Pushed != 0 {
		t.Fatalf("second push %+v", rep)
	}
}

// TestPushLostReply: the server applied a batch but the reply was lost;
// the desk pushes the same operations again and they apply once.
func TestPushLostReply(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	mustEnroll(t, c.db, u)
	ops, err := c.db.PendingOps(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := server.Dial(context.Background(), deskURL(t, c.db, u))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close(context.Background())
	if _, err := cl.Push(context.Background(), c.db.SiteID(), ops); err != nil { // the reply is dropped
		t.Fatal(err)
	}
	logged := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log`)

	rep := mustPush(t, c.db) // and again, the same operations: a duplicate delivery
	if rep.Pushed != len(ops) || rep.Applied != len(ops) {
		t.Fatalf("report %+v for %d operations", rep, len(ops))
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log`); n != logged {
		t.Fatalf("change_log grew from %d to %d: applied twice", logged, n)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops`); n != int64(len(ops)) {
		t.Fatalf("%d applied_ops rows for %d operations", n, len(ops))
	}
	if n := outboxCount(t, c.db); n != 0 {
		t.Fatalf("%d operations left", n)
	}
}

// TestPushFailureLosesNothing: a server that is down, or refuses the user,
// gives a clear error; the operations stay queued with the error, and the
// next push after the fix sends them.
func TestPushFailureLosesNothing(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	mustEnroll(t, c.db, u)
	pending := outboxCount(t, c.db)
	raw := rawDB(t, c.db)
	for _, tc := range []struct{ name, url, want string }{
		{"Down", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "cannot be reached"},
		{"WrongUser", strings.Replace(u, "postgres://postgres@", "postgres://no_such_desk_hms@", 1), "refused the user name or password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := raw.Exec(`UPDATE sync_meta SET server_url = ?`, tc.url); err != nil {
				t.Fatal(err)
			}
			_, err := engine(c.db).PushOnce(context.Background())
			if msg := app.ErrorMessage(err); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "stay queued") {
				t.Fatalf("push: %v", err)
			}
			if n := outboxCount(t, c.db); n != pending {
				t.Fatalf("%d operations queued, want %d", n, pending)
			}
			st, err := engine(c.db).SyncStatus(context.Background())
			if err != nil || !strings.Contains(st.LastError, tc.want) || st.Pending != pending {
				t.Fatalf("status %+v, %v", st, err)
			}
		})
	}
	var attempts int
	raw.QueryRow(`SELECT attempts FROM outbox ORDER BY seq LIMIT 1`).Scan(&attempts)
	if attempts != 2 {
		t.Fatalf("attempts %d, want 2", attempts)
	}
	if _, err := raw.Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, c.db, u)); err != nil {
		t.Fatal(err)
	}
	if rep := mustPush(t, c.db); rep.Applied != pending || outboxCount(t, c.db) != 0 {
		t.Fatalf("after the fix: %+v", rep)
	}
}

// TestPushServerReplaced: a server with another epoch than the desk
// enrolled with (replaced, or made anew) gets nothing.
func TestPushServerReplaced(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	mustEnroll(t, c.db, u)
	pending := outboxCount(t, c.db)
	servertest.Exec(t, u, `UPDATE sync.meta SET epoch = gen_random_uuid()`)
	_, err := engine(c.db).PushOnce(context.Background())
	if code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "replaced") {
		t.Fatalf("push to a replaced server: %v", err)
	}
	if n := outboxCount(t, c.db); n != pending {
		t.Fatalf("%d queued, want %d", n, pending)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops`); n != 0 {
		t.Fatalf("%d operations applied", n)
	}
}

// A desk whose clock runs ten minutes fast from the start stamps its
// changes from the future, which the server would hold in quarantine
// (more than five minutes ahead of its time). The handshake finds it: the
// changes get the server's time, the server applies them, and the desk's
// audit log says so.
func TestPushClockAheadRedated(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	clock := newFakeClock()
	clock.Add(time.Since(clock.Now()) + 10*time.Minute) // now, plus ten minutes
	db := MustOpenDB(t, clock)
	p := newPatient(t, services(db), "Future")
	pending := outboxCount(t, db)
	st := mustEnroll(t, db, u)
	if st.ClockOffset > -9*time.Minute {
		t.Fatalf("clock offset %s, want about -10m", st.ClockOffset)
	}
	rep := mustPush(t, db)
	if rep.Quarantined != 0 || rep.Applied != pending {
		t.Fatalf("report %+v for %d pending", rep, pending)
	}
	if n := outboxCount(t, db); n != 0 {
		t.Fatalf("%d queued, want none", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.quarantine`); n != 0 {
		t.Fatalf("%d quarantined operations", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE entity = 'patients' AND row_id = $1`, p.ID); n != 1 {
		t.Fatal("the patient did not reach the server")
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'sync.clock'`); n != 1 {
		t.Fatalf("%d audit rows of the clock incident", n)
	}
}

// copyRow gives desk to a row of desk from, as a pull would.
func copyRow(t testing.TB, from, to *data.DB, table, id string) {
	t.Helper()
	rows, err := rawDB(t, from).Query(`SELECT * FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("no %s %s", table, id)
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	err = to.ApplyRemote(context.Background(), hlc.Timestamp{}, func(tx *data.Tx) error {
		_, err := tx.Exec(`INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (?`+
			strings.Repeat(", ?", len(cols)-1)+`)`, vals...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPushMergesPerField: two desks edit one patient. The fields only one
// of them changed both survive; the field both changed keeps the later
// edit, and the desk whose edit lost finds it in its conflicts.
func TestPushMergesPerField(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c1, c2 := newFakeClock(), newFakeClock()
	d1, d2 := MustOpenDB(t, c1), MustOpenDB(t, c2)
	mustEnroll(t, d1, u)
	mustEnroll(t, d2, u)
	p := newPatient(t, services(d1), "Shared")
	mustPush(t, d1)
	copyRow(t, d1, d2, "patients", p.ID)

	str := func(s string) *string { return &s }
	if _, err := services(d1).Patients.UpdatePatient(system, p.ID, app.PatientUpdate{
		Phone: str("+30 210 555 0001"), Email: str("one@example.org")}); err != nil {
		t.Fatal(err)
	}
	c2.Add(time.Minute) // desk 2 edits later
	if _, err := services(d2).Patients.UpdatePatient(system, p.ID, app.PatientUpdate{
		Phone: str("+30 210 555 0002"), Address: str("2 Later Street")}); err != nil {
		t.Fatal(err)
	}
	mustPush(t, d2)
	rep := mustPush(t, d1) // the older edit arrives last
	if rep.Conflicts != 1 {
		t.Fatalf("report %+v", rep)
	}
	row := serverRow(t, u, "patients", p.ID)
	if row["phone"] != "+30 210 555 0002" || row["email"] != "one@example.org" || row["address"] != "2 Later Street" {
		t.Fatalf("merged row %v", row)
	}
	var field, lost, won, wonSite string
	if err := rawDB(t, d1).QueryRow(`SELECT field, lost_value, won_value, won_site FROM conflicts
		WHERE entity = 'patients' AND row_id = ? AND resolved_at IS NULL`, p.ID).Scan(&field, &lost, &won, &wonSite); err != nil {
		t.Fatal(err)
	}
	if field != "phone" || lost != `"+30 210 555 0001"` || won != `"+30 210 555 0002"` || wonSite != d2.SiteID() {
		t.Fatalf("conflict %s: lost %s, won %s from %s", field, lost, won, wonSite)
	}
	if st, _ := engine(d1).SyncStatus(context.Background()); st.Conflicts != 1 || st.Pending != 0 {
		t.Fatalf("status %+v", st)
	}
}

// queued counts the desk's outbox.
func queued(tb testing.TB, db *data.DB) int {
	tb.Helper()
	var n int
	if err := rawDB(tb, db).QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkSyncPush measures a desk's push to the server: ops/s, from the
// outbox to the server's rows and back to an empty outbox.
func BenchmarkSyncPush(b *testing.B) {
	u := newSyncServer(b)
	db := MustOpenDB(b, nil)
	mustEnroll(b, db, u)
	ctx := context.Background()
	const perRound = 5000
	var total int
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		// A realistic mix: new rows and edits of them, as the write helper
		// queues them.
		err := writeInTx(db, system, func(tx *data.Tx) error {
			for i := 0; i < perRound/2; i++ {
				id := fmt.Sprintf("bench.%d.%d", total, i)
				if _, err := tx.Exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, 'v', '2026-11-26T00:00:00.000Z')`, id); err != nil {
					return err
				}
				if _, err := tx.Exec(`UPDATE settings SET value = 'w' WHERE key = ?`, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		n := queued(b, db)
		b.StartTimer()
		start := time.Now()
		rep, err := engine(db).PushOnce(ctx)
		if err != nil || rep.Applied != n {
			b.Fatalf("push: %+v, %v", rep, err)
		}
		elapsed += time.Since(start)
		total += n
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "ops/s")
}

// TestPushTwiceAtOnce: two pushes of one desk at the same time (the
// command line beside the app) send the same operations; each is applied
// once and acknowledged once.
func TestPushTwiceAtOnce(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	mustEnroll(t, c.db, u)
	pending := outboxCount(t, c.db)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := engine(c.db).PushOnce(context.Background())
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := outboxCount(t, c.db); n != 0 {
		t.Fatalf("%d operations left", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops`); n != int64(pending) {
		t.Fatalf("%d applied_ops rows for %d operations", n, pending)
	}
}

// TestTLSByDefault: an address without sslmode is verify-full, so a server
// without TLS is refused; a weaker mode written out works, with a warning
// in the status; a desk enrolled before, whose stored address named no
// mode, gets the mode it connected with written out (prefer) when it
// updates, and keeps syncing, with the warning.
func TestTLSByDefault(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	c := mustSetup(t)
	bare := strings.Replace(deskURL(t, c.db, u), "?sslmode=disable", "", 1)
	if strings.Contains(bare, "sslmode") {
		t.Fatalf("address %q", bare)
	}
	if _, err := engine(c.db).EnrollDesk(system, bare); err == nil || !strings.Contains(app.ErrorMessage(err), "could not be verified over TLS") {
		t.Fatalf("enrolling without sslmode with a server without TLS: %v", err)
	}
	st := mustEnroll(t, c.db, u)
	if !strings.Contains(st.Server, "sslmode=disable") || !strings.Contains(st.TLSWarning, "not verified") {
		t.Fatalf("enrolled with sslmode=disable: %+v", st)
	}

	// The desk as an older hms left it: the address without a mode, and
	// migration 0023 not applied yet.
	raw := rawDB(t, c.db)
	if _, err := raw.Exec(`UPDATE sync_meta SET server_url = ?`, bare); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = 23`); err != nil {
		t.Fatal(err)
	}
	path := c.db.Path()
	c.db.Close()
	db, err := data.Open(path, data.Options{HashParams: cheapHash, Now: c.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err = engine(db).SyncStatus(context.Background())
	if err != nil || !strings.HasSuffix(st.Server, "?sslmode=prefer") || !strings.Contains(st.TLSWarning, "sslmode=prefer") {
		t.Fatalf("after the update: %+v, %v", st, err)
	}
	newPatient(t, services(db), "AfterUpdate")
	if rep := mustPush(t, db); rep.Applied == 0 {
		t.Fatalf("push after the update: %+v", rep)
	}
}
