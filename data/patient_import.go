package data

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"hms/app"
)

// ImportPatients implements app.PatientService: every row is validated
// first; one bad row refuses the whole file (all bad rows listed). Good
// files are imported in one transaction. Rows that look like an existing
// patient, or like another row, are imported and flagged.
func (s *PatientService) ImportPatients(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error) {
	res := &app.ImportResult{}
	err := s.db.write(ctx, "patient.import", func(tx *Tx) error {
		if err := tx.Require(app.PermRegisterPatient); err != nil {
			return err
		}
		if len(rows) == 0 {
			return app.Errorf(app.EINVALID, "The file has no patients to import.")
		}
		var bad []app.RowError
		for i := range rows {
			if err := rows[i].Patient.Validate(tx.now); err != nil {
				bad = append(bad, app.RowError{Line: rows[i].Line, Field: app.ErrorField(err), Message: app.ErrorText(err)})
			}
		}
		if len(bad) > 0 {
			return &app.ImportError{Rows: bad}
		}
		type key struct{ name, birth string }
		seenName, seenPhone := map[key]string{}, map[string]string{}
		for _, r := range rows {
			dups, err := findDuplicates(tx.ctx, tx, r.Patient, "")
			if err != nil {
				return err
			}
			p, err := tx.insertPatient(r.Patient)
			if err != nil {
				return err
			}
			res.Imported++
			for _, d := range dups {
				res.Duplicates = append(res.Duplicates, app.ImportDuplicate{Line: r.Line, MRN: p.MRN,
					Reason: d.Reason + " as " + d.Patient.MRN + " (" + d.Patient.FullName() + ")"})
			}
			name, digits := patientSearchFields(p.GivenName, p.FamilyName, p.Phone)
			k := key{name, p.BirthDate}
			if other, ok := seenName[k]; ok && len(dups) == 0 {
				res.Duplicates = append(res.Duplicates, app.ImportDuplicate{Line: r.Line, MRN: p.MRN,
					Reason: "same name and date of birth as " + other + " in this file"})
			} else if other, ok := seenPhone[digits]; ok && len(digits) >= 7 && len(dups) == 0 {
				res.Duplicates = append(res.Duplicates, app.ImportDuplicate{Line: r.Line, MRN: p.MRN,
					Reason: "same phone number as " + other + " in this file"})
			}
			seenName[k] = p.MRN
			if len(digits) >= 7 {
				seenPhone[digits] = p.MRN
			}
		}
		tx.Audit("patient.import", "patients", "", "", fmt.Sprintf("imported %d patients, %d flagged as possible duplicates",
			res.Imported, len(res.Duplicates)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ExportColumns are the columns of an export, the same names an import
// recognizes.
var ExportColumns = []string{"mrn", "given_name", "family_name", "sex", "birth_date", "phone", "email", "address",
	"national_id", "emergency_contact", "emergency_phone", "blood_group", "notes", "registered_at"}

// ExportPatients implements app.PatientService: a UTF-8 CSV (with a byte
// order mark, so spreadsheets read accents right) of every patient not
// archived, in record-number order, streamed from the database.
func (s *PatientService) ExportPatients(ctx context.Context, w io.Writer) (int, error) {
	err := s.db.write(ctx, "patient.export", func(tx *Tx) error {
		if err := tx.Require(app.PermExportPatients); err != nil {
			return err
		}
		tx.Audit("patient.export", "patients", "", "", "export of all patients to CSV")
		return nil
	})
	if err != nil {
		return 0, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+patientColumns+` FROM patients p WHERE p.deleted_at IS NULL ORDER BY p.mrn`)
	if err != nil {
		return 0, internal("patient.export", err)
	}
	defer rows.Close()
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ExportColumns); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return n, internal("patient.export", err)
		}
		if err := cw.Write(app.CSVRow([]string{p.MRN, p.GivenName, p.FamilyName, string(p.Sex), p.BirthDate, p.Phone, p.Email,
			p.Address, p.NationalID, p.EmergencyContact, p.EmergencyPhone, string(p.BloodGroup), p.Notes,
			formatTime(p.CreatedAt)})); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, internal("patient.export", err)
	}
	cw.Flush()
	return n, cw.Error()
}
