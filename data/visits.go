package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hms/app"
	"hms/app/pdf"
)

// VisitService implements app.VisitService.
//
// Threats: a visit links records and makes an invoice, so only doctors
// start one, only the visit's own doctor completes it (app.CanCompleteClinicalVisit),
// an appointment it starts from must be the patient's and the doctor's,
// and a visit completes once (its invoice is made in the same transaction
// as the completion, so a visit never has two). The services billed must be
// current items of the price list; the consultation is the price list's
// item of the doctor (else their specialization's, else the clinic's). A
// patient reads only their own visits; every read and write is audited.
type VisitService struct {
	db *DB
}

var _ app.VisitService = (*VisitService)(nil)

const visitColumns = `id, patient_id, doctor_id, doctor_name, coalesce(appointment_id, ''), status, started_at,
	coalesce(completed_at, ''), coalesce(invoice_id, '')`

func scanVisit(r rowScanner) (*app.Visit, error) {
	v := &app.Visit{}
	var started, completed string
	if err := r.Scan(&v.ID, &v.PatientID, &v.DoctorID, &v.DoctorName, &v.AppointmentID, &v.Status, &started,
		&completed, &v.InvoiceID); err != nil {
		return nil, err
	}
	v.StartedAt = parseTime(started)
	if completed != "" {
		v.CompletedAt = parseTime(completed)
	}
	return v, nil
}

// StartVisit implements app.VisitService (doctors).
func (s *VisitService) StartVisit(ctx context.Context, in app.VisitStart) (*app.Visit, error) {
	var out *app.Visit
	err := s.db.writeFor(ctx, "visit.start", "visits", "", in.PatientID, func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		v, err := tx.startVisit(in)
		if err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// startVisit opens a visit of the calling doctor with in's patient, from
// in's appointment or the patient's with the doctor today, if any; the
// caller checked the permission.
func (tx *Tx) startVisit(in app.VisitStart) (*app.Visit, error) {
	in.PatientID, in.AppointmentID = strings.TrimSpace(in.PatientID), strings.TrimSpace(in.AppointmentID)
	if in.PatientID == "" {
		return nil, app.FieldErrorf("patient", "Choose the patient.")
	}
	if _, err := tx.writablePatient(in.PatientID); err != nil {
		return nil, err
	}
	if open, err := tx.openVisit(in.PatientID); err != nil {
		return nil, err
	} else if open != nil {
		return nil, app.Errorf(app.ECONFLICT, "A visit with %s is open for this patient since %s: complete it first.",
			open.DoctorName, open.StartedAt.Format("15:04"))
	}
	appt, err := tx.visitAppointment(in)
	if err != nil {
		return nil, err
	}
	if appt != nil {
		in.AppointmentID = appt.ID
		if appt.Status == app.AppointmentConfirmed {
			// The doctor sees the patient: they have arrived.
			appt.CheckedInAt = tx.now
			if err := tx.setStatus(appt, app.AppointmentCheckedIn, ""); err != nil {
				return nil, err
			}
			tx.Audit("appointment.check_in", "appointments", appt.ID, appt.PatientID, "confirmed -> checked_in: the doctor started the visit")
		}
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	v := &app.Visit{ID: newID(), PatientID: in.PatientID, DoctorID: tx.caller.UserID, DoctorName: name,
		AppointmentID: in.AppointmentID, Status: app.VisitOpen, StartedAt: tx.now}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO visits (id, patient_id, doctor_id, doctor_name, appointment_id,
		status, started_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
		v.ID, v.PatientID, v.DoctorID, name, optText(v.AppointmentID), ts, ts, ts); err != nil {
		return nil, err
	}
	if err := tx.patientEvent(v.PatientID, app.HistoryVisit, "Visit with "+name+" started", v.ID); err != nil {
		return nil, err
	}
	tx.Audit("visit.start", "visits", v.ID, v.PatientID, strings.TrimSpace("with "+name+" "+optNote("appointment", v.AppointmentID)))
	return v, nil
}

func optNote(label, v string) string {
	if v == "" {
		return ""
	}
	return "(" + label + " " + v + ")"
}

// visitAppointment is the appointment a visit starts from: the one given,
// which must be the patient's with the calling doctor, confirmed or
// checked in; or, when none is given, the patient's appointment with the
// doctor today that is confirmed or checked in (the earliest), if any.
func (tx *Tx) visitAppointment(in app.VisitStart) (*app.Appointment, error) {
	if in.AppointmentID != "" {
		a, err := tx.findAppointment(in.AppointmentID)
		var ae *app.Error
		if (errors.As(err, &ae) && ae.Code == app.ENOTFOUND) || (err == nil && (a.PatientID != in.PatientID || a.DoctorID != tx.caller.UserID)) {
			return nil, app.FieldErrorf("appointment", "The appointment is not this patient's with you.")
		} else if err != nil {
			return nil, err
		}
		if a.Status != app.AppointmentConfirmed && a.Status != app.AppointmentCheckedIn {
			return nil, app.FieldErrorf("appointment", "The appointment is %s.", app.Lower(a.Status.Label()))
		}
		return a, nil
	}
	loc, err := clinicZone(tx.ctx, tx)
	if err != nil {
		return nil, err
	}
	from, to := app.DayOf(tx.now, loc).Bounds(loc)
	var id string
	err = tx.QueryRowContext(tx.ctx, `SELECT id FROM appointments WHERE patient_id = ? AND doctor_id = ?
		AND status IN ('confirmed', 'checked_in') AND start_at >= ? AND start_at < ?
		AND id NOT IN (SELECT appointment_id FROM visits WHERE appointment_id IS NOT NULL AND deleted_at IS NULL)
		ORDER BY status = 'checked_in' DESC, start_at LIMIT 1`,
		in.PatientID, tx.caller.UserID, formatTime(from), formatTime(to)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return tx.findAppointment(id)
}

// openVisit is the patient's open visit, or nil.
func (tx *Tx) openVisit(patientID string) (*app.Visit, error) {
	v, err := scanVisit(tx.QueryRowContext(tx.ctx, `SELECT `+visitColumns+` FROM visits
		WHERE patient_id = ? AND status = 'open' AND deleted_at IS NULL ORDER BY started_at DESC LIMIT 1`, patientID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

// linkToVisit links a record just made for a patient to the patient's
// open visit, if there is one: what is recorded during a visit is part of
// it.
func (tx *Tx) linkToVisit(patientID, entity, recordID string) (string, error) {
	var visitID string
	err := tx.QueryRowContext(tx.ctx, `SELECT id FROM visits WHERE patient_id = ? AND status = 'open' AND deleted_at IS NULL
		ORDER BY started_at DESC LIMIT 1`, patientID).Scan(&visitID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	ts := formatTime(tx.now)
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO visit_records (id, visit_id, entity, record_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, newID(), visitID, entity, recordID, ts, ts)
	return visitID, err
}

// CompleteVisit implements app.VisitService (the visit's doctor).
func (s *VisitService) CompleteVisit(ctx context.Context, visitID string, services []app.VisitServiceLine) (*app.Visit, error) {
	var out *app.Visit
	err := s.db.writeFor(ctx, "visit.complete", "visits", visitID, s.db.patientOf(ctx, "visits", visitID), func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		v, err := scanVisit(tx.QueryRowContext(tx.ctx, `SELECT `+visitColumns+` FROM visits WHERE id = ? AND deleted_at IS NULL`, visitID))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such visit.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanCompleteClinicalVisit(tx.caller, v)); err != nil {
			return err
		}
		if err := tx.completeVisit(v, services); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// completeVisit completes the open visit v: the draft invoice of its
// consultation and services, the appointment completed, the history and
// the audit row; the caller checked the permission.
func (tx *Tx) completeVisit(v *app.Visit, services []app.VisitServiceLine) error {
	if v.Status != app.VisitOpen {
		return app.Errorf(app.ECONFLICT, "This visit was completed already.")
	}
	if err := app.ValidateVisitServices(services); err != nil {
		return err
	}
	if _, err := tx.writablePatient(v.PatientID); err != nil {
		return err
	}
	bc, err := tx.billingContext()
	if err != nil {
		return err
	}
	consultation, err := tx.consultationLine(v.DoctorID, v.DoctorName)
	if err != nil {
		return err
	}
	lines := []app.LineInput{consultation}
	for _, sl := range services {
		lines = append(lines, app.LineInput{PriceItemID: sl.PriceItemID, Quantity: sl.Quantity})
	}
	d := app.DraftInvoice{PatientID: v.PatientID, AppointmentID: v.AppointmentID, Lines: lines,
		Notes: "Visit with " + v.DoctorName + " on " + v.StartedAt.In(bc.loc).Format("2006-01-02 15:04")}
	if v.AppointmentID != "" {
		var existing string
		err := tx.QueryRowContext(tx.ctx, `SELECT id FROM invoices WHERE appointment_id = ? AND status <> 'void' LIMIT 1`,
			v.AppointmentID).Scan(&existing)
		if err == nil {
			return app.Errorf(app.ECONFLICT, "The appointment of this visit is billed already; billing adds the services to its invoice.")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	invoiceID, err := tx.createDraft(d, bc)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) && ae.Field != "" && ae.Field != "services" {
			ae.Field = "services"
		}
		return err
	}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `UPDATE visits SET status = 'completed', completed_at = ?, invoice_id = ?,
		updated_at = ? WHERE id = ?`, ts, invoiceID, ts, v.ID); err != nil {
		return err
	}
	v.Status, v.CompletedAt, v.InvoiceID = app.VisitCompleted, tx.now, invoiceID
	if v.AppointmentID != "" {
		a, err := tx.findAppointment(v.AppointmentID)
		if err != nil {
			return err
		}
		if a.Status == app.AppointmentCheckedIn {
			if err := tx.setStatus(a, app.AppointmentCompleted, ""); err != nil {
				return err
			}
			tx.Audit("appointment.complete", "appointments", a.ID, a.PatientID, "checked_in -> completed: the visit was completed")
		}
	}
	if err := tx.patientEvent(v.PatientID, app.HistoryVisit,
		fmt.Sprintf("Visit with %s completed: %d services billed", v.DoctorName, len(lines)), v.ID); err != nil {
		return err
	}
	tx.Audit("visit.complete", "visits", v.ID, v.PatientID, fmt.Sprintf("draft invoice %s, %d lines", invoiceID, len(lines)))
	if v.Records, err = tx.visitRecords(v.ID); err != nil {
		return err
	}
	return nil
}

// FindVisits implements app.VisitService.
func (s *VisitService) FindVisits(ctx context.Context, patientID string) ([]*app.Visit, error) {
	var out []*app.Visit
	err := (&ClinicalService{db: s.db}).read(ctx, "visit.list", "visits", patientID, func(tx *Tx, _ *app.Patient) error {
		vs, err := collectRows(tx, scanVisit, `SELECT `+visitColumns+` FROM visits WHERE patient_id = ? AND deleted_at IS NULL
			ORDER BY started_at DESC, id DESC`, patientID)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Records, err = tx.visitRecords(v.ID); err != nil {
				return err
			}
		}
		out = vs
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) visitRecords(visitID string) ([]app.VisitRecord, error) {
	return collectRows(tx, func(r rowScanner) (app.VisitRecord, error) {
		var vr app.VisitRecord
		err := r.Scan(&vr.Entity, &vr.RecordID)
		return vr, err
	}, `SELECT entity, record_id FROM (SELECT entity, record_id, created_at, id FROM visit_records WHERE visit_id = ?1
		UNION ALL SELECT 'letters', id, created_at, id FROM letters WHERE visit_id = ?1 AND deleted_at IS NULL)
		ORDER BY created_at, id`, visitID)
}

// FindVisitServices implements app.VisitService (doctors): what
// FindPriceItems gives billing, less the consultations, without the
// billing permission a doctor does not have.
func (s *VisitService) FindVisitServices(ctx context.Context, query string) ([]*app.PriceItem, error) {
	if err := s.db.denyRead(ctx, "visit.services", "price_items", "", "", app.PermWriteClinical); err != nil {
		return nil, err
	}
	q := `SELECT ` + priceColumns + ` FROM price_items p WHERE valid_from <= ?1
		AND version = (SELECT v.version FROM price_items v WHERE v.code = p.code AND v.valid_from <= ?1
			ORDER BY v.valid_from DESC, v.version DESC LIMIT 1) AND active = 1 AND kind <> 'consultation'`
	args := []any{formatTime(s.db.now())}
	if t := strings.TrimSpace(query); t != "" {
		q += ` AND (instr(code, upper(?)) > 0 OR instr(search_name, lower(?)) > 0)`
		args = append(args, t, t)
	}
	q += ` ORDER BY code LIMIT 500`
	return scanPriceItems(s.db.r.QueryContext(ctx, q, args...))
}

// LetterPDF implements app.VisitService (doctors): the letter is made
// from the record and what the doctor wrote, stored as issued (linked to
// the patient's open visit, if any) and noted in the patient's history and
// the audit log.
func (s *VisitService) LetterPDF(ctx context.Context, r app.LetterRequest) ([]byte, error) {
	var out []byte
	err := s.db.writeFor(ctx, "letter.pdf", "letters", "", r.PatientID, func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if err := r.Validate(); err != nil {
			return err
		}
		p, err := tx.writablePatient(r.PatientID)
		if err != nil {
			return err
		}
		l, clinic, lang, what, err := tx.issueLetter(r, p)
		if err != nil {
			return err
		}
		tx.Audit("letter.pdf", "letters", l.ID, l.PatientID, what)
		if out, err = pdf.RenderLetter(l, clinic.Logo, false, lang); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
