package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-sqlite3"

	"hms/app"
)

// AuditService implements app.AuditService.
type AuditService struct {
	db *DB
}

var _ app.AuditService = (*AuditService)(nil)

// FindAuditEntries implements app.AuditService: newest first, paged by seq.
func (s *AuditService) FindAuditEntries(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error) {
	if err := s.db.denyRead(ctx, "audit.list", "audit_log", "", "", app.PermViewAudit); err != nil {
		return nil, err
	}
	where, args := []string{"1"}, []any{}
	if f.Username != "" {
		where, args = append(where, "username = ?"), append(args, strings.TrimSpace(f.Username))
	}
	if f.Action != "" {
		where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, escapeLike(strings.TrimSpace(f.Action))+"%")
	}
	if f.PatientID != "" {
		where, args = append(where, "patient_id = ?"), append(args, f.PatientID)
	}
	if f.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, f.Outcome)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, formatTime(f.To))
	}
	if f.BeforeSeq > 0 {
		where, args = append(where, "seq < ?"), append(args, f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	} else if limit > 1000 {
		limit = 1000
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT seq, at, user_id, username, role, action, entity, entity_id,
		patient_id, outcome, detail FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, internal("audit.list", err)
	}
	defer rows.Close()
	var out []*app.AuditEntry
	for rows.Next() {
		var e app.AuditEntry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.Role, &e.Action, &e.Entity, &e.EntityID,
			&e.PatientID, &e.Outcome, &e.Detail); err != nil {
			return nil, internal("audit.list", err)
		}
		e.At = parseTime(at)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("audit.list", err)
	}
	return out, nil
}

// Verify implements app.AuditService.
func (s *AuditService) Verify(ctx context.Context) (*app.VerifyReport, error) {
	if err := s.db.denyRead(ctx, "db.verify", "", "", "", app.PermViewAudit); err != nil {
		return nil, err
	}
	rep, err := s.db.Verify(ctx)
	if err != nil {
		return nil, internal("db.verify", err)
	}
	outcome := "ok"
	if !rep.OK() {
		outcome = "problems found"
	}
	err = s.db.write(ctx, "db.verify", func(tx *Tx) error {
		tx.Audit("db.verify", "", "", "", outcome)
		return nil
	})
	return rep, err
}

// Verify runs SQLite's integrity and foreign-key checks, walks the audit
// chain, recomputing every row's HMAC, and checks every attached report's
// file against its hash and the audit log.
func (db *DB) Verify(ctx context.Context) (*app.VerifyReport, error) {
	rep := &app.VerifyReport{}
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// One read transaction, so the chain and its head are one snapshot.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, err
		}
		if line != "ok" {
			rep.Integrity = append(rep.Integrity, line)
		}
	}
	rows.Close()
	rep.IntegrityOK = len(rep.Integrity) == 0
	rows, err = tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return nil, err
		}
		rep.ForeignKeys = append(rep.ForeignKeys, fmt.Sprintf("%s row %d points to a missing %s", table, rowid.Int64, parent))
	}
	rows.Close()
	rep.ForeignKeyOK = len(rep.ForeignKeys) == 0
	rep.AuditRows, rep.AuditProblem, err = verifyChain(ctx, tx, db.key)
	if err != nil {
		return nil, err
	}
	rep.AuditOK = rep.AuditProblem == ""
	if rep.Documents, rep.DocumentProblems, err = verifyDocuments(ctx, tx); err != nil {
		return nil, err
	}
	return rep, nil
}

// verifyChain walks the audit log in seq order and returns the first break:
// an edited row (its HMAC differs), a deleted or reordered row (the previous
// hash or the seq does not follow), or rows removed from the end (the head
// does not match the last row).
func verifyChain(ctx context.Context, tx *sql.Tx, key []byte) (int64, string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, site_id, at, user_id, username, role, action, entity,
		entity_id, patient_id, outcome, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var n, lastSeq int64
	prev := genesisHash
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Seq, &r.ID, &r.SiteID, &r.At, &r.UserID, &r.Username, &r.Role, &r.Action, &r.Entity,
			&r.EntityID, &r.PatientID, &r.Outcome, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
			return n, "", err
		}
		n++
		switch {
		case r.Seq != lastSeq+1:
			return n, fmt.Sprintf("audit row %d is missing: the log jumps from %d to %d", lastSeq+1, lastSeq, r.Seq), nil
		case r.PrevHash != prev:
			return n, fmt.Sprintf("audit row %d does not follow row %d: rows were removed or reordered", r.Seq, lastSeq), nil
		case r.computeHash(key) != r.Hash:
			return n, fmt.Sprintf("audit row %d was altered: its content does not match its hash", r.Seq), nil
		}
		prev, lastSeq = r.Hash, r.Seq
	}
	if err := rows.Err(); err != nil {
		return n, "", err
	}
	var headSeq int64
	var headHash string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash)
	if errors.Is(err, sql.ErrNoRows) {
		if n > 0 {
			return n, "the audit log's head record is missing", nil
		}
		return n, "", nil
	} else if err != nil {
		return n, "", err
	}
	if headSeq != lastSeq || headHash != prev {
		return n, fmt.Sprintf("the audit log ends at row %d but its head records row %d: rows were removed from the end", lastSeq, headSeq), nil
	}
	return n, "", nil
}

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
	if abs, err := filepath.Abs(path); err == nil {
		if self, err := filepath.Abs(db.path); err == nil && abs == self {
			return app.FieldErrorf("path", "Choose another file than the database itself.")
		}
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
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
