package sync

import (
	"context"
	"log/slog"
	"time"

	"hms/app"
)

// refundClaimWait is how long a hand refund waits to reach the server for
// its claim before it refunds without one.
const refundClaimWait = 3 * time.Second

// RefundPayment implements app.BillingService: a refund by hand of a
// payment takes first, on an enrolled desk that reaches the server, the
// server's claim on every overpayment the payment can name (its invoice
// '/' the payment, the name CheckOverpaid gives it), as a settlement
// does (billing.go). So a settlement on another desk that reverses the
// same payment and this refund cannot both be written: the one that
// claims second is refused, and the two reversals of one payment, which
// no desk can hold both of (one refund per payment), never meet. A
// refund refused here gives its claims up. A desk that is not enrolled,
// or cannot reach the server, refunds as before: the counter does not
// wait for the network, and for it the race stays (docs/SYNC-DESIGN.md,
// "Billing conflicts").
func (b *billing) RefundPayment(ctx context.Context, paymentID, reason string) (*app.Payment, error) {
	e := b.e
	caller, _ := app.CallerFromContext(ctx)
	if app.RequireAny(caller, app.PermManageBilling) != nil {
		return b.BillingService.RefundPayment(ctx, paymentID, reason) // refused there
	}
	p, err := b.BillingService.FindPayment(ctx, paymentID)
	if err != nil || p.IsReversal() || p.ReversedBy != "" || len(p.Allocations) == 0 {
		return b.BillingService.RefundPayment(ctx, paymentID, reason) // refused there, or nothing to claim
	}
	// The counter waits for the server a few seconds at most.
	dctx, cancel := context.WithTimeout(ctx, refundClaimWait)
	conn, err := e.claimServer(dctx, "")
	cancel()
	if err != nil || conn == nil {
		return b.BillingService.RefundPayment(ctx, paymentID, reason)
	}
	bg := context.WithoutCancel(ctx)
	defer conn.Close(bg)
	var claimed []string
	release := func() {
		for _, id := range claimed {
			if _, err := conn.ReleaseBilling(bg, e.siteID, id); err != nil {
				slog.Warn("a refund's claim not given up: another desk cannot settle that overpayment", "claim", id, "err", err)
			}
		}
	}
	for _, a := range p.Allocations {
		id := a.InvoiceID + "/" + p.ID
		cl, err := conn.ClaimBilling(ctx, e.siteID, id, a.InvoiceID, string(app.OverpaymentRefund), caller.Username)
		if err != nil {
			release()
			return nil, serverErrorf(err, nothingChanged)
		}
		if cl.Site != e.siteID {
			release()
			return nil, app.Errorf(app.ECONFLICT, "Invoice %s is being settled on another desk already (%s, by %s): its payments reach this desk with the next sync.",
				a.InvoiceNumber, cl.Action, cl.By)
		}
		claimed = append(claimed, id)
	}
	r, err := b.BillingService.RefundPayment(ctx, paymentID, reason)
	if err != nil {
		release()
		return nil, err
	}
	return r, nil
}
