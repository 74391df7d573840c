package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// itemColumns are the prescription table's columns (their titles in
// English, translated where printed) and widths (mm); they add up to the
// content width.
var itemColumns = []struct {
	title string
	w     float64
	value func(it *app.PrescriptionItem) string
}{
	{i18n.N("Drug"), 58, func(it *app.PrescriptionItem) string { return strings.TrimSpace(it.Drug + " " + it.Strength) }},
	{i18n.N("Dose"), 26, func(it *app.PrescriptionItem) string { return it.Dose }},
	{i18n.N("Route"), 20, func(it *app.PrescriptionItem) string { return it.Route }},
	{i18n.N("Frequency"), 30, func(it *app.PrescriptionItem) string { return it.Frequency }},
	{i18n.N("Duration"), 20, func(it *app.PrescriptionItem) string { return it.Duration }},
	{i18n.N("Quantity"), 20, func(it *app.PrescriptionItem) string { return it.Quantity }},
}

const numberColW = contentW - 58 - 26 - 20 - 30 - 20 - 20 // the "#" column

// Prescription renders a prescription: the clinic's header (logo, name,
// address, phone, tax id), the patient (name, record number, date of
// birth), the date and number, a table of the items, the notes, the
// doctor's name and registration number under a signature line, and "CANCELLED" across every page
// when it was cancelled. allergies is the patient's allergy record as one
// line (app.AllergySummary), printed under the patient so that whoever
// dispenses sees it. Dates are shown in loc, the clinic's time zone; the
// words are in lang (the patient's), the drugs and the doctor's
// instructions as written.
func Prescription(clinic *app.Settings, p *app.Patient, rx *app.Prescription, allergies string, loc *time.Location, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || p == nil || rx == nil {
		return nil, fmt.Errorf("pdf: prescription: clinic, patient and prescription are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	d := newDoc(tr, tr.F("Prescription %s", rx.Number), rx.CreatedAt)
	d.SetSubject(p.FullName(), true)
	d.SetAuthor(rx.DoctorName, true)
	cancelled := rx.Status == app.PrescriptionCancelled
	d.SetHeaderFunc(func() {
		if cancelled {
			d.watermark(tr.T("CANCELLED"))
		}
	})
	d.SetFooterFunc(func() { d.footer(rx.Number) })
	d.AddPage()

	d.clinicHeader(clinic, tr.T("Prescription"), []string{rx.Number, tr.F("Date %s", tr.LongDate(rx.CreatedAt.In(loc)))})

	// The patient.
	d.font(true, 11, colorText)
	d.text(contentW, p.FullName())
	d.font(false, 9, colorText)
	line := tr.F("Record no. %s", p.MRN)
	if p.BirthDate != "" {
		line += "   ·   " + tr.F("Date of birth %s", p.BirthDate)
	}
	d.text(contentW, line)
	if allergies != "" {
		d.font(true, 9, colorText)
		d.text(contentW, allergies)
	}
	d.Ln(2)
	if rx.AllergyWarning != "" {
		d.font(true, 8.5, colorText)
		d.SetTextColor(160, 0, 0)
		d.text(contentW, tr.F("Allergy warning acknowledged by the prescriber: %s", rx.AllergyWarning))
	}
	d.Ln(3)

	// The items. A column's title too long for its column (Greek's
	// "route of administration") wraps, the header row growing to fit.
	header := func() {
		// A title's word wider than its column (Greek's "Ποσότητα" in the
		// narrow quantity column) makes the titles smaller rather than be
		// broken in two; cellHook is told of one still too wide.
		size := 8.5
		for ; size > 6.5; size -= 0.25 {
			d.font(true, size, colorText)
			fits := true
			for _, c := range itemColumns {
				for _, w := range strings.Fields(tr.T(c.title)) {
					fits = fits && d.GetStringWidth(w) <= c.w-2
				}
			}
			if fits {
				break
			}
		}
		d.font(true, size, colorText)
		if cellHook != nil {
			for _, c := range itemColumns {
				for _, w := range strings.Fields(tr.T(c.title)) {
					cellHook(c.w-2, w, d.GetStringWidth(w))
				}
			}
		}
		d.SetFillColor(235, 238, 240)
		titles := make([][]string, len(itemColumns))
		rows := 1
		for j, c := range itemColumns {
			titles[j] = d.SplitText(tr.T(c.title), c.w) // less fpdf's cell margins, as the check above
			rows = max(rows, len(titles[j]))
		}
		lh := d.lineHAt(size)
		h := max(6, float64(rows)*lh+1.5)
		x, y := d.GetXY()
		d.cell(numberColW, h, "#", borderB, 0, alignL, true)
		x += numberColW
		for j, c := range itemColumns {
			d.SetXY(x, y)
			d.cell(c.w, h, "", borderB, 0, alignL, true)
			for k, s := range titles[j] {
				d.SetXY(x, y+(h-float64(len(titles[j]))*lh)/2+float64(k)*lh)
				d.cell(c.w, lh, s, "", 0, alignL, false)
			}
			x += c.w
		}
		d.SetXY(marginX, y+h)
	}
	header()
	for i := range rx.Items {
		it := &rx.Items[i]
		d.font(false, 9, colorText)
		lh := d.lineH()
		cells := make([][]string, len(itemColumns))
		rows := 1
		for j, c := range itemColumns {
			cells[j] = d.SplitText(c.value(it), c.w)
			rows = max(rows, len(cells[j]))
		}
		var instr []string
		if it.Instructions != "" {
			d.font(false, 8, colorMuted)
			instr = d.SplitText(tr.F("Instructions: %s", it.Instructions), contentW-numberColW)
			d.font(false, 9, colorText)
		}
		h := float64(rows)*lh + float64(len(instr))*d.lineHAt(8) + 2
		if d.GetY()+h > 297-marginBot-30 { // keep room for the signature on the last page
			d.AddPage()
			header()
		}
		y := d.GetY() + 1
		d.SetXY(marginX, y)
		d.font(true, 9, colorText)
		d.CellFormat(numberColW, lh, strconv.Itoa(i+1), "", 0, alignL, false, 0, "")
		x := marginX + numberColW
		for j, c := range itemColumns {
			d.font(j == 0, 9, colorText)
			for k, s := range cells[j] {
				d.SetXY(x, y+float64(k)*lh)
				d.CellFormat(c.w, lh, s, "", 0, alignL, false, 0, "")
			}
			x += c.w
		}
		d.SetXY(marginX+numberColW, y+float64(rows)*lh)
		if len(instr) > 0 {
			d.font(false, 8, colorMuted)
			for _, s := range instr {
				d.SetX(marginX + numberColW)
				d.CellFormat(contentW-numberColW, d.lineH(), s, "", 2, alignL, false, 0, "")
			}
		}
		d.SetDrawColor(215, 215, 215)
		d.SetLineWidth(0.2)
		d.Line(marginX, d.GetY()+1, marginX+contentW, d.GetY()+1)
		d.SetXY(marginX, d.GetY()+1)
	}
	d.Ln(4)

	if rx.Notes != "" {
		d.font(true, 9, colorText)
		d.text(contentW, tr.T("Notes"))
		d.font(false, 9, colorText)
		d.text(contentW, rx.Notes)
		d.Ln(3)
	}
	switch rx.Status {
	case app.PrescriptionCancelled:
		d.font(true, 9, colorText)
		d.SetTextColor(160, 0, 0)
		d.text(contentW, tr.F("CANCELLED on %[1]s: %[2]s", tr.LongDate(rx.StatusChangedAt.In(loc)), rx.StatusReason))
	case app.PrescriptionCompleted:
		d.font(false, 9, colorMuted)
		d.text(contentW, tr.F("Completed on %s", tr.LongDate(rx.StatusChangedAt.In(loc))))
	}

	// The doctor's signature, at the foot of the last page.
	if d.GetY() < 297-marginBot-28 {
		d.SetY(297 - marginBot - 28)
	} else {
		d.Ln(6)
	}
	sx, sw := marginX+contentW-75, 75.0
	y := d.GetY() + 12
	d.SetDrawColor(60, 60, 60)
	d.SetLineWidth(0.3)
	d.Line(sx, y, sx+sw, y)
	d.SetXY(sx, y+1)
	d.font(true, 9.5, colorText)
	d.CellFormat(sw, d.lineH(), rx.DoctorName, "", 2, alignC, false, 0, "")
	if rx.PrescriberRegistration != "" {
		d.SetX(sx)
		d.font(false, 8.5, colorText)
		d.CellFormat(sw, d.lineH(), tr.F("Registration no. %s", rx.PrescriberRegistration), "", 2, alignC, false, 0, "")
	}
	d.SetX(sx)
	d.font(false, 8, colorMuted)
	d.cell(sw, d.lineH(), tr.T("Prescribing doctor's signature"), "", 2, alignC, false)
	return d.bytes()
}

// lineHAt is the line height of a font size in points, in millimetres.
func (d *doc) lineHAt(pt float64) float64 { return pt * 25.4 / 72 * lineSpacing }
