package pdf_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// printedAt is 23:30 UTC: already the next day in Athens, so a report that
// printed UTC would show the wrong date and time.
var printedAt = time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)

func athens(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// contains fails the test for each of want that text lacks.
func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func TestStatement(t *testing.T) {
	clinic, _, _ := sample()
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	st := &app.Statement{PatientID: "p1", PatientName: "Zoë Παπαδοπούλου-Иванова", PatientMRN: "P-D1-000007", Currency: "EUR",
		Invoices: []*app.Invoice{
			{Number: "INV-D1-2026-000017", Status: app.InvoicePartiallyPaid, IssuedAt: day, Totals: app.InvoiceTotals{Total: 7436},
				Paid: 5000, Balance: 2436},
			{Number: "INV-D1-2026-000009", Status: app.InvoiceVoid, IssuedAt: day.AddDate(0, 0, -3), Totals: app.InvoiceTotals{Total: 1200}},
		},
		Payments: []*app.Payment{
			{ReceiptNumber: "R-D1-2026-000042", Method: app.PayCash, Amount: 5000, TakenAt: day},
			{ReceiptNumber: "R-D1-2026-000040", Method: app.PayCard, Amount: 900, TakenAt: day, ReversedBy: "r41"},
			{ReceiptNumber: "R-D1-2026-000041", Method: app.PayCard, Amount: 900, TakenAt: day, ReversalOf: "r40", Reason: "charged twice"},
		},
		TotalInvoiced: 7436, TotalPaid: 5000, Balance: 2436}
	b, err := pdf.Statement(clinic, st, athens(t), printedAt, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	contains(t, "statement", text, "Statement", "Κλινική Riverside", "Zoë Παπαδοπούλου-Иванова", "P-D1-000007",
		"INV-D1-2026-000017", "74.36", "50.00", "24.36", "INV-D1-2026-000009", "Void",
		"R-D1-2026-000042", "R-D1-2026-000041", "-9.00", "charged twice", "refunded",
		"Total invoiced", "Total paid", "Balance due EUR", "Printed Thu 2026-11-26 01:30 EET", "page 1 of 1")
}

func TestOutstandingPages(t *testing.T) {
	clinic, _, _ := sample()
	r := &pdf.OutstandingReport{Currency: "EUR", PrintedAt: printedAt, ByAge: []app.Money{1000, 0, 0, 119000}}
	for i := range 120 {
		r.Invoices = append(r.Invoices, &app.OutstandingInvoice{AgeDays: 120 - i, Invoice: &app.Invoice{
			Number: fmt.Sprintf("INV-D1-2026-%06d", i+1), PatientName: "Ελένη Παπαδοπούλου", PatientMRN: "P-D1-000123",
			IssuedAt: printedAt.AddDate(0, 0, i-120), Totals: app.InvoiceTotals{Total: 1000}, Balance: 1000}})
	}
	r.Count, r.Invoiced, r.Balance = 250, 250000, 120000
	r.Paid = r.Invoiced - r.Balance
	b, err := pdf.Outstanding(clinic, r, athens(t), i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	contains(t, "outstanding report", text, "Outstanding invoices", "INV-D1-2026-000001", "INV-D1-2026-000120",
		"Ελένη Παπαδοπούλου", "The 120 oldest of 250 outstanding invoices are listed", "Due 0–30 days", "1,190.00",
		"Total outstanding EUR", "1,200.00", "2,500.00", "Printed Thu 2026-11-26 01:30 EET")
	// 120 rows run onto several pages; each page is numbered of the total,
	// and each that lists invoices repeats the column titles.
	pages := strings.Split(text, "\f")
	pages = pages[:len(pages)-1] // pdftotext ends every page with a form feed
	if len(pages) < 3 {
		t.Fatalf("%d pages for 120 invoices", len(pages))
	}
	for i, p := range pages {
		what := fmt.Sprintf("page %d", i+1)
		contains(t, what, p, fmt.Sprintf("page %d of %d", i+1, len(pages)))
		if strings.Contains(p, "INV-D1-2026-") {
			contains(t, what, p, "Invoice", "Issued", "Days", "Patient", "Record no.", "Total", "Paid", "Balance")
		}
	}
	if !strings.Contains(pages[len(pages)-1], "Total outstanding EUR") {
		t.Errorf("the totals are not on the last page")
	}

	if _, err := pdf.Outstanding(clinic, &pdf.OutstandingReport{Currency: "EUR"}, nil, i18n.English); err == nil {
		t.Error("a report without its age bands printed")
	}
}

func TestCashUp(t *testing.T) {
	clinic, _, _ := sample()
	at := time.Date(2026, 11, 25, 7, 5, 0, 0, time.UTC)
	cu := &app.CashUp{CashierName: "Αλέξανδρος Jõgi", Day: "2026-11-25", Currency: "EUR",
		Taken: 12500, Refunded: 2000, Net: 10500, CashInHand: 3000,
		Receipts: []*app.Payment{
			{ReceiptNumber: "R-D1-2026-000101", PatientName: "Zoë Müller", Method: app.PayCash, Amount: 5000, TakenAt: at},
			{ReceiptNumber: "R-D1-2026-000102", PatientName: "Іван Петренко", Method: app.PayCard, Amount: 7500, TakenAt: at.Add(time.Hour)},
			{ReceiptNumber: "R-D1-2026-000103", PatientName: "Zoë Müller", Method: app.PayCash, Amount: 2000, TakenAt: at.Add(2 * time.Hour),
				ReversalOf: "x", Reason: "overcharged"},
		}}
	for _, m := range app.PaymentMethods {
		mt := app.MethodTotal{Method: m}
		switch m {
		case app.PayCash:
			mt.Count, mt.Taken, mt.Refunded = 2, 5000, 2000
		case app.PayCard:
			mt.Count, mt.Taken = 1, 7500
		}
		cu.Methods = append(cu.Methods, mt)
	}
	b, err := pdf.CashUp(clinic, cu, athens(t), printedAt, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	contains(t, "cash-up", text, "Cash-up", "Day 2026-11-25", "Cashier Αλέξανδρος Jõgi", "Printed Thu 2026-11-26 01:30 EET",
		"R-D1-2026-000101", "Zoë Müller", "Іван Петренко", "09:05", "11:05", "-20.00",
		"Bank transfer", "All methods", "125.00", "105.00", "Cash in hand EUR", "30.00")
	if !regexp.MustCompile(`Cash\s+2\s+50\.00\s+20\.00\s+30\.00`).MatchString(text) {
		t.Errorf("cash row wrong:\n%s", text)
	}
}
