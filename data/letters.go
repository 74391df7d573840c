package data

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// Letters (sick notes, referral letters) are stored as issued, so that
// they can be listed and reprinted; reading them follows the clinical
// record's rule (app.CanViewClinicalRecord): staff with clinical access,
// or the patient whose they are. Every list and reprint is audited.

const letterColumns = `id, patient_id, coalesce(visit_id, ''), kind, doctor_id, doctor_name, registration_number,
	patient_name, patient_mrn, patient_birth_date, coalesce(date_from, ''), coalesce(date_to, ''),
	coalesce(recipient, ''), body, text, clinic_name, clinic_details, issued_on, created_at, coalesce(language, '')`

func scanLetter(r rowScanner) (*app.Letter, error) {
	l := &app.Letter{}
	var details, created, lang string
	if err := r.Scan(&l.ID, &l.PatientID, &l.VisitID, &l.Kind, &l.DoctorID, &l.DoctorName, &l.RegistrationNumber,
		&l.PatientName, &l.PatientMRN, &l.PatientBirthDate, &l.From, &l.To, &l.Recipient, &l.Body, &l.Text,
		&l.ClinicName, &details, &l.IssuedOn, &created, &lang); err != nil {
		return nil, err
	}
	if details != "" {
		l.ClinicDetails = strings.Split(details, "\n")
	}
	l.CreatedAt = parseTime(created)
	l.Language = i18n.Lang(lang)
	return l, nil
}

// insertLetter stores l as issued by the calling doctor: linked to the
// patient's open visit, if any, and noted in the patient's history (the
// entry refers to the letter). l gets its id and visit; the caller audits
// it, with what as detail.
func (tx *Tx) insertLetter(l *app.Letter) (what string, err error) {
	l.ID = newID()
	if l.CreatedAt.IsZero() {
		l.CreatedAt = tx.now
	}
	visitID, err := tx.openVisitID(l.PatientID)
	if err != nil {
		return "", err
	}
	l.VisitID = visitID
	var from, to, recipient any
	switch l.Kind {
	case app.LetterSickNote:
		from, to = l.From, l.To
	case app.LetterReferral:
		recipient = l.Recipient
	}
	ts := formatTime(l.CreatedAt)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO letters (id, patient_id, visit_id, kind, doctor_id, doctor_name,
		registration_number, patient_name, patient_mrn, patient_birth_date, date_from, date_to, recipient, body, text,
		clinic_name, clinic_details, issued_on, created_at, updated_at, language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.PatientID, optText(l.VisitID), l.Kind, l.DoctorID, l.DoctorName, l.RegistrationNumber, l.PatientName,
		l.PatientMRN, l.PatientBirthDate, from, to, recipient, l.Body, l.Text, l.ClinicName,
		strings.Join(l.ClinicDetails, "\n"), l.IssuedOn, ts, ts, optText(string(l.Language))); err != nil {
		return "", err
	}
	what = l.Kind.Label()
	switch l.Kind {
	case app.LetterSickNote:
		what += " (unfit " + l.From + " to " + l.To + ")"
	case app.LetterReferral:
		what += " to " + clipSummary(l.Recipient, 80)
	}
	if err := tx.patientEvent(l.PatientID, app.HistoryLetter, what+" by "+l.DoctorName, l.ID); err != nil {
		return "", err
	}
	return what, nil
}

// issueLetter makes and stores the calling doctor's letter r for the
// patient p as issued: its wording from the clinic's settings and the
// record, in the patient's language (which the letter keeps). It returns
// the letter, the clinic's settings and the language to render it with,
// and the audit detail; the caller audits it (VisitService.LetterPDF,
// demoLetter).
func (tx *Tx) issueLetter(r app.LetterRequest, p *app.Patient) (l *app.Letter, clinic *app.Settings, lang i18n.Lang, what string, err error) {
	doctor, err := tx.prescriber(tx.caller.UserID)
	if err != nil {
		return nil, nil, "", "", err
	}
	if clinic, err = readSettings(tx.ctx, tx); err != nil {
		return nil, nil, "", "", err
	}
	if lang, err = patientLang(tx.ctx, tx, p.ID); err != nil {
		return nil, nil, "", "", err
	}
	if l, err = pdf.NewLetter(clinic, p, r, doctor, tx.now, clinic.Location(), lang); err != nil {
		return nil, nil, "", "", err
	}
	if what, err = tx.insertLetter(l); err != nil {
		return nil, nil, "", "", err
	}
	return l, clinic, lang, what, nil
}

// demoLetter writes a letter of the calling doctor's for a patient, as
// the service does (issueLetter), audited as the demo's.
func (tx *Tx) demoLetter(r app.LetterRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	p, err := tx.findPatient(r.PatientID)
	if err != nil {
		return err
	}
	l, _, _, what, err := tx.issueLetter(r, p)
	if err == nil {
		tx.clinicalDemoAudit("letter.pdf", "letters", l.ID, l.PatientID, what)
	}
	return err
}

// openVisitID is the id of the patient's open visit, or "".
func (tx *Tx) openVisitID(patientID string) (string, error) {
	var id string
	err := tx.QueryRowContext(tx.ctx, `SELECT id FROM visits WHERE patient_id = ? AND status = 'open' AND deleted_at IS NULL
		ORDER BY started_at DESC LIMIT 1`, patientID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// FindLetters implements app.VisitService: a patient's letters, newest
// first.
func (s *VisitService) FindLetters(ctx context.Context, patientID string) ([]*app.Letter, error) {
	var out []*app.Letter
	err := (&ClinicalService{db: s.db}).read(ctx, "letter.list", "letters", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = collectRows(tx, scanLetter, `SELECT `+letterColumns+` FROM letters WHERE patient_id = ? AND deleted_at IS NULL
			ORDER BY created_at DESC, id DESC`, patientID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindVisitLetters implements app.VisitService: the letters of a visit,
// oldest first, decided on the visit's patient; a visit that does not
// exist is nobody's, so a patient is refused alike for another's and for
// none.
func (s *VisitService) FindVisitLetters(ctx context.Context, visitID string) ([]*app.Letter, error) {
	pid := s.db.patientOf(ctx, "visits", visitID)
	var out []*app.Letter
	err := s.db.writeFor(ctx, "letter.list", "visits", visitID, pid, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, pid)); err != nil {
			return err
		}
		if strings.TrimSpace(visitID) == "" {
			return app.FieldErrorf("visit", "Choose the visit.")
		}
		var patientID string
		err := tx.QueryRowContext(tx.ctx, `SELECT patient_id FROM visits WHERE id = ? AND deleted_at IS NULL`, visitID).Scan(&patientID)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such visit.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanViewClinicalRecord(tx.caller, patientID)); err != nil {
			return err
		}
		if _, err := tx.visiblePatient(patientID); err != nil {
			return err
		}
		if out, err = collectRows(tx, scanLetter, `SELECT `+letterColumns+` FROM letters WHERE visit_id = ? AND deleted_at IS NULL
			ORDER BY created_at, id`, visitID); err != nil {
			return err
		}
		tx.Audit("letter.list", "visits", visitID, patientID, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReprintLetter implements app.VisitService: the stored letter rendered
// again, marked COPY, with the clinic's logo of today (the logo is the one
// part of the header not stored with each letter). Printing is a read of
// the record, audited as such.
func (s *VisitService) ReprintLetter(ctx context.Context, letterID string) ([]byte, error) {
	pid := s.db.patientOf(ctx, "letters", letterID)
	var out []byte
	err := s.db.writeFor(ctx, "letter.reprint", "letters", letterID, pid, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, pid)); err != nil {
			return err
		}
		if strings.TrimSpace(letterID) == "" {
			return app.FieldErrorf("letter", "Choose the letter.")
		}
		l, err := scanLetter(tx.QueryRowContext(tx.ctx, `SELECT `+letterColumns+` FROM letters WHERE id = ? AND deleted_at IS NULL`, letterID))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such letter.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanViewClinicalRecord(tx.caller, l.PatientID)); err != nil {
			return err
		}
		if _, err := tx.visiblePatient(l.PatientID); err != nil {
			return err
		}
		clinic, err := readSettings(tx.ctx, tx)
		if err != nil {
			return err
		}
		// The letter's wording and labels are as issued: in the language
		// it was issued in; a letter issued before letters kept theirs
		// follows the patient's language of today.
		lang := l.Language
		if !lang.Valid() {
			if lang, err = patientLang(tx.ctx, tx, l.PatientID); err != nil {
				return err
			}
		}
		if out, err = pdf.RenderLetter(l, clinic.Logo, true, lang); err != nil {
			return err
		}
		tx.Audit("letter.reprint", "letters", l.ID, l.PatientID, l.Summary())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
