package pdf

import (
	"fmt"
	"strings"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// Receipt renders a payment's (or a refund's) receipt: the clinic's header,
// the receipt number and date, the patient, the invoices it pays with each
// one's balance after it and the invoice discount in its total, the
// amount, method, cash tendered and change, reference and cashier. With copy, a boxed red "COPY" heads the page;
// nothing else differs, so a reprint shows what the original showed.
func Receipt(r *app.Receipt, copy bool) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("pdf: receipt: no receipt")
	}
	l := r.Lines(copy)
	d := newReceiptDoc(translator(r.Language), l.Title+" "+l.Number, r.PrintedAt, regularFontFor(l.Texts()...))
	d.SetSubject(l.Patient, true)
	d.SetAuthor(l.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(l.Number) })
	d.AddPage()
	d.headerLines(r.Clinic.Logo, l.ClinicName, l.ClinicDetails, l.Title, []string{l.Number, l.Date},
		headerFace{bold: false, size: 15, grey: 0})
	if l.Copy {
		// A boxed, red word rather than a watermark: it is plain to see and
		// is the only text a copy has that the original has not.
		d.font(false, 16, colorText)
		d.SetTextColor(190, 0, 0)
		d.SetDrawColor(190, 0, 0)
		d.cell(contentW, 9, l.CopyWord, "1", 1, alignC, false)
		d.SetDrawColor(0, 0, 0)
		d.Ln(2)
	}

	d.font(false, 11, colorText)
	d.text(contentW, l.Patient)
	d.font(false, 9, colorText)
	d.text(contentW, l.Record)
	d.Ln(4)

	cols := []struct {
		title string
		w     float64
		align string
	}{{l.InvoiceLabel, 60, alignL}, {l.TotalLabel, 40, alignR}, {l.PaidLabel, 40, alignR}, {l.BalanceLabel, contentW - 140, alignR}}
	d.font(false, 8.5, colorText)
	d.SetFillColor(235, 238, 240)
	for _, c := range cols {
		d.cell(c.w, 6, c.title, borderB, 0, c.align, true)
	}
	d.Ln(-1)
	d.font(false, 9, colorText)
	for _, inv := range l.Invoices {
		vals := []string{inv.Number, inv.Total, inv.Paid, inv.Balance}
		for i, c := range cols {
			d.cell(c.w, 6, vals[i], "", 0, c.align, false)
		}
		d.Ln(-1)
	}
	d.Ln(3)

	row := func(label, value string, emphasis bool) {
		size, grey := 10.0, colorText
		if emphasis {
			size, grey = 12, 0 // one face only: emphasis is size and black
		}
		d.font(false, size, grey)
		d.cell(contentW-60, 6, label, "", 0, alignR, false)
		d.cell(60, 6, value, "", 1, alignR, false)
	}
	for _, inv := range l.Invoices {
		if inv.Discount != nil {
			row(inv.DiscountLabelForInvoice, inv.Discount.Value, false)
		}
	}
	for _, a := range l.Amounts {
		row(a.Label, a.Value, a.Emphasis)
	}
	d.Ln(4)
	d.font(false, 9, colorMuted)
	for _, s := range l.Notes {
		d.text(contentW, s)
	}
	return d.bytes()
}

// methodLabel is a payment method as a document in tr's language prints it.
func methodLabel(tr *i18n.Tr, m app.PaymentMethod) string { return tr.T(app.PaymentMethodLabel(m)) }

// translator is the translator of a document stored with its language's
// code (a receipt's): English when the code is empty or unknown.
func translator(code string) *i18n.Tr {
	l, err := i18n.Parse(code)
	if err != nil {
		l = i18n.English
	}
	return i18n.For(l)
}

// Invoice renders an issued invoice in lang (the patient's): header with
// number and date, the patient, the lines with quantity, unit price,
// discount, tax and total, the totals (the invoice discount among them),
// what is paid and the balance; "VOID" across the page with the credit
// note's number and reason when it was voided. Dates print in loc.
func Invoice(clinic *app.Settings, inv *app.Invoice, loc *time.Location, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || inv == nil {
		return nil, fmt.Errorf("pdf: invoice: clinic and invoice are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	money := amounts(tr, inv.Currency)
	number := inv.Number
	if number == "" {
		number = tr.T("DRAFT")
	}
	d := newDoc(tr, tr.F("Invoice %s", number), inv.IssuedAt)
	d.SetSubject(inv.PatientName, true)
	d.SetAuthor(clinic.ClinicName, true)
	void := inv.Status == app.InvoiceVoid
	draft := inv.Status == app.InvoiceDraft
	d.SetHeaderFunc(func() {
		if void {
			d.watermark(tr.T("VOID"))
		} else if draft {
			d.watermark(tr.T("DRAFT"))
		}
	})
	d.SetFooterFunc(func() { d.footer(number) })
	d.AddPage()
	date := inv.IssuedAt
	if date.IsZero() {
		date = inv.CreatedAt
	}
	d.clinicHeader(clinic, tr.T("Invoice"), []string{number, tr.F("Date %s", tr.Day(date.In(loc))), tr.F("Currency %s", inv.Currency)})
	d.font(true, 11, colorText)
	d.text(contentW, inv.PatientName)
	d.font(false, 9, colorText)
	d.text(contentW, tr.F("Record no. %s", inv.PatientMRN))
	d.Ln(4)

	cols := []struct {
		title string
		w     float64
		align string
	}{{"#", 8, alignL}, {tr.T("Description"), 64, alignL}, {tr.T("Qty"), 12, alignR}, {tr.T("Unit price"), 24, alignR},
		{tr.T("Discount"), 20, alignR}, {tr.T("Tax"), 26, alignR}, {tr.T("Total"), contentW - 154, alignR}}
	d.font(true, 8.5, colorText)
	d.SetFillColor(235, 238, 240)
	for _, c := range cols {
		d.cell(c.w, 6, c.title, borderB, 0, c.align, true)
	}
	d.Ln(-1)
	d.font(false, 8.5, colorText)
	for _, l := range inv.Lines {
		desc := l.Description
		if l.Code != "" {
			desc = l.Code + " " + desc
		}
		// The description wraps inside its column, the row growing to fit:
		// an invoice line is never cut short.
		lines := d.SplitText(desc, cols[1].w)
		if len(lines) == 0 {
			lines = []string{""}
		}
		const lh = 4.5
		h := max(6, float64(len(lines))*lh+1.5)
		if d.GetY()+h > d.bottom() {
			d.AddPage()
		}
		vals := []string{fmt.Sprint(l.Position), "", tr.Integer(l.Quantity), money(l.UnitPrice), money(l.Discount),
			money(l.Tax) + " (" + rateText(tr, l.TaxRate) + ")", money(l.Total)}
		x, y := d.GetXY()
		for i, c := range cols {
			if i == 1 {
				for j, s := range lines {
					d.SetXY(x, y+0.75+float64(j)*lh)
					d.CellFormat(c.w, lh, s, "", 0, c.align, false, 0, "")
				}
				d.SetXY(x+c.w, y)
			} else {
				d.cell(c.w, 6, vals[i], "", 0, c.align, false)
			}
			x += c.w
		}
		d.SetXY(marginX, y+h)
	}
	d.Ln(3)
	row := func(label, value string, bold bool) {
		d.font(bold, 10, colorText)
		d.cell(contentW-60, 6, label, "", 0, alignR, false)
		d.cell(60, 6, value, "", 1, alignR, false)
	}
	if inv.Totals.InvoiceDiscount != 0 {
		d.font(false, 8, colorMuted)
		d.text(contentW, tr.T("The invoice discount is shared over the lines in proportion to their amounts after their own "+
			"discounts; each line's tax and total are on what its share leaves."))
		d.Ln(1)
	}
	row(tr.T("Subtotal"), money(inv.Totals.Gross), false)
	if inv.Totals.Discount != 0 {
		row(tr.T("Discount"), "-"+money(inv.Totals.Discount), false)
	}
	if inv.Totals.InvoiceDiscount != 0 {
		row(invoiceDiscountLabel(tr, inv.DiscountRate), "-"+money(inv.Totals.InvoiceDiscount), false)
	}
	row(tr.T("Tax"), money(inv.Totals.Tax), false)
	row(tr.F("Total %s", inv.Currency), money(inv.Totals.Total), true)
	row(tr.T("Paid"), money(inv.Paid), false)
	row(tr.T("Balance due"), money(inv.Balance), true)
	if void {
		d.Ln(4)
		d.font(true, 9, colorText)
		d.text(contentW, tr.F("Voided by credit note %[1]s on %[2]s. Reason: %[3]s", inv.CreditNoteNumber,
			tr.LongDate(inv.VoidedAt.In(loc)), inv.VoidReason))
	}
	return d.bytes()
}

// invoiceDiscountLabel names an invoice discount in the totals, with its
// rate when it was given as one: "Invoice discount 10%".
func invoiceDiscountLabel(tr *i18n.Tr, rate app.BasisPoints) string {
	if rate > 0 {
		return tr.F("Invoice discount %s", rateText(tr, rate))
	}
	return tr.T("Invoice discount")
}

// cellHook, when set (tests), is told of each one-line cell a document
// writes (CellFormat; a label's lines): its width, its text and the
// text's width in the cell's font, so a test can find text cut off or
// running out of its cell.
var cellHook func(w float64, s string, textW float64)

// cell writes s in a one-line cell of width w (fpdf's CellFormat).
func (d *doc) cell(w, h float64, s, border string, ln int, align string, fill bool) {
	d.CellFormat(w, h, s, border, ln, align, fill, 0, "")
}

// newReceiptDoc is newDoc with one face, regular, of the font given: a
// receipt is printed at the desk while the patient waits, and parsing and
// subsetting a second face would cost about as much again (DESIGN.md's
// budget for a receipt is 20 ms). Emphasis is by size and colour.
func newReceiptDoc(tr *i18n.Tr, title string, created time.Time, font []byte) *doc {
	return newDocWithFonts(tr, portrait, title, created, font, nil)
}

// rateText writes a rate as a percentage with the language's decimal
// separator and no trailing zeros: "12.5%", "12,5%".
func rateText(tr *i18n.Tr, r app.BasisPoints) string {
	s := tr.Amount(int64(r), 2)
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i == 3 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".,")
	}
	return s + "%"
}
