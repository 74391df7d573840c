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
	d.info(infoSubject, l.Patient)
	d.info(infoAuthor, l.ClinicName)
	ro := newRoll(d, width)
	small, normal, big := ro.sizes()
	para, pair, rule := ro.para, ro.pair, ro.rule
	para(big, l.ClinicName, true)
	for _, s := range l.ClinicDetails {
		para(small, s, true)
	}
	rule()
	if l.Copy {
		ro.boxed(big, l.CopyWord)
	}
	para(big, l.Title, true)
	para(normal, l.Number, true)
	para(normal, l.Date, true)
	rule()
	para(normal, l.Patient, false)
	para(small, l.Record, false)
	rule()
	for _, inv := range l.Invoices {
		para(normal, l.InvoiceLabel+" "+inv.Number, false)
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
	return ro.finish(), nil
}

// roll lays a document out down a receipt roll: paragraphs, label and
// value pairs, rules; the page ends below the last line.
type roll struct {
	d       *sheet
	width   float64 // the roll's
	left, w float64 // the printed column
	y       float64
}

const rollPad = 1.0 // between the text and the edge of its column, as in fpdf's cells

func newRoll(d *sheet, width float64) *roll {
	return &roll{d: d, width: width, left: rollMargin, w: width - 2*rollMargin, y: rollTop}
}

// sizes are the small, normal and big font sizes of the roll, in points.
func (ro *roll) sizes() (small, normal, big float64) {
	if ro.width == Roll80mm {
		return 8, 9, 11
	}
	return 7, 8, 10
}

func lineH(size float64) float64 { return size / ptPerMM * lineSpacing }

func (ro *roll) baseline(size float64) float64 { return ro.y + lineH(size)/2 + 0.3*size/ptPerMM }

// para prints s wrapped, each line centred or from the left.
func (ro *roll) para(size float64, s string, centred bool) {
	if s == "" {
		return
	}
	for _, line := range ro.d.wrap(s, size, ro.w-2*rollPad) {
		x := ro.left + rollPad
		if centred {
			x = ro.left + (ro.w-ro.d.width(line, size))/2
		}
		ro.d.text(x, ro.baseline(size), size, line)
		ro.y += lineH(size)
	}
}

// pair prints a label on the left and its value on the right, the value
// on lines of its own when both do not fit.
func (ro *roll) pair(size float64, label, value string) {
	d := ro.d
	if vw := d.width(value, size); d.width(label, size)+vw+4*rollPad <= ro.w {
		d.text(ro.left+rollPad, ro.baseline(size), size, label)
		d.text(ro.left+ro.w-rollPad-vw, ro.baseline(size), size, value)
		ro.y += lineH(size)
		return
	}
	ro.para(size, label, false)
	for _, line := range d.wrap(value, size, ro.w-2*rollPad) {
		d.text(ro.left+ro.w-rollPad-d.width(line, size), ro.baseline(size), size, line)
		ro.y += lineH(size)
	}
}

// rule draws a dashed line across.
func (ro *roll) rule() {
	ro.y++
	ro.d.line(ro.left, ro.y, ro.left+ro.w, ro.y, 0.2, 0.8, 0.8)
	ro.y += 1.5
}

// boxed prints s centred in a box across the roll.
func (ro *roll) boxed(size float64, s string) {
	h := lineH(size) + 1
	ro.d.box(ro.left, ro.y, ro.w, h, 0.2)
	ro.d.text(ro.left+(ro.w-ro.d.width(s, size))/2, ro.y+h/2+0.3*size/ptPerMM, size, s)
	ro.y += h + 1
}

// finish ends the page a little below the last line.
func (ro *roll) finish() []byte { return ro.d.bytes(ro.y + 4 + rollTop) }
