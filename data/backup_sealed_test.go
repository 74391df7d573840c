package data_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/data"
)

// auditRows lists the audit rows of action, oldest first, as
// "outcome actor detail".
func auditRows(t *testing.T, c *clinic, action string) []string {
	t.Helper()
	raw := openPlain(t, c.db.Path())
	defer raw.Close()
	rows, err := raw.Query(`SELECT outcome, username, detail FROM audit_log WHERE action = ? ORDER BY seq`, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o, a, d string
		if err := rows.Scan(&o, &a, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, o+" "+a+" "+d)
	}
	return out
}

// reopen opens the database at path again after a restore.
func reopen(t *testing.T, path string, now func() time.Time) *data.DB {
	t.Helper()
	db, err := data.Open(path, data.Options{HashParams: cheapHash, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestEncryptedBackupRestores: hms backup --encrypt's file restores with
// the recovery key to the database as it was (every table's rows, and
// verify OK); a later change is undone.
func TestEncryptedBackupRestores(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	key, err := c.svc.Backups.NewRecoveryKey(admin)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "clinic.hmsbackup")
	if _, err := c.svc.Backups.EncryptedBackup(admin, file, ""); app.ErrorField(err) != "recipient" {
		t.Fatalf("no key set up, none given: %v", err)
	}
	run, err := c.svc.Backups.EncryptedBackup(admin, file, key.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	if !run.AuditOK || run.Rows == 0 || run.File != file {
		t.Fatalf("run: %+v", run)
	}
	if enc, _ := data.IsEncryptedBackup(file); !enc {
		t.Fatal("the backup is not encrypted")
	}
	raw, _ := os.ReadFile(file)
	if strings.Contains(string(raw), "SQLite format 3") || strings.Contains(string(raw), "Riverside") {
		t.Fatal("the backup file shows plain database content")
	}
	before, err := data.CountRows(c.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	// The key pasted from its file run together on one line, or typed in
	// lower case, opens it too (checked without restoring).
	for _, k := range []string{"# HMS backup recovery key # Clinic: Riverside " + key.Identity, strings.ToLower(key.Identity)} {
		if chk, err := c.db.CheckBackupFile(anon, file, k); err != nil || len(chk.Problems) > 0 {
			t.Fatalf("key %q: %v %+v", k, err, chk)
		}
	}
	if _, err := c.svc.Users.ApproveUser(admin, c.pending.ID); err != nil {
		t.Fatal(err)
	}
	path := c.db.Path()
	c.db.Close()
	// The key as written down by hand, in groups, is the same key.
	var grouped strings.Builder
	for i, r := range key.Identity {
		if i > 0 && i%5 == 0 {
			grouped.WriteString(" ")
		}
		grouped.WriteRune(r)
	}
	res, err := data.RestoreBackup(path, file, grouped.String(), data.Options{HashParams: cheapHash}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 || !strings.Contains(strings.Join(i18n.Strings(res.Checked), "\n"), "rows the manifest counted") {
		t.Fatalf("restore: %+v", res)
	}
	after, err := data.CountRows(path)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(before, after) {
		t.Fatalf("row counts differ after the restore:\nbefore %v\nafter  %v", before, after)
	}
	db := reopen(t, path, c.clock.Now)
	u, err := db.Services().Users.FindUserByID(admin, c.pending.ID)
	if err != nil || u.Status != app.StatusPending {
		t.Fatalf("restored account: %v %+v", err, u)
	}
	if rep, err := db.Verify(anon); err != nil || !rep.OK() {
		t.Fatalf("restored database does not verify: %v %+v", err, rep)
	}
	// No plain copy is left beside the database.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".hms-*")); len(left) > 0 {
		t.Fatalf("working files left: %v", left)
	}
}

// TestRestoreWrongRecoveryKey: another key, or no key, is refused and the
// database stays as it is.
func TestRestoreWrongRecoveryKey(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	setUpBackups(t, c, "19:30", 3)
	file := filepath.Join(t.TempDir(), "clinic.hmsbackup")
	if _, err := c.svc.Backups.EncryptedBackup(admin, file, ""); err != nil { // the desk's key
		t.Fatal(err)
	}
	if _, err := c.svc.Users.ApproveUser(admin, c.pending.ID); err != nil {
		t.Fatal(err)
	}
	other, _ := data.NewRecoveryKey()
	path := c.db.Path()
	c.db.Close()
	for _, k := range []string{other.Identity, "", "not a key", "# comment only\n", "AGE-SECRET-KEY-1QQQ"} {
		_, err := data.RestoreBackup(path, file, k, data.Options{HashParams: cheapHash}, true)
		var fe *app.Error
		if err == nil || !asAppError(err, &fe) || fe.Field != "recovery_key" {
			t.Fatalf("key %q: want a recovery_key error, got %v", k, err)
		}
	}
	if msg := func() string {
		_, err := data.RestoreBackup(path, file, other.Identity, data.Options{HashParams: cheapHash}, true)
		return app.ErrorMessage(err)
	}(); !strings.Contains(msg, "does not open") {
		t.Fatalf("message: %s", msg)
	}
	db := reopen(t, path, c.clock.Now)
	if u, err := db.Services().Users.FindUserByID(admin, c.pending.ID); err != nil || u.Status != app.StatusActive {
		t.Fatalf("the database changed: %v %+v", err, u)
	}
}

// TestRestoreTamperedBackup: a changed byte of the encrypted file is
// refused, even with --force.
func TestRestoreTamperedBackup(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	key, _ := c.svc.Backups.NewRecoveryKey(admin)
	file := filepath.Join(t.TempDir(), "clinic.hmsbackup")
	if _, err := c.svc.Backups.EncryptedBackup(admin, file, key.Recipient); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	b[len(b)/2] ^= 1
	os.WriteFile(file, b, 0o600)
	path := c.db.Path()
	c.db.Close()
	if _, err := data.RestoreBackup(path, file, key.Identity, data.Options{HashParams: cheapHash}, true); err == nil {
		t.Fatal("a tampered backup was restored")
	}
}

// TestPlainBackupRestoresThroughRestoreBackup: hms backup's plain file
// still restores, without a recovery key.
func TestPlainBackupRestoresThroughRestoreBackup(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	file := filepath.Join(t.TempDir(), "plain.db")
	if err := c.svc.Audit.Backup(admin, file); err != nil {
		t.Fatal(err)
	}
	if enc, _ := data.IsEncryptedBackup(file); enc {
		t.Fatal("a plain backup reads as encrypted")
	}
	before, _ := data.CountRows(file)
	path := c.db.Path()
	c.db.Close()
	if _, err := data.RestoreBackup(path, file, "", data.Options{HashParams: cheapHash}, false); err != nil {
		t.Fatal(err)
	}
	after, _ := data.CountRows(path)
	if !maps.Equal(before, after) {
		t.Fatalf("row counts differ:\n%v\n%v", before, after)
	}
}

// setUpBackups configures daily backups at hhmm (clinic time, Athens) to
// a new folder, keeping keep, and returns the folder and recovery key.
func setUpBackups(t *testing.T, c *clinic, hhmm string, keep int) (string, *app.RecoveryKey) {
	t.Helper()
	admin := c.ctx(app.RoleAdmin)
	key, err := c.svc.Backups.NewRecoveryKey(admin)
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(t.TempDir(), "usb")
	os.Mkdir(folder, 0o700)
	if _, err := c.svc.Backups.SetBackupSettings(admin, app.BackupSettings{Folder: folder, DailyAt: hhmm, Keep: keep,
		Recipient: key.Recipient}); err != nil {
		t.Fatal(err)
	}
	return folder, key
}

func backupFiles(t *testing.T, folder string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(folder, "*"))
	return m
}

// athens is the fixture clinic's zone.
func athens() *time.Location {
	l, _ := time.LoadLocation("Europe/Athens")
	return l
}

// setClock moves the fixture's clock to a clinic-local time.
func setClock(c *clinic, local string) {
	at, _ := time.ParseInLocation("2006-01-02 15:04", local, athens())
	c.clock.Add(at.Sub(c.clock.Now()))
}

// TestBackupSchedule: with a fake clock, the daily backup runs at its
// time (and once: not again before the next day's), keeps N, removes the
// oldest only after a verified new one, and its last backup restores to
// the database it was made of.
func TestBackupSchedule(t *testing.T) {
	c := mustSetup(t)
	ctx := context.Background()
	setClock(c, "2026-11-25 18:00")
	folder, key := setUpBackups(t, c, "19:30", 2)
	// Set up in the afternoon: yesterday's 19:30 went without a backup, so
	// the first runs at once.
	run, err := c.db.BackupTick(ctx)
	if err != nil || run == nil {
		t.Fatalf("first tick: %v %+v", err, run)
	}
	for _, at := range []string{"2026-11-25 18:30", "2026-11-25 19:29"} {
		setClock(c, at)
		if run, err := c.db.BackupTick(ctx); err != nil || run != nil {
			t.Fatalf("%s: ran before its time: %v %+v", at, err, run)
		}
	}
	setClock(c, "2026-11-25 19:30")
	if run, err = c.db.BackupTick(ctx); err != nil || run == nil {
		t.Fatalf("19:30: did not run: %v", err)
	}
	setClock(c, "2026-11-25 19:45")
	if run, err := c.db.BackupTick(ctx); err != nil || run != nil {
		t.Fatalf("ran twice on one day: %v %+v", err, run)
	}
	if n := len(backupFiles(t, folder)); n != 2 {
		t.Fatalf("%d files after two backups", n)
	}
	setClock(c, "2026-11-26 19:31")
	if run, err = c.db.BackupTick(ctx); err != nil || run == nil {
		t.Fatalf("next day: did not run: %v", err)
	}
	files := backupFiles(t, folder)
	if len(files) != 2 || files[1] != run.File || len(run.Removed) != 1 {
		t.Fatalf("keep 2: files %v, removed %v", files, run.Removed)
	}
	if rows := auditRows(t, c, "backup.run"); len(rows) != 6 || !strings.HasPrefix(rows[5], "ok hms:backup-schedule wrote and verified") {
		t.Fatalf("audit rows: %q", rows)
	}
	st, err := c.svc.Backups.BackupStatus(c.ctx(app.RoleAdmin))
	if err != nil || st.Warning != "" || st.LastGoodFile != run.File {
		t.Fatalf("status: %v %+v", err, st)
	}
	// The last backup restores to an identical database.
	want, err := data.CountRows(c.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	path := c.db.Path()
	c.db.Close()
	if _, err := data.RestoreBackup(path, run.File, key.Identity, data.Options{HashParams: cheapHash}, false); err != nil {
		t.Fatal(err)
	}
	got, _ := data.CountRows(path)
	// The database went on after the snapshot with the run's own status row
	// and audit row, and the seal of the status row (desk_backup is sealed,
	// desk migration 0215): those are the only difference.
	want["audit_log"]--
	want["audit_seal"]--
	if !maps.Equal(want, got) {
		t.Fatalf("restored counts differ:\nwant %v\ngot  %v", want, got)
	}
	db := reopen(t, path, c.clock.Now)
	if rep, err := db.Verify(anon); err != nil || !rep.OK() {
		t.Fatalf("restored database does not verify: %v %+v", err, rep)
	}
}

// TestBackupWarnings: admins are warned when the folder is missing (and
// the run then fails, audited), and when the last good backup is older
// than the schedule allows.
func TestBackupWarnings(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	st, _ := c.svc.Backups.BackupStatus(admin)
	if !strings.Contains(st.Warning, "not set up") {
		t.Fatalf("not set up: %q", st.Warning)
	}
	setClock(c, "2026-11-25 20:00")
	folder, _ := setUpBackups(t, c, "19:30", 3)
	if _, err := c.db.BackupTick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ = c.svc.Backups.BackupStatus(admin); st.Warning != "" {
		t.Fatalf("after a good backup: %q", st.Warning)
	}
	os.RemoveAll(folder)
	st, _ = c.svc.Backups.BackupStatus(admin)
	if !st.FolderMissing || !strings.Contains(st.Warning, "cannot be reached") {
		t.Fatalf("folder missing: %+v", st)
	}
	setClock(c, "2026-11-26 19:30")
	if _, err := c.db.BackupTick(context.Background()); err == nil {
		t.Fatal("a backup to a missing folder succeeded")
	}
	if rows := auditRows(t, c, "backup.run"); !strings.HasPrefix(rows[len(rows)-1], "failed hms:backup-schedule failed: The backup folder") {
		t.Fatalf("audit: %q", rows)
	}
	// Retried after BackupRetry, not at every tick.
	setClock(c, "2026-11-26 19:40")
	if run, err := c.db.BackupTick(context.Background()); run != nil || err != nil {
		t.Fatalf("retried at once: %v", err)
	}
	os.Mkdir(folder, 0o700)
	setClock(c, "2026-11-26 21:00")
	st, _ = c.svc.Backups.BackupStatus(admin)
	if !strings.Contains(st.Warning, "one was due at Thu 2026-11-26 19:30") {
		t.Fatalf("overdue: %q", st.Warning)
	}
	if run, err := c.db.BackupTick(context.Background()); run == nil || err != nil {
		t.Fatalf("retry: %v", err)
	}
	if st, _ = c.svc.Backups.BackupStatus(admin); st.Warning != "" {
		t.Fatalf("after the retry: %q", st.Warning)
	}
}

// TestBackupSettingsRefused: bad settings are refused next to their field
// and change nothing; only admins configure, run or check (the role
// matrix calls every method as every role), and each refusal is audited.
func TestBackupSettingsRefused(t *testing.T) {
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	key, _ := data.NewRecoveryKey()
	dir := t.TempDir()
	for _, tc := range []struct {
		s     app.BackupSettings
		field string
	}{
		{app.BackupSettings{DailyAt: "19:30", Recipient: key.Recipient}, "folder"},
		{app.BackupSettings{Folder: filepath.Join(dir, "absent"), DailyAt: "19:30", Recipient: key.Recipient}, "folder"},
		{app.BackupSettings{Folder: "relative", DailyAt: "19:30", Recipient: key.Recipient}, "folder"},
		{app.BackupSettings{Folder: filepath.Dir(c.db.Path()), DailyAt: "19:30", Recipient: key.Recipient}, "folder"},
		{app.BackupSettings{Folder: dir, DailyAt: "25:00", Recipient: key.Recipient}, "daily_at"},
		{app.BackupSettings{Folder: dir, Recipient: key.Recipient}, "daily_at"},
		{app.BackupSettings{Folder: dir, DailyAt: "19:30", Keep: 400, Recipient: key.Recipient}, "keep"},
		{app.BackupSettings{Folder: dir, DailyAt: "19:30"}, "recipient"},
		{app.BackupSettings{Folder: dir, DailyAt: "19:30", Recipient: "age1notakey"}, "recipient"},
		{app.BackupSettings{Folder: dir, DailyAt: "19:30", Recipient: key.Identity}, "recipient"},
	} {
		_, err := c.svc.Backups.SetBackupSettings(admin, tc.s)
		var fe *app.Error
		if !asAppError(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: want a %s error, got %v", tc.s, tc.field, err)
		}
	}
	if s, _ := c.svc.Backups.BackupSettings(admin); s.Folder != "" {
		t.Fatalf("refused settings were kept: %+v", s)
	}
	for _, r := range []app.Role{app.RoleDoctor, app.RoleReception, app.RolePatient} {
		if _, err := c.svc.Backups.BackupNow(c.ctx(r)); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("%s ran a backup: %v", r, err)
		}
	}
	if rows := auditRows(t, c, "backup.run"); len(rows) != 3 || !strings.HasPrefix(rows[0], "denied doctor1") {
		t.Fatalf("denials audited: %q", rows)
	}
}

func asAppError(err error, target **app.Error) bool { return errors.As(err, target) }

// TestBackupOfTamperedDatabase: a database with a record changed outside
// the app (someone holding the file) is not backed up as if it were good,
// and the daily backup never removes an older backup for it: the last good
// copy stays. The administrator is told in the backup warning which record
// differs and where to look.
func TestBackupOfTamperedDatabase(t *testing.T) {
	c := mustSetup(t)
	ctx := context.Background()
	setClock(c, "2026-11-25 20:00")
	folder, key := setUpBackups(t, c, "19:30", 1)
	good, err := c.db.BackupTick(ctx)
	if err != nil || good == nil {
		t.Fatalf("first backup: %v %+v", err, good)
	}
	zoe := c.users[app.RolePatient].PatientID
	var zoeFamily string
	if err := rawDB(t, c.db).QueryRow(`SELECT family_name FROM patients WHERE id = ?`, zoe).Scan(&zoeFamily); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, c.db).Exec(`UPDATE patients SET family_name = 'Nobody' WHERE id = ?`, zoe); err != nil {
		t.Fatal(err)
	}
	setClock(c, "2026-11-26 19:31")
	const differs = "patients " // … (patient P-D1-000001 zoe Nobody) was altered outside the app
	run, err := c.db.BackupTick(ctx)
	if run != nil || err == nil || !strings.Contains(app.ErrorMessage(err), differs) ||
		!strings.Contains(app.ErrorMessage(err), "was altered outside the app") || strings.Contains(app.ErrorMessage(err), ".partial") {
		t.Fatalf("the backup of the tampered database: %+v, %v; want it refused, naming the record", run, err)
	}
	if files := backupFiles(t, folder); len(files) != 1 || files[0] != good.File {
		t.Errorf("files after the backup of the tampered database: %v; want the good one kept", files)
	}
	st, err := c.svc.Backups.BackupStatus(c.ctx(app.RoleAdmin))
	if err != nil || !strings.Contains(st.Warning, "the last backup failed: Not backed up") ||
		!strings.Contains(st.Warning, "was altered outside the app") || !strings.Contains(st.Warning, "No older backup was removed") ||
		!strings.Contains(st.Warning, "does not pass its checks (Audit → Verify database") {
		t.Errorf("the administrator's warning: %q, %v", st.Warning, err)
	}
	if rows := auditRows(t, c, "backup.run"); !strings.HasPrefix(rows[len(rows)-1], "failed hms:backup-schedule failed: Not backed up") {
		t.Errorf("audit: %q", rows[len(rows)-1])
	}

	// Not tried again every BackupRetry, as after an unplugged drive: the
	// database cannot pass its checks until someone acts, and each try is
	// a whole backup and check (minutes at a million patients). Nor on
	// closing the app. The next daily backup tries again.
	tries := len(auditRows(t, c, "backup.run"))
	setClock(c, "2026-11-26 20:05")
	if run, err := c.db.BackupTick(ctx); run != nil || err != nil {
		t.Errorf("35 minutes after the refused backup: %+v, %v; want nothing tried", run, err)
	}
	setClock(c, "2026-11-27 08:00")
	if run, err := c.db.BackupTick(ctx); run != nil || err != nil {
		t.Errorf("the next morning: %+v, %v; want nothing tried", run, err)
	}
	if _, err := c.svc.Backups.SetBackupSettings(c.ctx(app.RoleAdmin), app.BackupSettings{Folder: folder, DailyAt: "19:30",
		Keep: 1, Recipient: key.Recipient, OnClose: true}); err != nil {
		t.Fatal(err)
	}
	if run, err := c.db.BackupOnClose(ctx); run != nil || err != nil {
		t.Errorf("on closing: %+v, %v; want nothing tried", run, err)
	}
	if n := len(auditRows(t, c, "backup.run")); n != tries {
		t.Errorf("%d backup rows in the audit log after the refused one's, want none", n-tries)
	}
	setClock(c, "2026-11-27 19:31")
	if run, err := c.db.BackupTick(ctx); run != nil || err == nil || !strings.Contains(app.ErrorMessage(err), "does not pass its checks") {
		t.Errorf("the next daily backup: %+v, %v; want it tried and refused again", run, err)
	}
	// Put right (the record set back as it was, as a restore would), the
	// next daily backup goes through, and so the retries are as before.
	if _, err := rawDB(t, c.db).Exec(`UPDATE patients SET family_name = ? WHERE id = ?`, zoeFamily, zoe); err != nil {
		t.Fatal(err)
	}
	setClock(c, "2026-11-28 19:31")
	if run, err := c.db.BackupTick(ctx); run == nil || err != nil {
		t.Fatalf("the daily backup after the record was put back: %+v, %v", run, err)
	}
}
