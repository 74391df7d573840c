package data_test

import (
	"fmt"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// TestVerifyAfterMixedUse is a working session in one process: staff
// register, search, book, record vitals and notes, prescribe and bill, with
// searches on the pooled readers between the writes (so the readers hold
// FTS5 state the writes then change). The in-app Verify must agree with a
// fresh process's `hms verify` on the same file: both OK.
func TestVerifyAfterMixedUse(t *testing.T) {
	a := mustAppointments(t)
	rec, doc, nurse, bill := a.ctx(app.RoleReception), a.ctx(app.RoleDoctor), a.ctx(app.RoleNurse), a.ctx(app.RoleBilling)
	item, err := a.svc.Billing.CreatePriceItem(a.ctx(app.RoleAdmin), app.PriceItemInput{Code: "cons-gp",
		Name: "General consultation", Kind: app.PriceConsultation, Price: 4000})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	search := func(q string) {
		t.Helper()
		// Several at once, so more than one pooled reader caches FTS5 state.
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				_, err := a.svc.Patients.FindPatients(rec, app.PatientFilter{Query: q, Limit: 20})
				errs <- err
			}()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	start := a.at(tomorrow, "08:00")
	for i := range 60 {
		p, err := a.svc.Patients.CreatePatient(rec, app.PatientCreate{GivenName: fmt.Sprintf("Given%03d", i),
			FamilyName: fmt.Sprintf("Family%03d", i%7), Sex: app.SexFemale, BirthDate: "1980-02-03",
			Phone: fmt.Sprintf("+30 210 555 %04d", i)})
		if err != nil {
			t.Fatal(err)
		}
		search("fam")
		search(fmt.Sprintf("555 %04d", i))
		at := start.Add(time.Duration(i%16)*15*time.Minute).AddDate(0, 0, i/16)
		if at.In(a.loc).Weekday() == time.Sunday {
			at = at.AddDate(0, 0, 1)
		}
		must(a.svc.Appointments.Book(rec, app.AppointmentCreate{PatientID: p.ID, DoctorID: a.doctor,
			Start: at, Reason: "Check-up"}))
		must(a.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: p.ID, TakenAt: a.clock.Now().Add(-time.Hour),
			Systolic: 120, Diastolic: 80, Pulse: 70}))
		must(a.svc.Clinical.AddNote(doc, app.NoteCreate{PatientID: p.ID, Kind: app.NoteClinical, Subjective: "Cough."}))
		must(a.svc.Clinical.Prescribe(doc, app.PrescriptionCreate{PatientID: p.ID, Items: []app.PrescriptionItem{
			{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet", Frequency: "every 6 hours"}}}))
		inv, err := a.svc.Billing.CreateDraftInvoice(bill, app.DraftInvoice{PatientID: p.ID,
			Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if inv, err = a.svc.Billing.IssueInvoice(bill, inv.ID); err != nil {
			t.Fatal(err)
		}
		must(a.svc.Billing.TakePayment(bill, pay(inv.ID, inv.Balance)))
		if i%10 == 9 {
			// Renames move the patients' rows in both FTS5 indexes.
			given := fmt.Sprintf("Renamed%03d", i)
			must(a.svc.Patients.UpdatePatient(rec, p.ID, app.PatientUpdate{GivenName: &given}))
			search("ren")
		}
	}
	inApp, err := a.svc.Audit.Verify(a.ctx(app.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	// What `hms verify` does: a new process opens the file and verifies.
	fresh, err := data.Open(a.db.Path(), data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	cli, err := fresh.Verify(anon)
	if err != nil {
		t.Fatal(err)
	}
	if !cli.OK() {
		t.Fatalf("a fresh open reports problems: %+v", cli)
	}
	if !inApp.OK() {
		t.Fatalf("in-app verify reports problems on a healthy database: %+v", inApp)
	}
}
