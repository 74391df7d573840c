package data_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestInvoiceListNewestFirst: the invoice list says "newest first" and
// its Date column shows an invoice's issue date (a draft's start), so
// that is the order, whatever order the drafts were started in. Seen in
// the real window: a visit's draft started yesterday and issued today was
// listed below the invoices started and issued today before it. The
// patient's list and statement keep the same order, and the pages of the
// list follow it.
func TestInvoiceListNewestFirst(t *testing.T) {
	t.Parallel()
	b := mustBilling(t)
	ctx := b.billing()
	lines := []app.LineInput{{PriceItemID: b.consult.ID, Quantity: 1}}
	draft := func() *app.Invoice {
		t.Helper()
		d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: lines})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	issue := func(d *app.Invoice) *app.Invoice {
		t.Helper()
		inv, err := b.svc.Billing.IssueInvoice(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	yesterdays := draft() // the visit's draft, left for the next day
	b.clock.Add(20 * time.Hour)
	first := issue(draft())
	b.clock.Add(time.Hour)
	late := issue(yesterdays) // issued after first: newer on the list
	b.clock.Add(time.Hour)
	open := draft() // started after both were issued
	want := []string{open.ID, late.ID, first.ID}
	name := map[string]string{open.ID: "the draft started last", late.ID: "yesterday's draft issued last",
		first.ID: "the invoice issued first"}
	names := func(list []*app.Invoice) string {
		var out []string
		for _, inv := range list {
			if n, ok := name[inv.ID]; ok {
				out = append(out, n)
			}
		}
		return strings.Join(out, ", ")
	}
	wantNames := names([]*app.Invoice{open, late, first})
	for _, f := range []app.InvoiceFilter{{}, {PatientID: b.patientID}} {
		list, err := b.svc.Billing.FindInvoices(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(list); got != wantNames {
			t.Errorf("list %+v: %s; want %s", f, got, wantNames)
		}
		// A page at a time, from each page's last invoice.
		var paged []*app.Invoice
		f.Limit = 1
		for range want {
			page, err := b.svc.Billing.FindInvoices(ctx, f)
			if err != nil || len(page) != 1 {
				t.Fatalf("page after %q: %v, %v", f.Before, page, err)
			}
			paged = append(paged, page[0])
			f.Before = page[0].ID
		}
		if got := names(paged); got != wantNames {
			t.Errorf("pages of %+v: %s; want %s", f, got, wantNames)
		}
	}
	st, err := b.svc.Billing.PatientStatement(ctx, b.patientID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(st.Invoices), names([]*app.Invoice{late, first}); got != want {
		t.Errorf("statement: %s; want %s", got, want)
	}
}
