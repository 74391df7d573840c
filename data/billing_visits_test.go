package data_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestUnbilledVisitsBatch: the completed visits of a period with no
// invoice, or only a draft, are listed for every doctor, and billed in a
// batch, one invoice per visit; a visit that cannot be billed is listed
// with the reason and the others are billed.
func TestUnbilledVisitsBatch(t *testing.T) {
	b := mustBilling(t)
	admin := b.ctx(app.RoleAdmin)
	doc := b.users[app.RoleDoctor].ID
	if _, err := b.svc.Appointments.SetAvailability(admin, doc, []app.Availability{{Weekday: 3, Start: "08:00", End: "18:00", SlotMinutes: 15}}); err != nil {
		t.Fatal(err)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	var ids []string
	for i := range 3 {
		a, err := b.svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: b.patientID, DoctorID: doc,
			Start: time.Date(2026, 11, 25, 14, 15*i, 0, 0, athens), Reason: "Cough"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	for _, id := range ids[:2] {
		if _, err := b.svc.Appointments.CheckIn(admin, id); err != nil {
			t.Fatal(err)
		}
	}
	b.clock.Add(4 * time.Hour)
	for _, id := range ids[:2] {
		if _, err := b.svc.Appointments.Complete(b.ctx(app.RoleDoctor), id); err != nil {
			t.Fatal(err)
		}
	}
	draft, err := b.svc.Billing.DraftForAppointment(b.billing(), ids[0])
	if err != nil {
		t.Fatal(err)
	}

	list, err := b.svc.Billing.UnbilledVisits(b.billing(), "2026-11-01", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].AppointmentID != ids[0] || list[0].DraftID != draft.ID || list[1].AppointmentID != ids[1] ||
		list[1].DraftID != "" || list[1].DoctorName != b.users[app.RoleDoctor].FullName || !strings.Contains(list[1].PatientName, "Zoë") {
		t.Fatalf("unbilled: %+v", list)
	}
	if _, err := b.svc.Billing.UnbilledVisits(b.billing(), "2026-11-30", "2026-11-01"); fieldOf(err) != "to" {
		t.Errorf("a period backwards: %v", err)
	}
	for _, r := range []app.Role{app.RoleReception, app.RoleDoctor, app.RolePatient} {
		if _, err := b.svc.Billing.UnbilledVisits(b.ctx(r), "2026-11-01", "2026-11-30"); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s listed unbilled visits: %v", r, err)
		}
		if _, err := b.svc.Billing.BillVisits(b.ctx(r), ids, true); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s billed visits: %v", r, err)
		}
	}

	got, err := b.svc.Billing.BillVisits(b.billing(), ids, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Invoices) != 2 || got.Invoices[0].ID != draft.ID || got.Invoices[0].Status != app.InvoiceIssued ||
		got.Invoices[1].Number == "" || got.Invoices[1].AppointmentID != ids[1] {
		t.Errorf("billed %+v", got.Invoices)
	}
	if len(got.Failures) != 1 || got.Failures[0].AppointmentID != ids[2] || !strings.Contains(got.Failures[0].Message, "completed") {
		t.Errorf("failures %+v", got.Failures)
	}
	// The visit refused changed nothing: it has no invoice.
	if invs, _ := b.svc.Billing.FindInvoices(b.billing(), app.InvoiceFilter{PatientID: b.patientID}); slices.ContainsFunc(invs,
		func(i *app.Invoice) bool { return i.AppointmentID == ids[2] }) {
		t.Error("the refused visit has an invoice")
	}
	if list, _ := b.svc.Billing.UnbilledVisits(b.billing(), "2026-11-25", "2026-11-25"); len(list) != 0 {
		t.Errorf("still unbilled: %+v", list)
	}
	again, err := b.svc.Billing.BillVisits(b.billing(), ids[:1], false)
	if err != nil || len(again.Failures) != 1 || !strings.Contains(again.Failures[0].Message, "billed already") {
		t.Errorf("billing a billed visit again: %+v %v", again, err)
	}
}
