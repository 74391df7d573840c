package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"hms/app"
)

// PatientService implements app.PatientService.
type PatientService struct {
	db *DB
}

var _ app.PatientService = (*PatientService)(nil)

const patientColumns = `p.id, p.mrn, p.given_name, p.family_name, p.sex, p.birth_date, p.phone, p.email, p.address,
	p.national_id, p.emergency_contact, p.emergency_phone, p.blood_group, p.notes, p.created_at, p.updated_at,
	p.last_activity_at, p.deleted_at, p.archive_reason, p.merged_into, p.language`

func scanPatient(r rowScanner) (*app.Patient, error) {
	var s patientScanner
	return s.scan(r)
}

// patientScanner scans patient rows (patientColumns) one after another,
// each into a new app.Patient, with its destinations and the text of the
// times kept from row to row: a page of search results then allocates the
// patients and what the driver hands over, not a list of destinations and
// five temporaries for every row (BenchmarkReadsWhileWriting: the search's
// garbage was most of the benchmark's, and its collections fell on the
// reads).
type patientScanner struct {
	created, updated         string
	activity, archived, lang sql.NullString
	dest                     []any
}

// scan scans one row into a new patient; extra are destinations of
// columns after patientColumns.
func (s *patientScanner) scan(r rowScanner, extra ...any) (*app.Patient, error) {
	p := new(app.Patient)
	s.dest = append(s.dest[:0], &p.ID, &p.MRN, &p.GivenName, &p.FamilyName, &p.Sex, &p.BirthDate, &p.Phone, &p.Email,
		&p.Address, &p.NationalID, &p.EmergencyContact, &p.EmergencyPhone, &p.BloodGroup, &p.Notes, &s.created,
		&s.updated, &s.activity, &s.archived, &p.ArchiveReason, &p.MergedInto, &s.lang)
	s.dest = append(s.dest, extra...)
	if err := r.Scan(s.dest...); err != nil {
		return nil, err
	}
	p.Language = s.lang.String
	p.CreatedAt, p.UpdatedAt = parseTime(s.created), parseTime(s.updated)
	p.LastActivityAt, p.ArchivedAt = parseNullTime(s.activity), parseNullTime(s.archived)
	return p, nil
}

// patientSearchFields returns the search terms of a name and the phone
// digits the search index holds for a patient. The terms are the folded
// words of the name and, for each ordered pair of words, a pair token: the
// first three letters of one word, "_", the other word. The same name always
// gives the same terms, so they also serve to find duplicates.
func patientSearchFields(given, family, phone string) (string, string) {
	words := nameWords(given + " " + family)
	if len(words) > 6 {
		words = words[:6] // enough for any real name; keeps the pairs bounded
	}
	terms := slices.Clone(words)
	for i, a := range words {
		for j, b := range words {
			if i != j {
				terms = append(terms, pairToken(a, b))
			}
		}
	}
	return strings.Join(terms, " "), app.PhoneDigits(phone)
}

// nameWords folds a name and splits it into words of letters and digits.
func nameWords(name string) []string {
	return strings.FieldsFunc(app.FoldForSearch(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// pairPrefix is how many letters of a pair's first word its token keeps.
const pairPrefix = 3

// pairToken is the token of the ordered word pair (a, b).
func pairToken(a, b string) string {
	r := []rune(a)
	if len(r) > pairPrefix {
		r = r[:pairPrefix]
	}
	return string(r) + "_" + b
}

// visiblePatient reads the patient a read is about, for a caller who passed
// the permission rule: an archived record is seen only as app.CanSeeArchived
// says.
func (tx *Tx) visiblePatient(id string) (*app.Patient, error) {
	p, err := tx.findPatient(id)
	if err != nil {
		return nil, err
	}
	if err := app.CanSeeArchived(tx.caller, p); err != nil {
		return nil, err
	}
	return p, nil
}

// findPatient reads one patient inside tx, archived or not.
func (tx *Tx) findPatient(id string) (*app.Patient, error) {
	p, err := scanPatient(tx.QueryRowContext(tx.ctx, `SELECT `+patientColumns+` FROM patients p WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such patient.")
	} else if err != nil {
		return nil, err
	}
	// Records merged into this one (the same patient, registered on two
	// desks): few, found by a partial index of merged records only.
	rows, err := tx.QueryContext(tx.ctx, `SELECT id, mrn, given_name, family_name FROM patients
		WHERE merged_into = ? AND merged_into <> '' ORDER BY created_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r app.PatientRef
		var given, family string
		if err := rows.Scan(&r.ID, &r.MRN, &given, &family); err != nil {
			return nil, err
		}
		r.Name = strings.TrimSpace(given + " " + family)
		p.MergedFrom = append(p.MergedFrom, r)
	}
	return p, rows.Err()
}

// insertPatient registers a patient inside tx, numbering the record from the
// desk's series, and starts the patient's timeline.
func (tx *Tx) insertPatient(c app.PatientCreate) (*app.Patient, error) {
	if err := c.Validate(tx.now); err != nil {
		return nil, err
	}
	mrn, err := tx.takeNumber(tx.series(seriesPatient, 0))
	if err != nil {
		return nil, err
	}
	p := &app.Patient{ID: newID(), MRN: mrn, GivenName: c.GivenName,
		FamilyName: c.FamilyName, Sex: c.Sex, BirthDate: c.BirthDate, Phone: c.Phone, Email: c.Email,
		Address: c.Address, NationalID: c.NationalID, EmergencyContact: c.EmergencyContact,
		EmergencyPhone: c.EmergencyPhone, BloodGroup: c.BloodGroup, Notes: c.Notes, Language: c.Language,
		CreatedAt: tx.now, UpdatedAt: tx.now, LastActivityAt: tx.now}
	name, digits := patientSearchFields(p.GivenName, p.FamilyName, p.Phone)
	ts := formatTime(tx.now)
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO patients (id, mrn, given_name, family_name, sex, birth_date,
		phone, email, address, national_id, emergency_contact, emergency_phone, blood_group, notes,
		search_name, phone_digits, activity_seq, last_activity_at, created_at, updated_at, language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
		(SELECT coalesce(max(activity_seq), 0) + 1 FROM patients), ?, ?, ?, ?)`,
		p.ID, p.MRN, p.GivenName, p.FamilyName, p.Sex, p.BirthDate, p.Phone, p.Email, p.Address,
		p.NationalID, p.EmergencyContact, p.EmergencyPhone, p.BloodGroup, p.Notes, name, digits, ts, ts, ts,
		optText(p.Language))
	if err != nil {
		return nil, err
	}
	if err := tx.patientEvent(p.ID, app.HistoryRegistration, "Registered as "+p.MRN, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

// patientEvent appends one entry to a patient's timeline and makes the
// patient the newest in activity order: registration, changes to the
// record, clinical entries and visits (check-in, completion). Every such
// write calls it, in the same transaction.
func (tx *Tx) patientEvent(patientID string, kind app.HistoryKind, summary, refID string) error {
	if err := tx.timelineEvent(patientID, kind, summary, refID); err != nil {
		return err
	}
	// The search rows' rowid is activity_seq, so this moves the patient's
	// rows in both search tables (the patients_search_update trigger).
	if _, err := tx.ExecContext(tx.ctx, `UPDATE patients SET last_activity_at = ?,
		activity_seq = (SELECT max(activity_seq) + 1 FROM patients) WHERE id = ?`, formatTime(tx.now), patientID); err != nil {
		return fmt.Errorf("patient activity: %w", err)
	}
	return nil
}

// timelineEvent appends one entry to a patient's timeline without changing
// the activity order. Administrative writes use it: bookings and their
// moves before the patient arrives, invoices and payments. They are on the
// timeline, but they do not make a patient "recently seen": search ranks
// patients by contact with the clinic, and re-indexing the patient's
// search rows on every booking or payment would cost those writes most of
// their time (the search tables' rowid is the activity order).
func (tx *Tx) timelineEvent(patientID string, kind app.HistoryKind, summary, refID string) error {
	by := tx.caller.Username
	if by == "" {
		by = "self-registration"
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO patient_events (id, patient_id, at, kind, summary, ref_id, by_user)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, newID(), patientID, formatTime(tx.now), kind, summary, refID, by); err != nil {
		return fmt.Errorf("patient event: %w", err)
	}
	return nil
}

// CreatePatient implements app.PatientService.
func (s *PatientService) CreatePatient(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
	var p *app.Patient
	err := s.db.write(ctx, "patient.create", func(tx *Tx) (err error) {
		if err := tx.Require(app.PermRegisterPatient); err != nil {
			return err
		}
		if p, err = tx.insertPatient(c); err != nil {
			return err
		}
		tx.Audit("patient.create", "patients", p.ID, p.ID, p.MRN)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindDuplicates implements app.PatientService: the same name and date of
// birth (accents and case ignored), or the same phone number.
func (s *PatientService) FindDuplicates(ctx context.Context, c app.PatientCreate) ([]*app.Duplicate, error) {
	if err := s.db.denyRead(ctx, "patient.duplicates", "patients", "", "", app.PermViewPatient); err != nil {
		return nil, err
	}
	return findDuplicates(ctx, s.db.r, c, "")
}

func findDuplicates(ctx context.Context, q querier, c app.PatientCreate, exceptID string) ([]*app.Duplicate, error) {
	name, digits := patientSearchFields(strings.Join(strings.Fields(c.GivenName), " "), strings.Join(strings.Fields(c.FamilyName), " "), c.Phone)
	var out []*app.Duplicate
	seen := map[string]bool{exceptID: true}
	add := func(query, reason string, args ...any) error {
		rows, err := q.QueryContext(ctx, `SELECT `+patientColumns+` FROM patients p WHERE `+query+` LIMIT 20`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPatient(rows)
			if err != nil {
				return err
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, &app.Duplicate{Patient: p, Reason: reason})
			}
		}
		return rows.Err()
	}
	if c.BirthDate != "" && strings.TrimSpace(name) != "" {
		if err := add(`p.birth_date = ? AND p.search_name = ?`, "same name and date of birth", c.BirthDate, name); err != nil {
			return nil, err
		}
	}
	if len(digits) >= 7 {
		if err := add(`p.phone_digits = ?`, "same phone number", digits); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindPatientByID implements app.PatientService. Staff who may view
// patients see any record; a patient sees only their own. The read is in
// the audit log.
func (s *PatientService) FindPatientByID(ctx context.Context, id string) (*app.Patient, error) {
	var p *app.Patient
	err := s.db.writeFor(ctx, "patient.view", "patients", id, id, func(tx *Tx) (err error) {
		if err := authorize(app.CanViewPatient(tx.caller, id)); err != nil {
			return err
		}
		if p, err = tx.visiblePatient(id); err != nil {
			return err
		}
		tx.Audit("patient.view", "patients", id, id, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// fieldChange is one changed field, for the change history.
type fieldChange struct{ field, old, new string }

func diffPatient(old *app.Patient, c app.PatientCreate) []fieldChange {
	return diffFields(patientEditable(app.PatientUpdate{}.Apply(old)), patientEditable(c))
}

// diffFields is the fields whose value differs between two lists of the
// same fields (column name, value) in the same order.
func diffFields(was, now [][2]string) []fieldChange {
	var out []fieldChange
	for i, f := range was {
		if f[1] != now[i][1] {
			out = append(out, fieldChange{f[0], f[1], now[i][1]})
		}
	}
	return out
}

// fieldMap is a list of fields (column name, value) as a map, for notSeen.
func fieldMap(fields [][2]string) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		out[f[0]] = f[1]
	}
	return out
}

// patientEditable is a record's fields that a change may set: column name,
// value.
func patientEditable(c app.PatientCreate) [][2]string {
	return [][2]string{{"given_name", c.GivenName}, {"family_name", c.FamilyName}, {"sex", string(c.Sex)},
		{"birth_date", c.BirthDate}, {"phone", c.Phone}, {"email", c.Email}, {"address", c.Address},
		{"national_id", c.NationalID}, {"emergency_contact", c.EmergencyContact}, {"emergency_phone", c.EmergencyPhone},
		{"blood_group", string(c.BloodGroup)}, {"notes", c.Notes}, {"language", c.Language}}
}

// updatePatient writes the changed fields of a record, keeps each change in
// patient_changes, and adds one timeline entry.
func (tx *Tx) updatePatient(p *app.Patient, c app.PatientCreate) ([]fieldChange, error) {
	if err := c.Validate(tx.now); err != nil {
		return nil, err
	}
	changes := diffPatient(p, c)
	if len(changes) == 0 {
		return nil, app.Errorf(app.EINVALID, "Nothing changed.")
	}
	name, digits := patientSearchFields(c.GivenName, c.FamilyName, c.Phone)
	_, err := tx.ExecContext(tx.ctx, `UPDATE patients SET given_name = ?, family_name = ?, sex = ?, birth_date = ?,
		phone = ?, email = ?, address = ?, national_id = ?, emergency_contact = ?, emergency_phone = ?, blood_group = ?,
		notes = ?, search_name = ?, phone_digits = ?, updated_at = ?, language = ? WHERE id = ?`,
		c.GivenName, c.FamilyName, c.Sex, c.BirthDate, c.Phone, c.Email, c.Address, c.NationalID, c.EmergencyContact,
		c.EmergencyPhone, c.BloodGroup, c.Notes, name, digits, formatTime(tx.now), optText(c.Language), p.ID)
	if err != nil {
		return nil, err
	}
	var fields []string
	for _, ch := range changes {
		fields = append(fields, ch.field)
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO patient_changes (id, patient_id, at, user_id, username, field,
			old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, newID(), p.ID, formatTime(tx.now), tx.caller.UserID,
			tx.caller.Username, ch.field, ch.old, ch.new); err != nil {
			return nil, err
		}
	}
	summary := "Changed " + strings.ReplaceAll(strings.Join(fields, ", "), "_", " ")
	if err := tx.patientEvent(p.ID, app.HistoryUpdate, summary, p.ID); err != nil {
		return nil, err
	}
	return changes, nil
}

// UpdatePatient implements app.PatientService.
func (s *PatientService) UpdatePatient(ctx context.Context, id string, u app.PatientUpdate) (*app.Patient, error) {
	var out *app.Patient
	err := s.db.writeFor(ctx, "patient.update", "patients", id, id, func(tx *Tx) error {
		if err := tx.Require(app.PermEditPatient); err != nil {
			return err
		}
		p, err := tx.findPatient(id)
		if err != nil {
			return err
		}
		if p.Archived() {
			return app.Errorf(app.ECONFLICT, "This record is archived: an administrator must restore it before it can change.")
		}
		changes, err := tx.updatePatient(p, u.Apply(p))
		if err != nil {
			return err
		}
		if err := tx.notSeen("patients", p.ID, changes, patientShown(u.Was, p.ID)); err != nil {
			return err
		}
		tx.Audit("patient.update", "patients", id, id, describeChanges(changes))
		out, err = tx.findPatient(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notSeen takes out of the base of the edit just queued for a row (its
// outbox row, outbox_edit_base) the readings of the values it replaced
// that its maker had not seen: a changed field whose value when the edit
// was made (the change's old value) differs from the one the form showed
// (shown[field]; a field not in shown counts as seen), because a sync
// brought another desk's edit meanwhile. Its base then names what that
// value descends from, not the value itself, so the server reads the edit
// as made without seeing it and keeps that value for review on every desk
// (server_set "_lost"), as for two desks apart; named, it was overwritten
// with no review item anywhere (issue #21). The field's lineage here
// (field_clock.seen) is the edit's base, as the triggers keep it.
//
// shown comes from the client and is not trusted: all it can do is take a
// reading out of the edit's base, so that the server keeps one more value
// for review (never fewer: without it the base claims everything). What
// the edit writes and its clock do not depend on it (TestForgedWasOnlyAddsReview).
// The reading taken out stays on the desk beside the edit (outbox.unseen,
// desk migration 0226; never sent): a clock incident's re-dating keeps the
// edit after the readings its base names and these (newestSeen), so the
// edit stays after the value it replaced, seen or not, and a forged copy
// moves it no later and no earlier than the base it had
// (TestClockIncidentRedatesAfterWhatTheEditReplacedUnseen, docs/SYNC-DESIGN.md).
func (tx *Tx) notSeen(entity, rowID string, changes []fieldChange, shown map[string]string) error {
	for _, ch := range changes {
		if v, ok := shown[ch.field]; !ok || v == ch.old {
			continue
		}
		// The edit's own outbox row: the newest update of the row whose
		// base reads the field (the same transaction may queue others,
		// of updated_at alone, after it).
		path := `$."` + ch.field + `"`
		const edit = `SELECT max(seq) FROM outbox WHERE entity = ?3 AND row_id = ?2 AND kind = 'update'
			AND json_valid(base) AND json_type(base, ?1) = 'array'`
		// The reading taken out stays on the desk (outbox.unseen, desk
		// migration 0226), for a clock incident's re-dating (newestSeen).
		if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET base = json_set(base, ?1, json_remove(base -> ?1, '$[0]')),
				unseen = CASE WHEN coalesce(base -> ?1 ->> '$[0]', '') = '' THEN unseen
					ELSE json_insert(CASE unseen WHEN '' THEN '[]' ELSE unseen END, '$[#]', base -> ?1 ->> '$[0]') END
			WHERE seq = (`+edit+`)`, path, rowID, entity); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET seen = coalesce((SELECT base -> ?1 FROM outbox
				WHERE seq = (`+edit+`)), seen)
			WHERE entity = ?3 AND row_id = ?2 AND field = ?4`, path, rowID, entity, ch.field); err != nil {
			return err
		}
	}
	return nil
}

// patientShown is the fields of a patient's record as a form showed them,
// for notSeen: nil when the form showed another record (or nothing).
func patientShown(was *app.Patient, id string) map[string]string {
	if was == nil || was.ID != id {
		return nil
	}
	return fieldMap(patientEditable(app.PatientUpdate{}.Apply(was)))
}

func describeChanges(cs []fieldChange) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.field)
	}
	return "changed " + strings.Join(parts, ", ")
}

// UpdateOwnContact implements app.PatientService.
func (s *PatientService) UpdateOwnContact(ctx context.Context, u app.ContactUpdate) (*app.Patient, error) {
	caller, _ := app.CallerFromContext(ctx)
	var out *app.Patient
	err := s.db.writeFor(ctx, "patient.update_own_contact", "patients", caller.PatientID, caller.PatientID, func(tx *Tx) error {
		if err := authorize(app.CanEditOwnContact(tx.caller)); err != nil {
			return err
		}
		p, err := tx.findPatient(tx.caller.PatientID)
		if err != nil {
			return err
		}
		up := app.PatientUpdate{Phone: u.Phone, Email: u.Email, Address: u.Address,
			EmergencyContact: u.EmergencyContact, EmergencyPhone: u.EmergencyPhone, Language: u.Language}
		changes, err := tx.updatePatient(p, up.Apply(p))
		if err != nil {
			return err
		}
		if err := tx.notSeen("patients", p.ID, changes, patientShown(u.Was, p.ID)); err != nil {
			return err
		}
		tx.Audit("patient.update_own_contact", "patients", p.ID, p.ID, describeChanges(changes))
		out, err = tx.findPatient(p.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindPatientChanges implements app.PatientService.
func (s *PatientService) FindPatientChanges(ctx context.Context, id string) ([]*app.PatientChange, error) {
	var out []*app.PatientChange
	err := s.db.writeFor(ctx, "patient.view_changes", "patients", id, id, func(tx *Tx) error {
		if err := authorize(app.CanViewPatient(tx.caller, id)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, user_id, username, field, old_value, new_value
			FROM patient_changes WHERE patient_id = ? ORDER BY at DESC, rowid DESC LIMIT 1000`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c app.PatientChange
			var at string
			if err := rows.Scan(&at, &c.UserID, &c.Username, &c.Field, &c.Old, &c.New); err != nil {
				return err
			}
			c.At = parseTime(at)
			out = append(out, &c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		tx.Audit("patient.view_changes", "patients", id, id, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchivePatient implements app.PatientService.
func (s *PatientService) ArchivePatient(ctx context.Context, id, reason string) (*app.Patient, error) {
	reason = strings.TrimSpace(reason)
	var out *app.Patient
	err := s.db.writeFor(ctx, "patient.archive", "patients", id, id, func(tx *Tx) error {
		if err := tx.Require(app.PermArchivePatient); err != nil {
			return err
		}
		if reason == "" {
			return app.FieldErrorf("reason", "Give the reason for archiving this record.")
		}
		if len([]rune(reason)) > 500 {
			return app.FieldErrorf("reason", "The reason is too long (at most 500 characters).")
		}
		p, err := tx.findPatient(id)
		if err != nil {
			return err
		}
		if p.Archived() {
			return app.Errorf(app.ECONFLICT, "%s is archived already.", p.MRN)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE patients SET deleted_at = ?, archive_reason = ?, updated_at = ? WHERE id = ?`,
			formatTime(tx.now), reason, formatTime(tx.now), id); err != nil {
			return err
		}
		if err := tx.patientEvent(id, app.HistoryArchive, "Archived: "+reason, id); err != nil {
			return err
		}
		tx.Audit("patient.archive", "patients", id, id, reason)
		out, err = tx.findPatient(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RestorePatient implements app.PatientService.
func (s *PatientService) RestorePatient(ctx context.Context, id string) (*app.Patient, error) {
	var out *app.Patient
	err := s.db.writeFor(ctx, "patient.restore", "patients", id, id, func(tx *Tx) error {
		if err := tx.Require(app.PermArchivePatient); err != nil {
			return err
		}
		p, err := tx.findPatient(id)
		if err != nil {
			return err
		}
		if !p.Archived() {
			return app.Errorf(app.ECONFLICT, "%s is not archived.", p.MRN)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE patients SET deleted_at = NULL, archive_reason = '', updated_at = ? WHERE id = ?`,
			formatTime(tx.now), id); err != nil {
			return err
		}
		if err := tx.patientEvent(id, app.HistoryArchive, "Restored from the archive", id); err != nil {
			return err
		}
		tx.Audit("patient.restore", "patients", id, id, "")
		out, err = tx.findPatient(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// derivedPatientTables hold nothing of their own about a patient: the
// record's own history, which a purge removes with it.
var derivedPatientTables = map[string]bool{"patients": true, "patient_events": true, "patient_changes": true,
	"audit_log": true} // the audit log keeps its rows: they name the purge too

// PurgePatient implements app.PatientService. Any table with a patient_id
// column other than the record's own history counts as clinical, billing or
// account data that forbids the purge, so tables added later are covered.
func (s *PatientService) PurgePatient(ctx context.Context, id, confirmMRN string) error {
	return s.db.writeFor(ctx, "patient.purge", "patients", id, id, func(tx *Tx) error {
		if err := tx.Require(app.PermArchivePatient); err != nil {
			return err
		}
		p, err := tx.findPatient(id)
		if err != nil {
			return err
		}
		if strings.TrimSpace(confirmMRN) != p.MRN {
			return app.FieldErrorf("confirm", "Type the record number %s to confirm.", p.MRN)
		}
		tables, err := tx.tablesWithColumn("patient_id")
		if err != nil {
			return err
		}
		for _, t := range tables {
			if derivedPatientTables[t] {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`" WHERE patient_id = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				what := strings.ReplaceAll(t, "_", " ") + " data"
				if t == "users" {
					what = "a login account"
				}
				return app.Errorf(app.ECONFLICT, "%s has %s and cannot be purged; archive it instead.", p.MRN, what)
			}
		}
		// The purge's record, signed by the administrator: the other desks
		// apply the deletes below only with it (docs/SYNC-DESIGN.md).
		purgeID := newID()
		sig, err := tx.powerSignature("patient_purges", purgeID,
			map[string]*string{"purged_patient": &id, "mrn": &p.MRN}, tx.caller.Signer)
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO patient_purges (id, purged_patient, mrn, purged_by, created_at, updated_at, power_sig)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, purgeID, id, p.MRN, tx.caller.Username, ts, ts, sig); err != nil {
			return err
		}
		for _, stmt := range purgeSQL {
			if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
				return err
			}
		}
		tx.Audit("patient.purge", "patients", id, id, fmt.Sprintf("purged %s (%s), created in error", p.MRN, p.FullName()))
		return nil
	})
}

// purgeSQL deletes a purged patient's record and history.
var purgeSQL = []string{`DELETE FROM patient_events WHERE patient_id = ?`,
	`DELETE FROM patient_changes WHERE patient_id = ?`, `DELETE FROM patients WHERE id = ?`}

// tablesWithColumn lists the tables that have a column of that name.
func (tx *Tx) tablesWithColumn(column string) ([]string, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = ? ORDER BY m.name`, column)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
