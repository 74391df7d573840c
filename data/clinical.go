package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// ClinicalService implements app.ClinicalService: the chart, the timeline,
// allergies, problems, vitals, notes, prescriptions and assignments.
//
// Every call, read or write, runs in one transaction of the writer that
// also appends its audit row (DESIGN.md: every read of a clinical record is
// in the audit log), and names the patient in that row. Reads need
// PermViewClinical, or PermViewOwnRecord for the patient's own record;
// anyone else's is denied, and the denial audited, whatever id is tried.
type ClinicalService struct {
	db *DB
}

var _ app.ClinicalService = (*ClinicalService)(nil)

// read runs fn as an audited read of one patient's clinical record.
func (s *ClinicalService) read(ctx context.Context, action, entity, patientID string, fn func(tx *Tx, p *app.Patient) error) error {
	return s.db.writeFor(ctx, action, entity, "", patientID, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, patientID)); err != nil {
			return err
		}
		p, err := tx.visiblePatient(patientID)
		if err != nil {
			return err
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		tx.Audit(action, entity, "", patientID, "")
		return nil
	})
}

// patientOf is the patient a record belongs to, read before the method's
// transaction so that the audit row of a denied call names the patient
// too. An unknown record gives "": the transaction then reports it.
func (db *DB) patientOf(ctx context.Context, table, id string) string {
	var pid string
	_ = db.r.QueryRowContext(ctx, `SELECT patient_id FROM `+table+` WHERE id = ?`, id).Scan(&pid)
	return pid
}

// GetChart implements app.ClinicalService: the patient, current
// allergies, active problems, active prescriptions, active assignments,
// the last vitals, the next appointment and, for a caller who may see
// bills, the balance due, read in one transaction and audited once.
func (s *ClinicalService) GetChart(ctx context.Context, patientID string) (*app.Chart, error) {
	c := &app.Chart{}
	err := s.read(ctx, "clinical.chart", "patients", patientID, func(tx *Tx, p *app.Patient) (err error) {
		c.Patient = p
		if c.Allergies, err = tx.allergies(patientID, false); err != nil {
			return err
		}
		if c.AllergyStatus, c.NoKnownAllergies, err = tx.allergyStatus(patientID); err != nil {
			return err
		}
		if c.Problems, err = tx.problems(patientID, true); err != nil {
			return err
		}
		if c.Medications, err = tx.prescriptions(patientID, true); err != nil {
			return err
		}
		if c.Assignments, err = tx.assignments(patientID, true); err != nil {
			return err
		}
		last, err := tx.vitals(patientID, 1)
		if err != nil {
			return err
		}
		if len(last) > 0 {
			c.LastVitals = last[0]
		}
		if c.NextAppointment, err = tx.nextAppointment(patientID); err != nil {
			return err
		}
		if app.CanSeeBillsOf(tx.caller, patientID) == nil {
			c.BalanceDue, err = tx.balanceDue(patientID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// historySQL builds the timeline query of a filter: newest first by when
// each thing happened (at), which is not always the order the desk stored
// them in (rows pulled from other desks come later). It walks the index
// patient_events (patient_id, at, seq) backwards and stops after a page, so
// a long timeline costs no more than a short one.
func historySQL(patientID string, f app.HistoryFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT e.seq, e.at, e.kind, e.summary, e.ref_id, coalesce(u.full_name, e.by_user)
		FROM patient_events e LEFT JOIN users u ON u.username = e.by_user
		WHERE e.patient_id = ?`)
	args := []any{patientID}
	if f.BeforeSeq > 0 {
		// After the page that ended with entry BeforeSeq, in (at, seq) order.
		b.WriteString(` AND (e.at, e.seq) < ((SELECT at FROM patient_events WHERE seq = ?), ?)`)
		args = append(args, f.BeforeSeq, f.BeforeSeq)
	}
	if len(f.Kinds) > 0 {
		b.WriteString(` AND e.kind IN (?` + strings.Repeat(", ?", len(f.Kinds)-1) + `)`)
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	if !f.From.IsZero() {
		b.WriteString(` AND e.at >= ?`)
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(` AND e.at < ?`)
		args = append(args, formatTime(f.To))
	}
	b.WriteString(` ORDER BY e.at DESC, e.seq DESC LIMIT ?`)
	return b.String(), append(args, f.Limit)
}

// FindHistory implements app.ClinicalService.
func (s *ClinicalService) FindHistory(ctx context.Context, patientID string, f app.HistoryFilter) ([]*app.HistoryEntry, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	var out []*app.HistoryEntry
	err := s.read(ctx, "clinical.history", "patient_events", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		q, args := historySQL(patientID, f)
		out, err = collectRows(tx, func(r rowScanner) (*app.HistoryEntry, error) {
			var e app.HistoryEntry
			var at string
			err := r.Scan(&e.Seq, &at, &e.Kind, &e.Summary, &e.RefID, &e.By)
			e.At = parseTime(at)
			return &e, err
		}, q, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddAllergy implements app.ClinicalService (doctors).
func (s *ClinicalService) AddAllergy(ctx context.Context, c app.AllergyCreate) (*app.Allergy, error) {
	var out *app.Allergy
	err := s.db.writeFor(ctx, "allergy.add", "allergies", "", c.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.addAllergy(c); err != nil {
			return err
		}
		tx.Audit("allergy.add", "allergies", out.ID, out.PatientID, out.Substance)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveAllergy implements app.ClinicalService (doctors): an allergy
// recorded in error is marked removed with the reason, never deleted.
func (s *ClinicalService) RemoveAllergy(ctx context.Context, id, reason string) error {
	return s.db.writeFor(ctx, "allergy.remove", "allergies", id, s.db.patientOf(ctx, "allergies", id), func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		a, err := tx.removeAllergy(id, reason)
		if err != nil {
			return err
		}
		tx.Audit("allergy.remove", "allergies", id, a.PatientID, a.Substance+": "+a.RemovedReason)
		return nil
	})
}

// FindAllergies implements app.ClinicalService: every allergy, removed ones
// too (with their reason), newest first.
func (s *ClinicalService) FindAllergies(ctx context.Context, patientID string) ([]*app.Allergy, error) {
	var out []*app.Allergy
	err := s.read(ctx, "allergy.list", "allergies", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.allergies(patientID, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddProblem implements app.ClinicalService (doctors).
func (s *ClinicalService) AddProblem(ctx context.Context, c app.ProblemCreate) (*app.Problem, error) {
	var out *app.Problem
	err := s.db.writeFor(ctx, "problem.add", "problems", "", c.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.addProblem(c); err != nil {
			return err
		}
		tx.Audit("problem.add", "problems", out.ID, out.PatientID, out.Condition)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveProblem implements app.ClinicalService (doctors).
func (s *ClinicalService) ResolveProblem(ctx context.Context, id, resolvedOn string) (*app.Problem, error) {
	var out *app.Problem
	err := s.db.writeFor(ctx, "problem.resolve", "problems", id, s.db.patientOf(ctx, "problems", id), func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.resolveProblem(id, resolvedOn); err != nil {
			return err
		}
		tx.Audit("problem.resolve", "problems", id, out.PatientID, out.Condition+" on "+out.ResolvedOn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindProblems implements app.ClinicalService: active and resolved,
// newest first.
func (s *ClinicalService) FindProblems(ctx context.Context, patientID string) ([]*app.Problem, error) {
	var out []*app.Problem
	err := s.read(ctx, "problem.list", "problems", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.problems(patientID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordVitals implements app.ClinicalService (nurses and doctors).
func (s *ClinicalService) RecordVitals(ctx context.Context, v app.Vitals) (*app.Vitals, error) {
	var out *app.Vitals
	err := s.db.writeFor(ctx, "vitals.record", "vitals", "", v.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteNursing); err != nil {
			return err
		}
		if out, err = tx.recordVitals(v); err != nil {
			return err
		}
		tx.Audit("vitals.record", "vitals", out.ID, out.PatientID, describeVitals(out))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindVitals implements app.ClinicalService: newest first, limit 100 when
// not given, at most 1000 (enough for a trend chart).
func (s *ClinicalService) FindVitals(ctx context.Context, patientID string, limit int) ([]*app.Vitals, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var out []*app.Vitals
	err := s.read(ctx, "vitals.list", "vitals", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.vitals(patientID, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddNote implements app.ClinicalService: a clinical note needs a doctor
// (PermWriteClinical), a nursing note a nurse or doctor (PermWriteNursing).
// With AddendumTo it is an addendum to a note of the same patient.
func (s *ClinicalService) AddNote(ctx context.Context, c app.NoteCreate) (*app.Note, error) {
	var out *app.Note
	err := s.db.writeFor(ctx, "note.add", "notes", "", c.PatientID, func(tx *Tx) (err error) {
		if err := authorize(app.CanWriteNote(tx.caller, c.Kind)); err != nil {
			return err
		}
		if out, err = tx.addNote(c); err != nil {
			return err
		}
		detail := string(out.Kind) + " note"
		if out.AddendumTo != "" {
			detail += ", addendum to " + out.AddendumTo
		}
		tx.Audit("note.add", "notes", out.ID, out.PatientID, detail)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindNotes implements app.ClinicalService.
func (s *ClinicalService) FindNotes(ctx context.Context, patientID string) ([]*app.Note, error) {
	var out []*app.Note
	err := s.read(ctx, "note.list", "notes", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.notes(patientID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Prescribe implements app.ClinicalService (doctors).
func (s *ClinicalService) Prescribe(ctx context.Context, c app.PrescriptionCreate) (*app.Prescription, error) {
	var out *app.Prescription
	err := s.db.writeFor(ctx, "prescription.create", "prescriptions", "", c.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.prescribe(c); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s, %d items", out.Number, len(out.Items))
		if out.AllergyWarning != "" {
			detail += "; allergy warning acknowledged: " + out.AllergyWarning
		}
		tx.Audit("prescription.create", "prescriptions", out.ID, out.PatientID, detail)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *ClinicalService) finish(ctx context.Context, action, id string, status app.PrescriptionStatus, reason string) (*app.Prescription, error) {
	var out *app.Prescription
	err := s.db.writeFor(ctx, action, "prescriptions", id, s.db.patientOf(ctx, "prescriptions", id), func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.finishPrescription(id, status, reason); err != nil {
			return err
		}
		tx.Audit(action, "prescriptions", id, out.PatientID, strings.TrimSuffix(out.Number+": "+reason, ": "))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompletePrescription implements app.ClinicalService (doctors).
func (s *ClinicalService) CompletePrescription(ctx context.Context, id string) (*app.Prescription, error) {
	return s.finish(ctx, "prescription.complete", id, app.PrescriptionCompleted, "")
}

// CancelPrescription implements app.ClinicalService (doctors); the reason
// is required.
func (s *ClinicalService) CancelPrescription(ctx context.Context, id, reason string) (*app.Prescription, error) {
	return s.finish(ctx, "prescription.cancel", id, app.PrescriptionCancelled, reason)
}

// FindPrescriptions implements app.ClinicalService: every prescription with
// its items and status, newest first.
func (s *ClinicalService) FindPrescriptions(ctx context.Context, patientID string) ([]*app.Prescription, error) {
	var out []*app.Prescription
	err := s.read(ctx, "prescription.list", "prescriptions", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.prescriptions(patientID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PrescriptionPDF implements app.ClinicalService. Printing is a read of
// the record: staff with clinical access, or the patient whose it is. The
// PDF is made inside the transaction, so the audit row exists exactly when
// a document was produced.
func (s *ClinicalService) PrescriptionPDF(ctx context.Context, id string) ([]byte, error) {
	pid := s.db.patientOf(ctx, "prescriptions", id)
	var out []byte
	err := s.db.writeFor(ctx, "prescription.pdf", "prescriptions", id, pid, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, pid)); err != nil {
			return err
		}
		rx, err := tx.findPrescription(id)
		if err != nil {
			return err
		}
		if err := authorize(app.CanViewClinicalRecord(tx.caller, rx.PatientID)); err != nil {
			return err
		}
		patient, err := tx.visiblePatient(rx.PatientID)
		if err != nil {
			return err
		}
		clinic, err := readSettings(tx.ctx, tx)
		if err != nil {
			return err
		}
		allergies, err := tx.allergies(rx.PatientID, false)
		if err != nil {
			return err
		}
		status, stated, err := tx.allergyStatus(rx.PatientID)
		if err != nil {
			return err
		}
		lang, err := patientLang(tx.ctx, tx, rx.PatientID)
		if err != nil {
			return err
		}
		summary := app.AllergySummaryIn(i18n.For(lang), status, allergies, stated, clinic.Location())
		if p, err := tx.prescriber(rx.DoctorID); err == nil {
			rx.PrescriberRegistration = p.RegistrationNumber
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		if out, err = pdf.Prescription(clinic, patient, rx, summary, clinic.Location(), lang); err != nil {
			return err
		}
		tx.Audit("prescription.pdf", "prescriptions", id, rx.PatientID, rx.Number)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindPrescription implements app.ClinicalService: the same rule as
// PrescriptionPDF, decided on the prescription's patient; a number that
// names no prescription is nobody's own, so a patient is refused alike for
// another's and for none (no way to learn which numbers exist).
func (s *ClinicalService) FindPrescription(ctx context.Context, number string) (*app.Prescription, error) {
	number = strings.TrimSpace(number)
	var id, pid string
	if err := s.db.r.QueryRowContext(ctx, `SELECT id, patient_id FROM prescriptions WHERE number = ?`, number).Scan(&id, &pid); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return nil, internal("prescription.view", err)
	}
	var out *app.Prescription
	err := s.db.writeFor(ctx, "prescription.view", "prescriptions", id, pid, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, pid)); err != nil {
			return err
		}
		if number == "" {
			return app.FieldErrorf("number", "Give the prescription's number, e.g. RX-D1-2026-000012.")
		}
		if id == "" {
			return app.Errorf(app.ENOTFOUND, "There is no prescription %s.", number)
		}
		rx, err := tx.findPrescription(id)
		if err != nil {
			return err
		}
		if err := authorize(app.CanViewClinicalRecord(tx.caller, rx.PatientID)); err != nil {
			return err
		}
		if _, err := tx.visiblePatient(rx.PatientID); err != nil {
			return err
		}
		tx.Audit("prescription.view", "prescriptions", id, rx.PatientID, rx.Number)
		out = rx
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AssignDoctor implements app.ClinicalService (admins, doctors,
// receptionists): the doctor must have an active doctor's account.
func (s *ClinicalService) AssignDoctor(ctx context.Context, c app.AssignmentCreate) (*app.Assignment, error) {
	var out *app.Assignment
	err := s.db.writeFor(ctx, "assignment.create", "assignments", "", c.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermAssignDoctor); err != nil {
			return err
		}
		if out, err = tx.assignDoctor(c); err != nil {
			return err
		}
		tx.Audit("assignment.create", "assignments", out.ID, out.PatientID, out.DoctorName+": "+out.Reason)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EndAssignment implements app.ClinicalService (admins, doctors,
// receptionists): an active assignment becomes completed or cancelled.
func (s *ClinicalService) EndAssignment(ctx context.Context, id string, status app.AssignmentStatus) (*app.Assignment, error) {
	var out *app.Assignment
	err := s.db.writeFor(ctx, "assignment.end", "assignments", id, s.db.patientOf(ctx, "assignments", id), func(tx *Tx) (err error) {
		if err := tx.Require(app.PermAssignDoctor); err != nil {
			return err
		}
		if out, err = tx.endAssignment(id, status); err != nil {
			return err
		}
		tx.Audit("assignment.end", "assignments", id, out.PatientID, out.DoctorName+": "+string(status))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAssignments implements app.ClinicalService: every assignment, the
// latest start first.
func (s *ClinicalService) FindAssignments(ctx context.Context, patientID string) ([]*app.Assignment, error) {
	var out []*app.Assignment
	err := s.read(ctx, "assignment.list", "assignments", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.assignments(patientID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// myPatientsLimit bounds "My patients": a doctor in charge of more than
// this searches instead.
const myPatientsLimit = 1000

// MyPatients implements app.ClinicalService: the (not archived) patients
// the calling doctor has an active assignment for, newest activity first.
func (s *ClinicalService) MyPatients(ctx context.Context) ([]*app.Patient, error) {
	var out []*app.Patient
	err := s.db.write(ctx, "assignment.my_patients", func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		out, err = collectRows(tx, scanPatient, `SELECT `+patientColumns+` FROM assignments a
			JOIN patients p ON p.id = a.patient_id
			WHERE a.doctor_id = ? AND a.status = 'active' AND a.deleted_at IS NULL AND p.deleted_at IS NULL
			ORDER BY p.activity_seq DESC LIMIT ?`, tx.caller.UserID, myPatientsLimit)
		if err != nil {
			return err
		}
		tx.Audit("assignment.my_patients", "assignments", "", "", fmt.Sprintf("%d patients", len(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nextAppointmentSQL is a patient's soonest appointment not yet over: it
// walks appointments (patient_id, start_at) from a visit's length ago.
const nextAppointmentSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
	WHERE a.patient_id = ? AND a.start_at >= ? AND a.end_at > ?
	AND a.status IN ('pending', 'confirmed', 'checked_in') ORDER BY a.start_at LIMIT 1`

// nextAppointment returns the patient's next appointment, or nil.
func (tx *Tx) nextAppointment(patientID string) (*app.Appointment, error) {
	a, err := scanAppointment(tx.QueryRowContext(tx.ctx, nextAppointmentSQL, patientID,
		formatTime(tx.now.Add(-app.MaxVisitLength)), formatTime(tx.now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// balanceDueSQL is what a patient owes: the total less the payments not
// refunded of each of their issued, unpaid invoices. It reads the
// patient's invoices from invoices (patient_id, ...) and each open one's
// lines and allocations by their invoice indexes.
const balanceDueSQL = `SELECT coalesce(sum((SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)
	- ` + paidSQL + `), 0)
	FROM invoices i WHERE i.patient_id = ? AND i.status IN ('issued', 'partially_paid')`

// balanceDue returns what the patient owes on issued invoices.
func (tx *Tx) balanceDue(patientID string) (*app.Money, error) {
	var m app.Money
	if err := tx.QueryRowContext(tx.ctx, balanceDueSQL, patientID).Scan(&m); err != nil {
		return nil, fmt.Errorf("balance due: %w", err)
	}
	return &m, nil
}
