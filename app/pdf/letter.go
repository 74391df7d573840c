package pdf

import (
	"fmt"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// Letter renders a sick note (medical certificate) or a referral letter:
// the clinic's header, the patient (name, record number, date of birth),
// the wording of the kind with the doctor's text, and the doctor's name
// and registration number under a signature line. issued is shown in loc,
// the clinic's time zone; the letter is in lang (the patient's).
func Letter(clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, issued time.Time, loc *time.Location, lang i18n.Lang) ([]byte, error) {
	l, err := NewLetter(clinic, p, r, doctor, issued, loc, lang)
	if err != nil {
		return nil, err
	}
	return RenderLetter(l, clinic.Logo, false, lang)
}

// NewLetter is the letter as issued now: what the record, the clinic's
// settings and the doctor give it, every text formatted once, so that a
// reprint of the stored letter reads the same. Its wording is in lang (the
// patient's) when the clinic keeps the default wording; a clinic's own
// template is printed as written.
func NewLetter(clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, issued time.Time, loc *time.Location, lang i18n.Lang) (*app.Letter, error) {
	if clinic == nil || p == nil || doctor == nil {
		return nil, fmt.Errorf("pdf: letter: clinic, patient and doctor are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	day := issued.In(loc)
	l := &app.Letter{PatientID: p.ID, Kind: r.Kind, DoctorID: doctor.DoctorID, DoctorName: doctor.Name,
		RegistrationNumber: doctor.RegistrationNumber, PatientName: p.FullName(), PatientMRN: p.MRN,
		PatientBirthDate: p.BirthDate, Text: r.Text, ClinicName: clinic.ClinicName, IssuedOn: day.Format(app.DateLayout),
		CreatedAt: issued, Language: tr.Lang(),
		Body: app.FillLetterTemplate(LetterTemplate(tr, clinic, r.Kind), LetterValues(tr, clinic, p, r, doctor, day))}
	switch r.Kind {
	case app.LetterSickNote:
		l.From, l.To = r.From, r.To
	case app.LetterReferral:
		l.Recipient = r.Recipient
	}
	for _, s := range []string{clinic.Address, clinic.Phone, taxLine(tr, clinic.TaxID)} {
		if s != "" {
			l.ClinicDetails = append(l.ClinicDetails, s)
		}
	}
	return l, nil
}

// LetterTemplate is the clinic's wording of a kind of letter: its own
// template as written, else the default wording in tr's language.
func LetterTemplate(tr *i18n.Tr, clinic *app.Settings, kind app.LetterKind) string {
	return clinic.Letters.TemplateIn(tr, kind)
}

// letterTitle is a kind of letter's title in tr's language.
func letterTitle(tr *i18n.Tr, k app.LetterKind) string {
	switch k {
	case app.LetterSickNote:
		return tr.T("Medical certificate")
	case app.LetterReferral:
		return tr.T("Referral letter")
	}
	return k.Label()
}

// RenderLetter renders l with the clinic's logo, its labels in lang (the
// patient's; the wording is l's as issued); with copy, a boxed red "COPY"
// heads the page, as on a reprinted receipt, and nothing else differs.
func RenderLetter(l *app.Letter, logo []byte, copy bool, lang i18n.Lang) ([]byte, error) {
	if l == nil {
		return nil, fmt.Errorf("pdf: letter: no letter")
	}
	tr := i18n.For(lang)
	title := letterTitle(tr, l.Kind)
	issued := l.CreatedAt
	if issued.IsZero() {
		issued = time.Now()
	}
	issuedOn := l.IssuedOn
	if t, err := time.Parse(app.DateLayout, l.IssuedOn); err == nil {
		issuedOn = tr.LongDate(t)
	}
	d := newDoc(tr, title+" "+l.PatientName, issued)
	d.SetSubject(l.PatientName, true)
	d.SetAuthor(l.DoctorName, true)
	d.SetFooterFunc(func() { d.footer(title + " · " + l.PatientMRN + " · " + l.IssuedOn) })
	d.AddPage()
	d.headerLines(logo, l.ClinicName, l.ClinicDetails, title, []string{tr.F("Date %s", issuedOn)},
		headerFace{bold: true, size: 14, grey: colorText})
	if copy {
		d.font(false, 16, colorText)
		d.SetTextColor(190, 0, 0)
		d.SetDrawColor(190, 0, 0)
		d.cell(contentW, 9, tr.T("COPY"), "1", 1, alignC, false)
		d.SetDrawColor(0, 0, 0)
		d.Ln(2)
	}

	d.font(true, 11, colorText)
	d.text(contentW, l.PatientName)
	d.font(false, 9, colorText)
	line := tr.F("Record no. %s", l.PatientMRN)
	if l.PatientBirthDate != "" {
		line += "   ·   " + tr.F("Date of birth %s", l.PatientBirthDate)
	}
	d.text(contentW, line)
	d.Ln(6)

	d.font(false, 10.5, colorText)
	if l.Kind == app.LetterReferral {
		d.text(contentW, tr.F("To: %s", l.Recipient))
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
	d.CellFormat(sw, d.lineH(), l.DoctorName, "", 2, alignC, false, 0, "")
	if l.RegistrationNumber != "" {
		d.SetX(sx)
		d.font(false, 8.5, colorText)
		d.CellFormat(sw, d.lineH(), tr.F("Registration no. %s", l.RegistrationNumber), "", 2, alignC, false, 0, "")
	}
	return d.bytes()
}

// LetterValues are the values of a letter's placeholders
// (app.LetterPlaceholders): the record's and what the doctor wrote, the
// dates in words in tr's language; day is the date of issue, in the
// clinic's time zone.
func LetterValues(tr *i18n.Tr, clinic *app.Settings, p *app.Patient, r app.LetterRequest, doctor *app.Prescriber, day time.Time) map[string]string {
	v := map[string]string{"patient": p.FullName(), "born": orUnknown(tr, p.BirthDate), "record_no": p.MRN,
		"date": tr.LongDate(day), "doctor": doctor.Name, "registration_no": doctor.RegistrationNumber,
		"clinic": clinic.ClinicName}
	switch r.Kind {
	case app.LetterSickNote:
		days := 1
		v["from"], v["to"] = r.From, r.To
		if from, err := time.Parse(app.DateLayout, r.From); err == nil {
			v["from"] = tr.LongDate(from)
			if to, err := time.Parse(app.DateLayout, r.To); err == nil {
				days = int(to.Sub(from).Hours()/24) + 1
				v["to"] = tr.LongDate(to)
			}
		}
		v["days"] = tr.F("%d days", days)
		if days == 1 {
			v["days"] = tr.T("1 day")
		}
	case app.LetterReferral:
		v["recipient"] = r.Recipient
	}
	return v
}

func orUnknown(tr *i18n.Tr, s string) string {
	if s == "" {
		return tr.T("date of birth not recorded")
	}
	return s
}
