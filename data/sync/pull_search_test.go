package sync_test

import (
	"fmt"
	"reflect"
	"testing"

	"hms/app"
)

// A desk that downloads its clinic writes the search rows of the patients
// it inserts together, after each batch (migration 0012): its search index
// holds exactly what the trigger writes row by row, including for a
// patient inserted and renamed within one batch, and it finds the patients
// by their names and numbers.
func TestPullBuildsTheSearchIndex(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	first := demoDesk(t, 30)
	mustEnroll(t, first, u)
	mustSync(t, first)
	svc := services(first)
	// The log holds the new patient's insert, then its rename: a new desk
	// applies both in one batch.
	p := newPatient(t, svc, "Oldname")
	mustSync(t, first)
	given, phone := "Newname", "+30 210 555 0177"
	if _, err := svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{GivenName: &given, Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first)

	second := MustOpenDB(t, nil)
	mustEnroll(t, second, u)
	if rep := syncAllReport(t, u, second); rep.Pulled == 0 || rep.PullConflicts != 0 {
		t.Fatalf("download: %+v", rep)
	}

	// Outside the pull the trigger writes the search rows again.
	if n := count(t, second, `SELECT search_deferred FROM sync_meta`); n != 0 {
		t.Fatalf("sync_meta.search_deferred is %d after the pull", n)
	}

	// The index as the desk built it, and as the trigger builds it from
	// the same rows, in a fresh index of the same kind.
	raw := rawDB(t, second)
	raw.SetMaxOpenConns(1) // one connection, which holds the temporary tables
	for _, q := range []string{
		`CREATE VIRTUAL TABLE temp.want_name USING fts5 (name, tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
			prefix = '1 2 3', content = '', contentless_delete = 1)`,
		`CREATE VIRTUAL TABLE temp.want_number USING fts5 (digits, tokenize = 'trigram', content = '', contentless_delete = 1)`,
		`INSERT INTO temp.want_name (rowid, name) SELECT activity_seq, search_name FROM patients`,
		`INSERT INTO temp.want_number (rowid, digits) SELECT activity_seq, phone_digits || ' ' || substr(mrn, -6) FROM patients`,
		`CREATE VIRTUAL TABLE temp.got_name_v USING fts5vocab(main, patient_name_fts, instance)`,
		`CREATE VIRTUAL TABLE temp.got_number_v USING fts5vocab(main, patient_number_fts, instance)`,
		`CREATE VIRTUAL TABLE temp.want_name_v USING fts5vocab(temp, want_name, instance)`,
		`CREATE VIRTUAL TABLE temp.want_number_v USING fts5vocab(temp, want_number, instance)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	entries := func(table string) []string {
		rows, err := raw.Query(`SELECT term, doc, col, offset FROM temp.` + table + ` ORDER BY term, doc, col, offset`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var term, col string
			var doc, offset int64
			if err := rows.Scan(&term, &doc, &col, &offset); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(term, doc, col, offset))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, index := range []string{"name", "number"} {
		got, want := entries("got_"+index+"_v"), entries("want_"+index+"_v")
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("the %s index holds %d entries, the patients' rows make %d", index, len(got), len(want))
		}
	}

	// The renamed patient is found by the new name and number only.
	sess, err := services(second).Users.Login(anon, "admin", "demo admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := as(sess.Caller())
	for query, want := range map[string]int{"Newname": 1, "Oldname": 0, "5550177": 1} {
		page, err := services(second).Patients.FindPatients(admin, app.PatientFilter{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Patients) != want {
			t.Errorf("searching for %q found %d patients, want %d", query, len(page.Patients), want)
		}
	}
}
