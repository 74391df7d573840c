package data_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

func TestBackupRestore(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := mustSetup(t)
		backup := filepath.Join(t.TempDir(), "backup.db")
		if err := c.svc.Audit.Backup(c.ctx(app.RoleAdmin), backup); err != nil {
			t.Fatal(err)
		}
		if err := data.CheckDatabaseFile(backup); err != nil {
			t.Fatalf("backup is not a valid database: %v", err)
		}
		// A change after the backup is undone by the restore.
		if _, err := c.svc.Users.ApproveUser(c.ctx(app.RoleAdmin), c.pending.ID); err != nil {
			t.Fatal(err)
		}
		path := c.db.Path()
		c.db.Close()
		aside, err := data.Restore(path, backup, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(aside); err != nil {
			t.Fatalf("old database not kept aside: %v", err)
		}
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		u, err := db.Services().Users.FindUserByID(c.ctx(app.RoleAdmin), c.pending.ID)
		if err != nil || u.Status != app.StatusPending {
			t.Fatalf("restored account: %v %+v", err, u)
		}
		rep, err := db.Verify(anon)
		if err != nil || !rep.OK() {
			t.Fatalf("restored database does not verify: %v %+v", err, rep)
		}
	})

	t.Run("ErrUnwritablePath", func(t *testing.T) {
		c := mustSetup(t)
		err := c.svc.Audit.Backup(c.ctx(app.RoleAdmin), "/proc/no/such/dir/backup.db")
		if code(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "Cannot write the backup") {
			t.Fatalf("backup to an unwritable path: %v", err)
		}
	})

	t.Run("ErrNotADatabase", func(t *testing.T) {
		c := mustSetup(t)
		path := c.db.Path()
		c.db.Close()
		before, _ := os.ReadFile(path)
		for name, content := range map[string]string{
			"text.db":   "hello, this is not a database",
			"sqlite.db": "", // a SQLite file of another program, made below
		} {
			src := filepath.Join(t.TempDir(), name)
			if name == "sqlite.db" {
				raw := openPlain(t, src)
				raw.Exec(`CREATE TABLE t (x)`)
				raw.Close()
			} else {
				os.WriteFile(src, []byte(content), 0o600)
			}
			if _, err := data.Restore(path, src, data.Options{HashParams: cheapHash}); code(err) != app.EINVALID ||
				!strings.Contains(app.ErrorMessage(err), "not an HMS database") {
				t.Fatalf("%s: %v", name, err)
			}
		}
		after, _ := os.ReadFile(path)
		if string(before) != string(after) {
			t.Fatal("a refused restore changed the database")
		}
	})

	t.Run("ErrInUse", func(t *testing.T) {
		c := mustSetup(t)
		backup := filepath.Join(t.TempDir(), "backup.db")
		if err := c.db.Backup(anon, backup); err != nil {
			t.Fatal(err)
		}
		// c.db is still open: the restore must refuse.
		if _, err := data.Restore(c.db.Path(), backup, data.Options{HashParams: cheapHash}); code(err) != app.ECONFLICT {
			t.Fatalf("restore while open: %v", err)
		}
		if _, err := c.svc.Users.Login(anon, "admin", adminPassword); err != nil {
			t.Fatalf("database unusable after a refused restore: %v", err)
		}
	})
}
