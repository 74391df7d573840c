package sync

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	stdsync "sync"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
)

// PullBatch is how many changes of the server's log one round trip
// fetches; the desk applies each batch in one transaction.
const PullBatch = 1000

// pullChanges fetches the server's change log after the desk's cursor and
// applies it, batch by batch (SYNC.md, pull). Each batch is applied, and
// the cursor moved past it, in one SQLite transaction that writes no
// outbox rows (no echo); the clock takes in the newest reading first. A
// change that cannot be applied here (a constraint of this desk refuses
// it) does not stop the others: the batch is applied again one change at
// a time, and the one that fails goes to conflicts for review, with the
// server's row, so nothing is lost.
func (e *Engine) pullChanges(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	var txid, seq int64
	var dlEntity, dlRow string
	if err := e.r.QueryRowContext(ctx, `SELECT pull_txid, pull_seq, download_entity, download_row FROM sync_meta WHERE id = 1`).
		Scan(&txid, &seq, &dlEntity, &dlRow); err != nil {
		return internal("sync.pull", err)
	}
	if txid == 0 && seq == 0 {
		end, err := e.downloadPruned(ctx, c, dlEntity, dlRow, rep)
		if err != nil {
			return err
		}
		txid, seq = int64(end.TxID), end.Seq
	}
	// The next batch is fetched while this one is applied: the server's
	// part and the desk's overlap. One fetch at a time uses the connection.
	type fetched struct {
		changes []server.Change
		err     error
	}
	next := make(chan fetched, 1)
	fetch := func(txid uint64, seq int64) {
		go func() {
			changes, err := c.Pull(ctx, e.siteID, txid, seq, PullBatch)
			next <- fetched{changes, err}
		}()
	}
	fetch(uint64(txid), seq)
	for {
		f := <-next
		if f.err != nil {
			return serverError(f.err)
		}
		if len(f.changes) == 0 {
			return nil
		}
		more := len(f.changes) == PullBatch
		if more {
			last := f.changes[len(f.changes)-1]
			fetch(last.TxID, last.Seq)
		}
		if err := e.applyChanges(ctx, f.changes, rep); err != nil {
			if more {
				<-next // the connection is free again before the round closes it
			}
			return err
		}
		if !more {
			return nil
		}
	}
}

// downloadPruned downloads, for a desk whose cursor is at the start, what
// lies below the horizon of the server's last prune (server migration
// 0015): one entry per row, table by table in the order of
// data.SyncedTables (parents first), so that no row comes before a row it
// refers to, as it would in log order, where a row's one entry left lies
// where its last change went. Each batch is applied as a pulled batch is,
// and the desk notes where it got to (a download cut short goes on from
// there); at the end its cursor goes to the last entry below the horizon,
// after which it pulls the log in order. It returns that entry, or the
// start when the server was never pruned.
func (e *Engine) downloadPruned(ctx context.Context, c *server.Client, entity, row string, rep *app.SyncReport) (server.Change, error) {
	var end server.Change
	var err error
	if end.TxID, end.Seq, err = c.PrunedEnd(ctx, e.siteID); err != nil {
		return server.Change{}, serverError(err)
	}
	if end.Seq == 0 {
		return server.Change{}, nil
	}
	var order []string
	for _, t := range data.SyncedTables() {
		order = append(order, t.Name)
	}
	type fetched struct {
		changes []server.Change
		err     error
	}
	next := make(chan fetched, 1)
	fetch := func(entity, row string) {
		go func() {
			changes, err := c.PullPruned(ctx, e.siteID, order, entity, row, PullBatch)
			next <- fetched{changes, err}
		}()
	}
	fetch(entity, row)
	for {
		f := <-next
		if f.err != nil {
			return server.Change{}, serverError(f.err)
		}
		more := len(f.changes) == PullBatch
		if len(f.changes) > 0 {
			last := f.changes[len(f.changes)-1]
			if more {
				fetch(last.Entity, last.RowID)
			}
			if err := e.applyBatch(ctx, f.changes, rep, true, func(tx *txn) error {
				_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET download_entity = ?, download_row = ? WHERE id = 1`,
					last.Entity, last.RowID)
				return err
			}); err != nil {
				if more {
					<-next // the connection is free again before the round closes it
				}
				return server.Change{}, err
			}
		}
		if !more {
			break
		}
	}
	if err := e.writeState(ctx, "sync.pull", func(tx *txn) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET download_entity = '', download_row = '' WHERE id = 1`); err != nil {
			return err
		}
		return tx.movePullCursor(end)
	}); err != nil {
		return server.Change{}, internal("sync.pull", err)
	}
	return end, nil
}

// applyChanges applies one batch of pulled changes and moves the cursor
// past it.
func (e *Engine) applyChanges(ctx context.Context, changes []server.Change, rep *app.SyncReport) error {
	last := changes[len(changes)-1]
	return e.applyBatch(ctx, changes, rep, false, func(tx *txn) error { return tx.movePullCursor(last) })
}

// applyBatch applies one batch of pulled changes and, in the same
// transaction, notes how far the desk got (mark). fresh: the rows are
// most likely new here (a download).
func (e *Engine) applyBatch(ctx context.Context, changes []server.Change, rep *app.SyncReport, fresh bool, mark func(tx *txn) error) error {
	var newest hlc.Timestamp
	for _, ch := range changes {
		t, err := hlc.Parse(ch.HLC)
		if err != nil {
			return internal("sync.pull", fmt.Errorf("change %d of %s %s: %w", ch.Seq, ch.Entity, ch.RowID, err))
		}
		if newest.Before(t) {
			newest = t
		}
	}
	var applied, failed int
	err := e.applyRemote(ctx, newest, func(tx *txn) error {
		applied, failed = 0, 0
		a, err := e.newApplier(tx, true)
		if err != nil {
			return err
		}
		a.fresh = fresh
		if err := a.prefetch(changes); err != nil {
			return err
		}
		orphans, err := a.orphans(changes)
		if err != nil {
			return err
		}
		detected := formatTime(e.db.Now())
		pv := e.newPowerCheck(tx, changes)
		for i, ch := range changes {
			if ok, err := pv.check(ch); err != nil {
				return err
			} else if !ok {
				continue
			}
			if why := orphans[i]; why != nil {
				// Its parent has not come (a restored server took a child
				// pushed again before its parent): kept, as the one-by-one
				// pass would keep it, and applied when the parent comes.
				// What its entry says lost is kept for review now: the
				// change kept holds only the row.
				if err := a.keepLost(ch); err != nil {
					return err
				}
				if err := a.supersede(ch); err != nil {
					return err
				}
				if err := tx.keepUnapplied(ch, why, detected); err != nil {
					return err
				}
				a.noneParked = false
				failed++
				continue
			}
			if err := a.applyLine(ch); errors.Is(err, errPositionTaken) || errors.Is(err, errLateLine) {
				// Kept, as the one-by-one pass would keep it, without
				// failing the batch (lineFits); what its entry says lost
				// is kept for review now (applyLine undid apply's).
				if err := a.keepLost(ch); err != nil {
					return err
				}
				if err := a.supersede(ch); err != nil {
					return err
				}
				if err := tx.keepUnapplied(ch, err, detected); err != nil {
					return err
				}
				if orphans == nil {
					orphans = map[int]error{}
				}
				orphans[i] = err
				a.noneParked = false
				failed++
				continue
			} else if err != nil {
				// Applied again one by one below, where it is kept for
				// review: no internal error, unless SQLite itself failed.
				return data.Handled(fmt.Errorf("%s %s: %w", ch.Entity, ch.RowID, err))
			}
			if err := a.supersede(ch); err != nil {
				return err
			}
			if ch.Origin != e.siteID {
				applied++
			}
		}
		if err := a.done(); err != nil {
			return err
		}
		took := pv.applied(changes)
		if len(orphans) > 0 {
			took = took[:0:0]
			for i, ch := range changes {
				if orphans[i] == nil && !pv.refused[i] {
					took = append(took, ch)
				}
			}
		}
		if err := e.auditReceived(tx, took, pv.signers); err != nil {
			return err
		}
		failed += pv.refusals
		return mark(tx)
	})
	if err != nil && !errors.Is(err, hlc.ErrDrift) && ctx.Err() == nil {
		// One change this desk refuses: apply the batch one by one, each
		// in a savepoint with its foreign keys checked at once, and keep
		// the ones that fail for review.
		err = e.applyRemote(ctx, newest, func(tx *txn) error {
			applied, failed = 0, 0
			var took []server.Change
			a, err := e.newApplier(tx, false)
			if err != nil {
				return err
			}
			a.fresh = fresh
			detected := formatTime(e.db.Now())
			// The rows of the changes parked by this batch: a later change
			// of one closes them (supersede), and they are not reported.
			parkedHere := map[[2]string]int{}
			supersede := func(ch server.Change) error {
				if err := a.supersede(ch); err != nil {
					return err
				}
				key := [2]string{ch.Entity, ch.RowID}
				failed -= parkedHere[key]
				delete(parkedHere, key)
				return nil
			}
			pv := e.newPowerCheck(tx, changes)
			for _, ch := range changes {
				if ok, err := pv.check(ch); err != nil {
					return err
				} else if !ok {
					continue
				}
				if _, err := tx.ExecContext(tx.ctx, `SAVEPOINT pulled`); err != nil {
					return err
				}
				aerr := a.apply(ch)
				if aerr != nil {
					if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO pulled`); err != nil {
						return err
					}
					// What its entry says lost is kept for review now (the
					// change kept below holds only the row); when that is
					// what failed, it is undone and the change kept as is.
					if err := a.keepLost(ch); err != nil {
						if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO pulled`); err != nil {
							return err
						}
					}
					// The row's older parked changes are stale: this one
					// holds the row as the server has it now.
					if err := supersede(ch); err != nil {
						return err
					}
					if err := tx.keepUnapplied(ch, aerr, detected); err != nil {
						return err
					}
					a.noneParked = false // it was computed before this one
					parkedHere[[2]string{ch.Entity, ch.RowID}]++
					failed++
				} else {
					if err := supersede(ch); err != nil {
						return err
					}
					if ch.Origin != e.siteID {
						applied++
					}
					took = append(took, ch)
				}
				if _, err := tx.ExecContext(tx.ctx, `RELEASE pulled`); err != nil {
					return err
				}
			}
			if err := a.done(); err != nil {
				return err
			}
			// The changes kept for review are in conflicts; the log
			// lists those applied.
			if err := e.auditReceived(tx, took, pv.signers); err != nil {
				return err
			}
			failed += pv.refusals
			return mark(tx)
		})
	}
	if err != nil {
		if errors.Is(err, hlc.ErrDrift) {
			return app.Errorf(app.ECONFLICT, "The server sent changes stamped far ahead of this desk's clock: check the date and time of this computer. (%s)", err)
		}
		return internal("sync.pull", err)
	}
	rep.Pulled += applied // of other desks: the desk's own come back only for what the server set
	rep.PullConflicts += failed
	return nil
}

// applyLine applies ch; a change of an invoice line is applied in a
// savepoint, undone when the line's position is taken here (lineFits).
func (a *applier) applyLine(ch server.Change) error {
	if ch.Entity != "invoice_lines" {
		return a.apply(ch)
	}
	if _, err := a.tx.exec(`SAVEPOINT line`); err != nil {
		return err
	}
	aerr := a.apply(ch)
	if errors.Is(aerr, errPositionTaken) || errors.Is(aerr, errLateLine) {
		if _, err := a.tx.exec(`ROLLBACK TO line`); err != nil {
			return err
		}
	}
	if _, err := a.tx.exec(`RELEASE line`); err != nil {
		return err
	}
	return aerr
}

// supersede closes the parked changes of ch's row (changes this desk
// could not apply, kept in conflicts): ch is newer and holds the row as
// the server has it.
func (a *applier) supersede(ch server.Change) error {
	if a.noneParked {
		return nil
	}
	_, err := a.tx.exec(`UPDATE conflicts SET resolved_at = ?, resolved_by = 'sync', resolution = 'taken'
		WHERE entity = ? AND row_id = ? AND resolved_at IS NULL AND rule LIKE ?`,
		formatTime(a.e.db.Now()), ch.Entity, ch.RowID, data.RuleNotApplied+"%")
	return err
}

// retryParked applies again, oldest first, the pulled changes this desk
// could not apply (kept in conflicts): most lacked a row that came later
// (after a restored server, desks push their operations again in their
// own order, not in the order they were first made). One that applies now
// is closed as taken; the others wait for the next round.
//
// They are taken together, as a pulled batch is (retryTogether): parked
// rows may refer to each other both ways (an appointment moved and the
// one it moved to name each other), so that neither can be applied
// before the other. Only when that fails are they taken one at a time,
// each with its keys checked at once.
func (e *Engine) retryParked(ctx context.Context, rep *app.SyncReport) error {
	for pass := 0; pass < 5; pass++ {
		rows, err := e.r.QueryContext(ctx, `SELECT id, entity, row_id, lost_value, lost_hlc, lost_site, entry FROM conflicts
			WHERE resolved_at IS NULL AND rule LIKE ? ORDER BY lost_hlc, rowid`, data.RuleNotApplied+"%")
		if err != nil {
			return internal("sync.pull", err)
		}
		var ps []parkedChange
		for rows.Next() {
			var p parkedChange
			var data, entry string
			if err := rows.Scan(&p.id, &p.ch.Entity, &p.ch.RowID, &data, &p.ch.HLC, &p.ch.Origin, &entry); err != nil {
				rows.Close()
				return internal("sync.pull", err)
			}
			p.ch.Data = json.RawMessage(data)
			if err := restoreEntry(&p.ch, entry); err != nil {
				// Written by keepUnapplied, sealed: only an edit outside
				// the app makes it unreadable, which verify reports. The
				// change stays kept; the rest still sync.
				slog.Warn("a change kept for later cannot be read: left kept", "entity", p.ch.Entity, "row", p.ch.RowID, "err", err)
				continue
			}
			ps = append(ps, p)
		}
		rows.Close()
		if len(ps) == 0 {
			return nil
		}
		progress, err := e.retryTogether(ctx, ps)
		if err != nil && ctx.Err() == nil {
			progress, err = e.retryOneByOne(ctx, ps)
		}
		if err != nil {
			return internal("sync.pull", err)
		}
		rep.PullConflicts -= min(progress, rep.PullConflicts)
		if progress == 0 {
			return nil
		}
	}
	return nil
}

// parkedChange is a pulled change kept in conflicts (id) because this
// desk could not apply it.
type parkedChange struct {
	id string
	ch server.Change
}

// retryTogether applies the parked changes that can be applied now in one
// transaction, their foreign keys checked at commit, and closes them as
// taken, listing them as received (sync.received, as a pulled batch
// does); it returns how many. A change whose row still refers to a row
// neither on the desk nor among those applied (orphans) waits. A change
// that fails for another reason waits too, and the rest are applied again
// without it, so that nothing that refers to its row is applied.
func (e *Engine) retryTogether(ctx context.Context, ps []parkedChange) (int, error) {
	progress := 0
	err := e.applyRemote(ctx, hlc.Timestamp{}, func(tx *txn) error {
		progress = 0
		a, err := e.newApplier(tx, true)
		if err != nil {
			return err
		}
		a.noneParked = true // closed below
		failed := make([]bool, len(ps))
		for {
			var idx []int
			var changes []server.Change
			for i, p := range ps {
				if !failed[i] {
					idx = append(idx, i)
					changes = append(changes, p.ch)
				}
			}
			orphans, err := a.orphans(changes)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `SAVEPOINT retry`); err != nil {
				return err
			}
			var took []int
			again := false
			for j, ch := range changes {
				if orphans[j] != nil {
					continue
				}
				if _, err := tx.ExecContext(tx.ctx, `SAVEPOINT parked`); err != nil {
					return err
				}
				if aerr := a.apply(ch); aerr != nil {
					if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO parked`); err != nil {
						return err
					}
					failed[idx[j]], again = true, true
				} else {
					took = append(took, idx[j])
				}
				if _, err := tx.ExecContext(tx.ctx, `RELEASE parked`); err != nil {
					return err
				}
			}
			if again {
				// What was applied may refer to a row that failed: again
				// without the failed ones.
				if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO retry`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(tx.ctx, `RELEASE retry`); err != nil {
					return err
				}
				clear(a.unsearchable)
				continue
			}
			now := formatTime(e.db.Now())
			for _, i := range took {
				if _, err := tx.ExecContext(tx.ctx, `UPDATE conflicts SET resolved_at = ?, resolved_by = 'sync',
					resolution = 'taken' WHERE id = ?`, now, ps[i].id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(tx.ctx, `RELEASE retry`); err != nil {
				return err
			}
			progress = len(took)
			if err := a.done(); err != nil {
				return err
			}
			// Received now: in the desk's log like any pulled change it
			// applies.
			received := make([]server.Change, len(took))
			for k, i := range took {
				received[k] = ps[i].ch
			}
			return e.auditReceived(tx, received, nil)
		}
	})
	return progress, err
}

// retryOneByOne applies the parked changes one at a time, each in a
// savepoint with its foreign keys checked at once, closes those applied
// as taken and lists them as received; it returns how many.
func (e *Engine) retryOneByOne(ctx context.Context, ps []parkedChange) (int, error) {
	progress := 0
	err := e.applyRemote(ctx, hlc.Timestamp{}, func(tx *txn) error {
		progress = 0
		a, err := e.newApplier(tx, false)
		if err != nil {
			return err
		}
		a.noneParked = true // closed one by one below
		now := formatTime(e.db.Now())
		var received []server.Change
		for _, p := range ps {
			if _, err := tx.ExecContext(tx.ctx, `SAVEPOINT parked`); err != nil {
				return err
			}
			if aerr := a.apply(p.ch); aerr != nil {
				if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO parked`); err != nil {
					return err
				}
			} else {
				if _, err := tx.ExecContext(tx.ctx, `UPDATE conflicts SET resolved_at = ?, resolved_by = 'sync',
					resolution = 'taken' WHERE id = ?`, now, p.id); err != nil {
					return err
				}
				received = append(received, p.ch)
				progress++
			}
			if _, err := tx.ExecContext(tx.ctx, `RELEASE parked`); err != nil {
				return err
			}
		}
		if err := a.done(); err != nil {
			return err
		}
		return e.auditReceived(tx, received, nil)
	})
	return progress, err
}

// movePullCursor records that the desk has applied the log up to ch.
func (tx *txn) movePullCursor(ch server.Change) error {
	_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET pull_txid = ?, pull_seq = ? WHERE id = 1`, int64(ch.TxID), ch.Seq)
	return err
}

// keepUnapplied writes a change this desk could not apply to conflicts:
// the server's row is the value that is missing here, and the rest of its
// entry (parkedEntry) is kept with it for when it is applied.
func (tx *txn) keepUnapplied(ch server.Change, why error, detected string) error {
	site := ch.Origin
	if t, err := hlc.Parse(ch.HLC); err == nil {
		site = t.Site
	}
	entry, err := json.Marshal(parkedEntry{Origin: ch.Origin, TxID: ch.TxID, Seq: ch.Seq, FieldHLC: ch.FieldHLC,
		DeletedHLC: ch.DeletedHLC, ServerSet: ch.ServerSet})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO conflicts
		(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at, entry)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, 'null', '', '', ?, ?)`,
		newID(), ch.Entity, ch.RowID, data.RuleNotApplied+why.Error(), jsonText(ch.Data), ch.HLC, site, detected, string(entry))
	return err
}

// parkedEntry is what a parked change's log entry says besides its row
// (conflicts.entry, desk migration 0246): applied later, the change is
// merged field by field with its own field clocks, keeps what each field
// saw as the base of this desk's next edits, and deletes when it is a
// delete, as it would have when pulled.
type parkedEntry struct {
	Origin     string          `json:"origin,omitempty"`
	TxID       uint64          `json:"tx_id,omitempty"`
	Seq        int64           `json:"seq,omitempty"`
	FieldHLC   json.RawMessage `json:"field_hlc,omitempty"`
	DeletedHLC string          `json:"deleted_hlc,omitempty"`
	ServerSet  json.RawMessage `json:"server_set,omitempty"`
}

// restoreEntry puts back into a parked change what keepUnapplied kept of
// its entry; a change parked before desk migration 0246 (an empty entry)
// keeps its row and reading alone, its origin the reading's desk.
func restoreEntry(ch *server.Change, entry string) error {
	if entry == "" {
		return nil
	}
	var pe parkedEntry
	if err := json.Unmarshal([]byte(entry), &pe); err != nil {
		return err
	}
	if pe.Origin != "" {
		ch.Origin = pe.Origin
	}
	ch.TxID, ch.Seq, ch.FieldHLC, ch.DeletedHLC, ch.ServerSet = pe.TxID, pe.Seq, pe.FieldHLC, pe.DeletedHLC, pe.ServerSet
	return nil
}

// applier applies pulled changes inside one transaction.
type applier struct {
	e  *Engine
	tx *txn
	// outboxEmpty and nonePushed spare the look-ups of waiting local
	// changes and of pushed rows per row.
	outboxEmpty, nonePushed bool
	// noneParked: no pulled change waits in conflicts for what it lacked
	// (retryParked); a later change of a row supersedes one parked.
	noneParked bool
	// fresh: the rows come from a download, and are most likely new here.
	fresh bool
	// staleDashboard: a row arrived past the steps the dashboard's
	// triggers count (an invoice already issued, from a snapshot).
	staleDashboard bool
	// deferSearch: the patients inserted get their search rows from
	// addSearchRows, not row by row from the trigger (migration 0012);
	// unsearchable are those still without them.
	deferSearch  bool
	unsearchable map[string]bool
	// inserts are the tables' insert statements, by the columns they set.
	inserts map[string]*insertStatements
	// known are the desk's rows and field clocks of the records a batch
	// changes (prefetch), read once per batch rather than per change;
	// each is taken once, by the first change of its row.
	known map[string]knownRow
	// invoices and payments are those the batch's changes name, whose
	// invoices' statuses done derives again (touchBilling).
	invoices, payments []string
}

// knownRow is a desk's row and its field clocks, as prefetch read them.
type knownRow struct {
	row    map[string]any // nil: the desk has no such row
	clocks map[string]string
}

// prefetch reads, for the edited records a batch changes (rows the desk
// most likely has), the desk's rows and their field clocks in one query
// per table each, which apply then takes instead of reading them per
// change.
func (a *applier) prefetch(changes []server.Change) error {
	if a.fresh {
		return nil
	}
	byEntity := map[string][]string{}
	for _, ch := range changes {
		if len(ch.FieldHLC) > 2 && ch.DeletedHLC == "" {
			byEntity[ch.Entity] = append(byEntity[ch.Entity], ch.RowID)
		}
	}
	for entity, ids := range byEntity {
		ent, ok := data.FindSyncedTable(entity)
		// Editable records only: their columns change only through their
		// own changes, while other tables' rows (an invoice's amounts) may
		// be moved by the triggers of rows applied before them.
		if !ok || !ent.Editable || ent.Append || ent.Blob != "" || !slices.Equal(ent.KeyColumns(), []string{"id"}) || len(ids) < 2 {
			continue
		}
		cols, err := a.columns(entity)
		if err != nil {
			return err
		}
		names := slices.Sorted(maps.Keys(cols))
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = data.QuoteIdent(n)
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		if a.known == nil {
			a.known = map[string]knownRow{}
		}
		for _, id := range ids {
			a.known[entity+"\x00"+id] = knownRow{clocks: map[string]string{}}
		}
		rows, err := a.tx.query(`SELECT `+strings.Join(quoted, ", ")+` FROM `+data.QuoteIdent(entity)+
			` WHERE id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return err
		}
		idAt := slices.Index(names, "id")
		for rows.Next() {
			dest := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range dest {
				ptrs[i] = &dest[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			row := make(map[string]any, len(names))
			for i, n := range names {
				row[n] = dest[i]
			}
			var id string
			switch v := dest[idAt].(type) {
			case string:
				id = v
			case []byte:
				id = string(v)
			}
			k := a.known[entity+"\x00"+id]
			k.row = row
			a.known[entity+"\x00"+id] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		crows, err := a.tx.query(`SELECT row_id, field, hlc FROM field_clock
			WHERE entity = ? AND row_id IN (SELECT value FROM json_each(?))`, entity, string(list))
		if err != nil {
			return err
		}
		for crows.Next() {
			var id, f, h string
			if err := crows.Scan(&id, &f, &h); err != nil {
				crows.Close()
				return err
			}
			a.known[entity+"\x00"+id].clocks[f] = h
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// takeKnown returns the row and field clocks prefetch read for a record,
// once: a later change of the same row in the batch reads them anew.
func (a *applier) takeKnown(entity, rowID string) (knownRow, bool) {
	if a.known == nil {
		return knownRow{}, false
	}
	key := entity + "\x00" + rowID
	k, ok := a.known[key]
	if ok {
		delete(a.known, key)
	}
	return k, ok
}

// insertStatements are the statements that insert pulled rows into one
// table: a downloaded clinic inserts thousands of rows with the same
// columns, which then cost no sorting and no building of SQL each.
type insertStatements struct {
	names []string          // the table's columns, sorted
	byCol map[string]string // by which of names are set, a byte per name
}

// insert returns the statement that inserts the row vals into entity,
// whose key columns are keys, unless the row is there already, and its
// arguments.
func (a *applier) insert(entity string, keys []string, cols tableColumns, vals map[string]any) (string, []any) {
	t := a.inserts[entity]
	if t == nil {
		t = &insertStatements{names: slices.Sorted(maps.Keys(cols)), byCol: map[string]string{}}
		if a.inserts == nil {
			a.inserts = map[string]*insertStatements{}
		}
		a.inserts[entity] = t
	}
	set := make([]byte, len(t.names))
	args := make([]any, 0, len(vals))
	for i, n := range t.names {
		if v, ok := vals[n]; ok {
			set[i] = 1
			args = append(args, v)
		}
	}
	if len(args) != len(vals) {
		// A column the table lacks: the statement names it, and fails.
		names := slices.Sorted(maps.Keys(vals))
		args = args[:0]
		for _, n := range names {
			args = append(args, vals[n])
		}
		return insertSQL(entity, keys, names), args
	}
	q, ok := t.byCol[string(set)]
	if !ok {
		var names []string
		for i, n := range t.names {
			if set[i] == 1 {
				names = append(names, n)
			}
		}
		q = insertSQL(entity, keys, names)
		t.byCol[string(set)] = q
	}
	return q, args
}

// insertSQL inserts the named columns into entity, unless a row with the
// same key columns is there.
func insertSQL(entity string, keys, names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = data.QuoteIdent(n)
	}
	keyList := make([]string, len(keys))
	for i, k := range keys {
		keyList[i] = data.QuoteIdent(k)
	}
	// No field clocks: a field without one holds the value its record
	// was created with, and every later reading of it is newer.
	return `INSERT INTO ` + data.QuoteIdent(entity) + ` (` + strings.Join(quoted, ", ") + `) VALUES (?` +
		strings.Repeat(", ?", len(names)-1) + `) ON CONFLICT (` + strings.Join(keyList, ", ") + `) DO NOTHING`
}

// done finishes a batch: the patients it inserted get their search rows,
// and summaries that missed rows are rebuilt when the dashboard is next
// read.
func (a *applier) done() error {
	if err := a.deriveStatuses(); err != nil {
		return err
	}
	if a.deferSearch {
		if err := a.addSearchRows(); err != nil {
			return err
		}
		if _, err := a.tx.ExecContext(a.tx.ctx, `UPDATE sync_meta SET search_deferred = 0 WHERE id = 1`); err != nil {
			return err
		}
	}
	if !a.staleDashboard {
		return nil
	}
	return a.tx.RebuildDashboard()
}

// touchBilling notes the invoice whose status a pulled change of an
// invoice, its lines, credit note or allocations may move, and a pulled
// payment, whose invoices a reversal moves.
func (a *applier) touchBilling(ch server.Change) {
	switch ch.Entity {
	case "invoices":
		a.invoices = append(a.invoices, ch.RowID)
	case "payments":
		a.payments = append(a.payments, ch.RowID)
	case "payment_allocations", "credit_notes", "invoice_lines":
		var r struct {
			InvoiceID string `json:"invoice_id"`
		}
		if json.Unmarshal(ch.Data, &r) == nil && r.InvoiceID != "" {
			a.invoices = append(a.invoices, r.InvoiceID)
		}
	}
}

// deriveStatuses sets the statuses of the invoices the batch touched to
// what the payments this desk now holds give them: an invoice's status is
// synced as a field, and the desk that wrote it last may not have held
// another desk's payment of the same invoice (data.Tx.DeriveInvoiceStatuses).
func (a *applier) deriveStatuses() error {
	if len(a.payments) > 0 {
		list, err := json.Marshal(a.payments)
		if err != nil {
			return err
		}
		rows, err := a.tx.QueryContext(a.tx.ctx, `SELECT DISTINCT a.invoice_id FROM payment_allocations a
			WHERE a.payment_id IN (SELECT coalesce(p.reversal_of, p.id) FROM payments p WHERE p.id IN (SELECT value FROM json_each(?)))`,
			string(list))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			a.invoices = append(a.invoices, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	slices.Sort(a.invoices)
	err := a.tx.DeriveInvoiceStatuses(slices.Compact(a.invoices))
	a.invoices, a.payments = a.invoices[:0], a.payments[:0]
	return err
}

// addSearchRows writes the search rows of the patients inserted since it
// last ran (data.Tx.IndexPatients).
func (a *applier) addSearchRows() error {
	if len(a.unsearchable) == 0 {
		return nil
	}
	if err := a.tx.IndexPatients(slices.Collect(maps.Keys(a.unsearchable))); err != nil {
		return err
	}
	clear(a.unsearchable)
	return nil
}

// newApplier starts applying pulled changes. In bulk (a whole batch in
// one transaction, which fails as one) the foreign keys are checked at
// commit and the search rows of new patients are written together;
// otherwise each change is whole when apply returns, for savepoints.
func (e *Engine) newApplier(tx *txn, bulk bool) (*applier, error) {
	a := &applier{e: e, tx: tx}
	if bulk {
		// Rows of one batch may refer to each other in any order; the keys
		// are checked when it commits.
		if _, err := tx.ExecContext(tx.ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET search_deferred = 1 WHERE id = 1`); err != nil {
			return nil, err
		}
		a.deferSearch, a.unsearchable = true, map[string]bool{}
	}
	var queued, pushed, parked int
	if err := tx.QueryRowContext(tx.ctx, `SELECT EXISTS (SELECT 1 FROM outbox), EXISTS (SELECT 1 FROM pushed_rows),
			EXISTS (SELECT 1 FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?)`, data.RuleNotApplied+"%").
		Scan(&queued, &pushed, &parked); err != nil {
		return nil, err
	}
	a.outboxEmpty, a.nonePushed, a.noneParked = queued == 0, pushed == 0, parked == 0
	return a, nil
}

// orphans finds the changes of a batch whose row refers to a row that is
// neither on the desk nor made by the batch: a restored server takes the
// desks' operations again in the order each desk pushes them, so a child
// (the merge event of a patient another desk registered) can come before
// its parent. Applied in bulk, one such change failed the batch's foreign
// keys at commit, and the batch was applied again one change at a time;
// found first, it is kept for review and the rest go on in bulk. A row's
// references are its table's foreign keys. By the change's index, why.
func (a *applier) orphans(changes []server.Change) (map[int]error, error) {
	if a.fresh {
		return nil, nil // a download comes parents first
	}
	inBatch := map[[2]string]bool{}
	for _, ch := range changes {
		if ch.DeletedHLC == "" {
			inBatch[[2]string{ch.Entity, ch.RowID}] = true
		}
	}
	type ref struct {
		i      int
		parent string
	}
	wanted := map[[2]string][]ref{} // parent table and key column → ids
	wantedIDs := map[[2]string]map[string]bool{}
	inBatchParents := map[int][][2]string{} // parents that come in the batch: (table, id)
	for i, ch := range changes {
		if ch.DeletedHLC != "" {
			continue
		}
		fks, err := a.foreignKeys(ch.Entity)
		if err != nil {
			return nil, err
		}
		if len(fks) == 0 {
			continue
		}
		var row map[string]any
		if err := json.Unmarshal(ch.Data, &row); err != nil {
			continue // apply says why
		}
		for _, fk := range fks {
			id, _ := row[fk.from].(string)
			if id == "" {
				continue
			}
			if fk.to == "id" && inBatch[[2]string{fk.table, id}] {
				inBatchParents[i] = append(inBatchParents[i], [2]string{fk.table, id})
				continue
			}
			k := [2]string{fk.table, fk.to}
			wanted[k] = append(wanted[k], ref{i, id})
			if wantedIDs[k] == nil {
				wantedIDs[k] = map[string]bool{}
			}
			wantedIDs[k][id] = true
		}
	}
	var out map[int]error
	for k, refs := range wanted {
		list, err := json.Marshal(slices.Collect(maps.Keys(wantedIDs[k])))
		if err != nil {
			return nil, err
		}
		col := data.QuoteIdent(k[1])
		rows, err := a.tx.query(`SELECT `+col+` FROM `+data.QuoteIdent(k[0])+` WHERE `+col+
			` IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return nil, err
		}
		have := map[string]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			have[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, r := range refs {
			if !have[r.parent] {
				if out == nil {
					out = map[int]error{}
				}
				out[r.i] = fmt.Errorf("FOREIGN KEY constraint failed: the %s row %s it refers to has not arrived", k[0], r.parent)
			}
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	// A parent that comes in the batch but is kept itself (its own parent
	// has not come: an appointment of a patient not arrived yet) is not
	// there either, unless the desk has it already: its children are kept
	// too (the appointment's events), and theirs, until nothing changes.
	for {
		applied := map[[2]string]bool{}
		for i, ch := range changes {
			if ch.DeletedHLC == "" && out[i] == nil {
				applied[[2]string{ch.Entity, ch.RowID}] = true
			}
		}
		more := false
		for i, parents := range inBatchParents {
			if out[i] != nil {
				continue
			}
			for _, p := range parents {
				if applied[p] {
					continue
				}
				var n int
				if err := a.tx.QueryRowContext(a.tx.ctx, `SELECT count(*) FROM `+data.QuoteIdent(p[0])+` WHERE id = ?`, p[1]).Scan(&n); err != nil {
					return nil, err
				}
				if n == 0 {
					out[i] = fmt.Errorf("FOREIGN KEY constraint failed: the %s row %s it refers to has not arrived", p[0], p[1])
					more = true
					break
				}
			}
		}
		if !more {
			return out, nil
		}
	}
}

// foreignKey is a column of a synced table that refers to another table.
type foreignKey struct{ from, table, to string }

// foreignKeys are a synced table's foreign keys, read once per database
// from the schema.
func (a *applier) foreignKeys(entity string) ([]foreignKey, error) {
	pt := &a.e.tables
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if fks, ok := pt.fks[entity]; ok {
		return fks, nil
	}
	rows, err := a.tx.QueryContext(a.tx.ctx, `SELECT "from", "table", coalesce("to", 'id') FROM pragma_foreign_key_list(?)`, entity)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.from, &fk.table, &fk.to); err != nil {
			return nil, err
		}
		fks = append(fks, fk)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if pt.fks == nil {
		pt.fks = map[string][]foreignKey{}
	}
	pt.fks[entity] = fks
	return fks, nil
}

// tableColumns are a synced table's columns and their declared types.
type tableColumns map[string]string

// tableCache keeps the columns of the synced tables, read once per
// database from the schema.
type tableCache struct {
	mu     stdsync.Mutex
	tables map[string]tableColumns
	fks    map[string][]foreignKey
}

func (a *applier) columns(entity string) (tableColumns, error) {
	pt := &a.e.tables
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if cols, ok := pt.tables[entity]; ok {
		return cols, nil
	}
	rows, err := a.tx.QueryContext(a.tx.ctx, `SELECT name, upper(type) FROM pragma_table_info(?)`, entity)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := tableColumns{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("this desk has no table %s", entity)
	}
	if pt.tables == nil {
		pt.tables = map[string]tableColumns{}
	}
	pt.tables[entity] = cols
	return cols, nil
}

// pushedAt reads where the server logged the desk's newest change of a
// row, sql.ErrNoRows when it waits for none.
func (a *applier) pushedAt(entity, rowID string, txid, seq *int64) error {
	if a.nonePushed {
		return sql.ErrNoRows
	}
	return a.tx.queryRow(`SELECT txid, seq FROM pushed_rows WHERE entity = ? AND row_id = ?`, entity, rowID).Scan(txid, seq)
}

// waiting is a local change of a row still waiting to be pushed: it is
// newer than what the server had, and the pull leaves what it changed.
type waiting struct {
	kind   hlc.Kind
	fields map[string]bool
	hlc    string
}

func (a *applier) waitingChanges(entity, rowID string) ([]waiting, error) {
	if a.outboxEmpty {
		return nil, nil
	}
	rows, err := a.tx.query(`SELECT kind, payload, hlc FROM outbox WHERE entity = ? AND row_id = ?`, entity, rowID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []waiting
	for rows.Next() {
		var w waiting
		var payload string
		if err := rows.Scan(&w.kind, &payload, &w.hlc); err != nil {
			return nil, err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(payload), &fields); err != nil {
			return nil, err
		}
		w.fields = map[string]bool{}
		for f := range fields {
			w.fields[f] = true
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// newestWaiting is the newest reading of a waiting change that set field,
// or, for "", that inserted or deleted the row; for "*", of any waiting
// change of the row.
func newestWaiting(ws []waiting, field string) string {
	newest := ""
	for _, w := range ws {
		if (w.kind != hlc.KindUpdate || w.fields[field] || field == "*") && w.hlc > newest {
			newest = w.hlc
		}
	}
	return newest
}

// noFieldClock are the fields every record has whose merge nobody reviews:
// the desks keep no field clocks for them (migration 0008).
var noFieldClock = []string{"created_at", "updated_at"}

// apply applies one pulled change: the row as the server has it. A field
// the desk changed since, in a change still waiting to be pushed, keeps
// the desk's value (the push that follows lets the server decide); on an
// editable record a field whose local clock reading is newer keeps its
// value too. Rows written once are inserted once.
func (a *applier) apply(ch server.Change) error {
	ent, ok := data.FindSyncedTable(ch.Entity)
	if !ok {
		return fmt.Errorf("this version of hms does not sync %q: update it", ch.Entity)
	}
	a.touchBilling(ch)
	if err := a.keepLost(ch); err != nil {
		return err
	}
	// What prefetch read of the row holds only until the batch's first
	// change of it, whatever that change does.
	known, prefetched := a.takeKnown(ch.Entity, ch.RowID)
	if ch.Entity == "patients" && a.unsearchable[ch.RowID] {
		// The search triggers of an update or delete expect the row's
		// search rows to be there.
		if err := a.addSearchRows(); err != nil {
			return err
		}
	}
	// This desk pushed a change of the row that the server logged later
	// than this one: that entry holds this one, and applying this would
	// step the row back. When the pull reaches it, it applies it: the
	// server's merge of the desk's change.
	var ownTx, ownSeq int64
	switch err := a.pushedAt(ch.Entity, ch.RowID, &ownTx, &ownSeq); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case uint64(ownTx) > ch.TxID || (uint64(ownTx) == ch.TxID && ownSeq > ch.Seq):
		if !ent.Editable {
			return nil
		}
		// An editable record goes on to the merge of its fields, whose
		// clocks keep the desk's newer values. (A server before migration
		// 0014 could log a newer state of a row below an older one: a
		// transaction that took the row's lock after the desk's push but
		// got its id before it. The server now refuses such a push, which
		// is sent again.)
	default:
		if _, err := a.tx.exec(`DELETE FROM pushed_rows WHERE entity = ? AND row_id = ?`, ch.Entity, ch.RowID); err != nil {
			return err
		}
	}
	keys := ent.KeyColumns()
	keyVals, ok := ent.SplitRowID(ch.RowID)
	if !ok {
		return fmt.Errorf("the row id %q does not fit the table's key", ch.RowID)
	}
	cols, err := a.columns(ch.Entity)
	if err != nil {
		return err
	}
	ws, err := a.waitingChanges(ch.Entity, ch.RowID)
	if err != nil {
		return err
	}
	table := data.QuoteIdent(ch.Entity)
	where := ent.KeyWhere()

	if !ent.Editable && !ent.Append && ch.DeletedHLC == "" && newestWaiting(ws, "*") > ch.HLC {
		// The desk changed the row after the state this change holds, in
		// a change the server has not decided yet (one pushed again to a
		// restored server and held there). The row's fields go together
		// (an invoice's status with its number): taking some from the
		// older state and keeping the others would make a row no desk had.
		// The server's merge of the waiting change brings the rest.
		return nil
	}
	if ch.DeletedHLC != "" {
		// Rows that are only ever added go with the record they belong to
		// (a patient's history, when the record is purged as created in
		// error): the server logs those deletes too.
		if newestWaiting(ws, "") > ch.DeletedHLC {
			return nil
		}
		if ch.Entity == "invoice_lines" {
			if kept, err := a.keepIssuedLineDeleted(ch); kept || err != nil {
				return err
			}
		}
		if _, err := a.tx.exec(`DELETE FROM `+table+` WHERE `+where, keyVals...); err != nil {
			return err
		}
		if ent.Editable {
			_, err = a.tx.exec(`DELETE FROM field_clock WHERE entity = ? AND row_id = ?`, ch.Entity, ch.RowID)
		}
		return err
	}

	values, err := decodeRow(ch.Data, cols)
	if err != nil {
		return err
	}
	if ent.Blob != "" {
		if s, ok := values[data.BlobKey].(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("the %s travelled damaged: %w", ent.Blob, err)
			}
			values[ent.Blob] = b
		}
	}
	for name := range values {
		if _, ok := cols[name]; !ok {
			delete(values, name) // a column a newer desk has: kept on the server
		}
	}
	// A new row is the common case (a desk downloading its clinic): it is
	// inserted, and the desk's row read only when there is one already.
	// A row changed since it was made (the server sends its field clocks
	// only then) is more likely here already: it is read first.
	inserted := func() (bool, error) {
		if newestWaiting(ws, "") > ch.HLC {
			return false, nil // deleted here since: the push decides
		}
		ins := maps.Clone(values)
		if err := a.tx.DeriveLocal(ch.Entity, ins, nil); err != nil {
			return false, err
		}
		if ch.Entity == "invoices" {
			if err := a.keepIssueInsert(ch, ins); err != nil {
				return false, err
			}
		}
		if ch.Entity == "invoice_lines" {
			if err := a.lineFits(ch, ins["invoice_id"], ins, true); err != nil {
				return false, err
			}
			if err := a.notLate(ch.RowID, ins["invoice_id"]); err != nil {
				return false, err
			}
			if err := a.keepIssuedInsert(ch, ins); err != nil {
				return false, err
			}
		}
		q, args := a.insert(ch.Entity, keys, cols, ins)
		res, err := a.tx.exec(q, args...)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return false, err
		}
		if ch.Entity == "invoices" && ins["status"] != "draft" {
			a.staleDashboard = true
		}
		if ch.Entity == "invoices" && ins["issued_with"] != nil {
			if err := a.restoreIssuedLines(ch.RowID, issueReading(ch)); err != nil {
				return false, err
			}
		}
		if ch.Entity == "patients" && a.deferSearch {
			a.unsearchable[ch.RowID] = true
		}
		if ent.Editable && len(ch.FieldHLC) > 2 {
			// A record edited since it was created (its older entries
			// pruned): its fields' clocks are what this desk's edits
			// saw (op.Base), not the value it was created with.
			if err := a.clockInserted(ch); err != nil {
				return false, err
			}
		}
		return true, a.advanceSeries(ch.Entity, ins)
	}
	edited := len(ch.FieldHLC) > 2 && !a.fresh // more than {}
	if !edited {
		if done, err := inserted(); done || err != nil {
			return err
		}
	}
	names := slices.Sorted(maps.Keys(values))
	var local map[string]any
	var found bool
	if prefetched {
		local, found = known.row, known.row != nil
	} else if local, found, err = a.localRow(table, where, keyVals, names); err != nil {
		return err
	}
	if !found {
		if edited {
			_, err := inserted()
			return err
		}
		return nil // deleted here since: the push decides
	}
	if ent.Append {
		if ch.Entity == "messages" {
			return a.serverCopy(ch, local, values)
		}
		return a.redatedHistory(ch, local, values)
	}

	setBy, err := ch.FieldClocks()
	if err != nil {
		return err
	}
	var clocks map[string]string
	// The reading that made the record, which set the fields the desk
	// keeps no clock for (settings, keyed by name, are clocked from the
	// insert).
	var made string
	if ent.Editable {
		if prefetched {
			clocks = known.clocks
		} else if clocks, err = a.fieldClocks(ch.Entity, ch.RowID); err != nil {
			return err
		}
		if slices.Equal(keys, []string{"id"}) {
			if made = setBy["id"]; made == "" {
				made = ch.HLC
			}
		}
	}
	set := map[string]any{}
	var taken map[string]bool // an invoice's fields whose pulled value won the merge (keepIssue)
	if ch.Entity == "invoices" {
		taken = map[string]bool{}
	}
	var clocked, firstIssue []string
	// An invoice issued here and on the server: the server's issue is the
	// first to reach it, and holds for the clinic whatever the clocks say
	// (server migration 0114; issued.go, takeFirstIssue).
	issuedBoth := ch.Entity == "invoices" && issuedRow(local) && issuedRow(values)
	for _, n := range names {
		if slices.Contains(keys, n) || ch.Entity == "appointments" && (n == "patient_name" || n == "patient_mrn") {
			continue // keys never change; the copies of a patient's name follow the patient here
		}
		remote := reading(ch, setBy, n)
		if newestWaiting(ws, n) > remote {
			continue
		}
		if ent.Editable && !slices.Contains(noFieldClock, n) {
			if issuedBoth && slices.Contains(issueAllFields, n) && clocks[n] != remote {
				firstIssue = append(firstIssue, n)
			} else if clocks[n] > remote {
				continue
			}
			// A field without a clock holds the value its record was made
			// with: one the server has still set by that reading needs none.
			if clocks[n] < remote && (clocks[n] != "" || remote != made) {
				clocked = append(clocked, n)
			}
		}
		if taken != nil {
			taken[n] = true
		}
		if !sameValue(local[n], values[n]) {
			set[n] = values[n]
		}
	}
	if ch.Entity == "invoices" {
		if err := a.keepIssue(ch, local, values, setBy, taken, set, &clocked); err != nil {
			return err
		}
	}
	if ch.Entity == "invoice_lines" {
		if err := a.keepIssuedLine(ch, local["invoice_id"], setBy, set, &clocked); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if err := a.tx.DeriveLocal(ch.Entity, set, local); err != nil {
			return err
		}
		if ch.Entity == "invoice_lines" {
			if err := a.lineMoveFits(ch, local, set); err != nil {
				return err
			}
		}
		setNames := slices.Sorted(maps.Keys(set))
		parts := make([]string, len(setNames))
		args := make([]any, 0, len(setNames)+len(keyVals))
		for i, n := range setNames {
			parts[i] = data.QuoteIdent(n) + " = ?"
			args = append(args, set[n])
		}
		args = append(args, keyVals...)
		if _, err := a.tx.exec(`UPDATE `+table+` SET `+strings.Join(parts, ", ")+` WHERE `+where, args...); err != nil {
			return err
		}
		if err := a.advanceSeries(ch.Entity, set); err != nil {
			return err
		}
	}
	if _, issued := set["issued_lines"]; issued && ch.Entity == "invoices" {
		if err := a.setLateLinesAside(ch); err != nil {
			return err
		}
	}
	if issued, ok := set["issued_with"]; ok && issued != nil && ch.Entity == "invoices" {
		if err := a.restoreIssuedLines(ch.RowID, issueReading(ch)); err != nil {
			return err
		}
	}
	if len(firstIssue) > 0 {
		if err := a.takeFirstIssue(ch, setBy, firstIssue); err != nil {
			return err
		}
	}
	if len(clocked) > 0 {
		return a.setFieldClocks(ch, setBy, clocked)
	}
	return nil
}

// errLateLine: a pulled invoice line belongs to an invoice this desk has
// as issued without it.
var errLateLine = errors.New("added to the invoice on a desk that had not seen its issue on another desk: " +
	"that desk moves it to a new draft of the patient")

// notLate refuses a line that comes to an issued invoice it was not issued
// with (data.DB.MoveLateLines): a desk added it to the draft while another
// desk issued it, and the issued invoice keeps the lines and total it was
// issued with. The change is kept aside like one whose position is taken
// (never dropped), tried again each round, and closed when the line's
// move to a new draft comes from the desk that added it.
func (a *applier) notLate(lineID string, invoiceID any) error {
	var number string
	// A line here already (moved to a draft since this change was made)
	// goes on to the merge of its fields, whose clocks keep where it is.
	err := a.tx.queryRow(`SELECT coalesce(number, '') FROM invoices WHERE id = ?1 AND status <> 'draft'
		AND issued_lines IS NOT NULL AND ?2 NOT IN (SELECT value FROM json_each(issued_lines))
		AND NOT EXISTS (SELECT 1 FROM invoice_lines WHERE id = ?2)`, invoiceID, lineID).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return fmt.Errorf("invoice %s: %w", number, errLateLine)
}

// setLateLinesAside takes off an invoice this pulled change issued the
// lines it was not issued with that other desks added here before the
// issue came: each is kept aside (conflicts, "could not be applied") as
// notLate keeps one that comes after the issue, until the desk that added
// it moves it. This desk's own late lines stay: it moves them
// (data.DB.MoveLateLines), after the pull.
func (a *applier) setLateLinesAside(ch server.Change) error {
	cols, err := a.columns("invoice_lines")
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(cols))
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "l." + data.QuoteIdent(n)
	}
	rows, err := a.tx.query(`SELECT `+strings.Join(quoted, ", ")+` FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE i.id = ? AND i.status <> 'draft' AND i.issued_lines IS NOT NULL
			AND l.id NOT IN (SELECT value FROM json_each(i.issued_lines))
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'invoice_lines' AND o.row_id = l.id AND o.kind = 'insert')
			AND NOT EXISTS (SELECT 1 FROM outbox_sent o WHERE o.entity = 'invoice_lines' AND o.row_id = l.id AND o.kind = 'insert')`,
		ch.RowID)
	if err != nil {
		return err
	}
	var aside []map[string]any
	for rows.Next() {
		dest := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range dest {
			ptrs[i] = &dest[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		row := map[string]any{}
		for i, n := range names {
			if b, ok := dest[i].([]byte); ok {
				dest[i] = string(b)
			}
			row[n] = dest[i]
		}
		aside = append(aside, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	detected := formatTime(a.e.db.Now())
	for _, row := range aside {
		id, _ := row["id"].(string)
		for n := range row {
			if _, synced := cols[n]; !synced {
				delete(row, n)
			}
		}
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		if _, err := a.tx.exec(`DELETE FROM invoice_lines WHERE id = ?`, id); err != nil {
			return err
		}
		// A later change of the line in this batch (its move to a new
		// draft, made by the desk that added it) finds it gone, and puts
		// it where it moved; the row prefetch read would let it update a
		// line no longer here, and close the line kept aside.
		a.takeKnown("invoice_lines", id)
		if _, err := a.tx.exec(`DELETE FROM field_clock WHERE entity = 'invoice_lines' AND row_id = ?`, id); err != nil {
			return err
		}
		var number string
		if err := a.tx.queryRow(`SELECT coalesce(number, '') FROM invoices WHERE id = ?`, ch.RowID).Scan(&number); err != nil {
			return err
		}
		line := server.Change{Entity: "invoice_lines", RowID: id, Data: b, HLC: ch.HLC, Origin: ch.Origin}
		if err := a.tx.keepUnapplied(line, fmt.Errorf("invoice %s: %w", number, errLateLine), detected); err != nil {
			return err
		}
		a.noneParked = false
	}
	return nil
}

// errPositionTaken: a pulled invoice line comes to a position another
// line of the invoice holds on this desk.
var errPositionTaken = errors.New("another line of the invoice holds its position on this desk")

// lineFits checks that a pulled invoice line can take the position it
// comes with: the desk keeps an invoice's line positions unique. A line
// added now takes a position of its desk's own and a removal moves no
// other line (data's linePosition), so lines added on two desks while
// apart, and a removed line a server restored from an older dump gives
// back, come to free positions. A desk of an older version closed the gap
// of a removed line by moving the next lines up, and numbered a new line
// next: such a line can come to a position another line holds here. The
// desk keeps no field clocks for lines, so it cannot tell which of the
// two is stale, and a line it moved out of the way would keep a position
// no other desk has. The change is kept instead, as one that could not be
// applied (never dropped): it is tried again at every round, closed when
// a later change of the line comes (the removal), and otherwise listed
// for review. insert: the line is inserted, unless it is here already
// (then the merge of its fields places it).
func (a *applier) lineFits(ch server.Change, invoiceID any, vals map[string]any, insert bool) error {
	pos, ok := vals["position"]
	if !ok || invoiceID == nil {
		return nil // the insert or update fails on its own, with the value named
	}
	var taken int
	if err := a.tx.queryRow(`SELECT count(*) FROM invoice_lines WHERE invoice_id = ? AND position = ? AND id <> ?
		AND (? = 0 OR NOT EXISTS (SELECT 1 FROM invoice_lines WHERE id = ?))`,
		invoiceID, pos, ch.RowID, insert, ch.RowID).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return fmt.Errorf("position %v: %w", pos, errPositionTaken)
	}
	return nil
}

// lineMoveFits checks, as lineFits, the place a pulled change of a line
// here moves it to: the invoice and position it sets, each the line's own
// where the change leaves it. A late line's move to a new draft (data.DB.
// MoveLateLines) sets both, and the draft's first line takes the position
// the adding desk's first line of the issued invoice had: checked on the
// invoice the line leaves, the move was kept aside as a taken position,
// and the line stayed on the draft that was then issued.
func (a *applier) lineMoveFits(ch server.Change, local, set map[string]any) error {
	to, moves := set["invoice_id"]
	pos, shifts := set["position"]
	if !moves && !shifts {
		return nil
	}
	if !moves {
		to = local["invoice_id"]
	}
	if !shifts {
		pos = local["position"]
	}
	return a.lineFits(ch, to, map[string]any{"position": pos}, false)
}

// localRow reads the named columns of the desk's row.
func (a *applier) localRow(table, where string, keyVals []any, names []string) (map[string]any, bool, error) {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = data.QuoteIdent(n)
	}
	dest := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	err := a.tx.queryRow(`SELECT `+strings.Join(quoted, ", ")+` FROM `+table+` WHERE `+where, keyVals...).
		Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	row := make(map[string]any, len(names))
	for i, n := range names {
		row[n] = dest[i]
	}
	return row, true, nil
}

// fieldClocks are the clock readings of a record's fields on this desk.
func (a *applier) fieldClocks(entity, rowID string) (map[string]string, error) {
	rows, err := a.tx.query(`SELECT field, hlc FROM field_clock WHERE entity = ? AND row_id = ?`, entity, rowID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var f, h string
		if err := rows.Scan(&f, &h); err != nil {
			return nil, err
		}
		out[f] = h
	}
	return out, rows.Err()
}

// setFieldClocks records the server's readings of the named fields
// (setBy: ch's FieldClocks).
func (a *applier) setFieldClocks(ch server.Change, setBy map[string]string, fields []string) error {
	seen, err := seenOf(ch)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if slices.Contains(noFieldClock, f) || f == data.BlobKey {
			continue
		}
		h := setBy[f]
		if h == "" {
			h = ch.HLC
		}
		t, err := hlc.Parse(h)
		if err != nil {
			return fmt.Errorf("field %s: %w", f, err)
		}
		lineage := seen[f]
		if lineage == "" {
			if lineage, err = a.lineageOf(ch.Entity, ch.RowID, f, h); err != nil {
				return err
			}
		}
		if _, err := a.tx.exec(`INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id,
				seen = excluded.seen
			WHERE excluded.hlc > field_clock.hlc`, ch.Entity, ch.RowID, f, h, t.Site, lineage); err != nil {
			return err
		}
	}
	return nil
}

// lineageOf is the lineage of the value of a field that a pulled change
// sets by the reading h without naming its lineage (server_set's "_seen"
// lacks it: the server's entry for a change that lost whole is the row as
// it stands, with its field clocks and no lineage). When the desk's own
// lineage of the field names h (its value replaced the one h set, as an
// edit that then lost to it did), the value's lineage is what followed h
// there: taken back, the value keeps what it descends from, and the
// desk's next edit of the field names no more than it saw. Else it has
// none ('[]'), and the next edit's base is the one reading h, which the
// server reads as a lineage cut short.
func (a *applier) lineageOf(entity, rowID, field, h string) (string, error) {
	var clock, seen string
	switch err := a.tx.queryRow(`SELECT hlc, seen FROM field_clock WHERE entity = ? AND row_id = ? AND field = ?`,
		entity, rowID, field).Scan(&clock, &seen); {
	case errors.Is(err, sql.ErrNoRows):
		return "[]", nil
	case err != nil:
		return "", err
	}
	var readings []string
	if json.Unmarshal([]byte(seen), &readings) != nil {
		return "[]", nil
	}
	readings = append([]string{clock}, readings...)
	i := slices.Index(readings, h)
	if i < 0 || i == len(readings)-1 {
		return "[]", nil
	}
	b, err := json.Marshal(readings[i+1:])
	return string(b), err
}

// sameValue reports whether a desk's column value and a pulled one are
// the same.
func sameValue(local, remote any) bool {
	switch l := local.(type) {
	case nil:
		return remote == nil
	case int64:
		switch r := remote.(type) {
		case int64:
			return l == r
		case float64:
			return float64(l) == r
		}
	case float64:
		switch r := remote.(type) {
		case int64:
			return l == float64(r)
		case float64:
			return l == r
		}
	case string:
		switch r := remote.(type) {
		case string:
			return l == r
		case []byte:
			return l == string(r)
		}
	case []byte:
		switch r := remote.(type) {
		case []byte:
			return bytes.Equal(l, r)
		case string:
			return string(l) == r
		}
	}
	return false
}

// serverCopy makes a plan's message this desk holds the server's copy
// (desk migration 0190): two desks that write one plan out write the same
// rows but for the subject and body, rendered with each desk's templates
// (which differ until the settings have synced); the server keeps the
// first it is given, and a desk that pulls it holding another takes it,
// so that every desk ends with the same row. The pull also confirms the
// message to this desk, which sends it only now (message_unconfirmed). A
// message not of a plan is one desk's, and never differs.
func (a *applier) serverCopy(ch server.Change, local, values map[string]any) error {
	if !strings.Contains(ch.RowID, ".") {
		return nil
	}
	subject, body := values["subject"], values["body"]
	if (subject != nil && !sameValue(local["subject"], subject)) || (body != nil && !sameValue(local["body"], body)) {
		if _, err := a.tx.exec(`UPDATE messages SET subject = coalesce(?, subject), body = coalesce(?, body) WHERE id = ?`,
			subject, body, ch.RowID); err != nil {
			return err
		}
	}
	_, err := a.tx.exec(`DELETE FROM message_unconfirmed WHERE message_id = ?`, ch.RowID)
	return err
}

// redatedHistory takes the time of a history row (patient_changes,
// patient_events) that this desk holds at another time: the desk that made
// it re-dated it in a clock incident after the server had taken the first
// version and lost it again, restored from an older dump. A history row is
// written once, so the two versions can only differ so, and the server's
// log, which holds only the re-dated one, decides: every desk shows the
// time the change was made (docs/SYNC-DESIGN.md, "Clock incidents", a
// re-dated history row travels).
func (a *applier) redatedHistory(ch server.Change, local, values map[string]any) error {
	if ch.Entity != "patient_changes" && ch.Entity != "patient_events" {
		return nil
	}
	at, ok := values["at"]
	if !ok || sameValue(local["at"], at) {
		return nil
	}
	// entity is one of the two names above.
	_, err := a.tx.exec(`UPDATE `+ch.Entity+` SET at = ? WHERE id = ?`, at, ch.RowID)
	return err
}
