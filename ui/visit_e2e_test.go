package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// TestVisitEndToEnd runs a doctor's visit in the real window on a real
// clinic database: the doctor lands on their day after login and sees who
// is waiting, starts the visit from the list, records vitals, a SOAP note,
// a coded diagnosis and a prescription whose allergy warning they
// override with a reason, orders a service and completes the visit; the
// draft invoice has the consultation at the fee the doctor's profile
// shows and the service at its price, everything recorded is linked to
// the visit, and the appointment is completed.
func TestVisitEndToEnd(t *testing.T) {
	h, c, d := realHarness(t)
	svc := d.Services()
	admin, desk := c.Ctx(app.RoleAdmin), c.Ctx(app.RoleReception)
	doctor := c.Users[app.RoleDoctor]
	pid := c.Patient2.PatientID
	if _, err := svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS-GP", Name: "General consultation",
		Kind: app.PriceConsultation, Price: 4000}); err != nil {
		t.Fatal(err)
	}
	ecg, err := svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "ECG", Name: "Electrocardiogram",
		Kind: app.PriceProcedure, Price: 2500, TaxRate: 600})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := svc.Appointments.GetDoctorProfile(admin, doctor.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof.ConsultationCode = "CONS-GP"
	if prof, err = svc.Appointments.SetDoctorProfile(admin, *prof); err != nil || prof.Fee != 4000 {
		t.Fatalf("profile %+v, %v", prof, err)
	}
	if _, err := svc.Clinical.AddAllergy(c.Ctx(app.RoleDoctor), app.AllergyCreate{PatientID: pid, Substance: "penicillin",
		Reaction: "anaphylaxis", Severity: app.SeveritySevere, Certainty: app.CertaintyConfirmed}); err != nil {
		t.Fatal(err)
	}
	appt, err := svc.Appointments.WalkIn(desk, pid, doctor.ID, "Chest pain", "seen between surgeries")
	if err != nil || appt.Status != app.AppointmentCheckedIn {
		t.Fatalf("walk-in %+v, %v", appt, err)
	}

	h.loginReal(doctor.Username, "a long staff password doctor")
	s := h.u.main.appts
	if h.u.main.current != app.AreaAppointments || s == nil {
		t.Fatalf("a doctor lands on %s", h.u.main.current)
	}
	day := s.day
	h.waitLong("the day's list", func() bool { return rowButton(day.list, appt.ID, "Start visit") != nil })
	if !strings.Contains(day.summary.Text, "1 waiting") {
		t.Errorf("the day does not say who is waiting: %q", day.summary.Text)
	}
	test.Tap(rowButton(day.list, appt.ID, "Start visit"))
	h.waitLong("the chart with the visit open", func() bool { return s.chart != nil && s.chart.visit.open != nil })
	ch := s.chart
	if ch.visit.open.AppointmentID != appt.ID {
		t.Fatalf("the visit is not the appointment's: %+v", ch.visit.open)
	}

	selectTab(t, ch.tabs, "Vitals")
	vt := ch.vitals
	vt.systolic.SetText("150")
	vt.diastolic.SetText("95")
	vt.pulse.SetText("88")
	test.Tap(vt.record)
	h.waitLong("the vitals", func() bool { return vt.saved.Visible() })

	selectTab(t, ch.tabs, "Notes")
	test.Tap(ch.notes.newNote)
	nf := ch.notes.form
	nf.mode.SetSelected(modeSOAP)
	nf.subjective.SetText("Chest tightness on exertion for a week.")
	nf.assessment.SetText("Stable angina")
	nf.plan.SetText("ECG today; aspirin; review in a week.")
	test.Tap(nf.save)
	h.waitLong("the note", func() bool { return ch.notes.form == nil && len(ch.notes.notes) == 1 })

	selectTab(t, ch.tabs, "Diagnoses")
	h.waitLong("the diagnoses tab", func() bool { return ch.diagnoses.add != nil })
	test.Tap(ch.diagnoses.add)
	df := ch.diagnoses.form
	test.Type(df.search, "I20.9")
	h.waitLong("the code", func() bool { return len(df.found) >= 1 })
	df.results.Select(0)
	if df.code == nil || df.code.Code != "I20.9" {
		t.Fatalf("chose %+v", df.code)
	}
	test.Tap(df.save)
	h.waitLong("the diagnosis", func() bool { return ch.diagnoses.form == nil && len(ch.diagnoses.diagnoses) == 1 })

	selectTab(t, ch.tabs, "Prescriptions")
	test.Tap(ch.rx.newRx)
	rf := ch.rx.form
	r := rf.items[0]
	test.Type(r.drug, "Amoxil")
	test.Type(r.strength, "500 mg")
	test.Type(r.dose, "1 capsule")
	test.Type(r.frequency, "3 times a day")
	test.Tap(rf.save)
	h.waitLong("the allergy warning", func() bool { return rf.allergy != nil })
	if !h.shows("penicillin") {
		t.Errorf("the warning does not name the allergy: %q", h.texts())
	}
	test.Type(rf.overrideReason, "Skin test negative in 2025, allergist's letter on file")
	rf.allergy.Confirm()
	h.waitLong("the prescription", func() bool { return ch.rx.form == nil && len(ch.rx.rxs) == 1 })

	test.Tap(ch.visit.complete)
	cf := ch.visit.form
	h.waitLong("the services", func() bool { return cf.qty[ecg.ID] != nil })
	cf.qty[ecg.ID].SetText("1")
	test.Tap(cf.done)
	h.waitLong("the visit completed", func() bool { return ch.visit.open == nil && ch.visit.form == nil })

	bill := c.Ctx(app.RoleBilling)
	vs, err := svc.Visits.FindVisits(admin, pid)
	if err != nil || len(vs) != 1 || vs[0].Status != app.VisitCompleted || vs[0].InvoiceID == "" {
		t.Fatalf("visits %+v, %v", vs, err)
	}
	linked := map[string]int{}
	for _, r := range vs[0].Records {
		linked[r.Entity]++
	}
	for _, e := range []string{"vitals", "notes", "diagnoses", "prescriptions"} {
		if linked[e] != 1 {
			t.Errorf("the visit has %d %s, want 1 (%v)", linked[e], e, linked)
		}
	}
	inv, err := svc.Billing.FindInvoice(bill, vs[0].InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != app.InvoiceDraft || inv.AppointmentID != appt.ID || len(inv.Lines) != 2 {
		t.Fatalf("invoice %+v", inv)
	}
	if l := inv.Lines[0]; l.Kind != app.PriceConsultation || int64(l.UnitPrice) != prof.Fee || l.Quantity != 1 {
		t.Errorf("consultation line %+v, want the profile's fee %d", l, prof.Fee)
	}
	if l := inv.Lines[1]; l.Code != "ECG" || l.UnitPrice != 2500 || l.TaxRate != 600 || l.Quantity != 1 {
		t.Errorf("service line %+v", l)
	}
	got, err := svc.Appointments.FindAppointment(desk, appt.ID)
	if err != nil || got.Status != app.AppointmentCompleted {
		t.Fatalf("the appointment after the visit: %+v, %v", got, err)
	}
	rxs, err := svc.Clinical.FindPrescriptions(admin, pid)
	if err != nil || len(rxs) != 1 || !strings.Contains(rxs[0].AllergyWarning, "Skin test negative") {
		t.Fatalf("prescription %+v, %v", rxs, err)
	}
}
