package pdf

import (
	"fmt"

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
	l := r.Lines(copy)
	// Laid out once, top to bottom; the page is then cut to the length
	// reached.
	d, err := newSheet(width, l.Title+" "+l.Number, r.PrintedAt)
	if err != nil {
		return nil, err
	}
	d.info("Subject", l.Patient)
	d.info("Author", l.ClinicName)
	const pad = 1.0 // between the text and the edge of its column, as in fpdf's cells
	left, w := rollMargin, width-2*rollMargin
	y := rollTop
	small, normal, big := 7.0, 8.0, 10.0
	if width == Roll80mm {
		small, normal, big = 8, 9, 11
	}
	lineH := func(size float64) float64 { return size / ptPerMM * lineSpacing }
	baseline := func(size float64) float64 { return y + lineH(size)/2 + 0.3*size/ptPerMM }
	// para prints s wrapped, each line centred or from the left.
	para := func(size float64, s string, centred bool) {
		if s == "" {
			return
		}
		for _, line := range d.wrap(s, size, w-2*pad) {
			x := left + pad
			if centred {
				x = left + (w-d.width(line, size))/2
			}
			d.text(x, baseline(size), size, line)
			y += lineH(size)
		}
	}
	// pair prints a label on the left and its value on the right, the
	// value on a line of its own when both do not fit.
	pair := func(size float64, label, value string) {
		if vw := d.width(value, size); d.width(label, size)+vw+4*pad <= w {
			d.text(left+pad, baseline(size), size, label)
			d.text(left+w-pad-vw, baseline(size), size, value)
			y += lineH(size)
			return
		}
		para(size, label, false)
		for _, line := range d.wrap(value, size, w-2*pad) {
			d.text(left+w-pad-d.width(line, size), baseline(size), size, line)
			y += lineH(size)
		}
	}
	rule := func() {
		y++
		d.line(left, y, left+w, y, 0.2, 0.8, 0.8)
		y += 1.5
	}
	para(big, l.ClinicName, true)
	for _, s := range l.ClinicDetails {
		para(small, s, true)
	}
	rule()
	if l.Copy {
		h := lineH(big) + 1
		d.box(left, y, w, h, 0.2)
		d.text(left+(w-d.width("COPY", big))/2, y+h/2+0.3*big/ptPerMM, big, "COPY")
		y += h + 1
	}
	para(big, l.Title, true)
	para(normal, l.Number, true)
	para(normal, l.Date, true)
	rule()
	para(normal, l.Patient, false)
	para(small, l.Record, false)
	rule()
	for _, inv := range l.Invoices {
		para(normal, "Invoice "+inv.Number, false)
		pair(small, l.TotalLabel, inv.Total)
		pair(small, l.PaidLabel, inv.Paid)
		pair(small, l.BalanceLabel, inv.Balance)
		if inv.Discount != nil {
			pair(small, inv.Discount.Label, inv.Discount.Value)
		}
	}
	rule()
	for _, a := range l.Amounts {
		size := normal
		if a.Emphasis {
			size = big
		}
		pair(size, a.Label, a.Value)
	}
	rule()
	for i, s := range l.Notes {
		para(small, s, i == len(l.Notes)-1)
	}
	return d.bytes(y + 4 + rollTop), nil
}
