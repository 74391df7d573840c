package pdf

import (
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"hms/app"
)

// Receipt roll widths in millimetres, and the margin each side: thermal
// printers print about 72 mm of an 80 mm roll and 48 mm of a 58 mm one.
const (
	Roll80mm   = 80.0
	Roll58mm   = 58.0
	rollMargin = 4.0
	rollTop    = 3.0
)

// ReceiptRoll renders the receipt of Receipt for a thermal printer's roll
// of width mm (Roll80mm or Roll58mm): one page as wide as the roll and as
// long as the receipt, with the same content as the A4 receipt (the clinic,
// number, date, patient, invoices paid with their balances, amounts,
// method, cash and change, reference, cashier), stacked to fit. With copy,
// "COPY" heads it.
func ReceiptRoll(r *app.Receipt, copy bool, width float64) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("pdf: receipt: no receipt")
	}
	if width != Roll80mm && width != Roll58mm {
		return nil, fmt.Errorf("pdf: receipt: no %g mm roll layout", width)
	}
	font := regularFontFor(receiptText(r)...)
	// The page is as long as the receipt: measure on a long page, then
	// render again on a page of that length.
	// Laying out is cheap; writing the PDF (subsetting the font) is not,
	// so the measuring pass stops before it.
	h, _, err := renderRoll(r, copy, width, 2000, font, false)
	if err != nil {
		return nil, err
	}
	_, b, err := renderRoll(r, copy, width, h+rollTop, font, true)
	return b, err
}

func renderRoll(r *app.Receipt, copy bool, width, height float64, font []byte, write bool) (float64, []byte, error) {
	p := &r.Payment
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		loc = time.UTC
	}
	money := func(m app.Money) string { return app.Format(m, p.Currency) }
	title := "Receipt"
	if p.IsReversal() {
		title = "Refund receipt"
	}
	f := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: width, Ht: height}})
	f.SetMargins(rollMargin, rollTop, rollMargin)
	f.SetAutoPageBreak(false, 0)
	f.AddUTF8FontFromBytes(fontFamily, "", font)
	f.SetTitle(title+" "+p.ReceiptNumber, true)
	f.SetSubject(p.PatientName, true)
	f.SetAuthor(r.Clinic.ClinicName, true)
	f.SetCreator("HMS desktop", true)
	f.SetProducer("HMS desktop", true)
	f.SetCreationDate(r.PrintedAt)
	f.SetModificationDate(r.PrintedAt)
	f.SetCatalogSort(true)
	d := &doc{f}
	d.AddPage()
	w := width - 2*rollMargin
	small, normal, big := 7.0, 8.0, 10.0
	if width == Roll80mm {
		small, normal, big = 8, 9, 11
	}
	center := func(size float64, s string) {
		if s == "" {
			return
		}
		d.font(false, size, 0)
		d.MultiCell(w, d.lineH(), s, "", "C", false)
	}
	pair := func(size float64, label, value string) {
		d.font(false, size, 0)
		vw := d.GetStringWidth(value) + 1
		d.CellFormat(w-vw, d.lineH(), label, "", 0, "L", false, 0, "")
		d.CellFormat(vw, d.lineH(), value, "", 1, "R", false, 0, "")
	}
	rule := func() {
		y := d.GetY() + 1
		d.SetDrawColor(0, 0, 0)
		d.SetLineWidth(0.2)
		d.SetDashPattern([]float64{0.8, 0.8}, 0)
		d.Line(rollMargin, y, width-rollMargin, y)
		d.SetDashPattern(nil, 0)
		d.SetY(y + 1.5)
	}
	center(big, r.Clinic.ClinicName)
	center(small, r.Clinic.Address)
	center(small, r.Clinic.Phone)
	center(small, taxLine(r.Clinic.TaxID))
	rule()
	if copy {
		d.font(false, big, 0)
		d.CellFormat(w, d.lineH()+1, "COPY", "1", 1, "C", false, 0, "")
		d.Ln(1)
	}
	center(big, title)
	center(normal, p.ReceiptNumber)
	center(normal, "Date "+p.TakenAt.In(loc).Format("Mon 2006-01-02 15:04"))
	rule()
	d.font(false, normal, 0)
	d.MultiCell(w, d.lineH(), p.PatientName, "", "L", false)
	d.font(false, small, 0)
	d.MultiCell(w, d.lineH(), "Record no. "+p.PatientMRN, "", "L", false)
	rule()
	paid := "Paid now"
	if p.IsReversal() {
		paid = "Refunded"
	}
	for _, inv := range r.Invoices {
		d.font(false, normal, 0)
		d.MultiCell(w, d.lineH(), "Invoice "+inv.Number, "", "L", false)
		pair(small, "Invoice total", money(inv.Total))
		pair(small, paid, money(inv.Paid))
		pair(small, "Balance after", money(inv.BalanceAfter))
		if inv.Discount != 0 {
			pair(small, invoiceDiscountLabel(inv.DiscountRate), "-"+money(inv.Discount))
		}
	}
	rule()
	label := "Amount paid"
	if p.IsReversal() {
		label = "Amount refunded"
	}
	pair(big, label, money(p.Amount))
	pair(normal, "Method", methodLabel(p.Method))
	if p.Method == app.PayCash && !p.IsReversal() {
		pair(normal, "Cash tendered", money(p.Tendered))
		pair(normal, "Change", money(p.Change))
	}
	if p.Reference != "" {
		pair(normal, "Reference", p.Reference)
	}
	rule()
	d.font(false, small, 0)
	if p.IsReversal() {
		d.MultiCell(w, d.lineH(), "Refund of payment "+r.ReversalOf+". Reason: "+p.Reason, "", "L", false)
	}
	d.MultiCell(w, d.lineH(), "Received by "+p.CashierName+". Thank you.", "", "C", false)
	end := d.GetY() + 4
	if !write {
		return end, nil, d.Error()
	}
	b, err := d.bytes()
	return end, b, err
}
