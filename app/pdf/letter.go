package pdf

//i18n:todo

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
	l, err := NewLetter(clinic, p, r, doctor, issued, loc)
	if err != nil {
		return nil, err
	}
	return RenderLetter(l, clinic.Logo, false)
}

// NewLetter is the letter as issued now: what the record, the clinic's
// settings and the doctor give it, every text formatted once, so that a
// reprint of the stored letter reads the same.
func NewLetter(clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, issued time.Time, loc *time.Location) (*app.Letter, error) {
	if clinic == nil || p == nil || doctor == nil {
		return nil, fmt.Errorf("pdf: letter: clinic, patient and doctor are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	day := issued.In(loc).Format(app.DateLayout)
	l := &app.Letter{PatientID: p.ID, Kind: r.Kind, DoctorID: doctor.DoctorID, DoctorName: doctor.Name,
		RegistrationNumber: doctor.RegistrationNumber, PatientName: p.FullName(), PatientMRN: p.MRN,
		PatientBirthDate: p.BirthDate, Text: r.Text, ClinicName: clinic.ClinicName, IssuedOn: day, CreatedAt: issued,
		Body: app.FillLetterTemplate(clinic.Letters.Template(r.Kind), LetterValues(clinic, p, r, doctor, day))}
	switch r.Kind {
	case app.LetterSickNote:
		l.From, l.To = r.From, r.To
	case app.LetterReferral:
		l.Recipient = r.Recipient
	}
	for _, s := range []string{clinic.Address, clinic.Phone, taxLine(clinic.TaxID)} {
		if s != "" {
			l.ClinicDetails = append(l.ClinicDetails, s)
		}
	}
	return l, nil
}

// RenderLetter renders l with the clinic's logo; with copy, a boxed red
// "COPY" heads the page, as on a reprinted receipt, and nothing else
// differs.
func RenderLetter(l *app.Letter, logo []byte, copy bool) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("pdf: letter: no letter")
	}
	title := l.Kind.Label()
	issued := l.CreatedAt
	if issued.IsZero() {
		issued = time.Now()
	}
	d := newDoc(title+" "+l.PatientName, issued)
	d.SetSubject(l.PatientName, true)
	d.SetAuthor(l.DoctorName, true)
	d.SetFooterFunc(func() { d.footer(title + " · " + l.PatientMRN + " · " + l.IssuedOn) })
	d.AddPage()
	d.headerLines(logo, l.ClinicName, l.ClinicDetails, title, []string{"Date " + l.IssuedOn},
		headerFace{bold: true, size: 14, grey: colorText})
	if copy {
		d.font(false, 16, colorText)
		d.SetTextColor(190, 0, 0)
		d.SetDrawColor(190, 0, 0)
		d.CellFormat(contentW, 9, "COPY", "1", 1, "C", false, 0, "")
		d.SetDrawColor(0, 0, 0)
		d.Ln(2)
	}

	d.font(true, 11, colorText)
	d.text(contentW, l.PatientName)
	d.font(false, 9, colorText)
	line := "Record no. " + l.PatientMRN
	if l.PatientBirthDate != "" {
		line += "   ·   Date of birth " + l.PatientBirthDate
	}
	d.text(contentW, line)
	d.Ln(6)

	d.font(false, 10.5, colorText)
	if l.Kind == app.LetterReferral {
		d.text(contentW, "To: "+l.Recipient)
		d.Ln(3)
	}
	d.text(contentW, l.Body)
	if l.Text != "" {
		d.Ln(4)
		d.text(contentW, l.Text)
	}

	d.Ln(20)
	sx, sw := marginX+contentW-75, 75.0
	y := d.GetY()
	d.SetDrawColor(60, 60, 60)
	d.SetLineWidth(0.3)
	d.Line(sx, y, sx+sw, y)
	d.SetXY(sx, y+1)
	d.font(true, 9.5, colorText)
	d.CellFormat(sw, d.lineH(), l.DoctorName, "", 2, "C", false, 0, "")
	if l.RegistrationNumber != "" {
		d.SetX(sx)
		d.font(false, 8.5, colorText)
		d.CellFormat(sw, d.lineH(), "Registration no. "+l.RegistrationNumber, "", 2, "C", false, 0, "")
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
