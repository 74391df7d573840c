package data

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app"
	"hms/app/i18n"
)

// The clinical record inside a transaction: each tx helper validates,
// writes the rows and the patient's timeline entry, so that the service
// methods (which add the permission check and the audit row) and the demo
// generator write the same thing.

// clinicLocation is the clinic's time zone (settings), in which dates typed
// at the desk and the prescription series' year are meant.
func (tx *Tx) clinicLocation() (*time.Location, error) {
	var tz string
	err := tx.QueryRowContext(tx.ctx, `SELECT value FROM settings WHERE key = 'time_zone'`).Scan(&tz)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	s := app.Settings{TimeZone: tz}
	return s.Location(), nil
}

// clinicNow is the transaction's time at the clinic.
func (tx *Tx) clinicNow() (time.Time, error) {
	loc, err := tx.clinicLocation()
	if err != nil {
		return time.Time{}, err
	}
	return tx.now.In(loc), nil
}

// callerName is the calling user's full name, kept on what they sign: as
// the transaction's session check read it from the caller's row (inTx), so
// not read again. No transaction changes its own caller's name and then
// signs with it.
func (tx *Tx) callerName() (string, error) {
	if tx.caller.UserID == "" {
		return tx.caller.Username, nil
	}
	return tx.callerFullName, nil
}

// writablePatient is the patient a clinical write is about: it must exist
// and not be archived (an archived record changes only after a restore).
func (tx *Tx) writablePatient(id string) (*app.Patient, error) {
	p, err := tx.findPatient(id)
	if err != nil {
		return nil, err
	}
	if p.Archived() {
		return nil, app.Errorf(app.ECONFLICT, "%s is archived: an administrator must restore the record before it can change.", p.MRN)
	}
	return p, nil
}

// clipSummary shortens s to n characters for a timeline summary.
func clipSummary(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// --- allergies

const allergyColumns = `a.id, a.patient_id, a.substance, a.reaction, a.severity, a.created_at, a.recorded_by_name,
	a.deleted_at, a.removed_reason, a.certainty`

func scanAllergy(r rowScanner) (*app.Allergy, error) {
	var a app.Allergy
	var created string
	var removed sql.NullString
	if err := r.Scan(&a.ID, &a.PatientID, &a.Substance, &a.Reaction, &a.Severity, &created, &a.RecordedBy,
		&removed, &a.RemovedReason, &a.Certainty); err != nil {
		return nil, err
	}
	a.RecordedAt, a.RemovedAt = parseTime(created), parseNullTime(removed)
	return &a, nil
}

// allergies lists a patient's allergies, newest first; current only, or
// with the removed ones too.
func (tx *Tx) allergies(patientID string, withRemoved bool) ([]*app.Allergy, error) {
	return collectRows(tx, scanAllergy, allergiesSQL(withRemoved), patientID)
}

func allergiesSQL(withRemoved bool) string {
	q := `SELECT ` + allergyColumns + ` FROM allergies a WHERE a.patient_id = ?`
	if !withRemoved {
		q += ` AND a.deleted_at IS NULL`
	}
	return q + ` ORDER BY a.created_at DESC, a.id DESC`
}

func (tx *Tx) findAllergy(id string) (*app.Allergy, error) {
	a, err := scanAllergy(tx.QueryRowContext(tx.ctx, `SELECT `+allergyColumns+` FROM allergies a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such allergy.")
	}
	return a, err
}

// addAllergy records an allergy; the same substance twice is refused.
func (tx *Tx) addAllergy(c app.AllergyCreate) (*app.Allergy, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(c.PatientID); err != nil {
		return nil, err
	}
	current, err := tx.allergies(c.PatientID, false)
	if err != nil {
		return nil, err
	}
	for _, a := range current {
		if app.FoldForSearch(a.Substance) == app.FoldForSearch(c.Substance) {
			return nil, app.Errorf(app.ECONFLICT, "An allergy to %s is recorded already.", a.Substance).On("substance")
		}
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	a := &app.Allergy{ID: newID(), PatientID: c.PatientID, Substance: c.Substance, Reaction: c.Reaction,
		Severity: c.Severity, Certainty: c.Certainty, RecordedAt: tx.now, RecordedBy: name}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO allergies (id, patient_id, substance, reaction, severity, certainty,
		recorded_by, recorded_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.PatientID, a.Substance, a.Reaction, a.Severity, a.Certainty, tx.caller.UserID, name, ts, ts); err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("Allergy to %s (%s)", a.Substance, a.Severity)
	if a.Reaction != "" {
		summary += ": " + clipSummary(a.Reaction, 80)
	}
	return a, tx.patientEvent(a.PatientID, app.HistoryAllergy, summary, a.ID)
}

// removeAllergy marks an allergy recorded in error as removed, with the
// reason; the row stays, and so does its history.
func (tx *Tx) removeAllergy(id, reason string) (*app.Allergy, error) {
	reason, err := app.ValidateReason(reason, i18n.N("removing the allergy"))
	if err != nil {
		return nil, err
	}
	a, err := tx.findAllergy(id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(a.PatientID); err != nil {
		return nil, err
	}
	if !a.RemovedAt.IsZero() {
		return nil, app.Errorf(app.ECONFLICT, "This allergy was removed already.")
	}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `UPDATE allergies SET deleted_at = ?, removed_reason = ?, removed_by = ?,
		updated_at = ? WHERE id = ?`, ts, reason, optText(tx.caller.UserID), ts, id); err != nil {
		return nil, err
	}
	a.RemovedAt, a.RemovedReason = tx.now, reason
	return a, tx.patientEvent(a.PatientID, app.HistoryAllergy,
		fmt.Sprintf("Allergy to %s removed: %s", a.Substance, clipSummary(reason, 80)), a.ID)
}

// --- problems

const problemColumns = `p.id, p.patient_id, p.condition, p.onset, p.status, p.resolved_on, p.notes, p.created_at,
	p.recorded_by_name`

func scanProblem(r rowScanner) (*app.Problem, error) {
	var p app.Problem
	var created string
	if err := r.Scan(&p.ID, &p.PatientID, &p.Condition, &p.Onset, &p.Status, &p.ResolvedOn, &p.Notes, &created,
		&p.RecordedBy); err != nil {
		return nil, err
	}
	p.RecordedAt = parseTime(created)
	return &p, nil
}

// problems lists a patient's problems, newest first: active ones, or all.
func (tx *Tx) problems(patientID string, activeOnly bool) ([]*app.Problem, error) {
	return collectRows(tx, scanProblem, problemsSQL(activeOnly), patientID)
}

func problemsSQL(activeOnly bool) string {
	q := `SELECT ` + problemColumns + ` FROM problems p WHERE p.patient_id = ? AND p.deleted_at IS NULL`
	if activeOnly {
		q += ` AND p.status = 'active'`
	}
	return q + ` ORDER BY p.created_at DESC, p.id DESC`
}

func (tx *Tx) findProblem(id string) (*app.Problem, error) {
	p, err := scanProblem(tx.QueryRowContext(tx.ctx, `SELECT `+problemColumns+` FROM problems p
		WHERE p.id = ? AND p.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such problem.")
	}
	return p, err
}

func (tx *Tx) addProblem(c app.ProblemCreate) (*app.Problem, error) {
	today, err := tx.clinicNow()
	if err != nil {
		return nil, err
	}
	if err := c.Validate(today); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(c.PatientID); err != nil {
		return nil, err
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	p := &app.Problem{ID: newID(), PatientID: c.PatientID, Condition: c.Condition, Onset: c.Onset, Status: c.Status,
		Notes: c.Notes, RecordedAt: tx.now, RecordedBy: name}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO problems (id, patient_id, condition, onset, status, notes,
		recorded_by, recorded_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.PatientID, p.Condition, p.Onset, p.Status, p.Notes, tx.caller.UserID, name, ts, ts); err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("Problem: %s (%s)", p.Condition, p.Status)
	if p.Onset != "" {
		summary += ", onset " + p.Onset
	}
	return p, tx.patientEvent(p.PatientID, app.HistoryProblem, summary, p.ID)
}

func (tx *Tx) resolveProblem(id, resolvedOn string) (*app.Problem, error) {
	p, err := tx.findProblem(id)
	if err != nil {
		return nil, err
	}
	today, err := tx.clinicNow()
	if err != nil {
		return nil, err
	}
	if resolvedOn, err = app.ValidateResolvedOn(resolvedOn, p.Onset, today); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(p.PatientID); err != nil {
		return nil, err
	}
	if p.Status != app.ProblemActive {
		return nil, app.Errorf(app.ECONFLICT, "%s is resolved already.", p.Condition)
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE problems SET status = 'resolved', resolved_on = ?, updated_at = ?
		WHERE id = ?`, resolvedOn, formatTime(tx.now), id); err != nil {
		return nil, err
	}
	p.Status, p.ResolvedOn = app.ProblemResolved, resolvedOn
	return p, tx.patientEvent(p.PatientID, app.HistoryProblem,
		fmt.Sprintf("Problem resolved: %s, on %s", p.Condition, resolvedOn), p.ID)
}

// --- vitals

const vitalsColumns = `v.id, v.patient_id, v.taken_at, v.systolic, v.diastolic, v.pulse, v.temperature_c,
	v.resp_rate, v.spo2, v.weight_kg, v.height_cm, v.recorded_by_name, v.created_at`

func scanVitals(r rowScanner) (*app.Vitals, error) {
	var v app.Vitals
	var taken, created string
	var sys, dia, pulse, resp, spo2 sql.NullInt64
	var temp, weight, height sql.NullFloat64
	if err := r.Scan(&v.ID, &v.PatientID, &taken, &sys, &dia, &pulse, &temp, &resp, &spo2, &weight, &height,
		&v.RecordedBy, &created); err != nil {
		return nil, err
	}
	v.TakenAt, v.RecordedAt = parseTime(taken), parseTime(created)
	v.Systolic, v.Diastolic, v.Pulse = int(sys.Int64), int(dia.Int64), int(pulse.Int64)
	v.RespRate, v.SpO2 = int(resp.Int64), int(spo2.Int64)
	v.TemperatureC, v.WeightKg, v.HeightCm = temp.Float64, weight.Float64, height.Float64
	return &v, nil
}

// vitals lists a patient's vitals, newest taken first.
func (tx *Tx) vitals(patientID string, limit int) ([]*app.Vitals, error) {
	return collectRows(tx, scanVitals, vitalsSQL, patientID, limit)
}

const vitalsSQL = `SELECT ` + vitalsColumns + ` FROM vitals v WHERE v.patient_id = ?
	ORDER BY v.taken_at DESC, v.id DESC LIMIT ?`

func (tx *Tx) recordVitals(v app.Vitals) (*app.Vitals, error) {
	if err := v.Validate(tx.now); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(v.PatientID); err != nil {
		return nil, err
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	out := v
	out.ID, out.RecordedBy, out.RecordedAt = newID(), name, tx.now
	out.TakenAt = v.TakenAt.UTC().Truncate(time.Millisecond)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO vitals (id, patient_id, taken_at, systolic, diastolic, pulse,
		temperature_c, resp_rate, spo2, weight_kg, height_cm, recorded_by, recorded_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		out.ID, out.PatientID, formatTime(out.TakenAt), nullIfZero(out.Systolic), nullIfZero(out.Diastolic),
		nullIfZero(out.Pulse), nullIfZeroFloat(out.TemperatureC), nullIfZero(out.RespRate), nullIfZero(out.SpO2),
		nullIfZeroFloat(out.WeightKg), nullIfZeroFloat(out.HeightCm), tx.caller.UserID, name, formatTime(tx.now)); err != nil {
		return nil, err
	}
	if _, err := tx.linkToVisit(out.PatientID, "vitals", out.ID); err != nil {
		return nil, err
	}
	return &out, tx.patientEvent(out.PatientID, app.HistoryVitals, "Vitals: "+describeVitals(&out), out.ID)
}

// describeVitals is the one-line summary of a set of vitals on the timeline.
func describeVitals(v *app.Vitals) string {
	var parts []string
	if v.Systolic != 0 {
		parts = append(parts, fmt.Sprintf("BP %d/%d", v.Systolic, v.Diastolic))
	}
	if v.Pulse != 0 {
		parts = append(parts, fmt.Sprintf("pulse %d", v.Pulse))
	}
	if v.TemperatureC != 0 {
		parts = append(parts, fmt.Sprintf("%.1f °C", v.TemperatureC))
	}
	if v.RespRate != 0 {
		parts = append(parts, fmt.Sprintf("resp %d/min", v.RespRate))
	}
	if v.SpO2 != 0 {
		parts = append(parts, fmt.Sprintf("SpO2 %d%%", v.SpO2))
	}
	if v.WeightKg != 0 {
		parts = append(parts, fmt.Sprintf("%.1f kg", v.WeightKg))
	}
	if v.HeightCm != 0 {
		parts = append(parts, fmt.Sprintf("%.0f cm", v.HeightCm))
	}
	if bmi := v.BMI(); bmi != 0 {
		parts = append(parts, fmt.Sprintf("BMI %.1f", bmi))
	}
	return strings.Join(parts, ", ")
}

// --- notes

const noteColumns = `n.id, n.patient_id, n.kind, n.text, n.subjective, n.objective, n.assessment, n.plan,
	n.addendum_to, n.author_id, n.author_name, n.created_at`

func scanNote(r rowScanner) (*app.Note, error) {
	var n app.Note
	var created string
	var addendumTo sql.NullString
	if err := r.Scan(&n.ID, &n.PatientID, &n.Kind, &n.Text, &n.Subjective, &n.Objective, &n.Assessment, &n.Plan,
		&addendumTo, &n.AuthorID, &n.AuthorName, &created); err != nil {
		return nil, err
	}
	n.AddendumTo, n.CreatedAt = addendumTo.String, parseTime(created)
	return &n, nil
}

// notes lists a patient's notes newest first, each addendum attached to
// its note (oldest addendum first) instead of listed on its own.
func (tx *Tx) notes(patientID string) ([]*app.Note, error) {
	all, err := collectRows(tx, scanNote, notesSQL, patientID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*app.Note{}
	var top []*app.Note
	for _, n := range all {
		if n.AddendumTo == "" {
			byID[n.ID] = n
			top = append(top, n)
		}
	}
	for i := len(all) - 1; i >= 0; i-- { // oldest first
		if n := all[i]; n.AddendumTo != "" {
			if parent := byID[n.AddendumTo]; parent != nil {
				parent.Addenda = append(parent.Addenda, n)
			}
		}
	}
	return top, nil
}

const notesSQL = `SELECT ` + noteColumns + ` FROM notes n WHERE n.patient_id = ?
	ORDER BY n.created_at DESC, n.id DESC`

func (tx *Tx) addNote(c app.NoteCreate) (*app.Note, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(c.PatientID); err != nil {
		return nil, err
	}
	var parent *app.Note
	if c.AddendumTo != "" {
		p, err := scanNote(tx.QueryRowContext(tx.ctx, `SELECT `+noteColumns+` FROM notes n WHERE n.id = ?`, c.AddendumTo))
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && p.PatientID != c.PatientID):
			// Another patient's note is as absent as a note that does not exist.
			return nil, app.FieldErrorf("addendum_to", "The note this addendum is for does not exist in this patient's record.")
		case err != nil:
			return nil, err
		case p.AddendumTo != "":
			return nil, app.FieldErrorf("addendum_to", "Add the addendum to the original note, not to another addendum.")
		}
		parent = p
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	n := &app.Note{ID: newID(), PatientID: c.PatientID, Kind: c.Kind, Text: c.Text, Subjective: c.Subjective,
		Objective: c.Objective, Assessment: c.Assessment, Plan: c.Plan, AddendumTo: c.AddendumTo,
		AuthorID: tx.caller.UserID, AuthorName: name, CreatedAt: tx.now}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO notes (id, patient_id, kind, text, subjective, objective,
		assessment, plan, addendum_to, author_id, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.PatientID, n.Kind, n.Text, n.Subjective, n.Objective, n.Assessment, n.Plan, optText(n.AddendumTo),
		n.AuthorID, n.AuthorName, formatTime(n.CreatedAt)); err != nil {
		return nil, err
	}
	what := "Clinical note"
	if n.Kind == app.NoteNursing {
		what = "Nursing note"
	}
	if parent != nil {
		what = fmt.Sprintf("Addendum to the note of %s", parent.CreatedAt.Format(app.DateLayout))
	}
	body := n.Text
	if body == "" {
		body = strings.Join(nonEmptyStrings(n.Assessment, n.Subjective, n.Plan, n.Objective), " · ")
	}
	if _, err := tx.linkToVisit(n.PatientID, "notes", n.ID); err != nil {
		return nil, err
	}
	return n, tx.patientEvent(n.PatientID, app.HistoryNote, fmt.Sprintf("%s by %s: %s", what, name, clipSummary(body, 100)), n.ID)
}

func nonEmptyStrings(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// --- prescriptions

// prescriptionSelect reads a prescription with where it stands: its final
// status event, when there is one (at most one, by a unique index).
const prescriptionSelect = `SELECT r.id, r.number, r.patient_id, r.doctor_id, r.doctor_name, r.notes,
	r.allergy_warning, r.created_at, coalesce(e.status, 'active'), coalesce(e.reason, ''), coalesce(e.at, r.created_at)
	FROM prescriptions r LEFT JOIN prescription_status_events e ON e.prescription_id = r.id AND e.status <> 'active'`

func scanPrescription(r rowScanner) (*app.Prescription, error) {
	var p app.Prescription
	var created, changed string
	if err := r.Scan(&p.ID, &p.Number, &p.PatientID, &p.DoctorID, &p.DoctorName, &p.Notes, &p.AllergyWarning,
		&created, &p.Status, &p.StatusReason, &changed); err != nil {
		return nil, err
	}
	p.CreatedAt, p.StatusChangedAt = parseTime(created), parseTime(changed)
	return &p, nil
}

// prescriptions lists a patient's prescriptions newest first, with their
// items: all of them, or the active ones (the current medication).
func (tx *Tx) prescriptions(patientID string, activeOnly bool) ([]*app.Prescription, error) {
	list, err := collectRows(tx, scanPrescription, prescriptionsSQL(activeOnly), patientID)
	if err != nil || len(list) == 0 {
		return list, err
	}
	byID := make(map[string]*app.Prescription, len(list))
	for _, p := range list {
		byID[p.ID] = p
	}
	rows, err := tx.QueryContext(tx.ctx, prescriptionItemsSQL(activeOnly), patientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rxID string
		var it app.PrescriptionItem
		if err := rows.Scan(&rxID, &it.Drug, &it.Strength, &it.Dose, &it.Route, &it.Frequency, &it.Duration,
			&it.Quantity, &it.Instructions); err != nil {
			return nil, err
		}
		if p := byID[rxID]; p != nil {
			p.Items = append(p.Items, it)
		}
	}
	return list, rows.Err()
}

func prescriptionsSQL(activeOnly bool) string {
	q := prescriptionSelect + ` WHERE r.patient_id = ?`
	if activeOnly {
		q += ` AND e.id IS NULL`
	}
	return q + ` ORDER BY r.created_at DESC, r.id DESC`
}

// prescriptionItemsSQL reads the items of a patient's prescriptions (all,
// or the active ones) in one query, in order, to be handed to the
// prescriptions read before.
func prescriptionItemsSQL(activeOnly bool) string {
	q := `SELECT i.prescription_id, i.drug, i.strength, i.dose, i.route, i.frequency, i.duration, i.quantity,
		i.instructions FROM prescription_items i WHERE i.patient_id = ?`
	if activeOnly {
		q += ` AND NOT EXISTS (SELECT 1 FROM prescription_status_events e
			WHERE e.prescription_id = i.prescription_id AND e.status <> 'active')`
	}
	return q + ` ORDER BY i.prescription_id, i.position`
}

func (tx *Tx) findPrescription(id string) (*app.Prescription, error) {
	p, err := scanPrescription(tx.QueryRowContext(tx.ctx, prescriptionSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such prescription.")
	} else if err != nil {
		return nil, err
	}
	p.Items, err = collectRows(tx, func(r rowScanner) (app.PrescriptionItem, error) {
		var it app.PrescriptionItem
		err := r.Scan(&it.Drug, &it.Strength, &it.Dose, &it.Route, &it.Frequency, &it.Duration, &it.Quantity, &it.Instructions)
		return it, err
	}, `SELECT drug, strength, dose, route, frequency, duration, quantity, instructions FROM prescription_items
		WHERE prescription_id = ? ORDER BY position`, id)
	return p, err
}

// prescribe issues a prescription, numbered from the desk's series of the
// year (RX-D1-2026-000012). The drug catalogue's check runs first: a drug
// the patient is allergic to (by substance, brand or class), a known
// cross-reaction, or a duplicate of a drug prescribed with it or of a
// current medication is refused unless the doctor acknowledged the
// warning, which is then kept on the prescription.
func (tx *Tx) prescribe(c app.PrescriptionCreate) (*app.Prescription, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	patient, err := tx.writablePatient(c.PatientID)
	if err != nil {
		return nil, err
	}
	allergies, err := tx.allergies(c.PatientID, false)
	if err != nil {
		return nil, err
	}
	current, err := tx.prescriptions(c.PatientID, true)
	if err != nil {
		return nil, err
	}
	cat, err := tx.drugCatalogue()
	if err != nil {
		return nil, err
	}
	check := cat.CheckPrescription(patient.FullName(), c.Items, allergies, current)
	warning := check.Warning.String() // the prescription keeps the English words
	if check.Warns() && !c.AcknowledgeAllergy {
		if check.Severe {
			return nil, app.Errorf(app.ECONFLICT, "%s The allergy is severe: change the prescription, or give the reason for prescribing anyway.",
				check.Warning).On("allergy")
		}
		return nil, app.Errorf(app.ECONFLICT, "%s Change the prescription, or acknowledge the warning to issue it anyway.", check.Warning).On("allergy")
	}
	if check.Severe && c.OverrideReason == "" {
		return nil, app.Errorf(app.ECONFLICT, "%s The allergy is severe: give the reason for prescribing anyway.", check.Warning).On("override_reason")
	}
	if check.Warns() && c.OverrideReason != "" {
		warning += " Reason for prescribing anyway: " + c.OverrideReason
	}
	local, err := tx.clinicNow()
	if err != nil {
		return nil, err
	}
	number, err := tx.takeNumber(tx.series(seriesPrescription, local.Year()))
	if err != nil {
		return nil, err
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	p := &app.Prescription{ID: newID(), Number: number, PatientID: c.PatientID,
		DoctorID: tx.caller.UserID, DoctorName: name, Items: c.Items, Notes: c.Notes, Status: app.PrescriptionActive,
		AllergyWarning: warning, CreatedAt: tx.now, StatusChangedAt: tx.now}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO prescriptions (id, number, patient_id, doctor_id, doctor_name,
		notes, allergy_warning, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Number, p.PatientID, p.DoctorID, p.DoctorName, p.Notes, p.AllergyWarning, ts); err != nil {
		return nil, err
	}
	var drugs []string
	for i, it := range p.Items {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO prescription_items (id, prescription_id, patient_id, position,
			drug, strength, dose, route, frequency, duration, quantity, instructions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, newID(), p.ID, p.PatientID, i+1, it.Drug, it.Strength, it.Dose,
			it.Route, it.Frequency, it.Duration, it.Quantity, it.Instructions); err != nil {
			return nil, err
		}
		drugs = append(drugs, strings.TrimSpace(it.Drug+" "+it.Strength))
	}
	if err := tx.prescriptionEvent(p, app.PrescriptionActive, ""); err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("Prescription %s: %s", p.Number, clipSummary(strings.Join(drugs, ", "), 120))
	if warning != "" {
		summary += " (allergy warning acknowledged)"
	}
	if _, err := tx.linkToVisit(p.PatientID, "prescriptions", p.ID); err != nil {
		return nil, err
	}
	return p, tx.patientEvent(p.PatientID, app.HistoryPrescription, summary, p.ID)
}

func (tx *Tx) prescriptionEvent(p *app.Prescription, status app.PrescriptionStatus, reason string) error {
	name, err := tx.callerName()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO prescription_status_events (id, prescription_id, patient_id, status,
		reason, by_user, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		newID(), p.ID, p.PatientID, status, reason, tx.caller.UserID, name, formatTime(tx.now))
	return err
}

// finishPrescription moves an active prescription to completed or
// cancelled (with a reason); nothing else moves.
func (tx *Tx) finishPrescription(id string, status app.PrescriptionStatus, reason string) (*app.Prescription, error) {
	if status == app.PrescriptionCancelled {
		var err error
		if reason, err = app.ValidateReason(reason, i18n.N("cancelling the prescription")); err != nil {
			return nil, err
		}
	}
	p, err := tx.findPrescription(id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(p.PatientID); err != nil {
		return nil, err
	}
	if p.Status != app.PrescriptionActive {
		return nil, app.Errorf(app.ECONFLICT, "Prescription %s is %s already: only an active prescription can be completed or cancelled.",
			p.Number, p.Status)
	}
	if err := tx.prescriptionEvent(p, status, reason); err != nil {
		return nil, err
	}
	p.Status, p.StatusReason, p.StatusChangedAt = status, reason, tx.now
	summary := fmt.Sprintf("Prescription %s completed", p.Number)
	if status == app.PrescriptionCancelled {
		summary = fmt.Sprintf("Prescription %s cancelled: %s", p.Number, clipSummary(reason, 80))
	}
	return p, tx.patientEvent(p.PatientID, app.HistoryPrescription, summary, p.ID)
}

// --- assignments

const assignmentColumns = `a.id, a.patient_id, a.doctor_id, a.doctor_name, a.reason, a.start_date, a.end_date,
	a.status, a.created_at, a.created_by_name`

func scanAssignment(r rowScanner) (*app.Assignment, error) {
	var a app.Assignment
	var created string
	if err := r.Scan(&a.ID, &a.PatientID, &a.DoctorID, &a.DoctorName, &a.Reason, &a.StartDate, &a.EndDate, &a.Status,
		&created, &a.CreatedBy); err != nil {
		return nil, err
	}
	a.CreatedAt = parseTime(created)
	return &a, nil
}

// assignments lists a patient's assignments, the latest start first:
// active ones, or all.
func (tx *Tx) assignments(patientID string, activeOnly bool) ([]*app.Assignment, error) {
	return collectRows(tx, scanAssignment, assignmentsSQL(activeOnly), patientID)
}

func assignmentsSQL(activeOnly bool) string {
	q := `SELECT ` + assignmentColumns + ` FROM assignments a WHERE a.patient_id = ? AND a.deleted_at IS NULL`
	if activeOnly {
		q += ` AND a.status = 'active'`
	}
	return q + ` ORDER BY a.start_date DESC, a.created_at DESC`
}

func (tx *Tx) findAssignment(id string) (*app.Assignment, error) {
	a, err := scanAssignment(tx.QueryRowContext(tx.ctx, `SELECT `+assignmentColumns+` FROM assignments a
		WHERE a.id = ? AND a.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such assignment.")
	}
	return a, err
}

func (tx *Tx) assignDoctor(c app.AssignmentCreate) (*app.Assignment, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(c.PatientID); err != nil {
		return nil, err
	}
	var doctorName string
	err := tx.QueryRowContext(tx.ctx, `SELECT full_name FROM users WHERE id = ? AND role = 'doctor'
		AND status = 'active' AND deleted_at IS NULL`, c.DoctorID).Scan(&doctorName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.FieldErrorf("doctor", "Choose a doctor with an active account.")
	} else if err != nil {
		return nil, err
	}
	var existing string
	err = tx.QueryRowContext(tx.ctx, `SELECT reason FROM assignments WHERE patient_id = ? AND doctor_id = ?
		AND status = 'active' AND deleted_at IS NULL`, c.PatientID, c.DoctorID).Scan(&existing)
	if err == nil {
		return nil, app.Errorf(app.ECONFLICT,
			"%s is assigned to this patient already (%s): end that assignment first.", doctorName, existing).On("doctor")
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	by, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	a := &app.Assignment{ID: newID(), PatientID: c.PatientID, DoctorID: c.DoctorID, DoctorName: doctorName,
		Reason: c.Reason, StartDate: c.StartDate, EndDate: c.EndDate, Status: app.AssignmentActive,
		CreatedAt: tx.now, CreatedBy: by}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO assignments (id, patient_id, doctor_id, doctor_name, reason,
		start_date, end_date, status, created_by, created_by_name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`, a.ID, a.PatientID, a.DoctorID, a.DoctorName, a.Reason,
		a.StartDate, a.EndDate, tx.caller.UserID, by, ts, ts); err != nil {
		return nil, err
	}
	return a, tx.patientEvent(a.PatientID, app.HistoryAssignment,
		fmt.Sprintf("Assigned to %s from %s: %s", doctorName, a.StartDate, clipSummary(a.Reason, 80)), a.ID)
}

// endAssignment completes or cancels an active assignment. Completing
// ends it today (unless it was to end earlier); a cancelled one keeps its
// dates, since it may never have started.
func (tx *Tx) endAssignment(id string, status app.AssignmentStatus) (*app.Assignment, error) {
	if status != app.AssignmentCompleted && status != app.AssignmentCancelled {
		return nil, app.FieldErrorf("status", "An assignment ends as completed or cancelled, not %q.", status)
	}
	a, err := tx.findAssignment(id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(a.PatientID); err != nil {
		return nil, err
	}
	if a.Status != app.AssignmentActive {
		return nil, app.Errorf(app.ECONFLICT, "This assignment is %s already.", a.Status)
	}
	local, err := tx.clinicNow()
	if err != nil {
		return nil, err
	}
	today := local.Format(app.DateLayout)
	if status == app.AssignmentCompleted {
		if today < a.StartDate {
			return nil, app.Errorf(app.ECONFLICT, "This assignment starts on %s and cannot be completed before it starts: cancel it instead.", a.StartDate)
		}
		if a.EndDate == "" || a.EndDate > today {
			a.EndDate = today
		}
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE assignments SET status = ?, end_date = ?, updated_at = ? WHERE id = ?`,
		status, a.EndDate, formatTime(tx.now), id); err != nil {
		return nil, err
	}
	a.Status = status
	return a, tx.patientEvent(a.PatientID, app.HistoryAssignment,
		fmt.Sprintf("Assignment of %s %s: %s", a.DoctorName, status, clipSummary(a.Reason, 80)), a.ID)
}
