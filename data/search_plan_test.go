package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

// TestSearchQueryPlans checks that every kind of search walks an index in
// the order it returns: no scan of the patients table, no temporary B-tree
// to sort. The plan is what SQLite chooses on a populated database.
func TestSearchQueryPlans(t *testing.T) {
	db := sharedDemo(t, nil)
	if _, err := db.ReadDB().Exec(`ANALYZE`); err == nil {
		t.Log("analyzed") // the reader pool is query-only: ANALYZE is refused there, which is fine
	}
	for _, f := range []app.PatientFilter{
		{},
		{Cursor: "100"},
		{Query: "maria"},
		{Query: "maria gar", Cursor: "2000"},
		{Query: "555 01"},
		{Query: "papa 0123"},
		{Query: "P-D1-0001"},
		{Query: "P-D1-0001", Cursor: "P-D1-000105"},
		{Query: "maria", IncludeArchived: true},
	} {
		q, args, err := data.SearchSQL(f)
		if err != nil {
			t.Fatal(err)
		}
		plan := queryPlan(t, db, q, args...)
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "SCAN patients") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%+v: plan %s", f, text)
		}
		switch {
		case strings.Contains(q, "_fts"):
			// Each row an index finds is one lookup in patient_list by its
			// rowid, not one in patients_activity and another in patients.
			if !strings.Contains(text, "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)") {
				t.Errorf("%+v: rows not read from patient_list by rowid: plan %s", f, text)
			}
		case f.Query == "":
			// The newest activity first: patient_list in its rowid order.
			if !strings.Contains(q, "FROM patient_list p") || strings.Contains(text, "SCAN p USING") {
				t.Errorf("%+v: not patient_list in rowid order: plan %s", f, text)
			}
		default:
			if strings.Contains(text, "SCAN p") {
				t.Errorf("%+v: plan %s", f, text)
			}
		}
		t.Logf("%+v: %s", f, text)
	}
}
