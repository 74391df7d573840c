package ui

// Settings → Backups: the desk's automatic backups (folder, schedule, how
// many to keep, the clinic's backup key), a backup by hand, the recovery
// key shown once, and a restore from a backup. Administrators only: the
// service refuses everyone else.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// settingsTabBackups is the Backups tab of the Settings area.
var settingsTabBackups = i18n.N("Backups")

type backupsScreen struct {
	u *UI

	status  *widget.Label
	warning *widget.Label

	folder       *escEntry
	chooseFolder *widget.Button
	daily        *escCheck
	dailyAt      *escEntry
	onClose      *escCheck
	keep         *escEntry
	recipient    *escEntry
	newKey       *widget.Button
	save         *widget.Button
	backupNow    *widget.Button
	saved        *widget.Label
	errs         fieldErrors

	file        *escEntry
	chooseFile  *widget.Button
	recoveryKey *escEntry
	check       *widget.Button
	checkResult *widget.Label
	restore     *widget.Button
	restoreErrs fieldErrors
	// checked is the file and key the last check passed with; the restore
	// button restores only those.
	checked [2]string

	keyDialog *recoveryKeyDialog // open while a new recovery key is shown
	confirm   *escButton         // the confirmation's restore button, while it is open
	confirmD  dialog.Dialog

	content fyne.CanvasObject
}

func newBackupsScreen(u *UI) *backupsScreen {
	s := &backupsScreen{u: u, errs: fieldErrors{}, restoreErrs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *backupsScreen) buildUI() {
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.warning = widget.NewLabel("")
	s.warning.Importance = widget.DangerImportance
	s.warning.Wrapping = fyne.TextWrapWord
	s.warning.Hide()

	s.folder = entry(T("A USB drive or a network share, e.g. /media/usb/hms-backups or \\\\nas\\backups\\hms"))
	s.chooseFolder = widget.NewButton(T("Choose…"), s.onChooseFolder)
	s.daily = newCheck(T("Every day at"), nil)
	s.dailyAt = entry(T("HH:MM, e.g. 19:30"))
	s.onClose = newCheck(T("When the app is closed on this computer"), nil)
	s.keep = entry(T("How many backups stay in the folder"))
	s.recipient = entry(T("age1… (the clinic's backup public key)"))
	s.newKey = widget.NewButton(T("Make a new recovery key…"), s.onNewKey)
	s.save = widget.NewButton(T("Save backup settings"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable()
	s.backupNow = widget.NewButton(T("Back up now"), s.onBackupNow)
	s.saved = widget.NewLabel("")
	s.saved.Importance = widget.SuccessImportance
	s.saved.Wrapping = fyne.TextWrapWord
	s.saved.Hide()
	s.errs[""] = newErrorLabel()

	form := widget.NewForm(
		widget.NewFormItem(T("Folder"), s.errs.add("folder", container.NewBorder(nil, nil, nil, s.chooseFolder, s.folder))),
		widget.NewFormItem(T("Back up"), s.errs.add("daily_at", container.NewVBox(
			container.NewBorder(nil, nil, s.daily, nil, s.dailyAt), s.onClose))),
		widget.NewFormItem(T("Keep"), s.errs.add("keep", s.keep)),
		widget.NewFormItem(T("Backup key"), s.errs.add("recipient", container.NewBorder(nil, nil, nil, s.newKey, s.recipient))),
	)
	explain := widget.NewLabel(T("Each backup is one file holding the database and its audit key, encrypted to the " +
		"clinic's backup key: the desk needs no password to write it, and a lost drive shows nothing. Opening a " +
		"backup needs the recovery key, which HMS shows once when it is made and never keeps. Without it no " +
		"backup can be restored: print it or save it, and keep it locked away from the backups."))
	explain.Wrapping = fyne.TextWrapWord

	s.file = entry(T("The backup file (.hmsbackup, or a plain copy made by hms backup)"))
	s.chooseFile = widget.NewButton(T("Choose…"), s.onChooseFile)
	s.recoveryKey = passwordEntry(T("AGE-SECRET-KEY-1… (for an encrypted backup)"))
	s.check = widget.NewButton(T("Check backup"), s.onCheck)
	s.checkResult = widget.NewLabel("")
	s.checkResult.Wrapping = fyne.TextWrapWord
	s.restore = widget.NewButton(T("Restore this backup…"), s.onRestore)
	s.restore.Importance = widget.DangerImportance
	s.restore.Disable()
	s.restoreErrs[""] = newErrorLabel()
	restoreForm := widget.NewForm(
		widget.NewFormItem(T("Backup file"), s.restoreErrs.add("file", container.NewBorder(nil, nil, nil, s.chooseFile, s.file))),
		widget.NewFormItem(T("Recovery key"), s.restoreErrs.add("recovery_key", s.recoveryKey)),
	)
	if s.u.opt.Restore == nil {
		s.restore.Hide()
	}

	s.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(T("Automatic backups of this computer"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.status, s.warning,
		container.New(widthLayout{720}, container.NewVBox(explain, form, s.errs[""])),
		container.NewHBox(layout.NewSpacer(), s.backupNow, s.save),
		s.saved,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(T("Restore from a backup"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.New(widthLayout{720}, container.NewVBox(restoreForm, s.restoreErrs[""], s.checkResult)),
		container.NewHBox(layout.NewSpacer(), s.check, s.restore),
	))
}

// load fills the form and the status from the service.
func (s *backupsScreen) load() {
	type loaded struct {
		set *app.BackupSettings
		st  *app.BackupStatus
	}
	background(s.u, func(ctx context.Context) (loaded, error) {
		set, err := s.u.svc.Backups.BackupSettings(ctx)
		if err != nil {
			return loaded{}, err
		}
		st, err := s.u.svc.Backups.BackupStatus(ctx)
		return loaded{set, st}, err
	}, func(l loaded, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.fill(l.set)
		s.showStatus(l.st)
		s.save.Enable()
	})
}

func (s *backupsScreen) fill(set *app.BackupSettings) {
	s.folder.SetText(set.Folder)
	s.daily.SetChecked(set.DailyAt != "" || set.Folder == "")
	s.dailyAt.SetText(set.DailyAt)
	if set.DailyAt == "" && set.Folder == "" {
		s.dailyAt.SetText("19:30")
		s.onClose.SetChecked(true)
	} else {
		s.onClose.SetChecked(set.OnClose)
	}
	keep := set.Keep
	if keep == 0 {
		keep = app.DefaultBackupKeep
	}
	s.keep.SetText(strconv.Itoa(keep))
	s.recipient.SetText(set.Recipient)
}

// showStatus shows where the backups stand, and tells the status bar.
func (s *backupsScreen) showStatus(st *app.BackupStatus) {
	if st == nil {
		return
	}
	now := s.u.now().In(s.u.location())
	switch {
	case st.LastGood.IsZero():
		s.status.SetText(T("No backup of this computer has been written yet."))
	default:
		s.status.SetText(Tf("Last good backup: %s, %s (written and verified).",
			clockTime(st.LastGood, now), st.LastGoodFile))
	}
	if st.Warning != "" {
		s.warning.SetText(backupWarningText(st))
		s.warning.Show()
	} else {
		s.warning.Hide()
	}
	s.u.showBackupStatus(st)
}

func (s *backupsScreen) onChooseFolder() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			s.folder.SetText(dir.Path())
		}
	}, s.u.win)
	d.Show()
}

func (s *backupsScreen) onChooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err == nil && r != nil {
			s.file.SetText(r.URI().Path())
			r.Close()
		}
	}, s.u.win)
	d.Show()
}

// settingsFromForm reads the form; ok is false when a field is not even
// a number, its message shown.
func (s *backupsScreen) settingsFromForm() (app.BackupSettings, bool) {
	keep, err := strconv.Atoi(strings.TrimSpace(s.keep.Text))
	if err != nil {
		s.errs.set("keep", T("Enter a whole number of backups, e.g. 14."))
		return app.BackupSettings{}, false
	}
	set := app.BackupSettings{Folder: s.folder.Text, OnClose: s.onClose.Checked, Keep: keep, Recipient: s.recipient.Text}
	if s.daily.Checked {
		set.DailyAt = s.dailyAt.Text
		if strings.TrimSpace(set.DailyAt) == "" {
			s.errs.set("daily_at", T("Enter the time of the daily backup, e.g. 19:30."))
			return app.BackupSettings{}, false
		}
	}
	return set, true
}

func (s *backupsScreen) onSave() {
	s.errs.clear()
	s.saved.Hide()
	set, ok := s.settingsFromForm()
	if !ok {
		return
	}
	s.save.Disable()
	background(s.u, func(ctx context.Context) (*app.BackupStatus, error) {
		if _, err := s.u.svc.Backups.SetBackupSettings(ctx, set); err != nil {
			return nil, err
		}
		return s.u.svc.Backups.BackupStatus(ctx)
	}, func(st *app.BackupStatus, err error) {
		s.save.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.fill(&st.Settings)
		s.showStatus(st)
		s.saved.SetText(T("Backup settings saved."))
		s.saved.Show()
	})
}

func (s *backupsScreen) onBackupNow() {
	s.errs.clear()
	s.saved.Hide()
	s.backupNow.Disable()
	s.backupNow.SetText(T("Backing up…"))
	type result struct {
		run *app.BackupRun
		st  *app.BackupStatus
	}
	background(s.u, func(ctx context.Context) (result, error) {
		run, err := s.u.svc.Backups.BackupNow(ctx)
		st, _ := s.u.svc.Backups.BackupStatus(ctx)
		return result{run, st}, err
	}, func(r result, err error) {
		s.backupNow.Enable()
		s.backupNow.SetText(T("Back up now"))
		s.showStatus(r.st)
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		msg := Tf("Backed up to %s and verified: %d rows in %d tables.", r.run.File, r.run.Rows, r.run.Tables)
		if len(r.run.Removed) > 0 {
			msg += Tf(" Removed the oldest: %s.", strings.Join(r.run.Removed, ", "))
		}
		s.saved.SetText(msg)
		s.saved.Show()
	})
}

// onNewKey makes a key pair and shows its recovery key once.
func (s *backupsScreen) onNewKey() {
	s.errs.clear()
	background(s.u, func(ctx context.Context) (*app.RecoveryKey, error) {
		return s.u.svc.Backups.NewRecoveryKey(ctx)
	}, func(k *app.RecoveryKey, err error) {
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.keyDialog = newRecoveryKeyDialog(s, k)
	})
}

// recoveryKeyText is the recovery key as it is saved or printed.
func recoveryKeyText(k *app.RecoveryKey, clinic string, now time.Time) string {
	return Tf(`# HMS backup recovery key
# Clinic: %s
# Made: %s
# Backup public key: %s
# Whoever holds this key can open every backup made with it. Keep it
# locked away, never on the drive or share that holds the backups.
%s
`, clinic, tr().LongDate(now)+" "+now.Format("15:04"), k.Recipient, k.Identity)
}

// groupKey splits a recovery key after its AGE-SECRET-KEY-1 prefix into
// groups of five, for writing down.
func groupKey(k string) string {
	const prefix = "AGE-SECRET-KEY-1" //i18n:ok the key's format
	rest, ok := strings.CutPrefix(k, prefix)
	if !ok {
		return k
	}
	var b strings.Builder
	b.WriteString(prefix)
	for i, r := range rest {
		if i%5 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recoveryKeyDialog shows a new recovery key once. The key becomes the
// desk's backup key only after the administrator says it is kept.
type recoveryKeyDialog struct {
	s    *backupsScreen
	key  *app.RecoveryKey
	d    dialog.Dialog
	text *escEntry
	save *escButton
	copy *escButton
	kept *escCheck
	done *escButton
}

func newRecoveryKeyDialog(s *backupsScreen, k *app.RecoveryKey) *recoveryKeyDialog {
	kd := &recoveryKeyDialog{s: s, key: k}
	clinic := ""
	if s.u.settings != nil {
		clinic = s.u.settings.ClinicName
	}
	body := recoveryKeyText(k, clinic, s.u.now().In(s.u.location()))
	kd.text = multiLineEntry()
	kd.text.SetText(body)
	kd.text.Wrapping = fyne.TextWrapBreak
	kd.text.SetMinRowsVisible(9)
	byHand := widget.NewLabelWithStyle(groupKey(k.Identity), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	byHand.Wrapping = fyne.TextWrapWord
	kd.text.OnChanged = func(string) { // shown to read and copy, not to edit
		if kd.text.Text != body {
			kd.text.SetText(body)
		}
	}
	intro := widget.NewLabel(T("This is the recovery key of the new backup key. HMS will not show it again and " +
		"does not keep it: without it, no backup made with this key can be restored.\n\n" +
		"Print it (save it as a file and print that) or write it down, and keep the paper in a locked place " +
		"such as the clinic's safe, with a second copy off site (the owner's home, the accountant). Never keep " +
		"it on the USB drive or share that holds the backups, and never e-mail it. You can use the same key on " +
		"every computer of the clinic: paste its backup public key (age1…) there instead of making a new one."))
	intro.Wrapping = fyne.TextWrapWord
	kd.save = newButton(T("Save as a file…"), kd.onSave)
	kd.copy = newButton(T("Copy"), func() { s.u.fyneApp.Clipboard().SetContent(body) })
	kd.done = newButton(T("Use this key"), kd.onDone)
	kd.done.Importance = widget.HighImportance
	kd.done.Disable()
	kd.kept = newCheck(T("I have printed or saved the recovery key and will keep it away from the backups"), func(on bool) {
		if on {
			kd.done.Enable()
		} else {
			kd.done.Disable()
		}
	})
	cancel := newButton(T("Cancel"), func() { kd.d.Hide(); s.keyDialog = nil })
	content := container.NewVBox(intro, kd.text, container.NewHBox(kd.save, kd.copy),
		widget.NewLabel(T("To write it down by hand (the spaces do not matter when it is typed back; it has no letters O, I or B, only the digits 0 and 8):")), byHand, kd.kept,
		container.NewHBox(layout.NewSpacer(), cancel, kd.done))
	kd.d = dialog.NewCustomWithoutButtons(T("New recovery key"), container.New(widthLayout{640}, content), s.u.win)
	kd.d.Show()
	return kd
}

func (kd *recoveryKeyDialog) onSave() {
	saveDialog(kd.s.u.win, "hms-recovery-key.txt", nil, func(w fyne.URIWriteCloser, err error) {
		if err == nil && w != nil {
			_, err = w.Write([]byte(kd.text.Text))
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			showError(app.Errorf(app.EINVALID, "%s", Tf("The recovery key could not be saved: %v.", err)), kd.s.u.win)
		}
	})
}

// onDone puts the new key in the form and saves the settings with it.
func (kd *recoveryKeyDialog) onDone() {
	kd.d.Hide()
	kd.s.keyDialog = nil
	kd.s.recipient.SetText(kd.key.Recipient)
	kd.s.onSave()
}

// restoreFields reads the restore form.
func (s *backupsScreen) restoreFields() (file, key string) {
	return strings.TrimSpace(s.file.Text), s.recoveryKey.Text
}

func (s *backupsScreen) onCheck() {
	s.restoreErrs.clear()
	s.checkResult.SetText("")
	s.restore.Disable()
	file, key := s.restoreFields()
	if file == "" {
		s.restoreErrs.set("file", T("Choose the backup file to restore."))
		return
	}
	s.check.Disable()
	s.check.SetText(T("Checking…"))
	background(s.u, func(ctx context.Context) (*app.BackupCheck, error) {
		return s.u.svc.Backups.CheckBackup(ctx, file, key)
	}, func(c *app.BackupCheck, err error) {
		s.check.Enable()
		s.check.SetText(T("Check backup"))
		if err != nil {
			s.restoreErrs.show(err, s.u.win)
			return
		}
		var b strings.Builder
		if c.Encrypted {
			b.WriteString(Tf("Backup of desk %s made %s: %d rows, schema %d.\n", c.Desk,
				clockTime(c.Created, s.u.now().In(s.u.location())), c.Rows, c.Schema))
		}
		for _, line := range c.Checked {
			b.WriteString("✓ " + Tx(line) + "\n")
		}
		if c.OtherKey {
			b.WriteString(T("! Its audit key is not this computer's: it is a backup of another computer, or of this " +
				"database before a restore. Restore it only if you know where it comes from.\n"))
		}
		for _, line := range c.Problems {
			b.WriteString("✗ " + Tx(line) + "\n")
		}
		if len(c.Problems) > 0 {
			b.WriteString(T("This backup cannot be restored from the app."))
		}
		s.checkResult.SetText(strings.TrimSpace(b.String()))
		if len(c.Problems) == 0 {
			s.checked = [2]string{file, key}
			s.restore.Enable()
		}
	})
}

// onRestore asks before replacing the database with the checked backup.
func (s *backupsScreen) onRestore() {
	file, key := s.restoreFields()
	if s.checked != [2]string{file, key} {
		s.restore.Disable()
		s.restoreErrs.set("", T("Check the backup again: the file or key changed since the check."))
		return
	}
	msg := widget.NewLabel(Tf("This replaces the database of this computer with the backup %s. "+
		"Everything written since the backup was made is no longer in use; the current database is kept aside, "+
		"not deleted. Everyone is logged out.", file))
	msg.Wrapping = fyne.TextWrapWord
	cancel := newButton(T("Cancel"), func() { s.confirmD.Hide(); s.confirm = nil })
	s.confirm = newButton(T("Restore and log everyone out"), func() {
		s.confirmD.Hide()
		s.confirm = nil
		s.doRestore(file, key)
	})
	s.confirm.Importance = widget.DangerImportance
	s.confirmD = dialog.NewCustomWithoutButtons(T("Restore this backup?"), container.New(widthLayout{520},
		container.NewVBox(msg, container.NewHBox(layout.NewSpacer(), cancel, s.confirm))), s.u.win)
	s.confirmD.Show()
}

func (s *backupsScreen) doRestore(file, key string) {
	s.restore.Disable()
	s.check.Disable()
	s.restore.SetText(T("Restoring…"))
	type result struct {
		svc app.Services
		rep *app.RestoreReport
	}
	u := s.u
	background(u, func(ctx context.Context) (result, error) {
		svc, rep, err := u.opt.Restore(ctx, file, key)
		return result{svc, rep}, err
	}, func(r result, err error) {
		if r.svc.Settings != nil {
			u.svc = r.svc // the database open now, restored or not
		}
		if err != nil {
			s.restore.SetText(T("Restore this backup…"))
			s.check.Enable()
			s.restoreErrs.show(err, u.win)
			return
		}
		info := Tf("Restored from %s. The previous database is kept at %s. Log in again.", file, r.rep.Aside)
		u.showLoginFor("", info)
	})
}

// ReportBackup takes in where the desk's backups stand, from any
// goroutine: main's backup schedule calls it after each look.
func (u *UI) ReportBackup(st *app.BackupStatus) {
	if st == nil {
		return
	}
	cp := *st
	u.do(func() { u.showBackupStatus(&cp) })
}

// canManageBackups says whether the logged-in user sees the backups'
// warnings and screen.
func (u *UI) canManageBackups() bool {
	return u.session != nil && u.session.User != nil && u.svc.Backups != nil &&
		app.CanManageBackups(u.session.Caller()) == nil
}

// showBackupStatus shows the backups' warning in the status bar, to
// administrators only.
func (u *UI) showBackupStatus(st *app.BackupStatus) {
	u.backupState = st
	if u.main != nil {
		u.main.showBackupWarning()
	}
}

// showBackupWarning shows or hides the status bar's backup warning.
func (s *mainScreen) showBackupWarning() {
	st := s.u.backupState
	if st == nil || st.Warning == "" || !s.u.canManageBackups() {
		s.backupLabel.Hide()
		return
	}
	s.backupLabel.SetText(backupWarningText(st))
	s.backupLabel.Show()
}

// onCloseRequest runs the backup on closing, if the desk has one, before
// the app quits; a failed backup asks whether to close all the same.
func (u *UI) onCloseRequest() {
	if u.closing != nil {
		return // already backing up
	}
	bar := widget.NewProgressBarInfinite()
	// A share that does not answer must not keep the app open: closing
	// without the backup is the person's choice, and the next daily run
	// or the status bar's warning follows it up.
	skip := newButton(T("Close without the backup"), func() { u.fyneApp.Quit() })
	u.closing = dialog.NewCustomWithoutButtons(T("Backing up before closing…"),
		container.NewVBox(widget.NewLabel(T("HMS closes when the backup is written and checked.")), bar,
			container.NewHBox(layout.NewSpacer(), skip)), u.win)
	u.closing.Show()
	do := u.do
	go func() {
		_, err := u.opt.BackupOnClose()
		do(func() {
			if u.closing != nil {
				u.closing.Hide()
			}
			u.closing = nil
			if err == nil {
				u.fyneApp.Quit()
				return
			}
			showYesNo(T("The backup failed"), errText(err)+"\n\n"+T("Close HMS without a backup?"), func(ok bool) {
				if ok {
					u.fyneApp.Quit()
				}
			}, u.win)
		})
	}()
}

// backupWarningText is the backups' warning in the screen's language.
func backupWarningText(st *app.BackupStatus) string {
	if !st.WarningText.IsZero() {
		return Tx(st.WarningText)
	}
	return st.Warning
}
