package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"hms/app"
	"hms/app/i18n"
	"hms/data"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
)

// PushBatch is how many outbox operations one round trip to the server
// carries; the server applies each batch in one transaction.
const PushBatch = 1000

// PushOnce sends the whole outbox to the server this desk enrolled with,
// oldest first, in batches (SYNC.md, push). The server decides each
// operation once, by its op_id; the desk then stores what it decided and
// deletes the operations it has decided in one SQLite transaction per
// batch. A reply lost on the way is therefore safe: the operations stay
// queued, and pushing them again returns the stored results without
// applying anything twice. Fields that lost to newer changes, and
// operations the server refused, go to the conflicts table for review;
// operations the server holds in quarantine (their clock reading is too
// far ahead of its time) stay queued and go again next time. A failure
// counts an attempt and keeps its message on the operations it concerned,
// and loses nothing.
//
// The password is the one enrollment sealed, else it comes from
// PGPASSWORD or the PostgreSQL password file. PushOnce only pushes;
// SyncNow pushes and pulls.
func (e *Engine) PushOnce(ctx context.Context) (*app.SyncReport, error) {
	c, h, s, err := e.connectRound(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close(context.WithoutCancel(ctx))
	if h.Epoch != s.epoch.String {
		return nil, app.Errorf(app.ECONFLICT,
			"The sync server at %s was replaced or restored from a backup (its epoch changed); this desk cannot push to it before it syncs with it.%s",
			c.URL(), queuedNote)
	}
	rep := &app.SyncReport{ClockOffset: h.Offset}
	return rep, e.pushAll(ctx, c, rep)
}

// connectRound starts a round: it refuses a desk that is not enrolled,
// connects to its server, shakes hands and keeps the clock offset the
// handshake measured. A failure to connect is counted on what waits.
func (e *Engine) connectRound(ctx context.Context) (*server.Client, server.Handshake, syncState, error) {
	s, err := e.syncMeta(ctx)
	if err != nil {
		return nil, server.Handshake{}, s, err
	}
	if !s.epoch.Valid || !s.url.Valid {
		return nil, server.Handshake{}, s, app.Errorf(app.ECONFLICT, "This desk is not enrolled with a sync server: run 'hms sync enroll URL' first.")
	}
	c, h, err := e.dialServer(ctx, s)
	if err != nil {
		return nil, h, s, e.pushFailed(ctx, nil, err)
	}
	// A desk whose own clock jumped ahead stamped its changes from the
	// future: they get the time they were made, and the clock is set back.
	held := func(ids []string) (map[string]bool, error) { return c.HeldOps(ctx, e.siteID, ids) }
	if _, err := e.db.ResyncClock(ctx, h.Offset, held); err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, h, s, internal("sync.clock", err)
	}
	if err := e.db.SetClockOffset(ctx, h.Offset); err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, h, s, err
	}
	return c, h, s, nil
}

// pushAll sends the whole outbox through c, in batches. The next batch is
// read while the server decides the last one, and goes to the server while
// the desk stores what it decided about the last one: the two sides' work
// overlaps. The server decides batches in order,
// one at a time, on the one connection.
func (e *Engine) pushAll(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	type pushed struct {
		results []server.Result
		err     error
	}
	send := func(ops []hlc.Op) chan pushed {
		out := make(chan pushed, 1)
		e.attachBlobs(ctx, ops)
		go func() {
			results, err := c.Push(ctx, e.siteID, ops)
			out <- pushed{results, err}
		}()
		return out
	}
	ops, err := e.db.PendingOps(ctx, 0, PushBatch)
	if err != nil {
		return internal("sync.push", err)
	}
	if len(ops) == 0 {
		return nil
	}
	inflight := send(ops)
	for {
		// The next batch is read while the server decides this one.
		next, err := e.db.PendingOps(ctx, ops[len(ops)-1].Seq, PushBatch)
		p := <-inflight
		if p.err != nil {
			return e.pushFailed(ctx, ops, serverErrorf(p.err, queuedNote))
		}
		if err != nil {
			return internal("sync.push", err)
		}
		var nextInflight chan pushed
		if len(next) > 0 {
			nextInflight = send(next)
		}
		if err := e.storePushResults(ctx, ops, p.results, rep); err != nil {
			if nextInflight != nil {
				<-nextInflight // its results are the server's: the next push gets them again
			}
			return err
		}
		if len(next) == 0 {
			return nil
		}
		ops, inflight = next, nextInflight
	}
}

// dialServer connects to the desk's server and shakes hands.
func (e *Engine) dialServer(ctx context.Context, s syncState) (*server.Client, server.Handshake, error) {
	c, err := server.Dial(ctx, e.serverURL(s))
	if err != nil {
		return nil, server.Handshake{}, serverErrorf(err, queuedNote)
	}
	h, err := c.Handshake(ctx, e.db.Now)
	if err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, server.Handshake{}, serverErrorf(err, queuedNote)
	}
	return c, h, nil
}

// queuedNote ends the message of a failed push.
var queuedNote = i18n.N(" Nothing was lost: the changes stay queued.") // a key: the errors it ends are translated with it

// The ends of other failed calls' messages: keys, translated with the
// errors they end, as queuedNote.
var (
	nothingChanged     = i18n.N(" Nothing was changed.")
	noMessageSent      = i18n.N(" No message was sent.")
	noMessageUntilNews = i18n.N(" No message was sent: this desk sends once it has the others' news.")
)

// pushFailed counts a failed attempt on ops (the first batch waiting, when
// nil) with err's message, and returns err.
func (e *Engine) pushFailed(ctx context.Context, ops []hlc.Op, err error) error {
	ctx = context.WithoutCancel(ctx) // an interrupted push is a failure to record too
	if ops == nil {
		var perr error
		if ops, perr = e.db.PendingOps(ctx, 0, PushBatch); perr != nil {
			return err
		}
	}
	if len(ops) == 0 {
		return err
	}
	msg := app.StoreError(err)
	if rerr := e.writeState(ctx, "sync.push", func(tx *txn) error {
		_, e := tx.ExecContext(tx.ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq BETWEEN ? AND ?`,
			msg, ops[0].Seq, ops[len(ops)-1].Seq)
		return e
	}); rerr != nil {
		return fmt.Errorf("%w (and recording it failed: %v)", err, rerr)
	}
	return err
}

// storePushResults stores what the server decided about a batch, in one
// transaction: decided operations leave the outbox, their lost fields and
// refusals go to conflicts, and quarantined ones stay with the reason. The
// batch's operations move to outbox_sent and leave the outbox in one
// statement each, and where the server logged their changes is kept in
// one more, rather than statements per operation: most of a push's
// results are "applied" and need nothing else.
func (e *Engine) storePushResults(ctx context.Context, ops []hlc.Op, results []server.Result, rep *app.SyncReport) error {
	detected := formatTime(e.db.Now())
	decided := make([]int64, 0, len(results))
	var acked int64
	for i, r := range results {
		if r.Status.Final() {
			decided = append(decided, ops[i].Seq)
			acked = max(acked, ops[i].Seq)
		}
	}
	seqs, err := json.Marshal(decided)
	if err != nil {
		return err
	}
	positions, err := logPositions(ops, results)
	if err != nil {
		return err
	}
	return e.writeState(ctx, "sync.push", func(tx *txn) error {
		if _, err := tx.exec(`INSERT INTO outbox_sent (seq, op_id, entity, row_id, kind, payload, hlc, base, acked_at)
			SELECT seq, op_id, entity, row_id, kind, payload, hlc, base, ? FROM outbox WHERE seq IN (SELECT value FROM json_each(?))
			ON CONFLICT DO NOTHING`, detected, string(seqs)); err != nil {
			return err
		}
		// Another push of this desk (the command line beside the app) may
		// have stored a final result already: the operations this one
		// removes from the outbox are the ones whose losers it keeps.
		removed, err := tx.query(`DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?)) RETURNING seq`, string(seqs))
		if err != nil {
			return err
		}
		first := make(map[int64]bool, len(decided))
		for removed.Next() {
			var seq int64
			if err := removed.Scan(&seq); err != nil {
				removed.Close()
				return err
			}
			first[seq] = true
		}
		if err := removed.Close(); err != nil {
			return err
		}
		if err := removed.Err(); err != nil {
			return err
		}
		if err := tx.recordPushed(positions); err != nil {
			return err
		}
		// A plan's message whose insert the server logged is this desk's
		// copy on the server: it may be sent (desk migration 0190). One the
		// server had already (another desk wrote the plan out first) waits
		// for the server's copy, which the pull brings.
		if _, err := tx.exec(`DELETE FROM message_unconfirmed WHERE message_id IN (SELECT json_extract(value, '$[1]')
			FROM json_each(?) WHERE json_extract(value, '$[0]') = 'messages')`, positions); err != nil {
			return err
		}
		for i, r := range results {
			op := ops[i]
			rep.Pushed++
			switch r.Status {
			case server.Applied:
				rep.Applied++
			case server.Conflict:
				rep.Conflicts++
			case server.Rejected:
				rep.Rejected++
			case server.Quarantined:
				rep.Quarantined++
				if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?`,
					app.StoreError(app.Errorf(app.ECONFLICT, "The server holds this change in quarantine: %s. It goes again with the next sync.", r.Reason)), op.Seq); err != nil {
					return err
				}
			default:
				return fmt.Errorf("operation %s: unknown result %q", op.ID, r.Status)
			}
			if first[op.Seq] {
				if err := tx.keepLosers(op, r, detected); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(tx.ctx, `UPDATE sync_meta SET acked_seq = ? WHERE id = 1 AND acked_seq < ?`, acked, acked)
		return err
	})
}

// logPositions lists where the server logged the changes of a batch, as
// recordPushed takes them: a JSON array of [entity, row_id, txid, seq], in
// the batch's order.
func logPositions(ops []hlc.Op, results []server.Result) (string, error) {
	logged := make([][4]any, 0, len(results))
	for i, r := range results {
		if r.LogSeq <= 0 {
			continue
		}
		txid, err := strconv.ParseInt(r.LogTxID, 10, 64)
		if err != nil {
			return "", fmt.Errorf("operation %s: log position %q: %w", ops[i].ID, r.LogTxID, err)
		}
		logged = append(logged, [4]any{ops[i].Entity, ops[i].RowID, txid, r.LogSeq})
	}
	b, err := json.Marshal(logged)
	return string(b), err
}

// recordPushed keeps where the server logged the changes of a batch
// (logPositions), for the pull (migration 0011, pushed_rows). A row's
// newest position wins, also when the batch changed the row more than
// once.
func (tx *txn) recordPushed(positions string) error {
	_, err := tx.exec(`INSERT INTO pushed_rows (entity, row_id, txid, seq)
		SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
		FROM json_each(?) WHERE true
		ON CONFLICT (entity, row_id) DO UPDATE SET txid = excluded.txid, seq = excluded.seq
		WHERE (excluded.txid, excluded.seq) > (pushed_rows.txid, pushed_rows.seq)`, positions)
	return err
}

// keepLosers writes to conflicts what of op lost: the fields a newer change
// won, the whole operation when its row was deleted, or when the server
// refused it.
func (tx *txn) keepLosers(op hlc.Op, r server.Result, detected string) error {
	switch r.Status {
	case server.Conflict:
		for _, l := range r.Lost {
			if l.Field != "" && data.UnreviewedField(op.Entity, l.Field) {
				continue
			}
			rule := data.RuleFieldLWW
			switch {
			case l.Rule == server.RuleLostIssuedLine:
				// The line as its invoice was issued with it holds, as the
				// pull keeps it (issued.go); kept once under that rule.
				if err := tx.keepIssued(op.RowID, l.Field, l.Value, op.HLC.String(), l.WonValue, l.WonHLC, detected); err != nil {
					return err
				}
				continue
			case l.Rule == server.RuleLostIssue:
				// This desk's issue reached the server after another's: the
				// first holds, and the pull brings it here.
				rule = data.RuleIssuedFirst
			case l.Field == "":
				rule = data.RuleDeleted
			case op.Entity == "appointments" && l.Field == "status" && string(l.WonValue) == `"conflict"` &&
				l.WonHLC == op.HLC.String():
				// The server set the status itself, with the booking's own
				// reading: the slot, not a newer change, decided.
				rule = data.RuleSlotTaken
			}
			if err := tx.addConflict(op, l.Field, rule, l.Value, l.WonValue, l.WonHLC, detected); err != nil {
				return err
			}
		}
	case server.Rejected:
		lost, err := json.Marshal(map[string]any{"kind": op.Kind, "payload": op.Payload})
		if err != nil {
			return err
		}
		return tx.addConflict(op, "", data.RuleRejected+r.Reason, lost, nil, "", detected)
	}
	return nil
}

// addConflict keeps what lost for a person to review. won is empty when
// nothing won (a refusal).
func (tx *txn) addConflict(op hlc.Op, field, rule string, lost, won json.RawMessage, wonHLC, detected string) error {
	var wonSite string
	if wonHLC != "" {
		t, err := hlc.Parse(wonHLC)
		if err != nil {
			return fmt.Errorf("conflict on %s %s: %w", op.Entity, op.RowID, err)
		}
		wonSite = t.Site
	}
	// Once: an operation pushed again to a restored server may lose again.
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO conflicts
		(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = ? AND row_id = ? AND field = ? AND lost_hlc = ?)`,
		newID(), op.Entity, op.RowID, field, rule, jsonText(lost), op.HLC.String(), op.HLC.Site, jsonText(won),
		wonHLC, wonSite, detected, op.Entity, op.RowID, field, op.HLC.String())
	return err
}

// jsonText is a JSON value as conflicts stores it: null when absent.
func jsonText(v json.RawMessage) string {
	if len(v) == 0 {
		return "null"
	}
	return string(v)
}
