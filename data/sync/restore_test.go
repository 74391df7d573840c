package sync_test

import (
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
)

// A desk that pushes its acknowledged operations again to a server
// restored from an older dump may push a change of a row the server has
// not got back yet (the desk that made the row has not synced since the
// restore): the server holds such a change undecided ("quarantined"). The
// desk must keep it queued until the server decides it, as it does any
// quarantined operation; it had forgotten it, so the change was lost on
// the server and on every other desk while the desk kept it (found by the
// simulation, seed 9).
func TestRestoredServerGetsChangeOfRowItLacked(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	dump := servertest.Copy(t, u) // older than the patient

	p := newPatient(t, first.svc, "Original")
	mustSync(t, first.db)
	mustSync(t, second)
	name := "Renamed"
	if _, err := services(second).Patients.UpdatePatient(system, p.ID, app.PatientUpdate{GivenName: &name}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)

	// The server is restored from the dump; the second desk syncs first,
	// before the first has pushed the patient again.
	pointAt(t, first.db, dump)
	pointAt(t, second, dump)
	rep := mustSync(t, second)
	if rep.Repushed == 0 {
		t.Fatalf("the second desk did not push its operations again to the restored server: %+v", rep)
	}
	if n := count(t, second, `SELECT count(*) FROM outbox WHERE row_id = ?`, p.ID); n != 1 {
		t.Errorf("the rename the restored server could not decide yet: %d queued, want 1", n)
	}
	for _, d := range []*data.DB{first.db, second, first.db} {
		mustSync(t, d)
	}

	sameClinic(t, first.db, second)
	for _, d := range []*data.DB{first.db, second} {
		got, err := services(d).Patients.FindPatientByID(system, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.GivenName != name {
			t.Errorf("%s: given name %q, want %q", d.Path(), got.GivenName, name)
		}
		if n := count(t, d, `SELECT count(*) FROM outbox`); n != 0 {
			t.Errorf("%s: %d operations still queued", d.Path(), n)
		}
	}
	if n := servertest.QueryInt(t, dump, `SELECT count(*) FROM sync.rows WHERE entity = 'patients' AND row_id = $1
		AND data->>'given_name' = $2`, p.ID, name); n != 1 {
		t.Errorf("the restored server does not hold the rename")
	}
}

// After a restored server, desks push their operations again in their own
// order: a void pushed again before the issue it followed made a void
// invoice without a number, a state of the row no desk ever had, which a
// desk's constraints refuse. Desks parked that entry, and a later entry
// of the row in the same batch had to close it, or the desk applied the
// stale entry again each round and never succeeded (found by the
// simulation, seeds 61 and 195). The server now holds the void until the
// issue comes (server migration 0041): the voiding desk pushes it again
// at its next round, and no desk parks anything.
func TestRestoredServerLaterEntryClosesParkedOne(t *testing.T) {
	t.Parallel()
	u, first, second, third := threeDesks(t)

	p := newPatient(t, first.svc, "Billed")
	bill := first.svc.Billing
	inv, err := bill.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bill.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}); err != nil {
		t.Fatal(err)
	}
	// Each desk until it has the whole log: a round pulls only what lies
	// below the oldest transaction open on the server's cluster.
	for _, d := range []*data.DB{first.db, second, third} {
		syncUntilCaughtUp(t, u, d)
	}
	dump := servertest.Copy(t, u) // holds the draft

	if _, err := bill.IssueInvoice(system, inv.ID); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	if _, err := services(second).Billing.VoidInvoice(system, inv.ID, "issued in error"); err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, third)

	// Restored: the void goes again before the issue, then the issue; the
	// third desk pulls both entries in one batch.
	for _, d := range []*data.DB{first.db, second, third} {
		pointAt(t, d, dump)
	}
	mustSync(t, second)
	mustSync(t, first.db)
	mustSync(t, third)
	for _, d := range []*data.DB{second, first.db, third} {
		mustSync(t, d)
	}
	for _, d := range []*data.DB{second, first.db, third} {
		syncUntilCaughtUp(t, dump, d)
	}

	sameClinic(t, first.db, second, third)
	for _, d := range []*data.DB{first.db, second, third} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE 'could not be applied%' AND resolved_at IS NULL`); n != 0 {
			t.Errorf("%s: %d pulled changes wait to be applied", d.Path(), n)
		}
		if n := count(t, d, `SELECT count(*) FROM invoices WHERE id = ? AND status = 'void' AND number IS NOT NULL`, inv.ID); n != 1 {
			t.Errorf("%s: the invoice is not void with its number", d.Path())
		}
	}
}
