package app

import (
	"context"
	"strings"
	"time"

	"hms/app/i18n"
)

// BackupSettings are one desk's automatic backups: where they go, when
// they run, how many stay, and the public key they are encrypted to. They
// belong to the computer (its USB drive or network share), not the clinic,
// and do not sync.
type BackupSettings struct {
	// Folder receives the backup files: a USB drive or a network share.
	// Empty: automatic backups are off.
	Folder string
	// DailyAt is the clinic-local time ("HH:MM") of the daily backup, ""
	// for none.
	DailyAt string
	// OnClose backs up when the app is closed.
	OnClose bool
	// Keep is how many backups of this desk stay in Folder; the oldest is
	// removed only after a newer one was written and verified.
	Keep int
	// Recipient is the clinic's backup public key (an age X25519
	// recipient, "age1…"). Its private half, the recovery key, is shown
	// once when made and never stored.
	Recipient string
	UpdatedAt time.Time
	UpdatedBy string
}

// DefaultBackupKeep is how many backups stay unless the admin says.
const DefaultBackupKeep = 14

// Enabled reports whether automatic backups are set up.
func (s *BackupSettings) Enabled() bool { return s.Folder != "" && s.Recipient != "" }

// Validate checks the settings and normalizes their fields; it does not
// look at the disk (the service checks the folder).
func (s *BackupSettings) Validate() error {
	s.Folder = strings.TrimSpace(s.Folder)
	s.DailyAt = strings.TrimSpace(s.DailyAt)
	s.Recipient = strings.TrimSpace(s.Recipient)
	if err := CheckLine("folder", i18n.N("The folder"), s.Folder); err != nil {
		return err
	}
	if err := CheckLine("recipient", i18n.N("The backup public key"), s.Recipient); err != nil {
		return err
	}
	if s.Keep == 0 {
		s.Keep = DefaultBackupKeep
	}
	switch {
	case s.Folder == "":
		return FieldErrorf("folder", "Choose the folder the backups go to: a USB drive or a network share.")
	case len(s.Folder) > 1000:
		return FieldErrorf("folder", "The folder's path is too long.")
	case s.Keep < 1 || s.Keep > 365:
		return FieldErrorf("keep", "Keep 1 to 365 backups.")
	case s.DailyAt == "" && !s.OnClose:
		return FieldErrorf("daily_at", "Choose when backups run: every day at a time, when the app closes, or both.")
	case s.Recipient == "":
		return FieldErrorf("recipient", "Make a recovery key first, or paste the clinic's backup public key (it begins with age1).")
	case !strings.HasPrefix(s.Recipient, "age1") || len(s.Recipient) > 200:
		return FieldErrorf("recipient", "%q is not a backup public key: it begins with age1.", s.Recipient)
	}
	if s.DailyAt != "" {
		t, err := time.Parse("15:04", s.DailyAt)
		if err != nil {
			return FieldErrorf("daily_at", "%q is not a time of day: write it as HH:MM, e.g. 19:30.", s.DailyAt)
		}
		s.DailyAt = t.Format("15:04")
	}
	return nil
}

// SlotBefore returns the latest daily backup time at or before now, in
// loc, and false when there is no daily backup.
func (s *BackupSettings) SlotBefore(now time.Time, loc *time.Location) (time.Time, bool) {
	if s.DailyAt == "" {
		return time.Time{}, false
	}
	at, err := time.Parse("15:04", s.DailyAt)
	if err != nil {
		return time.Time{}, false
	}
	local := now.In(loc)
	slot := time.Date(local.Year(), local.Month(), local.Day(), at.Hour(), at.Minute(), 0, 0, loc)
	if slot.After(now) {
		slot = time.Date(local.Year(), local.Month(), local.Day()-1, at.Hour(), at.Minute(), 0, 0, loc)
	}
	return slot, true
}

// BackupGrace is how late a daily backup may be before admins are warned,
// and backupCloseMaxAge how old the last one may be when backups run only
// when the app closes.
const (
	BackupGrace       = time.Hour
	BackupCloseMaxAge = 7 * 24 * time.Hour
)

// BackupStatus is where a desk's automatic backups stand.
type BackupStatus struct {
	Settings BackupSettings
	// LastGood is when the last backup that was written and verified
	// finished, and LastGoodFile its file; zero when none.
	LastGood     time.Time
	LastGoodFile string
	// LastError is the last run's failure ("" when it succeeded), at
	// LastErrorAt.
	LastError   string
	LastErrorAt time.Time
	// FolderMissing: the folder cannot be reached (a USB drive not
	// plugged in, a share not mounted).
	FolderMissing bool
	// Warning is what admins see in the status bar, in English; "" when
	// all is well. WarningText is the same to show in the screen's
	// language.
	Warning     string
	WarningText i18n.Text
}

// BackupWarning says what is wrong with the backups at now, "" when
// nothing: backups not set up, the folder missing, the last good backup
// older than the schedule allows, or the last run failed. It is
// BackupWarningText in English.
func BackupWarning(st *BackupStatus, now time.Time, loc *time.Location) string {
	return BackupWarningText(st, now, loc).String()
}

// BackupWarningText is BackupWarning as a text to show in the screen's
// language (a zero Text when all is well).
func BackupWarningText(st *BackupStatus, now time.Time, loc *time.Location) i18n.Text {
	s := &st.Settings
	if !s.Enabled() {
		return i18n.Nf("Backups: automatic backups are not set up (Settings → Backups).")
	}
	if st.FolderMissing {
		return i18n.Nf("Backups: the folder %s cannot be reached; plug in the drive or connect the share.", s.Folder)
	}
	last := i18n.Nf("there is no backup yet")
	if !st.LastGood.IsZero() {
		last = i18n.Nf("the last good backup is from %s", i18n.Moment(st.LastGood.In(loc)))
	}
	if slot, ok := s.SlotBefore(now, loc); ok {
		// The previous day's slot must be covered once today's is late.
		due := slot
		if now.Sub(slot) < BackupGrace {
			due = slot.AddDate(0, 0, -1)
		}
		if st.LastGood.Before(due) && (st.LastGood.IsZero() || now.Sub(st.LastGood) > BackupGrace) {
			return i18n.Nf("Backups: %s; one was due at %s.", last, i18n.Moment(due.In(loc)))
		}
	} else if st.LastGood.IsZero() || now.Sub(st.LastGood) > BackupCloseMaxAge {
		return i18n.Nf("Backups: %s.", last)
	}
	if st.LastError != "" && st.LastErrorAt.After(st.LastGood) {
		return i18n.Nf("Backups: the last backup failed: %s", st.LastError)
	}
	return i18n.Text{}
}

// RecoveryKey is a new backup key pair: the public key the desk keeps and
// the private recovery key shown once.
type RecoveryKey struct {
	Recipient string // "age1…"
	Identity  string // "AGE-SECRET-KEY-1…": never stored by HMS
}

// BackupRun is one backup written and verified.
type BackupRun struct {
	File     string
	Bytes    int64
	Tables   int   // tables counted
	Rows     int64 // rows in them
	AuditOK  bool  // the decrypted copy's audit log verified
	Removed  []string
	Finished time.Time
}

// BackupCheck is what a backup file holds, checked without restoring it.
type BackupCheck struct {
	Encrypted bool
	Created   time.Time // when the backup was made (encrypted backups say)
	Desk      string
	Schema    int
	Rows      int64
	// Checked and Problems say each check the backup passed and failed,
	// in English as their String says them; a screen shows them in its
	// own language.
	Checked  []i18n.Text
	Problems []i18n.Text
	// OtherKey: the backup's audit key is not this database's. A backup
	// of another computer, or of a database restored since; or a forgery
	// by someone with the public key, which brings a key of its own.
	OtherKey bool
}

// BackupService runs a desk's automatic backups (admin).
type BackupService interface {
	// BackupSettings returns the desk's backup settings (admin).
	BackupSettings(ctx context.Context) (*BackupSettings, error)
	// SetBackupSettings replaces them (admin); the folder must exist.
	SetBackupSettings(ctx context.Context, s BackupSettings) (*BackupSettings, error)
	// NewRecoveryKey makes a key pair, keeps its public half as the
	// desk's backup key, and returns the private recovery key, which HMS
	// never shows again (admin).
	NewRecoveryKey(ctx context.Context) (*RecoveryKey, error)
	// BackupNow writes an encrypted backup to the folder, verifies it,
	// and removes the oldest beyond Keep (admin).
	BackupNow(ctx context.Context) (*BackupRun, error)
	// EncryptedBackup writes one encrypted backup to path, to recipient
	// (the desk's own key when ""), and verifies it (admin).
	EncryptedBackup(ctx context.Context, path, recipient string) (*BackupRun, error)
	// BackupStatus says where the backups stand (admin).
	BackupStatus(ctx context.Context) (*BackupStatus, error)
	// CheckBackup decrypts (with recoveryKey, for an encrypted one) and
	// checks a backup file as a restore would, without restoring (admin).
	CheckBackup(ctx context.Context, path, recoveryKey string) (*BackupCheck, error)
}

// RestoreReport says what a restore from the app did and checked.
type RestoreReport struct {
	// Aside is where the previous database is kept.
	Aside string
	// Checked lists each check the backup passed.
	Checked []i18n.Text
	// Key is the audit key file the backup's key was installed as, ""
	// when the database's own was kept.
	Key string
}
