package pdf

//i18n:todo

import (
	"fmt"
	"time"

	"hms/app"
)

// AppointmentSlip renders the slip a patient takes home after booking, on
// a receipt roll of width mm (Roll80mm or Roll58mm): the clinic, the
// patient, the doctor and room, the day with its weekday and the time, the
// reason, and the clinic's phone to call to change it. Times print in loc.
func AppointmentSlip(clinic *app.Settings, a *app.Appointment, loc *time.Location, width float64) ([]byte, error) {
	if clinic == nil || a == nil {
		return nil, fmt.Errorf("pdf: appointment slip: clinic and appointment are required")
	}
	if width != Roll80mm && width != Roll58mm {
		return nil, fmt.Errorf("pdf: appointment slip: no %g mm roll layout", width)
	}
	if loc == nil {
		loc = time.UTC
	}
	d, err := newSheet(width, "Appointment "+a.PatientName, a.CreatedAt)
	if err != nil {
		return nil, err
	}
	d.info("Subject", a.PatientName)
	d.info("Author", clinic.ClinicName)
	ro := newRoll(d, width)
	small, normal, big := ro.sizes()
	ro.para(big, clinic.ClinicName, true)
	ro.para(small, clinic.Address, true)
	ro.para(small, clinic.Phone, true)
	ro.rule()
	ro.para(big, "Appointment", true)
	start := a.Start.In(loc)
	ro.para(big, start.Format("Monday 2 January 2006"), true)
	ro.para(big, start.Format("15:04")+"–"+a.End.In(loc).Format("15:04"), true)
	ro.rule()
	ro.para(normal, a.PatientName, false)
	if a.PatientMRN != "" {
		ro.para(small, "Record no. "+a.PatientMRN, false)
	}
	ro.rule()
	ro.pair(normal, "Doctor", a.DoctorName)
	if a.Room != "" {
		ro.pair(normal, "Room", a.Room)
	}
	if a.Reason != "" {
		ro.pair(normal, "Reason", a.Reason)
	}
	ro.rule()
	if clinic.Phone != "" {
		ro.para(small, "To change or cancel, call "+clinic.Phone+".", true)
	}
	return ro.finish(), nil
}

// TokenSlip renders the slip a patient takes at check-in, on a receipt roll
// of width mm (Roll80mm or Roll58mm): the clinic, the queue token in large
// type, the doctor and the time checked in (in loc), and a word that the
// token is called on the waiting-room display. It carries no name: the
// slip is easily left behind.
func TokenSlip(clinic *app.Settings, a *app.Appointment, loc *time.Location, width float64) ([]byte, error) {
	if clinic == nil || a == nil || a.Token == "" {
		return nil, fmt.Errorf("pdf: token slip: clinic and a checked-in appointment are required")
	}
	if width != Roll80mm && width != Roll58mm {
		return nil, fmt.Errorf("pdf: token slip: no %g mm roll layout", width)
	}
	if loc == nil {
		loc = time.UTC
	}
	d, err := newSheet(width, "Token "+a.Token, a.CheckedInAt)
	if err != nil {
		return nil, err
	}
	d.info("Author", clinic.ClinicName)
	ro := newRoll(d, width)
	small, normal, big := ro.sizes()
	ro.para(normal, clinic.ClinicName, true)
	ro.rule()
	ro.para(small, "Your number", true)
	ro.para(big*3, a.Token, true)
	ro.rule()
	ro.pair(normal, "Doctor", a.DoctorName)
	ro.pair(normal, "Checked in", a.CheckedInAt.In(loc).Format("Mon 2 Jan 15:04"))
	ro.rule()
	ro.para(small, "Please wait: your number and room will show on the screen.", true)
	return ro.finish(), nil
}
