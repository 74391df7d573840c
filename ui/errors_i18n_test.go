package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/i18n"
)

// An invalid registration in Greek: the message next to the field is in
// Greek, whether the form's own check or the service refused it.
func TestRegistrationErrorsInGreek(t *testing.T) {
	speakIn(t, i18n.Greek)

	h := newClinicHarness(t)
	s := h.openPatients(app.RoleReception)
	test.Tap(s.register)
	f := s.form
	if f == nil {
		t.Fatal("Register opened no form")
	}

	// The form's check: a control character in the given name.
	test.Type(f.givenName, "Ada\x1b")
	test.Tap(f.save)
	h.settle()
	want := "Το όνομα: περιέχει έναν χαρακτήρα ελέγχου (U+001B, χαρακτήρας 4) που δεν επιτρέπεται: πληκτρολογήστε το ξανά."
	if got := f.errs.text("given_name"); got != want {
		t.Errorf("given name message = %q, want %q; window shows %q", got, want, h.texts())
	}

	// The service's refusal, next to its field.
	h.patients.FindDuplicatesFn = func(context.Context, app.PatientCreate) ([]*app.Duplicate, error) { return nil, nil }
	h.patients.CreatePatientFn = func(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
		h.record("CreatePatient", ctx, c)
		return nil, app.FieldErrorf("phone", "%q is not a phone number: use digits, spaces, and an optional leading +.", "69x")
	}
	f.givenName.SetText("Ada")
	test.Type(f.familyName, "Lovelace")
	f.sex.SetSelectedIndex(0)
	test.Type(f.birthDate, "1985-12-10")
	test.Type(f.phone, "+30 690 1234567")
	test.Tap(f.save)
	h.waitFor("the phone message", func() bool { return f.errs.text("phone") != "" })
	want = `Το "69x" δεν είναι αριθμός τηλεφώνου: χρησιμοποιήστε ψηφία, κενά και προαιρετικά ένα + στην αρχή.`
	if got := f.errs.text("phone"); got != want {
		t.Errorf("phone message = %q, want %q; window shows %q", got, want, h.texts())
	}
	if h.called("CreatePatient") != 1 {
		t.Errorf("CreatePatient called %d times", h.called("CreatePatient"))
	}
}
