package sync_test

import (
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// refundItems lists the open billing review items of rule a caller sees.
func refundItems(t testing.TB, d *data.DB, who app.Caller, rule string) []*app.Conflict {
	t.Helper()
	list, err := services(d).Sync.ListConflicts(as(who), false)
	if err != nil {
		t.Fatal(err)
	}
	var out []*app.Conflict
	for _, c := range list {
		if c.Rule == rule {
			out = append(out, c)
		}
	}
	return out
}

// An invoice paid on two desks apart: the first desk lists it overpaid and
// refunds its own payment by hand (the other payment than the one that
// names the overpayment, under the overpayment's claim), while the second,
// which has not pulled the first payment (so lists nothing and claims
// nothing), refunds its payment by hand. Both refunds stand, and the
// invoice owes its whole total again. Every desk lists it for billing
// staff and administrators (not reception) as refunded on two desks,
// with both refunds, and billing marks it done. Before, no desk listed
// anything (issue #21).
func TestOverpaidRefundedOnTwoDesksApart(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Apart")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
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
	early := pay(first.svc)
	late := pay(services(second)) // the newest: it names the overpayment
	mustSync(t, second)           // pushes its payment, before the first's reaches the server
	syncUntilCaughtUp(t, u, first.db)
	clerk := callerOf(first.users[app.RoleBilling])
	if got := overpaid(t, first.db, clerk); len(got) != 1 {
		t.Fatalf("the first desk lists billing conflicts %+v", got)
	}
	if _, err := first.svc.Billing.RefundPayment(as(clerk), early.ID, "paid twice"); err != nil {
		t.Fatalf("the first desk's hand refund: %v", err)
	}
	if _, err := services(second).Billing.RefundPayment(as(clerk), late.ID, "paid twice"); err != nil {
		t.Fatalf("the second desk's hand refund: %v", err)
	}
	syncAll(t, first.db, second)
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	admin := callerOf(first.users[app.RoleAdmin])
	reception := callerOf(first.users[app.RoleReception])
	for i, d := range []*data.DB{first.db, second} {
		got, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Paid != 0 {
			t.Fatalf("desk %d: invoice paid %d: both refunds should stand", i, got.Paid)
		}
		for _, who := range []app.Caller{clerk, admin} {
			items := refundItems(t, d, who, data.RuleRefundedBeyond)
			if len(items) != 1 || items[0].Entity != "invoices" || items[0].RowID != inv.ID || len(items[0].Refunds) != 2 {
				t.Errorf("desk %d, %s: refunded-beyond items %+v, want one of invoice %s with both refunds", i, who.Role, items, inv.ID)
			}
		}
		if list, err := services(d).Sync.ListConflicts(as(reception), false); err == nil {
			for _, c := range list {
				if c.Rule == data.RuleRefundedBeyond {
					t.Errorf("desk %d: reception sees it", i)
				}
			}
		}
	}
	if _, err := services(second).Sync.ResolveConflict(as(clerk), "refunded-beyond/"+inv.ID, app.ResolutionKeep); err != nil {
		t.Errorf("marking it done: %v", err)
	}
	if n := len(refundItems(t, second, clerk, data.RuleRefundedBeyond)); n != 0 {
		t.Errorf("still open after marking it done: %d", n)
	}
}

// A payment reversed on two desks apart, once by a settlement that
// allocated the overpaid invoice's excess to another invoice, once by a
// hand refund: the review item says where each went (the patient was paid
// back once and credited on the other invoice), not that the patient was
// paid back twice.
func TestRefundedTwiceSaysWhereEachWent(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Moved")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	next := issueInvoice(t, first.svc, p.ID, 4000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	pay := func(svc app.Services) *app.Payment {
		t.Helper()
		got, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: 4000,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 4000}}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond)
		return got
	}
	pay(first.svc)
	late := pay(services(second)) // names the overpayment
	mustSync(t, second)
	syncUntilCaughtUp(t, u, first.db)
	clerk := callerOf(first.users[app.RoleBilling])
	got := overpaid(t, first.db, clerk)
	if len(got) != 1 || got[0].Overpaid.PaymentID != late.ID {
		t.Fatalf("the first desk lists billing conflicts %+v", got)
	}
	if _, err := first.svc.Sync.SettleOverpayment(as(clerk), got[0].ID, app.OverpaymentSettlement{
		Action: app.OverpaymentAllocate, InvoiceID: next.ID, Reason: "paid twice"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Millisecond)
	if _, err := services(second).Billing.RefundPayment(as(clerk), late.ID, "wrong card"); err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	syncAll(t, first.db, second)
	nextNumber, err := first.svc.Billing.FindInvoice(system, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []*data.DB{first.db, second} {
		items := refundItems(t, d, clerk, data.RuleRefundedTwice)
		if len(items) != 1 || len(items[0].Refunds) != 2 {
			t.Fatalf("desk %d: refunded-twice items %+v", i, items)
		}
		r := items[0].Refunds
		if r[0].MovedTo != nextNumber.Number || r[1].MovedTo != "" {
			t.Errorf("desk %d: refunds %+v, want the settlement's moved to %s, then the hand refund paid back", i, r, nextNumber.Number)
		}
	}
}
