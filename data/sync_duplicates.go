package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"hms/app"
	"hms/app/i18n"
)

// Possible duplicates: two records of what may be one patient, registered
// on two desks while apart, which the server flagged (migration 0013,
// patient_duplicates). They are listed with the conflicts, and decided
// through ResolveConflict: two people (keep both), or one (merge).

// A flag's decision, in patient_duplicates.resolution (” while open).
const (
	duplicateDifferent = "different"
	duplicateMerged    = "merged"
)

// duplicateSelect reads a flag with both records (scanDuplicate).
const duplicateSelect = `SELECT d.id, d.patient_id, d.other_id, d.reason, d.detected_at, d.resolution,
	d.resolved_at, d.resolved_by,
	p.mrn, p.given_name, p.family_name, p.birth_date, p.phone, p.email, p.national_id, p.created_at,
	o.mrn, o.given_name, o.family_name, o.birth_date, o.phone, o.email, o.national_id, o.created_at
	FROM patient_duplicates d JOIN patients p ON p.id = d.patient_id JOIN patients o ON o.id = d.other_id`

// scanDuplicate reads one row of duplicateSelect as a conflict.
func scanDuplicate(row interface{ Scan(...any) error }) (*app.Conflict, error) {
	var c app.Conflict
	var detected, resolution string
	var resolved sql.NullString
	var later, first duplicateSide
	if err := row.Scan(&c.ID, &c.RowID, &c.DuplicateOf, &c.Rule, &detected, &resolution, &resolved, &c.ResolvedBy,
		&later.mrn, &later.given, &later.family, &later.born, &later.phone, &later.email, &later.nationalID, &later.created,
		&first.mrn, &first.given, &first.family, &first.born, &first.phone, &first.email, &first.nationalID, &first.created); err != nil {
		return nil, err
	}
	c.Entity = "patients"
	c.RuleText = duplicateReason(c.Rule) // the screen says "Possible duplicate: …"
	c.Rule = ruleDuplicate + c.Rule
	c.What = i18n.Nf("Patient %s, born %s, registered twice? %s and %s",
		strings.TrimSpace(later.given+" "+later.family), later.born, first.mrn, later.mrn)
	c.LostValue, c.WonValue = later.json(), first.json()
	c.LostAt, c.WonAt = parseTime(later.created), parseTime(first.created)
	c.DetectedAt = parseTime(detected)
	c.ResolvedAt = parseNullTime(resolved)
	switch resolution {
	case duplicateDifferent:
		c.Resolution = app.ResolutionKeep
	case duplicateMerged:
		c.Resolution = app.ResolutionMerged
	}
	return &c, nil
}

// duplicateSide is one of the two records of a flag, as the review shows
// it: what tells two people of one name and birth date apart.
type duplicateSide struct {
	mrn, given, family, born, phone, email, nationalID, created string
}

// json is the record's number and contact details, as JSON text; the name
// and birth date are the conflict's What, the same on both sides.
func (s duplicateSide) json() string {
	parts := []string{s.mrn}
	if s.phone == "" {
		parts = append(parts, "no phone")
	} else {
		parts = append(parts, "phone "+s.phone)
	}
	if s.email != "" {
		parts = append(parts, s.email)
	}
	if s.nationalID != "" {
		parts = append(parts, "ID "+s.nationalID)
	}
	b, _ := json.Marshal(strings.Join(parts, ", "))
	return string(b)
}

// openDuplicate is the condition of a flag that waits for a person: not
// decided, and both records still current (one archived since, merged
// into a third for one, leaves nothing to decide).
const openDuplicate = `d.resolution = '' AND p.deleted_at IS NULL AND o.deleted_at IS NULL`

// listDuplicates lists the flags, the open ones or all, newest first.
func listDuplicates(ctx context.Context, q rowQuerier, all bool, limit int) ([]*app.Conflict, error) {
	query := duplicateSelect + ` WHERE ` + openDuplicate + ` ORDER BY d.detected_at DESC, d.id DESC LIMIT ?`
	if all {
		query = duplicateSelect + ` ORDER BY d.detected_at DESC, d.id DESC LIMIT ?`
	}
	rows, err := q.QueryContext(ctx, query, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Conflict
	for rows.Next() {
		c, err := scanDuplicate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// resolveDuplicate records a person's decision on a flag: two people
// (ResolutionKeep), or one patient (ResolutionMerged), whose later record
// is merged into the one registered first. Returns the audit detail.
func (tx *Tx) resolveDuplicate(c *app.Conflict, r app.Resolution) (string, error) {
	if !c.ResolvedAt.IsZero() {
		return "", app.Errorf(app.ECONFLICT, "This possible duplicate was decided already (%s by %s).",
			resolutionWords(c.Resolution), c.ResolvedBy)
	}
	now := formatTime(tx.now)
	switch r {
	case app.ResolutionKeep:
		if _, err := tx.ExecContext(tx.ctx, `UPDATE patient_duplicates SET resolution = ?, resolved_at = ?, resolved_by = ?,
			updated_at = ? WHERE id = ?`, duplicateDifferent, now, tx.caller.Username, now, c.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("kept both records, two people: patients %s and %s", c.RowID, c.DuplicateOf), nil
	case app.ResolutionMerged:
		if err := tx.Require(app.PermArchivePatient); err != nil {
			return "", err
		}
		if err := tx.mergePatients(c.DuplicateOf, c.RowID); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE patient_duplicates SET resolution = ?, kept_id = ?, resolved_at = ?,
			resolved_by = ?, updated_at = ? WHERE id = ?`, duplicateMerged, c.DuplicateOf, now, tx.caller.Username, now, c.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("merged patient %s into %s", c.RowID, c.DuplicateOf), nil
	case app.ResolutionTake:
		return "", app.Errorf(app.EINVALID, "Two records of one patient are not a change to take back: merge them, or keep both if they are two people.")
	}
	return "", app.Errorf(app.EINVALID, "Choose to merge the two records or to keep both.")
}

// mergedFields are the fields a merge copies from the merged record to the
// kept one where the kept one has none.
var mergedFields = []func(c *app.PatientCreate) *string{
	func(c *app.PatientCreate) *string { return &c.Phone },
	func(c *app.PatientCreate) *string { return &c.Email },
	func(c *app.PatientCreate) *string { return &c.Address },
	func(c *app.PatientCreate) *string { return &c.NationalID },
	func(c *app.PatientCreate) *string { return &c.EmergencyContact },
	func(c *app.PatientCreate) *string { return &c.EmergencyPhone },
	func(c *app.PatientCreate) *string { return (*string)(&c.BloodGroup) },
	func(c *app.PatientCreate) *string { return &c.Notes },
}

// mergePatients merges the record gone into the record kept: the kept
// record takes the fields it lacks and the allergies from the other, which
// is archived as merged and points to the kept one (patients.merged_into,
// set by the flag's trigger). Nothing else moves: what was written under
// either record stays there, and each record's chart links to the other.
func (tx *Tx) mergePatients(keptID, goneID string) error {
	kept, err := tx.findPatient(keptID)
	if err != nil {
		return err
	}
	gone, err := tx.findPatient(goneID)
	if err != nil {
		return err
	}
	if kept.Archived() {
		return app.Errorf(app.ECONFLICT, "%s, the record to keep, is archived: restore it first, then merge.", kept.MRN)
	}
	if gone.MergedInto != "" {
		return app.Errorf(app.ECONFLICT, "%s was merged into another record already.", gone.MRN)
	}
	c := app.PatientUpdate{}.Apply(kept)
	from := app.PatientUpdate{}.Apply(gone)
	filled := false
	for _, field := range mergedFields {
		dst, src := field(&c), field(&from)
		if *dst == "" && *src != "" {
			*dst, filled = *src, true
		}
	}
	if filled {
		if _, err := tx.updatePatient(kept, c); err != nil {
			var fe *app.Error
			if errors.As(err, &fe) {
				return app.Errorf(fe.Code, "The details of %s cannot be copied to %s: %s", gone.MRN, kept.MRN, fe.Message)
			}
			return err
		}
	}
	// An allergy recorded under either record must warn under the kept
	// one: the prescribing check reads the kept record's.
	allergies, err := tx.allergies(gone.ID, false)
	if err != nil {
		return err
	}
	for _, a := range allergies {
		_, err := tx.addAllergy(app.AllergyCreate{PatientID: kept.ID, Substance: a.Substance, Reaction: a.Reaction,
			Severity: a.Severity})
		if app.ErrorCode(err) == app.ECONFLICT {
			continue // recorded under the kept record already
		} else if err != nil {
			return err
		}
	}
	reason := fmt.Sprintf("Merged into %s %s: the same patient, registered twice", kept.MRN, kept.FullName())
	if !gone.Archived() {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE patients SET deleted_at = ?, archive_reason = ?, updated_at = ? WHERE id = ?`,
			formatTime(tx.now), reason, formatTime(tx.now), gone.ID); err != nil {
			return err
		}
	}
	if err := tx.patientEvent(gone.ID, app.HistoryArchive, reason, kept.ID); err != nil {
		return err
	}
	if err := tx.patientEvent(kept.ID, app.HistoryUpdate, fmt.Sprintf("Record %s merged into this one", gone.MRN), gone.ID); err != nil {
		return err
	}
	tx.Audit("patient.merge", "patients", gone.ID, kept.ID, fmt.Sprintf("merged %s into %s", gone.MRN, kept.MRN))
	return nil
}
