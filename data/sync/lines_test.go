package sync_test

import (
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
)

// A server restored from a dump older than a line's removal gives the
// removed line back with its old position, which on a desk that had
// pulled the removal is held by the line that moved up into it: the
// insert broke the desk's UNIQUE (invoice_id, position), the batch failed
// with an internal error and the line was parked (found by the
// simulation, seed 137). The desk now makes room: the invoice's lines are
// renumbered by (position, id), so no line is dropped, and once the
// removal is pushed again every desk holds the lines as their desk left
// them.
func TestRestoredServerGivesBackRemovedLine(t *testing.T) {
	noInternalErrors(t)
	u, first, second := twoDesks(t)

	p := newPatient(t, first.svc, "Billed")
	bill := first.svc.Billing
	inv, err := bill.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range []string{"Visit", "Dressing"} {
		got, err := bill.AddLine(system, inv.ID, app.LineInput{Description: d, Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, got.Lines[len(got.Lines)-1].ID)
	}
	mustSync(t, first.db)
	mustSync(t, second)
	dump := servertest.Copy(t, u) // holds both lines at 1 and 2

	// The first line goes, the second moves up to 1, a third comes at 2.
	if _, err := bill.RemoveLine(system, lines[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := bill.AddLine(system, inv.ID, app.LineInput{Description: "Injection", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	mustSync(t, second)

	// Restored: the second desk downloads the older lines before the first
	// desk pushes its changes again.
	pointAt(t, first.db, dump)
	pointAt(t, second, dump)
	mustSync(t, second)
	for _, d := range []*data.DB{first.db, second, first.db, second} {
		mustSync(t, d)
	}

	sameClinic(t, first.db, second)
	for _, d := range []*data.DB{first.db, second} {
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE 'could not be applied%' AND resolved_at IS NULL`); n != 0 {
			t.Errorf("%s: %d pulled changes wait to be applied", d.Path(), n)
		}
		got, err := services(d).Billing.FindInvoice(system, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var desc []string
		for _, l := range got.Lines {
			desc = append(desc, l.Description)
		}
		if len(desc) != 2 || desc[0] != "Dressing" || desc[1] != "Injection" {
			t.Errorf("%s: lines %q, want Dressing, Injection", d.Path(), desc)
		}
	}
}

// Two desks that each add a line to one draft while apart both take the
// next position: the server holds both lines at it. A desk cannot hold
// both there, and keeps no field clocks for lines to tell which one to
// move: the other desk's line is kept for review on each desk, never
// dropped, with no internal error and no failed batch.
func TestLinesAddedToOneDraftOnTwoDesks(t *testing.T) {
	noInternalErrors(t)
	_, first, second := twoDesks(t)

	p := newPatient(t, first.svc, "Billed")
	inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	mustSync(t, second)
	desks := []*data.DB{first.db, second}
	added := make([]string, 2)
	for i, d := range desks {
		got, err := services(d).Billing.AddLine(system, inv.ID, app.LineInput{Description: []string{"Dressing", "Injection"}[i],
			Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500})
		if err != nil {
			t.Fatal(err)
		}
		added[i] = got.Lines[len(got.Lines)-1].ID
	}
	for _, d := range []*data.DB{first.db, second, first.db} {
		mustSync(t, d)
	}

	for i, d := range desks {
		if n := count(t, d, `SELECT count(*) FROM invoice_lines WHERE id = ? AND position = 2`, added[i]); n != 1 {
			t.Errorf("%s: its own line is not at 2", d.Path())
		}
		other := added[1-i]
		if n := count(t, d, `SELECT count(*) FROM conflicts WHERE entity = 'invoice_lines' AND row_id = ?
			AND rule LIKE 'could not be applied%' AND resolved_at IS NULL`, other); n != 1 {
			t.Errorf("%s: the other desk's line is not kept for review (%d)", d.Path(), n)
		}
	}
}
