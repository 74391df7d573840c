package data

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"hms/app"
)

// BackupService implements app.BackupService on the desk's own
// desk_backup table (not synced: see LocalTables).
type BackupService struct {
	db *DB
}

var _ app.BackupService = (*BackupService)(nil)

// BackupRetry is how long a failed scheduled backup waits before it is
// tried again (a USB drive plugged back in, a share come back).
const BackupRetry = 30 * time.Minute

// SchedulerCaller is who the audit log names for backups the schedule
// runs, with nobody or anybody logged in.
var SchedulerCaller = app.Caller{Username: "hms:backup-schedule", Role: app.RoleAdmin}

// deskBackup is the desk_backup row.
type deskBackup struct {
	app.BackupSettings
	lastGood, lastAttempt, lastErrorAt time.Time
	lastGoodFile, lastError            string
	// failedChecks: the last run failed because the database does not
	// pass its checks (desk migration 0247).
	failedChecks bool
}

func readDeskBackup(ctx context.Context, q rowQuerier) (*deskBackup, error) {
	var d deskBackup
	var onClose int
	var updated, good, attempt, errAt string
	err := q.QueryRowContext(ctx, `SELECT folder, daily_at, on_close, keep, recipient, updated_at, updated_by,
		last_good_at, last_good_file, last_attempt_at, last_error, last_error_at, last_error_checks FROM desk_backup WHERE id = 1`).Scan(
		&d.Folder, &d.DailyAt, &onClose, &d.Keep, &d.Recipient, &updated, &d.UpdatedBy,
		&good, &d.lastGoodFile, &attempt, &d.lastError, &errAt, &d.failedChecks)
	if errors.Is(err, sql.ErrNoRows) {
		return &deskBackup{BackupSettings: app.BackupSettings{Keep: app.DefaultBackupKeep}}, nil
	}
	if err != nil {
		return nil, err
	}
	d.OnClose = onClose == 1
	d.UpdatedAt, d.lastGood, d.lastAttempt, d.lastErrorAt = parseTime(updated), parseTime(good), parseTime(attempt), parseTime(errAt)
	return &d, nil
}

// BackupSettings implements app.BackupService.
func (s *BackupService) BackupSettings(ctx context.Context) (*app.BackupSettings, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "backup.settings", "desk_backup", "", "", app.CanManageBackups(caller)); err != nil {
		return nil, err
	}
	d, err := readDeskBackup(ctx, s.db.r)
	if err != nil {
		return nil, internal("backup.settings", err)
	}
	return &d.BackupSettings, nil
}

// SetBackupSettings implements app.BackupService.
func (s *BackupService) SetBackupSettings(ctx context.Context, in app.BackupSettings) (*app.BackupSettings, error) {
	var out *app.BackupSettings
	err := s.db.writeFor(ctx, "backup.configure", "desk_backup", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageBackups(tx.caller)); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if _, err := parseRecipient(in.Recipient); err != nil {
			return err
		}
		if !filepath.IsAbs(in.Folder) {
			return app.FieldErrorf("folder", "Give the folder's full path, e.g. /media/usb/hms or \\\\server\\share\\hms.")
		}
		if fi, err := os.Stat(in.Folder); err != nil || !fi.IsDir() {
			return app.FieldErrorf("folder", "The folder %s cannot be reached: plug in the drive or connect the share, or choose another.", in.Folder)
		}
		if what := tx.db.ownFile(in.Folder); what != "" || app.SameFile(in.Folder, filepath.Dir(tx.db.path)) {
			return app.FieldErrorf("folder", "Choose a folder on another drive than the database's: a backup beside the database is lost with it.")
		}
		in.UpdatedAt, in.UpdatedBy = tx.now, tx.caller.Username
		if _, err := tx.exec(`INSERT INTO desk_backup (id, folder, daily_at, on_close, keep, recipient, updated_at, updated_by)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET folder = excluded.folder,
			daily_at = excluded.daily_at, on_close = excluded.on_close, keep = excluded.keep,
			recipient = excluded.recipient, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			in.Folder, in.DailyAt, in.OnClose, in.Keep, in.Recipient, formatTime(tx.now), tx.caller.Username); err != nil {
			return err
		}
		daily := "no daily backup"
		if in.DailyAt != "" {
			daily = "daily at " + in.DailyAt
		}
		tx.Audit("backup.configure", "desk_backup", "", "", fmt.Sprintf("to %s, %s, on closing %v, keep %d, key %s",
			in.Folder, daily, in.OnClose, in.Keep, in.Recipient))
		out = &in
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NewRecoveryKey implements app.BackupService. It keeps nothing: the
// public key becomes the desk's when the settings are saved with it, after
// the administrator has kept the recovery key, so no backup is ever
// encrypted to a key nobody holds.
func (s *BackupService) NewRecoveryKey(ctx context.Context) (*app.RecoveryKey, error) {
	var key *app.RecoveryKey
	err := s.db.writeFor(ctx, "backup.new_key", "desk_backup", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageBackups(tx.caller)); err != nil {
			return err
		}
		var err error
		if key, err = NewRecoveryKey(); err != nil {
			return err
		}
		tx.Audit("backup.new_key", "desk_backup", "", "", "made backup key "+key.Recipient+"; its recovery key was shown once and not kept")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// AuditRestore writes the audit row of a restore from the app into the
// restored database, as the caller who ran it (by name: their account
// may differ in the backup).
func (db *DB) AuditRestore(ctx context.Context, detail string) error {
	caller, _ := app.CallerFromContext(ctx)
	who := app.Caller{Username: caller.Username, Role: caller.Role}
	return db.inTx(ctx, who, "backup.restore", func(tx *Tx) error {
		tx.AuditAs(who, "backup.restore", "desk_backup", "", app.OutcomeOK, detail)
		return nil
	})
}

// BackupNow implements app.BackupService.
func (s *BackupService) BackupNow(ctx context.Context) (*app.BackupRun, error) {
	return s.db.runScheduledBackup(ctx, "by hand")
}

// EncryptedBackup implements app.BackupService: one file, no rotation,
// no change to the schedule's status.
func (s *BackupService) EncryptedBackup(ctx context.Context, path, recipient string) (*app.BackupRun, error) {
	var desk string
	err := s.db.writeFor(ctx, "backup.encrypted", "desk_backup", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageBackups(tx.caller)); err != nil {
			return err
		}
		if strings.TrimSpace(recipient) == "" {
			d, err := readDeskBackup(tx.ctx, tx)
			if err != nil {
				return err
			}
			if d.Recipient == "" {
				return app.FieldErrorf("recipient", "This desk has no backup key yet: set backups up in Settings → Backups, or give the clinic's backup public key (age1…).")
			}
			recipient = d.Recipient
		}
		if _, err := parseRecipient(recipient); err != nil {
			return err
		}
		desk = tx.db.desk
		tx.Audit("backup.encrypted", "desk_backup", "", "", "to "+path+" for key "+recipient)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.db.writeEncryptedBackup(ctx, path, recipient, desk)
}

// BackupStatus implements app.BackupService.
func (s *BackupService) BackupStatus(ctx context.Context) (*app.BackupStatus, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "backup.status", "desk_backup", "", "", app.CanManageBackups(caller)); err != nil {
		return nil, err
	}
	return s.db.backupStatus(ctx)
}

func (db *DB) backupStatus(ctx context.Context) (*app.BackupStatus, error) {
	d, err := readDeskBackup(ctx, db.r)
	if err != nil {
		return nil, internal("backup.status", err)
	}
	st, err := readSettings(ctx, db.r)
	if err != nil {
		return nil, internal("backup.status", err)
	}
	out := &app.BackupStatus{Settings: d.BackupSettings, LastGood: d.lastGood, LastGoodFile: d.lastGoodFile,
		LastError: d.lastError, LastErrorAt: d.lastErrorAt}
	if d.Folder != "" {
		if fi, err := os.Stat(d.Folder); err != nil || !fi.IsDir() {
			out.FolderMissing = true
		}
	}
	out.WarningText = app.BackupWarningText(out, db.now(), st.Location())
	out.Warning = out.WarningText.String()
	return out, nil
}

// CheckBackup implements app.BackupService.
func (s *BackupService) CheckBackup(ctx context.Context, path, recoveryKey string) (*app.BackupCheck, error) {
	err := s.db.writeFor(ctx, "backup.check", "desk_backup", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageBackups(tx.caller)); err != nil {
			return err
		}
		tx.Audit("backup.check", "desk_backup", "", "", "checked "+path)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.db.CheckBackupFile(ctx, path, recoveryKey)
}

// CheckBackupFile decrypts and checks the backup at path as RestoreBackup
// would, without restoring it.
func (db *DB) CheckBackupFile(ctx context.Context, path, recoveryKey string) (*app.BackupCheck, error) {
	enc, err := IsEncryptedBackup(path)
	if err != nil {
		return nil, app.FieldErrorf("file", "Cannot read %s: %v.", path, unwrapPathError(err))
	}
	if !enc {
		key := DefaultAuditKeyPath(path)
		if _, err := os.Stat(key); err != nil {
			key = db.keyPath
		}
		checked, problems, err := CheckRestoreCandidate(path, key)
		if err != nil {
			return nil, err
		}
		return &app.BackupCheck{Checked: checked, Problems: problems}, nil
	}
	ids, err := parseRecoveryKey(recoveryKey)
	if err != nil {
		return nil, err
	}
	work, err := privateWorkDir(db.path, ".hms-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	o, err := openSealed(ctx, path, ids, work)
	if err != nil {
		return nil, err
	}
	if k, err := readAuditKey(o.keyFile); err != nil || !hmac.Equal(k, db.key) {
		o.check.OtherKey = true
	}
	return &o.check, nil
}

// backupPrefix is the start of the names of this desk's backups.
func backupPrefix(desk string) string { return "hms-backup-" + desk + "-" }

// runScheduledBackup writes, verifies and rotates one backup to the
// desk's folder, and records how it went; why says what started it.
func (db *DB) runScheduledBackup(ctx context.Context, why string) (*app.BackupRun, error) {
	var d *deskBackup
	var desk string
	var start time.Time
	err := db.writeFor(ctx, "backup.run", "desk_backup", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageBackups(tx.caller)); err != nil {
			return err
		}
		var err error
		if d, err = readDeskBackup(tx.ctx, tx); err != nil {
			return err
		}
		if !d.Enabled() {
			return app.Errorf(app.EINVALID, "Backups are not set up on this desk: choose a folder and make a recovery key in Settings → Backups.")
		}
		desk, start = tx.db.desk, tx.now
		if _, err := tx.exec(`UPDATE desk_backup SET last_attempt_at = ? WHERE id = 1`, formatTime(tx.now)); err != nil {
			return err
		}
		tx.Audit("backup.run", "desk_backup", "", "", "started "+why+", to "+d.Folder)
		return nil
	})
	if err != nil {
		return nil, err
	}
	run, err := db.backupToFolder(ctx, d, desk, start)
	caller, _ := app.CallerFromContext(ctx)
	rerr := db.inTx(ctx, caller, "backup.run", func(tx *Tx) error {
		if err != nil {
			msg := err.Error()
			var ae *app.Error
			if errors.As(err, &ae) {
				msg = ae.Message
			}
			if _, err := tx.exec(`UPDATE desk_backup SET last_error = ?, last_error_at = ?, last_error_checks = ? WHERE id = 1`,
				msg, formatTime(tx.now), errors.As(err, new(failedChecks))); err != nil {
				return err
			}
			tx.AuditAs(caller, "backup.run", "desk_backup", "", app.OutcomeFailed, "failed: "+msg)
			return nil
		}
		if _, err := tx.exec(`UPDATE desk_backup SET last_good_at = ?, last_good_file = ?, last_error = '', last_error_at = '',
			last_error_checks = 0 WHERE id = 1`, formatTime(run.Finished), run.File); err != nil {
			return err
		}
		detail := fmt.Sprintf("wrote and verified %s (%d bytes, %d rows in %d tables)", run.File, run.Bytes, run.Rows, run.Tables)
		if len(run.Removed) > 0 {
			detail += "; removed " + strings.Join(run.Removed, ", ")
		}
		tx.Audit("backup.run", "desk_backup", "", "", detail)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return run, nil
}

// backupToFolder writes the backup and then removes this desk's oldest
// beyond d.Keep: only after the new one is verified, never another desk's
// and never a file it did not name itself.
func (db *DB) backupToFolder(ctx context.Context, d *deskBackup, desk string, at time.Time) (*app.BackupRun, error) {
	if fi, err := os.Stat(d.Folder); err != nil || !fi.IsDir() {
		return nil, app.FieldErrorf("folder", "The backup folder %s cannot be reached: plug in the drive or connect the share.", d.Folder)
	}
	prefix := backupPrefix(desk)
	name := prefix + at.UTC().Format("20060102T150405Z") + BackupFileExt
	run, err := db.writeEncryptedBackup(ctx, filepath.Join(d.Folder, name), d.Recipient, desk)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(d.Folder)
	if err != nil {
		return run, nil // written and verified; the old ones stay for the next run
	}
	var ours []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, BackupFileExt) &&
			len(n) == len(prefix)+len("20060102T150405Z")+len(BackupFileExt) {
			ours = append(ours, n)
		}
	}
	slices.Sort(ours) // the names' times sort as text
	for len(ours) > d.Keep {
		if ours[0] != name {
			if err := os.Remove(filepath.Join(d.Folder, ours[0])); err == nil {
				run.Removed = append(run.Removed, ours[0])
			}
		}
		ours = ours[1:]
	}
	return run, nil
}

// BackupDue reports whether the daily backup is due at the database's
// now: the latest daily time has passed without a good backup since, and
// no attempt since it (or the last failed one is BackupRetry old, unless
// it failed because the database does not pass its checks, which no
// retry can mend: that one waits for the next daily time).
func (db *DB) BackupDue(ctx context.Context) (bool, error) {
	d, err := readDeskBackup(ctx, db.r)
	if err != nil {
		return false, err
	}
	if !d.Enabled() {
		return false, nil
	}
	st, err := readSettings(ctx, db.r)
	if err != nil {
		return false, err
	}
	now := db.now()
	slot, ok := d.SlotBefore(now, st.Location())
	if !ok || !d.lastGood.Before(slot) {
		return false, nil
	}
	return d.lastAttempt.Before(slot) || (!d.failedChecks && now.Sub(d.lastAttempt) >= BackupRetry), nil
}

// BackupTick runs the daily backup when it is due (BackupDue), as
// SchedulerCaller; nil, nil when nothing was due.
func (db *DB) BackupTick(ctx context.Context) (*app.BackupRun, error) {
	due, err := db.BackupDue(ctx)
	if err != nil || !due {
		return nil, err
	}
	return db.runScheduledBackup(app.NewContextWithCaller(ctx, SchedulerCaller), "on schedule")
}

// BackupOnClose runs a backup when the desk backs up on closing; nil, nil
// when it does not, or when the last backup was refused because the
// database does not pass its checks: closing would wait for a whole
// backup and check that cannot pass (the next daily one tries again).
func (db *DB) BackupOnClose(ctx context.Context) (*app.BackupRun, error) {
	d, err := readDeskBackup(ctx, db.r)
	if err != nil || !d.Enabled() || !d.OnClose || d.failedChecks {
		return nil, err
	}
	return db.runScheduledBackup(app.NewContextWithCaller(ctx, SchedulerCaller), "on closing the app")
}

// BackupState is the backup status for the status bar, read without a
// caller (the UI shows it to administrators only).
func (db *DB) BackupState(ctx context.Context) (*app.BackupStatus, error) {
	return db.backupStatus(ctx)
}
