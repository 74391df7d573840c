package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"hms/app"
)

// DraftService implements app.DraftService on the desk's drafts table,
// which never syncs. Every method works on the caller's own drafts only.
type DraftService struct {
	db *DB
}

var _ app.DraftService = (*DraftService)(nil)

// SaveDrafts implements app.DraftService.
func (s *DraftService) SaveDrafts(ctx context.Context, drafts []app.Draft) error {
	return s.db.write(ctx, "draft.save", func(tx *Tx) error {
		if err := authorize(app.CanKeepDrafts(tx.caller)); err != nil {
			return err
		}
		if len(drafts) == 0 {
			return app.FieldErrorf("drafts", "There is nothing to keep.")
		}
		for i := range drafts {
			d := drafts[i]
			if err := d.Validate(); err != nil {
				return err
			}
			// A draft names only a patient whose record the caller may see,
			// so the audit row it writes cannot be hung on someone else's.
			if d.PatientID != "" {
				if err := authorize(app.CanViewPatient(tx.caller, d.PatientID)); err != nil {
					return err
				}
			}
			// An invoice's draft is kept only by someone who may change
			// the invoice, and only for a draft invoice of that patient.
			if d.Kind == app.DraftOfInvoice {
				if err := tx.Require(app.PermManageBilling); err != nil {
					return err
				}
				inv, err := tx.draft(d.Fields["invoice_id"])
				if err != nil {
					return err
				}
				if inv.PatientID != d.PatientID {
					return app.FieldErrorf("patient_id", "The invoice is not this patient's.")
				}
			}
			fields, err := json.Marshal(d.Fields)
			if err != nil {
				return err
			}
			id := newID()
			if _, err := tx.exec(`INSERT INTO drafts (id, user_id, kind, patient_id, title, fields, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, tx.caller.UserID, string(d.Kind), d.PatientID, d.Title, string(fields),
				formatTime(tx.now)); err != nil {
				return err
			}
			tx.Audit("draft.save", "drafts", id, d.PatientID, string(d.Kind))
		}
		return nil
	})
}

// FindMyDrafts implements app.DraftService.
func (s *DraftService) FindMyDrafts(ctx context.Context) ([]*app.Draft, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "draft.list", "drafts", "", "", app.CanKeepDrafts(caller)); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, kind, patient_id, title, fields, created_at FROM drafts
		WHERE user_id = ? ORDER BY created_at, id`, caller.UserID)
	if err != nil {
		return nil, internal("draft.list", err)
	}
	defer rows.Close()
	var out []*app.Draft
	for rows.Next() {
		var d app.Draft
		var kind, fields, at string
		if err := rows.Scan(&d.ID, &kind, &d.PatientID, &d.Title, &fields, &at); err != nil {
			return nil, internal("draft.list", err)
		}
		d.Kind, d.CreatedAt = app.DraftKind(kind), parseTime(at)
		if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
			return nil, internal("draft.list", err)
		}
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("draft.list", err)
	}
	return out, nil
}

// DiscardDraft implements app.DraftService.
func (s *DraftService) DiscardDraft(ctx context.Context, id string) error {
	return s.db.writeFor(ctx, "draft.discard", "drafts", id, "", func(tx *Tx) error {
		if err := authorize(app.CanKeepDrafts(tx.caller)); err != nil {
			return err
		}
		var owner, patientID string
		err := tx.queryRow(`SELECT user_id, patient_id FROM drafts WHERE id = ?`, id).Scan(&owner, &patientID)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such draft.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanDiscardDraft(tx.caller, owner)); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM drafts WHERE id = ?`, id); err != nil {
			return err
		}
		tx.Audit("draft.discard", "drafts", id, patientID, "")
		return nil
	})
}
