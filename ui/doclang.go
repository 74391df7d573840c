package ui

import (
	"context"

	"hms/app"
	"hms/app/i18n"
)

// The language of a document the desk prints for a patient (a label, an
// appointment or token slip): the patient's own, else the language of
// the screen it is printed from (the desk cannot read the clinic's
// message language, which data's documents fall back to).

// patientDocLang is the language of a document for a patient whose
// language code is code.
func patientDocLang(code string) i18n.Lang {
	if l, err := i18n.Parse(code); err == nil {
		return l
	}
	return tr().Lang()
}

// appointmentDocLang is patientDocLang of a's patient, read from the
// record; the screen's language when the record cannot be read.
func appointmentDocLang(ctx context.Context, u *UI, a *app.Appointment) i18n.Lang {
	if u.svc.Patients == nil || a.PatientID == "" {
		return tr().Lang()
	}
	p, err := u.svc.Patients.FindPatientByID(ctx, a.PatientID)
	if err != nil {
		return tr().Lang()
	}
	return patientDocLang(p.Language)
}
