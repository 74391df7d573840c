package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

// realHarness is a harness whose UI runs on a real clinic database opened
// as the app opens it (data.Desk), with its in-app restore.
func realHarness(t *testing.T) (*harness, *datatest.Clinic, *data.Desk) {
	t.Helper()
	c := datatest.MustSetup(t)
	path := c.DB.Path()
	c.DB.Close()
	d, err := data.OpenDesk(path, data.Options{HashParams: datatest.CheapHash, Now: c.Clock.Now}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	h := newHarness(t)
	h.now = c.Clock.Now()
	h.u = New(h.a, d.Services(), Options{Title: "HMS", Now: h.clock, DBPath: path, Restore: d.Restore,
		BackupOnClose: func() (*app.BackupRun, error) { return d.BackupOnClose(context.Background()) }})
	h.u.do = h.enqueue
	h.u.idleTick = 0
	return h, c, d
}

// loginReal logs in with a real account.
func (h *harness) loginReal(username, password string) {
	h.t.Helper()
	if h.u.login == nil {
		h.u.Start()
	}
	test.Type(h.u.login.username, username)
	test.Type(h.u.login.password, password)
	test.Tap(h.u.login.loginBtn)
	h.waitFor("the main window", func() bool { return h.u.main != nil })
}

// waitLong is waitFor for real backups, which take longer than a mock.
func (h *harness) waitLong(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; window shows: %q", what, h.texts())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBackupsTab: an administrator sets backups up in Settings → Backups
// (errors next to their fields, the recovery key shown once and used only
// once kept), backs up, sees the status bar's warning when the folder is
// gone, and restores the backup from the app, which logs everyone out.
func TestBackupsTab(t *testing.T) {
	h, c, d := realHarness(t)
	h.loginReal("admin", datatest.AdminPassword)
	st, err := d.DB().BackupState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.u.ReportBackup(st)
	h.drain()
	if !h.u.main.backupLabel.Visible() || !strings.Contains(h.u.main.backupLabel.Text, "not set up") {
		t.Fatalf("status bar: %q visible %v", h.u.main.backupLabel.Text, h.u.main.backupLabel.Visible())
	}
	test.Tap(h.u.main.backupLabel) // opens Settings → Backups
	s := h.u.main.backups
	if s == nil || h.u.main.settingsTabs.Selected().Text != settingsTabBackups {
		t.Fatal("the warning did not open Settings → Backups")
	}
	h.waitFor("the backup settings", func() bool { return s.keep.Text == "14" })

	folder := filepath.Join(t.TempDir(), "usb")
	s.folder.SetText(folder) // not there yet
	test.Tap(s.save)
	h.waitLong("the recipient error", func() bool { return s.errs.text("recipient") != "" })

	test.Tap(s.newKey)
	h.waitLong("the recovery key", func() bool { return s.keyDialog != nil })
	kd := s.keyDialog
	if !strings.Contains(kd.text.Text, kd.key.Identity) || !strings.Contains(kd.text.Text, kd.key.Recipient) {
		t.Fatalf("the dialog does not show the key: %q", kd.text.Text)
	}
	if !kd.done.Disabled() {
		t.Fatal("the key can be used before it is kept")
	}
	kd.kept.SetChecked(true)
	test.Tap(kd.done)
	h.waitLong("the folder error", func() bool { return s.errs.text("folder") != "" })
	if s.recipient.Text != kd.key.Recipient {
		t.Fatalf("recipient %q", s.recipient.Text)
	}
	os.Mkdir(folder, 0o700)
	test.Tap(s.save)
	h.waitLong("saved", func() bool { return s.saved.Visible() && strings.Contains(s.saved.Text, "saved") })
	got, err := d.Services().Backups.BackupSettings(h.u.ctx())
	if err != nil || got.Folder != folder || got.Recipient != kd.key.Recipient || got.DailyAt != "19:30" || !got.OnClose {
		t.Fatalf("settings kept: %v %+v", err, got)
	}

	test.Tap(s.backupNow)
	h.waitLong("the backup", func() bool { return strings.Contains(s.saved.Text, "Backed up to") })
	files, _ := filepath.Glob(filepath.Join(folder, "*.hmsbackup"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	if h.u.main.backupLabel.Visible() {
		t.Fatalf("warning after a good backup: %q", h.u.main.backupLabel.Text)
	}

	// The folder disappears (the USB drive is unplugged): admins are warned.
	os.Rename(folder, folder+".away")
	st, _ = d.DB().BackupState(context.Background())
	h.u.ReportBackup(st)
	h.drain()
	if !h.u.main.backupLabel.Visible() || !strings.Contains(h.u.main.backupLabel.Text, "cannot be reached") {
		t.Fatalf("missing folder: %q", h.u.main.backupLabel.Text)
	}
	os.Rename(folder+".away", folder)

	// A change after the backup, which the restore undoes.
	if _, err := d.Services().Users.ApproveUser(h.u.ctx(), c.Pending.ID); err != nil {
		t.Fatal(err)
	}
	s.file.SetText(files[0])
	other, _ := data.NewRecoveryKey()
	s.recoveryKey.SetText(other.Identity)
	test.Tap(s.check)
	h.waitLong("the wrong key's error", func() bool { return s.restoreErrs.text("recovery_key") != "" })
	if !s.restore.Disabled() {
		t.Fatal("restore enabled after a failed check")
	}
	s.recoveryKey.SetText(kd.key.Identity)
	test.Tap(s.check)
	h.waitLong("the check", func() bool { return strings.Contains(s.checkResult.Text, "✓") })
	if s.restore.Disabled() {
		t.Fatalf("restore disabled after a good check: %q", s.checkResult.Text)
	}
	test.Tap(s.restore)
	if s.confirm == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(s.confirm)
	h.waitLong("the login after the restore", func() bool { return h.u.login != nil })
	if !h.shows("Restored from " + files[0]) {
		t.Fatalf("login window: %q", h.texts())
	}
	h.loginReal("admin", datatest.AdminPassword)
	u, err := h.u.svc.Users.FindUserByID(h.u.ctx(), c.Pending.ID)
	if err != nil || u.Status != app.StatusPending {
		t.Fatalf("after the restore: %v %+v", err, u)
	}
}

// TestBackupsHiddenFromStaff: no Backups tab and no backup warning for
// staff who are not administrators.
func TestBackupsHiddenFromStaff(t *testing.T) {
	h, c, d := realHarness(t)
	h.loginReal(c.Users[app.RoleDoctor].Username, "a long staff password doctor")
	st, _ := d.DB().BackupState(context.Background())
	h.u.ReportBackup(st)
	h.drain()
	if h.u.main.backupLabel.Visible() {
		t.Fatal("a doctor sees the backup warning")
	}
	if h.u.canManageBackups() {
		t.Fatal("a doctor may manage backups")
	}
}

// TestBackupOnClose: closing the window runs the backup on closing, and
// quits once it is written.
func TestBackupOnClose(t *testing.T) {
	h, _, d := realHarness(t)
	h.loginReal("admin", datatest.AdminPassword)
	ctx := h.u.ctx()
	key, _ := d.Services().Backups.NewRecoveryKey(ctx)
	folder := t.TempDir()
	if _, err := d.Services().Backups.SetBackupSettings(ctx, app.BackupSettings{Folder: folder, OnClose: true, Keep: 2,
		Recipient: key.Recipient}); err != nil {
		t.Fatal(err)
	}
	h.u.onCloseRequest()
	if h.u.closing == nil {
		t.Fatal("no dialog while backing up")
	}
	h.waitLong("the backup on closing", func() bool { return h.u.closing == nil })
	if files, _ := filepath.Glob(filepath.Join(folder, "*.hmsbackup")); len(files) != 1 {
		t.Fatalf("files %v", files)
	}
}
