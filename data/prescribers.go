package data

import (
	"context"
	"database/sql"
	"errors"

	"hms/app"
)

// Doctors' registration numbers, printed on prescriptions.
//
// Threats: a wrong number on a prescription misleads the pharmacist about
// who prescribed, so only the doctor or an administrator records it, each
// change a new audited row (the earlier ones stay readable), and only for
// an account that is a doctor's.

// SetRegistrationNumber implements app.ClinicalService.
func (s *ClinicalService) SetRegistrationNumber(ctx context.Context, doctorID, number string) (*app.Prescriber, error) {
	var out *app.Prescriber
	err := s.db.writeFor(ctx, "prescriber.set", "prescriber_registrations", "", "", func(tx *Tx) error {
		if err := authorize(app.CanSetRegistrationNumber(tx.caller, doctorID)); err != nil {
			return err
		}
		n, err := app.ValidateRegistrationNumber(number)
		if err != nil {
			return err
		}
		p, err := tx.prescriber(doctorID)
		if err != nil {
			return err
		}
		name, err := tx.callerName()
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		id := newID()
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO prescriber_registrations (id, user_id, registration_number,
			recorded_by, recorded_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, doctorID, n, tx.caller.UserID, name, ts, ts); err != nil {
			return err
		}
		detail := p.Name + ": " + n
		if p.RegistrationNumber != "" {
			detail += " (was " + p.RegistrationNumber + ")"
		}
		tx.Audit("prescriber.set", "prescriber_registrations", id, "", detail)
		p.RegistrationNumber, p.RecordedAt, p.RecordedBy = n, tx.now, name
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetPrescriber implements app.ClinicalService.
func (s *ClinicalService) GetPrescriber(ctx context.Context, doctorID string) (*app.Prescriber, error) {
	var out *app.Prescriber
	err := s.db.writeFor(ctx, "prescriber.get", "prescriber_registrations", "", "", func(tx *Tx) (err error) {
		if err := authorize(app.CanSeePrescriber(tx.caller)); err != nil {
			return err
		}
		if out, err = tx.prescriber(doctorID); err != nil {
			return err
		}
		tx.Audit("prescriber.get", "users", doctorID, "", out.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prescriber is a doctor's account with the registration number in force.
func (tx *Tx) prescriber(doctorID string) (*app.Prescriber, error) {
	p := &app.Prescriber{DoctorID: doctorID}
	var role string
	err := tx.QueryRowContext(tx.ctx, `SELECT full_name, role FROM users WHERE id = ? AND deleted_at IS NULL`, doctorID).Scan(&p.Name, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != string(app.RoleDoctor)) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such doctor.")
	} else if err != nil {
		return nil, err
	}
	var at string
	err = tx.QueryRowContext(tx.ctx, `SELECT registration_number, recorded_by_name, created_at FROM prescriber_registrations
		WHERE user_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, doctorID).Scan(
		&p.RegistrationNumber, &p.RecordedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return nil, err
	}
	p.RecordedAt = parseTime(at)
	return p, nil
}
