package pdf_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

func sampleReceipt() *app.Receipt {
	clinic, _, _ := sample()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	return &app.Receipt{Clinic: *clinic, TimeZone: "Europe/Athens", PrintedAt: at,
		Payment: app.Payment{ReceiptNumber: "R-D1-2026-000042", PatientName: "Zoë Παπαδοπούλου-Иванова", PatientMRN: "P-D1-000007",
			Method: app.PayCash, Amount: 5000, Tendered: 6000, Change: 1000, Currency: "EUR", CashierName: "reception", TakenAt: at},
		Invoices: []app.ReceiptInvoice{{Number: "INV-D1-2026-000017", Total: 7436, Paid: 5000, BalanceAfter: 2436}}}
}

func TestReceipt(t *testing.T) {
	orig, err := pdf.Receipt(sampleReceipt(), false)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := pdf.Receipt(sampleReceipt(), true)
	if err != nil {
		t.Fatal(err)
	}
	text, copyText := pdfText(t, orig), pdfText(t, cp)
	for _, want := range []string{"R-D1-2026-000042", "Zoë Παπαδοπούλου-Иванова", "50.00 EUR", "24.36 EUR", "10.00 EUR", "11:30"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "COPY", "")), " ") }
	if strings.Contains(text, "COPY") || !strings.Contains(copyText, "COPY") || norm(text) != norm(copyText) {
		t.Fatalf("copy:\n%s\n---\n%s", text, copyText)
	}
}

func BenchmarkReceipt(b *testing.B) {
	r := sampleReceipt()
	r.Clinic.Logo = nil
	for b.Loop() {
		if _, err := pdf.Receipt(r, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReceiptScripts: a receipt prints names in scripts beyond Latin,
// Greek and Cyrillic that DejaVu Sans has.
func TestReceiptScripts(t *testing.T) {
	r := sampleReceipt()
	r.Payment.PatientName = "ნინო Բեժանյան"
	r.Clinic.Address = "Rue de la Paix 3, 1202 Genève"
	b, err := pdf.Receipt(r, false)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{"ნინო Բեժանյան", "Genève", "R-D1-2026-000042"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
}

// TestReceiptConcurrent: receipts rendered at once share the prepared
// font cut and logo safely and come out as they do one at a time.
func TestReceiptConcurrent(t *testing.T) {
	want, err := pdf.Receipt(sampleReceipt(), false)
	if err != nil {
		t.Fatal(err)
	}
	got := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], _ = pdf.Receipt(sampleReceipt(), false) })
	}
	wg.Wait()
	for i, b := range got {
		if !bytes.Equal(b, want) {
			t.Errorf("receipt %d differs from the one rendered alone", i)
		}
	}
}

// discountedInvoice is an issued invoice whose two lines share a 10 %
// invoice discount: 100.00 at 24 % tax and 50.00 at 6 %, 15.00 off in all.
func discountedInvoice() *app.Invoice {
	lines := []app.LineAmounts{{Gross: 10000, Net: 10000}, {Gross: 5000, Net: 5000}}
	amounts, totals, err := app.ComputeInvoice(lines, []app.BasisPoints{2400, 600}, 1000, 0)
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	inv := &app.Invoice{ID: "i1", Number: "INV-D1-2026-000042", PatientName: "Zoë Παπαδοπούλου-Иванова",
		PatientMRN: "P-D1-000007", Status: app.InvoiceIssued, Currency: "EUR", DiscountRate: 1000, Totals: totals,
		Balance: totals.Total, IssuedAt: at, CreatedAt: at}
	for i, a := range amounts {
		inv.Lines = append(inv.Lines, &app.InvoiceLine{Position: i + 1, Description: []string{"Consultation", "Dressing"}[i],
			Kind: app.PriceOther, Quantity: 1, UnitPrice: a.Gross, TaxRate: []app.BasisPoints{2400, 600}[i], LineAmounts: a})
	}
	return inv
}

// TestInvoiceDiscountPDF: the invoice prints its invoice discount with its
// rate among the totals, and the totals it adds up to.
func TestInvoiceDiscountPDF(t *testing.T) {
	clinic, _, _ := sample()
	inv := discountedInvoice()
	// 90.00 + 21.60 tax, 45.00 + 2.70 tax: 159.30 in all.
	if inv.Totals.InvoiceDiscount != 1500 || inv.Totals.Total != 15930 {
		t.Fatalf("totals %+v", inv.Totals)
	}
	b, err := pdf.Invoice(clinic, inv, time.UTC, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{"INV-D1-2026-000042", "Zoë Παπαδοπούλου-Иванова", "Subtotal", "150.00",
		"Invoice discount 10%", "-15.00", "24.30", "159.30"} {
		if !strings.Contains(text, want) {
			t.Errorf("invoice lacks %q:\n%s", want, text)
		}
	}
	// Without an invoice discount there is no such line.
	inv.Totals.InvoiceDiscount, inv.DiscountRate = 0, 0
	if b, err = pdf.Invoice(clinic, inv, time.UTC, i18n.English); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, b); strings.Contains(text, "Invoice discount") {
		t.Errorf("an invoice without a discount prints one:\n%s", text)
	}
}

// TestReceiptInvoiceDiscount: a receipt shows the invoice discount in the
// total of the invoice it pays, and a receipt whose invoice has none reads
// as it did before invoices had discounts.
func TestReceiptInvoiceDiscount(t *testing.T) {
	r := sampleReceipt()
	r.Invoices[0].Discount, r.Invoices[0].DiscountRate = 826, 1000
	b, err := pdf.Receipt(r, false)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{"Invoice discount 10% in INV-D1-2026-000017", "-8.26 EUR", "74.36 EUR"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	if b, err = pdf.Receipt(sampleReceipt(), false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pdfText(t, b), "Invoice discount") {
		t.Error("a receipt without an invoice discount prints one")
	}
}

// TestInvoiceLongDescription: a line's description longer than its column
// wraps inside the row rather than being cut short, and the lines after it
// still print.
func TestInvoiceLongDescription(t *testing.T) {
	clinic, _, _ := sample()
	inv := discountedInvoice()
	long := "Ultrasound of the abdomen with Doppler study of the hepatic and renal vessels, report included"
	inv.Lines[0].Code = "US-ABD-02"
	inv.Lines[0].Description = long
	b, err := pdf.Invoice(clinic, inv, time.UTC, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	// The other columns' cells may come between the description's lines
	// in the extracted text; its words must all be there, in order.
	flat := strings.Join(strings.Fields(text), " ")
	rest := flat
	for _, w := range strings.Fields("US-ABD-02 " + long) {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the description is cut at %q:\n%s", w, text)
		}
		rest = rest[i+len(w):]
	}
	if strings.Contains(text, "…") {
		t.Errorf("the description is shortened:\n%s", text)
	}
	if !strings.Contains(flat, "Dressing") {
		t.Errorf("the next line is missing:\n%s", text)
	}
}

// TestReceiptAnyCharacter: a receipt prints whatever a name holds and
// never fails: the demo's names (Latin with its accents and extensions,
// Greek, Cyrillic) as they are, and a character the font cannot draw
// (emoji, CJK, a private-use or unassigned code point) as a visible
// replacement, U+FFFD.
func TestReceiptAnyCharacter(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Zoë Chloé Björn Søren Siobhán Ñuño Åsa", "Zoë Chloé Björn Søren Siobhán Ñuño Åsa"},               // Latin-1 Supplement
		{"Łukasz Małgorzata Dvořák Ayşe Yılmaz Đorđević", "Łukasz Małgorzata Dvořák Ayşe Yılmaz Đorđević"}, // Latin Extended-A
		{"Γιώργος Παπαδοπούλου", "Γιώργος Παπαδοπούλου"},                                                   // Greek
		{"Наталья Иванова", "Наталья Иванова"},                                                             // Cyrillic
		{"Gößmann Weiß", "Gößmann Weiß"},                                                                   // ß
		{"Ngozi 🌻 Okafor", "Ngozi \uFFFD Okafor"},                                                          // emoji, beyond the BMP
		{"👩‍⚕️ Ana", "\uFFFD"},                                                                             // an emoji sequence with a joiner
		{"王小明", "\uFFFD\uFFFD\uFFFD"},                                                                      // CJK: not in DejaVu Sans
		{"Ana \U000F0000 \uE000", "Ana \uFFFD \uFFFD"},                                                     // private use
	} {
		r := sampleReceipt()
		r.Payment.PatientName = tc.name
		b, err := pdf.Receipt(r, false)
		if err != nil {
			t.Fatalf("%q: %v", tc.name, err)
		}
		if text := pdfText(t, b); !strings.Contains(text, tc.want) {
			t.Errorf("%q: the receipt lacks %q:\n%s", tc.name, tc.want, text)
		}
	}
}
