//go:build !windows

package data_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"hms/app"
	"hms/data"
)

// TestFileModes: under umask 022, with the database outside the config
// folder, every file HMS makes (database, -wal, -shm, key, backup, the copy
// kept aside by a restore) is 0600 and its folders 0700; a database an
// older version left 0644 becomes 0600 when opened.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "clinic", "data")
	path := filepath.Join(dir, "hms.db")
	db, err := data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	svc := db.Services()
	admin, err := svc.Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "Modes", Currency: "EUR",
		TimeZone: "UTC", AutoLockMinutes: 5}, AdminUsername: "admin", AdminFullName: "A", AdminPassword: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := svc.Audit.Backup(as(callerOf(admin)), backup); err != nil {
		t.Fatal(err)
	}
	want := func(p string, mode os.FileMode) {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s is %o, want %o", p, fi.Mode().Perm(), mode)
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", data.DefaultAuditKeyPath(path), backup} {
		want(p, 0o600)
	}
	want(dir, 0o700)
	want(filepath.Dir(dir), 0o700)
	db.Close()
	res, err := data.RestoreChecked(path, backup, data.Options{HashParams: cheapHash}, false)
	if err != nil {
		t.Fatal(err)
	}
	want(res.Aside, 0o600)
	want(path, 0o600)
	// A file left readable by others is made the user's at the next open.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want(path, 0o600)
	want(path+"-wal", 0o600)
}
