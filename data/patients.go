package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hms/app"
)

// PatientService implements app.PatientService.
type PatientService struct {
	db *DB
}

var _ app.PatientService = (*PatientService)(nil)

// insertPatient registers a patient inside tx, numbering the record from the
// desk's series.
func (tx *Tx) insertPatient(c app.PatientCreate) (*app.Patient, error) {
	if err := c.Validate(tx.now); err != nil {
		return nil, err
	}
	n, err := tx.nextNumber("P-" + tx.db.desk)
	if err != nil {
		return nil, err
	}
	p := &app.Patient{ID: newID(), MRN: fmt.Sprintf("P-%s-%06d", tx.db.desk, n), GivenName: c.GivenName,
		FamilyName: c.FamilyName, Sex: c.Sex, BirthDate: c.BirthDate, Phone: c.Phone, Email: c.Email,
		Address: c.Address, CreatedAt: tx.now, UpdatedAt: tx.now}
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO patients (id, mrn, given_name, family_name, sex, birth_date,
		phone, email, address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.MRN, p.GivenName, p.FamilyName, p.Sex, p.BirthDate, p.Phone, p.Email, p.Address,
		formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindPatientByID implements app.PatientService. Staff who may view
// patients see any record; a patient sees only their own. The read is in
// the audit log.
func (s *PatientService) FindPatientByID(ctx context.Context, id string) (*app.Patient, error) {
	var p *app.Patient
	err := s.db.writeFor(ctx, "patient.view", "patients", id, id, func(tx *Tx) error {
		if !(tx.caller.Role == app.RolePatient && tx.caller.PatientID == id && tx.caller.PatientID != "") {
			if err := tx.Require(app.PermViewPatient); err != nil {
				return err
			}
		}
		var created, updated string
		var archived sql.NullString
		p = &app.Patient{}
		err := tx.QueryRowContext(ctx, `SELECT id, mrn, given_name, family_name, sex, birth_date, phone, email,
			address, created_at, updated_at, deleted_at FROM patients WHERE id = ?`, id).Scan(
			&p.ID, &p.MRN, &p.GivenName, &p.FamilyName, &p.Sex, &p.BirthDate, &p.Phone, &p.Email, &p.Address,
			&created, &updated, &archived)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such patient.")
		} else if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt, p.ArchivedAt = parseTime(created), parseTime(updated), parseNullTime(archived)
		tx.Audit("patient.view", "patients", id, id, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
