package app

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CodeSystemICD10CM is the code list HMS ships a starter list of: the
// public-domain ICD-10-CM. Clinics import other editions under their
// own names (ICD-10-GM, ICD-10-AM …).
const CodeSystemICD10CM = "ICD-10-CM"

// HistoryDiagnosis marks a patient's timeline entries about diagnoses.
const HistoryDiagnosis HistoryKind = "diagnosis"

// DiagnosisCode is one code of a code list, with its title.
type DiagnosisCode struct {
	System string // e.g. ICD-10-CM
	Code   string // as written in the list, e.g. J45.909
	Title  string
}

// DiagnosisCodeRow is a code of an import, with the line it came from.
type DiagnosisCodeRow struct {
	Line int
	DiagnosisCode
}

// Diagnosis is a diagnosis recorded in a patient's chart: a code from a
// code list (with the code's title as it was when recorded), free text, or
// both; made in a clinical note when NoteID is set. A diagnosis recorded
// in error is removed with a reason and stays in the history.
type Diagnosis struct {
	ID            string
	PatientID     string
	NoteID        string
	VisitID       string
	System        string
	Code          string
	Title         string
	Text          string
	RecordedAt    time.Time
	RecordedBy    string // the doctor's full name
	RemovedAt     time.Time
	RemovedReason string
}

// Label is the diagnosis as one line: "J45.909 Unspecified asthma,
// uncomplicated — worse at night", or the free text alone.
func (d *Diagnosis) Label() string {
	s := strings.TrimSpace(d.Code + " " + d.Title)
	switch {
	case s == "":
		return d.Text
	case d.Text != "":
		return s + " — " + d.Text
	}
	return s
}

// DiagnosisCreate records a diagnosis. Code, when given, must be in the
// desk's code list of System (ICD-10-CM when empty); Text is free text
// beside it, or alone for a diagnosis the list has no code for.
type DiagnosisCreate struct {
	PatientID string
	NoteID    string
	System    string
	Code      string
	Text      string
}

// Validate checks what can be checked without the database and trims the
// fields.
func (c *DiagnosisCreate) Validate() error {
	c.PatientID, c.NoteID = strings.TrimSpace(c.PatientID), strings.TrimSpace(c.NoteID)
	c.System, c.Code, c.Text = strings.TrimSpace(c.System), strings.TrimSpace(c.Code), strings.TrimSpace(c.Text)
	if c.PatientID == "" {
		return FieldErrorf("patient", "Choose the patient.")
	}
	if c.Code == "" && c.Text == "" {
		return FieldErrorf("code", "Choose a code, or describe the diagnosis.")
	}
	if c.Code != "" && c.System == "" {
		c.System = CodeSystemICD10CM
	}
	if utf8.RuneCountInString(c.Text) > 1000 {
		return FieldErrorf("text", "The description is too long (at most 1,000 characters).")
	}
	if utf8.RuneCountInString(c.Code) > 16 || utf8.RuneCountInString(c.System) > 40 {
		return FieldErrorf("code", "That is not a code of the list.")
	}
	return nil
}

// DiagnosisService keeps the desk's diagnosis code lists and the
// diagnoses recorded in patients' charts.
type DiagnosisService interface {
	// SearchCodes finds codes by code (J45, J45.9, j459) or by words of
	// their titles (each a prefix, in any order, accents and case
	// ignored), in code order, at most limit (default 50, at most 200).
	// Clinicians and administrators.
	SearchCodes(ctx context.Context, query string, limit int) ([]*DiagnosisCode, error)
	// ImportCodes replaces the desk's list of one code system with rows,
	// all or none: every bad row is reported (an *ImportError naming each
	// line), nothing changes. Administrators only.
	ImportCodes(ctx context.Context, system string, rows []DiagnosisCodeRow) (int, error)
	// AddDiagnosis records a diagnosis in a patient's chart (doctors).
	AddDiagnosis(ctx context.Context, c DiagnosisCreate) (*Diagnosis, error)
	// RemoveDiagnosis marks a diagnosis recorded in error as removed, with
	// the reason (doctors).
	RemoveDiagnosis(ctx context.Context, id, reason string) (*Diagnosis, error)
	// FindDiagnoses lists a patient's diagnoses, removed ones too, newest
	// first. Staff with clinical access; a patient their own.
	FindDiagnoses(ctx context.Context, patientID string) ([]*Diagnosis, error)
	// MorbidityReport counts the coded diagnoses recorded in a period by
	// code, chapter, age band and sex: the clinic's for administrators, a
	// doctor's own for doctors.
	MorbidityReport(ctx context.Context, f MorbidityFilter) (*MorbidityReport, error)
}

// CanSearchCodes: the clinicians who record diagnoses and read them, and
// administrators (who import the lists), search the code lists.
func CanSearchCodes(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.CanAny(PermManageSettings, PermViewClinical) {
		return nil
	}
	return denied("You are not allowed to search the diagnosis codes.")
}

// CanImportCodes: administrators import a code list.
func CanImportCodes(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageSettings) {
		return nil
	}
	return denied("You are not allowed to import code lists: administrators do.")
}

// MorbidityFilter selects the diagnoses of a morbidity report: recorded
// in [From, To), not removed, coded. A doctor's report counts only the
// diagnoses they recorded.
type MorbidityFilter struct {
	From, To time.Time
}

// PatientAgeBands are the age bands of a morbidity report, by the patient's age
// when the diagnosis was recorded.
var PatientAgeBands = []string{"0-4", "5-14", "15-24", "25-44", "45-64", "65+", "unknown"}

// PatientAgeBand is the band of an age in years (-1: unknown).
func PatientAgeBand(age int) string {
	switch {
	case age < 0:
		return "unknown"
	case age < 5:
		return "0-4"
	case age < 15:
		return "5-14"
	case age < 25:
		return "15-24"
	case age < 45:
		return "25-44"
	case age < 65:
		return "45-64"
	}
	return "65+"
}

// MorbidityRow counts the diagnoses of one code in one age band and sex.
type MorbidityRow struct {
	System, Code, Title string
	Chapter             string // the ICD-10 chapter's number, "" outside ICD-10
	AgeBand             string
	Sex                 Sex
	Count               int
}

// MorbidityCount is a total by code or by chapter.
type MorbidityCount struct {
	Key, Title string // a code and its title, or a chapter's number and title
	Count      int
}

// MorbidityReport counts coded diagnoses by code, ICD chapter, age band
// and sex for a period.
type MorbidityReport struct {
	From, To  time.Time
	Doctor    string // the doctor whose diagnoses these are; "" for the clinic
	Rows      []MorbidityRow
	ByCode    []MorbidityCount // most frequent first
	ByChapter []MorbidityCount // most frequent first
	Total     int
}

// CanSeeMorbidity: administrators see the clinic's morbidity, doctors
// their own patients'.
func CanSeeMorbidity(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.CanAny(PermViewStatistics, PermViewOwnStats) && c.Role != RolePatient {
		return nil
	}
	return denied("You are not allowed to see the morbidity report.")
}

// MorbidityCSV writes a report's rows as CSV: code list, code, title,
// chapter, age band, sex, count; cells a spreadsheet would run as a
// formula are quoted as text.
func MorbidityCSV(r *MorbidityReport) []byte {
	var b strings.Builder
	b.WriteString("system,code,title,chapter,age_band,sex,count\n")
	cell := func(s string) string {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			s = "'" + s
		}
		if strings.ContainsAny(s, ",\"\n\r") {
			s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		return s
	}
	for _, row := range r.Rows {
		b.WriteString(strings.Join([]string{cell(row.System), cell(row.Code), cell(row.Title), cell(row.Chapter),
			cell(row.AgeBand), cell(string(row.Sex)), strconv.Itoa(row.Count)}, ",") + "\n")
	}
	return []byte(b.String())
}
