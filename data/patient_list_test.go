package data_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync/hlc"
)

// TestPatientListFollowsPatients: the search's result rows (patient_list,
// migration 0218) are the patients' records as they stand after every kind
// of write to a patient: registration, an edit, activity that moves the
// patient to the top, archive and restore, a purge, and a pulled change
// applied by the sync engine; the search shows the new values; and verify
// reports a row changed, removed or added behind the app's back.
func TestPatientListFollowsPatients(t *testing.T) {
	c := mustSetupCopy(t)
	rec, admin := c.ctx(app.RoleReception), c.ctx(app.RoleAdmin)
	same := func(step string) {
		t.Helper()
		problems, err := data.PatientListProblems(context.Background(), c.db)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Fatalf("after %s: %s", step, strings.Join(problems, "; "))
		}
	}
	ps := addPatients(t, c,
		app.PatientCreate{GivenName: "Listed", FamilyName: "One", Sex: app.SexFemale, BirthDate: "1980-01-01", Phone: "+30 697 111 0001"},
		app.PatientCreate{GivenName: "Listed", FamilyName: "Two", Sex: app.SexMale, BirthDate: "1981-01-01", Phone: "+30 697 111 0002"},
		app.PatientCreate{GivenName: "Listed", FamilyName: "Three", Sex: app.SexOther, BirthDate: "1982-01-01"})
	same("registration")

	given, phone, notes := "Relisted", "+30 697 222 0001", "Prefers mornings."
	if _, err := c.svc.Patients.UpdatePatient(rec, ps[0].ID, app.PatientUpdate{GivenName: &given, Phone: &phone, Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	same("an edit")
	page, err := c.svc.Patients.FindPatients(rec, app.PatientFilter{Query: "relisted"})
	if err != nil || len(page.Patients) != 1 || page.Patients[0].Phone != phone || page.Patients[0].Notes != notes {
		t.Fatalf("search after the edit: %+v %v", page, err)
	}
	if page, err = c.svc.Patients.FindPatients(rec, app.PatientFilter{Query: "222 0001"}); err != nil || len(page.Patients) != 1 {
		t.Fatalf("search by the new phone: %+v %v", page, err)
	}

	// Activity moves the patient to the top of the list.
	if _, err := c.svc.Clinical.AddNote(c.ctx(app.RoleDoctor), app.NoteCreate{PatientID: ps[1].ID, Kind: app.NoteClinical,
		Subjective: "Seen."}); err != nil {
		t.Fatal(err)
	}
	same("activity")
	if page, err = c.svc.Patients.FindPatients(rec, app.PatientFilter{}); err != nil || len(page.Patients) == 0 ||
		page.Patients[0].ID != ps[1].ID || page.Patients[0].LastActivityAt.IsZero() {
		t.Fatalf("the newest activity is not first: %+v %v", page, err)
	}

	if _, err := c.svc.Patients.ArchivePatient(admin, ps[2].ID, "registered twice"); err != nil {
		t.Fatal(err)
	}
	same("archive")
	if page, err = c.svc.Patients.FindPatients(rec, app.PatientFilter{Query: "listed three"}); err != nil || len(page.Patients) != 0 {
		t.Fatalf("an archived patient is listed: %+v %v", page, err)
	}
	if _, err := c.svc.Patients.RestorePatient(admin, ps[2].ID); err != nil {
		t.Fatal(err)
	}
	same("restore")
	if err := c.svc.Patients.PurgePatient(admin, ps[2].ID, ps[2].MRN); err != nil {
		t.Fatal(err)
	}
	same("purge")

	if err := c.db.ApplyRemote(context.Background(), hlc.Timestamp{}, func(tx *data.Tx) error {
		_, err := tx.Exec(`UPDATE patients SET address = '1 Pulled Street', updated_at = ? WHERE id = ?`,
			time.Now().UTC().Format(time.RFC3339Nano), ps[1].ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	same("a pulled change")
	if page, err = c.svc.Patients.FindPatients(rec, app.PatientFilter{Query: "listed two"}); err != nil || len(page.Patients) != 1 ||
		page.Patients[0].Address != "1 Pulled Street" {
		t.Fatalf("search after the pull: %+v %v", page, err)
	}

	// Behind the app's back: verify names each kind.
	raw := datatest.RawDB(t, c.db)
	for _, tc := range []struct{ tamper, want string }{
		{`UPDATE patient_list SET phone = '+30 210 000 0000' WHERE id = '` + ps[0].ID + `'`, "patient " + ps[0].MRN + " Relisted One (" + ps[0].ID + ") differs from the patient's record"},
		{`DELETE FROM patient_list WHERE id = '` + ps[1].ID + `'`, "patient " + ps[1].MRN + " Listed Two (" + ps[1].ID + ") has no row in the search's list"},
		{`INSERT INTO patient_list SELECT activity_seq + 1000, 'ghost', mrn, given_name, family_name, sex, birth_date, phone,
			email, address, national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at,
			last_activity_at, deleted_at, archive_reason, merged_into, language, search_name, phone_digits
			FROM patient_list WHERE id = '` + ps[0].ID + `'`, "a row for ghost that no patient has"},
	} {
		if _, err := raw.Exec(tc.tamper); err != nil {
			t.Fatal(err)
		}
		rep, err := c.svc.Audit.Verify(admin)
		if err != nil {
			t.Fatal(err)
		}
		if rep.IntegrityOK || !strings.Contains(strings.Join(rep.Integrity, "; "), tc.want) {
			t.Errorf("verify after %.40s…: %v, want %q", tc.tamper, rep.Integrity, tc.want)
		}
	}
}
