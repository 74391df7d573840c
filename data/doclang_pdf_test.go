package data_test

import (
	"strings"
	"testing"

	"hms/app"
)

// TestDocumentsInTheirReadersLanguage: a patient's documents (invoice,
// statement) print in the patient's language whoever prints them; a staff
// report (outstanding invoices, cash-up, a dashboard report) in the
// language of the staff member who prints it, else the clinic's screen
// language (English here).
func TestDocumentsInTheirReadersLanguage(t *testing.T) {
	b := mustBilling(t)
	el := "el"
	if _, err := b.svc.Patients.UpdatePatient(b.ctx(app.RoleReception), b.patientID, app.PatientUpdate{Language: &el}); err != nil {
		t.Fatal(err)
	}
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3})
	clerk := b.users[app.RoleBilling]
	if _, err := b.svc.Users.SetLanguage(b.billing(), clerk.ID, "es", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000)); err != nil {
		t.Fatal(err)
	}
	out, err := b.svc.Billing.InvoicePDF(b.billing(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	hasAll(t, "the Greek patient's invoice printed by a Spanish reader", pdfToText(t, out),
		"Τιμολόγιο", "Οφειλόμενο υπόλοιπο", "64,36") // 74.36 less 10.00, with a decimal comma
	if out, err = b.svc.Billing.StatementPDF(b.billing(), b.patientID); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "the Greek patient's statement", pdfToText(t, out), "Κατάσταση λογαριασμού", "Μερικώς πληρωμένο")

	if out, err = b.svc.Billing.OutstandingPDF(b.billing()); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "the Spanish reader's outstanding invoices", pdfToText(t, out), "Facturas pendientes", "Vencido 0–30 días")
	if out, err = b.svc.Billing.CashUpPDF(b.billing(), clerk.ID, "2026-11-25"); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "the Spanish reader's cash-up", pdfToText(t, out), "Arqueo de caja", "Por método de pago")
	// Another reader, with no language of their own, reads English.
	if out, err = b.svc.Billing.OutstandingPDF(b.ctx(app.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "the administrator's outstanding invoices", pdfToText(t, out), "Outstanding invoices", "Due 0–30 days")
}

// TestDashboardPDFInTheReadersLanguage: a dashboard report's own words
// print in the language of whoever exports it.
func TestDashboardPDFInTheReadersLanguage(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	me, _ := app.CallerFromContext(admin)
	if _, err := f.svc.Users.SetLanguage(admin, me.UserID, "el", nil); err != nil {
		t.Fatal(err)
	}
	march := mustPeriod(t, app.PeriodMonth, "2026-03-01")
	b, err := f.svc.Dashboard.ExportPDF(admin, app.ReportRequest{Kind: app.ReportAppointments, Period: march})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, b)
	hasAll(t, "the Greek reader's dashboard report", text, "Δημιουργήθηκε", "6 γραμμές", "σελίδα 1 από 1")
	// The table's title and columns too, not only the document's words.
	hasAll(t, "the Greek reader's dashboard table", text, "Ραντεβού", "Ιατρός", "Κατάσταση")
	for _, english := range []string{"Appointments", "Doctor", "Status"} {
		if strings.Contains(text, english) {
			t.Errorf("the Greek reader's dashboard report prints %q in English", english)
		}
	}
}
