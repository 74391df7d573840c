package sync

import (
	"context"
	"log/slog"

	"hms/app"
	"hms/app/i18n"
	"hms/data"
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
	refund := data.NewRefundID()
	cl, err := e.claimBilling(ctx, conn, server.BillingClaim{ID: id, InvoiceID: c.Overpaid.InvoiceID,
		Action: string(in.Action), By: caller.Username, Refund: refund})
	if err != nil {
		return nil, err
	}
	if cl.Site != e.siteID {
		if _, err := e.db.MoveBillingClaim(ctx, id, "", "held"); err != nil {
			return nil, internal("billing.overpayment", err)
		}
		return nil, claimRefused(c.Overpaid.InvoiceNumber, cl, false)
	}
	if e.afterClaim != nil {
		e.afterClaim()
	}
	done, err := e.SettleOverpaymentClaimed(ctx, id, in, refund)
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
	e.spendClaims(ctx, conn, id)
	return done, nil
}

// claimBilling claims an overpayment on the server for this desk, telling
// it the payments of the invoice this desk holds and the refunds of them
// (server migration 0124).
func (e *Engine) claimBilling(ctx context.Context, conn *server.Client, in server.BillingClaim) (server.Claim, error) {
	var err error
	if in.Payments, in.Seen, err = e.db.InvoicePayments(ctx, in.InvoiceID); err != nil {
		return server.Claim{}, internal("billing.overpayment", err)
	}
	cl, err := conn.ClaimBilling(ctx, e.siteID, in)
	if err != nil {
		return cl, serverErrorf(err, nothingChanged)
	}
	return cl, nil
}

// spendClaims tells the server this desk wrote the refund of its claims
// ids, so that a desk refused from now on is told it is settled. Not told
// (the server not reached), the server finds the refund once the desk
// pushes it.
func (e *Engine) spendClaims(ctx context.Context, conn *server.Client, ids ...string) {
	for _, id := range ids {
		if _, err := conn.SpendBilling(context.WithoutCancel(ctx), e.siteID, id); err != nil {
			slog.Warn("the server was not told an overpayment's refund is written: it finds it when the desk pushes it", "conflict", id, "err", err)
			return
		}
	}
}

// claimRefused is the refusal of a desk whose claim on invoice number's
// overpayment another desk holds (cl): which desk (its code, as staff
// know it), how and by whom, and whether its refund is written there
// already (the claim is spent) or it is being settled. refund: the desk
// was refunding a payment by hand.
func claimRefused(number string, cl server.Claim, refund bool) error {
	desk := cl.Desk
	if desk == "" { // a server before migration 0124
		desk = "?"
	}
	how := i18n.N("a refund")
	if cl.Action == string(app.OverpaymentAllocate) {
		how = i18n.N("the excess allocated to another invoice")
	}
	switch {
	case cl.Spent && refund:
		return app.Errorf(app.ECONFLICT, "Invoice %s was settled on desk %s already (%s, by %s): nothing was refunded here; its refund reaches this desk with the next sync.",
			number, desk, how, cl.By)
	case cl.Spent:
		return app.Errorf(app.ECONFLICT, "Invoice %s was settled on desk %s already (%s, by %s): its refund reaches this desk with the next sync.",
			number, desk, how, cl.By)
	case refund:
		return app.Errorf(app.ECONFLICT, "Invoice %s is overpaid and being settled on desk %s already (%s, by %s): nothing was refunded here; its payments reach this desk with the next sync.",
			number, desk, how, cl.By)
	}
	return app.Errorf(app.ECONFLICT, "Invoice %s is being settled on desk %s already (%s, by %s): its payments reach this desk with the next sync.",
		number, desk, how, cl.By)
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

// refundPayment refunds a payment by hand (svc, the desk's billing
// service). An overpaid invoice's resolution is decided once for the
// clinic, so a refund of a payment of an invoice with an open billing
// conflict on this desk claims that overpayment on the server first, as
// a settlement does (SettleOverpayment): the first claim wins; a desk
// whose claim loses is told which desk settles it and refunds nothing,
// and an enrolled desk that cannot reach the server refuses. The claim is
// kept once the refund is written (data.BillingService.RefundPaymentClaimed),
// so another desk that has not pulled the refund is refused; one whose
// refund is not written is given up. A refund of any other payment, or on
// a desk not enrolled, takes no claim. Two desks apart can still both
// refund one payment (neither lists it overpaid yet): both refunds stand
// and every desk lists them for billing (data.RuleRefundedTwice).
func (e *Engine) refundPayment(ctx context.Context, svc app.BillingService, paymentID, reason string) (*app.Payment, error) {
	b := e.db.Billing()
	claims, err := b.OverpaymentsOf(ctx, paymentID)
	if err != nil || len(claims) == 0 {
		if err != nil && app.ErrorCode(err) == app.EINTERNAL {
			return nil, err
		}
		return svc.RefundPayment(ctx, paymentID, reason)
	}
	conn, err := e.claimServer(ctx, "Refunding a payment of an overpaid invoice needs the sync server, so that two desks cannot both refund it")
	if err != nil {
		return nil, err
	}
	if conn == nil {
		return svc.RefundPayment(ctx, paymentID, reason)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	e.claims.Lock()
	defer e.claims.Unlock()
	caller, _ := app.CallerFromContext(ctx)
	bg := context.WithoutCancel(ctx)
	// giveUp marks the claims taken so far to be given up (nothing was
	// written under them) and gives them up now, or the next sync round.
	giveUp := func(taken []data.OverpaymentClaim) {
		for _, c := range taken {
			if _, err := e.db.MoveBillingClaim(bg, c.ID, "release", "held"); err != nil {
				slog.Warn("could not mark an overpayment's claim to be given up: the desk keeps it until its sync closes the conflict", "conflict", c.ID, "err", err)
			}
		}
		if err := e.releaseClaims(bg, conn); err != nil {
			slog.Warn("an overpayment's claim not given up yet: the next sync round does", "err", err)
		}
	}
	var taken []data.OverpaymentClaim
	refund := data.NewRefundID()
	for _, c := range claims {
		if _, err := e.db.MoveBillingClaim(ctx, c.ID, "held"); err != nil {
			giveUp(taken)
			return nil, internal("payment.refund", err)
		}
		cl, err := e.claimBilling(ctx, conn, server.BillingClaim{ID: c.ID, InvoiceID: c.InvoiceID,
			Action: string(app.OverpaymentRefund), By: caller.Username, Refund: refund})
		if err != nil {
			giveUp(append(taken, c))
			return nil, err
		}
		if cl.Site != e.siteID {
			if _, err := e.db.MoveBillingClaim(bg, c.ID, "", "held"); err != nil {
				slog.Warn("could not record an overpayment's claim as another desk's", "conflict", c.ID, "err", err)
			}
			giveUp(taken)
			return nil, claimRefused(c.InvoiceNumber, cl, true)
		}
		taken = append(taken, c)
	}
	if e.afterClaim != nil {
		e.afterClaim()
	}
	r, err := b.RefundPaymentClaimed(ctx, paymentID, reason, claims, refund)
	if err != nil {
		giveUp(taken)
		return nil, err
	}
	ids := make([]string, len(taken))
	for i, c := range taken {
		ids[i] = c.ID
	}
	e.spendClaims(ctx, conn, ids...)
	// The invoice is no longer overpaid (or is under another name): its
	// billing conflict follows at once, not at the next pull.
	if err := e.db.CheckOverpaid(bg); err != nil {
		slog.Warn("billing conflicts not checked after a refund: the next sync does", "err", err)
	}
	return r, nil
}
