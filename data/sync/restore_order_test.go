package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
)

// A server restored from a dump takes the desks' operations again in the
// order the desks push them, not in the order they were made: a payment
// pushed again before the issue of its invoice. No desk may then meet a
// state of the invoice that no desk had (paid, without its number), nor
// log an internal error, and every desk ends with the invoice issued and
// paid. Not parallel: it reads the process's log.
func TestRestoredServerPaymentBeforeIssue(t *testing.T) {
	u, first, second, third := threeDesks(t)
	p := newPatient(t, first.svc, "Restored Invoice")
	inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther,
		Quantity: 1, UnitPrice: 4000}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*data.DB{first.db, second, third} {
		mustSync(t, d)
	}
	dump := servertest.Copy(t, u)

	// After the dump: the first desk issues the invoice, the second takes
	// its payment, and the third pulls both.
	if _, err := first.svc.Billing.IssueInvoice(system, inv.ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	got, err := services(second).Billing.FindInvoice(system, inv.ID)
	if err != nil || got.Number == "" {
		t.Fatalf("the second desk's invoice: %+v, %v", got, err)
	}
	if _, err := services(second).Billing.TakePayment(system, app.PaymentInput{Method: app.PayCard, Amount: got.Balance,
		Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: got.Balance}}}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, third)

	// The server is restored from the dump; the second desk pushes again
	// first, then the third pulls, then the first pushes again.
	for _, d := range []*data.DB{first.db, second, third} {
		if _, err := rawDB(t, d).Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, d, dump)); err != nil {
			t.Fatal(err)
		}
	}
	logged := logLines(t, func() {
		for _, d := range []*data.DB{second, third, first.db, second, third, first.db} {
			if _, err := engine(d).SyncNow(context.Background()); err != nil &&
				(code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "restored")) {
				t.Fatalf("sync of %s with the restored server: %v", d.Path(), err)
			}
		}
		// Two rounds need not bring every desk's changes to every other.
		syncAll(t, first.db, second, third)
	})
	if strings.Contains(logged, "internal error") {
		t.Errorf("the desks logged internal errors:\n%s", logged)
	}
	for _, d := range []*data.DB{first.db, second, third} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?`,
			data.RuleNotApplied+"%"); n != 0 {
			t.Errorf("%s keeps %d pulled changes it could not apply", d.Path(), n)
		}
		got, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil || got.Number == "" || got.Status != app.InvoicePaid {
			t.Errorf("%s: the invoice is %+v, %v; want it issued and paid", d.Path(), got, err)
		}
	}
	sameClinic(t, first.db, second, third)
}

// A restored server takes a child pushed again before its parent: an
// allergy recorded on the second desk for a patient the first desk
// registered after the dump, pushed again before the patient. A desk that
// joins the restored server then keeps the allergy for later until the
// patient comes, without failing its batch (an internal error), and takes
// it then. Not parallel:
// it reads the process's log.
func TestRestoredServerChildBeforeParent(t *testing.T) {
	u, first, second, third := threeDesks(t)
	dump := servertest.Copy(t, u)

	p := newPatient(t, first.svc, "Registered After Dump")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	a, err := services(second).Clinical.AddAllergy(first.ctx(app.RoleDoctor), app.AllergyCreate{PatientID: p.ID,
		Substance: "Penicillin", Reaction: "rash", Severity: app.SeverityModerate})
	if err != nil {
		t.Fatal(err)
	}
	// And books the patient: an appointment whose own parent has not come,
	// with its event, whose parent comes in the same batch (simulation
	// seed 7: kept, the appointment left its event without a parent, and
	// the batch's foreign keys failed).
	ap, err := services(second).Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
		Start: first.clock.Now().Add(2 * time.Hour), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, third)

	for _, d := range []*data.DB{first.db, second, third} {
		if _, err := rawDB(t, d).Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, d, dump)); err != nil {
			t.Fatal(err)
		}
	}
	// A desk that joins after the restore has neither.
	fourth := MustOpenDB(t, nil)
	var rep *app.SyncReport
	logged := logLines(t, func() {
		for _, d := range []*data.DB{second, third} {
			if _, err := engine(d).SyncNow(context.Background()); err != nil &&
				(code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "restored")) {
				t.Fatalf("sync of %s with the restored server: %v", d.Path(), err)
			}
		}
		mustEnroll(t, fourth, dump)
		r := syncAllReport(t, dump, fourth)
		rep = &r
		for _, d := range []*data.DB{first.db, second, third, fourth} {
			if _, err := engine(d).SyncNow(context.Background()); err != nil &&
				(code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "restored")) {
				t.Fatalf("sync of %s with the restored server: %v", d.Path(), err)
			}
		}
		for _, d := range []*data.DB{first.db, second, third, fourth} {
			syncUntilCaughtUp(t, dump, d)
		}
	})
	if rep.PullConflicts == 0 {
		t.Errorf("the desk that joined the restored server kept nothing for later; want the allergy and its event")
	}
	if strings.Contains(logged, "internal error") {
		t.Errorf("the desks logged internal errors:\n%s", logged)
	}
	for _, d := range []*data.DB{first.db, second, third, fourth} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?`,
			data.RuleNotApplied+"%"); n != 0 {
			t.Errorf("%s keeps %d pulled changes it could not apply", d.Path(), n)
		}
		if n := count(t, d, `SELECT count(*) FROM allergies WHERE id = ? AND patient_id = ?`, a.ID, p.ID); n != 1 {
			t.Errorf("%s lacks the allergy", d.Path())
		}
		if n := count(t, d, `SELECT count(*) FROM appointment_events WHERE appointment_id = ?`, ap.ID); n == 0 {
			t.Errorf("%s lacks the appointment's events", d.Path())
		}
	}
	sameClinic(t, first.db, second, third, fourth)
}

// A rescheduled appointment and the one it moved to refer to each other
// (rescheduled_to, rescheduled_from). When both reach a desk before their
// patient (a restored server takes the booking desk's operations again
// before the registering desk's), the desk keeps them for later; once the
// patient comes, neither can be applied alone, so taking them again one
// at a time, each with its keys checked at once, left both kept for good:
// the desk lacked the two appointments and their events after healing
// (simulation seed 213). Not parallel: it reads the process's log.
func TestRestoredServerRescheduledBeforePatient(t *testing.T) {
	u, first, second, third := threeDesks(t)
	dump := servertest.Copy(t, u)

	p := newPatient(t, first.svc, "Registered After Dump")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	doctor := first.users[app.RoleDoctor].ID
	start := first.clock.Now().Add(26 * time.Hour).Truncate(time.Hour)
	ap, err := services(second).Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: doctor,
		Start: start, Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := services(second).Appointments.Reschedule(system, ap.ID, start.Add(2*time.Hour), "sync test")
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, third)

	for _, d := range []*data.DB{first.db, second, third} {
		if _, err := rawDB(t, d).Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, d, dump)); err != nil {
			t.Fatal(err)
		}
	}
	restoredSync := func(d *data.DB) {
		t.Helper()
		if _, err := engine(d).SyncNow(context.Background()); err != nil &&
			(code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "restored")) {
			t.Fatalf("sync of %s with the restored server: %v", d.Path(), err)
		}
	}
	// The booking desk pushes again first; a desk joining now gets the two
	// appointments without their patient and keeps them for later.
	fourth := MustOpenDB(t, nil)
	logged := logLines(t, func() {
		restoredSync(second)
		mustEnroll(t, fourth, dump)
		if rep := syncAllReport(t, dump, fourth); rep.PullConflicts == 0 {
			t.Errorf("the desk that joined the restored server kept nothing for later; want the appointments")
		}
		// Then the patient comes, and every desk takes everything.
		for range 2 {
			for _, d := range []*data.DB{first.db, second, third, fourth} {
				restoredSync(d)
			}
		}
		syncAll(t, first.db, second, third, fourth) // two rounds need not bring everything
	})
	if strings.Contains(logged, "internal error") {
		t.Errorf("the desks logged internal errors:\n%s", logged)
	}
	for _, d := range []*data.DB{first.db, second, third, fourth} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?`,
			data.RuleNotApplied+"%"); n != 0 {
			t.Errorf("%s keeps %d pulled changes it could not apply", d.Path(), n)
		}
		for _, id := range []string{ap.ID, moved.ID} {
			if n := count(t, d, `SELECT count(*) FROM appointments WHERE id = ? AND patient_id = ?`, id, p.ID); n != 1 {
				t.Errorf("%s lacks the appointment %s", d.Path(), id)
			}
			if n := count(t, d, `SELECT count(*) FROM appointment_events WHERE appointment_id = ?`, id); n == 0 {
				t.Errorf("%s lacks the events of appointment %s", d.Path(), id)
			}
		}
	}
	sameClinic(t, first.db, second, third, fourth)
}

// An attachment kept for later on a desk (its patient had not come) and
// taken once the patient came must be recorded as received, as every
// pulled change the desk applies is (sync.received, with the file's hash):
// `hms verify` checks an attachment made on another desk against that
// record, and failed on the desk with "no record of it being attached".
// Not parallel: it reads the process's log.
func TestRestoredServerAttachmentBeforePatient(t *testing.T) {
	u, first, second, third := threeDesks(t)
	dump := servertest.Copy(t, u)

	p := newPatient(t, first.svc, "Registered After Dump")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	r, err := services(second).Attachments.AttachFile(first.ctx(app.RoleDoctor), app.AttachmentCreate{PatientID: p.ID,
		Title: "Urinalysis", Type: app.AttachmentLab, Date: "2026-11-24", FileName: "urinalysis.txt",
		Content: []byte("Protein: negative\nGlucose: negative\n")})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, third)

	for _, d := range []*data.DB{first.db, second, third} {
		if _, err := rawDB(t, d).Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, d, dump)); err != nil {
			t.Fatal(err)
		}
	}
	restoredSync := func(d *data.DB) {
		t.Helper()
		if _, err := engine(d).SyncNow(context.Background()); err != nil &&
			(code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "restored")) {
			t.Fatalf("sync of %s with the restored server: %v", d.Path(), err)
		}
	}
	fourth := MustOpenDB(t, nil)
	logged := logLines(t, func() {
		restoredSync(second)
		mustEnroll(t, fourth, dump)
		if rep := syncAllReport(t, dump, fourth); rep.PullConflicts == 0 {
			t.Errorf("the desk that joined the restored server kept nothing for later; want the attachment")
		}
		for range 2 {
			for _, d := range []*data.DB{first.db, second, third, fourth} {
				restoredSync(d)
			}
		}
		syncAll(t, first.db, second, third, fourth) // two rounds need not bring everything
	})
	if strings.Contains(logged, "internal error") {
		t.Errorf("the desks logged internal errors:\n%s", logged)
	}
	for _, d := range []*data.DB{first.db, second, third, fourth} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?`,
			data.RuleNotApplied+"%"); n != 0 {
			t.Errorf("%s keeps %d pulled changes it could not apply", d.Path(), n)
		}
		if n := count(t, d, `SELECT count(*) FROM reports WHERE id = ?`, r.ID); n != 1 {
			t.Errorf("%s lacks the attachment", d.Path())
		}
		rep, err := d.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Errorf("hms verify fails on %s: %+v", d.Path(), rep)
		}
	}
	if n := count(t, fourth, `SELECT count(*) FROM audit_log WHERE action = 'sync.received' AND detail LIKE ?`,
		"%reports "+r.ID+" %sha256 "+r.SHA256+"%"); n != 1 {
		t.Errorf("the desk that kept the attachment for later records it as received %d times, want once", n)
	}
	sameClinic(t, first.db, second, third, fourth)
}
