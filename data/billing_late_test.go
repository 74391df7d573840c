package data_test

import (
	"context"
	"strings"
	"testing"

	"hms/app"
)

// A late line's new draft (MoveLateLines) carries notes naming the
// invoice it was added to. They were English whatever the clinic spoke;
// notes are printed on the invoice, so they are written in the language
// the invoice prints in: the patient's, else the clinic's.
func TestLateLineNoteInThePatientsLanguage(t *testing.T) {
	b := mustBilling(t)
	el := "el"
	if _, err := b.svc.Patients.UpdatePatient(b.ctx(app.RoleReception), b.patientID, app.PatientUpdate{Language: &el}); err != nil {
		t.Fatal(err)
	}
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	// A line another desk added to the draft while this one issued it, as
	// the sync applies it (data/sync keeps such a line aside on every desk
	// but the one that added it: this desk plays that one).
	raw := rawDB(t, b.db)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE sync_meta SET applying = 1`,
		`INSERT INTO invoice_lines (id, invoice_id, position, code, description, kind, quantity, unit_price, tax_rate,
			gross, discount, net, tax, total, created_at, updated_at)
			VALUES ('late-line', '` + inv.ID + `', 90001, '', 'Dressing', 'other', 1, 1500, 0, 1500, 0, 1500, 0, 1500,
			'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`UPDATE sync_meta SET applying = 0`} {
		if _, err := tx.Exec(q); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, err := b.db.MoveLateLines(context.Background()); err != nil || n != 1 {
		t.Fatalf("moved %d late lines (%v), want 1", n, err)
	}
	var notes string
	if err := raw.QueryRow(`SELECT i.notes FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
		WHERE l.id = 'late-line' AND i.status = 'draft'`).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if want := "Προστέθηκε στο τιμολόγιο " + inv.Number; !strings.HasPrefix(notes, want) {
		t.Errorf("the late line's draft notes %q, want them in Greek: %q…", notes, want)
	}
}
