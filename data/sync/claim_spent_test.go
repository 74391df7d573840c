package sync_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/data"
	"hms/data/sync"
)

// deskCode is the code a desk numbers with since it enrolled (D2): its
// name as staff know it.
func deskCode(t testing.TB, db *data.DB) string {
	t.Helper()
	var code string
	if err := rawDB(t, db).QueryRow(`SELECT desk_code FROM sync_meta WHERE id = 1`).Scan(&code); err != nil || code == "" {
		t.Fatalf("desk code %q: %v", code, err)
	}
	return code
}

// A settlement refused because another desk holds the overpayment's claim
// says which desk (its code, as staff know it), and whether the refund is
// written there already (the claim is spent) or it is being settled. It
// used to say "being settled on another desk already" in both cases,
// naming no desk (issue #21).
func TestClaimRefusalNamesTheDesk(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Named")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	payInFull(t, first.svc, inv.ID)
	payInFull(t, services(second), inv.ID)
	syncAll(t, first.db, second)
	syncAll(t, first.db, second)
	clerk := callerOf(first.users[app.RoleBilling])
	got := overpaid(t, first.db, clerk)
	if len(got) != 1 {
		t.Fatalf("billing conflicts %+v", got)
	}
	id := got[0].ID
	settle := app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: "paid twice"}
	code2 := deskCode(t, second)

	// While the second desk holds the claim and has not written yet.
	var during error
	sync.SetAfterBillingClaim(engine(second), func() {
		_, during = first.svc.Sync.SettleOverpayment(as(clerk), id, settle)
	})
	if _, err := services(second).Sync.SettleOverpayment(as(clerk), id, settle); err != nil {
		t.Fatal(err)
	}
	sync.SetAfterBillingClaim(engine(second), nil)
	msg := app.ErrorMessage(during)
	if code(during) != app.ECONFLICT || !strings.Contains(msg, "being settled on desk "+code2) || !strings.Contains(msg, clerk.Username) {
		t.Errorf("refused while the second desk settles: %q, want it named (desk %s, by %s) as being settled", msg, code2, clerk.Username)
	}

	// Once written there: settled, not being settled.
	_, err := first.svc.Sync.SettleOverpayment(as(clerk), id, settle)
	msg = app.ErrorMessage(err)
	if code(err) != app.ECONFLICT || !strings.Contains(msg, "was settled on desk "+code2) || strings.Contains(msg, "being settled") {
		t.Errorf("refused after the second desk settled: %q, want %q", msg, "was settled on desk "+code2)
	}
	var payment string
	if err := rawDB(t, first.db).QueryRow(`SELECT payment_id FROM payment_allocations WHERE invoice_id = ? LIMIT 1`, inv.ID).Scan(&payment); err != nil {
		t.Fatal(err)
	}
	_, err = first.svc.Billing.RefundPayment(as(clerk), payment, "paid twice")
	msg = app.ErrorMessage(err)
	if code(err) != app.ECONFLICT || !strings.Contains(msg, "was settled on desk "+code2) || !strings.Contains(msg, "nothing was refunded here") {
		t.Errorf("a hand refund refused after the second desk settled: %q", msg)
	}
	// In Greek, the desk is named too.
	if el := app.LocalErrorMessage(err, elTr(t)); !strings.Contains(el, code2) || el == msg {
		t.Errorf("in Greek: %q", el)
	}
	if n := count(t, first.db, `SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL`); n != 0 {
		t.Errorf("%d refunds written on the refused desk", n)
	}
}

// An overpayment whose claim a desk spent on a hand refund of the payment
// the claim does not name, then overpaid again under the same name (a
// payment made earlier on a desk apart arrives: simulation seed 622). A
// desk that has not pulled the refund is still refused (told it was
// settled on the refunding desk); once it has, it sees a new overpayment
// and can settle it, decided once as before. Before, only the refunding
// desk could settle it: every other was told "being settled on another
// desk already" for good.
func TestSpentClaimPassesOnWhenOverpaidAgain(t *testing.T) {
	t.Parallel()
	u, first, second, third := threeDesks(t)
	p := newPatient(t, first.svc, "Again")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, third)
	pay := func(svc app.Services) *app.Payment {
		t.Helper()
		got, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: 4000,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 4000}}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond) // created one after another
		return got
	}
	pay(services(third)) // apart: the oldest payment, arriving last
	early := pay(first.svc)
	pay(services(second)) // the newest: it names the overpayment
	syncAll(t, first.db, second)
	clerk := callerOf(first.users[app.RoleBilling])
	got := overpaid(t, second, clerk)
	if len(got) != 1 {
		t.Fatalf("billing conflicts %+v", got)
	}
	id := got[0].ID
	// The first desk refunds its own payment by hand, under the claim of
	// the overpayment (named by the second desk's payment).
	if _, err := first.svc.Billing.RefundPayment(as(clerk), early.ID, "paid twice"); err != nil {
		t.Fatal(err)
	}
	settle := app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: "paid twice"}
	// The second desk has not pulled the refund: refused, told where.
	_, err := services(second).Sync.SettleOverpayment(as(clerk), id, settle)
	if code(err) != app.ECONFLICT {
		t.Fatalf("the second desk, not synced, settling: %v", err)
	} else if msg := app.ErrorMessage(err); !strings.Contains(msg, "was settled on desk "+deskCode(t, first.db)) {
		t.Errorf("the second desk, not synced, is refused as %q", msg)
	}
	syncAll(t, first.db, second)
	syncAll(t, first.db, second, third)
	syncAll(t, first.db, second, third)
	for i, d := range []*data.DB{first.db, second, third} {
		got := overpaid(t, d, clerk)
		if len(got) != 1 || got[0].ID != id || got[0].Overpaid.Excess() != 4000 {
			t.Fatalf("desk %d: overpaid again under %s, lists %+v", i, id, got)
		}
	}
	// The second desk settles the new overpayment; the third, which has not
	// pulled that settlement, is refused.
	if _, err := services(second).Sync.SettleOverpayment(as(clerk), id, settle); err != nil {
		t.Fatalf("the second desk settling the overpayment of the same name again: %v", err)
	}
	_, err = services(third).Sync.SettleOverpayment(as(clerk), id, settle)
	if msg := app.ErrorMessage(err); code(err) != app.ECONFLICT || !strings.Contains(msg, "desk "+deskCode(t, second)) {
		t.Errorf("the third desk settling it too: %v", err)
	}
	syncAll(t, first.db, second, third)
	syncAll(t, first.db, second, third)
	sameClinic(t, first.db, second, third)
	for i, d := range []*data.DB{first.db, second, third} {
		got, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Paid != got.Totals.Total || len(overpaid(t, d, clerk)) != 0 {
			t.Errorf("desk %d: invoice paid %d of %d, %d billing conflicts open", i, got.Paid, got.Totals.Total, len(overpaid(t, d, clerk)))
		}
		if n := count(t, d, `SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL`); n != 2 {
			t.Errorf("desk %d: %d reversals, want the hand refund and the settlement", i, n)
		}
	}
}

// elTr is the Greek translator.
func elTr(t testing.TB) *i18n.Tr {
	t.Helper()
	return i18n.For(i18n.Greek)
}
