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

// auditListSQL is the query of the Audit screen's list for filter f, with
// its arguments.
func auditListSQL(f app.AuditFilter) (string, []any) {
	where, args := []string{"1"}, []any{}
	if f.Username != "" {
		where, args = append(where, "username = ?"), append(args, strings.TrimSpace(f.Username))
	}
	if f.Action != "" {
		where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, escapeLike(strings.TrimSpace(f.Action))+"%")
	}
	if f.PatientID != "" {
		// patient_id <> '' written out lets SQLite use the partial index
		// audit_log_patient, which holds only rows naming a patient.
		where, args = append(where, "patient_id = ? AND patient_id <> ''"), append(args, f.PatientID)
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
	return `SELECT seq, at, user_id, username, role, action, entity, entity_id,
		patient_id, outcome, detail FROM audit_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY seq DESC LIMIT ?`,
		append(args, limit)
}

// FindAuditEntries implements app.AuditService: newest first, paged by seq.
func (s *AuditService) FindAuditEntries(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error) {
	if err := s.db.denyRead(ctx, "audit.list", "audit_log", "", "", app.PermViewAudit); err != nil {
		return nil, err
	}
	q, args := auditListSQL(f)
	rows, err := s.db.r.QueryContext(ctx, q, args...)
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
	if err := s.db.nameAuditEntries(ctx, out); err != nil {
		return nil, internal("audit.list", err)
	}
	return out, nil
}

// auditRecordLabels gives, per table, the SQL expression that names one of
// its records for people. Tables not listed are shown by table and id.
var auditRecordLabels = map[string]string{
	"patients":      `mrn || ' ' || given_name || ' ' || family_name`,
	"users":         `username || ' (' || full_name || ')'`,
	"invoices":      `coalesce(number, 'draft invoice')`,
	"payments":      `'receipt ' || receipt_number`,
	"credit_notes":  `number`,
	"prescriptions": `number || ' by ' || doctor_name`,
	"appointments":  `'appointment' || char(31) || start_at`, // the time shown in the clinic's zone
	"reports":       `title`,
	"price_items":   `code || ' ' || name`,
	"notes":         `kind || ' note by ' || author_name`,
	"letters":       `replace(replace(kind, 'sick_note', 'medical certificate'), 'referral', 'referral letter') || ' by ' || doctor_name`,
}

// nameAuditEntries fills in Record and PatientName: one query per table
// the page mentions, not one per entry.
func (db *DB) nameAuditEntries(ctx context.Context, es []*app.AuditEntry) error {
	ids := map[string]map[string]bool{}
	want := func(table, id string) {
		if id == "" {
			return
		}
		if ids[table] == nil {
			ids[table] = map[string]bool{}
		}
		ids[table][id] = true
	}
	for _, e := range es {
		if _, ok := auditRecordLabels[e.Entity]; ok {
			want(e.Entity, e.EntityID)
		}
		want("patients", e.PatientID)
	}
	loc, err := clinicZone(ctx, db.r)
	if err != nil {
		return err
	}
	names := map[string]map[string]string{}
	for table, set := range ids {
		list := make([]any, 0, len(set))
		for id := range set {
			list = append(list, id)
		}
		rows, err := db.r.QueryContext(ctx, `SELECT id, `+auditRecordLabels[table]+` FROM `+table+
			` WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(list)), ",")+`)`, list...)
		if err != nil {
			return fmt.Errorf("name %s: %w", table, err)
		}
		names[table] = map[string]string{}
		for rows.Next() {
			var id, label string
			if err := rows.Scan(&id, &label); err != nil {
				rows.Close()
				return err
			}
			if who, at, ok := strings.Cut(label, "\x1f"); ok && table == "appointments" {
				label = who + " " + parseTime(at).In(loc).Format("2006-01-02 15:04")
			}
			names[table][id] = app.ShownLine(label)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for _, e := range es {
		e.Record = names[e.Entity][e.EntityID]
		e.PatientName = names["patients"][e.PatientID]
	}
	return nil
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
	list, err := patientListProblems(ctx, tx, 20)
	if err != nil {
		return nil, err
	}
	rep.Integrity = append(rep.Integrity, list...)
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
	if rep.SchemaProblems, err = checkSchema(ctx, tx, SchemaVersion()); err != nil {
		return nil, err
	}
	if rep.Records, rep.RecordProblems, err = db.verifySeals(ctx, tx); err != nil {
		return nil, err
	}
	if rep.Documents, rep.DocumentProblems, err = verifyDocuments(ctx, tx); err != nil {
		return nil, err
	}
	return rep, nil
}

// finishAudit seals the records the transaction wrote and appends its
// audit rows, the last of which carries the seal. A transaction that wrote
// audited records without recording an event (the sync engine applying
// pulled changes) gets one, named after its action.
func (tx *Tx) finishAudit() error {
	keys := tx.touched.take()
	if len(keys) > 0 && len(tx.audits) == 0 {
		tx.audits = append(tx.audits, auditEvent{action: tx.action, outcome: app.OutcomeOK,
			detail: fmt.Sprintf("%d records written", len(keys))})
	}
	if len(tx.audits) == 0 {
		return nil
	}
	// The head is read once: this transaction holds the write lock, so
	// the chain grows from it here alone, and is written once, after the
	// last row.
	var headSeq int64
	prevHash := genesisHash
	err := tx.queryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit head: %w", err)
	}
	last := headSeq + int64(len(tx.audits))
	var d sealDigest
	if tx.sealAllRows {
		if err := tx.sealAll(last, &d); err != nil {
			return err
		}
	}
	if tx.resealFrom != nil {
		if err := tx.resealAll(last, &d); err != nil {
			return err
		}
	}
	if err := tx.sealTouched(keys, last, &d); err != nil {
		return err
	}
	seq, hash := headSeq, prevHash
	for i, ev := range tx.audits {
		seal := ""
		if i == len(tx.audits)-1 {
			seal = d.sum()
		}
		seq++
		if hash, err = tx.appendAudit(ev, seq, hash, seal); err != nil {
			return err
		}
	}
	if _, err := tx.exec(`INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`,
		seq, hash, headMAC(tx.db.key, seq, hash)); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// appendAudit adds row seq to the audit chain after the row whose hash is
// prevHash, and returns its hash: the HMAC of the previous row's hash and
// this row's fields. The caller moves the head.
func (tx *Tx) appendAudit(ev auditEvent, seq int64, prevHash, seal string) (string, error) {
	who := tx.caller
	if ev.who != nil {
		who = *ev.who
	}
	row := auditRow{
		Seq: seq, ID: newID(), SiteID: tx.db.siteID, At: formatTime(tx.now),
		UserID: who.UserID, Username: who.Username, Role: string(who.Role),
		Action: ev.action, Entity: ev.entity, EntityID: ev.entityID, PatientID: ev.patientID,
		Outcome: string(ev.outcome), Detail: ev.detail, Seal: seal, PrevHash: prevHash,
	}
	row.Hash = row.computeHash(tx.db.key)
	if _, err := tx.exec(`INSERT INTO audit_log
		(seq, id, site_id, at, user_id, username, role, action, entity, entity_id, patient_id, outcome, detail, seal, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.Seq, row.ID, row.SiteID, row.At, row.UserID, row.Username, row.Role, row.Action, row.Entity,
		row.EntityID, row.PatientID, row.Outcome, row.Detail, row.Seal, row.PrevHash, row.Hash); err != nil {
		return "", fmt.Errorf("audit insert: %w", err)
	}
	return row.Hash, nil
}

// genesisHash is the previous hash of the first row.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

type auditRow struct {
	Seq                                                              int64
	ID, SiteID, At, UserID, Username, Role, Action, Entity, EntityID string
	PatientID, Outcome, Detail, Seal, PrevHash, Hash                 string
}

// computeHash is HMAC-SHA256 over the previous hash and every field, each
// length-prefixed so that no two different rows hash the same; the seal
// follows when there is one (rows written before seals have none).
func (r *auditRow) computeHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	var seq [20]byte
	fields := [...]string{r.PrevHash, string(strconv.AppendInt(seq[:0], r.Seq, 10)), r.ID, r.SiteID, r.At, r.UserID,
		r.Username, r.Role, r.Action, r.Entity, r.EntityID, r.PatientID, r.Outcome, r.Detail, r.Seal}
	n := len(fields)
	if r.Seal == "" {
		n--
	}
	// Each field as "len:field|" (fmt's "%d:%s|"), built in one buffer.
	size := 0
	for _, f := range fields[:n] {
		size += len(f) + 22
	}
	buf := make([]byte, 0, size)
	for _, f := range fields[:n] {
		buf = appendField(buf, f)
	}
	m.Write(buf)
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// appendField appends f as the audit hashes frame each field: its length
// in decimal, ':', f, '|'.
func appendField(buf []byte, f string) []byte {
	buf = strconv.AppendInt(buf, int64(len(f)), 10)
	buf = append(buf, ':')
	buf = append(buf, f...)
	return append(buf, '|')
}

// headMAC is the keyed MAC of the chain's head: which row is last, and how
// many there are (seq counts them). Without the key nobody can point the
// head at an earlier row.
func headMAC(key []byte, seq int64, hash string) string {
	m := hmac.New(sha256.New, key)
	buf := make([]byte, 0, 32+len(hash))
	buf = append(buf, "head|"...)
	buf = strconv.AppendInt(buf, seq, 10)
	buf = append(buf, '|')
	m.Write(append(buf, hash...))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// verifyChain walks the audit log in seq order and returns the first break:
// an edited row (its HMAC differs), a deleted or reordered row (the previous
// hash or the seq does not follow), seal rows that do not match the audit
// row that covers them, an empty log, or rows removed from the end (the
// head, whose keyed MAC only the key can make, does not name the last row).
func verifyChain(ctx context.Context, tx *sql.Tx, key []byte) (int64, string, error) {
	return verifyChainVersion(ctx, tx, key, SchemaVersion())
}

// sealsVersion is the schema version that brought seals and the head's MAC.
const sealsVersion = 17

// verifyChainVersion is verifyChain on a database of schema version
// (a backup being restored): one older than seals has neither seals nor a
// MAC on its head to check.
func verifyChainVersion(ctx context.Context, tx *sql.Tx, key []byte, version int) (int64, string, error) {
	legacy := version < sealsVersion
	sealCol, sealQuery, headQuery := "seal", `SELECT seq, entity, row_id, hash FROM audit_seal ORDER BY rowid`,
		`SELECT seq, hash, mac FROM audit_head WHERE id = 1`
	if legacy {
		sealCol, sealQuery, headQuery = "''", `SELECT 0, '', '', '' WHERE 0`, `SELECT seq, hash, '' FROM audit_head WHERE id = 1`
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, site_id, at, user_id, username, role, action, entity,
		entity_id, patient_id, outcome, detail, `+sealCol+`, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	seals, err := tx.QueryContext(ctx, sealQuery)
	if err != nil {
		return 0, "", err
	}
	defer seals.Close()
	type sealRow struct {
		seq                 int64
		entity, rowID, hash string
	}
	var pending *sealRow
	nextSeal := func() (*sealRow, error) {
		if pending != nil {
			return pending, nil
		}
		if !seals.Next() {
			return nil, seals.Err()
		}
		var r sealRow
		if err := seals.Scan(&r.seq, &r.entity, &r.rowID, &r.hash); err != nil {
			return nil, err
		}
		pending = &r
		return pending, nil
	}
	var n, lastSeq, baselines int64
	prev := genesisHash
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Seq, &r.ID, &r.SiteID, &r.At, &r.UserID, &r.Username, &r.Role, &r.Action, &r.Entity,
			&r.EntityID, &r.PatientID, &r.Outcome, &r.Detail, &r.Seal, &r.PrevHash, &r.Hash); err != nil {
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
		var d sealDigest
		for {
			sr, err := nextSeal()
			if err != nil {
				return n, "", err
			}
			if sr == nil || sr.seq > r.Seq {
				break
			}
			if sr.seq < r.Seq {
				return n, fmt.Sprintf("audit seal of %s %s names audit row %d but follows row %d's: seal rows were added", sr.entity, sr.rowID, sr.seq, r.Seq-1), nil
			}
			d.add(sr.entity, sr.rowID, sr.hash)
			pending = nil
		}
		if d.sum() != r.Seal {
			return n, fmt.Sprintf("the record seals of audit row %d were altered: %d seal rows do not match the row's seal", r.Seq, d.n), nil
		}
		// The baseline is written once, when seals begin (seal.go): a
		// second one, or one that starts the log and seals records, means
		// the log was wiped and the records sealed again as they are now.
		if r.Action == baselineAction {
			switch {
			case baselines > 0:
				return n, fmt.Sprintf("audit row %d is a second baseline: the records were sealed again as they are now", r.Seq), nil
			case r.Seq == 1 && d.n > 0:
				return n, fmt.Sprintf("the audit log starts with a baseline that seals %d records: the log was wiped and started again", d.n), nil
			}
			baselines++
		}
		prev, lastSeq = r.Hash, r.Seq
	}
	if err := rows.Err(); err != nil {
		return n, "", err
	}
	if sr, err := nextSeal(); err != nil {
		return n, "", err
	} else if sr != nil {
		return n, fmt.Sprintf("audit seal of %s %s names audit row %d, which the log does not have: rows were removed from the end or seals added", sr.entity, sr.rowID, sr.seq), nil
	}
	if n == 0 {
		return n, "the audit log is empty: every database has at least its baseline row, so the log was wiped", nil
	}
	var headSeq int64
	var headHash, mac string
	err = tx.QueryRowContext(ctx, headQuery).Scan(&headSeq, &headHash, &mac)
	if errors.Is(err, sql.ErrNoRows) {
		return n, "the audit log's head record is missing", nil
	} else if err != nil {
		return n, "", err
	}
	switch {
	case !legacy && !hmac.Equal([]byte(mac), []byte(headMAC(key, headSeq, headHash))):
		return n, fmt.Sprintf("the audit log's head (row %d) was moved or altered: its MAC does not match; rows were probably removed from the end", headSeq), nil
	case headSeq != lastSeq || headHash != prev:
		return n, fmt.Sprintf("the audit log ends at row %d but its head records row %d: rows were removed from the end", lastSeq, headSeq), nil
	case n != headSeq:
		return n, fmt.Sprintf("the audit log holds %d rows but its head counts %d", n, headSeq), nil
	}
	return n, "", nil
}
