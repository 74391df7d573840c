package sync_test

import (
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
)

// lateLineSetup: desk A drafts an invoice, first adds one line to it (at
// first's first position) and every desk has it; then A adds a late line
// while B issues the draft (addLateLine). It returns the patient and the
// invoice.
func lateLineSetup(t *testing.T, a *clinic, b, c, first *data.DB) (patient, invoice string) {
	t.Helper()
	p := newPatient(t, a.svc, "Billed")
	inv, err := a.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if first != a.db {
		syncAll(t, a.db, b, c)
	}
	if _, err := services(first).Billing.AddLine(system, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)
	return p.ID, inv.ID
}

// addLateLine adds a line on A to the draft while B issues it.
func addLateLine(t *testing.T, a *clinic, b *data.DB, invoice string) (late string, issued *app.Invoice) {
	t.Helper()
	got, err := a.svc.Billing.AddLine(system, invoice, app.LineInput{Description: "Dressing", Kind: app.PriceOther, Quantity: 1, UnitPrice: 1500})
	if err != nil {
		t.Fatal(err)
	}
	issued, err = services(b).Billing.IssueInvoice(system, invoice)
	if err != nil {
		t.Fatal(err)
	}
	return got.Lines[len(got.Lines)-1].ID, issued
}

// lateLineMovedOnce checks that every desk holds the issued invoice as
// issued and the late line on the one draft the adding desk moved it to
// (no second draft: no desk moved it again), with nothing waiting.
func lateLineMovedOnce(t *testing.T, desks []*data.DB, patient, late, draft string, issued *app.Invoice) {
	t.Helper()
	sameClinic(t, desks...)
	for i, db := range desks {
		final, err := services(db).Billing.FindInvoice(system, issued.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.Status == app.InvoiceDraft || final.Totals.Total != issued.Totals.Total || len(final.Lines) != 1 {
			t.Errorf("desk %d: the issued invoice is %s with %d lines for %d, issued with 1 for %d", i, final.Status,
				len(final.Lines), final.Totals.Total, issued.Totals.Total)
		}
		var on, status string
		if err := rawDB(t, db).QueryRow(`SELECT i.id, i.status FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
			WHERE l.id = ?`, late).Scan(&on, &status); err != nil {
			t.Errorf("desk %d: the late line: %v", i, err)
		} else if on != draft || status != "draft" {
			t.Errorf("desk %d: the late line is on %s invoice %s, want the draft %s the adding desk moved it to", i, status, on, draft)
		}
		if n := count(t, db, `SELECT count(*) FROM invoices WHERE patient_id = ?`, patient); n != 2 {
			t.Errorf("desk %d: the patient has %d invoices, want 2 (the issued one, the late line's draft)", i, n)
		}
		if n := count(t, db, `SELECT count(*) FROM conflicts WHERE resolved_at IS NULL`); n != 0 {
			t.Errorf("desk %d: %d changes kept aside or for review", i, n)
		}
	}
}

// A late line's move to a new draft and a server restored from a dump
// older than the line (simulation seeds 632 and 758). A adds the line and
// moves it, after B's issue, to a new draft whose first line takes A's
// first position, the one A's first line of the issued invoice has. The
// restored server gets A's operations again first: the line on the draft,
// then its move; B's issue after. C, which had the draft, took the line
// onto it and checked the move's position on the invoice the line left,
// not the draft it goes to: taken, the move was kept aside. The issue then
// took the line off, the retry put it on the draft, the line kept aside by
// the issue put it back on the issued invoice (its fields without clocks
// here), and C moved it a second time to a draft of its own; a desk that
// got that move in the batch of the issue lost the line. Now C takes the
// move when it comes, and every desk ends with the line on A's draft.
func TestLateLineMovedBeforeARestore(t *testing.T) {
	t.Parallel()
	noInternalErrors(t)
	u, a, b, c := threeDesks(t)
	patient, invoice := lateLineSetup(t, a, b, c, a.db)
	dump := servertest.Copy(t, u) // the draft with its line, on every desk

	late, issued := addLateLine(t, a, b, invoice)
	mustSync(t, b)    // the issue
	mustSync(t, a.db) // the late line; A pulls the issue and moves the line
	mustSync(t, a.db) // the move
	var draft string
	var pos, first int64
	if err := rawDB(t, a.db).QueryRow(`SELECT invoice_id, position, (SELECT min(position) FROM invoice_lines WHERE invoice_id = ?)
		FROM invoice_lines WHERE id = ?`, invoice, late).Scan(&draft, &pos, &first); err != nil {
		t.Fatal(err)
	}
	if draft == invoice || pos != first {
		t.Fatalf("A moved the late line to %s at %d; want a new draft at %d, the position of the issued invoice's line", draft, pos, first)
	}

	// The server is restored from the dump; A pushes its operations again
	// first, and C pulls them before B pushes the issue again.
	for _, d := range []*data.DB{a.db, b, c} {
		pointAt(t, d, dump)
	}
	mustSync(t, a.db)
	syncUntilCaughtUp(t, dump, c)
	mustSync(t, b)
	syncUntilCaughtUp(t, dump, c)
	syncAll(t, a.db, b, c)
	lateLineMovedOnce(t, []*data.DB{a.db, b, c}, patient, late, draft, issued)
}

// A desk that had a late line on the draft (pulled before the issue came)
// and pulls in one batch the issue and the line's move to a new draft: the
// issue takes the line off the issued invoice, and the move must put it
// on the draft. It updated the row the batch had read before the issue
// took the line off, changed nothing, and closed the line kept aside: the
// desk lost the line for good. (The batch reads the rows first when it
// changes two lines or more: here a price changed on another draft.)
func TestLateLineMovedInTheBatchOfTheIssue(t *testing.T) {
	t.Parallel()
	noInternalErrors(t)
	u, a, b, c := threeDesks(t)
	patient, invoice := lateLineSetup(t, a, b, c, c) // C's line: A's move goes to a position free on the invoice
	other, err := a.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: newPatient(t, a.svc, "Other").ID})
	if err != nil {
		t.Fatal(err)
	}
	other, err = a.svc.Billing.AddLine(system, other.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, a.db, b, c)

	late, issued := addLateLine(t, a, b, invoice)
	mustSync(t, a.db)          // the late line
	syncUntilCaughtUp(t, u, c) // C takes it onto the draft
	mustSync(t, b)             // the issue
	mustSync(t, a.db)          // A pulls the issue and moves the line
	setLinePrice(t, a.db, other.Lines[0].ID, 3000)
	mustSync(t, a.db) // the move, and the other line's price
	if n := count(t, c, `SELECT count(*) FROM invoice_lines WHERE id = ? AND invoice_id = ?`, late, invoice); n != 1 {
		t.Fatalf("C does not hold the late line on the draft before the issue comes")
	}
	var draft string
	if err := rawDB(t, a.db).QueryRow(`SELECT invoice_id FROM invoice_lines WHERE id = ?`, late).Scan(&draft); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, c) // the issue and the move, in one batch
	syncAll(t, a.db, b, c)
	lateLineMovedOnce(t, []*data.DB{a.db, b, c}, patient, late, draft, issued)
}
