package data_test

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
	if _, err := second.Services().Patients.UpdatePatient(system, p.ID, app.PatientUpdate{GivenName: &name}); err != nil {
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
		got, err := d.Services().Patients.FindPatientByID(system, p.ID)
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
