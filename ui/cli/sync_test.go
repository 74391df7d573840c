package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/ui/cli"
)

// fakeSync is a SyncService that answers what the test sets.
type fakeSync struct {
	status    app.SyncStatus
	report    app.SyncReport
	conflicts []*app.Conflict
	err       error
	urls      []string
	alls      []bool
	callers   []app.Caller
}

var _ app.SyncService = (*fakeSync)(nil)

func (f *fakeSync) note(ctx context.Context) {
	c, _ := app.CallerFromContext(ctx)
	f.callers = append(f.callers, c)
}

func (f *fakeSync) EnrollDesk(ctx context.Context, u string) (*app.SyncStatus, error) {
	f.note(ctx)
	f.urls = append(f.urls, u)
	if f.err != nil {
		return nil, f.err
	}
	st := f.status
	return &st, nil
}

func (f *fakeSync) SyncNow(ctx context.Context) (*app.SyncReport, error) {
	f.note(ctx)
	if f.err != nil {
		return nil, f.err
	}
	r := f.report
	return &r, nil
}

func (f *fakeSync) SyncStatus(ctx context.Context) (*app.SyncStatus, error) {
	f.note(ctx)
	st := f.status
	return &st, f.err
}

func (f *fakeSync) TestServer(ctx context.Context, u string) (*app.ServerCheck, error) {
	f.note(ctx)
	f.urls = append(f.urls, u)
	if f.err != nil {
		return nil, f.err
	}
	return &app.ServerCheck{Server: u}, nil
}

func (f *fakeSync) RunSync(ctx context.Context, report func(*app.SyncStatus)) { f.note(ctx) }

func (f *fakeSync) DeskVersions(ctx context.Context) ([]app.DeskVersion, error) {
	f.note(ctx)
	return nil, nil
}

func (f *fakeSync) ListConflicts(ctx context.Context, all bool) ([]*app.Conflict, error) {
	f.note(ctx)
	f.alls = append(f.alls, all)
	if f.err != nil {
		return nil, f.err
	}
	var out []*app.Conflict
	for _, c := range f.conflicts {
		if all || c.ResolvedAt.IsZero() {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeSync) ResolveConflict(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error) {
	f.note(ctx)
	return nil, app.Errorf(app.EINTERNAL, "not used by the command line")
}

func (f *fakeSync) SettleOverpayment(ctx context.Context, id string, o app.OverpaymentSettlement) (*app.Conflict, error) {
	f.note(ctx)
	return nil, app.Errorf(app.EINTERNAL, "not used by the command line")
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// runSync runs the command line with fs as the database's sync service and
// init as the server initializer.
func runSync(t *testing.T, fs *fakeSync, init func(context.Context, string) (*app.ServerInit, error), args ...string) result {
	t.Helper()
	return runSyncStdin(t, fs, init, "", args...)
}

// runSyncStdin is runSync with stdin as standard input.
func runSyncStdin(t *testing.T, fs *fakeSync, init func(context.Context, string) (*app.ServerInit, error), stdin string, args ...string) result {
	t.Helper()
	db := filepath.Join(t.TempDir(), "hms.db")
	if err := os.WriteFile(db, []byte("SQLite format 3\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"--db", db}, args...), cli.Env{
		Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), OSUser: "tester",
		Open: func(string) (app.Services, io.Closer, error) {
			return app.Services{Sync: fs}, nopCloser{}, nil
		},
		InitServer: init,
	})
	return result{code, out.String(), errb.String()}
}

func TestServerInit(t *testing.T) {
	var got []string
	init := func(ctx context.Context, u string) (*app.ServerInit, error) {
		got = append(got, u)
		switch len(got) {
		case 1:
			return &app.ServerInit{From: 0, To: 1, Epoch: "e"}, nil
		case 2:
			return &app.ServerInit{From: 1, To: 1, Epoch: "e"}, nil
		case 3:
			return &app.ServerInit{From: 1, To: 2, Epoch: "e", Analyzed: true,
				AutovacuumOff: []string{"the server (autovacuum = off)", "sync.rows"}}, nil
		}
		return nil, app.Errorf(app.EINTERNAL, "The sync server cannot be reached.")
	}
	for _, want := range []struct {
		code      int
		out, serr string
	}{{0, "Created the sync server (schema 1", ""}, {0, "up to date", ""},
		{0, "from schema 1 to 2 (epoch e).\nUpdated the server's statistics of the sync tables (ANALYZE).\n" +
			"Warning: autovacuum is off for the server (autovacuum = off), sync.rows.", ""},
		{1, "", "hms: The sync server cannot be reached."}} {
		r := runSync(t, nil, init, "server", "init", "postgres://x@y/z")
		if r.code != want.code || !strings.Contains(r.stdout, want.out) || !strings.Contains(r.stderr, want.serr) {
			t.Errorf("server init: %+v, want %+v", r, want)
		}
	}
	if r := runSync(t, nil, nil, "server", "init", "postgres://x@y/z"); r.code != 1 {
		t.Errorf("without InitServer: %+v", r)
	}
	if r := runSync(t, nil, init, "server", "drop"); r.code != 2 {
		t.Errorf("unknown subcommand: %+v", r)
	}
}

func TestSyncEnroll(t *testing.T) {
	fs := &fakeSync{status: app.SyncStatus{Enrolled: true, DeskCode: "D3", Server: "postgres://desk@db/hms",
		Pending: 4, ClockOffset: 2 * time.Minute}}
	// The password is refused in the address, where ps shows it...
	for _, u := range []string{"postgres://desk:pw@db/hms", "postgres://desk@db/hms?password=pw"} {
		if r := runSync(t, fs, nil, "sync", "enroll", u); r.code != 1 || !strings.Contains(r.stderr, "Do not put the password in the address") ||
			!strings.Contains(r.stderr, "standard input") {
			t.Fatalf("enroll with the password in the address: %+v", r)
		}
	}
	if r := runSync(t, fs, nil, "sync", "enroll", "postgres://desk@db/hms", "pw"); r.code != 2 || !strings.Contains(r.stderr, "never on the command line") {
		t.Fatalf("enroll with the password as an argument: %+v", r)
	}
	if len(fs.urls) != 0 {
		t.Fatalf("enrolled with %v", fs.urls)
	}
	// ...and read from standard input.
	r := runSyncStdin(t, fs, nil, "pw\n", "sync", "enroll", "postgres://desk@db/hms")
	if r.code != 0 || !strings.Contains(r.stdout, "Enrolled with postgres://desk@db/hms as desk D3") ||
		!strings.Contains(r.stdout, "4 changes wait") || !strings.Contains(r.stdout, "Warning: this computer's clock is 2m0s off") {
		t.Fatalf("enroll: %+v", r)
	}
	if len(fs.urls) != 1 || fs.urls[0] != "postgres://desk:pw@db/hms" || fs.callers[0].Role != app.RoleAdmin {
		t.Fatalf("enroll called with %v as %v", fs.urls, fs.callers)
	}
	// None given: it comes from ~/.pgpass or PGPASSWORD.
	if r := runSync(t, fs, nil, "sync", "enroll", "postgres://desk@db/hms"); r.code != 0 || fs.urls[1] != "postgres://desk@db/hms" {
		t.Fatalf("enroll without a password: %+v %v", r, fs.urls)
	}
	initCalled := false
	init := func(context.Context, string) (*app.ServerInit, error) {
		initCalled = true
		return &app.ServerInit{}, nil
	}
	if r := runSync(t, fs, init, "server", "init", "postgres://postgres:pw@db/hms"); r.code != 1 || !strings.Contains(r.stderr, "PGPASSWORD") || initCalled {
		t.Fatalf("server init with the password in the address: %+v", r)
	}
	if r := runSync(t, fs, nil, "sync", "enroll"); r.code != 2 {
		t.Fatalf("enroll without a URL: %+v", r)
	}
	fs.err = app.FieldErrorf("server", "not a server address")
	if r := runSync(t, fs, nil, "sync", "enroll", "x"); r.code != 1 || !strings.Contains(r.stderr, "hms: URL: not a server address") {
		t.Fatalf("enroll with a bad URL: %+v", r)
	}
}

func TestSyncOnceAndStatus(t *testing.T) {
	fs := &fakeSync{report: app.SyncReport{Pushed: 5, Applied: 3, Conflicts: 1, Rejected: 1, Pulled: 9, PullConflicts: 2}}
	r := runSync(t, fs, nil, "sync", "once")
	if r.code != 0 || !strings.Contains(r.stdout, "Pushed 5 changes: 3 applied, 1 with conflicts, 1 refused, 0 held in quarantine") ||
		!strings.Contains(r.stdout, "Pulled 9 changes from other desks: 2 with conflicts.") ||
		!strings.Contains(r.stdout, "kept for review: 'hms sync conflicts'") {
		t.Fatalf("once: %+v", r)
	}
	fs.report = app.SyncReport{Pulled: 3, PullConflicts: 1}
	if r := runSync(t, fs, nil, "sync", "once"); r.code != 0 || !strings.Contains(r.stdout, "Pulled 3 changes") ||
		!strings.Contains(r.stdout, "kept for review") {
		t.Fatalf("once, pulled conflicts only: %+v", r)
	}
	fs.report = app.SyncReport{Pushed: 2, Quarantined: 2}
	if r := runSync(t, fs, nil, "sync", "once"); r.code != 1 {
		t.Fatalf("once with quarantined changes exits %d", r.code)
	}

	fs.status = app.SyncStatus{Enrolled: true, DeskCode: "D2", Server: "postgres://desk@db/hms", Pending: 7,
		OldestPending: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), LastError: "The sync server cannot be reached.", Conflicts: 2,
		LastSyncedAt: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC), FailingSince: time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC),
		LastSyncError: "The sync server refused the user name or password."}
	r = runSync(t, fs, nil, "sync", "status")
	squashed := strings.Join(strings.Fields(r.stdout), " ")
	local := func(h, m int) string {
		return time.Date(2026, 11, 26, h, m, 0, 0, time.UTC).Local().Format(time.DateTime)
	}
	for _, w := range []string{"Enrolled: yes, with postgres://desk@db/hms", "Desk code: D2", "Pending: 7 changes, the oldest from",
		"Last error: The sync server cannot be reached.", "Conflicts: 2 to review", "Last synced: " + local(7, 0),
		"Failing since: " + local(7, 30), "Last sync error: The sync server refused the user name or password."} {
		if !strings.Contains(squashed, w) {
			t.Errorf("status lacks %q:\n%s", w, r.stdout)
		}
	}
	fs.err = app.Errorf(app.ECONFLICT, "This desk is not enrolled with a sync server: run 'hms sync enroll URL' first.")
	if r := runSync(t, fs, nil, "sync", "once"); r.code != 1 || !strings.Contains(r.stderr, "not enrolled") {
		t.Fatalf("once, not enrolled: %+v", r)
	}
	if r := runSync(t, fs, nil, "sync", "status", "extra"); r.code != 2 {
		t.Fatalf("status with an argument: %+v", r)
	}
}

func TestSyncConflicts(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	fs := &fakeSync{conflicts: []*app.Conflict{
		{ID: "c2", Entity: "patients", RowID: "p1", Field: "phone", What: i18n.Nf("Patient %s", "P-D1-000001 Ada Byron"),
			Rule: "field: last writer by (HLC, site) wins", LostValue: `"+30 210 555 0001"`, WonValue: `"+30 210 555 0002"`,
			DetectedAt: at},
		{ID: "c1", Entity: "appointments", RowID: "a1", What: i18n.Nf("Appointment of %s on %s", "Ada Byron", "2026-11-26 10:00"),
			Rule: "refused by the server: the slot is taken", LostValue: `{"kind": "insert",` + "\n" + `"payload": {}}`,
			WonValue: "null", DetectedAt: at},
		{ID: "c0", Entity: "settings", RowID: "clinic_name", Field: "value", What: i18n.Nf("Setting %s", "clinic_name"),
			Rule: "field: last writer by (HLC, site) wins", LostValue: `"Old"`, WonValue: `"New"`, DetectedAt: at,
			ResolvedAt: at, ResolvedBy: "admin", Resolution: app.ResolutionKeep},
	}}
	r := runSync(t, fs, nil, "sync", "conflicts")
	if r.code != 0 {
		t.Fatalf("conflicts: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "WHAT") ||
		!strings.Contains(lines[1], "Patient P-D1-000001 Ada Byron") || !strings.Contains(lines[1], `"+30 210 555 0001"`) ||
		!strings.Contains(lines[2], "(whole change)") || !strings.Contains(lines[2], `{"kind": "insert", "payload": {}}`) ||
		!strings.Contains(lines[2], "open") {
		t.Fatalf("conflicts:\n%s", r.stdout)
	}
	if fs.alls[0] || fs.callers[0] != app.SystemCaller("tester") {
		t.Fatalf("listed with all=%v as %+v", fs.alls[0], fs.callers[0])
	}
	r = runSync(t, fs, nil, "sync", "conflicts", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "kept by admin") || !fs.alls[1] {
		t.Fatalf("conflicts --all: %+v", r)
	}
	fs.conflicts = nil
	if r := runSync(t, fs, nil, "sync", "conflicts"); r.code != 0 || !strings.Contains(r.stdout, "No conflicts") {
		t.Fatalf("no conflicts: %+v", r)
	}
	if r := runSync(t, fs, nil, "sync", "conflicts", "extra"); r.code != 2 {
		t.Fatalf("conflicts with an argument: %+v", r)
	}
	fs.err = app.ErrUnauthorized()
	if r := runSync(t, fs, nil, "sync", "conflicts"); r.code == 0 {
		t.Fatalf("a refusal: %+v", r)
	}
}

func TestServerPrune(t *testing.T) {
	since := time.Date(2026, 11, 20, 9, 30, 0, 0, time.Local)
	results := []*app.ServerPrune{
		{Superseded: 120, Tombstones: 3, Ops: 7, HeldBy: "D2", HeldSince: since},
		{HeldBy: "D3", AutovacuumOff: []string{"sync.rows"}},
	}
	var urls []string
	run := func(args ...string) result {
		var out, errb bytes.Buffer
		code := cli.Run(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errb, OSUser: "tester",
			PruneServer: func(ctx context.Context, u string) (*app.ServerPrune, error) {
				urls = append(urls, u)
				if len(urls) > len(results) {
					return nil, app.Errorf(app.EINTERNAL, "The sync server cannot be reached.")
				}
				return results[len(urls)-1], nil
			}})
		return result{code, out.String(), errb.String()}
	}
	r := run("server", "prune", "postgres://x@y/z")
	if r.code != 0 || !strings.Contains(r.stdout, "120 superseded changes, 3 deleted records, 7 old operation results") ||
		!strings.Contains(r.stdout, "Desk D2 has pulled least (last on 2026-11-20 09:30:00)") || urls[0] != "postgres://x@y/z" ||
		!strings.Contains(r.stdout, "updated its statistics (ANALYZE)") || strings.Contains(r.stdout, "autovacuum is off") {
		t.Errorf("prune: %+v", r)
	}
	if r := run("server", "prune", "postgres://x@y/z"); r.code != 0 || !strings.Contains(r.stdout, "Desk D3 has not pulled with this version of hms yet") ||
		!strings.Contains(r.stdout, "Warning: autovacuum is off for sync.rows.") {
		t.Errorf("prune held by a desk of an older hms: %+v", r)
	}
	if r := run("server", "prune", "postgres://x@y/z"); r.code != 1 || !strings.Contains(r.stderr, "cannot be reached") {
		t.Errorf("prune, server down: %+v", r)
	}
	if r := run("server", "prune"); r.code != 2 {
		t.Errorf("prune without a URL: %+v", r)
	}
}

func TestServerDesks(t *testing.T) {
	var calls []string
	run := func(args ...string) result {
		var out, errb bytes.Buffer
		code := cli.Run(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errb, OSUser: "tester",
			AddDesk: func(ctx context.Context, u, name string) (*app.DeskLogin, error) {
				calls = append(calls, "add "+name+" "+u)
				if name == "Bad" {
					return nil, app.FieldErrorf("name", "a desk's login name is lower-case letters")
				}
				return &app.DeskLogin{Name: name, Password: "pw-shown-once"}, nil
			},
			RemoveDesk: func(ctx context.Context, u, name string) (*app.DeskLogin, error) {
				calls = append(calls, "remove "+name+" "+u)
				return &app.DeskLogin{Name: name, DeskCode: "D2"}, nil
			},
			InitServer: func(ctx context.Context, u string) (*app.ServerInit, error) {
				return &app.ServerInit{From: 6, To: 7, Epoch: "e", NewLogins: []app.DeskLogin{
					{Name: "hms_d1", Password: "pw1", DeskCode: "D1"}, {Name: "hms_d2", Password: "pw2", DeskCode: "D2"}}}, nil
			}})
		return result{code, out.String(), errb.String()}
	}
	if r := run("server", "add-desk", "reception", "postgres://x@y/z"); r.code != 0 || !strings.Contains(r.stdout, "pw-shown-once") ||
		calls[0] != "add reception postgres://x@y/z" {
		t.Errorf("add-desk: %+v %v", r, calls)
	}
	if r := run("server", "add-desk", "Bad", "postgres://x@y/z"); r.code != 1 || !strings.Contains(r.stderr, "lower-case") {
		t.Errorf("add-desk with a bad name: %+v", r)
	}
	if r := run("server", "remove-desk", "reception", "postgres://x@y/z"); r.code != 0 || !strings.Contains(r.stdout, "Revoked the login reception (desk D2)") {
		t.Errorf("remove-desk: %+v", r)
	}
	if r := run("server", "add-desk", "postgres://x@y/z"); r.code != 2 {
		t.Errorf("add-desk without a name: %+v", r)
	}
	r := run("server", "init", "postgres://x@y/z")
	if r.code != 0 || !strings.Contains(r.stdout, "hms_d1") || !strings.Contains(r.stdout, "pw2") || !strings.Contains(r.stdout, "acts as no desk") {
		t.Errorf("init giving enrolled desks logins: %+v", r)
	}
}
