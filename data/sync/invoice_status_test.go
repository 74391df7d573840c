package sync_test

import (
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// An invoice paid in parts on two desks while apart: each desk set the
// status its own payment gave (partially paid), and the later of the two
// used to win on every desk as a field, whatever the payments now add up
// to. Once synced, every desk's status follows the payments it holds:
// paid when they make the total, in either order of arrival, and overpaid
// counts as paid (with its billing conflict), never "partially paid"
// (simulation seed 505). The status that lost the field's merge is no
// review item.
func TestInvoiceStatusFollowsPulledPayments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		first, second app.Money
		secondFirst   bool // the second desk syncs first
		want          app.InvoiceStatus
	}{
		{"paid in two parts", 3000, 7000, false, app.InvoicePaid},
		{"paid in two parts, other order", 3000, 7000, true, app.InvoicePaid},
		{"overpaid in two parts", 6000, 6000, false, app.InvoicePaid},
		{"overpaid in two parts, other order", 6000, 6000, true, app.InvoicePaid},
		{"still partly paid", 2000, 3000, false, app.InvoicePartiallyPaid},
		{"paid in full, then a part on the other desk", 10000, 2000, false, app.InvoicePaid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, first, second := twoDesks(t)
			p := newPatient(t, first.svc, "Parts")
			inv := issueInvoice(t, first.svc, p.ID, 10000)
			mustSync(t, first.db)
			syncUntilCaughtUp(t, u, second)

			pay := func(svc app.Services, amount app.Money) {
				t.Helper()
				if _, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: amount,
					Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(3 * time.Millisecond) // the second desk's status is the newer
			}
			pay(first.svc, tc.first)
			pay(services(second), tc.second)
			if tc.secondFirst {
				syncAll(t, second, first.db)
			} else {
				syncAll(t, first.db, second)
			}
			sameClinic(t, first.db, second)
			for i, d := range []*data.DB{first.db, second} {
				got, err := services(d).Billing.FindInvoice(system, inv.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Paid != tc.first+tc.second || got.Status != tc.want {
					t.Errorf("desk %d: invoice paid %d of %d reads %s, want %s", i, got.Paid, got.Totals.Total, got.Status, tc.want)
				}
				// A status that lost is no review item: it follows the
				// payments, and taking it back would contradict them.
				if n := count(t, d, `SELECT count(*) FROM conflicts WHERE entity = 'invoices' AND field = 'status'`); n != 0 {
					t.Errorf("desk %d: %d review items of the invoice's status", i, n)
				}
				// Derived on each desk, not sent back: no echo.
				if n := count(t, d, `SELECT count(*) FROM outbox`); n != 0 {
					t.Errorf("desk %d: %d changes queued after the sync", i, n)
				}
			}
		})
	}
}
