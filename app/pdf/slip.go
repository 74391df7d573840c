package pdf

import (
	"fmt"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// AppointmentSlip renders the slip a patient takes home after booking, on
// a receipt roll of width mm (Roll80mm or Roll58mm): the clinic, the
// patient, the doctor and room, the day with its weekday and the time, the
// reason, and the clinic's phone to call to change it. Times print in loc,
// the words in lang (the patient's).
func AppointmentSlip(clinic *app.Settings, a *app.Appointment, loc *time.Location, width float64, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || a == nil {
		return nil, fmt.Errorf("pdf: appointment slip: clinic and appointment are required")
	}
	if width != Roll80mm && width != Roll58mm {
		return nil, fmt.Errorf("pdf: appointment slip: no %g mm roll layout", width)
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	d, err := newSheet(width, tr.F("Appointment %s", a.PatientName), a.CreatedAt)
	if err != nil {
		return nil, err
	}
	d.info(infoSubject, a.PatientName)
	d.info(infoAuthor, clinic.ClinicName)
	ro := newRoll(d, width)
	small, normal, big := ro.sizes()
	ro.para(big, clinic.ClinicName, true)
	ro.para(small, clinic.Address, true)
	ro.para(small, clinic.Phone, true)
	ro.rule()
	ro.para(big, tr.T("Appointment"), true)
	start := a.Start.In(loc)
	ro.para(big, tr.LongDate(start), true)
	ro.para(big, tr.Clock(start)+"–"+tr.Clock(a.End.In(loc)), true)
	ro.rule()
	ro.para(normal, a.PatientName, false)
	if a.PatientMRN != "" {
		ro.para(small, tr.F("Record no. %s", a.PatientMRN), false)
	}
	ro.rule()
	ro.pair(normal, tr.T("Doctor"), a.DoctorName)
	if a.Room != "" {
		ro.pair(normal, tr.T("Room"), a.Room)
	}
	if a.Reason != "" {
		ro.pair(normal, tr.T("Reason"), a.Reason)
	}
	ro.rule()
	if clinic.Phone != "" {
		ro.para(small, tr.F("To change or cancel, call %s.", clinic.Phone), true)
	}
	return ro.finish(), nil
}

// TokenSlip renders the slip a patient takes at check-in, on a receipt roll
// of width mm (Roll80mm or Roll58mm): the clinic, the queue token in large
// type, the doctor and the time checked in (in loc), and a word that the
// token is called on the waiting-room display. It carries no name: the
// slip is easily left behind. The words are in lang (the patient's).
func TokenSlip(clinic *app.Settings, a *app.Appointment, loc *time.Location, width float64, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || a == nil || a.Token == "" {
		return nil, fmt.Errorf("pdf: token slip: clinic and a checked-in appointment are required")
	}
	if width != Roll80mm && width != Roll58mm {
		return nil, fmt.Errorf("pdf: token slip: no %g mm roll layout", width)
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	d, err := newSheet(width, tr.F("Token %s", a.Token), a.CheckedInAt)
	if err != nil {
		return nil, err
	}
	d.info(infoAuthor, clinic.ClinicName)
	ro := newRoll(d, width)
	small, normal, big := ro.sizes()
	ro.para(normal, clinic.ClinicName, true)
	ro.rule()
	ro.para(small, tr.T("Your number"), true)
	ro.para(big*3, a.Token, true)
	ro.rule()
	ro.pair(normal, tr.T("Doctor"), a.DoctorName)
	ro.pair(normal, tr.T("Checked in"), tr.DayTime(a.CheckedInAt.In(loc)))
	ro.rule()
	ro.para(small, tr.T("Please wait: your number and room will show on the screen."), true)
	return ro.finish(), nil
}
