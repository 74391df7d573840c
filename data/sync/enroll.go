package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/sync/server"
)

// InitServer creates or migrates the sync schema of the server at
// serverURL (hms server init).
func InitServer(ctx context.Context, serverURL string) (*app.ServerInit, error) {
	res, err := server.Init(ctx, serverURL)
	if err != nil {
		return nil, serverError(err)
	}
	out := &app.ServerInit{From: res.From, To: res.To, Epoch: res.Epoch, Analyzed: res.Analyzed,
		AutovacuumOff: res.AutovacuumOff}
	for _, l := range res.NewLogins {
		out.NewLogins = append(out.NewLogins, app.DeskLogin(l))
	}
	return out, nil
}

// AddDesk makes a desk's own login on the server at serverURL (hms server
// add-desk; server.AddDesk).
func AddDesk(ctx context.Context, serverURL, name string) (*app.DeskLogin, error) {
	l, err := server.AddDesk(ctx, serverURL, name)
	if err != nil {
		return nil, serverError(err)
	}
	out := app.DeskLogin(l)
	return &out, nil
}

// RemoveDesk revokes a desk's login on the server at serverURL (hms server
// remove-desk; server.RemoveDesk).
func RemoveDesk(ctx context.Context, serverURL, name string) (*app.DeskLogin, error) {
	l, err := server.RemoveDesk(ctx, serverURL, name)
	if err != nil {
		return nil, serverError(err)
	}
	out := app.DeskLogin(l)
	return &out, nil
}

// PruneServer removes from the server at serverURL what no desk needs any
// more (hms server prune; server.Prune).
func PruneServer(ctx context.Context, serverURL string) (*app.ServerPrune, error) {
	res, err := server.Prune(ctx, serverURL, server.TombstoneAge, server.OpsAge)
	if err != nil {
		return nil, serverError(err)
	}
	return &app.ServerPrune{Superseded: res.Superseded, Tombstones: res.Tombstones, Ops: res.Ops,
		HeldBy: res.HeldBy, HeldSince: res.HeldSince, AutovacuumOff: res.AutovacuumOff}, nil
}

// EnrollDesk implements app.SyncService. It registers this desk with the
// server at serverURL: it shakes hands (refusing a server it is too old
// for), sets the clock's offset to the server's time, and takes the desk
// code the server gives, which numbers this desk's series from then on
// (patients, invoices, receipts made before keep theirs). The address is
// kept without its password; a password given in it is kept sealed
// (loop.go). The clinic's first desk (the server's log is empty) queues a
// snapshot of everything it has for upload; a later desk downloads the
// clinic with its first pull. A desk enrolled with one server is refused
// by another (a different epoch): moving a desk between servers is not
// supported yet.
func (e *Engine) EnrollDesk(ctx context.Context, serverURL string) (*app.SyncStatus, error) {
	if err := e.db.MayEnroll(ctx, "sync.enroll"); err != nil {
		return nil, err
	}
	if caller, _ := app.CallerFromContext(ctx); caller.Role == "" {
		ctx = app.NewContextWithCaller(ctx, app.Caller{Username: joiningDesk})
	}
	serverURL = server.WithTLSDefault(strings.TrimSpace(serverURL))
	shown, err := server.Redact(serverURL)
	if err != nil {
		return nil, app.FieldErrorf("server", "%s", err.Error())
	}
	cur, err := e.syncMeta(ctx)
	if err != nil {
		return nil, err
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
	if cur.epoch.Valid && cur.epoch.String != h.Epoch {
		return nil, app.Errorf(app.ECONFLICT,
			"This desk is enrolled with another server (or one since replaced or restored): it cannot enroll with %s.", shown)
	}
	if err := e.db.SetClockOffset(ctx, h.Offset); err != nil {
		return nil, err
	}
	// The clinic's first desk uploads what it has; the others download
	// the clinic with their first pull.
	state, err := c.SiteState(ctx, e.siteID)
	if err != nil {
		return nil, serverError(err)
	}
	first := !cur.epoch.Valid && state.LogSeq == 0
	var secret any // NULL keeps the password sealed before, if any
	if pw := urlPassword(serverURL); pw != "" {
		if secret, err = e.sealSecret(pw); err != nil {
			return nil, internal("sync.enroll", err)
		}
	}
	code, err := c.Enroll(ctx, e.siteID, e.appVersion)
	if err != nil {
		return nil, serverError(err)
	}
	if cur.desk.Valid && cur.desk.String != code {
		return nil, app.Errorf(app.ECONFLICT,
			"The server gave this desk the code %s, but it numbers with %s already.", code, cur.desk.String)
	}
	// The clinic's trust root (trust.go): the first desk gives the
	// server its own; a joining desk takes the server's, checked against
	// the fingerprint the person enrolling gave, if any.
	var root *trustRoot
	var rootFP, rootFrom string
	switch {
	case first:
		r, fp, err := e.offerLocalRoot(ctx, c)
		if err != nil {
			return nil, err
		}
		root, rootFP, rootFrom = &r, fp, "this desk's administrators when it founded the clinic's sync"
		if ours, _ := r.fingerprint(); fp != ours {
			// Another desk of the clinic enrolled first and has not
			// uploaded yet: this desk takes its root, as a joining desk
			// does, besides trusting its own accounts.
			if root, rootFP, err = e.serverRoot(ctx, c, app.TrustPin(ctx)); err != nil {
				return nil, err
			}
			rootFrom = rootSource(rootFP)
		}
	case !cur.epoch.Valid:
		if root, rootFP, err = e.serverRoot(ctx, c, app.TrustPin(ctx)); err != nil {
			return nil, err
		}
		rootFrom = rootSource(rootFP)
	}
	// The root's signed extensions, for a desk taking the server's root.
	var exts []server.TrustExtension
	if root != nil && rootFrom == rootSource(rootFP) {
		if exts, err = c.TrustExtensions(ctx, e.siteID); err != nil {
			return nil, serverError(err)
		}
	}
	err = e.write(ctx, "sync.enroll", func(tx *txn) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET desk_code = ?, server_epoch = ?, server_url = ?,
			server_secret = coalesce(?, server_secret) WHERE id = 1`, code, h.Epoch, shown, secret); err != nil {
			return err
		}
		detail := fmt.Sprintf("desk %s on %s", code, shown)
		if root != nil {
			if err := tx.takeRoot(root, rootFP, rootFrom); err != nil {
				return err
			}
			detail += fmt.Sprintf(", the clinic's trust root %s (%d administrators' keys, %d rows)", rootFP, len(root.Keys), len(root.Baseline))
			if len(exts) > 0 {
				n, err := tx.takeExtensions(exts)
				if err != nil {
					return err
				}
				detail += fmt.Sprintf(", %d of its %d signed extensions", n, len(exts))
			}
		}
		if first {
			n, err := tx.queueSnapshot(true)
			if err != nil {
				return err
			}
			detail += fmt.Sprintf(", the clinic's first desk: %d rows queued for upload", n)
		}
		// Number series read the code in write transactions, which run one
		// at a time on the one writer connection: setting it here, before
		// this one commits, orders it with every one of them.
		tx.SetDeskCode(code)
		tx.Audit("sync.enroll", "sync_meta", e.siteID, "", detail)
		return nil
	})
	if err != nil {
		// The transaction set the code before failing to commit: put back
		// the one the database still has.
		if rerr := e.db.SetDeskCode(ctx, cur.deskOrDefault(e.db)); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	return e.SyncStatus(ctx)
}

// TLSWarning says, for a server address whose connection does not verify
// the server (an sslmode weaker than verify-full), what that risks; empty
// for a verified one.
func TLSWarning(serverURL string) string {
	mode, verified := server.SSLMode(serverURL)
	if verified {
		return ""
	}
	switch mode {
	case "disable", "allow", "prefer":
		return fmt.Sprintf("The connection to the sync server is not verified and may not be encrypted (sslmode=%s): anyone on the network could read the clinic's records and this desk's password, or pose as the server. Set up TLS on the server and use sslmode=verify-full.", mode)
	}
	return fmt.Sprintf("The connection to the sync server is encrypted but not verified (sslmode=%s): anyone on the network could pose as the server. Use sslmode=verify-full, with the server's CA.", mode)
}

// joiningDesk names, in the audit log, who enrolled a desk that had no
// clinic yet.
const joiningDesk = "new desk joining its clinic"

// syncState is sync_meta as enrollment and push read it.
type syncState struct {
	desk, epoch, url sql.NullString
	offsetMS         int64
	secret           []byte // the server's password, sealed (loop.go)
}

func (s syncState) deskOrDefault(db *data.DB) string {
	if s.desk.Valid {
		return s.desk.String
	}
	return db.DefaultDeskCode()
}

func (e *Engine) syncMeta(ctx context.Context) (syncState, error) {
	var s syncState
	if err := e.r.QueryRowContext(ctx, `SELECT desk_code, server_epoch, server_url, clock_offset_ms, server_secret FROM sync_meta WHERE id = 1`).
		Scan(&s.desk, &s.epoch, &s.url, &s.offsetMS, &s.secret); err != nil {
		return s, internal("sync.status", err)
	}
	return s, nil
}

// SyncStatus implements app.SyncService: where the desk stands, enrolled
// or not, what waits in the outbox and why the last push of it failed, and
// the conflicts open.
func (e *Engine) SyncStatus(ctx context.Context) (*app.SyncStatus, error) {
	s, err := e.syncMeta(ctx)
	if err != nil {
		return nil, err
	}
	st := &app.SyncStatus{
		Enrolled:    s.epoch.Valid && s.url.Valid,
		SiteID:      e.siteID,
		DeskCode:    s.deskOrDefault(e.db),
		Server:      s.url.String,
		Epoch:       s.epoch.String,
		ClockOffset: time.Duration(s.offsetMS) * time.Millisecond,
	}
	if st.Enrolled {
		st.TLSWarning = TLSWarning(st.Server)
	}
	var oldest sql.NullString
	if err := e.r.QueryRowContext(ctx, `SELECT count(*), (SELECT hlc FROM outbox ORDER BY seq LIMIT 1),
			coalesce((SELECT last_error FROM outbox WHERE last_error <> '' ORDER BY seq DESC LIMIT 1), '')
		FROM outbox`).Scan(&st.Pending, &oldest, &st.LastError); err != nil {
		return nil, internal("sync.status", err)
	}
	if oldest.Valid && len(oldest.String) >= len(data.TimeLayout) {
		st.OldestPending = parseTime(oldest.String[:len(data.TimeLayout)])
	}
	if st.TrustRoot, st.Unsigned, err = e.trustState(ctx); err != nil {
		return nil, err
	}
	if st.Conflicts, err = e.db.OpenConflicts(ctx); err != nil {
		return nil, err
	}
	if err := e.syncTimes(ctx, st); err != nil {
		return nil, err
	}
	st.LastError, st.LastErrorText = storedErrorText(st.LastError)
	st.LastSyncError, st.LastSyncErrorText = storedErrorText(st.LastSyncError)
	return st, nil
}

// serverError turns what went wrong talking to the server into a message
// for the person at the desk; the detail (without any password) goes with
// it, since they are the one who can fix an address or a firewall.
func serverError(err error) error {
	return serverErrorf(err, "")
}

// serverErrorf is serverError with a sentence added to the message.
func serverErrorf(err error, also string) error {
	detail := err.Error()
	switch {
	case errors.Is(err, server.ErrUnreachable):
		return app.Errorf(app.EINTERNAL, "The sync server cannot be reached.%s Check that it is running and its address. (%s)", also, detail)
	case errors.Is(err, server.ErrTLS):
		return app.Errorf(app.EUNAUTHORIZED, "The sync server's identity could not be verified over TLS.%s Give this desk the server's CA (~/.postgresql/root.crt, or sslrootcert= in the address) and a certificate for the name in the address; or, knowingly, write a weaker sslmode in the address (sslmode=require encrypts without checking who answers). (%s)", also, detail)
	case errors.Is(err, server.ErrAuth):
		return app.Errorf(app.EUNAUTHORIZED, "The sync server refused the user name or password.%s Give the password in PGPASSWORD or the PostgreSQL password file (see README.md). (%s)", also, detail)
	case errors.Is(err, server.ErrNoDatabase):
		return app.Errorf(app.ENOTFOUND, "There is no such database on the sync server: check the address, or create the database (createdb) and run 'hms server init' on it.%s (%s)", also, detail)
	case errors.Is(err, server.ErrNotInitialized):
		return app.Errorf(app.ENOTFOUND, "That database is not set up as an HMS sync server: run 'hms server init' on it first.%s (%s)", also, detail)
	case errors.Is(err, server.ErrSchemaTooNew):
		return app.Errorf(app.ECONFLICT, "The sync server runs a newer version of HMS than this desk: update hms on this desk first.%s (%s)", also, detail)
	case errors.Is(err, server.ErrNotEnrolled):
		return app.Errorf(app.ECONFLICT, "The sync server does not know this desk: enroll it again with 'hms sync enroll'.%s (%s)", also, detail)
	case errors.Is(err, server.ErrNoDesk):
		return app.Errorf(app.EUNAUTHORIZED, "The sync server does not know this login as a desk: each desk enrolls with a login of its own, which the server's administrator makes with 'hms server add-desk' (or 'hms server init' made for a desk enrolled before).%s (%s)", also, detail)
	case errors.Is(err, server.ErrRevoked):
		return app.Errorf(app.EUNAUTHORIZED, "This desk's login was revoked on the sync server.%s Ask the server's administrator. (%s)", also, detail)
	case errors.Is(err, server.ErrNotThisDesk):
		return app.Errorf(app.EUNAUTHORIZED, "The sync server refused: this login belongs to another desk.%s (%s)", also, detail)
	case errors.Is(err, server.ErrBadLoginName), errors.Is(err, server.ErrLoginExists), errors.Is(err, server.ErrNoSuchLogin):
		return app.FieldErrorf("name", "%s", detail)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return app.Errorf(app.EINTERNAL, "Sync was interrupted.%s (%s)", also, detail)
	}
	return app.Errorf(app.EINTERNAL, "Sync failed.%s (%s)", also, detail)
}
