package sync

import (
	"context"

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
func (e *Engine) SettleOverpayment(ctx context.Context, id string, in app.OverpaymentSettlement) (*app.Conflict, error) {
	c, err := e.OpenOverpayment(ctx, id, in)
	if err != nil {
		return nil, err
	}
	conn, err := e.claimServer(ctx, "Settling an overpaid invoice needs the sync server, so that two desks cannot both settle it")
	if err != nil {
		return nil, err
	}
	if conn != nil {
		defer conn.Close(context.WithoutCancel(ctx))
		caller, _ := app.CallerFromContext(ctx)
		cl, err := conn.ClaimBilling(ctx, e.siteID, id, c.Overpaid.InvoiceID, string(in.Action), caller.Username)
		if err != nil {
			return nil, serverErrorf(err, nothingChanged)
		}
		if cl.Site != e.siteID {
			return nil, app.Errorf(app.ECONFLICT, "Invoice %s is being settled on another desk already (%s, by %s): its payments reach this desk with the next sync.",
				c.Overpaid.InvoiceNumber, cl.Action, cl.By)
		}
		if e.afterClaim != nil {
			e.afterClaim()
		}
	}
	return e.SettleOverpaymentHere(ctx, id, in)
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
