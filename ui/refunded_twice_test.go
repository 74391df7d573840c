package ui

import (
	"context"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/mock"
)

// TestRefundedTwiceRow: a payment refunded on two desks that were apart
// (data.RuleRefundedTwice) shows under Billing → Billing conflicts in
// words a clerk understands, with what to do, and a button that marks it
// done; nothing to take back. HMS_UI_SHOT=file.png saves what it looks
// like (HMS_UI_LANG=el: in Greek).
func TestRefundedTwiceRow(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	lang := os.Getenv("HMS_UI_LANG") // with HMS_UI_SHOT: the screen in another language, no checks
	if lang != "" {
		speakIn(t, i18n.Lang(lang))
	}
	s := openRefundedTwice(t, h)
	h.settle()
	if f := os.Getenv("HMS_UI_SHOT"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(out, h.u.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	if lang != "" {
		return
	}
	row := s.list.CreateItem()
	s.list.UpdateItem(0, row)
	r := row.(*conflictRow)
	if !strings.Contains(r.title.Text, "R-D1-2026-000001") || !strings.Contains(r.title.Text, "refunded twice") ||
		!strings.Contains(r.values.Text, "Refunds R-D1-2026-000002 and R-D2-2026-000001") ||
		!strings.Contains(r.meta.Text, "What to do") ||
		r.keep.Text != "Mark done" || !r.keep.Visible() || r.take.Visible() {
		t.Fatalf("row: %q / %q / %q / buttons %q %v %v", r.title.Text, r.values.Text, r.meta.Text, r.keep.Text, r.keep.Visible(), r.take.Visible())
	}
	r.keep.OnTapped()
	h.waitFor("marked done", func() bool { return len(h.callsOf("ResolveConflict")) == 1 })
	if got := h.callsOf("ResolveConflict"); got[0] != "refunded-twice/pay1 kept" {
		t.Fatalf("ResolveConflict calls %v", got)
	}
}

// openRefundedTwice opens Billing → Billing conflicts as a billing clerk,
// listing one payment refunded on two desks that were apart.
func openRefundedTwice(t *testing.T, h *syncHarness) *conflictsScreen {
	t.Helper()
	return openBillingItems(t, h, refundedTwiceItem())
}

// refundedTwiceItem is a payment refunded on two desks that were apart,
// both refunds paid out to the patient.
func refundedTwiceItem(refunds ...app.RefundMade) *app.Conflict {
	return &app.Conflict{ID: "refunded-twice/pay1", Entity: "payments", RowID: "pay1",
		Rule:     "billing: a payment was refunded on two desks that were apart; the patient was paid back twice",
		RuleText: i18n.Nf("billing: a payment was refunded on two desks that were apart; the patient was paid back twice"),
		What:     i18n.Nf("Payment %s of %s (%s)", "R-D1-2026-000001", "P-D1-000001 Ada Byron", "40.00 EUR"),
		WonValue: `"R-D1-2026-000002"`, LostValue: `"R-D2-2026-000001"`, DetectedAt: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC),
		Refunds: refunds}
}

// openBillingItems opens Billing → Billing conflicts as a billing clerk,
// listing items.
func openBillingItems(t *testing.T, h *syncHarness, items ...*app.Conflict) *conflictsScreen {
	t.Helper()
	h.conflicts = items
	h.u.svc.Billing = &mock.BillingService{
		FindInvoicesFn: func(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil },
	}
	h.loginAs(user(app.RoleBilling))
	h.openArea(app.AreaBilling)
	b := h.u.main.billing
	if !openTab(b.tabs, T("Billing conflicts")) {
		t.Fatal("no Billing conflicts tab for a billing clerk")
	}
	s := b.overpaid.conflictsScreen
	h.waitFor("the items", func() bool { return len(s.items) == len(items) })
	return s
}

// A payment refunded twice says where each refund's money went: paid
// back to the patient twice, paid back once and moved to another invoice
// once (it used to say "paid back twice" then too), or moved twice; and
// an overpaid invoice refunded on two desks apart (data.RuleRefundedBeyond)
// says it owes again, with what to do. HMS_UI_SHOT=file.png saves the
// screen with them (HMS_UI_LANG=el: in Greek, no checks).
func TestRefundRowsSayWhereTheMoneyWent(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	lang := os.Getenv("HMS_UI_LANG")
	if lang != "" {
		speakIn(t, i18n.Lang(lang))
	}
	moved := refundedTwiceItem(app.RefundMade{Receipt: "R-D1-2026-000002", MovedTo: "INV-D1-2026-000007"},
		app.RefundMade{Receipt: "R-D2-2026-000001"})
	twice := refundedTwiceItem(app.RefundMade{Receipt: "R-D1-2026-000002", MovedTo: "INV-D1-2026-000007"},
		app.RefundMade{Receipt: "R-D2-2026-000001", MovedTo: "INV-D1-2026-000008"})
	twice.ID, twice.RowID = "refunded-twice/pay2", "pay2"
	beyond := &app.Conflict{ID: "refunded-beyond/inv1", Entity: "invoices", RowID: "inv1",
		Rule:     "billing: an overpaid invoice was refunded on two desks that were apart; it owes again what was refunded beyond the excess",
		RuleText: i18n.Nf("billing: an overpaid invoice was refunded on two desks that were apart; it owes again what was refunded beyond the excess"),
		What:     i18n.Nf("Invoice %s of %s", "INV-D1-2026-000003", "P-D1-000001 Ada Byron"),
		WonValue: `"R-D1-2026-000004"`, LostValue: `"R-D2-2026-000003"`, DetectedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
		Refunds: []app.RefundMade{{Receipt: "R-D1-2026-000004"}, {Receipt: "R-D2-2026-000003"}}}
	s := openBillingItems(t, h, beyond, moved, twice)
	h.settle()
	if f := os.Getenv("HMS_UI_SHOT"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(out, h.u.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	if lang != "" {
		return
	}
	rowOf := func(i int) *conflictRow {
		row := s.list.CreateItem()
		s.list.UpdateItem(i, row)
		return row.(*conflictRow)
	}
	for i, want := range []struct{ title, values, todo string }{
		{"refunded on two desks", "refunds R-D1-2026-000004, R-D2-2026-000003 were made on two desks that were apart", "pay what the invoice owes"},
		{"refunded twice", "refund R-D2-2026-000001 paid this payment back to the patient and R-D1-2026-000002 moved its excess to invoice INV-D1-2026-000007: the patient was paid back and credited",
			"take the credit on invoice INV-D1-2026-000007 back"},
		{"refunded twice", "both moved this payment's excess to another invoice (INV-D1-2026-000007, INV-D1-2026-000008): the patient was credited twice", "take one of the two credits back"},
	} {
		var r *conflictRow
		for j := range s.items {
			if c := rowOf(j); strings.Contains(c.values.Text, want.values) {
				r = c
			}
		}
		if r == nil {
			t.Errorf("case %d: no row says %q", i, want.values)
			continue
		}
		if !strings.Contains(r.title.Text, want.title) || !strings.Contains(r.meta.Text, "What to do: ") || !strings.Contains(r.meta.Text, want.todo) ||
			strings.Contains(r.values.Text, "paid back twice") || r.keep.Text != "Mark done" || !r.keep.Visible() || r.take.Visible() {
			t.Errorf("case %d: row %q / %q / %q / buttons %q %v %v", i, r.title.Text, r.values.Text, r.meta.Text, r.keep.Text, r.keep.Visible(), r.take.Visible())
		}
	}
}
