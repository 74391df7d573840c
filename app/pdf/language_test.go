package pdf_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// TestEveryPDFStringIsTranslated: app/pdf shows no text but through the
// translation layer; a file marked //i18n:todo is not translated yet.
func TestEveryPDFStringIsTranslated(t *testing.T) {
	found, todo, err := i18n.Untranslated(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s:%d: %q is printed untranslated: pass it through the document's *i18n.Tr (or end the line with //i18n:ok and say why it is not text for people)", f.File, f.Line, f.Text)
	}
	if len(todo) > 0 {
		t.Logf("%d file(s) not translated yet: %s", len(todo), strings.Join(todo, ", "))
	}
}

// TestReceiptInEveryLanguage: a receipt (a payment and a refund, with an
// invoice discount) prints in each language with every text it uses in
// the catalogue and no text wider than its cell; the Greek one's text
// layer reads Greek.
func TestReceiptInEveryLanguage(t *testing.T) {
	keys, err := i18n.ScanKeys("..")
	if err != nil {
		t.Fatal(err)
	}
	var receiptKeys []string
	for k, places := range keys {
		for _, p := range places {
			if strings.Contains(p, "receipt_lines.go") {
				receiptKeys = append(receiptKeys, k)
				break
			}
		}
	}
	if len(receiptKeys) < 20 {
		t.Fatalf("the receipt passes %d texts through the translation layer, want them all: %v", len(receiptKeys), receiptKeys)
	}
	receipts := func() []*app.Receipt {
		pay := sampleReceipt()
		pay.Invoices[0].Discount, pay.Invoices[0].DiscountRate = 826, 1000
		pay.Clinic.TaxID = "EL123456789"
		pay.Payment.Reference = "POS 4471"
		refund := sampleReceipt()
		refund.Payment.ReversalOf, refund.ReversalOf = "pay-1", "R-D1-2026-000041"
		refund.Payment.Reason = "Charged twice"
		refund.Payment.Method = app.PayBankTransfer
		return []*app.Receipt{pay, refund}
	}
	for _, lang := range i18n.Languages() {
		tr := i18n.For(lang)
		if lang != i18n.English {
			for _, k := range receiptKeys {
				if !tr.Has(k) {
					t.Errorf("%s: no translation of %q", lang, k)
				}
			}
		}
		for i, r := range receipts() {
			r.Language = string(lang)
			var cut []string
			restore := pdf.SetCellHook(func(w float64, s string, textW float64) {
				if textW > w {
					cut = append(cut, s)
				}
			})
			b, err := pdf.Receipt(r, i == 1)
			restore()
			if err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			if len(cut) > 0 {
				t.Errorf("%s receipt %d: text wider than its cell: %q", lang, i, cut)
			}
			if lang == i18n.Greek && i == 0 {
				text := strings.Join(strings.Fields(pdfText(t, b)), " ")
				for _, w := range []string{"Απόδειξη", "Ποσό πληρωμής", "Μετρητά", "Ημερομηνία Τετ 2026-11-25 11:30", "Σας ευχαριστούμε"} {
					if !strings.Contains(text, w) {
						t.Errorf("the Greek receipt's text lacks %q:\n%s", w, text)
					}
				}
			}
		}
	}
	// A receipt keeps the language it was first printed in: its copy
	// says the same words.
	r := sampleReceipt()
	r.Language = "es"
	if l := r.Lines(true); l.Title != "Recibo" || l.CopyWord != "COPIA" || !strings.Contains(l.Amounts[0].Value, "50,00 EUR") {
		t.Errorf("a Spanish copy: %q %q %q", l.Title, l.CopyWord, l.Amounts[0].Value)
	}
}
