package data

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

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
//
// It runs on a connection of its own, opened for it and closed after, never
// on a pooled reader: FTS5's integrity check reads the index through the
// structure a connection cached at its last query and does not notice that
// other connections' writes have since merged those segments away, so on a
// reader that served searches during a working session it reports
// "fts5: corruption found reading blob" on a healthy file. A new connection
// sees exactly what `hms verify` in a new process sees.
func (db *DB) Verify(ctx context.Context) (*app.VerifyReport, error) {
	rep := &app.VerifyReport{}
	own, err := sql.Open(driverName, dsn(db.path, true))
	if err != nil {
		return nil, err
	}
	defer own.Close()
	own.SetMaxOpenConns(1)
	conn, err := own.Conn(ctx)
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

// appendAudit adds one row to the audit chain: its hash is the HMAC of the
// previous row's hash and this row's fields.
func (tx *Tx) appendAudit(ev auditEvent) error {
	who := tx.caller
	if ev.who != nil {
		who = *ev.who
	}
	var prevSeq int64
	prevHash := genesisHash
	err := tx.QueryRowContext(tx.ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit head: %w", err)
	}
	row := auditRow{
		Seq: prevSeq + 1, ID: newID(), SiteID: tx.db.siteID, At: formatTime(tx.now),
		UserID: who.UserID, Username: who.Username, Role: string(who.Role),
		Action: ev.action, Entity: ev.entity, EntityID: ev.entityID, PatientID: ev.patientID,
		Outcome: string(ev.outcome), Detail: ev.detail, PrevHash: prevHash,
	}
	row.Hash = row.computeHash(tx.db.key)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO audit_log
		(seq, id, site_id, at, user_id, username, role, action, entity, entity_id, patient_id, outcome, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.Seq, row.ID, row.SiteID, row.At, row.UserID, row.Username, row.Role, row.Action, row.Entity,
		row.EntityID, row.PatientID, row.Outcome, row.Detail, row.PrevHash, row.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, row.Seq, row.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// genesisHash is the previous hash of the first row.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

type auditRow struct {
	Seq                                                              int64
	ID, SiteID, At, UserID, Username, Role, Action, Entity, EntityID string
	PatientID, Outcome, Detail, PrevHash, Hash                       string
}

// computeHash is HMAC-SHA256 over the previous hash and every field, each
// length-prefixed so that no two different rows hash the same.
func (r *auditRow) computeHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.ID, r.SiteID, r.At, r.UserID,
		r.Username, r.Role, r.Action, r.Entity, r.EntityID, r.PatientID, r.Outcome, r.Detail} {
		fmt.Fprintf(m, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
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
