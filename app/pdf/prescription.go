package pdf

//i18n:todo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hms/app"
)

// itemColumns are the prescription table's columns and widths (mm); they
// add up to the content width.
var itemColumns = []struct {
	title string
	w     float64
	value func(it *app.PrescriptionItem) string
}{
	{"Drug", 58, func(it *app.PrescriptionItem) string { return strings.TrimSpace(it.Drug + " " + it.Strength) }},
	{"Dose", 26, func(it *app.PrescriptionItem) string { return it.Dose }},
	{"Route", 20, func(it *app.PrescriptionItem) string { return it.Route }},
	{"Frequency", 30, func(it *app.PrescriptionItem) string { return it.Frequency }},
	{"Duration", 20, func(it *app.PrescriptionItem) string { return it.Duration }},
	{"Quantity", 20, func(it *app.PrescriptionItem) string { return it.Quantity }},
}

const numberColW = contentW - 58 - 26 - 20 - 30 - 20 - 20 // the "#" column

// Prescription renders a prescription: the clinic's header (logo, name,
// address, phone, tax id), the patient (name, record number, date of
// birth), the date and number, a table of the items, the notes, the
// doctor's name and registration number under a signature line, and "CANCELLED" across every page
// when it was cancelled. allergies is the patient's allergy record as one
// line (app.AllergySummary), printed under the patient so that whoever
// dispenses sees it. Dates are shown in loc, the clinic's time zone.
func Prescription(clinic *app.Settings, p *app.Patient, rx *app.Prescription, allergies string, loc *time.Location) ([]byte, error) {
	if clinic == nil || p == nil || rx == nil {
		return nil, fmt.Errorf("pdf: prescription: clinic, patient and prescription are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	d := newDoc("Prescription "+rx.Number, rx.CreatedAt)
	d.SetSubject(p.FullName(), true)
	d.SetAuthor(rx.DoctorName, true)
	cancelled := rx.Status == app.PrescriptionCancelled
	d.SetHeaderFunc(func() {
		if cancelled {
			d.watermark("CANCELLED")
		}
	})
	d.SetFooterFunc(func() { d.footer(rx.Number) })
	d.AddPage()

	d.clinicHeader(clinic, "Prescription", []string{rx.Number, "Date " + rx.CreatedAt.In(loc).Format(app.DateLayout)})

	// The patient.
	d.font(true, 11, colorText)
	d.text(contentW, p.FullName())
	d.font(false, 9, colorText)
	line := "Record no. " + p.MRN
	if p.BirthDate != "" {
		line += "   ·   Date of birth " + p.BirthDate
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
		d.text(contentW, "Allergy warning acknowledged by the prescriber: "+rx.AllergyWarning)
	}
	d.Ln(3)

	// The items.
	header := func() {
		d.font(true, 8.5, colorText)
		d.SetFillColor(235, 238, 240)
		d.CellFormat(numberColW, 6, "#", "B", 0, "L", true, 0, "")
		for _, c := range itemColumns {
			d.CellFormat(c.w, 6, c.title, "B", 0, "L", true, 0, "")
		}
		d.Ln(-1)
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
			instr = d.SplitText("Instructions: "+it.Instructions, contentW-numberColW)
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
		d.CellFormat(numberColW, lh, strconv.Itoa(i+1), "", 0, "L", false, 0, "")
		x := marginX + numberColW
		for j, c := range itemColumns {
			d.font(j == 0, 9, colorText)
			for k, s := range cells[j] {
				d.SetXY(x, y+float64(k)*lh)
				d.CellFormat(c.w, lh, s, "", 0, "L", false, 0, "")
			}
			x += c.w
		}
		d.SetXY(marginX+numberColW, y+float64(rows)*lh)
		if len(instr) > 0 {
			d.font(false, 8, colorMuted)
			for _, s := range instr {
				d.SetX(marginX + numberColW)
				d.CellFormat(contentW-numberColW, d.lineH(), s, "", 2, "L", false, 0, "")
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
		d.text(contentW, "Notes")
		d.font(false, 9, colorText)
		d.text(contentW, rx.Notes)
		d.Ln(3)
	}
	switch rx.Status {
	case app.PrescriptionCancelled:
		d.font(true, 9, colorText)
		d.SetTextColor(160, 0, 0)
		d.text(contentW, fmt.Sprintf("CANCELLED on %s: %s", rx.StatusChangedAt.In(loc).Format(app.DateLayout), rx.StatusReason))
	case app.PrescriptionCompleted:
		d.font(false, 9, colorMuted)
		d.text(contentW, "Completed on "+rx.StatusChangedAt.In(loc).Format(app.DateLayout))
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
	d.CellFormat(sw, d.lineH(), rx.DoctorName, "", 2, "C", false, 0, "")
	if rx.PrescriberRegistration != "" {
		d.SetX(sx)
		d.font(false, 8.5, colorText)
		d.CellFormat(sw, d.lineH(), "Registration no. "+rx.PrescriberRegistration, "", 2, "C", false, 0, "")
	}
	d.SetX(sx)
	d.font(false, 8, colorMuted)
	d.CellFormat(sw, d.lineH(), "Prescribing doctor's signature", "", 2, "C", false, 0, "")
	return d.bytes()
}

// lineHAt is the line height of a font size in points, in millimetres.
func (d *doc) lineHAt(pt float64) float64 { return pt * 25.4 / 72 * lineSpacing }
