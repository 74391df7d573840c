package pdf_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// TestEveryPDFStringIsTranslated: app/pdf and app/escpos print no text
// but through the translation layer, and no file of theirs is left
// untranslated (//i18n:todo).
func TestEveryPDFStringIsTranslated(t *testing.T) {
	for _, dir := range []string{".", "../escpos"} {
		found, todo, err := i18n.Untranslated(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			t.Errorf("%s/%s:%d: %q is printed untranslated: pass it through the document's *i18n.Tr (or end the line with //i18n:ok and say why it is not text for people)", dir, f.File, f.Line, f.Text)
		}
		if len(todo) > 0 {
			t.Errorf("%s: %d file(s) marked //i18n:todo, not translated: %s", dir, len(todo), strings.Join(todo, ", "))
		}
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

// aDocument is one printed document of the per-language test: how it
// renders in a language, and the files whose text it prints.
type aDocument struct {
	name  string
	files []string // under app/pdf; doc.go, the header and footer, is in every one
	words map[i18n.Lang][]string
	print func(t *testing.T, l i18n.Lang) []byte
}

// documents are every document of app/pdf but the receipt
// (TestReceiptInEveryLanguage), in variants that print all their words:
// a voided and a discounted invoice, a cancelled prescription, both
// kinds of letter, every label stock, the billing reports and the
// dashboard's.
func documents() []aDocument {
	clinic, p, rx := sample()
	loc, _ := time.LoadLocation("Europe/Athens")
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	issued := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	doctor := &app.Prescriber{Name: "Dr. Анна Иванова", RegistrationNumber: "ΙΣΑ-45821"}
	payments := []*app.Payment{
		{ReceiptNumber: "R-D1-2026-000042", PatientName: "Zoë Müller", CashierName: "Ana", Method: app.PayCash, Amount: 5000, TakenAt: day},
		{ReceiptNumber: "R-D1-2026-000040", PatientName: "Zoë Müller", CashierName: "Ana", Method: app.PayBankTransfer, Amount: 900, TakenAt: day, ReversedBy: "r41"},
		{ReceiptNumber: "R-D1-2026-000041", PatientName: "Zoë Müller", CashierName: "Ana", Method: app.PayBankTransfer, Amount: 900, TakenAt: day, ReversalOf: "r40", Reason: "charged twice"},
	}
	var methods []app.MethodTotal
	for _, m := range app.PaymentMethods {
		methods = append(methods, app.MethodTotal{Method: m, Count: 1, Taken: 1000})
	}
	return []aDocument{
		{name: "invoice", files: []string{"billing.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Τιμολόγιο", "Μερικό σύνολο", "Έκπτωση τιμολογίου 10%", "Οφειλόμενο υπόλοιπο", "Ακυρώθηκε με το πιστωτικό CN-D1-2026-000003"},
				i18n.Spanish: {"Factura", "P. unitario", "Saldo pendiente", "Anulada con la nota de crédito CN-D1-2026-000003"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				inv := discountedInvoice()
				inv.Status, inv.CreditNoteNumber, inv.VoidReason, inv.VoidedAt = app.InvoiceVoid, "CN-D1-2026-000003", "Wrong patient", issued
				return must(t)(pdf.Invoice(clinic, inv, loc, l))
			}},
		{name: "draft invoice", files: []string{"billing.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"ΠΡΟΣΧΕΔΙΟ ·"}, i18n.Spanish: {"BORRADOR ·"}}, // the footer's reference
			print: func(t *testing.T, l i18n.Lang) []byte {
				inv := discountedInvoice()
				inv.Status, inv.Number = app.InvoiceDraft, ""
				return must(t)(pdf.Invoice(clinic, inv, loc, l))
			}},
		{name: "statement", files: []string{"billing_reports.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Κατάσταση λογαριασμού", "Πληρωμές", "Μερικώς πληρωμένο", "επιστράφηκε"},
				i18n.Spanish: {"Extracto", "Pagos", "Pagada en parte", "devuelto"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				st := &app.Statement{PatientID: "p1", PatientName: "Zoë Παπαδοπούλου", PatientMRN: "P-D1-000007", Currency: "EUR",
					Invoices: []*app.Invoice{
						{Number: "INV-D1-2026-000017", Status: app.InvoicePartiallyPaid, IssuedAt: day, Totals: app.InvoiceTotals{Total: 7436}, Paid: 5000, Balance: 2436},
						{Number: "INV-D1-2026-000009", Status: app.InvoiceVoid, IssuedAt: day, Totals: app.InvoiceTotals{Total: 1200}},
					},
					Payments: payments, TotalInvoiced: 7436, TotalPaid: 5000, Balance: 2436}
				return must(t)(pdf.Statement(clinic, st, loc, printedAt, l))
			}},
		{name: "prescription", files: []string{"prescription.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Συνταγή", "Φάρμακο", "Οδηγίες:", "ΑΚΥΡΩΘΗΚΕ", "Υπογραφή", "Αλλεργίες: Penicillin (σοβαρή"},
				i18n.Spanish: {"Receta", "Instrucciones:", "ANULADA el", "Firma del médico", "Alergias: Penicillin (grave"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				c := *rx
				c.Status, c.StatusReason, c.StatusChangedAt = app.PrescriptionCancelled, "Wrong dose", issued
				c.AllergyWarning = "Penicillin allergy, prescribed anyway"
				allergies := app.AllergySummaryIn(i18n.For(l), app.AllergiesRecorded,
					[]*app.Allergy{{Substance: "Penicillin", Severity: app.SeveritySevere, Reaction: "anaphylaxis"}}, nil, loc)
				return must(t)(pdf.Prescription(clinic, p, &c, allergies, loc, l))
			}},
		{name: "completed prescription", files: []string{"prescription.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Ολοκληρώθηκε την"}, i18n.Spanish: {"Completada el"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				c := *rx
				c.Status, c.StatusChangedAt = app.PrescriptionCompleted, issued
				return must(t)(pdf.Prescription(clinic, p, &c, "", loc, l))
			}},
		{name: "medical certificate", files: []string{"letter.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Ιατρική βεβαίωση", "Βεβαιώνω ότι εξέτασα", "Πέμπτη 26 Νοεμβρίου 2026", "(3 ημέρες)", "ΑΝΤΙΓΡΑΦΟ"},
				i18n.Spanish: {"Certificado médico", "Certifico que he examinado", "jueves, 26 de noviembre de 2026", "(3 días)", "COPIA"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				r := app.LetterRequest{Kind: app.LetterSickNote, From: "2026-11-26", To: "2026-11-28", Text: "Acute bronchitis."}
				lt, err := pdf.NewLetter(clinic, p, r, doctor, issued, loc, l)
				if err != nil {
					t.Fatal(err)
				}
				return must(t)(pdf.RenderLetter(lt, clinic.Logo, true, l))
			}},
		{name: "referral letter", files: []string{"letter.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Παραπεμπτικό", "Αγαπητέ συνάδελφε", "Προς: Cardiology"},
				i18n.Spanish: {"Carta de derivación", "Estimado/a colega", "Para: Cardiology"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				r := app.LetterRequest{Kind: app.LetterReferral, Recipient: "Cardiology outpatients", Text: "Palpitations."}
				q := *p
				q.BirthDate = ""
				return must(t)(pdf.Letter(clinic, &q, r, doctor, issued, loc, l))
			}},
		{name: "outstanding invoices", files: []string{"billing_reports.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Ανεξόφλητα τιμολόγια", "Οφειλή 0–30 ημέρες", "πάνω από 90 ημέρες"},
				i18n.Spanish: {"Facturas pendientes", "Vencido 0–30 días", "más de 90 días"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				r := &pdf.OutstandingReport{Currency: "EUR", PrintedAt: printedAt, ByAge: []app.Money{1000, 0, 0, 119000}, Count: 3}
				for i := range 2 {
					r.Invoices = append(r.Invoices, &app.OutstandingInvoice{AgeDays: 100 + i, Invoice: &app.Invoice{
						Number: fmt.Sprintf("INV-D1-2026-%06d", i+1), PatientName: "Ελένη Παπαδοπούλου", PatientMRN: "P-D1-000123",
						IssuedAt: day, Totals: app.InvoiceTotals{Total: 123456}, Balance: 123456}})
				}
				return must(t)(pdf.Outstanding(clinic, r, loc, l))
			}},
		{name: "cash-up", files: []string{"billing_reports.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Κλείσιμο ταμείου", "Ανά τρόπο πληρωμής", "Τραπεζική μεταφορά", "Μετρητά στο ταμείο"},
				i18n.Spanish: {"Arqueo de caja", "Por método de pago", "Transferencia", "Efectivo en caja"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				cu := &app.CashUp{CashierName: "Αλέξανδρος Jõgi", Day: "2026-11-25", Currency: "EUR", Taken: 12500, Refunded: 2000,
					Net: 10500, CashInHand: 3000, Receipts: payments, Methods: methods}
				return must(t)(pdf.CashUp(clinic, cu, loc, printedAt, l))
			}},
		{name: "desk cash-up", files: []string{"billing_reports.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Διαφορά EUR", "(έλλειμμα)", "Πληρωμές της ημέρας", "Ξανάνοιξε"},
				i18n.Spanish: {"Diferencia EUR", "(faltante)", "Pagos del día", "Reabierto"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				cu := &app.DeskCashUp{Number: "CU-D1-2026-000004", Desk: "D1", Day: "2026-11-25", Currency: "EUR", Status: app.CashUpClosed,
					OpeningFloat: 10000, Counts: []app.CashCount{{Denomination: 5000, Count: 2}}, Counted: 10000, Note: "Short by a coin.",
					Methods: methods, CashNet: 500, ExpectedCash: 10500, Variance: -500, Payments: payments, CarriedIn: payments[:1],
					Late: payments[1:2], ClosedAt: issued, ClosedByName: "Ana", ReopenedAt: issued, ReopenedByName: "Ana",
					ReopenReason: "A late card payment"}
				return must(t)(pdf.DeskCashUp(clinic, cu, loc, printedAt, l))
			}},
		{name: "open desk cash-up", files: []string{"billing_reports.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Όλοι οι σταθμοί", "Ανοιχτό"}, i18n.Spanish: {"Todos los puestos", "Abierto"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				cu := &app.DeskCashUp{Desk: "*", Day: "2026-11-25", Currency: "EUR", Status: app.CashUpOpen, Variance: 300, Methods: methods}
				return must(t)(pdf.DeskCashUp(clinic, cu, loc, printedAt, l))
			}},
		{name: "dashboard report", files: []string{"dashboard.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Δημιουργήθηκε", "γραμμές"}, i18n.Spanish: {"Generado", "filas"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				return must(t)(pdf.Report(clinic, sampleTable(12), nil, printedAt, loc, l))
			}},
		{name: "empty dashboard report", files: []string{"dashboard.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Τίποτα σε αυτή την περίοδο."}, i18n.Spanish: {"Nada en este periodo."}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				return must(t)(pdf.Report(clinic, sampleTable(0), nil, printedAt, loc, l))
			}},
		{name: "label", files: []string{"label.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Γενν. 1987-04-12"}, i18n.Spanish: {"Nac. 1987-04-12"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				return must(t)(pdf.Label(p, app.LayoutLabel3825, issued, l))
			}},
		{name: "appointment slip", files: []string{"slip.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Ραντεβού", "Δευτέρα 7 Δεκεμβρίου 2026", "Για αλλαγή ή ακύρωση"},
				i18n.Spanish: {"Cita", "lunes, 7 de diciembre de 2026", "Para cambiarla o anularla"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				a := &app.Appointment{PatientName: "Ελένη Παπαδοπούλου", PatientMRN: "P-D1-000123", DoctorName: "Dr. Анна Иванова",
					Room: "4", Reason: "Follow-up", Start: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 8, 45, 0, 0, time.UTC)}
				return must(t)(pdf.AppointmentSlip(clinic, a, loc, pdf.Roll58mm, l))
			}},
		{name: "token slip", files: []string{"slip.go"},
			words: map[i18n.Lang][]string{i18n.Greek: {"Ο αριθμός σας", "Δευ 2026-12-07 10:31"}, i18n.Spanish: {"Su número", "lun 2026-12-07 10:31"}},
			print: func(t *testing.T, l i18n.Lang) []byte {
				a := &app.Appointment{DoctorName: "Dr. Анна Иванова", Token: "B-012", CheckedInAt: time.Date(2026, 12, 7, 8, 31, 0, 0, time.UTC)}
				return must(t)(pdf.TokenSlip(clinic, a, loc, pdf.Roll58mm, l))
			}},
	}
}

// must returns a document or fails the test with its error.
func must(t *testing.T) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// englishLeft returns the English words of keys (the text between their
// format verbs, of two letters or more) that text still holds although the
// language translates them.
func englishLeft(tr *i18n.Tr, keys []string, text string) []string {
	var left []string
	for _, k := range keys {
		v := tr.T(k)
		if v == k {
			continue // the same in both languages ("Total" in Spanish)
		}
		for _, part := range regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]|\{[a-z_]+\}`).Split(k, -1) {
			part = strings.Trim(part, " .,:;()·–-")
			letters := 0
			for _, r := range part {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters < 3 || strings.Contains(v, part) {
				continue
			}
			if regexp.MustCompile(`(^|[^\pL])` + regexp.QuoteMeta(part) + `($|[^\pL])`).MatchString(text) {
				left = append(left, part)
			}
		}
	}
	return left
}

// TestDocumentsInEveryLanguage: every document but the receipt prints in
// Greek and Spanish with every text its files pass through the
// translation layer in the catalogue, no text wider than its cell, its
// words in the language in its text layer, and no English word of its
// own left.
func TestDocumentsInEveryLanguage(t *testing.T) {
	keys, err := i18n.ScanKeys("..")
	if err != nil {
		t.Fatal(err)
	}
	keysOf := func(files []string) []string {
		var out []string
		for k, places := range keys {
			for _, p := range places {
				file := strings.SplitN(strings.TrimPrefix(p, "pdf/"), ":", 2)[0]
				if strings.HasPrefix(p, "pdf/") && (file == "doc.go" || slices.Contains(files, file)) {
					out = append(out, k)
					break
				}
			}
		}
		return out
	}
	for _, doc := range documents() {
		ks := keysOf(doc.files)
		if len(ks) < 3 {
			t.Fatalf("%s: %d texts through the translation layer: %q", doc.name, len(ks), ks)
		}
		for _, lang := range []i18n.Lang{i18n.Greek, i18n.Spanish} {
			tr := i18n.For(lang)
			for _, k := range ks {
				if !tr.Has(k) {
					t.Errorf("%s, %s: no translation of %q", doc.name, lang, k)
				}
			}
			var cut []string
			restore := pdf.SetCellHook(func(w float64, s string, textW float64) {
				if textW > w {
					cut = append(cut, s)
				}
			})
			b := doc.print(t, lang)
			restore()
			if len(cut) > 0 {
				t.Errorf("%s, %s: text wider than its cell: %q", doc.name, lang, cut)
			}
			text := strings.Join(strings.Fields(pdfText(t, b)), " ")
			for _, w := range doc.words[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("%s, %s: the text lacks %q:\n%s", doc.name, lang, w, text)
				}
			}
			if left := englishLeft(tr, ks, text); len(left) > 0 {
				t.Errorf("%s, %s: English left in the text: %q\n%s", doc.name, lang, left, text)
			}
		}
	}
}
