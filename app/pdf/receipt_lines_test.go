package pdf_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/escpos"
	"hms/app/pdf"
)

// TestReceiptLinesEverywhere: the A4, 80 mm and 58 mm PDF receipts and the
// ESC/POS receipt each print every text of the receipt's lines (word by
// word, as a narrow roll wraps them), for a payment and for a refund with
// a discount and a reference.
func TestReceiptLinesEverywhere(t *testing.T) {
	payment := sampleReceipt()
	payment.Clinic.Logo = nil
	payment.Payment.Reference = "Terminal 4 slip 0099"
	payment.Invoices[0].Discount, payment.Invoices[0].DiscountRate = 826, 1000
	refund := sampleReceipt()
	refund.Clinic.Logo = nil
	refund.Payment.ReversalOf, refund.ReversalOf, refund.Payment.Reason = "p0", "R-D1-2026-000041", "charged twice"
	refund.Payment.Method = app.PayCard
	for _, r := range []*app.Receipt{payment, refund} {
		for _, copy := range []bool{false, true} {
			l := r.Lines(copy)
			docs := map[string]string{}
			a4, err := pdf.Receipt(r, copy)
			if err != nil {
				t.Fatal(err)
			}
			docs["A4"] = pdfText(t, a4)
			for name, width := range map[string]float64{"80 mm": pdf.Roll80mm, "58 mm": pdf.Roll58mm} {
				b, err := pdf.ReceiptRoll(r, copy, width)
				if err != nil {
					t.Fatal(err)
				}
				docs[name] = pdfText(t, b)
			}
			// ESC/POS prints ASCII: the same receipt with its names in
			// Latin letters.
			ascii := *r
			ascii.Clinic.ClinicName, ascii.Clinic.Address = "Riverside Clinic", "12 Riverside Walk, 10557 Athens"
			ascii.Payment.PatientName = "Zoe Papadopoulou-Ivanova"
			raw, err := escpos.Receipt(&ascii, copy, escpos.Columns58mm)
			if err != nil {
				t.Fatal(err)
			}
			docs["ESC/POS"] = string(raw)
			asciiLines := ascii.Lines(copy)
			for name, text := range docs {
				texts := l.Texts()
				if name == "ESC/POS" {
					texts = asciiLines.Texts()
				}
				words := map[string]bool{}
				// Words, apart from one another and from ESC/POS commands.
				for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
					words[w] = true
				}
				for _, s := range texts {
					for _, w := range strings.Fields(s) {
						if !words[w] {
							t.Errorf("%s receipt (%s, copy %v) lacks %q of %q", name, l.Title, copy, w, s)
						}
					}
				}
				if strings.Contains(text, "COPY") != copy {
					t.Errorf("%s receipt: COPY is %v on copy %v", name, !copy, copy)
				}
			}
		}
	}
}

// TestReceiptRollScripts: a roll receipt prints names in scripts beyond
// Latin, Greek and Cyrillic, and they copy out as typed.
func TestReceiptRollScripts(t *testing.T) {
	r := sampleReceipt()
	r.Payment.PatientName = "ნინო Բեժանյան"
	r.Clinic.Address = "Rue de la Paix 3, 1202 Genève"
	b, err := pdf.ReceiptRoll(r, false, pdf.Roll58mm)
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
