package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"hms/app"
	"hms/app/codes"
	"hms/app/i18n"
)

// DiagnosisService implements app.DiagnosisService: the desk's diagnosis
// code lists, their search, and the diagnoses recorded in charts.
//
// Threats: a wrong code list would put wrong codes into charts and
// reports, so only administrators import one, all or none, audited with
// its size; the list is the desk's own and does not sync, and a diagnosis
// keeps the code's title as recorded, so a later import changes no chart.
// A diagnosis is clinical data: doctors record and remove it (with a
// reason, the row stays), clinicians read it, a patient reads only their
// own; every read and write is audited, and a note it points to must be a
// clinical note of the same patient.
type DiagnosisService struct {
	db *DB
}

var _ app.DiagnosisService = (*DiagnosisService)(nil)

// seedCodes loads the shipped ICD-10-CM starter list into a desk that has
// no code list yet (a new desk, or one that just migrated).
func (db *DB) seedCodes() error {
	var seeded bool
	if err := db.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM diagnosis_codes)`).Scan(&seeded); err != nil || seeded {
		return err
	}
	tx, err := db.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows := make([]app.DiagnosisCodeRow, 0, 400)
	for i, c := range codes.Starter() {
		rows = append(rows, app.DiagnosisCodeRow{Line: i + 1, DiagnosisCode: c})
	}
	if err := insertCodes(context.Background(), tx, app.CodeSystemICD10CM, rows); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// insertCodes writes a system's codes in code order, so that the search
// index returns them in code order.
func insertCodes(ctx context.Context, tx execer, system string, rows []app.DiagnosisCodeRow) error {
	sorted := make([]app.DiagnosisCode, len(rows))
	for i, r := range rows {
		sorted[i] = r.DiagnosisCode
	}
	sort.SliceStable(sorted, func(i, j int) bool { return codes.Key(sorted[i].Code) < codes.Key(sorted[j].Code) })
	code, err := tx.PrepareContext(ctx, `INSERT INTO diagnosis_codes (system, code, title) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer code.Close()
	fts, err := tx.PrepareContext(ctx, `INSERT INTO diagnosis_code_fts (rowid, words) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer fts.Close()
	for _, c := range sorted {
		res, err := code.ExecContext(ctx, system, c.Code, strings.TrimSpace(c.Title))
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := fts.ExecContext(ctx, seq, codes.SearchText(c)); err != nil {
			return err
		}
	}
	return nil
}

// SearchCodes implements app.DiagnosisService.
func (s *DiagnosisService) SearchCodes(ctx context.Context, query string, limit int) ([]*app.DiagnosisCode, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "codes.search", "diagnosis_codes", "", "", app.CanSearchCodes(c)); err != nil {
		return nil, err
	}
	switch {
	case limit <= 0:
		limit = 50
	case limit > 200:
		limit = 200
	}
	match := codes.Query(query)
	if match == "" {
		return nil, nil
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT c.system, c.code, c.title FROM diagnosis_code_fts f
		JOIN diagnosis_codes c ON c.seq = f.rowid WHERE diagnosis_code_fts MATCH ? ORDER BY f.rowid LIMIT ?`, match, limit)
	if err != nil {
		return nil, internal("codes.search", err)
	}
	defer rows.Close()
	var out []*app.DiagnosisCode
	for rows.Next() {
		d := &app.DiagnosisCode{}
		if err := rows.Scan(&d.System, &d.Code, &d.Title); err != nil {
			return nil, internal("codes.search", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("codes.search", err)
	}
	return out, nil
}

// ImportCodes implements app.DiagnosisService (administrators).
func (s *DiagnosisService) ImportCodes(ctx context.Context, system string, rows []app.DiagnosisCodeRow) (int, error) {
	system = strings.TrimSpace(system)
	err := s.db.write(ctx, "codes.import", func(tx *Tx) error {
		if err := authorize(app.CanImportCodes(tx.caller)); err != nil {
			return err
		}
		if system == "" || len([]rune(system)) > 40 {
			return app.FieldErrorf("system", "Name the code list (e.g. ICD-10-CM, ICD-10-GM), at most 40 characters.")
		}
		if len(rows) == 0 {
			return app.Errorf(app.EINVALID, "The file has no codes.")
		}
		var bad []app.RowError
		seen := map[string]int{}
		for _, r := range rows {
			if msg := codes.CheckCode(r.Code); !msg.IsZero() {
				bad = append(bad, app.RowError{Line: r.Line, Field: "code", Message: msg})
			} else if msg := codes.CheckTitle(r.Title); !msg.IsZero() {
				bad = append(bad, app.RowError{Line: r.Line, Field: "description", Message: msg})
			} else if first, dup := seen[codes.Key(r.Code)]; dup {
				bad = append(bad, app.RowError{Line: r.Line, Field: "code", Message: i18n.Nf("The code %s is on line %d already.", r.Code, first)})
			} else {
				seen[codes.Key(r.Code)] = r.Line
			}
		}
		if len(bad) > 0 {
			return &app.ImportError{Rows: bad}
		}
		var old int
		if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM diagnosis_codes WHERE system = ?`, system).Scan(&old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM diagnosis_code_fts WHERE rowid IN
			(SELECT seq FROM diagnosis_codes WHERE system = ?)`, system); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM diagnosis_codes WHERE system = ?`, system); err != nil {
			return err
		}
		if err := insertCodes(tx.ctx, tx, system, rows); err != nil {
			return err
		}
		tx.Audit("codes.import", "diagnosis_codes", "", "", fmt.Sprintf("%s: %d codes, replacing %d", system, len(rows), old))
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

const diagnosisColumns = `id, patient_id, coalesce(note_id, ''), coalesce(visit_id, ''), code_system, code, title, text,
	recorded_by_name, created_at, coalesce(deleted_at, ''), removed_reason`

func scanDiagnosis(r rowScanner) (*app.Diagnosis, error) {
	d := &app.Diagnosis{}
	var created, removed string
	if err := r.Scan(&d.ID, &d.PatientID, &d.NoteID, &d.VisitID, &d.System, &d.Code, &d.Title, &d.Text,
		&d.RecordedBy, &created, &removed, &d.RemovedReason); err != nil {
		return nil, err
	}
	d.RecordedAt = parseTime(created)
	if removed != "" {
		d.RemovedAt = parseTime(removed)
	}
	return d, nil
}

// AddDiagnosis implements app.DiagnosisService (doctors).
func (s *DiagnosisService) AddDiagnosis(ctx context.Context, c app.DiagnosisCreate) (*app.Diagnosis, error) {
	var out *app.Diagnosis
	err := s.db.writeFor(ctx, "diagnosis.add", "diagnoses", "", c.PatientID, func(tx *Tx) (err error) {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if out, err = tx.addDiagnosis(c); err != nil {
			return err
		}
		tx.Audit("diagnosis.add", "diagnoses", out.ID, out.PatientID, clipSummary(out.Label(), 200))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) addDiagnosis(c app.DiagnosisCreate) (*app.Diagnosis, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.writablePatient(c.PatientID); err != nil {
		return nil, err
	}
	if c.NoteID != "" {
		var n int
		if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM notes WHERE id = ? AND patient_id = ? AND kind = 'clinical'`,
			c.NoteID, c.PatientID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, app.FieldErrorf("note", "The diagnosis must belong to a clinical note of this patient's.")
		}
	}
	d := &app.Diagnosis{ID: newID(), PatientID: c.PatientID, NoteID: c.NoteID, Text: c.Text, RecordedAt: tx.now}
	if c.Code != "" {
		err := tx.QueryRowContext(tx.ctx, `SELECT system, code, title FROM diagnosis_codes WHERE system = ? AND code IN (?, ?)
			ORDER BY code = ? DESC LIMIT 1`, c.System, c.Code, codes.Dotted(strings.ToUpper(c.Code)), c.Code).Scan(&d.System, &d.Code, &d.Title)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, app.FieldErrorf("code",
				"%s is not a code of this desk's %s list: choose one from the search.", c.Code, c.System)
		}
		if err != nil {
			return nil, err
		}
	}
	name, err := tx.callerName()
	if err != nil {
		return nil, err
	}
	d.RecordedBy = name
	open, err := tx.openVisit(d.PatientID)
	if err != nil {
		return nil, err
	}
	if open != nil {
		d.VisitID = open.ID
	}
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO diagnoses (id, patient_id, note_id, visit_id, code_system, code, title, text,
		recorded_by, recorded_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.PatientID, optText(d.NoteID), optText(d.VisitID), d.System, d.Code, d.Title, d.Text, tx.caller.UserID, name, ts, ts); err != nil {
		return nil, err
	}
	if _, err := tx.linkToVisit(d.PatientID, "diagnoses", d.ID); err != nil {
		return nil, err
	}
	return d, tx.patientEvent(d.PatientID, app.HistoryDiagnosis, "Diagnosis: "+clipSummary(d.Label(), 120), d.ID)
}

// RemoveDiagnosis implements app.DiagnosisService (doctors).
func (s *DiagnosisService) RemoveDiagnosis(ctx context.Context, id, reason string) (*app.Diagnosis, error) {
	var out *app.Diagnosis
	err := s.db.writeFor(ctx, "diagnosis.remove", "diagnoses", id, s.db.patientOf(ctx, "diagnoses", id), func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		reason, err := app.ValidateReason(reason, i18n.N("removing the diagnosis"))
		if err != nil {
			return err
		}
		d, err := scanDiagnosis(tx.QueryRowContext(tx.ctx, `SELECT `+diagnosisColumns+` FROM diagnoses WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "Diagnosis not found.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.writablePatient(d.PatientID); err != nil {
			return err
		}
		if !d.RemovedAt.IsZero() {
			return app.Errorf(app.ECONFLICT, "This diagnosis was removed already.")
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `UPDATE diagnoses SET deleted_at = ?, removed_reason = ?, removed_by = ?,
			updated_at = ? WHERE id = ?`, ts, reason, optText(tx.caller.UserID), ts, id); err != nil {
			return err
		}
		d.RemovedAt, d.RemovedReason = tx.now, reason
		if err := tx.patientEvent(d.PatientID, app.HistoryDiagnosis,
			fmt.Sprintf("Diagnosis %s removed: %s", clipSummary(d.Label(), 80), clipSummary(reason, 80)), d.ID); err != nil {
			return err
		}
		tx.Audit("diagnosis.remove", "diagnoses", id, d.PatientID, clipSummary(d.Label(), 120)+": "+reason)
		out = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindDiagnoses implements app.DiagnosisService.
func (s *DiagnosisService) FindDiagnoses(ctx context.Context, patientID string) ([]*app.Diagnosis, error) {
	var out []*app.Diagnosis
	err := (&ClinicalService{db: s.db}).read(ctx, "diagnosis.list", "diagnoses", patientID, func(tx *Tx, _ *app.Patient) (err error) {
		out, err = tx.diagnoses(patientID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) diagnoses(patientID string) ([]*app.Diagnosis, error) {
	return collectRows(tx, scanDiagnosis, `SELECT `+diagnosisColumns+` FROM diagnoses WHERE patient_id = ?
		ORDER BY created_at DESC, id DESC`, patientID)
}

// MorbidityReport implements app.DiagnosisService: administrators see the
// clinic's diagnoses, doctors those they recorded; the read is audited.
func (s *DiagnosisService) MorbidityReport(ctx context.Context, f app.MorbidityFilter) (*app.MorbidityReport, error) {
	out := &app.MorbidityReport{From: f.From, To: f.To}
	err := s.db.write(ctx, "report.morbidity", func(tx *Tx) error {
		if err := authorize(app.CanSeeMorbidity(tx.caller)); err != nil {
			return err
		}
		if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
			return app.FieldErrorf("to", "Choose a period: the end after the start.")
		}
		if f.To.Sub(f.From) > 3700*24*time.Hour {
			return app.FieldErrorf("from", "A report covers at most ten years.")
		}
		q := `SELECT d.code_system, d.code, d.title, p.birth_date, p.sex, d.created_at FROM diagnoses d
			JOIN patients p ON p.id = d.patient_id
			WHERE d.created_at >= ? AND d.created_at < ? AND d.deleted_at IS NULL AND d.code <> ''`
		args := []any{formatTime(f.From), formatTime(f.To)}
		if !tx.caller.Can(app.PermViewStatistics) {
			q += ` AND d.recorded_by = ?`
			args = append(args, tx.caller.UserID)
			name, err := tx.callerName()
			if err != nil {
				return err
			}
			out.Doctor = name
		}
		rows, err := tx.QueryContext(tx.ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		type key struct {
			system, code, band string
			sex                app.Sex
		}
		cells := map[key]*app.MorbidityRow{}
		byCode := map[string]*app.MorbidityCount{}
		byChapter := map[string]*app.MorbidityCount{}
		for rows.Next() {
			var system, code, title, birth, sex, at string
			if err := rows.Scan(&system, &code, &title, &birth, &sex, &at); err != nil {
				return err
			}
			band := app.PatientAgeBand(ageAt(birth, parseTime(at)))
			k := key{system, code, band, app.Sex(sex)}
			ch, chTitle := codes.Chapter(code)
			if cells[k] == nil {
				cells[k] = &app.MorbidityRow{System: system, Code: code, Title: title, Chapter: ch, AgeBand: band, Sex: app.Sex(sex)}
			}
			cells[k].Count++
			ck := system + " " + code
			if byCode[ck] == nil {
				byCode[ck] = &app.MorbidityCount{Key: code, Title: title}
			}
			byCode[ck].Count++
			if ch != "" {
				if byChapter[ch] == nil {
					byChapter[ch] = &app.MorbidityCount{Key: ch, Title: chTitle}
				}
				byChapter[ch].Count++
			}
			out.Total++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range cells {
			out.Rows = append(out.Rows, *r)
		}
		sort.Slice(out.Rows, func(i, j int) bool {
			a, b := out.Rows[i], out.Rows[j]
			if a.Code != b.Code {
				return a.Code < b.Code
			}
			if a.AgeBand != b.AgeBand {
				return bandIndex(a.AgeBand) < bandIndex(b.AgeBand)
			}
			return a.Sex < b.Sex
		})
		for _, m := range []struct {
			from map[string]*app.MorbidityCount
			to   *[]app.MorbidityCount
		}{{byCode, &out.ByCode}, {byChapter, &out.ByChapter}} {
			for _, c := range m.from {
				*m.to = append(*m.to, *c)
			}
			sort.Slice(*m.to, func(i, j int) bool {
				a, b := (*m.to)[i], (*m.to)[j]
				if a.Count != b.Count {
					return a.Count > b.Count
				}
				return a.Key < b.Key
			})
		}
		tx.Audit("report.morbidity", "diagnoses", "", "", fmt.Sprintf("%s to %s: %d diagnoses",
			f.From.Format(app.DateLayout), f.To.Format(app.DateLayout), out.Total))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func bandIndex(b string) int {
	for i, x := range app.PatientAgeBands {
		if x == b {
			return i
		}
	}
	return len(app.PatientAgeBands)
}

// ageAt is the age in whole years on the day of t of someone born on birth
// (YYYY-MM-DD), or -1 when the birth date is unknown.
func ageAt(birth string, t time.Time) int {
	b, err := time.Parse(app.DateLayout, birth)
	if err != nil {
		return -1
	}
	age := t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		age--
	}
	return age
}
