package data

import (
	"context"
	"fmt"
	"time"

	"hms/app"
	"hms/data/sync/hlc"
)

// The outbox (migration 0008, SYNC.md): every write transaction takes a
// reading of the desk's hybrid logical clock and keeps it on its
// connection while it runs; the synced tables' triggers stamp the outbox
// rows they write with it (hms_tx_hlc(), migration 0196), and write none
// while it is NULL.

// persistedHLC is the desk's newest persisted clock reading, as an SQL
// expression over sync_meta: the later of sync_meta.last_hlc and the hlc of
// the outbox's last row. Each write transaction's reading is above every
// reading persisted before it (beginOutbox), and its rows take seqs above
// every seq used before (the outbox's highest + 1, or above
// sync_meta.outbox_seq_floor, the highest that has left it: trigger
// outbox_edit_base, migration 0228, which replaced AUTOINCREMENT; a signed
// row's operations move to the end within their own transaction,
// signing.go), so the outbox's last
// row holds the newest reading it has; an operation pushed again to a
// restored server comes back with its old seq and older reading, which
// last_hlc covers already. A row leaving the outbox leaves its reading in
// last_hlc (trigger
// outbox_last_hlc, migration 0197), which pulls and clock incidents set
// too. Until 0197 every row coming in wrote it there: a page of sync_meta
// in every write's commit.
const persistedHLC = `max(last_hlc, coalesce((SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1), ''))`

// startClock resumes the desk's clock above the last reading it persisted
// (persistedHLC), with the offset to the server's time last measured.
func (db *DB) startClock(lastHLC string, offsetMS int64) error {
	last, err := hlc.Parse(lastHLC)
	if err != nil {
		return fmt.Errorf("sync clock: %w", err)
	}
	db.clock = hlc.NewClock(db.siteID, last, db.now)
	db.clock.SetOffset(time.Duration(offsetMS) * time.Millisecond)
	return nil
}

// Clock is the desk's hybrid logical clock.
func (db *DB) Clock() *hlc.Clock { return db.clock }

// SetClockOffset records the server's time minus this desk's, as a
// handshake measured it: the clock's physical part follows the server's
// time from now on, and after restarts.
func (db *DB) SetClockOffset(ctx context.Context, d time.Duration) error {
	d = d.Round(time.Millisecond)
	// The physical time of this handshake, and the held readings' physical
	// times of changes the server has taken, which no clock incident
	// re-dates any more (clock_pinned, ResyncClock).
	// A handshake that found no clock incident measured the desk's usual
	// offset too (clock_usual_ms, the clock incidents' history rows).
	usual := !db.clockIncident.Swap(false)
	if _, err := db.w.ExecContext(ctx, `UPDATE sync_meta SET clock_offset_ms = ?1, clock_checked_ms = ?2,
		clock_usual_ms = CASE WHEN ?3 THEN ?1 ELSE clock_usual_ms END WHERE id = 1`,
		d.Milliseconds(), db.now().Add(d).UnixMilli(), usual); err != nil {
		return fmt.Errorf("clock offset: %w", err)
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM clock_pinned WHERE hlc < coalesce((SELECT min(hlc) FROM outbox), '~')`); err != nil {
		return fmt.Errorf("clock offset: %w", err)
	}
	db.clock.SetOffset(d)
	return nil
}

// noOutbox marks a context whose write transactions leave the outbox
// alone.
type noOutbox struct{}

// withoutOutbox returns a context whose writes write no outbox rows: the
// rows a pull applies (they came from the server, and sending them back
// would echo them), and demo data (a demo desk is never enrolled, and the
// first desk of a clinic uploads what it has as a snapshot, not as a
// million operations).
func withoutOutbox(ctx context.Context) context.Context {
	return context.WithValue(ctx, noOutbox{}, true)
}

// beginOutbox stamps the transaction with a clock reading for the outbox
// triggers, unless its context says otherwise. The triggers read it with
// hms_tx_hlc(), a function of HMS's connections (seal.go) that returns the
// reading of the connection's transaction under way, and NULL outside one
// (migration 0196: it was sync_meta.tx_hlc, set here and cleared by
// endOutbox, two statements and a write per transaction).
func (tx *Tx) beginOutbox() error {
	if off, _ := tx.ctx.Value(noOutbox{}).(bool); off {
		return nil
	}
	clock := tx.db.clock
	var physical int64
	tx.hlc, physical = clock.NowAt()
	var last string
	// With an argument, so that the driver runs it through the
	// connection's statement cache: a statement without one is parsed
	// and compiled again each time (go-sqlite3's execNoArgs).
	if err := tx.QueryRowContext(tx.ctx, `SELECT `+persistedHLC+` FROM sync_meta WHERE id = ?`, 1).Scan(&last); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// Another program writing this database (a command-line subcommand
	// beside the desk's window) stamps with a clock of its own; the reading
	// it persisted keeps the two in order. This transaction holds the write
	// lock, so no reading is persisted meanwhile.
	if last >= tx.hlc.String() {
		persisted, err := hlc.Parse(last)
		if err != nil {
			return fmt.Errorf("outbox: the persisted clock reading: %w", err)
		}
		tx.hlc = clock.Witness(persisted)
	}
	tx.touched.setReading(tx.hlc.String())
	// A reading held above the physical time (the clock went back, or a
	// reading from ahead was taken in) keeps when it was really taken, for a
	// clock found behind at the next handshake (ResyncClock).
	if tx.hlc.Wall-physical > pinnedAfter.Milliseconds() {
		if _, err := tx.ExecContext(tx.ctx, `INSERT OR REPLACE INTO clock_pinned (hlc, physical) VALUES (?, ?)`,
			tx.hlc.String(), physical); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

// pinnedAfter is how far above the physical time a transaction's reading
// must be held for clock_pinned to keep its physical time; below it the
// reading is taken as the time the change was made.
const pinnedAfter = time.Second

// endOutbox clears the reading before the transaction commits, so that no
// later write stamps its rows with it: one not made through the write
// helper writes no outbox rows at all. No statement: hms_tx_hlc reads it
// from the connection (inTx clears it on every other way out too).
func (tx *Tx) endOutbox() error {
	tx.touched.setReading("")
	return nil
}

// ApplyRemote runs fn in a write transaction that writes no outbox rows,
// for the rows a pull applies: they came from the server, so sending them
// back would echo them. newest is the newest clock reading among them. The
// desk's clock takes it in first, so that every later change here is
// stamped after it, and sync_meta keeps it in the transaction; a reading
// too far ahead of this desk's time is refused (hlc.ErrDrift) and nothing
// is applied. The changes were audited where they were made; fn maintains
// field_clock for the fields it sets. While fn runs, sync_meta.applying
// tells the desk's triggers that the rows come from the server, which has
// decided them already (migration 0011).
func (db *DB) ApplyRemote(ctx context.Context, newest hlc.Timestamp, fn func(tx *Tx) error) error {
	var reading hlc.Timestamp
	if !newest.IsZero() {
		var err error
		if reading, err = db.clock.Update(newest); err != nil {
			return fmt.Errorf("apply pulled changes: %w", err)
		}
	}
	return db.inTx(withoutOutbox(ctx), app.Caller{}, "sync.apply", func(tx *Tx) error {
		if !reading.IsZero() {
			if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET last_hlc = ? WHERE id = 1 AND last_hlc < ?`,
				reading.String(), reading.String()); err != nil {
				return fmt.Errorf("sync clock: %w", err)
			}
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET applying = 1 WHERE id = 1`); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		// The search trigger stands aside only inside a pull's own batch
		// (migration 0012), whatever fn did.
		_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET applying = 0, search_deferred = 0 WHERE id = 1`)
		return err
	})
}

// PendingOps returns up to limit outbox operations after seq after, oldest
// first: what the next push sends.
func (db *DB) PendingOps(ctx context.Context, after int64, limit int) ([]hlc.Op, error) {
	return db.readOps(ctx, `SELECT seq, op_id, entity, row_id, kind, payload, hlc, attempts, last_error, base
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// SentOps returns up to limit operations the server acknowledged
// (outbox_sent), after seq after, oldest first: what the desk pushes again
// to a server restored from an older dump.
func (db *DB) SentOps(ctx context.Context, after int64, limit int) ([]hlc.Op, error) {
	return db.readOps(ctx, `SELECT seq, op_id, entity, row_id, kind, payload, hlc, 0, '', base
		FROM outbox_sent WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// readOps reads operations as q selects them (seq, op_id, entity, row_id,
// kind, payload, hlc, attempts, last_error, base), from the outbox or from the
// operations the server acknowledged.
func (db *DB) readOps(ctx context.Context, q string, after int64, limit int) ([]hlc.Op, error) {
	rows, err := db.r.QueryContext(ctx, q, after, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var ops []hlc.Op
	for rows.Next() {
		var op hlc.Op
		var payload, stamp, base string
		if err := rows.Scan(&op.Seq, &op.ID, &op.Entity, &op.RowID, &op.Kind, &payload, &stamp, &op.Attempts,
			&op.LastError, &base); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		op.Payload = []byte(payload)
		if base != "" {
			op.Base = []byte(base)
		}
		if op.HLC, err = hlc.Parse(stamp); err != nil {
			return nil, fmt.Errorf("outbox seq %d: %w", op.Seq, err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return ops, nil
}
