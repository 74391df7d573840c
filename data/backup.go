package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"

	"hms/app"
)

// Backup implements app.AuditService: SQLite's online backup, page by page,
// while the database stays in use.
func (s *AuditService) Backup(ctx context.Context, path string) error {
	err := s.db.write(ctx, "db.backup", func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		tx.Audit("db.backup", "", "", "", "to "+path)
		return nil
	})
	if err != nil {
		return err
	}
	return s.db.Backup(ctx, path)
}

// Backup copies the database to path with SQLite's online backup API.
func (db *DB) Backup(ctx context.Context, path string) error {
	path = filepath.Clean(path)
	if what := db.ownFile(path); what != "" {
		return app.FieldErrorf("path", "Choose another file than %s: a backup never replaces it.", what)
	}
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return app.FieldErrorf("path", "Cannot write the backup to %s: %v.", path, unwrapPathError(err))
	}
	f.Close()
	defer os.Remove(tmp)
	dest, err := sql.Open("sqlite3", "file:"+tmp+"?_journal_mode=DELETE")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer dest.Close()
	dconn, err := dest.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer dconn.Close()
	sconn, err := db.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer sconn.Close()
	err = dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", s.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			for {
				done, err := b.Step(1024)
				if err != nil {
					b.Finish()
					return err
				}
				if done {
					break
				}
			}
			return b.Finish()
		})
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	dconn.Close()
	dest.Close()
	if err := os.Rename(tmp, path); err != nil {
		return app.FieldErrorf("path", "Cannot write the backup to %s: %v.", path, unwrapPathError(err))
	}
	return ownerOnly(path)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ownFile names the file of the database's own that path is (the
// database, its -wal or -shm, its audit key), or "" for any other: by
// name, after resolving symbolic links, and by identity for a file that
// exists (a hard link).
func (db *DB) ownFile(path string) string {
	own := []struct{ path, what string }{
		{db.path, "the database itself"}, {db.path + "-wal", "the database's -wal file"},
		{db.path + "-shm", "the database's -shm file"}, {db.keyPath, "the database's audit key file"},
	}
	for _, target := range []string{path, path + ".partial"} {
		for _, o := range own {
			if o.path != "" && app.SameFile(target, o.path) {
				return o.what
			}
		}
	}
	return ""
}
