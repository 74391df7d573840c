package sync_test

import (
	"testing"

	"hms/app"
	"hms/data/sync/hlc"
)

// TestForgedIssuedLines: one desk's login (plain SQL, as that desk)
// rewrites the lines an issued invoice was issued with (invoices
// .issued_lines, desk migration 0165), to make every desk take the
// invoice's lines off it and the desk that added them move them to a new
// draft of the patient (data.DB.MoveLateLines), to be billed again. The
// issued invoice keeps its lines and total on both desks, and no new
// draft appears.
func TestForgedIssuedLines(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Billed Once")
	inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID,
		Lines: []app.LineInput{{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500},
			{Description: "Dressing", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500}}})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := first.svc.Billing.IssueInvoice(system, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	f := newForger(t, u, second)
	for _, forged := range []string{`[]`, `["` + issued.Lines[0].ID + `"]`} {
		t.Logf("issued_lines = %s: %s", forged, f.push("invoices", inv.ID, hlc.KindUpdate, map[string]any{"issued_lines": forged}))
		syncAll(t, first.db, second)
		syncAll(t, first.db, second)
		for i, svc := range []app.Services{first.svc, services(second)} {
			got, err := svc.Billing.FindInvoice(system, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Lines) != 2 || got.Totals.Total != issued.Totals.Total {
				t.Errorf("issued_lines %s, desk %d: the issued invoice has %d lines for %d, issued with 2 for %d", forged, i,
					len(got.Lines), got.Totals.Total, issued.Totals.Total)
			}
			list, err := svc.Billing.FindInvoices(system, app.InvoiceFilter{PatientID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Errorf("issued_lines %s, desk %d: the patient has %d invoices, want the one issued", forged, i, len(list))
			}
		}
	}
}
