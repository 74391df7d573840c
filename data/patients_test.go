package data_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// addPatients registers patients as reception, one clock second apart.
func addPatients(t *testing.T, c *clinic, ps ...app.PatientCreate) []*app.Patient {
	t.Helper()
	var out []*app.Patient
	for _, p := range ps {
		c.clock.Add(time.Second)
		got, err := c.svc.Patients.CreatePatient(c.ctx(app.RoleReception), p)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		out = append(out, got)
	}
	return out
}

func names(ps []*app.Patient) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.FullName())
	}
	return out
}

func search(t *testing.T, c *clinic, role app.Role, f app.PatientFilter) []string {
	t.Helper()
	page, err := c.svc.Patients.FindPatients(c.ctx(role), f)
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	return names(page.Patients)
}

func TestPatientSearch(t *testing.T) {
	c := mustSetup(t)
	addPatients(t, c,
		app.PatientCreate{GivenName: "Zoë", FamilyName: "Müller-Lüdenscheidt", Sex: app.SexFemale, BirthDate: "1980-01-01", Phone: "+49 30 1234 5678"},
		app.PatientCreate{GivenName: "Ελένη", FamilyName: "Παπαδοπούλου", Sex: app.SexFemale, BirthDate: "1975-05-05", Phone: "+30 210 555 0199"},
		app.PatientCreate{GivenName: "Наталья", FamilyName: "Иванова", Sex: app.SexFemale, BirthDate: "1990-09-09", Phone: "+7 495 111 2233"},
		app.PatientCreate{GivenName: "Øystein", FamilyName: "Ødegård", Sex: app.SexMale, BirthDate: "1966-06-06"},
		app.PatientCreate{GivenName: "Maria José", FamilyName: "García López", Sex: app.SexFemale, BirthDate: "2001-02-03", Phone: "+34 91 555 0101"},
		app.PatientCreate{GivenName: "José", FamilyName: "Maria", Sex: app.SexMale, BirthDate: "1955-12-12"},
	)
	cases := []struct {
		q    string
		want []string
	}{
		{"zoe", []string{"Zoë Müller-Lüdenscheidt", "zoe Papadopoulou"}},
		{"zoe mu", []string{"Zoë Müller-Lüdenscheidt"}},
		{"ZOË MULL", []string{"Zoë Müller-Lüdenscheidt"}},
		{"lüden", []string{"Zoë Müller-Lüdenscheidt"}},
		{"ελενη", []string{"Ελένη Παπαδοπούλου"}},
		{"παπαδο ελ", []string{"Ελένη Παπαδοπούλου"}},
		{"наталья", []string{"Наталья Иванова"}},
		{"oystein odeg", []string{"Øystein Ødegård"}},
		{"garcia maria", []string{"Maria José García López"}},
		{"jose maria", []string{"José Maria", "Maria José García López"}}, // newest activity first
		{"jos mar", []string{"José Maria", "Maria José García López"}},
		{"maria jose lop", []string{"Maria José García López"}},
		{"mariana garcia", nil},
		{"garcia maria jose", []string{"Maria José García López"}},
		{"5550", []string{"Maria José García López", "Ελένη Παπαδοπούλου", "yannis Papadopoulou", "zoe Papadopoulou"}},
		{"210 555 01", []string{"Ελένη Παπαδοπούλου"}},
		{"papa 0002", []string{"yannis Papadopoulou"}},
		{"+7 495", []string{"Наталья Иванова"}},
		{"P-D1-00000", []string{"zoe Papadopoulou", "yannis Papadopoulou", "Zoë Müller-Lüdenscheidt", "Ελένη Παπαδοπούλου",
			"Наталья Иванова", "Øystein Ødegård", "Maria José García López", "José Maria"}},
		{"p-d1-000004", []string{"Ελένη Παπαδοπούλου"}},
		{"000005", []string{"Наталья Иванова"}},
		{"nobody", nil},
	}
	for _, tc := range cases {
		if got := search(t, c, app.RoleReception, app.PatientFilter{Query: tc.q}); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: got %q, want %q", tc.q, got, tc.want)
		}
	}
	if _, err := c.svc.Patients.FindPatients(c.ctx(app.RoleReception), app.PatientFilter{Query: "12"}); app.ErrorField(err) != "query" {
		t.Errorf("two digits: %v", err)
	}

	t.Run("NewestActivityFirstAndPaging", func(t *testing.T) {
		all := search(t, c, app.RoleReception, app.PatientFilter{})
		if len(all) != 8 || all[0] != "José Maria" {
			t.Fatalf("everyone: %q", all)
		}
		// An update moves the patient to the top.
		page, _ := c.svc.Patients.FindPatients(c.ctx(app.RoleReception), app.PatientFilter{Query: "наталья"})
		email := "natalia@example.org"
		if _, err := c.svc.Patients.UpdatePatient(c.ctx(app.RoleNurse), page.Patients[0].ID, app.PatientUpdate{Email: &email}); err != nil {
			t.Fatal(err)
		}
		var paged []string
		cursor := ""
		for i := 0; ; i++ {
			p, err := c.svc.Patients.FindPatients(c.ctx(app.RoleReception), app.PatientFilter{Limit: 3, Cursor: cursor})
			if err != nil || i > 5 {
				t.Fatalf("page %d: %v", i, err)
			}
			paged = append(paged, names(p.Patients)...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if len(paged) != 8 || paged[0] != "Наталья Иванова" || paged[1] != "José Maria" {
			t.Fatalf("paged: %q", paged)
		}
	})

	t.Run("ArchivedOnlyForAdmins", func(t *testing.T) {
		page, _ := c.svc.Patients.FindPatients(c.ctx(app.RoleReception), app.PatientFilter{Query: "oystein"})
		if _, err := c.svc.Patients.ArchivePatient(c.ctx(app.RoleAdmin), page.Patients[0].ID, "registered in error"); err != nil {
			t.Fatal(err)
		}
		if got := search(t, c, app.RoleReception, app.PatientFilter{Query: "oystein"}); len(got) != 0 {
			t.Fatalf("archived patient listed: %q", got)
		}
		if got := search(t, c, app.RoleAdmin, app.PatientFilter{Query: "oystein", IncludeArchived: true}); len(got) != 1 {
			t.Fatalf("admin does not find the archived patient: %q", got)
		}
		if _, err := c.svc.Patients.FindPatients(c.ctx(app.RoleReception), app.PatientFilter{Query: "oystein", IncludeArchived: true}); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("reception asking for archived: %v", err)
		}
		if _, err := c.svc.Patients.FindPatientByID(c.ctx(app.RoleDoctor), page.Patients[0].ID); code(err) != app.ENOTFOUND {
			t.Fatalf("doctor opening an archived record: %v", err)
		}
		if _, err := c.svc.Patients.RestorePatient(c.ctx(app.RoleAdmin), page.Patients[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := search(t, c, app.RoleReception, app.PatientFilter{Query: "oystein"}); len(got) != 1 {
			t.Fatalf("restored patient not listed: %q", got)
		}
	})
}

func TestPatientRecords(t *testing.T) {
	t.Run("Duplicates", func(t *testing.T) {
		c := mustSetup(t)
		addPatients(t, c, app.PatientCreate{GivenName: "Chloé", FamilyName: "Dubois", Sex: app.SexFemale, BirthDate: "1988-08-08", Phone: "+33 1 44 55 66 77"})
		dups, err := c.svc.Patients.FindDuplicates(c.ctx(app.RoleReception), app.PatientCreate{GivenName: "chloe", FamilyName: "DUBOIS", BirthDate: "1988-08-08"})
		if err != nil || len(dups) != 1 || dups[0].Reason != "same name and date of birth" {
			t.Fatalf("same name and birth date: %v %+v", err, dups)
		}
		dups, _ = c.svc.Patients.FindDuplicates(c.ctx(app.RoleReception), app.PatientCreate{GivenName: "Other", FamilyName: "Person", BirthDate: "1970-01-01", Phone: "0033 1 44 55 66 77"})
		if len(dups) != 0 {
			t.Fatalf("a different number matched: %+v", dups)
		}
		dups, _ = c.svc.Patients.FindDuplicates(c.ctx(app.RoleReception), app.PatientCreate{GivenName: "Other", FamilyName: "Person", BirthDate: "1970-01-01", Phone: "+33 (1) 44-55-66-77"})
		if len(dups) != 1 || dups[0].Reason != "same phone number" {
			t.Fatalf("same phone: %+v", dups)
		}
	})

	t.Run("UpdateKeepsHistory", func(t *testing.T) {
		c := mustSetup(t)
		p := addPatients(t, c, app.PatientCreate{GivenName: "Ana", FamilyName: "Silva", Sex: app.SexFemale, BirthDate: "1992-03-04"})[0]
		snap := snapshot(t, c.db)
		bad := "2999-01-01"
		if _, err := c.svc.Patients.UpdatePatient(c.ctx(app.RoleDoctor), p.ID, app.PatientUpdate{BirthDate: &bad}); app.ErrorField(err) != "birth_date" {
			t.Fatalf("future birth date: %v", err)
		}
		group := app.BloodGroup("C+")
		if _, err := c.svc.Patients.UpdatePatient(c.ctx(app.RoleDoctor), p.ID, app.PatientUpdate{BloodGroup: &group}); app.ErrorField(err) != "blood_group" {
			t.Fatalf("bad blood group: %v", err)
		}
		if snapshot(t, c.db) != snap {
			t.Fatal("refused updates changed data")
		}
		phone, group2 := "+351 21 555 0000", app.BloodGroup("O-")
		got, err := c.svc.Patients.UpdatePatient(c.ctx(app.RoleDoctor), p.ID, app.PatientUpdate{Phone: &phone, BloodGroup: &group2})
		if err != nil || got.Phone != phone || got.BloodGroup != "O-" {
			t.Fatalf("update: %v %+v", err, got)
		}
		changes, err := c.svc.Patients.FindPatientChanges(c.ctx(app.RoleReception), p.ID)
		if err != nil || len(changes) != 2 {
			t.Fatalf("changes: %v %+v", err, changes)
		}
		for _, ch := range changes {
			if ch.Username != "doctor1" || (ch.Field == "phone" && ch.New != phone) || (ch.Field == "blood_group" && ch.Old != "") {
				t.Fatalf("change: %+v", ch)
			}
		}
		if e := lastAudit(t, c); e.Action != "patient.view_changes" {
			t.Fatalf("reading the history is not audited: %+v", e)
		}
		if _, err := c.svc.Patients.UpdatePatient(c.ctx(app.RoleDoctor), p.ID, app.PatientUpdate{Phone: &phone}); code(err) != app.EINVALID {
			t.Fatalf("no change: %v", err)
		}
	})

	t.Run("OwnContact", func(t *testing.T) {
		c := mustSetup(t)
		phone := "+30 697 000 1111"
		got, err := c.svc.Patients.UpdateOwnContact(c.ctx(app.RolePatient), app.ContactUpdate{Phone: &phone})
		if err != nil || got.ID != c.users[app.RolePatient].PatientID || got.Phone != phone {
			t.Fatalf("own contact: %v %+v", err, got)
		}
		other, _ := c.svc.Patients.FindPatientByID(c.ctx(app.RoleAdmin), c.patient2.PatientID)
		if other.Phone == phone {
			t.Fatal("changed another patient")
		}
		if _, err := c.svc.Patients.FindPatientChanges(c.ctx(app.RolePatient), c.users[app.RolePatient].PatientID); err != nil {
			t.Fatalf("own change history: %v", err)
		}
		if _, err := c.svc.Patients.FindPatientChanges(c.ctx(app.RolePatient), c.patient2.PatientID); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("another's change history: %v", err)
		}
	})

	t.Run("ArchiveAndPurge", func(t *testing.T) {
		c := mustSetup(t)
		p := addPatients(t, c, app.PatientCreate{GivenName: "Err", FamilyName: "Or", Sex: app.SexUnknown, BirthDate: "2000-01-01"})[0]
		if _, err := c.svc.Patients.ArchivePatient(c.ctx(app.RoleAdmin), p.ID, " "); app.ErrorField(err) != "reason" {
			t.Fatalf("archive without reason: %v", err)
		}
		if err := c.svc.Patients.PurgePatient(c.ctx(app.RoleAdmin), p.ID, "P-D1-000001"); app.ErrorField(err) != "confirm" {
			t.Fatalf("purge with the wrong number: %v", err)
		}
		if err := c.svc.Patients.PurgePatient(c.ctx(app.RoleAdmin), c.patient2.PatientID, "P-D1-000002"); code(err) != app.ECONFLICT ||
			!strings.Contains(app.ErrorMessage(err), "login account") {
			t.Fatalf("purging a patient with an account: %v", err)
		}
		if err := c.svc.Patients.PurgePatient(c.ctx(app.RoleAdmin), p.ID, p.MRN); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Patients.FindPatientByID(c.ctx(app.RoleAdmin), p.ID); code(err) != app.ENOTFOUND {
			t.Fatalf("purged patient still there: %v", err)
		}
		if got := search(t, c, app.RoleAdmin, app.PatientFilter{Query: "err or", IncludeArchived: true}); len(got) != 0 {
			t.Fatalf("purged patient still in the search index: %q", got)
		}
		rep, _ := c.db.Verify(context.Background())
		if !rep.OK() {
			t.Fatalf("after purge: %+v", rep)
		}
	})

	t.Run("ImportAllOrNothing", func(t *testing.T) {
		c := mustSetup(t)
		addPatients(t, c, app.PatientCreate{GivenName: "Kofi", FamilyName: "Mensah", Sex: app.SexMale, BirthDate: "1985-05-15"})
		snap := snapshot(t, c.db)
		rows := []app.ImportRow{
			{Line: 2, Patient: app.PatientCreate{GivenName: "A", FamilyName: "One", Sex: app.SexMale, BirthDate: "1990-01-01"}},
			{Line: 3, Patient: app.PatientCreate{GivenName: "B", FamilyName: "Two", Sex: app.SexFemale, BirthDate: "1990-02-31"}},
			{Line: 4, Patient: app.PatientCreate{GivenName: "", FamilyName: "Three", Sex: app.SexFemale, BirthDate: "1990-01-01"}},
		}
		_, err := c.svc.Patients.ImportPatients(c.ctx(app.RoleReception), rows)
		var ie *app.ImportError
		if !errors.As(err, &ie) || code(err) != app.EINVALID || len(ie.Rows) != 2 || ie.Rows[0].Line != 3 || ie.Rows[1].Field != "given_name" {
			t.Fatalf("bad rows: %v %+v", err, ie)
		}
		if snapshot(t, c.db) != snap {
			t.Fatal("a refused import changed data")
		}
		rows[1].Patient.BirthDate, rows[2].Patient.GivenName = "1990-02-28", "C"
		rows = append(rows, app.ImportRow{Line: 5, Patient: app.PatientCreate{GivenName: "kofi", FamilyName: "MENSAH", Sex: app.SexMale, BirthDate: "1985-05-15"}},
			app.ImportRow{Line: 6, Patient: app.PatientCreate{GivenName: "A", FamilyName: "One", Sex: app.SexMale, BirthDate: "1990-01-01"}})
		res, err := c.svc.Patients.ImportPatients(c.ctx(app.RoleReception), rows)
		if err != nil || res.Imported != 5 || len(res.Duplicates) != 2 || res.Duplicates[0].Line != 5 || res.Duplicates[1].Line != 6 {
			t.Fatalf("import: %v %+v", err, res)
		}
	})

	t.Run("Export", func(t *testing.T) {
		c := mustSetup(t)
		addPatients(t, c, app.PatientCreate{GivenName: "Renée \"Rae\"", FamilyName: "O'Brien, Jr.", Sex: app.SexFemale,
			BirthDate: "1979-07-07", Address: "Flat 2\n10 High Street"})
		var buf bytes.Buffer
		n, err := c.svc.Patients.ExportPatients(c.ctx(app.RoleAdmin), &buf)
		if err != nil || n != 3 {
			t.Fatalf("export: %d %v", n, err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(recs) != 4 || recs[0][0] != "mrn" {
			t.Fatalf("CSV: %v %q", err, recs)
		}
		last := recs[3]
		if last[1] != "Renée \"Rae\"" || last[2] != "O'Brien, Jr." || last[7] != "Flat 2\n10 High Street" {
			t.Fatalf("escaping: %q", last)
		}
	})
}

// TestExportNeutralisesFormulas: a name a spreadsheet would run as a
// formula is exported with a leading apostrophe, and imported back as it
// was.
func TestExportNeutralisesFormulas(t *testing.T) {
	c := mustSetup(t)
	names := []string{"=HYPERLINK(\"http://x.example\",\"Click\")", "+1+1", "-2+3", "@SUM(A1:A9)"}
	for _, n := range names {
		if _, err := c.svc.Patients.CreatePatient(c.ctx(app.RoleAdmin), app.PatientCreate{GivenName: n, FamilyName: "Formula",
			Sex: app.SexFemale, BirthDate: "1990-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	var buf strings.Builder
	if _, err := c.svc.Patients.ExportPatients(c.ctx(app.RoleAdmin), &buf); err != nil {
		t.Fatal(err)
	}
	tab, err := app.ReadCSV(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(tab.Header, "given_name")
	var back []string
	for _, r := range tab.Records {
		cell := r.Fields[col]
		if strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("exported %q", cell)
		}
		rows, bad := (&app.CSVTable{Header: tab.Header, Records: []app.CSVRecord{r}}).PatientRows(app.GuessMapping(tab.Header),
			c.clock.Now())
		if len(bad) == 0 && rows[0].Patient.FamilyName == "Formula" {
			back = append(back, rows[0].Patient.GivenName)
		}
	}
	slices.Sort(back)
	slices.Sort(names)
	if !slices.Equal(back, names) {
		t.Errorf("read back %q, want %q", back, names)
	}
}
