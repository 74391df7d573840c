package sync_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// threeDesks is a clinic of three enrolled desks in sync, the second and
// third downloaded from the first.
func threeDesks(t testing.TB) (u string, first *clinic, second, third *data.DB) {
	t.Helper()
	u, first, second = twoDesks(t)
	third = MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	syncUntilCaughtUp(t, u, third)
	return u, first, second, third
}

// editNotes sets a patient's notes (or address) on a desk, as its staff
// would.
func editField(t testing.TB, db *data.DB, patientID, field, value string) {
	t.Helper()
	var u app.PatientUpdate
	switch field {
	case "notes":
		u.Notes = &value
	case "address":
		u.Address = &value
	default:
		t.Fatalf("no field %s", field)
	}
	if _, err := services(db).Patients.UpdatePatient(system, patientID, u); err != nil {
		t.Fatal(err)
	}
	// Readings of two desks a millisecond apart are ordered by time.
	time.Sleep(3 * time.Millisecond)
}

// openLosses lists a desk's open conflicts of one field of a row, as the
// review screen shows them: lost value → the value that won.
func openLosses(t testing.TB, db *data.DB, admin app.Caller, rowID, field string) map[string]string {
	t.Helper()
	cs, err := services(db).Sync.ListConflicts(as(admin), false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		if c.RowID == rowID && c.Field == field {
			out[c.LostValue] = c.WonValue
		}
	}
	return out
}

// syncAll syncs the desks, each in turn, until a whole pass pushes
// nothing and every desk holds the server's log to its end. Two passes
// are not always enough: a round pulls only below the oldest transaction
// running on the server's cluster (any test's, under load), so a round
// can end before the other desks' changes (syncAllReport).
func syncAll(t testing.TB, desks ...*data.DB) {
	t.Helper()
	for range 2 {
		for _, d := range desks {
			mustSync(t, d)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		done := true
		for _, d := range desks {
			if !caughtUp(t, d) {
				done = false
				mustSync(t, d)
			}
		}
		if done || time.Now().After(deadline) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// caughtUp reports whether db's pull cursor is at the end of its server's
// log (in the pull's order, (txid, seq)) and its outbox holds nothing the
// server would take now.
func caughtUp(t testing.TB, db *data.DB) bool {
	t.Helper()
	var serverURL string
	var tx, seq int64
	var queued int
	if err := rawDB(t, db).QueryRow(`SELECT coalesce(server_url, ''), pull_txid, pull_seq,
		(SELECT count(*) FROM outbox WHERE attempts = 0) FROM sync_meta`).Scan(&serverURL, &tx, &seq, &queued); err != nil {
		t.Fatal(err)
	}
	if serverURL == "" {
		return true // not enrolled: nothing to catch up with
	}
	parsed, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	parsed.User = url.User("postgres")
	var lastTx, lastSeq int64
	servertest.QueryRow(t, parsed.String(), `SELECT coalesce(max(txid::text::bigint), 0),
		coalesce((SELECT max(seq) FROM sync.change_log WHERE txid = (SELECT max(txid) FROM sync.change_log)), 0)
		FROM sync.change_log`, nil, &lastTx, &lastSeq)
	return queued == 0 && (tx > lastTx || tx == lastTx && seq >= lastSeq)
}

// Two desks apart edit one field, the second a moment later: whichever
// reaches the server first, the later value wins everywhere and the
// earlier one is kept for review on every desk, naming what won.
func TestSameFieldEditLostInEitherOrder(t *testing.T) {
	t.Parallel()
	for _, olderFirst := range []bool{true, false} {
		name := "newer first"
		if olderFirst {
			name = "older first"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, first, b, c := threeDesks(t)
			p := newPatient(t, first.svc, "Notes")
			syncAll(t, first.db, b, c)
			editField(t, b, p.ID, "notes", "from B")
			editField(t, c, p.ID, "notes", "from C")
			if olderFirst {
				mustSync(t, b)
				mustSync(t, c)
			} else {
				mustSync(t, c)
				mustSync(t, b)
			}
			syncAll(t, first.db, b, c)
			sameClinic(t, first.db, b, c)
			admin := callerOf(first.users[app.RoleAdmin])
			for i, d := range []*data.DB{first.db, b, c} {
				if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND notes = 'from C'`, p.ID); n != 1 {
					t.Fatalf("desk %d: the later notes did not win", i)
				}
				got := openLosses(t, d, admin, p.ID, "notes")
				if len(got) != 1 || got[`"from B"`] != `"from C"` {
					t.Errorf("desk %d keeps for review %v, want B's notes lost to C's", i, got)
				}
			}
		})
	}
}

// A→B→C: three desks apart edit one address in turn; they reach the
// server in that order. Both values that lost are kept for review on every
// desk, each naming C's, the value that finally won.
func TestSameFieldEditChain(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	p := newPatient(t, a.svc, "Chain")
	syncAll(t, a.db, b, c)
	editField(t, a.db, p.ID, "address", "1 A Street")
	editField(t, b, p.ID, "address", "2 B Street")
	editField(t, c, p.ID, "address", "3 C Street")
	mustSync(t, a.db)
	mustSync(t, b)
	mustSync(t, c)
	syncAll(t, a.db, b, c)
	sameClinic(t, a.db, b, c)
	admin := callerOf(a.users[app.RoleAdmin])
	for i, d := range []*data.DB{a.db, b, c} {
		got := openLosses(t, d, admin, p.ID, "address")
		if len(got) != 2 || got[`"1 A Street"`] != `"3 C Street"` || got[`"2 B Street"`] != `"3 C Street"` {
			t.Errorf("desk %d keeps for review %v, want A's and B's addresses lost to C's", i, got)
		}
	}
}

// Edits made one after another, each desk having seen the last, are not
// conflicts, whatever order they reach the server in.
func TestSequentialEditsNoConflict(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	p := newPatient(t, a.svc, "Sequential")
	syncAll(t, a.db, b, c)
	editField(t, b, p.ID, "notes", "first")
	mustSync(t, b)
	mustSync(t, c)
	editField(t, c, p.ID, "notes", "second")
	mustSync(t, c)
	syncAll(t, a.db, b, c)
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM conflicts`); n != 0 {
			t.Errorf("desk %d: %d conflicts for edits made one after another", i, n)
		}
	}
}

// A server restored from an older dump takes the desks' edits again in the
// order the desks push them, not the order they were made: edits made one
// after another while the desks were online raise no conflict, and the
// last one stays.
func TestRestoredServerSequentialEditsNoConflict(t *testing.T) {
	t.Parallel()
	u, a, b, c := threeDesks(t)
	p := newPatient(t, a.svc, "Restored")
	syncAll(t, a.db, b, c)
	dump := servertest.Copy(t, u)

	// Online, one after another, each desk having pulled the last edit.
	steps := []struct {
		desk  *data.DB
		field string
		value string
	}{
		{a.db, "notes", "one"}, {b, "notes", "two"}, {c, "address", "1 Road"}, {a.db, "notes", "three"},
		{b, "address", "2 Road"}, {c, "notes", "four"},
	}
	for _, s := range steps {
		editField(t, s.desk, p.ID, s.field, s.value)
		syncAll(t, a.db, b, c)
	}
	pointAt(t, a.db, dump)
	pointAt(t, b, dump)
	pointAt(t, c, dump)
	// The desk with the oldest edits pushes last.
	syncAll(t, c, b, a.db)
	sameClinic(t, a.db, b, c)
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND notes = 'four' AND address = '2 Road'`, p.ID); n != 1 {
			t.Errorf("desk %d lost the last edits", i)
		}
		if n := count(t, d, `SELECT count(*) FROM conflicts`); n != 0 {
			t.Errorf("desk %d: %d conflicts for edits made one after another", i, n)
		}
	}
}

// A desk that joins after a record was edited (and the server pruned the
// record's older entries), and edits it in turn, saw the edit it
// overwrites: no conflict.
func TestJoiningDeskEditsNoConflict(t *testing.T) {
	t.Parallel()
	u, a, b := twoDesks(t)
	p := newPatient(t, a.svc, "Joined")
	syncAll(t, a.db, b)
	editField(t, b, p.ID, "notes", "before the join")
	syncAll(t, a.db, b)
	if _, err := server.Prune(context.Background(), u, 0, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	c := MustOpenDB(t, nil)
	mustEnroll(t, c, u)
	syncUntilCaughtUp(t, u, c) // it edits after seeing B's notes
	editField(t, c, p.ID, "notes", "after the join")
	syncAll(t, a.db, b, c)
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM conflicts`); n != 0 {
			t.Errorf("desk %d: %d conflicts for an edit made after the last one", i, n)
		}
	}
}

// An edit reaches the server late, after the value it was concurrent with
// was itself replaced by a third desk that had seen only that value: B
// edits an address offline, C a moment later and syncs, A takes C's value
// and replaces it. B's edit lost to A's without A's desk having seen it, so
// it is kept for review on every desk, naming A's value; C's, which A saw,
// is no conflict. (Comparing A's base, C's reading, with B's reading said
// that A had seen B's edit, and dropped it without review.)
func TestLateEditOfReplacedValueKeptForReview(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	p := newPatient(t, a.svc, "Late")
	syncAll(t, a.db, b, c)
	editField(t, b, p.ID, "address", "2 B Street")
	editField(t, c, p.ID, "address", "3 C Street")
	mustSync(t, c)
	mustSync(t, a.db)
	editField(t, a.db, p.ID, "address", "1 A Street")
	mustSync(t, a.db)
	mustSync(t, b)
	syncAll(t, a.db, b, c)
	sameClinic(t, a.db, b, c)
	admin := callerOf(a.users[app.RoleAdmin])
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = '1 A Street'`, p.ID); n != 1 {
			t.Fatalf("desk %d: the last address did not win", i)
		}
		got := openLosses(t, d, admin, p.ID, "address")
		if len(got) != 1 || got[`"2 B Street"`] != `"1 A Street"` {
			t.Errorf("desk %d keeps for review %v, want only B's address lost to A's", i, got)
		}
	}
}

// Records registered and then edited on one desk reach another desk in
// one pull: the edits are applied after the registrations, not lost
// because the desk had no such records when the batch began.
func TestPullRegisteredAndEditedInOneBatch(t *testing.T) {
	t.Parallel()
	u, a, b := twoDesks(t)
	var ids []string
	for _, name := range []string{"One", "Two", "Three"} {
		p := newPatient(t, a.svc, name)
		editField(t, a.db, p.ID, "address", name+" Street")
		ids = append(ids, p.ID)
	}
	mustSync(t, a.db)
	syncUntilCaughtUp(t, u, b)
	for _, id := range ids {
		if n := count(t, b, `SELECT count(*) FROM patients WHERE id = ? AND address LIKE '% Street'`, id); n != 1 {
			t.Errorf("the edit of patient %s did not reach the other desk", id)
		}
	}
	sameClinic(t, a.db, b)
}

// meanwhile is one kind of edit saved from a form over a value a sync
// brought while the form was open (issue #21: the edit's base named the
// pulled value as seen, so the server overwrote it with no review item
// anywhere). S is what the form holds of the record as it showed it.
type meanwhile[S any] struct {
	// record makes the record on desk A and gives the row whose field the
	// edits change (the conflicts' row).
	record func(t *testing.T, r *meanwhileRun) string
	// open reads the record on desk B as its form shows it.
	open func(t *testing.T, r *meanwhileRun) S
	// other is A's edit of the field, which B's sync brings.
	other func(t *testing.T, r *meanwhileRun)
	// save is B's edit of the field from the form that showed shown.
	save func(t *testing.T, r *meanwhileRun, shown S) error
	// table and saved: the row as B's edit wrote it (a condition on the
	// table's row whose id is the record's row).
	table, saved string
	field        string   // the field both edit
	lost, won    string   // A's value and B's, as the review lists them
	still        []string // fields B's edit did not change: never kept for review
}

// meanwhileRun is one clinic of three desks, A, B and C, and the record
// edited.
type meanwhileRun struct {
	a    *clinic
	b, c *data.DB
	row  string
}

// editedMeanwhile runs the case twice: B's form opened before B's sync
// brought A's edit of the field, then B saves over it. Opened before, B's
// edit wins (it is the later) and A's value is kept for review on every
// desk, naming B's, as when two desks were apart; opened after the sync,
// B's staff saw A's value and nothing is kept. Every desk ends the same.
func editedMeanwhile[S any](t *testing.T, m meanwhile[S]) {
	t.Helper()
	for _, sawIt := range []bool{false, true} {
		name := "opened before the sync"
		if sawIt {
			name = "opened after the sync"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := &meanwhileRun{}
			_, r.a, r.b, r.c = threeDesks(t)
			r.row = m.record(t, r)
			syncAll(t, r.a.db, r.b, r.c)
			var shown S
			if !sawIt {
				shown = m.open(t, r) // B's form shows the field as it was
			}
			m.other(t, r)
			// Readings of two desks a millisecond apart are ordered by time.
			time.Sleep(3 * time.Millisecond)
			mustSync(t, r.a.db)
			mustSync(t, r.b) // B's sync brings A's edit while the form is open
			if sawIt {
				shown = m.open(t, r)
			}
			if err := m.save(t, r, shown); err != nil {
				t.Fatal(err)
			}
			syncAll(t, r.a.db, r.b, r.c)
			sameClinic(t, r.a.db, r.b, r.c)
			admin := callerOf(r.a.users[app.RoleAdmin])
			for i, d := range []*data.DB{r.a.db, r.b, r.c} {
				if n := count(t, d, `SELECT count(*) FROM `+m.table+` WHERE id = ? AND `+m.saved, r.row); n != 1 {
					t.Fatalf("desk %d: B's %s, the later, did not win", i, m.field)
				}
				got := openLosses(t, d, admin, r.row, m.field)
				switch {
				case sawIt && len(got) != 0:
					t.Errorf("desk %d keeps for review %v, want nothing: B's staff saw A's %s", i, got, m.field)
				case !sawIt && (len(got) != 1 || got[m.lost] != m.won):
					t.Errorf("desk %d keeps for review %v, want A's %s %s lost to B's %s", i, got, m.field, m.lost, m.won)
				}
				for _, f := range m.still {
					if got := openLosses(t, d, admin, r.row, f); len(got) != 0 {
						t.Errorf("desk %d keeps the %s for review %v: it never changed", i, f, got)
					}
				}
			}
		})
	}
}

// A desk's staff open a patient's record, a sync brings another desk's
// edit of the notes meanwhile, and they save new notes (UpdatePatient,
// PatientUpdate.Was; the concurrent simulation, seed 3, lost such a value
// with no review item).
func TestEditOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	editedMeanwhile(t, meanwhile[*app.Patient]{
		record: func(t *testing.T, r *meanwhileRun) string { return newPatient(t, r.a.svc, "Meanwhile").ID },
		open: func(t *testing.T, r *meanwhileRun) *app.Patient {
			p, err := services(r.b).Patients.FindPatientByID(system, r.row)
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		other: func(t *testing.T, r *meanwhileRun) { editField(t, r.a.db, r.row, "notes", "from A") },
		save: func(t *testing.T, r *meanwhileRun, shown *app.Patient) error {
			notes := "from B"
			_, err := services(r.b).Patients.UpdatePatient(system, r.row, app.PatientUpdate{Notes: &notes, Was: shown})
			return err
		},
		table: "patients", saved: `notes = 'from B'`,
		field: "notes", lost: `"from A"`, won: `"from B"`, still: []string{"address"},
	})
}

// A patient changes their own address (UpdateOwnContact,
// ContactUpdate.Was) over the staff's, which a sync brought while the
// patient's form was open.
func TestOwnContactOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	patient := func(r *meanwhileRun) context.Context { return r.a.ctx(app.RolePatient) }
	editedMeanwhile(t, meanwhile[*app.Patient]{
		record: func(t *testing.T, r *meanwhileRun) string { return r.a.users[app.RolePatient].PatientID },
		open: func(t *testing.T, r *meanwhileRun) *app.Patient {
			p, err := services(r.b).Patients.FindPatientByID(patient(r), r.row)
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		other: func(t *testing.T, r *meanwhileRun) { editField(t, r.a.db, r.row, "address", "from the staff on A") },
		save: func(t *testing.T, r *meanwhileRun, shown *app.Patient) error {
			addr := "from the patient on B"
			_, err := services(r.b).Patients.UpdateOwnContact(patient(r), app.ContactUpdate{Address: &addr, Was: shown})
			return err
		},
		table: "patients", saved: `address = 'from the patient on B'`,
		field: "address", lost: `"from the staff on A"`, won: `"from the patient on B"`, still: []string{"phone"},
	})
}

// Billing changes a draft's line (UpdateLine, LineInput.Was) over a price
// a sync brought while the line form was open.
func TestLineEditOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	editedMeanwhile(t, meanwhile[*app.InvoiceLine]{
		record: func(t *testing.T, r *meanwhileRun) string {
			p := newPatient(t, r.a.svc, "Billed")
			inv, err := r.a.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.a.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500})
			if err != nil {
				t.Fatal(err)
			}
			return got.Lines[0].ID
		},
		open: func(t *testing.T, r *meanwhileRun) *app.InvoiceLine {
			var invoiceID string
			if err := rawDB(t, r.b).QueryRow(`SELECT invoice_id FROM invoice_lines WHERE id = ?`, r.row).Scan(&invoiceID); err != nil {
				t.Fatal(err)
			}
			inv, err := services(r.b).Billing.FindInvoice(system, invoiceID)
			if err != nil {
				t.Fatal(err)
			}
			return inv.Lines[0]
		},
		other: func(t *testing.T, r *meanwhileRun) { setLinePrice(t, r.a.db, r.row, 3000) },
		save: func(t *testing.T, r *meanwhileRun, shown *app.InvoiceLine) error {
			_, err := services(r.b).Billing.UpdateLine(system, r.row, app.LineInput{Description: "Visit", Kind: app.PriceOther,
				Quantity: 1, UnitPrice: 3500, Was: shown})
			return err
		},
		table: "invoice_lines", saved: `unit_price = 3500`,
		field: "unit_price", lost: "3000", won: "3500", still: []string{"quantity"},
	})
}

// Billing sets a draft's invoice discount (SetInvoiceDiscount's was) over
// one a sync brought while the draft was open.
func TestDiscountOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	editedMeanwhile(t, meanwhile[*app.Invoice]{
		record: func(t *testing.T, r *meanwhileRun) string {
			p := newPatient(t, r.a.svc, "Billed")
			inv, err := r.a.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.a.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 5000}); err != nil {
				t.Fatal(err)
			}
			return inv.ID
		},
		open: func(t *testing.T, r *meanwhileRun) *app.Invoice {
			inv, err := services(r.b).Billing.FindInvoice(system, r.row)
			if err != nil {
				t.Fatal(err)
			}
			return inv
		},
		other: func(t *testing.T, r *meanwhileRun) { setDiscount(t, r.a.db, r.row, 300) },
		save: func(t *testing.T, r *meanwhileRun, shown *app.Invoice) error {
			_, err := services(r.b).Billing.SetInvoiceDiscount(system, r.row, 0, 500, shown)
			return err
		},
		table: "invoices", saved: `discount_amount = 500 AND discount_rate = 0`,
		field: "discount_amount", lost: "300", won: "500", still: []string{"discount_rate"},
	})
}

// doctorProfile is the profile of the clinic's doctor on a desk, as the
// hours screen reads it.
func doctorProfile(t *testing.T, r *meanwhileRun, db *data.DB) *app.DoctorProfile {
	t.Helper()
	p, err := services(db).Appointments.GetDoctorProfile(r.a.ctx(app.RoleAdmin), r.a.users[app.RoleDoctor].ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An administrator changes a doctor's room on the hours screen
// (SetDoctorProfile, DoctorProfile.Was) over a room a sync brought while
// the screen was open. The screen sends every field as it shows them: the
// specialization, which nobody changed, raises nothing; the visit length
// the sync brought too, left as shown on this desk, keeps the value the
// sync brought (before, it was put back to the one shown, silently).
func TestDoctorProfileOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	editedMeanwhile(t, meanwhile[*app.DoctorProfile]{
		record: func(t *testing.T, r *meanwhileRun) string {
			p, err := r.a.svc.Appointments.SetDoctorProfile(r.a.ctx(app.RoleAdmin), app.DoctorProfile{
				UserID: r.a.users[app.RoleDoctor].ID, Specialization: "Cardiology", Room: "Room 1", VisitMinutes: 20})
			if err != nil {
				t.Fatal(err)
			}
			var id string
			if err := rawDB(t, r.a.db).QueryRow(`SELECT id FROM doctor_profiles WHERE user_id = ?`, p.UserID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		},
		open: func(t *testing.T, r *meanwhileRun) *app.DoctorProfile { return doctorProfile(t, r, r.b) },
		other: func(t *testing.T, r *meanwhileRun) {
			p := doctorProfile(t, r, r.a.db)
			p.Room, p.VisitMinutes = "Room 2", 30
			if _, err := r.a.svc.Appointments.SetDoctorProfile(r.a.ctx(app.RoleAdmin), *p); err != nil {
				t.Fatal(err)
			}
		},
		save: func(t *testing.T, r *meanwhileRun, shown *app.DoctorProfile) error {
			_, err := services(r.b).Appointments.SetDoctorProfile(r.a.ctx(app.RoleAdmin), app.DoctorProfile{
				UserID: shown.UserID, Specialization: shown.Specialization, Room: "Room 3", VisitMinutes: shown.VisitMinutes,
				Was: shown})
			return err
		},
		// The form sends every field as it shows them; the visit length A
		// changed meanwhile, left as shown on B, keeps A's value.
		table: "doctor_profiles", saved: `room = 'Room 3' AND specialization = 'Cardiology' AND visit_minutes = 30`,
		field: "room", lost: `"Room 2"`, won: `"Room 3"`, still: []string{"specialization", "visit_minutes"},
	})
}

// staffAccount is an account as the staff screen lists it on a desk.
func staffAccount(t *testing.T, r *meanwhileRun, db *data.DB) *app.User {
	t.Helper()
	u, err := services(db).Users.FindUserByID(r.a.ctx(app.RoleAdmin), r.row)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newNurse is a new nurse's account made on desk A.
func newNurse(t *testing.T, r *meanwhileRun) string {
	t.Helper()
	u, err := r.a.svc.Users.CreateUser(r.a.ctx(app.RoleAdmin), app.UserCreate{Username: "nurse.meanwhile",
		FullName: "Nurse Meanwhile", Role: app.RoleNurse, Password: "a long nurse password 7"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The staff screen's edits of an account over a value a sync brought
// while the screen was open (ChangeRole, DeactivateUser and SetLanguage
// take the account as it was listed): a role, an approval (the status),
// a screen language.
func TestStaffEditOverValuePulledMeanwhile(t *testing.T) {
	t.Parallel()
	open := func(t *testing.T, r *meanwhileRun) *app.User { return staffAccount(t, r, r.b) }
	t.Run("role", func(t *testing.T) {
		t.Parallel()
		editedMeanwhile(t, meanwhile[*app.User]{
			record: newNurse, open: open,
			other: func(t *testing.T, r *meanwhileRun) {
				if _, err := r.a.svc.Users.ChangeRole(r.a.ctx(app.RoleAdmin), r.row, app.RoleDoctor, nil); err != nil {
					t.Fatal(err)
				}
			},
			save: func(t *testing.T, r *meanwhileRun, shown *app.User) error {
				_, err := services(r.b).Users.ChangeRole(r.a.ctx(app.RoleAdmin), r.row, app.RoleBilling, shown)
				return err
			},
			table: "users", saved: `role = 'billing'`,
			field: "role", lost: `"doctor"`, won: `"billing"`, still: []string{"status", "language"},
		})
	})
	t.Run("status", func(t *testing.T) {
		t.Parallel()
		editedMeanwhile(t, meanwhile[*app.User]{
			record: func(t *testing.T, r *meanwhileRun) string { return r.a.pending.ID }, open: open,
			other: func(t *testing.T, r *meanwhileRun) {
				if _, err := r.a.svc.Users.ApproveUser(r.a.ctx(app.RoleAdmin), r.row); err != nil {
					t.Fatal(err)
				}
			},
			save: func(t *testing.T, r *meanwhileRun, shown *app.User) error {
				_, err := services(r.b).Users.DeactivateUser(r.a.ctx(app.RoleAdmin), r.row, shown)
				return err
			},
			table: "users", saved: `status = 'deactivated'`,
			field: "status", lost: `"active"`, won: `"deactivated"`, still: []string{"role", "language"},
		})
	})
	t.Run("language", func(t *testing.T) {
		t.Parallel()
		editedMeanwhile(t, meanwhile[*app.User]{
			record: newNurse, open: open,
			other: func(t *testing.T, r *meanwhileRun) {
				if _, err := r.a.svc.Users.SetLanguage(r.a.ctx(app.RoleAdmin), r.row, "el", nil); err != nil {
					t.Fatal(err)
				}
			},
			save: func(t *testing.T, r *meanwhileRun, shown *app.User) error {
				_, err := services(r.b).Users.SetLanguage(r.a.ctx(app.RoleAdmin), r.row, "es", shown)
				return err
			},
			table: "users", saved: `language = 'es'`,
			field: "language", lost: `"el"`, won: `"es"`, still: []string{"role", "status"},
		})
	})
}

// TestForgedWasOnlyAddsReview attacks the "as shown" values of an edit
// (PatientUpdate.Was, ContactUpdate.Was), which come from the client: a
// form that claims to have shown what the record never held can only make
// the server keep one more value for review. The edit still wins with the
// value it wrote, every desk ends the same, and what the form claims of
// another record changes nothing.
func TestForgedWasOnlyAddsReview(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	patient := callerOf(a.users[app.RolePatient])
	id := patient.PatientID
	other := newPatient(t, a.svc, "Other")
	editField(t, a.db, id, "address", "1 First Road")
	editField(t, a.db, id, "notes", "first notes")
	syncAll(t, a.db, b, c)

	held, err := services(b).Patients.FindPatientByID(system, id)
	if err != nil {
		t.Fatal(err)
	}
	// Another record's copy, with this one's id forged away: ignored.
	otherCopy, err := services(b).Patients.FindPatientByID(system, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	otherCopy.Notes = "never held"
	notes := "second notes"
	if _, err := services(b).Patients.UpdatePatient(system, id, app.PatientUpdate{Notes: &notes, Was: otherCopy}); err != nil {
		t.Fatal(err)
	}
	// This record, with an address it never held.
	forged := *held
	forged.Address = "never held"
	forged.Phone = "never held either" // a field the edit does not set: nothing to take out
	addr := "2 Second Road"
	if _, err := services(b).Patients.UpdateOwnContact(as(patient), app.ContactUpdate{Address: &addr, Was: &forged}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)
	sameClinic(t, a.db, b, c)
	admin := callerOf(a.users[app.RoleAdmin])
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = ? AND notes = ? AND phone = ?`,
			id, addr, notes, held.Phone); n != 1 {
			t.Fatalf("desk %d: the edits did not win as made", i)
		}
		if got := openLosses(t, d, admin, id, "notes"); len(got) != 0 {
			t.Errorf("desk %d keeps the notes for review %v: another record's copy counted", i, got)
		}
		if got := openLosses(t, d, admin, id, "phone"); len(got) != 0 {
			t.Errorf("desk %d keeps the phone for review %v: the edit did not set it", i, got)
		}
		// The one thing a forged copy can do: the address it replaced
		// is kept for review, lost to the edit's.
		if got := openLosses(t, d, admin, id, "address"); len(got) != 1 || got[`"1 First Road"`] != `"`+addr+`"` {
			t.Errorf("desk %d keeps the address for review %v, want the first address lost to the second", i, got)
		}
	}
}

// TestForgedWasOnlyAddsReviewProfileAndAccount is TestForgedWasOnlyAddsReview
// for a doctor's profile (DoctorProfile.Was) and the staff screen's edits
// of an account (ChangeRole's, DeactivateUser's and SetLanguage's was): a
// copy of another doctor's profile or another account changes nothing,
// one of this record with values it never held can only keep the value
// the edit replaced for review. Every edit wins as made, every desk ends
// the same.
func TestForgedWasOnlyAddsReviewProfileAndAccount(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	admin := a.ctx(app.RoleAdmin)
	doctor := a.users[app.RoleDoctor].ID
	other, err := a.svc.Users.CreateUser(admin, app.UserCreate{Username: "doctor.other", FullName: "Other Doctor",
		Role: app.RoleDoctor, Password: "another doctor's password 2"})
	if err != nil {
		t.Fatal(err)
	}
	nurse, err := a.svc.Users.CreateUser(admin, app.UserCreate{Username: "nurse.forged", FullName: "Nurse Forged",
		Role: app.RoleNurse, Password: "a long nurse password 8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{doctor, other.ID} {
		if _, err := a.svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: id, Specialization: "Cardiology",
			Room: "Room 1", VisitMinutes: 20}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.svc.Users.SetLanguage(admin, nurse.ID, "el", nil); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)
	bs := services(b)
	profile := func(id string) *app.DoctorProfile {
		p, err := bs.Appointments.GetDoctorProfile(admin, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	account := func(id string) *app.User {
		u, err := bs.Users.FindUserByID(admin, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	// Another doctor's profile, its specialization forged: ignored.
	otherCopy := profile(other.ID)
	otherCopy.Specialization = "never held"
	if _, err := bs.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: doctor, Specialization: "Neurology",
		Room: "Room 1", VisitMinutes: 20, Was: otherCopy}); err != nil {
		t.Fatal(err)
	}
	// This profile, with a room it never held and a visit length the
	// edit does not change.
	forged := profile(doctor)
	forged.Room, forged.VisitMinutes = "never held", 45
	if _, err := bs.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: doctor, Specialization: "Neurology",
		Room: "Room 5", VisitMinutes: 20, Was: forged}); err != nil {
		t.Fatal(err)
	}
	// Another account, its role forged: ignored.
	otherAccount := account(other.ID)
	otherAccount.Role = app.RoleAdmin
	if _, err := bs.Users.ChangeRole(admin, nurse.ID, app.RoleReception, otherAccount); err != nil {
		t.Fatal(err)
	}
	// This account, with a language it never held; then its role forged
	// on deactivating it (a field the edit does not set).
	held := account(nurse.ID)
	forgedAccount := *held
	forgedAccount.Language = "never held"
	if _, err := bs.Users.SetLanguage(admin, nurse.ID, "es", &forgedAccount); err != nil {
		t.Fatal(err)
	}
	forgedAccount = *held
	forgedAccount.Role = app.RoleBilling
	if _, err := bs.Users.DeactivateUser(admin, nurse.ID, &forgedAccount); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)
	sameClinic(t, a.db, b, c)

	var profileID string
	if err := rawDB(t, a.db).QueryRow(`SELECT id FROM doctor_profiles WHERE user_id = ?`, doctor).Scan(&profileID); err != nil {
		t.Fatal(err)
	}
	adminC := callerOf(a.users[app.RoleAdmin])
	for i, d := range []*data.DB{a.db, b, c} {
		if n := count(t, d, `SELECT count(*) FROM doctor_profiles WHERE id = ? AND specialization = 'Neurology'
			AND room = 'Room 5' AND visit_minutes = 20`, profileID); n != 1 {
			t.Fatalf("desk %d: the profile's edits did not win as made", i)
		}
		if n := count(t, d, `SELECT count(*) FROM users WHERE id = ? AND role = 'reception' AND language = 'es'
			AND status = 'deactivated'`, nurse.ID); n != 1 {
			t.Fatalf("desk %d: the account's edits did not win as made", i)
		}
		for row, fields := range map[string][]string{profileID: {"specialization", "visit_minutes"},
			nurse.ID: {"role", "status"}} {
			for _, f := range fields {
				if got := openLosses(t, d, adminC, row, f); len(got) != 0 {
					t.Errorf("desk %d keeps the %s for review %v: another record's copy counted, or the edit did not set it", i, f, got)
				}
			}
		}
		// The one thing a forged copy can do: the value it replaced is
		// kept for review, lost to the edit's.
		if got := openLosses(t, d, adminC, profileID, "room"); len(got) != 1 || got[`"Room 1"`] != `"Room 5"` {
			t.Errorf("desk %d keeps the room for review %v, want the first room lost to the edit's", i, got)
		}
		if got := openLosses(t, d, adminC, nurse.ID, "language"); len(got) != 1 || got[`"el"`] != `"es"` {
			t.Errorf("desk %d keeps the language for review %v, want the first language lost to the edit's", i, got)
		}
	}
}
