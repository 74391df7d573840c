package pdf

import (
	"fmt"
	"time"

	"hms/app"
)

// Letter renders a sick note (medical certificate) or a referral letter:
// the clinic's header, the patient (name, record number, date of birth),
// the wording of the kind with the doctor's text, and the doctor's name
// and registration number under a signature line. issued is shown in loc,
// the clinic's time zone.
func Letter(clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, issued time.Time, loc *time.Location) ([]byte, error) {
	if clinic == nil || p == nil || doctor == nil {
		return nil, fmt.Errorf("pdf: letter: clinic, patient and doctor are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	title := r.Kind.Label()
	d := newDoc(title+" "+p.FullName(), issued)
	d.SetSubject(p.FullName(), true)
	d.SetAuthor(doctor.Name, true)
	day := issued.In(loc).Format(app.DateLayout)
	d.SetFooterFunc(func() { d.footer(title + " · " + p.MRN + " · " + day) })
	d.AddPage()
	d.clinicHeader(clinic, title, []string{"Date " + day})

	d.font(true, 11, colorText)
	d.text(contentW, p.FullName())
	d.font(false, 9, colorText)
	line := "Record no. " + p.MRN
	if p.BirthDate != "" {
		line += "   ·   Date of birth " + p.BirthDate
	}
	d.text(contentW, line)
	d.Ln(6)

	d.font(false, 10.5, colorText)
	if r.Kind == app.LetterReferral {
		d.text(contentW, "To: "+r.Recipient)
		d.Ln(3)
	}
	d.text(contentW, app.FillLetterTemplate(clinic.Letters.Template(r.Kind), LetterValues(clinic, p, r, doctor, day)))
	if r.Text != "" {
		d.Ln(4)
		d.text(contentW, r.Text)
	}

	d.Ln(20)
	sx, sw := marginX+contentW-75, 75.0
	y := d.GetY()
	d.SetDrawColor(60, 60, 60)
	d.SetLineWidth(0.3)
	d.Line(sx, y, sx+sw, y)
	d.SetXY(sx, y+1)
	d.font(true, 9.5, colorText)
	d.CellFormat(sw, d.lineH(), doctor.Name, "", 2, "C", false, 0, "")
	if doctor.RegistrationNumber != "" {
		d.SetX(sx)
		d.font(false, 8.5, colorText)
		d.CellFormat(sw, d.lineH(), "Registration no. "+doctor.RegistrationNumber, "", 2, "C", false, 0, "")
	}
	return d.bytes()
}

// LetterValues are the values of a letter's placeholders
// (app.LetterPlaceholders): the record's and what the doctor wrote; day
// is the date of issue.
func LetterValues(clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, day string) map[string]string {
	v := map[string]string{"patient": p.FullName(), "born": orUnknown(p.BirthDate), "record_no": p.MRN, "date": day,
		"doctor": doctor.Name, "registration_no": doctor.RegistrationNumber, "clinic": clinic.ClinicName}
	switch r.Kind {
	case app.LetterSickNote:
		days := 1
		if from, err := time.Parse(app.DateLayout, r.From); err == nil {
			if to, err := time.Parse(app.DateLayout, r.To); err == nil {
				days = int(to.Sub(from).Hours()/24) + 1
			}
		}
		unit := "days"
		if days == 1 {
			unit = "day"
		}
		v["from"], v["to"], v["days"] = r.From, r.To, fmt.Sprintf("%d %s", days, unit)
	case app.LetterReferral:
		v["recipient"] = r.Recipient
	}
	return v
}

func orUnknown(s string) string {
	if s == "" {
		return "date of birth not recorded"
	}
	return s
}
