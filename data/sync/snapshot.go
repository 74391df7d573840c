package sync

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"hms/data"
	"hms/data/sync/hlc"
)

// queueSnapshot queues one insert for every row of every synced table
// (replacing what the outbox held, with replace), in the order of data.SyncedTables, stamped with the transaction's clock
// reading: what the clinic's first desk uploads when it enrolls, so that
// the server starts with everything it has, demo data and rows written
// before the outbox existed included. An appointment's replacement is
// queued as an update after all the appointments, since it names a later
// row.
func (tx *txn) queueSnapshot(replace bool) (int64, error) {
	if tx.HLC().IsZero() {
		return 0, fmt.Errorf("snapshot: the transaction has no clock reading")
	}
	if replace {
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM outbox`); err != nil {
			return 0, err
		}
	}
	hlc := tx.HLC().String()
	var total int64
	for _, ent := range data.SyncedTables() {
		entity := ent.Name
		cols, err := tx.tableColumnNames(entity)
		if err != nil {
			return 0, err
		}
		var pairs []string
		for _, c := range cols {
			if slices.Contains(ent.Local, c) || c == ent.Blob || (entity == "appointments" && c == "rescheduled_to") {
				continue
			}
			pairs = append(pairs, "'"+c+"', "+data.QuoteIdent(c))
		}
		keys := ent.KeyColumns()
		rowID := make([]string, len(keys))
		for i, k := range keys {
			rowID[i] = data.QuoteIdent(k)
		}
		var withoutRowid bool
		if err := tx.QueryRowContext(tx.ctx, `SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`, entity).
			Scan(&withoutRowid); err != nil {
			return 0, fmt.Errorf("snapshot of %s: %w", entity, err)
		}
		order := "rowid" // the order the rows were written in: a row names older ones
		if withoutRowid {
			order = strings.Join(rowID, ", ")
		}
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO outbox (entity, row_id, kind, payload, hlc)
			SELECT ?, `+strings.Join(rowID, " || '/' || ")+`, 'insert', json_object(`+strings.Join(pairs, ", ")+`), ?
			FROM `+data.QuoteIdent(entity)+` ORDER BY `+order, entity, hlc)
		if err != nil {
			return 0, fmt.Errorf("snapshot of %s: %w", entity, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
	}
	res, err := tx.ExecContext(tx.ctx, `INSERT INTO outbox (entity, row_id, kind, payload, hlc)
		SELECT 'appointments', id, 'update', json_object('rescheduled_to', rescheduled_to), ?
		FROM appointments WHERE rescheduled_to IS NOT NULL ORDER BY rowid`, hlc)
	if err != nil {
		return 0, fmt.Errorf("snapshot of appointments: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return total + n, nil
}

// tableColumnNames are a table's columns in their order.
func (tx *txn) tableColumnNames(table string) ([]string, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// attachBlobs adds to the inserts of report files and receipts their
// bytes (base64, under data.BlobKey), which stay in their tables rather than in
// the outbox. A row gone since travels without them.
func (e *Engine) attachBlobs(ctx context.Context, ops []hlc.Op) {
	for i, op := range ops {
		ent, _ := data.FindSyncedTable(op.Entity)
		if ent.Blob == "" || op.Kind != hlc.KindInsert || len(op.Payload) < 2 {
			continue
		}
		vals, ok := ent.SplitRowID(op.RowID)
		if !ok {
			continue
		}
		var b []byte
		err := e.r.QueryRowContext(ctx, `SELECT `+data.QuoteIdent(ent.Blob)+` FROM `+data.QuoteIdent(op.Entity)+` WHERE `+ent.KeyWhere(), vals...).Scan(&b)
		if err != nil {
			continue
		}
		p := op.Payload
		sep := ","
		if strings.TrimSpace(string(p[1:len(p)-1])) == "" {
			sep = ""
		}
		ops[i].Payload = append(append(p[:len(p)-1:len(p)-1], []byte(sep+`"`+data.BlobKey+`":"`)...),
			[]byte(base64.StdEncoding.EncodeToString(b)+`"}`)...)
	}
}
