package ui

// Text that stayed English on Greek screens: the Staff screen's role
// choice, backup check lines, the sync error, report rows, the default
// wording of letters.

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
	"hms/data/datatest"
)

// The Staff screen's role choice is in the screen's language, and a
// role chosen in Greek is the role given.
func TestStaffRolesInGreek(t *testing.T) {
	inGreek(t)
	h, s := staffHarness(t)
	h.users.ChangeRoleFn = func(ctx context.Context, id string, r app.Role, _ *app.User) (*app.User, error) {
		h.record("ChangeRole", ctx, id+":"+string(r))
		return &app.User{ID: id}, nil
	}
	if !slices.Contains(s.role.Options, "Ιατρός") || slices.Contains(s.role.Options, "Doctor") {
		t.Fatalf("role options %q, want Greek", s.role.Options)
	}
	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	s.role.SetSelected("Υπάλληλος υποδοχής")
	test.Tap(s.applyRole)
	h.waitFor("the role change", func() bool { return h.called("ChangeRole") == 1 })
	if got := h.callsOf("ChangeRole")[0]; got != "u-a:reception" {
		t.Errorf("ChangeRole got %v", got)
	}
	if got := roleOf(i18n.For(i18n.Greek).T("Billing clerk")); got != app.RoleBilling {
		t.Errorf("roleOf(Greek billing clerk) = %q", got)
	}
}

// A backup check's lines are in the screen's language: the data layer
// keeps each line's format and arguments (i18n.Text).
func TestBackupCheckInGreek(t *testing.T) {
	h, _, d := realHarness(t)
	h.loginReal("admin", datatest.AdminPassword)
	ctx := h.u.ctx()
	key, err := d.Services().Backups.NewRecoveryKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "one.hmsbackup")
	if _, err := d.Services().Backups.EncryptedBackup(ctx, file, key.Recipient); err != nil {
		t.Fatal(err)
	}
	inGreek(t)
	h.u.main.showSyncTab(settingsTabBackups)
	s := h.u.main.backups
	if s == nil {
		t.Fatal("no Backups tab")
	}
	s.file.SetText(file)
	s.recoveryKey.SetText(key.Identity)
	test.Tap(s.check)
	h.waitLong("the check", func() bool { return strings.Contains(s.checkResult.Text, "✓") })
	el := i18n.For(i18n.Greek)
	for _, want := range []string{el.T("it is an HMS database whose pages pass SQLite's integrity check"),
		el.T("it decrypts with the key given, and its database is the one its manifest describes (SHA-256)")} {
		if !strings.Contains(s.checkResult.Text, want) {
			t.Errorf("the check does not say %q:\n%s", want, s.checkResult.Text)
		}
	}
	for _, english := range []string{"integrity check", "manifest counted", "verifies with the key file"} {
		if strings.Contains(s.checkResult.Text, english) {
			t.Errorf("the check says %q in English:\n%s", english, s.checkResult.Text)
		}
	}
}

// Settings → Sync says why sync fails in the screen's language.
func TestSyncErrorInGreek(t *testing.T) {
	inGreek(t)
	st := enrolledStatus
	st.FailingSince = time.Date(2026, 3, 2, 8, 40, 0, 0, time.UTC)
	stored := app.StoreError(app.Errorf(app.EINTERNAL, "The sync server cannot be reached.%s Check that it is running and its address. (%s)",
		" Nothing was lost: the changes stay queued.", "dial tcp: connection refused"))
	e := app.LoadError(stored)
	st.LastSyncError, st.LastSyncErrorText = e.Message, app.ErrorText(e)
	h := newSyncHarness(t, st)
	h.loginAs(user(app.RoleAdmin))
	m := h.u.main
	h.openArea(app.AreaSettings)
	m.showSyncTab(syncTabSync)
	s := m.syncView
	h.waitFor("the status", func() bool { return s.lastError.Visible() })
	el := i18n.For(i18n.Greek)
	want := el.F("The sync server cannot be reached.%s Check that it is running and its address. (%s)",
		el.T(" Nothing was lost: the changes stay queued."), "dial tcp: connection refused")
	if s.lastError.Text != want {
		t.Errorf("the error %q, want %q", s.lastError.Text, want)
	}
}

// Settings → Letters shows a Greek administrator the default wording in
// Greek; saved unchanged it stays the default (stored empty), which each
// letter says in its reader's language; a template's problem is said in
// Greek.
func TestLetterTemplatesInGreek(t *testing.T) {
	inGreek(t)
	h := newHarness(t)
	var sent []app.LetterTemplates
	h.settings.UpdateLetterTemplatesFn = func(ctx context.Context, lt app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error) {
		h.record("UpdateLetterTemplates", ctx, lt)
		if err := lt.Validate(); err != nil {
			return nil, err
		}
		sent = append(sent, lt)
		st, _ := h.settings.GetSettingsFn(ctx)
		cp := *st
		cp.Letters = lt
		return &cp, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	l := h.u.main.settings.letters
	h.waitFor("the letters", func() bool { return !l.save.Disabled() })
	el := i18n.For(i18n.Greek)
	if want := el.T(app.DefaultSickNoteTemplate); l.sickNote.Text != want || want == app.DefaultSickNoteTemplate {
		t.Errorf("certificate %q, want %q", l.sickNote.Text, want)
	}
	if want := el.T(app.DefaultReferralTemplate); l.referral.Text != want || want == app.DefaultReferralTemplate {
		t.Errorf("referral %q, want %q", l.referral.Text, want)
	}
	if strings.Contains(l.referralPreview.Text, "Dear colleague") || !strings.Contains(l.referralPreview.Text, "Maria Papadopoulou") {
		t.Errorf("referral preview %q", l.referralPreview.Text)
	}
	test.Tap(l.save)
	h.waitFor("the save", func() bool { return h.called("UpdateLetterTemplates") == 1 })
	if sent[0].SickNote != "" || sent[0].Referral != "" {
		t.Errorf("the Greek default was stored as the clinic's own wording: %+v", sent[0])
	}
	l.sickNote.SetText("{patient} is unfit until {until}.")
	want := el.Text(i18n.Nf("{%s} is not a placeholder of this letter: use %s.", "until", "x"))
	want = want[:strings.Index(want, ":")]
	if msg := l.errs.text("sick_note_template"); !strings.HasPrefix(msg, want) {
		t.Errorf("the problem %q, want it to begin %q", msg, want)
	}
	l.sickNote.SetText("{patient} is unwell.")
	if msg := l.errs.text("sick_note_template"); !strings.Contains(msg, "ιατρική βεβαίωση") {
		t.Errorf("the missing dates %q", msg)
	}
}

// The status bar's backup warning is in the screen's language.
func TestBackupWarningInGreek(t *testing.T) {
	h, _, d := realHarness(t)
	h.loginReal("admin", datatest.AdminPassword)
	inGreek(t)
	st, err := d.DB().BackupState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.u.ReportBackup(st)
	h.drain()
	want := i18n.For(i18n.Greek).T("Backups: automatic backups are not set up (Settings → Backups).")
	if got := h.u.main.backupLabel.Text; got != want || !h.u.main.backupLabel.Visible() {
		t.Errorf("the warning %q, want %q", got, want)
	}
}
