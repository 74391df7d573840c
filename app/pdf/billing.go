package pdf

import (
	"fmt"
	"strings"
	"time"

	"hms/app"
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
	p := &r.Payment
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		loc = time.UTC
	}
	cur := p.Currency
	money := func(m app.Money) string { return app.Format(m, cur) }
	title := "Receipt"
	if p.IsReversal() {
		title = "Refund receipt"
	}
	d := newReceiptDoc(title+" "+p.ReceiptNumber, r.PrintedAt, regularFontFor(receiptText(r)...))
	d.SetSubject(p.PatientName, true)
	d.SetAuthor(r.Clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(p.ReceiptNumber) })
	d.AddPage()
	d.receiptHeader(&r.Clinic, title, []string{p.ReceiptNumber, "Date " + p.TakenAt.In(loc).Format("2006-01-02 15:04")})
	if copy {
		// A boxed, red word rather than a watermark: it is plain to see and
		// is the only text a copy has that the original has not.
		d.font(false, 16, colorText)
		d.SetTextColor(190, 0, 0)
		d.SetDrawColor(190, 0, 0)
		d.CellFormat(contentW, 9, "COPY", "1", 1, "C", false, 0, "")
		d.SetDrawColor(0, 0, 0)
		d.Ln(2)
	}

	d.font(false, 11, colorText)
	d.text(contentW, p.PatientName)
	d.font(false, 9, colorText)
	d.text(contentW, "Record no. "+p.PatientMRN)
	d.Ln(4)

	cols := []struct {
		title string
		w     float64
		align string
	}{{"Invoice", 60, "L"}, {"Invoice total", 40, "R"}, {"Paid now", 40, "R"}, {"Balance after", contentW - 140, "R"}}
	if p.IsReversal() {
		cols[2].title = "Refunded"
	}
	d.font(false, 8.5, colorText)
	d.SetFillColor(235, 238, 240)
	for _, c := range cols {
		d.CellFormat(c.w, 6, c.title, "B", 0, c.align, true, 0, "")
	}
	d.Ln(-1)
	d.font(false, 9, colorText)
	for _, inv := range r.Invoices {
		vals := []string{inv.Number, money(inv.Total), money(inv.Paid), money(inv.BalanceAfter)}
		for i, c := range cols {
			d.CellFormat(c.w, 6, vals[i], "", 0, c.align, false, 0, "")
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
		d.CellFormat(contentW-60, 6, label, "", 0, "R", false, 0, "")
		d.CellFormat(60, 6, value, "", 1, "R", false, 0, "")
	}
	for _, inv := range r.Invoices {
		if inv.Discount != 0 {
			row(invoiceDiscountLabel(inv.DiscountRate)+" in "+inv.Number, "-"+money(inv.Discount), false)
		}
	}
	label := "Amount paid"
	if p.IsReversal() {
		label = "Amount refunded"
	}
	row(label, money(p.Amount), true)
	row("Method", methodLabel(p.Method), false)
	if p.Method == app.PayCash && !p.IsReversal() {
		row("Cash tendered", money(p.Tendered), false)
		row("Change", money(p.Change), false)
	}
	if p.Reference != "" {
		row("Reference", p.Reference, false)
	}
	d.Ln(4)
	d.font(false, 9, colorMuted)
	if p.IsReversal() {
		d.text(contentW, "Refund of payment "+r.ReversalOf+". Reason: "+p.Reason)
	}
	d.text(contentW, "Received by "+p.CashierName+". Thank you.")
	return d.bytes()
}

func methodLabel(m app.PaymentMethod) string {
	s := strings.ReplaceAll(string(m), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Invoice renders an issued invoice: header with number and date, the
// patient, the lines with quantity, unit price, discount, tax and total,
// the totals (the invoice discount among them), what is paid and the
// balance; "VOID" across the page with the
// credit note's number and reason when it was voided. Dates print in loc.
func Invoice(clinic *app.Settings, inv *app.Invoice, loc *time.Location) ([]byte, error) {
	if clinic == nil || inv == nil {
		return nil, fmt.Errorf("pdf: invoice: clinic and invoice are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	money := func(m app.Money) string { return app.FormatAmount(m, app.CurrencyDigits(inv.Currency)) }
	number := inv.Number
	if number == "" {
		number = "DRAFT"
	}
	d := newDoc("Invoice "+number, inv.IssuedAt)
	d.SetSubject(inv.PatientName, true)
	d.SetAuthor(clinic.ClinicName, true)
	void := inv.Status == app.InvoiceVoid
	draft := inv.Status == app.InvoiceDraft
	d.SetHeaderFunc(func() {
		if void {
			d.watermark("VOID")
		} else if draft {
			d.watermark("DRAFT")
		}
	})
	d.SetFooterFunc(func() { d.footer(number) })
	d.AddPage()
	date := inv.IssuedAt
	if date.IsZero() {
		date = inv.CreatedAt
	}
	d.clinicHeader(clinic, "Invoice", []string{number, "Date " + date.In(loc).Format(app.DateLayout), "Currency " + inv.Currency})
	d.font(true, 11, colorText)
	d.text(contentW, inv.PatientName)
	d.font(false, 9, colorText)
	d.text(contentW, "Record no. "+inv.PatientMRN)
	d.Ln(4)

	cols := []struct {
		title string
		w     float64
		align string
	}{{"#", 8, "L"}, {"Description", 64, "L"}, {"Qty", 12, "R"}, {"Unit price", 24, "R"}, {"Discount", 20, "R"},
		{"Tax", 26, "R"}, {"Total", contentW - 154, "R"}}
	d.font(true, 8.5, colorText)
	d.SetFillColor(235, 238, 240)
	for _, c := range cols {
		d.CellFormat(c.w, 6, c.title, "B", 0, c.align, true, 0, "")
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
		vals := []string{fmt.Sprint(l.Position), "", fmt.Sprint(l.Quantity), money(l.UnitPrice), money(l.Discount),
			money(l.Tax) + " (" + app.FormatRate(l.TaxRate) + ")", money(l.Total)}
		x, y := d.GetXY()
		for i, c := range cols {
			if i == 1 {
				for j, s := range lines {
					d.SetXY(x, y+0.75+float64(j)*lh)
					d.CellFormat(c.w, lh, s, "", 0, c.align, false, 0, "")
				}
				d.SetXY(x+c.w, y)
			} else {
				d.CellFormat(c.w, 6, vals[i], "", 0, c.align, false, 0, "")
			}
			x += c.w
		}
		d.SetXY(marginX, y+h)
	}
	d.Ln(3)
	row := func(label, value string, bold bool) {
		d.font(bold, 10, colorText)
		d.CellFormat(contentW-60, 6, label, "", 0, "R", false, 0, "")
		d.CellFormat(60, 6, value, "", 1, "R", false, 0, "")
	}
	if inv.Totals.InvoiceDiscount != 0 {
		d.font(false, 8, colorMuted)
		d.text(contentW, "The invoice discount is shared over the lines in proportion to their amounts after their own "+
			"discounts; each line's tax and total are on what its share leaves.")
		d.Ln(1)
	}
	row("Subtotal", money(inv.Totals.Gross), false)
	if inv.Totals.Discount != 0 {
		row("Discount", "-"+money(inv.Totals.Discount), false)
	}
	if inv.Totals.InvoiceDiscount != 0 {
		row(invoiceDiscountLabel(inv.DiscountRate), "-"+money(inv.Totals.InvoiceDiscount), false)
	}
	row("Tax", money(inv.Totals.Tax), false)
	row("Total "+inv.Currency, money(inv.Totals.Total), true)
	row("Paid", money(inv.Paid), false)
	row("Balance due", money(inv.Balance), true)
	if void {
		d.Ln(4)
		d.font(true, 9, colorText)
		d.text(contentW, fmt.Sprintf("Voided by credit note %s on %s. Reason: %s", inv.CreditNoteNumber,
			inv.VoidedAt.In(loc).Format(app.DateLayout), inv.VoidReason))
	}
	return d.bytes()
}

// invoiceDiscountLabel names an invoice discount in the totals, with its
// rate when it was given as one: "Invoice discount 10%".
func invoiceDiscountLabel(rate app.BasisPoints) string {
	if rate > 0 {
		return "Invoice discount " + app.FormatRate(rate)
	}
	return "Invoice discount"
}

// newReceiptDoc is newDoc with one face, regular, of the font given: a
// receipt is printed at the desk while the patient waits, and parsing and
// subsetting a second face would cost about as much again (DESIGN.md's
// budget for a receipt is 20 ms). Emphasis is by size and colour.
func newReceiptDoc(title string, created time.Time, font []byte) *doc {
	return newDocWithFonts("P", title, created, font, nil)
}

// receiptText is every text of a receipt that comes from the records (the
// labels are plain ASCII), for choosing the font that covers it. A new
// field printed on receipts belongs here too.
func receiptText(r *app.Receipt) []string {
	p := &r.Payment
	texts := []string{r.Clinic.ClinicName, r.Clinic.Address, r.Clinic.Phone, r.Clinic.TaxID,
		p.ReceiptNumber, p.PatientName, p.PatientMRN, p.Reference, p.CashierName, p.Reason, p.Currency, r.ReversalOf}
	for _, inv := range r.Invoices {
		texts = append(texts, inv.Number)
	}
	return texts
}

// receiptHeader is clinicHeader in the regular face only: receipts embed
// one font, which halves their rendering time.
func (d *doc) receiptHeader(clinic *app.Settings, title string, right []string) {
	d.header(clinic, title, right, headerFace{bold: false, size: 15, grey: 0})
}
