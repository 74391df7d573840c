package data_test

import (
	"regexp"
	"strings"
	"testing"

	"hms/data"
)

// bigScan matches a plan step that scans a table growing with the clinic
// (under its name or an alias): a dashboard query must never do that. The
// one scan allowed is the count of the unpaid invoices, which walks their
// partial index, as long as the unpaid ones and no more.
var bigScan = regexp.MustCompile(`^SCAN (patients|appointments|invoices|invoice_lines|payments|payment_allocations|audit_log|` +
	`credit_notes|reports|prescriptions|problems|assignments|availability|[a-z]{1,2})\b`)

// TestDashboardQueryPlans checks that every figure reads a range of a
// summary table's key or a small index, and every list walks an index in
// the order it returns: no scan of a big table, and no sorting of a list.
func TestDashboardQueryPlans(t *testing.T) {
	db := sharedDemo(t, nil)
	for query, args := range data.DashboardPlanQueries() {
		plan := queryPlan(t, db, query, args...)
		text := strings.Join(plan, "; ")
		for _, step := range plan {
			if bigScan.MatchString(step) && !strings.HasSuffix(step, "USING INDEX invoices_outstanding") {
				t.Errorf("scan of a big table in %q:\n  plan %s", firstLine(query), text)
			}
		}
		// Lists come out in their index's order; only the figures group.
		if strings.Contains(query, "LIMIT") && strings.Contains(text, "TEMP B-TREE FOR ORDER BY") && !strings.Contains(query, "dash_") {
			t.Errorf("a list sorts: %q\n  plan %s", firstLine(query), text)
		}
		t.Logf("%s\n  %s", firstLine(query), text)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 110 {
		s = s[:110] + "…"
	}
	return s
}
