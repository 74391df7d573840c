package data_test

import (
	"testing"

	"hms/app"
)

// TestVisitFromAppointment: a doctor starts a visit from the chart of a
// patient booked with them today: the visit takes the appointment (a
// confirmed one is checked in), and completing the visit completes the
// appointment and bills it once, with the consultation item the doctor's
// profile shows, at the profile's fee.
func TestVisitFromAppointment(t *testing.T) {
	a := mustAppointments(t)
	admin, doc := a.ctx(app.RoleAdmin), a.ctx(app.RoleDoctor)
	if _, err := a.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS-GP", Name: "General consultation",
		Kind: app.PriceConsultation, Price: 4000}); err != nil {
		t.Fatal(err)
	}
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(today, "11:30")})
	other := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "11:45")})

	// Another patient's appointment is not this visit's.
	_, err := a.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: a.patient2, AppointmentID: other.ID})
	wantErr(t, err, app.EINVALID, "appointment", "not this patient's with you")
	_, err = a.svc.Visits.StartVisit(a.ctx(app.RoleDoctor), app.VisitStart{PatientID: a.patient2, AppointmentID: "nope"})
	wantErr(t, err, app.EINVALID, "appointment", "not this patient's with you")

	v, err := a.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: a.patient2})
	if err != nil {
		t.Fatal(err)
	}
	if v.AppointmentID != ap.ID {
		t.Fatalf("the visit from the chart did not take today's appointment: %q, want %q", v.AppointmentID, ap.ID)
	}
	if got := a.status(t, ap.ID); got != app.AppointmentCheckedIn {
		t.Fatalf("the appointment is %s once the doctor sees the patient", got)
	}
	prof, err := a.svc.Appointments.GetDoctorProfile(doc, a.doctor)
	if err != nil || prof.ConsultationCode != "CONS-GP" || !prof.ConsultationDefault || prof.Fee != 4000 {
		t.Fatalf("profile %+v, %v", prof, err)
	}
	done, err := a.svc.Visits.CompleteVisit(doc, v.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.status(t, ap.ID); got != app.AppointmentCompleted {
		t.Fatalf("completing the visit left the appointment %s", got)
	}
	inv, err := a.svc.Billing.FindInvoice(a.ctx(app.RoleBilling), done.InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.AppointmentID != ap.ID || len(inv.Lines) != 1 || int64(inv.Lines[0].UnitPrice) != prof.Fee {
		t.Fatalf("invoice %+v", inv)
	}
	// The appointment is billed once: billing's draft from it is the same invoice.
	again, err := a.svc.Billing.DraftForAppointment(a.ctx(app.RoleBilling), ap.ID)
	if err != nil || again.ID != inv.ID {
		t.Fatalf("billing the appointment again: %v, %v", again, err)
	}
}

// TestConsultationItemOnProfile: an administrator links a price-list item
// to a doctor's profile; the profile shows its fee, a visit bills it, a
// doctor cannot choose another, a code that is not a current consultation
// is refused next to the field, and a retired item stops completion
// rather than billing another fee.
func TestConsultationItemOnProfile(t *testing.T) {
	a := mustAppointments(t)
	admin, doc := a.ctx(app.RoleAdmin), a.ctx(app.RoleDoctor)
	for _, in := range []app.PriceItemInput{
		{Code: "CONS-GP", Name: "General consultation", Kind: app.PriceConsultation, Price: 4000},
		{Code: "CONS-LONG", Name: "Long consultation", Kind: app.PriceConsultation, Price: 6500},
		{Code: "ECG", Name: "Electrocardiogram", Kind: app.PriceProcedure, Price: 2500},
	} {
		if _, err := a.svc.Billing.CreatePriceItem(admin, in); err != nil {
			t.Fatal(err)
		}
	}
	p, err := a.svc.Appointments.GetDoctorProfile(admin, a.doctor)
	if err != nil {
		t.Fatal(err)
	}
	p.ConsultationCode = "ECG"
	_, err = a.svc.Appointments.SetDoctorProfile(admin, *p)
	wantErr(t, err, app.EINVALID, "consultation", "not a current consultation")
	p.ConsultationCode = "CONS-LONG"
	_, err = a.svc.Appointments.SetDoctorProfile(doc, *p)
	wantErr(t, err, app.EINVALID, "consultation", "Only an administrator")
	p.ConsultationCode = "cons-long"
	got, err := a.svc.Appointments.SetDoctorProfile(admin, *p)
	if err != nil || got.ConsultationCode != "CONS-LONG" || got.ConsultationDefault || got.Fee != 6500 {
		t.Fatalf("profile %+v, %v", got, err)
	}
	if e := lastAudit(t, a.clinic); e.Action != "doctor.profile" {
		t.Errorf("audit %+v", e)
	}
	// The doctor saves their own profile, sending back the item it shows.
	got.Room = "Room 9"
	if _, err := a.svc.Appointments.SetDoctorProfile(doc, *got); err != nil {
		t.Fatal(err)
	}
	ds, err := a.svc.Appointments.FindDoctors(a.ctx(app.RoleReception), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.UserID == a.doctor && (d.Fee != 6500 || d.ConsultationCode != "CONS-LONG") {
			t.Errorf("the doctors' list shows %+v", d)
		}
	}
	v, err := a.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: a.patient2})
	if err != nil {
		t.Fatal(err)
	}
	done, err := a.svc.Visits.CompleteVisit(doc, v.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := a.svc.Billing.FindInvoice(a.ctx(app.RoleBilling), done.InvoiceID)
	if err != nil || len(inv.Lines) != 1 || inv.Lines[0].UnitPrice != 6500 || inv.Lines[0].Description != "Long consultation" {
		t.Fatalf("invoice %+v, %v", inv, err)
	}

	if _, err := a.svc.Billing.RetirePriceItem(admin, "CONS-LONG"); err != nil {
		t.Fatal(err)
	}
	v2, err := a.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: a.patient2})
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, a.db)
	_, err = a.svc.Visits.CompleteVisit(doc, v2.ID, nil)
	wantErr(t, err, app.ECONFLICT, "", "CONS-LONG")
	if snapshot(t, a.db) != snap {
		t.Fatal("a refused completion changed the database")
	}
}
