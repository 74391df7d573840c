package sync_test

import (
	"testing"

	"hms/app"
)

// A record created in error and purged on one desk leaves every desk, its
// history with it, and a desk that joins later never sees it: the server
// takes the deletes of the record's history rows, which are otherwise
// never changed, and nothing waits for review anywhere.
func TestPurgeSyncs(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	mistake := newPatient(t, first.svc, "Mistake")
	email := "mistake@example.org"
	if _, err := first.svc.Patients.UpdatePatient(system, mistake.ID, app.PatientUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	if _, err := services(second).Patients.FindPatientByID(system, mistake.ID); err != nil {
		t.Fatalf("the record did not reach the second desk: %v", err)
	}

	if err := first.svc.Patients.PurgePatient(first.ctx(app.RoleAdmin), mistake.ID, mistake.MRN); err != nil {
		t.Fatal(err)
	}
	rep := mustSync(t, first.db)
	if rep.Rejected != 0 || rep.Conflicts != 0 {
		t.Fatalf("the purge's push: %+v", rep)
	}
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the second desk could not take the purge in: %+v", rep)
	}
	third := MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	if rep := syncAllReport(t, u, third); rep.PullConflicts != 0 {
		t.Fatalf("a new desk could not download the clinic: %+v", rep)
	}
	sameClinic(t, first.db, second)
	sameClinic(t, first.db, third)
	for _, q := range []string{`SELECT count(*) FROM patients WHERE id = ?`, `SELECT count(*) FROM patient_events WHERE patient_id = ?`,
		`SELECT count(*) FROM patient_changes WHERE patient_id = ?`} {
		if n := count(t, second, q, mistake.ID); n != 0 {
			t.Errorf("%s: %d on the second desk", q, n)
		}
	}
	for _, db := range []struct {
		name string
		n    int
	}{{"first", count(t, first.db, `SELECT count(*) FROM conflicts`)}, {"second", count(t, second, `SELECT count(*) FROM conflicts`)},
		{"third", count(t, third, `SELECT count(*) FROM conflicts`)}} {
		if db.n != 0 {
			t.Errorf("%d conflicts on the %s desk", db.n, db.name)
		}
	}
}
