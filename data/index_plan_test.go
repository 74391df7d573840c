package data_test

import (
	"strings"
	"testing"

	"hms/data"
)

// TestIndexesTheQueriesUse lists the index each query reading the audit log
// or the patients' timelines by something other than their key uses, and
// fails when one that needs an index does not use it. Every audited write
// adds a row to both tables, and each index on them costs that commit a
// page (TestIssueAndPayPages): an index is kept only for a query here.
func TestIndexesTheQueriesUse(t *testing.T) {
	db := sharedDemo(t, nil)
	for _, q := range data.IndexedQueries() {
		plan := strings.Join(queryPlan(t, db, q.SQL, q.Args...), "; ")
		t.Logf("%s:\n  %s", q.Name, plan)
		// The index's name, followed by its columns, the next step or
		// the plan's end.
		if q.Index != "" && !strings.Contains(strings.ReplaceAll(plan, ";", " ;")+" ", "INDEX "+q.Index+" ") {
			t.Errorf("%s does not use %s:\n  %s\n  plan %s", q.Name, q.Index, firstLine(q.SQL), plan)
		}
	}
}
