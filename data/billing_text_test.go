package data_test

import (
	"testing"

	"hms/app"
)

// TestInvoiceTextRefusesUnfitCharacters: an invoice's notes and its
// lines' descriptions are printed on the invoice and shown to the
// patient. Typed here, or taken back from a conflict (a value another
// desk sent, written as this person's change), they refuse control
// characters, bidirectional overrides and invalid UTF-8 with a message
// for the field (issue #14). Before, all three were stored.
func TestInvoiceTextRefusesUnfitCharacters(t *testing.T) {
	t.Parallel()
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	billing := c.ctx(app.RoleBilling)
	p := newPatient(t, c.svc, "Ada")
	for _, bad := range []string{"Paid\u202Edetaw", "\x1b[2JPaid", "Pa\xffid"} {
		if _, err := c.svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: p.ID, Notes: bad}); app.ErrorField(err) != "notes" {
			t.Errorf("notes %q: %v, want a message for the notes", bad, err)
		}
	}
	inv, err := c.svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: p.ID, Notes: "Line one\nLine two"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err = c.svc.Billing.AddLine(billing, inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Billing.AddLine(billing, inv.ID, app.LineInput{Description: "Visit\u202E", Kind: app.PriceOther,
		Quantity: 1, UnitPrice: 2500}); app.ErrorField(err) != "description" {
		t.Errorf("a line's description with an override: %v", err)
	}
	notes := insertConflict(t, raw, conflictRow{entity: "invoices", rowID: inv.ID, field: "notes",
		lost: `"Waived\u202e by the director"`, won: `"Line one\nLine two"`})
	desc := insertConflict(t, raw, conflictRow{entity: "invoice_lines", rowID: inv.Lines[0].ID, field: "description",
		lost: `"\u001b[31mVisit"`, won: `"Visit"`})
	for _, id := range []string{notes, desc} {
		if _, err := c.db.Conflicts().ResolveConflict(billing, id, app.ResolutionTake); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("took back %s: %v, want it refused", id, err)
		}
	}
	got, err := c.svc.Billing.FindInvoice(billing, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Notes != "Line one\nLine two" || got.Lines[0].Description != "Visit" {
		t.Errorf("the invoice now reads %q, %q", got.Notes, got.Lines[0].Description)
	}
}
