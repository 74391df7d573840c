package sync

import (
	"context"
	"log/slog"

	"hms/app"
	"hms/data/sync/server"
)

// SettleOverpayment implements app.SyncService: an invoice overpaid on
// desks that were apart is settled on one desk only. The desk first
// claims the overpayment on the server (server migration 0013), where the
// first claim wins, as the first booking of a doctor's time does; only a
// desk holding the claim writes the correcting payments, which then reach
// the other desks and close theirs. A desk that is not enrolled has no
// other desk to race and settles at once; an enrolled one that cannot
// reach the server refuses, changing nothing.
//
// A claim whose settlement is not written (refused: the desk's sync
// closed the conflict meanwhile, as another desk's refund reached it) is
// given up on the server (0115), so that when the invoice is overpaid
// again under the same name another desk can settle it. One that is
// written stays: the payment it names is reversed.
func (e *Engine) SettleOverpayment(ctx context.Context, id string, in app.OverpaymentSettlement) (*app.Conflict, error) {
	c, err := e.OpenOverpayment(ctx, id, in)
	if err != nil {
		return nil, err
	}
	conn, err := e.claimServer(ctx, "Settling an overpaid invoice needs the sync server, so that two desks cannot both settle it")
	if err != nil {
		return nil, err
	}
	if conn == nil {
		return e.SettleOverpaymentHere(ctx, id, in)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	e.claims.Lock()
	defer e.claims.Unlock()
	// Held from before the claim: a reply lost, or the desk stopped,
	// leaves it held, and the desk gives it up if its sync closes the
	// conflict before a person settles it again (data.DB.CheckOverpaid).
	if _, err := e.db.MoveBillingClaim(ctx, id, "held"); err != nil {
		return nil, internal("billing.overpayment", err)
	}
	caller, _ := app.CallerFromContext(ctx)
	cl, err := conn.ClaimBilling(ctx, e.siteID, id, c.Overpaid.InvoiceID, string(in.Action), caller.Username)
	if err != nil {
		return nil, serverErrorf(err, nothingChanged)
	}
	if cl.Site != e.siteID {
		if _, err := e.db.MoveBillingClaim(ctx, id, "", "held"); err != nil {
			return nil, internal("billing.overpayment", err)
		}
		return nil, app.Errorf(app.ECONFLICT, "Invoice %s is being settled on another desk already (%s, by %s): its payments reach this desk with the next sync.",
			c.Overpaid.InvoiceNumber, cl.Action, cl.By)
	}
	if e.afterClaim != nil {
		e.afterClaim()
	}
	done, err := e.SettleOverpaymentClaimed(ctx, id, in)
	if err != nil {
		// Nothing was written: the claim goes with the settlement. Given
		// up now, or by the next sync round if the server is not reached.
		bg := context.WithoutCancel(ctx)
		if _, merr := e.db.MoveBillingClaim(bg, id, "release", "held"); merr != nil {
			slog.Warn("could not mark an overpayment's claim to be given up: the desk keeps it until its sync closes the conflict", "conflict", id, "err", merr)
		} else if rerr := e.releaseClaims(bg, conn); rerr != nil {
			slog.Warn("an overpayment's claim not given up yet: the next sync round does", "conflict", id, "err", rerr)
		}
		return nil, err
	}
	return done, nil
}

// releaseClaims gives up on the server the claims of this desk whose
// settlement was not written (data.DB.BillingClaimsToRelease): the desk's
// sync closed their conflicts, or their settlement was refused. The
// caller holds e.claims.
func (e *Engine) releaseClaims(ctx context.Context, c *server.Client) error {
	ids, err := e.db.BillingClaimsToRelease(ctx)
	if err != nil {
		return internal("sync.billing", err)
	}
	for _, id := range ids {
		if _, err := c.ReleaseBilling(ctx, e.siteID, id); err != nil {
			return serverErrorf(err, queuedNote)
		}
		if _, err := e.db.MoveBillingClaim(ctx, id, "", "release"); err != nil {
			return internal("sync.billing", err)
		}
	}
	return nil
}

// releaseClaimsInRound is releaseClaims in a sync round, after the pull
// closed what it closes; a settlement under way (holding e.claims) gives
// its own up, and the next round the rest.
func (e *Engine) releaseClaimsInRound(ctx context.Context, c *server.Client) error {
	if !e.claims.TryLock() {
		return nil
	}
	defer e.claims.Unlock()
	return e.releaseClaims(ctx, c)
}

// claimServer connects to the sync server for a claim (an overpayment's
// settlement, a cash-up's close), where the first desk to claim wins. A
// desk that is not enrolled has no other desk to race: no connection and
// no error. An enrolled desk that cannot reach the server is refused with
// needs, the reason it needs the server, and "nothing was changed".
func (e *Engine) claimServer(ctx context.Context, needs string) (*server.Client, error) {
	s, err := e.syncMeta(ctx)
	if err != nil {
		return nil, err
	}
	if !s.epoch.Valid || !s.url.Valid {
		return nil, nil
	}
	conn, _, err := e.dialServer(ctx, s)
	if err != nil {
		return nil, app.Errorf(app.ECONFLICT, "%s; nothing was changed. %s", needs, app.ErrorMessage(err))
	}
	return conn, nil
}
