package data

import (
	"context"
	"strings"
	"time"

	"hms/app"
)

// UnbilledVisits implements app.BillingService.
func (s *BillingService) UnbilledVisits(ctx context.Context, from, to string) ([]*app.UnbilledVisit, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "billing.unbilled", "appointments", "", "", app.CanCashUp(c)); err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("billing.unbilled", err)
	}
	loc := settings.Location()
	start, _, err := dayBounds(strings.TrimSpace(from), loc)
	if err != nil {
		return nil, app.FieldErrorf("from", "Write the first day as YYYY-MM-DD.")
	}
	_, end, err := dayBounds(strings.TrimSpace(to), loc)
	if err != nil {
		return nil, app.FieldErrorf("to", "Write the last day as YYYY-MM-DD.")
	}
	if !end.After(start) {
		return nil, app.FieldErrorf("to", "The last day is before the first.")
	}
	if end.Sub(start) > 367*24*time.Hour {
		return nil, app.FieldErrorf("to", "Choose at most a year.")
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT a.id, a.patient_id, a.patient_name, a.patient_mrn,
		coalesce(NULLIF(u.full_name, ''), u.username, ''), a.start_at,
		coalesce((SELECT i.id FROM invoices i WHERE i.appointment_id = a.id AND i.status = 'draft' ORDER BY i.created_at LIMIT 1), '')
		FROM appointments a LEFT JOIN users u ON u.id = a.doctor_id
		WHERE a.start_at >= ? AND a.start_at < ? AND a.status = 'completed' AND a.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.appointment_id = a.id AND i.status NOT IN ('draft', 'void'))
		ORDER BY a.start_at, a.id LIMIT ?`, formatTime(start), formatTime(end), app.MaxUnbilledVisits)
	if err != nil {
		return nil, internal("billing.unbilled", err)
	}
	defer rows.Close()
	var out []*app.UnbilledVisit
	for rows.Next() {
		var v app.UnbilledVisit
		var at string
		if err := rows.Scan(&v.AppointmentID, &v.PatientID, &v.PatientName, &v.PatientMRN, &v.DoctorName, &at, &v.DraftID); err != nil {
			return nil, internal("billing.unbilled", err)
		}
		v.Start = parseTime(at)
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("billing.unbilled", err)
	}
	return out, nil
}

// BillVisits implements app.BillingService. Each visit is its own write:
// the draft (made, or the one it has) and, with issue, its issue commit
// together or not at all; a refusal of one visit is listed and the next
// is billed.
func (s *BillingService) BillVisits(ctx context.Context, appointmentIDs []string, issue bool) (*app.VisitBilling, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := app.CanCashUp(c); err != nil {
		// The refusal is audited once, as a write of the batch.
		return nil, s.db.write(ctx, "invoice.batch", func(tx *Tx) error { return tx.Require(app.PermManageBilling) })
	}
	if len(appointmentIDs) == 0 {
		return nil, app.FieldErrorf("visits", "Choose the visits to bill.")
	}
	if len(appointmentIDs) > app.MaxVisitBatch {
		return nil, app.FieldErrorf("visits", "Bill at most %d visits at once.", app.MaxVisitBatch)
	}
	out := &app.VisitBilling{}
	seen := map[string]bool{}
	for _, id := range appointmentIDs {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		var inv *app.Invoice
		err := s.db.writeFor(ctx, "invoice.batch", "appointments", id, "", func(tx *Tx) error {
			if err := tx.Require(app.PermManageBilling); err != nil {
				return err
			}
			d, existed, err := tx.draftForAppointment(id)
			if err != nil {
				return err
			}
			if existed && d.Status != app.InvoiceDraft {
				return app.Errorf(app.ECONFLICT, "The visit is billed already: invoice %s.", d.Number)
			}
			inv = d
			if issue {
				if inv, err = tx.issueInvoice(d.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if app.ErrorCode(err) == app.EUNAUTHORIZED || app.ErrorCode(err) == app.ESESSION || ctx.Err() != nil {
				return nil, err
			}
			var name string
			_ = s.db.r.QueryRowContext(ctx, `SELECT patient_name FROM appointments WHERE id = ?`, id).Scan(&name)
			out.Failures = append(out.Failures, app.VisitBillFailure{AppointmentID: id, PatientName: name,
				Message: app.ErrorMessage(err)})
			continue
		}
		out.Invoices = append(out.Invoices, inv)
	}
	return out, nil
}
