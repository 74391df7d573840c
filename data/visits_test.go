package data_test

import (
	"fmt"
	"testing"

	"hms/app"
)

// TestVisit: a doctor starts a visit; what is recorded for the patient
// while it is open (vitals by a nurse, a note, a diagnosis, a
// prescription) is linked to it; only its doctor completes it, which
// makes the draft invoice with the doctor's consultation and the services
// performed, at the price list's prices; the history shows both ends.
func TestVisit(t *testing.T) {
	c := mustSetup(t)
	admin, doc, nurse, bill := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse), c.ctx(app.RoleBilling)
	pid := c.patient2.PatientID
	cons, err := c.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS-DOC", Name: "Consultation, the doctor",
		Kind: app.PriceConsultation, Price: 6000, DoctorID: c.users[app.RoleDoctor].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS-GP", Name: "General consultation",
		Kind: app.PriceConsultation, Price: 4000}); err != nil {
		t.Fatal(err)
	}
	ecg, err := c.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "ECG", Name: "Electrocardiogram",
		Kind: app.PriceProcedure, Price: 2500, TaxRate: 600})
	if err != nil {
		t.Fatal(err)
	}
	services, err := c.svc.Visits.FindVisitServices(doc, "electro")
	if err != nil || len(services) != 1 || services[0].ID != ecg.ID {
		t.Fatalf("the services a doctor orders: %+v, %v", services, err)
	}
	if all, _ := c.svc.Visits.FindVisitServices(doc, ""); len(all) != 1 {
		t.Fatalf("consultations are not ordered: %+v", all)
	}
	before, err := c.svc.Clinical.AddNote(doc, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Text: "Before the visit."})
	if err != nil {
		t.Fatal(err)
	}

	v, err := c.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: pid})
	if err != nil || v.Status != app.VisitOpen || v.DoctorID != c.users[app.RoleDoctor].ID {
		t.Fatal(v, err)
	}
	if e := lastAudit(t, c); e.Action != "visit.start" || e.EntityID != v.ID || e.PatientID != pid {
		t.Errorf("audit %+v", e)
	}
	if _, err := c.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: pid}); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("a second open visit: %v", err)
	}
	if _, err := c.svc.Visits.StartVisit(nurse, app.VisitStart{PatientID: pid}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a nurse starts a visit: %v", err)
	}
	vit, err := c.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: pid, Systolic: 130, Diastolic: 85, Pulse: 72})
	if err != nil {
		t.Fatal(err)
	}
	note, err := c.svc.Clinical.AddNote(doc, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Assessment: "Asthma", Plan: "Inhaler"})
	if err != nil {
		t.Fatal(err)
	}
	dx, err := c.svc.Diagnoses.AddDiagnosis(doc, app.DiagnosisCreate{PatientID: pid, NoteID: note.ID, Code: "J45.909"})
	if err != nil || dx.VisitID != v.ID {
		t.Fatal(dx, err)
	}
	rx, err := c.svc.Clinical.Prescribe(doc, app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{
		{Drug: "Salbutamol inhaler", Dose: "2 puffs", Frequency: "when needed"}}})
	if err != nil {
		t.Fatal(err)
	}

	snap := snapshot(t, c.db)
	other := c.ctx(app.RoleAdmin)
	for name, call := range map[string]func() error{
		"AnAdmin": func() error { _, err := c.svc.Visits.CompleteVisit(other, v.ID, nil); return err },
		"BadService": func() error {
			_, err := c.svc.Visits.CompleteVisit(doc, v.ID, []app.VisitServiceLine{{PriceItemID: "nope", Quantity: 1}})
			return err
		},
		"ZeroQuantity": func() error {
			_, err := c.svc.Visits.CompleteVisit(doc, v.ID, []app.VisitServiceLine{{PriceItemID: ecg.ID}})
			return err
		},
		"UnknownVisit": func() error {
			_, err := c.svc.Visits.CompleteVisit(doc, "019ab000-0000-7000-8000-000000000000", nil)
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: completed", name)
		}
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("a refused completion changed data")
	}
	done, err := c.svc.Visits.CompleteVisit(doc, v.ID, []app.VisitServiceLine{{PriceItemID: ecg.ID, Quantity: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != app.VisitCompleted || done.InvoiceID == "" || done.CompletedAt.IsZero() {
		t.Fatalf("%+v", done)
	}
	want := fmt.Sprint([]app.VisitRecord{{Entity: "vitals", RecordID: vit.ID}, {Entity: "notes", RecordID: note.ID},
		{Entity: "diagnoses", RecordID: dx.ID}, {Entity: "prescriptions", RecordID: rx.ID}})
	if got := fmt.Sprint(done.Records); got != want {
		t.Errorf("records %s\nwant %s", got, want)
	}
	if _, err := c.svc.Visits.CompleteVisit(doc, v.ID, nil); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("completed twice: %v", err)
	}
	inv, err := c.svc.Billing.FindInvoice(bill, done.InvoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != app.InvoiceDraft || inv.PatientID != pid || len(inv.Lines) != 2 {
		t.Fatalf("%+v", inv)
	}
	if l := inv.Lines[0]; l.PriceItemID != cons.ID || l.UnitPrice != 6000 || l.Quantity != 1 || l.Kind != app.PriceConsultation {
		t.Errorf("consultation %+v", l)
	}
	if l := inv.Lines[1]; l.PriceItemID != ecg.ID || l.UnitPrice != 2500 || l.Quantity != 2 || l.TaxRate != 600 {
		t.Errorf("service %+v", l)
	}
	visits, err := c.svc.Visits.FindVisits(nurse, pid)
	if err != nil || len(visits) != 1 || visits[0].ID != v.ID || len(visits[0].Records) != 4 {
		t.Fatalf("%+v, %v", visits, err)
	}
	for _, r := range visits[0].Records {
		if r.RecordID == before.ID {
			t.Error("a note written before the visit is linked to it")
		}
	}
	h, err := c.svc.Clinical.FindHistory(doc, pid, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryVisit}})
	if err != nil || len(h) != 2 || h[0].RefID != v.ID || h[0].Summary != "Visit with "+v.DoctorName+" completed: 2 services billed" {
		t.Errorf("history %+v, %v", h, err)
	}
	if _, err := c.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: pid, AppointmentID: "019ab000-0000-7000-8000-000000000000"}); app.ErrorField(err) != "appointment" {
		t.Errorf("an unknown appointment: %v", err)
	}
	if _, err := c.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: pid}); err != nil {
		t.Errorf("a new visit after the last one completed: %v", err)
	}
}
