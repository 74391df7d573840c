package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"hms/app"
	"hms/data/sync"
	"hms/data/sync/server"
)

// PushBatch is how many outbox operations one round trip to the server
// carries; the server applies each batch in one transaction.
const PushBatch = 1000

// The rules conflicts rows name, for the review screen.
const (
	ruleFieldLWW = "field: last writer by (HLC, site) wins"
	ruleDeleted  = "row deleted on the server"
	ruleRejected = "refused by the server: "
)

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
func (db *DB) PushOnce(ctx context.Context) (*app.SyncReport, error) {
	c, h, s, err := db.connectRound(ctx)
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
	return rep, db.pushAll(ctx, c, rep)
}

// connectRound starts a round: it refuses a desk that is not enrolled,
// connects to its server, shakes hands and keeps the clock offset the
// handshake measured. A failure to connect is counted on what waits.
func (db *DB) connectRound(ctx context.Context) (*server.Client, server.Handshake, syncState, error) {
	s, err := db.syncMeta(ctx)
	if err != nil {
		return nil, server.Handshake{}, s, err
	}
	if !s.epoch.Valid || !s.url.Valid {
		return nil, server.Handshake{}, s, app.Errorf(app.ECONFLICT, "This desk is not enrolled with a sync server: run 'hms sync enroll URL' first.")
	}
	c, h, err := db.dialServer(ctx, s)
	if err != nil {
		return nil, h, s, db.pushFailed(ctx, nil, err)
	}
	if err := db.SetClockOffset(ctx, h.Offset); err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, h, s, err
	}
	return c, h, s, nil
}

// pushAll sends the whole outbox through c, in batches. The next batch
// goes to the server while the desk stores what it decided about the last
// one: the two sides' work overlaps. The server decides batches in order,
// one at a time, on the one connection.
func (db *DB) pushAll(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	type pushed struct {
		results []server.Result
		err     error
	}
	send := func(ops []sync.Op) chan pushed {
		out := make(chan pushed, 1)
		db.attachBlobs(ctx, ops)
		go func() {
			results, err := c.Push(ctx, db.siteID, ops)
			out <- pushed{results, err}
		}()
		return out
	}
	ops, err := db.PendingOps(ctx, 0, PushBatch)
	if err != nil {
		return internal("sync.push", err)
	}
	if len(ops) == 0 {
		return nil
	}
	inflight := send(ops)
	for {
		p := <-inflight
		if p.err != nil {
			return db.pushFailed(ctx, ops, serverErrorf(p.err, queuedNote))
		}
		next, err := db.PendingOps(ctx, ops[len(ops)-1].Seq, PushBatch)
		if err != nil {
			return internal("sync.push", err)
		}
		var nextInflight chan pushed
		if len(next) > 0 {
			nextInflight = send(next)
		}
		if err := db.storePushResults(ctx, ops, p.results, rep); err != nil {
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
func (db *DB) dialServer(ctx context.Context, s syncState) (*server.Client, server.Handshake, error) {
	c, err := server.Dial(ctx, db.serverURL(s))
	if err != nil {
		return nil, server.Handshake{}, serverErrorf(err, queuedNote)
	}
	h, err := c.Handshake(ctx, db.now)
	if err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, server.Handshake{}, serverErrorf(err, queuedNote)
	}
	return c, h, nil
}

// queuedNote ends the message of a failed push.
const queuedNote = " Nothing was lost: the changes stay queued."

// pushFailed counts a failed attempt on ops (the first batch waiting, when
// nil) with err's message, and returns err.
func (db *DB) pushFailed(ctx context.Context, ops []sync.Op, err error) error {
	ctx = context.WithoutCancel(ctx) // an interrupted push is a failure to record too
	if ops == nil {
		var perr error
		if ops, perr = db.PendingOps(ctx, 0, PushBatch); perr != nil {
			return err
		}
	}
	if len(ops) == 0 {
		return err
	}
	msg := app.ErrorMessage(err)
	if rerr := db.inTx(withoutOutbox(ctx), app.Caller{}, "sync.push", func(tx *Tx) error {
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
// refusals go to conflicts, and quarantined ones stay with the reason.
func (db *DB) storePushResults(ctx context.Context, ops []sync.Op, results []server.Result, rep *app.SyncReport) error {
	detected := formatTime(db.now())
	return db.inTx(withoutOutbox(ctx), app.Caller{}, "sync.push", func(tx *Tx) error {
		var acked int64
		for i, r := range results {
			op := ops[i]
			rep.Pushed++
			// Another push of this desk (the command line beside the app)
			// may have stored a final result already: keep its losers once.
			first := r.Status.Final()
			if r.Status.Final() {
				acked = max(acked, op.Seq)
				if _, err := tx.exec(`INSERT INTO outbox_sent (seq, op_id, entity, row_id, kind, payload, hlc, acked_at)
					SELECT seq, op_id, entity, row_id, kind, payload, hlc, ? FROM outbox WHERE seq = ?
					ON CONFLICT DO NOTHING`, detected, op.Seq); err != nil {
					return err
				}
				res, err := tx.exec(`DELETE FROM outbox WHERE seq = ?`, op.Seq)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				first = n == 1
			}
			if err := tx.recordPushed(op, r); err != nil {
				return err
			}
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
					"The server holds this change in quarantine: "+r.Reason+". It goes again with the next sync.", op.Seq); err != nil {
					return err
				}
			default:
				return fmt.Errorf("operation %s: unknown result %q", op.ID, r.Status)
			}
			if first {
				if err := tx.keepLosers(op, r, detected); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET acked_seq = ? WHERE id = 1 AND acked_seq < ?`, acked, acked)
		return err
	})
}

// recordPushed keeps where the server logged the change op made, for the
// pull (migration 0011, pushed_rows).
func (tx *Tx) recordPushed(op sync.Op, r server.Result) error {
	if r.LogSeq <= 0 {
		return nil
	}
	txid, err := strconv.ParseInt(r.LogTxID, 10, 64)
	if err != nil {
		return fmt.Errorf("operation %s: log position %q: %w", op.ID, r.LogTxID, err)
	}
	_, err = tx.exec(`INSERT INTO pushed_rows (entity, row_id, txid, seq) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity, row_id) DO UPDATE SET txid = excluded.txid, seq = excluded.seq
		WHERE (excluded.txid, excluded.seq) > (pushed_rows.txid, pushed_rows.seq)`, op.Entity, op.RowID, txid, r.LogSeq)
	return err
}

// keepLosers writes to conflicts what of op lost: the fields a newer change
// won, the whole operation when its row was deleted, or when the server
// refused it.
func (tx *Tx) keepLosers(op sync.Op, r server.Result, detected string) error {
	switch r.Status {
	case server.Conflict:
		for _, l := range r.Lost {
			rule := ruleFieldLWW
			if l.Field == "" {
				rule = ruleDeleted
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
		return tx.addConflict(op, "", ruleRejected+r.Reason, lost, nil, "", detected)
	}
	return nil
}

// addConflict keeps what lost for a person to review. won is empty when
// nothing won (a refusal).
func (tx *Tx) addConflict(op sync.Op, field, rule string, lost, won json.RawMessage, wonHLC, detected string) error {
	var wonSite string
	if wonHLC != "" {
		t, err := sync.Parse(wonHLC)
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
