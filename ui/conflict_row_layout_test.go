package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"hms/app"
	"hms/app/i18n"
	"hms/app/mock"
)

// TestConflictRowLaysOutWhatItShows: a row of the conflicts list is
// reused for another conflict, and the buttons it shows change (a payment
// refunded twice has one, "Mark done"; the template has two). Its text
// must be laid out at the width those buttons leave, the width its height
// was measured at (wrappedList measures on a spare row laid out afresh):
// laid out as it was, at the width the template's two buttons left, a
// wrapped line more than measured ran over the next label (seen in Greek
// on Billing → Billing conflicts).
func TestConflictRowLaysOutWhatItShows(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
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

	size := fyne.NewSize(900, 200)
	reused := s.list.CreateItem() // laid out as the template first, both buttons showing
	reused.Resize(size)
	s.list.UpdateItem(0, reused)
	fresh := s.list.CreateItem() // as wrappedList measures it
	s.list.UpdateItem(0, fresh)
	fresh.Resize(size)
	got, want := reused.(*conflictRow).values.Size().Width, fresh.(*conflictRow).values.Size().Width
	if got != want {
		t.Errorf("the reused row's text is %v wide, the measured one's %v: the row keeps the template's layout", got, want)
	}
}
