package app_test

import (
	"slices"
	"testing"
	"time"

	"hms/app"
)

// TestReceiptLines: a receipt's lines carry its fields formatted once: the
// date in the clinic's zone, money in the payment's currency, the labels of
// a payment or of a refund, the cash lines only for cash, the discount
// named with its rate and invoice.
func TestReceiptLines(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	r := &app.Receipt{Clinic: app.Settings{ClinicName: "Riverside", Address: "1 Main St", TaxID: "EL1"}, TimeZone: "Europe/Athens",
		Payment: app.Payment{ReceiptNumber: "R-1", PatientName: "Ana Müller", PatientMRN: "P-7", Method: app.PayCash,
			Amount: 5000, Tendered: 6000, Change: 1000, Currency: "EUR", CashierName: "Bea Cash", TakenAt: at},
		Invoices: []app.ReceiptInvoice{{Number: "INV-1", Total: 7436, Paid: 5000, BalanceAfter: 2436, Discount: 826, DiscountRate: 1000}}}
	l := r.Lines(true)
	if !l.Copy || l.Title != "Receipt" || l.Number != "R-1" || l.Date != "Date Wed 2026-11-25 11:30" ||
		l.Patient != "Ana Müller" || l.Record != "Record no. P-7" || l.PaidLabel != "Paid now" ||
		!slices.Equal(l.ClinicDetails, []string{"1 Main St", "Tax id EL1"}) {
		t.Errorf("lines %+v", l)
	}
	inv := l.Invoices[0]
	if inv.Total != "74.36 EUR" || inv.Paid != "50.00 EUR" || inv.Balance != "24.36 EUR" || inv.Discount == nil ||
		inv.Discount.Label != "Invoice discount 10%" || inv.Discount.Value != "-8.26 EUR" ||
		inv.DiscountLabelForInvoice != "Invoice discount 10% in INV-1" {
		t.Errorf("invoice %+v %+v", inv, inv.Discount)
	}
	want := []app.ReceiptPair{{Label: "Amount paid", Value: "50.00 EUR", Emphasis: true}, {Label: "Method", Value: "Cash"},
		{Label: "Cash tendered", Value: "60.00 EUR"}, {Label: "Change", Value: "10.00 EUR"}}
	if !slices.Equal(l.Amounts, want) || !slices.Equal(l.Notes, []string{"Received by Bea Cash. Thank you."}) {
		t.Errorf("amounts %+v notes %q", l.Amounts, l.Notes)
	}

	// A refund by card with a reference.
	r.Payment.ReversalOf, r.ReversalOf, r.Payment.Reason = "p0", "R-0", "double charge"
	r.Payment.Method, r.Payment.Reference = app.PayBankTransfer, "TX 9"
	r.Invoices[0].Discount = 0
	l = r.Lines(false)
	want = []app.ReceiptPair{{Label: "Amount refunded", Value: "50.00 EUR", Emphasis: true}, {Label: "Method", Value: "Bank transfer"},
		{Label: "Reference", Value: "TX 9"}}
	if l.Copy || l.Title != "Refund receipt" || l.PaidLabel != "Refunded" || l.Invoices[0].Discount != nil ||
		!slices.Equal(l.Amounts, want) || l.Notes[0] != "Refund of payment R-0. Reason: double charge" {
		t.Errorf("refund lines %+v", l)
	}
	if !slices.Contains(l.Texts(), "Refund of payment R-0. Reason: double charge") || !slices.Contains(l.Texts(), "TX 9") {
		t.Errorf("texts %q", l.Texts())
	}
}
