package data_test

import (
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// TestDrafts: a user's drafts are theirs alone, on this desk, unsynced.
func TestDrafts(t *testing.T) {
	c := mustSetup(t)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	pid := c.users[app.RolePatient].PatientID
	outbox := datatest.OutboxCount(t, c.db)
	err := c.svc.Drafts.SaveDrafts(doc, []app.Draft{{Kind: app.DraftNote, PatientID: pid, Title: "Clinical note for zoe",
		Fields: map[string]string{"text": "Chest pain on exertion"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := datatest.OutboxCount(t, c.db); n != outbox {
		t.Errorf("saving a draft queued %d rows to sync", n-outbox)
	}
	mine, err := c.svc.Drafts.FindMyDrafts(doc)
	if err != nil || len(mine) != 1 || mine[0].Fields["text"] != "Chest pain on exertion" || mine[0].PatientID != pid {
		t.Fatalf("the doctor's drafts: %v %+v", err, mine)
	}
	if theirs, err := c.svc.Drafts.FindMyDrafts(nurse); err != nil || len(theirs) != 0 {
		t.Fatalf("another user sees %d drafts (%v)", len(theirs), err)
	}
	if err := c.svc.Drafts.DiscardDraft(nurse, mine[0].ID); code(err) != app.ENOTFOUND {
		t.Fatalf("another user discarding: %v", err)
	}
	if err := c.svc.Drafts.SaveDrafts(doc, []app.Draft{{Kind: app.DraftNote, Title: "Empty"}}); code(err) != app.EINVALID {
		t.Errorf("an empty draft: %v", err)
	}
	if err := c.svc.Drafts.DiscardDraft(doc, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := c.svc.Drafts.FindMyDrafts(doc); len(left) != 0 {
		t.Errorf("%d drafts left after discarding", len(left))
	}
}

// TestInvoiceDrafts: an invoice being drafted is kept for its writer only,
// by someone who may change the invoice, and only for that draft invoice
// of its patient.
func TestInvoiceDrafts(t *testing.T) {
	b := mustBilling(t)
	inv, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: b.patientID})
	if err != nil {
		t.Fatal(err)
	}
	draft := func(invoiceID, patientID string) []app.Draft {
		return []app.Draft{{Kind: app.DraftOfInvoice, PatientID: patientID, Title: "Invoice for Zoë",
			Fields: map[string]string{"invoice_id": invoiceID, "line.description": "Wound dressing", "line.unit_price": "7.50"}}}
	}
	outbox := datatest.OutboxCount(t, b.db)
	if err := b.svc.Drafts.SaveDrafts(b.billing(), draft(inv.ID, b.patientID)); err != nil {
		t.Fatal(err)
	}
	if n := datatest.OutboxCount(t, b.db); n != outbox {
		t.Errorf("saving an invoice's draft queued %d rows to sync", n-outbox)
	}
	mine, err := b.svc.Drafts.FindMyDrafts(b.billing())
	if err != nil || len(mine) != 1 || mine[0].Kind != app.DraftOfInvoice || mine[0].Fields["invoice_id"] != inv.ID ||
		mine[0].Fields["line.description"] != "Wound dressing" {
		t.Fatalf("the billing clerk's drafts: %v %+v", err, mine)
	}
	for _, r := range []app.Role{app.RoleAdmin, app.RoleReception, app.RoleDoctor, app.RoleNurse, app.RolePatient} {
		if theirs, err := b.svc.Drafts.FindMyDrafts(b.ctx(r)); err != nil || len(theirs) != 0 {
			t.Errorf("%s sees %d drafts (%v)", r, len(theirs), err)
		}
	}

	// Who may not change the invoice keeps no draft of it.
	for _, r := range []app.Role{app.RoleDoctor, app.RoleNurse} {
		if err := b.svc.Drafts.SaveDrafts(b.ctx(r), draft(inv.ID, b.patientID)); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s keeping an invoice's draft: %v", r, err)
		}
	}
	// Wrong identifiers change nothing.
	other := b.users[app.RolePatient].PatientID
	for name, d := range map[string][]app.Draft{
		"another patient's": draft(inv.ID, other),
		"no such invoice":   draft("0190f0e0-0000-7000-8000-000000000000", b.patientID),
		"no invoice named":  draft("", b.patientID),
	} {
		if err := b.svc.Drafts.SaveDrafts(b.billing(), d); err == nil {
			t.Errorf("%s: kept", name)
		}
	}
	issued := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if err := b.svc.Drafts.SaveDrafts(b.billing(), draft(issued.ID, issued.PatientID)); code(err) != app.ECONFLICT {
		t.Errorf("a draft of an issued invoice: %v", err)
	}
	if left, _ := b.svc.Drafts.FindMyDrafts(b.billing()); len(left) != 1 {
		t.Errorf("%d drafts after the refusals, want 1", len(left))
	}
}
