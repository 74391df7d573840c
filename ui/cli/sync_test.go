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
	"hms/ui/cli"
)

// fakeSync is a SyncService that answers what the test sets.
type fakeSync struct {
	status  app.SyncStatus
	report  app.SyncReport
	err     error
	urls    []string
	callers []app.Caller
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
	return &app.ServerCheck{}, f.err
}

func (f *fakeSync) RunSync(ctx context.Context, report func(*app.SyncStatus)) { f.note(ctx) }

func (f *fakeSync) ListConflicts(ctx context.Context, all bool) ([]*app.Conflict, error) {
	f.note(ctx)
	return nil, f.err
}

func (f *fakeSync) ResolveConflict(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error) {
	f.note(ctx)
	return &app.Conflict{ID: id, Resolution: r}, f.err
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// runSync runs the command line with fs as the database's sync service and
// init as the server initializer.
func runSync(t *testing.T, fs *fakeSync, init func(context.Context, string) (*app.ServerInit, error), args ...string) result {
	t.Helper()
	db := filepath.Join(t.TempDir(), "hms.db")
	if err := os.WriteFile(db, []byte("SQLite format 3\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"--db", db}, args...), cli.Env{
		Stdout: &out, Stderr: &errb, OSUser: "tester",
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
			return &app.ServerInit{From: 1, To: 2, Epoch: "e"}, nil
		}
		return nil, app.Errorf(app.EINTERNAL, "The sync server cannot be reached.")
	}
	for _, want := range []struct {
		code      int
		out, serr string
	}{{0, "Created the sync server (schema 1", ""}, {0, "up to date", ""}, {0, "from schema 1 to 2", ""},
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
	r := runSync(t, fs, nil, "sync", "enroll", "postgres://desk:pw@db/hms")
	if r.code != 0 || !strings.Contains(r.stdout, "Enrolled with postgres://desk@db/hms as desk D3") ||
		!strings.Contains(r.stdout, "4 changes wait") || !strings.Contains(r.stdout, "Warning: this computer's clock is 2m0s off") {
		t.Fatalf("enroll: %+v", r)
	}
	if len(fs.urls) != 1 || fs.urls[0] != "postgres://desk:pw@db/hms" || fs.callers[0].Role != app.RoleAdmin {
		t.Fatalf("enroll called with %v as %v", fs.urls, fs.callers)
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
	fs := &fakeSync{report: app.SyncReport{Pushed: 5, Applied: 3, Conflicts: 1, Rejected: 1}}
	r := runSync(t, fs, nil, "sync", "once")
	if r.code != 0 || !strings.Contains(r.stdout, "Pushed 5 changes: 3 applied, 1 with conflicts, 1 refused, 0 held in quarantine") ||
		!strings.Contains(r.stdout, "kept for review") {
		t.Fatalf("once: %+v", r)
	}
	fs.report = app.SyncReport{Pushed: 2, Quarantined: 2}
	if r := runSync(t, fs, nil, "sync", "once"); r.code != 1 {
		t.Fatalf("once with quarantined changes exits %d", r.code)
	}

	fs.status = app.SyncStatus{Enrolled: true, DeskCode: "D2", Server: "postgres://desk@db/hms", Pending: 7,
		OldestPending: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), LastError: "The sync server cannot be reached.", Conflicts: 2}
	r = runSync(t, fs, nil, "sync", "status")
	squashed := strings.Join(strings.Fields(r.stdout), " ")
	for _, w := range []string{"Enrolled: yes, with postgres://desk@db/hms", "Desk code: D2", "Pending: 7 changes, the oldest from",
		"Last error: The sync server cannot be reached.", "Conflicts: 2 to review"} {
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
