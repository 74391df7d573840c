package sync

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"hms/app"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
)

// How often the loop syncs when nothing wakes it (the fallback for a
// server whose notifications do not arrive), and how long it waits at most
// after failures, doubling from RetryMin.
var (
	PollEvery = 5 * time.Second
	RetryMin  = 2 * time.Second
	RetryMax  = time.Minute
)

// SyncNow implements app.SyncService: it pushes the desk's queued
// changes, then pulls and applies the other desks', and records how it
// went for the status bar. One round runs at a time.
func (e *Engine) SyncNow(ctx context.Context) (*app.SyncReport, error) {
	e.round.Lock()
	defer e.round.Unlock()
	rep, err := e.syncRound(ctx)
	if rerr := e.recordRound(context.WithoutCancel(ctx), err); rerr != nil && err == nil {
		err = rerr
	}
	return rep, err
}

func (e *Engine) syncRound(ctx context.Context) (*app.SyncReport, error) {
	c, h, s, err := e.connectRound(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close(context.WithoutCancel(ctx))
	rep := &app.SyncReport{ClockOffset: h.Offset}
	if h.Epoch != s.epoch.String {
		if err := e.rejoin(ctx, c, h, s, rep); err != nil {
			return rep, err
		}
	} else if err := e.checkRestored(ctx, c, rep); err != nil {
		return rep, err
	}
	if err := e.ensureTrustRoot(ctx, c, h.Epoch != s.epoch.String); err != nil {
		return rep, err
	}
	if err := e.pushAll(ctx, c, rep); err != nil {
		return rep, err
	}
	if err := e.pullUpTo(ctx, c, rep); err != nil {
		return rep, err
	}
	// A line this desk added to a draft that another desk issued at the
	// same time goes to a new draft of the patient; the next push sends it.
	if _, err := e.db.MoveLateLines(ctx); err != nil {
		return rep, err
	}
	// Payments of desks that were apart may have overpaid an invoice.
	if err := e.db.CheckOverpaid(ctx); err != nil {
		return rep, internal("sync.billing", err)
	}
	// Claims on overpayments whose settlement was not written go back to
	// the clinic (a conflict the pull closed may open again).
	if err := e.releaseClaimsInRound(ctx, c); err != nil {
		return rep, err
	}
	if err := e.pushAudit(ctx, c, rep); err != nil {
		return rep, err
	}
	// The server learns which version this desk runs once per run of the
	// program (Settings → Sync lists the desks' versions); a server older
	// than the report is no reason to fail the round.
	if !e.versionSent && c.ReportVersion(ctx, e.siteID, e.appVersion) == nil {
		e.versionSent = true
	}
	return rep, nil
}

// AuditBatch is how many audit rows one round trip carries.
const AuditBatch = 2000

// pushAudit sends the desk's audit log after sync_meta.audit_pushed_seq to
// the server, which keeps every desk's (SYNC.md); the desk keeps its own
// too, and its hash chain. Logins commit without a sync of their own
// (docs/AUDIT.md): each batch read is synced to the disk before it is
// sent, so that the server never holds a row this desk could still lose
// to a power cut.
func (e *Engine) pushAudit(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	for {
		var after int64
		var gen int
		if err := e.r.QueryRowContext(ctx, `SELECT audit_pushed_seq, audit_generation FROM sync_meta WHERE id = 1`).Scan(&after, &gen); err != nil {
			return internal("sync.audit", err)
		}
		var batch string
		var n int
		if err := e.r.QueryRowContext(ctx, `SELECT coalesce(json_group_array(json_object('seq', seq, 'id', id,
				'site_id', site_id, 'at', at, 'user_id', user_id, 'username', username, 'role', role, 'action', action,
				'entity', entity, 'entity_id', entity_id, 'patient_id', patient_id, 'outcome', outcome, 'detail', detail,
				'prev_hash', prev_hash, 'hash', hash)), '[]'), count(*)
			FROM (SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?)`, after, AuditBatch).Scan(&batch, &n); err != nil {
			return internal("sync.audit", err)
		}
		if n == 0 {
			return nil
		}
		if err := e.db.SyncLog(); err != nil {
			return internal("sync.audit", err)
		}
		last, refused, err := c.PushAuditGen(ctx, e.siteID, gen, json.RawMessage(batch))
		if err != nil {
			return serverErrorf(err, queuedNote)
		}
		if len(refused) > 0 {
			// The server holds other rows at these seqs: this desk numbers
			// again what it numbered once (restored from an older backup).
			// Its log goes on under the next generation, from the first
			// row refused; the server keeps both.
			if err := e.newAuditGeneration(ctx, gen+1, refused[0]); err != nil {
				return err
			}
			continue
		}
		if err := e.setAuditPushed(ctx, last); err != nil {
			return err
		}
		rep.AuditPushed += n
		if n < AuditBatch {
			return nil
		}
	}
}

// newAuditGeneration moves the desk's audit log to generation gen on the
// server, to be sent again from seq from on, and says so in the log.
func (e *Engine) newAuditGeneration(ctx context.Context, gen int, from int64) error {
	sys := app.NewContextWithCaller(ctx, app.SystemCaller("sync"))
	return e.write(sys, "sync.audit", func(tx *txn) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET audit_generation = ?, audit_pushed_seq = ? WHERE id = 1`,
			gen, from-1); err != nil {
			return err
		}
		tx.Audit("sync.audit_generation", "sync_meta", e.siteID, "", fmt.Sprintf(
			"the server holds other audit rows of this desk from #%d on (this desk was restored from an older backup?): its audit log goes on there under generation %d; both are kept",
			from, gen))
		return nil
	})
}

// setAuditPushed records how far the server holds the desk's audit log.
func (e *Engine) setAuditPushed(ctx context.Context, seq int64) error {
	return e.writeState(ctx, "sync.audit", func(tx *txn) error {
		_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET audit_pushed_seq = ? WHERE id = 1`, seq)
		return err
	})
}

// sentKeep is how long a desk keeps the operations the server acknowledged.
const sentKeep = 180 * 24 * time.Hour

// catchUpFor is how long a round waits for changes committed before it
// began that a pull may not hand out yet (a transaction that began before
// them, anywhere on the server, is still running).
const catchUpFor = 2 * time.Second

// pullUpTo pulls until the desk has every change the server had logged
// when the round began, or catchUpFor has passed: the rest comes with the
// next round.
func (e *Engine) pullUpTo(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	end, err := c.SiteState(ctx, e.siteID)
	if err != nil {
		return serverError(err)
	}
	deadline := time.Now().Add(catchUpFor)
	for wait := 5 * time.Millisecond; ; wait = min(wait*2, 200*time.Millisecond) {
		if err := e.pullChanges(ctx, c, rep); err != nil {
			return err
		}
		var txid, seq int64
		if err := e.r.QueryRowContext(ctx, `SELECT pull_txid, pull_seq FROM sync_meta WHERE id = 1`).Scan(&txid, &seq); err != nil {
			return internal("sync.pull", err)
		}
		caughtUp := uint64(txid) > end.LogTxID || (uint64(txid) == end.LogTxID && seq >= end.LogSeq)
		if caughtUp || time.Now().After(deadline) {
			rep.Behind = !caughtUp
			// The server prunes its log only below every desk's cursor.
			if err := c.Pulled(ctx, e.siteID, uint64(txid), seq); err != nil {
				return serverError(err)
			}
			return e.retryParked(ctx, rep)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// checkRestored makes whole a server restored from an older dump, which
// keeps its epoch: it lacks the last operation it acknowledged to this
// desk, or the change at the desk's pull cursor (even when later pushes
// have moved its counters past them). The
// desk pushes those operations again from outbox_sent, by the same op ids
// and clock readings, so they merge as they did the first time, and pulls
// the whole log again (applying a row it has changes nothing). Other desks
// do the same with theirs. When the desk no longer keeps an operation the
// server lacks (pruned after 180 days), it stops and says so, losing
// nothing.
func (e *Engine) checkRestored(ctx context.Context, c *server.Client, rep *app.SyncReport) error {
	st, err := c.SiteState(ctx, e.siteID)
	if err != nil {
		return serverErrorf(err, queuedNote)
	}
	if !st.Enrolled {
		return serverErrorf(server.ErrNotEnrolled, queuedNote)
	}
	var pullTx, pullSeq, acked int64
	var lastOp sql.NullString
	if err := e.r.QueryRowContext(ctx, `SELECT pull_txid, pull_seq, acked_seq,
			(SELECT op_id FROM outbox_sent ORDER BY seq DESC LIMIT 1) FROM sync_meta WHERE id = 1`).
		Scan(&pullTx, &pullSeq, &acked, &lastOp); err != nil {
		return internal("sync.status", err)
	}
	hasOp, hasCursor, err := c.Holds(ctx, e.siteID, lastOp.String, uint64(pullTx), pullSeq)
	if err != nil {
		return serverErrorf(err, queuedNote)
	}
	if hasOp && hasCursor && acked <= st.LastOpSeq {
		return nil
	}
	slog.Warn("the sync server lacks changes it had: restored from an older dump; pushing them again",
		"server_last_op", st.LastOpSeq, "desk_acked", acked, "has_last_op", hasOp, "has_cursor", hasCursor)
	return e.restoreServer(ctx, c, 0, st.LastOpSeq, rep)
}

// restoreServer pushes again every operation after seq after that the
// desk keeps (the server returns its stored result for those it has), and
// starts pulling the server's log from its beginning. holds is the highest
// seq of the desk's the server holds: when the desk has pruned operations
// beyond it, the server cannot be made whole from here.
func (e *Engine) restoreServer(ctx context.Context, c *server.Client, after, holds int64, rep *app.SyncReport) error {
	var pruned int64
	if err := e.r.QueryRowContext(ctx, `SELECT sent_pruned_seq FROM sync_meta WHERE id = 1`).Scan(&pruned); err != nil {
		return internal("sync.restore", err)
	}
	if pruned > holds {
		return app.Errorf(app.ECONFLICT, "The sync server was restored from a backup older than the changes this desk still keeps (it keeps them 180 days): it cannot be made whole from here. Restore the server's newest backup. Nothing on this desk was lost; its changes stay here. (the server has this desk's changes up to %d; the desk kept them from %d)",
			holds, pruned+1)
	}
	// Where the lost server logged the desk's changes means nothing on
	// this one: the pushes below record where this one logs them.
	if err := e.writeState(ctx, "sync.restore", func(tx *txn) error {
		_, err := tx.ExecContext(tx.ctx, `DELETE FROM pushed_rows`)
		return err
	}); err != nil {
		return internal("sync.restore", err)
	}
	for {
		ops, err := e.db.SentOps(ctx, after, PushBatch)
		if err != nil {
			return internal("sync.restore", err)
		}
		if len(ops) == 0 {
			break
		}
		e.attachBlobs(ctx, ops)
		results, err := c.Push(ctx, e.siteID, ops)
		if err != nil {
			return serverErrorf(err, queuedNote)
		}
		detected := formatTime(e.db.Now())
		positions, err := logPositions(ops, results)
		if err != nil {
			return internal("sync.restore", err)
		}
		if err := e.writeState(ctx, "sync.restore", func(tx *txn) error {
			if err := tx.recordPushed(positions); err != nil {
				return err
			}
			for i, r := range results {
				rep.Repushed++
				if !r.Status.Final() {
					if err := tx.requeueSent(ops[i], r.Reason); err != nil {
						return err
					}
					continue
				}
				if err := tx.keepLosers(ops[i], r, detected); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return internal("sync.restore", err)
		}
		after = ops[len(ops)-1].Seq
	}
	var gen int
	if err := e.r.QueryRowContext(ctx, `SELECT audit_generation FROM sync_meta WHERE id = 1`).Scan(&gen); err != nil {
		return internal("sync.restore", err)
	}
	audit, _, err := c.PushAuditGen(ctx, e.siteID, gen, json.RawMessage(`[]`))
	if err != nil {
		return serverErrorf(err, queuedNote)
	}
	return e.writeState(ctx, "sync.restore", func(tx *txn) error {
		_, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET pull_txid = 0, pull_seq = 0, download_entity = '', download_row = '',
			audit_pushed_seq = ? WHERE id = 1`, audit)
		return err
	})
}

// requeueSent puts an operation the server acknowledged once back in the
// outbox: pushed again to a restored server, it was held there undecided
// (its row has not reached that server yet, since the desk that made the
// row has not pushed it again; or its clock reading is too far ahead).
// The server keeps no record of an operation it has not decided, so the
// desk must push it again until it does, as it does every quarantined
// operation; and while it waits, the pull keeps the desk's value of what
// it changed. It keeps its seq, op id and clock reading: it merges as it
// did the first time.
func (tx *txn) requeueSent(op hlc.Op, reason string) error {
	if _, err := tx.exec(`INSERT INTO outbox (seq, op_id, entity, row_id, kind, payload, hlc, attempts, last_error, base)
		SELECT seq, op_id, entity, row_id, kind, payload, hlc, 1, ?, base FROM outbox_sent WHERE seq = ?
		ON CONFLICT DO NOTHING`,
		"The server restored from a backup holds this change undecided: "+reason+". It goes again with the next sync.", op.Seq); err != nil {
		return err
	}
	_, err := tx.exec(`DELETE FROM outbox_sent WHERE seq = ?`, op.Seq)
	return err
}

// rejoin takes the desk to a server that replaced the one it enrolled with
// (another epoch: a new database, or one restored into a new cluster). The
// desk enrolls again asking for its own code, so that its number series go
// on; it refuses when another desk has the code. When the new server is
// empty, the desk uploads a snapshot of everything it has, as the clinic's
// first desk does; otherwise it pushes again what it keeps of its own
// operations. Either way it pulls the new server's log from the beginning.
func (e *Engine) rejoin(ctx context.Context, c *server.Client, h server.Handshake, s syncState, rep *app.SyncReport) error {
	state, err := c.SiteState(ctx, e.siteID)
	if err != nil {
		return serverErrorf(err, queuedNote)
	}
	want := s.deskOrDefault(e.db)
	code, err := c.EnrollAs(ctx, e.siteID, e.appVersion, want)
	if err != nil {
		return serverErrorf(err, queuedNote)
	}
	if code != want {
		return app.Errorf(app.ECONFLICT, "The sync server at %s was replaced, and on the new one another desk has this desk's code %s: this desk cannot number with it there. Ask for help; nothing on this desk was lost.", c.URL(), want)
	}
	var pruned int64
	if err := e.r.QueryRowContext(ctx, `SELECT sent_pruned_seq FROM sync_meta WHERE id = 1`).Scan(&pruned); err != nil {
		return internal("sync.rejoin", err)
	}
	// A desk that no longer keeps all it ever sent uploads what it has.
	empty := state.LogSeq == 0 || pruned > 0
	sys := app.NewContextWithCaller(ctx, app.SystemCaller("sync"))
	err = e.write(sys, "sync.rejoin", func(tx *txn) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET server_epoch = ?, pull_txid = 0, pull_seq = 0,
			download_entity = '', download_row = '', audit_pushed_seq = 0 WHERE id = 1`, h.Epoch); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM pushed_rows`); err != nil {
			return err
		}
		detail := fmt.Sprintf("the server at %s was replaced (epoch %s, was %s); desk %s", c.URL(), h.Epoch, s.epoch.String, code)
		if empty {
			n, err := tx.queueSnapshot(false)
			if err != nil {
				return err
			}
			detail += fmt.Sprintf("; %d rows queued for upload", n)
		}
		tx.Audit("sync.rejoin", "sync_meta", e.siteID, "", detail)
		return nil
	})
	if err != nil {
		return err
	}
	if empty {
		return nil
	}
	return e.restoreServer(ctx, c, 0, 0, rep)
}

// recordRound keeps how the round went: when the desk last synced, or
// since when it fails and why.
func (e *Engine) recordRound(ctx context.Context, roundErr error) error {
	now := formatTime(e.db.Now())
	return e.writeState(ctx, "sync.status", func(tx *txn) error {
		var err error
		if roundErr == nil {
			if _, err = tx.ExecContext(tx.ctx, `UPDATE sync_meta SET last_synced_at = ?, failing_since = NULL, last_sync_error = '' WHERE id = 1`, now); err != nil {
				return err
			}
			// Acknowledged operations are kept sentKeep for a restored server.
			cutoff := formatTime(e.db.Now().Add(-sentKeep))
			if _, err = tx.ExecContext(tx.ctx, `UPDATE sync_meta SET sent_pruned_seq = max(sent_pruned_seq,
				coalesce((SELECT max(seq) FROM outbox_sent WHERE acked_at < ?), 0)) WHERE id = 1`, cutoff); err != nil {
				return err
			}
			_, err = tx.ExecContext(tx.ctx, `DELETE FROM outbox_sent WHERE acked_at < ?`, cutoff)
		} else {
			_, err = tx.ExecContext(tx.ctx, `UPDATE sync_meta SET failing_since = coalesce(failing_since, ?), last_sync_error = ? WHERE id = 1`,
				now, app.StoreError(roundErr))
		}
		return err
	})
}

// RunSync keeps an enrolled desk in sync until ctx ends (app.SyncService).
// A round runs at once, after each local change, when the server notifies
// that another desk changed something, and every PollEvery; after a
// failure it waits RetryMin, doubling up to RetryMax, and local changes do
// not hurry it.
func (e *Engine) RunSync(ctx context.Context, report func(*app.SyncStatus)) {
	notified := make(chan struct{}, 1)
	listening := make(chan struct{})
	go func() { defer close(listening); e.listen(ctx, notified) }()
	// RunSync returns only once the listener has stopped, so nothing of
	// the loop outlives it.
	defer func() { <-listening }()
	retry := time.Duration(0)
	for ctx.Err() == nil {
		st, err := e.SyncStatus(ctx)
		if err == nil && st.Enrolled {
			_, rerr := e.SyncNow(ctx)
			if ctx.Err() != nil {
				return
			}
			if rerr != nil {
				retry = min(max(retry*2, RetryMin), RetryMax)
			} else {
				retry = 0
			}
			st, err = e.SyncStatus(ctx)
		}
		if err == nil && report != nil {
			report(st)
		}
		if retry > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-e.db.Queued():
		case <-notified:
		case <-time.After(PollEvery):
		}
	}
}

// listen holds a connection to the server that waits for its
// notifications, and signals notified on each; it reconnects after a
// failure and ends with ctx.
func (e *Engine) listen(ctx context.Context, notified chan<- struct{}) {
	for ctx.Err() == nil {
		s, err := e.syncMeta(ctx)
		if err == nil && s.epoch.Valid && s.url.Valid {
			// A lost connection is tried again after PollEvery; the sync
			// rounds, which poll meanwhile, report the server's state.
			_ = e.listenOnce(ctx, s, notified)
		}
		select {
		case <-ctx.Done():
		case <-time.After(PollEvery):
		}
	}
}

func (e *Engine) listenOnce(ctx context.Context, s syncState, notified chan<- struct{}) error {
	c, err := server.Dial(ctx, e.serverURL(s))
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	if err := c.Listen(ctx); err != nil {
		return err
	}
	for {
		if err := c.WaitForChange(ctx, e.siteID); err != nil {
			return err
		}
		select {
		case notified <- struct{}{}:
		default:
		}
	}
}

// DeskVersions implements app.SyncService: the clinic's desks, as the
// server has them, with the versions they reported; this desk's version
// goes first.
func (e *Engine) DeskVersions(ctx context.Context) ([]app.DeskVersion, error) {
	if err := e.db.MayEnroll(ctx, "sync.desks"); err != nil {
		return nil, err
	}
	s, err := e.syncMeta(ctx)
	if err != nil {
		return nil, err
	}
	if !s.epoch.Valid || !s.url.Valid {
		return nil, app.Errorf(app.ECONFLICT, "This desk is not enrolled with a sync server: it knows no other desks.")
	}
	c, _, err := e.dialServer(ctx, s)
	if err != nil {
		return nil, serverError(err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	if err := c.ReportVersion(ctx, e.siteID, e.appVersion); err != nil {
		return nil, serverError(err)
	}
	vs, err := c.DeskVersions(ctx)
	if err != nil {
		return nil, serverError(err)
	}
	code := s.deskOrDefault(e.db)
	out := make([]app.DeskVersion, len(vs))
	for i, v := range vs {
		out[i] = app.DeskVersion{DeskCode: v.DeskCode, Version: v.AppVersion, Since: v.VersionAt, LastSeen: v.LastSeen,
			Revoked: v.Revoked, This: v.DeskCode == code}
	}
	return out, nil
}

// TestServer implements app.SyncService: it connects to the server at
// serverURL and shakes hands, and says whether the desk could enroll with
// it, changing nothing.
func (e *Engine) TestServer(ctx context.Context, serverURL string) (*app.ServerCheck, error) {
	if err := e.db.MayEnroll(ctx, "sync.test"); err != nil {
		return nil, err
	}
	shown, err := server.Redact(serverURL)
	if err != nil {
		return nil, app.FieldErrorf("server", "%s", err.Error())
	}
	c, err := server.Dial(ctx, serverURL)
	if err != nil {
		return nil, serverError(err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	h, err := c.Handshake(ctx, e.db.Now)
	if err != nil {
		return nil, serverError(err)
	}
	cur, err := e.syncMeta(ctx)
	if err != nil {
		return nil, err
	}
	if cur.epoch.Valid && cur.epoch.String != h.Epoch {
		return nil, app.Errorf(app.ECONFLICT,
			"This desk is enrolled with another server (or one since replaced or restored): it cannot enroll with %s.", shown)
	}
	return &app.ServerCheck{Server: shown, Epoch: h.Epoch, SchemaVersion: h.SchemaVersion, ClockOffset: h.Offset,
		RoundTrip: h.RoundTrip, TLS: c.TLS()}, nil
}

// serverURL is the address the desk enrolled with, with the password it
// keeps sealed, when it keeps one.
func (e *Engine) serverURL(s syncState) string {
	if len(s.secret) == 0 {
		return s.url.String
	}
	pw, err := e.openSecret(s.secret)
	if err != nil {
		return s.url.String // the password file or PGPASSWORD may have it
	}
	u, err := url.Parse(s.url.String)
	if err != nil || u.User == nil {
		return s.url.String
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String()
}

// urlPassword is the password in a server address, if it has one.
func urlPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			return pw
		}
	}
	return u.Query().Get("password")
}

// secretKey is the key that seals the server's password: derived from the
// desk's audit key, which is kept outside the database file.
func (e *Engine) secretKey() []byte {
	return e.db.DeriveKey("hms sync server password")
}

// sealSecret encrypts the server's password for sync_meta.server_secret.
func (e *Engine) sealSecret(pw string) ([]byte, error) {
	block, err := aes.NewCipher(e.secretKey())
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, []byte(pw), []byte(e.siteID)), nil
}

// openSecret decrypts a sealed password.
func (e *Engine) openSecret(sealed []byte) (string, error) {
	block, err := aes.NewCipher(e.secretKey())
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("the sealed password is too short")
	}
	pw, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(e.siteID))
	if err != nil {
		return "", fmt.Errorf("the sealed password does not open with this desk's key: %w", err)
	}
	return string(pw), nil
}

// syncTimes reads the round bookkeeping for SyncStatus.
func (e *Engine) syncTimes(ctx context.Context, st *app.SyncStatus) error {
	var synced, failing sql.NullString
	if err := e.r.QueryRowContext(ctx, `SELECT last_synced_at, failing_since, last_sync_error FROM sync_meta WHERE id = 1`).
		Scan(&synced, &failing, &st.LastSyncError); err != nil {
		return internal("sync.status", err)
	}
	if synced.Valid {
		st.LastSyncedAt = parseTime(synced.String)
	}
	if failing.Valid {
		st.FailingSince = parseTime(failing.String)
	}
	return nil
}
