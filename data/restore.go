package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// CheckDatabaseFile reports whether path is an HMS database that this
// version can open: a SQLite file with HMS's application id, passing
// integrity_check, with a schema no newer than the code knows.
func CheckDatabaseFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return app.FieldErrorf("file", "Cannot read %s: %v.", path, unwrapPathError(err))
	}
	header := make([]byte, 16)
	_, err = io.ReadFull(f, header)
	f.Close()
	if err != nil || string(header) != "SQLite format 3\x00" {
		return app.FieldErrorf("file", "%s is not an HMS database (it is not a SQLite file).", path)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	var appID int64
	if err := db.QueryRow(`PRAGMA application_id`).Scan(&appID); err != nil {
		return app.FieldErrorf("file", "%s cannot be read as a database: %v.", path, err)
	}
	if appID != ApplicationID {
		return app.FieldErrorf("file", "%s is a SQLite file but not an HMS database.", path)
	}
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check(1)`).Scan(&check); err != nil || check != "ok" {
		return app.FieldErrorf("file", "%s is damaged (integrity check: %s).", path, check)
	}
	var version int
	if err := db.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return app.FieldErrorf("file", "%s is not an HMS database (it has no schema version).", path)
	}
	if version > SchemaVersion() {
		return app.FieldErrorf("file", "%s was made by a newer HMS (schema %d; this one knows %d): update HMS first.", path, version, SchemaVersion())
	}
	return nil
}

// RestoreResult says what a restore did and checked.
type RestoreResult struct {
	// Aside is where the previous database was kept ("" when there was
	// none); its key file, when the restore brought another, beside it
	// with ".audit-key".
	Aside string
	// Checked lists, for people, each check the candidate passed (in
	// English as String says it; a screen shows it in its language).
	Checked []i18n.Text
	// Problems lists the checks it failed; a restore with problems was
	// refused unless forced.
	Problems []i18n.Text
	// Key is the key file the restored database's audit log verifies with
	// (the one that came beside the backup, installed), "" when the
	// database's own key was kept.
	Key string
}

// restoreStep is called before each step of a restore that writes a file;
// tests stop the process there.
var restoreStep = func(string) {}

// CheckRestoreCandidate opens src read-only and checks what a restore
// relies on: the full schema of its version (every table, index and
// trigger the migrations create) and an audit chain that verifies with
// keyFile; for a backup of this version also every record against its
// seal. It returns the checks passed and the problems found; err is a
// file that is no HMS database at all, which nothing can force.
func CheckRestoreCandidate(src, keyFile string) (checked, problems []i18n.Text, err error) {
	if err := CheckDatabaseFile(src); err != nil {
		return nil, nil, err
	}
	checked = append(checked, i18n.Nf("it is an HMS database whose pages pass SQLite's integrity check"))
	ctx := context.Background()
	cand, err := sql.Open(driverName, "file:"+(&url.URL{Path: src}).EscapedPath()+"?mode=ro&_query_only=1")
	if err != nil {
		return nil, nil, fmt.Errorf("check %s: %w", src, err)
	}
	defer cand.Close()
	cand.SetMaxOpenConns(1)
	tx, err := cand.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("check %s: %w", src, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return nil, nil, app.FieldErrorf("file", "%s is not an HMS database (it has no schema version).", src)
	}
	schema, err := checkSchema(ctx, tx, version)
	if err != nil {
		return nil, nil, err
	}
	if len(schema) == 0 {
		checked = append(checked, i18n.Nf("it has every table, index and trigger of schema version %d", version))
	} else {
		problems = append(problems, i18n.Nf("its schema (version %d) is not what the migrations make: %s", version, strings.Join(schema, "; ")))
	}
	if len(schema) > 0 && missingTable(schema, "audit_log") {
		problems = append(problems, i18n.Nf("it has no audit log to check"))
		return checked, problems, nil
	}
	key, kerr := readAuditKey(keyFile)
	if kerr != nil {
		problems = append(problems, i18n.Nf("its audit log cannot be checked: no usable audit key file %s (%s); a backup from another computer needs that computer's key file beside it", keyFile, unwrapPathError(kerr).Error()))
		return checked, problems, nil
	}
	rows, problem, err := verifyChainVersion(ctx, tx, key, version)
	switch {
	case err != nil:
		problems = append(problems, i18n.Nf("its audit log cannot be read: %s", err.Error()))
	case problem != "":
		problems = append(problems, i18n.Nf("its audit log does not verify with the key file %s: %s", keyFile, problem))
	default:
		checked = append(checked, i18n.Nf("its audit log (%d rows) verifies with the key file %s", rows, keyFile))
	}
	if version == SchemaVersion() && len(schema) == 0 && problem == "" && err == nil {
		n, recs, err := (&DB{}).verifySeals(ctx, tx)
		switch {
		case err != nil:
			problems = append(problems, i18n.Nf("its records cannot be checked: %s", err.Error()))
		case len(recs) > 0:
			problems = append(problems, i18n.Nf("%d record(s) differ from their last audited write: %s", len(recs), strings.Join(recs, "; ")))
		default:
			checked = append(checked, i18n.Nf("its %d records match their last audited write", n))
		}
	}
	return checked, problems, nil
}

func missingTable(problems []string, table string) bool {
	for _, p := range problems {
		if strings.HasPrefix(p, "table "+table+" is missing") {
			return true
		}
	}
	return false
}

// restorePending names the marker file of a restore under way.
func restorePending(dbPath string) string { return dbPath + ".restore-pending" }

// Restore replaces the database at dbPath with a copy of src after
// checking it (CheckRestoreCandidate), and returns where the old database
// was kept aside. A candidate with problems is refused.
func Restore(dbPath, src string, opt Options) (aside string, err error) {
	res, err := RestoreChecked(dbPath, src, opt, false)
	return res.Aside, err
}

// RestoreChecked is Restore; force restores a candidate with problems all
// the same (res.Problems says which). The swap is atomic: the new file is
// staged beside the database and flushed, a marker file written, and the
// staged file renamed over the database, so a restore killed at any moment
// leaves the old database or the new one at dbPath; the next Open finishes
// or rolls back a restore that stopped half-way (RecoverRestore). The
// audit key that came beside the backup replaces the database's own when
// they differ; the old one is kept beside the old database.
func RestoreChecked(dbPath, src string, opt Options, force bool) (res RestoreResult, err error) {
	keyPath := opt.AuditKeyPath
	if keyPath == "" {
		keyPath = DefaultAuditKeyPath(dbPath)
	}
	if err := RecoverRestore(dbPath, keyPath); err != nil {
		return res, err
	}
	srcKey := DefaultAuditKeyPath(src)
	if _, err := os.Stat(srcKey); err != nil {
		srcKey = keyPath // a backup made on this computer: its key is the database's own
	}
	res.Checked, res.Problems, err = CheckRestoreCandidate(src, srcKey)
	if err != nil {
		return res, err
	}
	if len(res.Problems) > 0 && !force {
		return res, app.Errorf(app.EINVALID, "%s was not restored: %s. Pass --force to restore it anyway.", src, i18n.Join("; ", res.Problems...))
	}
	newKey := false
	if srcKey != keyPath {
		a, _ := os.ReadFile(srcKey)
		b, _ := os.ReadFile(keyPath)
		newKey = string(a) != string(b)
	}
	stagedDB, stagedKey := dbPath+".restoring", keyPath+".restoring"
	os.Remove(stagedDB)
	os.Remove(stagedKey)
	restoreStep("stage")
	if err := copyFile(src, stagedDB); err != nil {
		os.Remove(stagedDB)
		return res, fmt.Errorf("restore: %w", err)
	}
	if newKey {
		restoreStep("stage key")
		if err := copyFile(srcKey, stagedKey); err != nil {
			os.Remove(stagedDB)
			os.Remove(stagedKey)
			return res, fmt.Errorf("restore: %w", err)
		}
		res.Key = keyPath
	}
	dir := filepath.Dir(dbPath)
	if _, err := os.Stat(dbPath); err == nil {
		if err := quiesce(dbPath); err != nil {
			os.Remove(stagedDB)
			os.Remove(stagedKey)
			return res, err
		}
		res.Aside = fmt.Sprintf("%s.before-restore-%s", dbPath, time.Now().UTC().Format("20060102T150405.000Z"))
		restoreStep("keep aside")
		// A second name for the old file: the database stays at dbPath
		// until the rename below replaces it.
		if err := linkOrCopy(dbPath, res.Aside); err != nil {
			os.Remove(stagedDB)
			os.Remove(stagedKey)
			return res, fmt.Errorf("restore: keep the old database aside: %w", err)
		}
		if err := ownerOnly(res.Aside); err != nil {
			return res, fmt.Errorf("restore: %w", err)
		}
		if newKey {
			if _, err := os.Stat(keyPath); err == nil {
				if err := linkOrCopy(keyPath, res.Aside+".audit-key"); err != nil {
					return res, fmt.Errorf("restore: keep the old key aside: %w", err)
				}
			}
		}
	}
	restoreStep("marker")
	if err := writeSynced(restorePending(dbPath), []byte("staged "+stagedDB+"\n")); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	syncDir(dir)
	for _, suffix := range []string{"-wal", "-shm"} {
		restoreStep("remove " + suffix)
		os.Remove(dbPath + suffix)
	}
	restoreStep("rename")
	if err := os.Rename(stagedDB, dbPath); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	syncDir(dir)
	if newKey {
		restoreStep("rename key")
		if err := os.Rename(stagedKey, keyPath); err != nil {
			return res, fmt.Errorf("restore: %w", err)
		}
		syncDir(filepath.Dir(keyPath))
	}
	restoreStep("done")
	if err := os.Remove(restorePending(dbPath)); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	syncDir(dir)
	db, err := Open(dbPath, opt)
	if err != nil {
		return res, fmt.Errorf("restore: open the restored database: %w", err)
	}
	return res, db.Close()
}

// RecoverRestore finishes or rolls back a restore that stopped half-way,
// as its marker file says: before the staged database was renamed over
// the old one, the old one stays and the staged files go; after, the new
// key (if any) is put in place.
func RecoverRestore(dbPath, keyPath string) error {
	stagedDB, stagedKey := dbPath+".restoring", keyPath+".restoring"
	marker := restorePending(dbPath)
	if _, err := os.Stat(marker); err != nil {
		// No restore got as far as its marker: anything staged is a copy
		// that was not finished.
		os.Remove(stagedDB)
		os.Remove(stagedKey)
		return nil
	}
	if _, err := os.Stat(stagedDB); err == nil {
		if _, err := os.Stat(dbPath); err == nil {
			os.Remove(stagedDB) // roll back: the old database is in place
			os.Remove(stagedKey)
		} else if err := os.Rename(stagedDB, dbPath); err != nil { // no database at all: the new one
			return fmt.Errorf("finish the interrupted restore: %w", err)
		}
	}
	if _, err := os.Stat(stagedKey); err == nil {
		if _, err := os.Stat(stagedDB); err != nil {
			if err := os.Rename(stagedKey, keyPath); err != nil {
				return fmt.Errorf("finish the interrupted restore: %w", err)
			}
		}
	}
	syncDir(filepath.Dir(dbPath))
	if err := os.Remove(marker); err != nil {
		return fmt.Errorf("finish the interrupted restore: %w", err)
	}
	syncDir(filepath.Dir(dbPath))
	return nil
}

// quiesce folds the WAL into the database file and leaves WAL mode, which
// fails while another program has it open.
func quiesce(dbPath string) error {
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=1000")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	var busy int
	err = db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, new(int), new(int))
	if err == nil && busy != 0 {
		err = errors.New("busy")
	}
	if err == nil {
		// Leaving WAL mode needs the only connection: another program's
		// open connection makes this fail or keep "wal".
		var mode string
		err = db.QueryRow(`PRAGMA journal_mode = DELETE`).Scan(&mode)
		if err == nil && mode != "delete" {
			err = errors.New("in use")
		}
	}
	if err != nil {
		return app.Errorf(app.ECONFLICT, "The database is in use by another program: close HMS on this computer first.")
	}
	return nil
}

func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return copyFile(src, dst)
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a folder's entries (a rename in it) to disk, where the
// system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// copyFile copies src to dst, owner-only, and flushes the copy to disk;
// each 64 KiB chunk is a restore step (restoreStep, for the kill tests).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	for {
		restoreStep("copy")
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				out.Close()
				return err
			}
		}
		if rerr == io.EOF {
			break
		} else if rerr != nil {
			out.Close()
			return rerr
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
