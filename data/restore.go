package data

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"hms/app"
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

// Restore replaces the database at dbPath with a copy of src. It refuses a
// src that is not a valid HMS database and a database that another program
// has open, and keeps the old database aside; it returns where. The restored
// database is migrated to the current schema.
func Restore(dbPath, src string, opt Options) (aside string, err error) {
	if err := CheckDatabaseFile(src); err != nil {
		return "", err
	}
	if _, err := os.Stat(dbPath); err == nil {
		// Fold the WAL into the file and make sure no other program has it open.
		db, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=1000")
		if err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
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
		db.Close()
		if err != nil {
			return "", app.Errorf(app.ECONFLICT, "The database is in use by another program: close HMS on this computer first.")
		}
		aside = fmt.Sprintf("%s.before-restore-%s", dbPath, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(dbPath, aside); err != nil {
			return "", fmt.Errorf("restore: keep the old database aside: %w", err)
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(dbPath + suffix)
		}
	}
	if err := copyFile(src, dbPath+".restoring"); err != nil {
		return aside, fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(dbPath+".restoring", dbPath); err != nil {
		return aside, fmt.Errorf("restore: %w", err)
	}
	db, err := Open(dbPath, opt)
	if err != nil {
		return aside, fmt.Errorf("restore: open the restored database: %w", err)
	}
	return aside, db.Close()
}

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
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
