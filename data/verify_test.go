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

// TestHistoryNewestFirstByTime: the history is newest first by when things
// happened, as the tab says: a reading taken at 17:55 and typed in after
// an 18:40 note, or pulled from another desk after it, is listed under it,
// on the first page and across pages.
func TestHistoryNewestFirstByTime(t *testing.T) {
	c := mustSetup(t)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	p, err := c.svc.Patients.CreatePatient(c.ctx(app.RoleReception), app.PatientCreate{GivenName: "Ada", FamilyName: "Lovelace",
		Sex: app.SexFemale, BirthDate: "1980-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	c.clock.Add(time.Hour)
	if _, err := c.svc.Clinical.AddNote(doc, app.NoteCreate{PatientID: p.ID, Kind: app.NoteClinical, Text: "Seen."}); err != nil {
		t.Fatal(err)
	}
	noteAt := c.clock.Now()
	c.clock.Add(10 * time.Minute)
	if _, err := c.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: p.ID, TakenAt: noteAt.Add(-45 * time.Minute),
		Pulse: 70}); err != nil {
		t.Fatal(err)
	}
	// What another desk wrote at 17:55 arrives with a pull after this
	// desk's 18:40 note: stored later, it happened earlier.
	if _, err := rawDB(t, c.db).Exec(`INSERT INTO patient_events (id, patient_id, at, kind, summary, ref_id, by_user)
		VALUES ('0190f0e0-0000-7000-8000-0000000000aa', ?, ?, 'note', 'Nursing note from desk 2', '', 'nurse1')`,
		p.ID, noteAt.Add(-45*time.Minute).UTC().Format(data.TimeLayout)); err != nil {
		t.Fatal(err)
	}
	all, err := c.svc.Clinical.FindHistory(doc, p.ID, app.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].At.After(all[i-1].At) {
			t.Fatalf("entry %d (%s %v) listed under an older one (%s %v)", i, all[i].Kind, all[i].At, all[i-1].Kind, all[i-1].At)
		}
	}
	var paged []*app.HistoryEntry
	f := app.HistoryFilter{Limit: 1}
	for {
		page, err := c.svc.Clinical.FindHistory(doc, p.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		f.BeforeSeq = page[len(page)-1].Seq
	}
	if len(paged) != len(all) {
		t.Fatalf("paging one by one gave %d entries, want %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i].Seq != all[i].Seq {
			t.Fatalf("page order differs at %d", i)
		}
	}
}
