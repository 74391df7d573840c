//go:build !windows

package data_test

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"hms/app"
	"hms/data"
)

// closedClinic is a set-up clinic's database, closed: its path (the key
// file beside it) and its site id.
func closedClinic(t *testing.T) (path, site string) {
	c := mustSetup(t)
	path, site = c.db.Path(), c.db.SiteID()
	if err := c.db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, site
}

func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreChecked: a candidate is refused unless it has the full schema
// of its version and an audit log that verifies with the key beside it.
func TestRestoreChecked(t *testing.T) {
	t.Run("FromAnotherComputerWithItsKey", func(t *testing.T) {
		path, _ := closedClinic(t)
		src, site := closedClinic(t) // another clinic, its own key beside it
		res, err := data.RestoreChecked(path, src, data.Options{HashParams: cheapHash}, false)
		if err != nil || len(res.Problems) != 0 || res.Key == "" || len(res.Checked) < 3 {
			t.Fatalf("%v %+v", err, res)
		}
		if _, err := os.Stat(res.Aside + ".audit-key"); err != nil {
			t.Fatalf("the old key is not kept beside the old database: %v", err)
		}
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rep, err := db.Verify(anon)
		if err != nil || !rep.OK() || db.SiteID() != site {
			t.Fatalf("restored: %v %s", err, verifyText(rep))
		}
	})
	refused := []struct {
		name, want string
		make       func(t *testing.T, src string)
	}{
		{"OnlyMigrationsTable", "is not what the migrations make", func(t *testing.T, src string) {
			os.Remove(src)
			raw := openPlain(t, src)
			defer raw.Close()
			for _, s := range []string{`PRAGMA application_id = ` + strconv.Itoa(data.ApplicationID),
				`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`,
				`INSERT INTO schema_migrations VALUES (17, 'x', 'y')`} {
				if _, err := raw.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"TriggerDropped", "trigger audit_log_no_delete is missing", func(t *testing.T, src string) {
			raw := openPlain(t, src)
			defer raw.Close()
			if _, err := raw.Exec(`DROP TRIGGER audit_log_no_delete`); err != nil {
				t.Fatal(err)
			}
		}},
		{"ChainBroken", "audit log does not verify", func(t *testing.T, src string) {
			raw := openPlain(t, src)
			defer raw.Close()
			for _, s := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = 'x' WHERE seq = 2`,
				`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END`} {
				if _, err := raw.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"KeyMissing", "does not verify", func(t *testing.T, src string) {
			os.Remove(data.DefaultAuditKeyPath(src)) // the database's own key is tried, and it is another's
		}},
	}
	for _, tc := range refused {
		t.Run("Err"+tc.name, func(t *testing.T) {
			path, site := closedClinic(t)
			src, _ := closedClinic(t)
			tc.make(t, src)
			before, _ := os.ReadFile(path)
			_, err := data.RestoreChecked(path, src, data.Options{HashParams: cheapHash}, false)
			if code(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), tc.want) ||
				!strings.Contains(app.ErrorMessage(err), "--force") {
				t.Fatalf("want a refusal with %q, got %v", tc.want, err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Fatal("a refused restore changed the database")
			}
			if tc.name == "OnlyMigrationsTable" {
				return // forcing it would leave a database that cannot open
			}
			res, err := data.RestoreChecked(path, src, data.Options{HashParams: cheapHash}, true)
			if err != nil || len(res.Problems) == 0 {
				t.Fatalf("forced: %v %+v", err, res)
			}
			db, err := data.Open(path, data.Options{HashParams: cheapHash})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.SiteID() == site {
				t.Fatal("forced restore left the old database")
			}
		})
	}
}

// TestBackupRefusesOwnFiles: a backup never writes onto the database, its
// -wal or -shm, or its audit key.
func TestBackupRefusesOwnFiles(t *testing.T) {
	c := mustSetup(t)
	p := c.db.Path()
	key, _ := os.ReadFile(data.DefaultAuditKeyPath(p))
	for _, target := range []string{p, p + "-wal", p + "-shm", data.DefaultAuditKeyPath(p)} {
		err := c.svc.Audit.Backup(c.ctx(app.RoleAdmin), target)
		if code(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "never replaces it") {
			t.Fatalf("backup onto %s: %v", target, err)
		}
	}
	if after, _ := os.ReadFile(data.DefaultAuditKeyPath(p)); string(after) != string(key) {
		t.Fatal("the key file changed")
	}
	if _, err := c.svc.Users.Login(anon, "admin", adminPassword); err != nil {
		t.Fatalf("database unusable: %v", err)
	}
}

// TestRestoreKilled: a restore killed at a random step, 50 times, each in
// a process of its own (this test binary run again), always leaves an
// openable database at the path, the old one or the new one, whose audit
// log verifies with the key in place.
func TestRestoreKilled(t *testing.T) {
	if os.Getenv("HMS_RESTORE_CHILD") != "" {
		restoreChild(t)
		return
	}
	if testing.Short() {
		t.Skip("runs 50 processes")
	}
	oldPath, oldSite := closedClinic(t)
	src, newSite := closedClinic(t)
	fresh := func() string {
		dir := t.TempDir()
		p := filepath.Join(dir, "hms.db")
		copyTo(t, oldPath, p)
		copyTo(t, data.DefaultAuditKeyPath(oldPath), data.DefaultAuditKeyPath(p))
		return p
	}
	// Count the steps of one whole restore.
	steps := 0
	reset := data.SetRestoreStep(func(string) { steps++ })
	if _, err := data.RestoreChecked(fresh(), src, data.Options{HashParams: cheapHash}, false); err != nil {
		t.Fatal(err)
	}
	reset()
	rng := rand.New(rand.NewPCG(14, 5))
	outcomes := map[string]int{}
	for i := range 50 {
		p := fresh()
		killAt := 1 + rng.IntN(steps)
		cmd := exec.Command(os.Args[0], "-test.run", "^TestRestoreKilled$")
		cmd.Env = append(os.Environ(), "HMS_RESTORE_CHILD="+p, "HMS_RESTORE_SRC="+src, "HMS_RESTORE_KILL_AT="+strconv.Itoa(killAt))
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: the child was not killed at step %d of %d: %v\n%s", i, killAt, steps, err, out)
		}
		db, err := data.Open(p, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatalf("run %d, killed at step %d of %d: %v", i, killAt, steps, err)
		}
		rep, err := db.Verify(anon)
		site := db.SiteID()
		db.Close()
		if err != nil || !rep.AuditOK || !rep.IntegrityOK {
			t.Fatalf("run %d, killed at step %d of %d: %v %s", i, killAt, steps, err, verifyText(rep))
		}
		switch site {
		case oldSite:
			outcomes["old"]++
		case newSite:
			outcomes["new"]++
		default:
			t.Fatalf("run %d: the database is neither the old nor the new one", i)
		}
		for _, leftover := range []string{p + ".restoring", p + ".restore-pending", data.DefaultAuditKeyPath(p) + ".restoring"} {
			if _, err := os.Stat(leftover); err == nil {
				t.Fatalf("run %d: %s left behind", i, leftover)
			}
		}
	}
	t.Logf("%d steps; after 50 kills: %v", steps, outcomes)
}

// restoreChild restores and kills itself at step HMS_RESTORE_KILL_AT.
func restoreChild(t *testing.T) {
	killAt, _ := strconv.Atoi(os.Getenv("HMS_RESTORE_KILL_AT"))
	n := 0
	data.SetRestoreStep(func(string) {
		if n++; n == killAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	})
	_, err := data.RestoreChecked(os.Getenv("HMS_RESTORE_CHILD"), os.Getenv("HMS_RESTORE_SRC"), data.Options{HashParams: cheapHash}, false)
	t.Fatalf("not killed: %v", err)
}
