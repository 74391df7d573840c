package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// TestEncryptedBackupRestoreCLI: hms backup --encrypt writes one encrypted
// file that hms restore reads with the recovery key (from a file or
// standard input); a wrong key changes nothing; the plain format still
// restores.
func TestEncryptedBackupRestoreCLI(t *testing.T) {
	db := newClinic(t)
	dir := t.TempDir()
	enc := filepath.Join(dir, "clinic.hmsbackup")
	key, err := data.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	hms(t, "", "--db", db, "backup", "--encrypt", enc).want(t, 1, "", "Settings → Backups")
	hms(t, "", "--db", db, "backup", "--recipient", key.Recipient, enc).want(t, 2, "", "--recipient goes with --encrypt")
	hms(t, "", "--db", db, "backup", "--encrypt", "--recipient", "age1nope", enc).want(t, 1, "", "not a backup public key")
	hms(t, "", "--db", db, "backup", "--encrypt", "--recipient", key.Recipient, enc).want(t, 0, "encrypted, with the audit key inside", "")
	if b, _ := os.ReadFile(enc); strings.Contains(string(b), "SQLite format 3") {
		t.Fatal("the encrypted backup holds a plain database")
	}
	plain := filepath.Join(dir, "plain.db")
	hms(t, "", "--db", db, "backup", plain).want(t, 0, "Backed up to "+plain, "")
	keyFile := filepath.Join(dir, "recovery-key.txt")
	os.WriteFile(keyFile, []byte("# HMS backup recovery key\n"+key.Identity+"\n"), 0o600)

	// A user added after the backups is gone once either is restored.
	addLate := func() {
		hms(t, "a long nurse password\n", "--db", db, "user", "add", "--username", "late", "--name", "Late Comer", "--role", "nurse").want(t, 0, "", "")
	}
	addLate()

	other, _ := data.NewRecoveryKey()
	before := fileSum(t, db)
	hms(t, other.Identity+"\n", "--db", db, "restore", enc).want(t, 1, "", "does not open")
	hms(t, "", "--db", db, "restore", enc).want(t, 1, "", "is encrypted: type its recovery key")
	if fileSum(t, db) != before {
		t.Fatal("a refused restore changed the database")
	}

	o := hms(t, "", "--db", db, "restore", "--recovery-key-file", keyFile, enc)
	o.want(t, 0, "rows the manifest counted", "")
	if list := hms(t, "", "--db", db, "user", "list"); strings.Contains(list.stdout, "late") {
		t.Fatalf("after restoring the encrypted backup:\n%s", list.stdout)
	}
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")

	addLate()
	hms(t, key.Identity+"\n", "--db", db, "restore", enc).want(t, 0, "Restored", "")
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")

	addLate()
	hms(t, "", "--db", db, "restore", plain).want(t, 0, "Restored", "")
	if list := hms(t, "", "--db", db, "user", "list"); strings.Contains(list.stdout, "late") {
		t.Fatalf("after restoring the plain backup:\n%s", list.stdout)
	}
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")
}

// TestBackupLoop: the app's backup loop runs the daily backup when it is
// due and reports the status after each look.
func TestBackupLoop(t *testing.T) {
	path := newClinic(t)
	db, err := data.Open(path, dataOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := app.NewContextWithCaller(context.Background(), app.SystemCaller("test"))
	key, _ := data.NewRecoveryKey()
	folder := t.TempDir()
	if _, err := db.Services().Backups.SetBackupSettings(ctx, app.BackupSettings{Folder: folder, DailyAt: "00:00",
		Keep: 3, Recipient: key.Recipient}); err != nil {
		t.Fatal(err)
	}
	reports := make(chan *app.BackupStatus, 100)
	stop := startBackups(context.Background(), db, 10*time.Millisecond, func(st *app.BackupStatus) {
		select {
		case reports <- st:
		default:
		}
	})
	deadline := time.After(60 * time.Second)
	for done := false; !done; {
		select {
		case st := <-reports:
			done = !st.LastGood.IsZero()
		case <-deadline:
			t.Fatal("no backup reported")
		}
	}
	stop()
	if files, _ := filepath.Glob(filepath.Join(folder, "*.hmsbackup")); len(files) != 1 {
		t.Fatalf("files %v (ran more than once a day?)", files)
	}
}
