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

// registerOffline registers the same person on a desk, as a receptionist
// who cannot see the other desk's records would.
func registerOffline(t *testing.T, svc app.Services, given, phone, email string) *app.Patient {
	t.Helper()
	p, err := svc.Patients.CreatePatient(system, app.PatientCreate{GivenName: given, FamilyName: "Twice",
		Sex: app.SexFemale, BirthDate: "1975-04-30", Phone: phone, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openDuplicates lists the desk's open possible duplicates.
func openDuplicates(t *testing.T, ctx context.Context, db *data.DB) []*app.Conflict {
	t.Helper()
	all, err := services(db).Sync.ListConflicts(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []*app.Conflict
	for _, c := range all {
		if c.DuplicateOf != "" {
			out = append(out, c)
		}
	}
	return out
}

// One patient registered on two desks while apart: the server flags the
// pair once, every desk lists it, and a merge decided on one desk keeps the
// record registered first, fills what it lacked, archives the other as
// merged into it, and reaches every desk.
func TestDuplicatePatientsFlaggedAndMerged(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	admin := first.ctx(app.RoleAdmin)

	kept := registerOffline(t, first.svc, "Maria", "", "")
	mustSync(t, first.db)
	// The second desk has not pulled the first's record; its receptionist
	// registers the same person, with a phone and extra spaces in the name.
	gone := registerOffline(t, services(second), " Maria ", "+30 210 555 0199", "maria@example.org")
	// And a record of the same name on the second desk only, born on
	// another day: not the same person.
	other, err := services(second).Patients.CreatePatient(system, app.PatientCreate{GivenName: "Maria", FamilyName: "Twice",
		Sex: app.SexFemale, BirthDate: "1975-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, second, first.db) // one round may stop below another transaction on the cluster

	if n := count(t, first.db, `SELECT count(*) FROM patient_duplicates`); n != 1 {
		t.Fatalf("%d flags on the first desk, want 1", n)
	}
	for _, db := range []*data.DB{first.db, second} {
		dups := openDuplicates(t, admin, db)
		if len(dups) != 1 {
			t.Fatalf("%s lists %d possible duplicates, want 1", db.Path(), len(dups))
		}
		d := dups[0]
		if d.RowID != gone.ID || d.DuplicateOf != kept.ID || !strings.Contains(d.What.String(), gone.MRN) || !strings.Contains(d.What.String(), kept.MRN) {
			t.Fatalf("flag %+v", d)
		}
		if st, err := engine(db).SyncStatus(context.Background()); err != nil || st.Conflicts != 1 {
			t.Fatalf("status %+v, %v", st, err)
		}
	}
	d := openDuplicates(t, admin, second)[0]
	// An allergy recorded under the later record only.
	if _, err := services(second).Clinical.AddAllergy(first.ctx(app.RoleDoctor), app.AllergyCreate{PatientID: gone.ID,
		Substance: "Penicillin", Reaction: "rash", Severity: app.SeverityModerate}); err != nil {
		t.Fatal(err)
	}

	// Taking "what lost" makes no sense for two records; a receptionist
	// may not decide.
	if _, err := services(second).Sync.ResolveConflict(admin, d.ID, app.ResolutionTake); code(err) != app.EINVALID {
		t.Fatalf("take a duplicate: %v", err)
	}
	if _, err := services(second).Sync.ResolveConflict(first.ctx(app.RoleReception), d.ID, app.ResolutionMerged); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a receptionist merges: %v", err)
	}

	res, err := services(second).Sync.ResolveConflict(admin, d.ID, app.ResolutionMerged)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resolution != app.ResolutionMerged || res.ResolvedBy != "admin" {
		t.Fatalf("resolved %+v", res)
	}
	if _, err := services(second).Sync.ResolveConflict(admin, d.ID, app.ResolutionKeep); code(err) != app.ECONFLICT {
		t.Fatalf("decide twice: %v", err)
	}
	syncAll(t, second, first.db)
	sameClinic(t, first.db, second)

	for _, db := range []*data.DB{first.db, second} {
		if dups := openDuplicates(t, admin, db); len(dups) != 0 {
			t.Fatalf("%s still lists %d possible duplicates", db.Path(), len(dups))
		}
		k, err := services(db).Patients.FindPatientByID(admin, kept.ID)
		if err != nil {
			t.Fatal(err)
		}
		if k.Archived() || k.MergedInto != "" || k.Phone != "+30 210 555 0199" || k.Email != "maria@example.org" ||
			len(k.MergedFrom) != 1 || k.MergedFrom[0].ID != gone.ID {
			t.Fatalf("kept record on %s: %+v", db.Path(), k)
		}
		chart, err := services(db).Clinical.GetChart(first.ctx(app.RoleDoctor), kept.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(chart.Allergies) != 1 || chart.Allergies[0].Substance != "Penicillin" || chart.Allergies[0].Severity != app.SeverityModerate {
			t.Fatalf("the kept record's allergies on %s: %+v", db.Path(), chart.Allergies)
		}
		g, err := services(db).Patients.FindPatientByID(admin, gone.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !g.Archived() || g.MergedInto != kept.ID || !strings.Contains(g.ArchiveReason, kept.MRN) {
			t.Fatalf("merged record on %s: %+v", db.Path(), g)
		}
		o, err := services(db).Patients.FindPatientByID(admin, other.ID)
		if err != nil || o.Archived() || o.MergedInto != "" {
			t.Fatalf("the other Maria on %s: %+v, %v", db.Path(), o, err)
		}
	}
	if n := count(t, first.db, `SELECT count(*) FROM audit_log WHERE action = 'patient.merge'`); n != 0 {
		t.Fatalf("the merge is audited on the first desk, which did not make it (%d rows)", n)
	}
	if n := count(t, second, `SELECT count(*) FROM audit_log WHERE action = 'patient.merge' AND entity_id = ?`, gone.ID); n != 1 {
		t.Fatalf("%d audit rows of the merge", n)
	}
	row := serverRow(t, u, "patient_duplicates", d.ID)
	if row["resolution"] != "merged" || row["kept_id"] != kept.ID {
		t.Fatalf("server flag %v", row)
	}
}

// Two people with one name and birth date: keeping both closes the flag
// everywhere and changes neither record. Records registered on one desk
// are not flagged: that desk warned when the second was registered.
func TestDuplicatePatientsKeptApart(t *testing.T) {
	t.Parallel()
	_, first, second := twoDesks(t)
	admin := first.ctx(app.RoleAdmin)
	a := registerOffline(t, first.svc, "Eleni", "", "")
	registerOffline(t, first.svc, "Eleni", "", "") // the same desk, a second time
	b := registerOffline(t, services(second), "Eleni", "", "")
	syncAll(t, first.db, second) // one round may stop below another transaction on the cluster
	dups := openDuplicates(t, admin, first.db)
	if len(dups) != 2 {
		t.Fatalf("%d flags, want 2: the second desk's record with each of the first's", len(dups))
	}
	for _, d := range dups {
		if d.RowID != b.ID {
			t.Fatalf("flag %+v names the wrong record", d)
		}
		if _, err := first.svc.Sync.ResolveConflict(admin, d.ID, app.ResolutionKeep); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	if dups := openDuplicates(t, admin, second); len(dups) != 0 {
		t.Fatalf("the second desk still lists %d", len(dups))
	}
	for _, id := range []string{a.ID, b.ID} {
		p, err := services(second).Patients.FindPatientByID(admin, id)
		if err != nil || p.Archived() || p.MergedInto != "" {
			t.Fatalf("%s after keeping both: %+v, %v", id, p, err)
		}
	}
}

// A server restored from a dump takes the desks' changes again in another
// order: here a rename of the first record before the second record
// arrives again. It flags the same pair all the same, with the same id and
// content, since only the records as registered decide; every desk and
// the server agree.
func TestDuplicateFlagSurvivesServerRestore(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	admin := first.ctx(app.RoleAdmin)
	a := registerOffline(t, first.svc, "Nikos", "", "")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	dump := servertest.Copy(t, u)

	b := registerOffline(t, services(second), "Nikos", "", "")
	mustSync(t, second)
	syncUntilCaughtUp(t, u, first.db)
	flags := openDuplicates(t, admin, first.db)
	if len(flags) != 1 || flags[0].RowID != b.ID || flags[0].DuplicateOf != a.ID {
		t.Fatalf("flags before the restore: %+v", flags)
	}
	renamed := "Nikolaos"
	if _, err := first.svc.Patients.UpdatePatient(system, a.ID, app.PatientUpdate{GivenName: &renamed}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)

	pointAt(t, first.db, dump)
	pointAt(t, second, dump)
	mustSync(t, first.db) // the rename reaches the restored server first
	mustSync(t, second)   // then the second record
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	if row := serverRow(t, dump, "patient_duplicates", flags[0].ID); row["patient_id"] != b.ID || row["other_id"] != a.ID {
		t.Fatalf("the restored server's flag: %v", row)
	}
	if n := count(t, second, `SELECT count(*) FROM patient_duplicates`); n != 1 {
		t.Fatalf("%d flags on the second desk", n)
	}
}

// One patient registered on three desks while apart: the server flags the
// three pairs. Two desks, still apart, merge the last record, one into the
// second record and the other into the first. Every desk must then point
// the merged record at the same kept one, whatever order the decisions
// reach it in: the record registered first of those it was merged into.
func TestConcurrentMergesAgree(t *testing.T) {
	t.Parallel()
	_, a, b, c := threeDesks(t)
	admin := a.ctx(app.RoleAdmin)
	first := registerOffline(t, a.svc, "Ana", "", "")
	time.Sleep(3 * time.Millisecond)
	second := registerOffline(t, services(b), "Ana", "", "")
	time.Sleep(3 * time.Millisecond)
	third := registerOffline(t, services(c), "Ana", "", "")
	syncAll(t, a.db, b, c)
	if n := count(t, a.db, `SELECT count(*) FROM patient_duplicates`); n != 3 {
		t.Fatalf("%d flags, want 3", n)
	}
	decide := func(db *data.DB, keptID string) {
		t.Helper()
		for _, d := range openDuplicates(t, admin, db) {
			if d.RowID == third.ID && d.DuplicateOf == keptID {
				if _, err := services(db).Sync.ResolveConflict(admin, d.ID, app.ResolutionMerged); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("%s lists no flag of %s and %s", db.Path(), third.MRN, keptID)
	}
	decide(b, second.ID)
	decide(c, first.ID)
	mustSync(t, b)
	mustSync(t, c)
	syncAll(t, a.db, b, c)
	for i, db := range []*data.DB{a.db, b, c} {
		if n := count(t, db, `SELECT count(*) FROM patients WHERE id = ? AND merged_into = ? AND deleted_at IS NOT NULL`,
			third.ID, first.ID); n != 1 {
			t.Errorf("desk %d does not point the merged record at the first one", i)
		}
		if n := count(t, db, `SELECT count(*) FROM patients WHERE merged_into <> ''`); n != 1 {
			t.Errorf("desk %d: %d merged records, want 1", i, n)
		}
	}
}
