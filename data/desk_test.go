package data_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"hms/app"
	"hms/data"
)

// TestDeskRestore: the app's restore checks the backup as the caller
// (a doctor is refused, audited, nothing changes; a wrong key changes
// nothing), then swaps the database under the running loops, restarts
// them, and writes the restore to the restored database's audit log.
func TestDeskRestore(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	_, key := setUpBackups(t, c, "19:30", 3)
	file := filepath.Join(t.TempDir(), "b.hmsbackup")
	if _, err := c.svc.Backups.EncryptedBackup(admin, file, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Users.ApproveUser(admin, c.pending.ID); err != nil {
		t.Fatal(err)
	}
	path := c.db.Path()
	c.db.Close()
	var starts, stops atomic.Int32
	d, err := data.OpenDesk(path, data.Options{HashParams: cheapHash, Now: c.clock.Now}, nil, func(*data.DB, app.Services) func() {
		starts.Add(1)
		return func() { stops.Add(1) }
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.Start()
	denied := func() int {
		var n int
		raw := openPlain(t, path)
		defer raw.Close()
		raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'backup.check' AND outcome = 'denied'`).Scan(&n)
		return n
	}
	for _, r := range []app.Role{app.RoleDoctor, app.RoleReception, app.RolePatient} {
		if _, _, err := d.Restore(c.ctx(r), file, key.Identity); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("%s restored: %v", r, err)
		}
	}
	if _, _, err := d.Restore(context.Background(), file, key.Identity); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("nobody restored: %v", err)
	}
	if n := denied(); n != 4 {
		t.Fatalf("%d denied audit rows, want 4", n)
	}
	other, _ := data.NewRecoveryKey()
	if _, _, err := d.Restore(admin, file, other.Identity); app.ErrorField(err) != "recovery_key" {
		t.Fatalf("wrong key: %v", err)
	}
	if u, err := d.Services().Users.FindUserByID(admin, c.pending.ID); err != nil || u.Status != app.StatusActive {
		t.Fatalf("a refused restore changed the database: %v %+v", err, u)
	}
	if starts.Load() != 1 || stops.Load() != 0 {
		t.Fatalf("a refused restore stopped the loops: %d %d", starts.Load(), stops.Load())
	}
	svc, rep, err := d.Restore(admin, file, key.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Aside == "" || len(rep.Checked) == 0 {
		t.Fatalf("report %+v", rep)
	}
	if starts.Load() != 2 || stops.Load() != 1 {
		t.Fatalf("loops not restarted: %d starts %d stops", starts.Load(), stops.Load())
	}
	if u, err := svc.Users.FindUserByID(admin, c.pending.ID); err != nil || u.Status != app.StatusPending {
		t.Fatalf("restored account: %v %+v", err, u)
	}
	rows, err := svc.Audit.FindAuditEntries(admin, app.AuditFilter{Action: "backup.restore"})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Detail, "restored from "+file) || rows[0].Username != "admin" {
		t.Fatalf("restore audit: %v %+v", err, rows)
	}
	if rep, err := d.DB().Verify(anon); err != nil || !rep.OK() {
		t.Fatalf("restored database does not verify: %v %+v", err, rep)
	}
}

// TestCheckBackupOtherKey: a backup whose audit key is not the database's
// own (another computer's, or a forgery with a key of its own) is said so
// before a restore; this database's own backup is not.
func TestCheckBackupOtherKey(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	key, _ := data.NewRecoveryKey()
	own := filepath.Join(t.TempDir(), "own.hmsbackup")
	if _, err := c.svc.Backups.EncryptedBackup(admin, own, key.Recipient); err != nil {
		t.Fatal(err)
	}
	if chk, err := c.svc.Backups.CheckBackup(admin, own, key.Identity); err != nil || chk.OtherKey || len(chk.Problems) > 0 {
		t.Fatalf("own backup: %v %+v", err, chk)
	}
	o := mustSetup(t) // another clinic, with an audit key of its own
	other := filepath.Join(t.TempDir(), "other.hmsbackup")
	if _, err := o.svc.Backups.EncryptedBackup(o.ctx(app.RoleAdmin), other, key.Recipient); err != nil {
		t.Fatal(err)
	}
	if chk, err := c.svc.Backups.CheckBackup(admin, other, key.Identity); err != nil || !chk.OtherKey {
		t.Fatalf("other's backup: %v %+v", err, chk)
	}
}
