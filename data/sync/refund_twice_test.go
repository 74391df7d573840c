package sync_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

// A payment refunded by hand on two desks while apart (neither lists the
// invoice as overpaid, so neither needs the server's claim): both refunds
// were paid out, so both stay on record on every desk, nothing is parked
// ("UNIQUE constraint failed: payments.reversal_of" before desk migration
// 0234), the desks end identical, and every desk lists the double refund
// for billing staff and administrators (not for reception), who mark it
// done once they have put it right.
func TestRefundTwiceOnDesksApart(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Twice")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	payInFull(t, first.svc, inv.ID)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	var payment string
	if err := rawDB(t, first.db).QueryRow(`SELECT payment_id FROM payment_allocations WHERE invoice_id = ?`, inv.ID).Scan(&payment); err != nil {
		t.Fatal(err)
	}
	clerk := callerOf(first.users[app.RoleBilling])
	if _, err := first.svc.Billing.RefundPayment(as(clerk), payment, "wrong patient"); err != nil {
		t.Fatal(err)
	}
	if _, err := services(second).Billing.RefundPayment(as(clerk), payment, "paid by insurance"); err != nil {
		t.Fatal(err)
	}
	// One desk still refuses a second refund of its own.
	if _, err := first.svc.Billing.RefundPayment(as(clerk), payment, "again"); code(err) != app.ECONFLICT {
		t.Errorf("a second refund on one desk: %v, want refused", err)
	}
	syncAll(t, first.db, second)
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	admin := callerOf(first.users[app.RoleAdmin])
	reception := callerOf(first.users[app.RoleReception])
	for i, d := range []*data.DB{first.db, second} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE 'could not be applied%' AND resolved_at IS NULL`); n != 0 {
			t.Errorf("desk %d: %d pulled changes could not be applied", i, n)
		}
		if n := count(t, d, `SELECT count(*) FROM payments WHERE reversal_of = ?`, payment); n != 2 {
			t.Errorf("desk %d: %d refunds of the payment, want both (2)", i, n)
		}
		// The dashboard's allocated sum takes the payment off once.
		if n := count(t, d, `SELECT (SELECT amount FROM dash_allocated WHERE id = 1) - (SELECT coalesce(sum(a.amount), 0)
			FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id WHERE i.status NOT IN ('draft', 'void')
			AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id))`); n != 0 {
			t.Errorf("desk %d: the dashboard's allocated sum is off by %d", i, n)
		}
		for _, who := range []app.Caller{clerk, admin} {
			list, err := services(d).Sync.ListConflicts(as(who), false)
			if err != nil {
				t.Fatal(err)
			}
			var twice []*app.Conflict
			for _, c := range list {
				if c.Rule == data.RuleRefundedTwice {
					twice = append(twice, c)
				}
			}
			if len(twice) != 1 || twice[0].Entity != "payments" || twice[0].RowID != payment {
				t.Errorf("desk %d, %s: refunded-twice items %+v, want one of payment %s", i, who.Role, twice, payment)
			}
		}
		if list, err := services(d).Sync.ListConflicts(as(reception), false); err == nil {
			for _, c := range list {
				if c.Rule == data.RuleRefundedTwice {
					t.Errorf("desk %d: reception sees the double refund", i)
				}
			}
		}
	}
	// Billing marks it done on one desk.
	if _, err := services(second).Sync.ResolveConflict(as(clerk), "refunded-twice/"+payment, app.ResolutionKeep); err != nil {
		t.Errorf("marking the double refund done: %v", err)
	}
	if n := count(t, second, `SELECT count(*) FROM conflicts WHERE rule = ? AND resolved_at IS NULL`, data.RuleRefundedTwice); n != 0 {
		t.Errorf("still open after marking it done: %d", n)
	}
}

// A hand refund of a payment of an invoice the desk lists as overpaid, on
// an enrolled desk that cannot reach the server: refused, nothing
// refunded, as a settlement is (the server decides which desk puts the
// overpayment right). A payment of another invoice is refunded at once.
func TestRefundOfOverpaidNeedsServer(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Offline")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	other := issueInvoice(t, first.svc, p.ID, 1000)
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	payInFull(t, first.svc, inv.ID)
	payInFull(t, first.svc, other.ID)
	payInFull(t, services(second), inv.ID)
	syncAll(t, first.db, second)
	clerk := callerOf(first.users[app.RoleBilling])
	if got := overpaid(t, first.db, clerk); len(got) != 1 {
		t.Fatalf("billing conflicts %+v", got)
	}
	if _, err := rawDB(t, first.db).Exec(`UPDATE sync_meta SET server_url = ?`,
		"postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err != nil {
		t.Fatal(err)
	}
	var payment, elsewhere string
	if err := rawDB(t, first.db).QueryRow(`SELECT payment_id FROM payment_allocations WHERE invoice_id = ? LIMIT 1`, inv.ID).Scan(&payment); err != nil {
		t.Fatal(err)
	}
	if err := rawDB(t, first.db).QueryRow(`SELECT payment_id FROM payment_allocations WHERE invoice_id = ?`, other.ID).Scan(&elsewhere); err != nil {
		t.Fatal(err)
	}
	_, err := first.svc.Billing.RefundPayment(as(clerk), payment, "paid twice")
	if code(err) != app.ECONFLICT || !strings.Contains(err.Error(), "needs the sync server") {
		t.Fatalf("refunding without the server: %v", err)
	}
	if n := count(t, first.db, `SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL`); n != 0 {
		t.Errorf("%d refunds written", n)
	}
	if _, err := first.svc.Billing.RefundPayment(as(clerk), elsewhere, "wrong invoice"); err != nil {
		t.Errorf("refunding a payment of an invoice not overpaid: %v", err)
	}
}
