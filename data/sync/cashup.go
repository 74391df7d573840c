package sync

import (
	"context"

	"hms/app"
	"hms/data"
)

// Billing returns b (the desk's billing service) with CloseCashUp
// claiming the close on the server first (Engine.CloseCashUp).
func (e *Engine) Billing(b app.BillingService) app.BillingService {
	return &billing{BillingService: b, e: e}
}

// billing is the desk's billing service whose cash-up close is claimed
// on the server.
type billing struct {
	app.BillingService
	e *Engine
}

// CloseCashUp implements app.BillingService.
func (b *billing) CloseCashUp(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
	if err := b.e.claimCashUp(ctx, in); err != nil {
		return nil, err
	}
	return b.BillingService.CloseCashUp(ctx, in)
}

// claimCashUp claims the close of a cash-up on the server (server
// migration 0047) before the desk numbers it: closing numbers a cash-up
// from the closing desk's series, and two desks closing one cash-up (a
// desk's day, or every desk's) at once would each take a number, one of
// them then a gap. The first claim wins, as the first to settle an
// overpayment does (billing.go); the other desk is refused and takes the
// number with the next sync. A cash-up numbered already (a reopened day)
// is closed again without a claim. A desk that is not enrolled has no
// other desk to race and closes at once; an enrolled one that cannot reach
// the server refuses, changing nothing.
func (e *Engine) claimCashUp(ctx context.Context, in app.CashUpInput) error {
	cu, err := e.db.Billing().CashUpToClose(ctx, in)
	if err != nil || cu.Number != "" {
		return err
	}
	conn, err := e.claimServer(ctx, "Closing the day needs the sync server, so that two desks cannot both close and number it")
	if err != nil || conn == nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	cl, err := conn.ClaimCashUp(ctx, e.siteID, cu.ID, cu.By)
	if err != nil {
		return serverErrorf(err, nothingChanged)
	}
	if cl.Site != e.siteID {
		which := "desk " + cu.Desk
		if cu.Desk == data.AllDesks {
			which = "all desks"
		}
		return app.Errorf(app.ECONFLICT, "The cash-up of %s (%s) is being closed on another desk already, by %s: its number reaches this desk with the next sync.",
			cu.Day, which, cl.By)
	}
	return nil
}

// RefundPayment implements app.BillingService: a refund by hand of a
// payment of an invoice this desk lists as overpaid takes the
// overpayment's claim on the server first (Engine.refundPayment).
func (b *billing) RefundPayment(ctx context.Context, paymentID, reason string) (*app.Payment, error) {
	return b.e.refundPayment(ctx, b.BillingService, paymentID, reason)
}
