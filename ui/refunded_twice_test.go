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
	h.conflicts = []*app.Conflict{{ID: "refunded-twice/pay1", Entity: "payments", RowID: "pay1",
		Rule:     "billing: a payment was refunded on two desks that were apart; the patient was paid back twice",
		RuleText: i18n.Nf("billing: a payment was refunded on two desks that were apart; the patient was paid back twice"),
		What:     i18n.Nf("Payment %s of %s (%s)", "R-D1-2026-000001", "P-D1-000001 Ada Byron", "40.00 EUR"),
		WonValue: `"R-D1-2026-000002"`, LostValue: `"R-D2-2026-000001"`, DetectedAt: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)}}
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
	h.waitFor("the double refund", func() bool { return len(s.items) == 1 })
	return s
}
