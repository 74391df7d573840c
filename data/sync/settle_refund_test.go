package sync_test

import (
	"os"
	"testing"

	"hms/app"
	"hms/data"
)

// An overpaid invoice is settled on one desk (the server's claim) while
// a clerk on another desk, not synced since, refunds one of its payments
// by hand: the payment the settlement reverses, or the other one. Both
// desks should end alike, every pulled change applied, the overpayment
// refunded once.
//
// KNOWN, NOT FIXED (found on branch simx, issue #21): a hand refund
// (Billing.RefundPayment) takes no claim on the server, so it races the
// settlement. The same payment: each desk keeps its own reversal and
// parks the other's ("UNIQUE constraint failed: payments.reversal_of",
// an internal error on each desk), the desks differ for good, and both
// paid the excess out. The other payment: both refunds stand, the
// invoice ends paid 0.00 of 40.00, with no conflict. Skipped unless
// HMS_KNOWN_RACES is set, until a hand refund of a payment of an invoice
// with an open billing conflict takes that conflict's claim (or is
// refused there).
func TestSettleWhileAnotherDeskRefunds(t *testing.T) {
	if os.Getenv("HMS_KNOWN_RACES") == "" {
		t.Skip("known race of a hand refund and a settlement (HMS_KNOWN_RACES=1 runs it)")
	}
	t.Parallel()
	for _, same := range []bool{true, false} {
		name := map[bool]string{true: "the same payment", false: "the other payment"}[same]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, first, second := twoDesks(t)
			p := newPatient(t, first.svc, "Refunded")
			inv := issueInvoice(t, first.svc, p.ID, 4000)
			mustSync(t, first.db)
			syncUntilCaughtUp(t, u, second)
			payInFull(t, first.svc, inv.ID)
			payInFull(t, services(second), inv.ID)
			syncAll(t, first.db, second)
			syncAll(t, first.db, second)
			clerk := callerOf(first.users[app.RoleBilling])
			got := overpaid(t, second, clerk)
			if len(got) != 1 {
				t.Fatalf("billing conflicts %+v", got)
			}
			named := got[0].Overpaid.PaymentID
			var refund string
			if err := rawDB(t, first.db).QueryRow(`SELECT a.payment_id FROM payment_allocations a WHERE a.invoice_id = ?
				AND (a.payment_id = ?) = ?`, inv.ID, named, same).Scan(&refund); err != nil {
				t.Fatal(err)
			}
			_, refundErr := first.svc.Billing.RefundPayment(as(clerk), refund, "paid twice")
			_, settleErr := services(second).Sync.SettleOverpayment(as(clerk), got[0].ID,
				app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: "paid twice"})
			t.Logf("refund on the first desk: %v; settlement on the second: %v", refundErr, settleErr)
			syncAll(t, first.db, second)
			syncAll(t, first.db, second)
			for i, d := range []*data.DB{first.db, second} {
				if n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE 'could not be applied%' AND resolved_at IS NULL`); n != 0 {
					t.Errorf("desk %d: %d pulled changes could not be applied", i, n)
				}
				reversals := count(t, d, `SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL`)
				inv, err := services(d).Billing.FindInvoice(system, inv.ID)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("desk %d: %d reversals, invoice paid %d of %d", i, reversals, inv.Paid, inv.Totals.Total)
				if refundErr == nil && settleErr == nil {
					t.Errorf("desk %d: both desks refunded the overpayment: %d reversals, invoice paid %d of %d", i, reversals, inv.Paid, inv.Totals.Total)
				}
			}
			sameClinic(t, first.db, second)
		})
	}
}
