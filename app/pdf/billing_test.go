package pdf_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
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
