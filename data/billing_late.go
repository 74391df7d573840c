package data

import (
	"context"
	"fmt"

	"hms/app"
	"hms/app/i18n"
)

// lateLinesSQL selects the late lines on this desk: lines of an issued
// invoice that it was not issued with (invoices.issued_lines, desk
// migration 0165). A desk adds a line to a draft only while it is a draft
// here, so such a line was added on a desk that had not seen the issue
// made on another desk at the same time. Other desks keep a late line
// aside (data/sync) and never attach it to the issued invoice; the desk
// that added it is the one that still has it, and moves it.
const lateLinesSQL = `SELECT l.id, i.id, coalesce(i.number, '') FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
	WHERE i.status <> 'draft' AND i.issued_lines IS NOT NULL
		AND l.id NOT IN (SELECT value FROM json_each(i.issued_lines))
	ORDER BY i.id, l.position, l.id`

// MoveLateLines moves each late line on this desk to a new draft for the
// same patient (docs/SYNC-DESIGN.md, "A line added to a draft another desk
// issues"): the issued invoice keeps the total it was issued with, and the
// charge is not lost but waits on the Billing screen as a draft, whose
// notes name the invoice, to be issued on its own. The sync engine calls
// it after each pull; the move syncs like any change of a draft, and is
// audited (invoice.line.late).
func (db *DB) MoveLateLines(ctx context.Context) (moved int, err error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+lateLinesSQL+`)`).Scan(&n); err != nil {
		return 0, internal("invoice.line.late", err)
	}
	if n == 0 {
		return 0, nil
	}
	ctx = app.NewContextWithCaller(ctx, app.SystemCaller("sync"))
	err = db.write(ctx, "invoice.line.late", func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, lateLinesSQL)
		if err != nil {
			return err
		}
		type late struct{ line, invoice, number string }
		var ls []late
		for rows.Next() {
			var l late
			if err := rows.Scan(&l.line, &l.invoice, &l.number); err != nil {
				rows.Close()
				return err
			}
			ls = append(ls, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		drafts := map[string]string{} // issued invoice → its late lines' draft
		for _, l := range ls {
			draft, ok := drafts[l.invoice]
			if !ok {
				draft = newID()
				now := formatTime(tx.now)
				// The notes are printed on the invoice: in the patient's
				// language, else the clinic's, as the invoice is.
				var patient string
				if err := tx.QueryRowContext(tx.ctx, `SELECT patient_id FROM invoices WHERE id = ?`, l.invoice).Scan(&patient); err != nil {
					return err
				}
				lang, err := patientLang(tx.ctx, tx, patient)
				if err != nil {
					return err
				}
				// The patient's name and number as the issued invoice has
				// them (an archived patient's late line is not lost either).
				if _, err := tx.ExecContext(tx.ctx, `INSERT INTO invoices (id, patient_id, patient_name, patient_mrn,
					status, currency, notes, created_by, created_at, updated_at)
					SELECT ?, patient_id, patient_name, patient_mrn, 'draft', currency, ?, 'sync', ?, ? FROM invoices WHERE id = ?`,
					draft, lateNote(lang, l.number), now, now, l.invoice); err != nil {
					return err
				}
				drafts[l.invoice] = draft
			}
			var last int64
			if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(position), 0) FROM invoice_lines WHERE invoice_id = ?`,
				draft).Scan(&last); err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `UPDATE invoice_lines SET invoice_id = ?, position = ?, updated_at = ? WHERE id = ?`,
				draft, linePosition(last, tx.DeskCode()), formatTime(tx.now), l.line); err != nil {
				return err
			}
			var patient string
			if err := tx.QueryRowContext(tx.ctx, `SELECT patient_id FROM invoices WHERE id = ?`, draft).Scan(&patient); err != nil {
				return err
			}
			tx.Audit("invoice.line.late", "invoices", draft, patient, fmt.Sprintf(
				"line %s was added to invoice %s on this desk after another desk issued it: moved to a new draft", l.line, l.number))
			moved++
		}
		for issued, draft := range drafts {
			if _, err := tx.recomputeDraft(draft); err != nil {
				return err
			}
			// The issued invoice's status was worked out with the late
			// line on it (pulled payments, DeriveInvoiceStatuses): it
			// follows the total the line no longer adds to.
			if err := tx.refreshStatus(issued); err != nil {
				return err
			}
		}
		return nil
	})
	return moved, err
}

// lateNote is the notes of the draft a late line moves to, in lang. Notes
// are text of the invoice, printed on it, so they are written once in the
// language the invoice is printed in (the patient's, else the clinic's:
// patientLang) and stay so, whoever reads them later.
func lateNote(lang i18n.Lang, number string) string {
	return i18n.For(lang).F("Added to invoice %s after it was issued on another desk", number)
}
