package sync_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
)

// TestForgedRefund: one desk's login (plain SQL, as that desk) pushes a
// refund that does not reverse its payment whole: 0.01 of a 40.00
// payment, which would take the whole payment off its invoice as every
// refund does; a refund of another patient; and, once the payment is
// refunded, a second refund of 0.01 (desk migration 0234 keeps a second
// refund of a payment, made on desks apart). Every desk refuses them
// (desk migration 0235): the invoice stays paid, no forged refund is
// kept, nothing is listed as refunded twice. The other attacks of the
// overpayment's claim (taking or giving up another desk's) are refused by
// the server: TestAttackAsDesk (data/sync/server).
func TestForgedRefund(t *testing.T) {
	t.Parallel()
	noInternalErrors(t) // refused where it is pulled, and kept for review: no fault of the program
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Forged")
	other := newPatient(t, first.svc, "Other")
	inv := issueInvoice(t, first.svc, p.ID, 4000)
	payInFull(t, first.svc, inv.ID)
	syncAll(t, first.db, second)
	var payment, row string
	if err := rawDB(t, first.db).QueryRow(`SELECT p.id, json_object('receipt_number', p.receipt_number, 'patient_id', p.patient_id,
			'patient_name', p.patient_name, 'patient_mrn', p.patient_mrn, 'method', p.method, 'amount', p.amount,
			'tendered', 0, 'change_given', 0, 'reference', p.reference, 'currency', p.currency, 'cashier_id', p.cashier_id,
			'cashier_name', p.cashier_name, 'taken_at', p.taken_at, 'created_at', p.created_at, 'updated_at', p.updated_at)
		FROM payments p JOIN payment_allocations a ON a.payment_id = p.id WHERE a.invoice_id = ?`, inv.ID).Scan(&payment, &row); err != nil {
		t.Fatal(err)
	}
	refund := func(n int, change func(map[string]any)) (string, map[string]any) {
		var m map[string]any
		if err := json.Unmarshal([]byte(row), &m); err != nil {
			t.Fatal(err)
		}
		id := uuid.Must(uuid.NewV7()).String()
		m["id"], m["receipt_number"], m["reversal_of"], m["reason"] = id, "F-"+string(rune('0'+n)), payment, "forged"
		change(m)
		return id, m
	}
	f := newForger(t, u, second)
	desks := []*data.DB{first.db, second}
	check := func(what string, refunds int) {
		t.Helper()
		for i, d := range desks {
			got, err := services(d).Billing.FindInvoice(system, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := count(t, d, `SELECT count(*) FROM payments WHERE reversal_of = ?`, payment); n != refunds || got.Paid != app.Money(4000-4000*min(refunds, 1)) {
				t.Errorf("%s, desk %d: %d refunds of the payment, the invoice paid %d; want %d refunds", what, i, n, got.Paid, refunds)
			}
			if n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule = ?`, data.RuleRefundedTwice); n != 0 {
				t.Errorf("%s, desk %d: a forged refund listed as refunded twice", what, i)
			}
		}
	}
	forgeries := []struct {
		name   string
		change func(map[string]any)
	}{
		{"a refund of 0.01", func(m map[string]any) { m["amount"] = 1 }},
		{"a refund to another patient", func(m map[string]any) { m["patient_id"] = other.ID }},
	}
	for n, g := range forgeries {
		id, m := refund(n, g.change)
		t.Logf("%s: %s", g.name, f.push("payments", id, hlc.KindInsert, m))
		syncAll(t, first.db, second)
		check(g.name, 0)
	}
	clerk := callerOf(first.users[app.RoleBilling])
	if _, err := first.svc.Billing.RefundPayment(as(clerk), payment, "wrong invoice"); err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	id, m := refund(7, func(m map[string]any) { m["amount"] = 1 })
	t.Logf("a second refund of 0.01: %s", f.push("payments", id, hlc.KindInsert, m))
	syncAll(t, first.db, second)
	check("a second refund of 0.01", 1)
}
