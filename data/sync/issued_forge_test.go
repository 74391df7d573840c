package sync_test

import (
	"encoding/json"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync"
	"hms/data/sync/hlc"
)

// TestForgedIssuedLines: one desk's login (plain SQL, as that desk)
// rewrites the lines an issued invoice was issued with (invoices
// .issued_lines, desk migration 0165, and issued_with, 0183), to make
// every desk take the invoice's lines off it and the desk that added them
// move them to a new draft of the patient (data.DB.MoveLateLines), to be
// billed again, or to change an issued line's price or quantity, add a
// line or drop one, or to re-issue it whole under a new number. The server
// keeps the first issue (migration 0114), so the issued invoice keeps its
// number, lines and total on every desk (a desk joining afterwards too),
// no new draft appears, and each desk that had the invoice refuses the
// change: kept for billing's review and audited (sync.refused).
func TestForgedIssuedLines(t *testing.T) {
	t.Parallel()
	noInternalErrors(t)
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Billed Once")
	inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID,
		Lines: []app.LineInput{{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500},
			{Description: "Dressing", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500}}})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := first.svc.Billing.IssueInvoice(system, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	var with string
	if err := rawDB(t, first.db).QueryRow(`SELECT issued_with FROM invoices WHERE id = ?`, inv.ID).Scan(&with); err != nil {
		t.Fatal(err)
	}
	// issued_with as the forger would rewrite it.
	rewrite := func(change func(map[string]map[string]any)) string {
		var lines map[string]map[string]any
		if err := json.Unmarshal([]byte(with), &lines); err != nil {
			t.Fatal(err)
		}
		change(lines)
		b, _ := json.Marshal(lines)
		return string(b)
	}
	l0, l1 := issued.Lines[0].ID, issued.Lines[1].ID
	forgeries := []struct {
		name    string
		payload map[string]any
	}{
		{"no lines", map[string]any{"issued_lines": `[]`}},
		{"one line", map[string]any{"issued_lines": `["` + l0 + `"]`}},
		{"a cheaper line", map[string]any{"issued_with": rewrite(func(m map[string]map[string]any) {
			m[l0]["unit_price"], m[l0]["gross"], m[l0]["total"] = 1, 1, 1
		})}},
		{"more of a line", map[string]any{"issued_with": rewrite(func(m map[string]map[string]any) {
			m[l1]["quantity"], m[l1]["gross"], m[l1]["total"] = 3, 4500, 4500
		})}},
		{"a line dropped", map[string]any{"issued_with": rewrite(func(m map[string]map[string]any) { delete(m, l1) }),
			"issued_lines": `["` + l0 + `"]`}},
		{"a line added", map[string]any{"issued_with": rewrite(func(m map[string]map[string]any) {
			extra := map[string]any{}
			for k, v := range m[l1] {
				extra[k] = v
			}
			extra["id"], extra["position"], extra["description"] = "forged-line", 3, "Forged"
			m["forged-line"] = extra
		}), "issued_lines": `["` + l0 + `", "` + l1 + `", "forged-line"]`}},
		// A full re-issue (server migration 0114): a new number and issue
		// date with the issued lines in one change, as a desk that issued
		// the draft apart would push it. On the earlier rule every desk
		// renumbered the invoice and took the forged lines.
		{"a full re-issue", map[string]any{"number": "F-9999", "issued_at": "2026-11-30T10:00:00.000Z",
			"issued_with":  rewrite(func(m map[string]map[string]any) { delete(m, l1) }),
			"issued_lines": `["` + l0 + `"]`}},
	}
	f := newForger(t, u, second)
	desks := []*data.DB{first.db, second}
	check := func(what string, dbs []*data.DB) {
		t.Helper()
		for i, db := range dbs {
			svc := services(db)
			got, err := svc.Billing.FindInvoice(system, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Lines) != 2 || got.Totals.Total != issued.Totals.Total || got.Number != issued.Number {
				t.Errorf("%s, desk %d: the issued invoice %s has %d lines for %d, issued %s with 2 for %d", what, i,
					got.Number, len(got.Lines), got.Totals.Total, issued.Number, issued.Totals.Total)
			}
			for j, l := range got.Lines {
				if w := issued.Lines[j]; l.ID != w.ID || l.UnitPrice != w.UnitPrice || l.Quantity != w.Quantity || l.Total != w.Total {
					t.Errorf("%s, desk %d: line %d is %+v, issued as %+v", what, i, j, l, w)
				}
			}
			list, err := svc.Billing.FindInvoices(system, app.InvoiceFilter{PatientID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Errorf("%s, desk %d: the patient has %d invoices, want the one issued", what, i, len(list))
			}
		}
	}
	for n, forged := range forgeries {
		t.Logf("%s: %s", forged.name, f.push("invoices", inv.ID, hlc.KindUpdate, forged.payload))
		syncAll(t, first.db, second)
		syncAll(t, first.db, second)
		check(forged.name, desks)
		for i, db := range desks {
			// One review item and one audit row per field forged, on each desk, once.
			want := 0
			for _, g := range forgeries[:n+1] {
				want += len(g.payload)
			}
			if got := count(t, db, `SELECT count(*) FROM conflicts WHERE entity = 'invoices' AND row_id = ? AND rule = ?
				AND resolved_at IS NULL`, inv.ID, data.RuleIssueRewritten); got != want {
				t.Errorf("%s, desk %d: %d refusals kept for review, want %d", forged.name, i, got, want)
			}
			if got := count(t, db, `SELECT count(*) FROM audit_log WHERE action = ? AND entity = 'invoices' AND entity_id = ?`,
				sync.ActionRefused, inv.ID); got != want {
				t.Errorf("%s, desk %d: %d refusals audited, want %d", forged.name, i, got, want)
			}
		}
	}
	// Billing sees the refusals on the conflicts list, in words.
	cs, err := first.svc.Sync.ListConflicts(first.ctx(app.RoleBilling), false)
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, c := range cs {
		if c.Rule == data.RuleIssueRewritten {
			listed++
		}
	}
	if listed == 0 {
		t.Errorf("billing sees none of the refusals among %d conflicts", len(cs))
	}
	// A desk joining afterwards gets the invoice with the lines it was
	// issued with, from the server's lines.
	third := MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	mustSync(t, third)
	check("a desk joining afterwards", []*data.DB{third})
}

// TestInvoiceIssuedOnTwoDesks: two desks issue one draft while apart;
// the issue that reaches the server first holds for the clinic (server
// migration 0114), whatever the clocks say: both desks show its number
// and its own issued lines, in either order of sync. The desk whose issue
// came second keeps its issue for review (data.RuleIssuedFirst), refuses
// nothing of its own, and its number is not used; the other desk cannot
// tell that issue from a forged re-issue, and lists it as refused. On the
// earlier rule the later clock won: the second desk's issue, in both
// orders.
func TestInvoiceIssuedOnTwoDesks(t *testing.T) {
	t.Parallel()
	for _, firstSyncsFirst := range []bool{true, false} {
		t.Run(map[bool]string{true: "first desk syncs first", false: "second desk syncs first"}[firstSyncsFirst], func(t *testing.T) {
			t.Parallel()
			noInternalErrors(t)
			u, first, second := twoDesks(t)
			p := newPatient(t, first.svc, "Issued Twice")
			inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID,
				Lines: []app.LineInput{{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}}})
			if err != nil {
				t.Fatal(err)
			}
			syncAll(t, first.db, second)
			syncUntilCaughtUp(t, u, second)
			// The second desk adds a line and issues; the first issues as it is.
			if _, err := services(second).Billing.AddLine(system, inv.ID,
				app.LineInput{Description: "Dressing", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500}); err != nil {
				t.Fatal(err)
			}
			a, err := first.svc.Billing.IssueInvoice(system, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := services(second).Billing.IssueInvoice(system, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if firstSyncsFirst {
				syncAll(t, first.db, second)
			} else {
				syncAll(t, second, first.db)
			}
			syncAll(t, first.db, second)
			syncAll(t, first.db, second)
			syncUntilCaughtUp(t, u, first.db)
			syncUntilCaughtUp(t, u, second)
			var got []*app.Invoice
			winner, loser := 0, 1
			if !firstSyncsFirst {
				winner, loser = 1, 0
			}
			lost := []*app.Invoice{b, a}[winner]
			for i, db := range []*data.DB{first.db, second} {
				inv, err := services(db).Billing.FindInvoice(system, inv.ID)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, inv)
				refused := count(t, db, `SELECT count(*) FROM conflicts WHERE rule = ?`, data.RuleIssueRewritten)
				kept := count(t, db, `SELECT count(*) FROM conflicts WHERE rule = ? AND field = 'number' AND resolved_at IS NULL
					AND lost_value = json_quote(?)`, data.RuleIssuedFirst, lost.Number)
				if i == loser && (refused != 0 || kept != 1) {
					t.Errorf("desk %d, whose issue came second: %d refusals, %d review items of its number %s, want none and one",
						i, refused, kept, lost.Number)
				}
				if i == winner && (refused == 0 || kept != 0) {
					t.Errorf("desk %d, whose issue came first: %d refusals of the other issue, %d review items, want some and none",
						i, refused, kept)
				}
			}
			if got[0].Number != got[1].Number || len(got[0].Lines) != len(got[1].Lines) || got[0].Totals.Total != got[1].Totals.Total {
				t.Fatalf("the desks differ: %s with %d lines for %d, and %s with %d for %d", got[0].Number, len(got[0].Lines),
					got[0].Totals.Total, got[1].Number, len(got[1].Lines), got[1].Totals.Total)
			}
			// The winner is the issue that reached the server first, with its own lines.
			want := []*app.Invoice{a, b}[winner]
			if got[0].Number != want.Number {
				t.Fatalf("the desks show %s, issued as %s (first to reach the server) and %s", got[0].Number, want.Number, lost.Number)
			}
			if len(got[0].Lines) != len(want.Lines) || got[0].Totals.Total != want.Totals.Total {
				t.Errorf("%s shows %d lines for %d, issued with %d for %d", want.Number, len(got[0].Lines), got[0].Totals.Total,
					len(want.Lines), want.Totals.Total)
			}
		})
	}
}
