package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// Sex as recorded in a patient's record.
type Sex string

// Recorded values of Sex.
const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
	SexUnknown Sex = "unknown"
)

// Sexes lists the values of Sex in the order forms show them.
var Sexes = []Sex{SexFemale, SexMale, SexOther, SexUnknown}

// Label names s for people, a key of the catalogues: a sex's "Other"
// and "Unknown" have a context of their own ("sex\x04Unknown"), since
// Greek and Spanish give them another form than a severity's "Unknown".
// An unknown value is its code.
func (s Sex) Label() string {
	switch s {
	case SexFemale:
		return i18n.N("Female")
	case SexMale:
		return i18n.N("Male")
	case SexOther:
		return i18n.N("sex\x04Other")
	case SexUnknown:
		return i18n.N("sex\x04Unknown")
	}
	return string(s)
}

// Valid reports whether s is a known value.
func (s Sex) Valid() bool {
	for _, v := range Sexes {
		if s == v {
			return true
		}
	}
	return false
}

// DateLayout is how dates without a time are written: 2026-11-25.
const DateLayout = "2006-01-02"

// BloodGroup as recorded; "" when not known.
type BloodGroup string

// BloodGroups lists the recordable blood groups; "" means not known.
var BloodGroups = []BloodGroup{"", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}

// Valid reports whether b is "" or a known group.
func (b BloodGroup) Valid() bool {
	for _, v := range BloodGroups {
		if b == v {
			return true
		}
	}
	return false
}

// Patient is a person the clinic cares for.
type Patient struct {
	ID               string
	MRN              string // medical record number from the desk's series, e.g. P-D1-000123
	GivenName        string
	FamilyName       string
	Sex              Sex
	BirthDate        string // YYYY-MM-DD
	Phone            string
	Email            string
	Address          string
	NationalID       string // national or insurance id, optional
	EmergencyContact string // name of the person to call
	EmergencyPhone   string
	BloodGroup       BloodGroup
	Notes            string // administrative notes, not clinical ones
	// Language is the language messages and documents for the patient are
	// written in (an i18n code); "" is the clinic's message language.
	Language       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastActivityAt time.Time // the newest thing that happened to the patient
	ArchivedAt     time.Time // zero unless archived
	ArchiveReason  string
	// MergedInto is the id of the record this one was merged into (the
	// same patient, registered twice); "" for every other record.
	MergedInto string
	// MergedFrom are the records merged into this one.
	MergedFrom []PatientRef
}

// PatientRef names a patient's record.
type PatientRef struct {
	ID, MRN, Name string
}

// FullName is the name as shown on screens: given names then family name.
func (p *Patient) FullName() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// Archived reports whether an admin archived the record.
func (p *Patient) Archived() bool { return !p.ArchivedAt.IsZero() }

// PatientCreate is what registering a patient needs.
type PatientCreate struct {
	GivenName        string
	FamilyName       string
	Sex              Sex
	BirthDate        string
	Phone            string
	Email            string
	Address          string
	NationalID       string
	EmergencyContact string
	EmergencyPhone   string
	BloodGroup       BloodGroup
	Notes            string
	Language         string // "" is the clinic's message language
}

// ValidatePatientLanguage checks and normalizes a patient's language: ""
// (the clinic's) or a language HMS speaks ("el", "el-GR" become "el").
func ValidatePatientLanguage(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	l, err := i18n.Parse(s)
	if err != nil {
		return "", FieldErrorf("language", "Choose a language HMS speaks, or none for the clinic's.")
	}
	return string(l), nil
}

// ValidateBirthDate checks a YYYY-MM-DD birth date: a real day, not in the
// future, not more than 130 years ago.
func ValidateBirthDate(s string, today time.Time) error {
	if s == "" {
		return FieldErrorf("birth_date", "Enter the date of birth (YYYY-MM-DD).")
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return FieldErrorf("birth_date", "%q is not a date: write it as YYYY-MM-DD, e.g. 1984-03-07.", s)
	}
	if d.After(today) {
		return FieldErrorf("birth_date", "The date of birth is in the future.")
	}
	if d.Before(today.AddDate(-130, 0, 0)) {
		return FieldErrorf("birth_date", "The date of birth is more than 130 years ago.")
	}
	return nil
}

// Validate checks the record and normalizes its fields.
func (p *PatientCreate) Validate(today time.Time) error {
	// Checked as typed, before spaces are tidied: a tab or a line break
	// pasted into a name is refused too, not silently turned into a space.
	if err := checkLines(map[string]string{"given_name": p.GivenName, "family_name": p.FamilyName, "phone": p.Phone,
		"email": p.Email, "national_id": p.NationalID, "emergency_contact": p.EmergencyContact,
		"emergency_phone": p.EmergencyPhone}); err != nil {
		return err
	}
	if err := CheckMultiline("address", i18n.N("The address"), p.Address); err != nil {
		return err
	}
	if err := CheckMultiline("notes", i18n.N("The notes"), p.Notes); err != nil {
		return err
	}
	p.GivenName = strings.Join(strings.Fields(p.GivenName), " ")
	p.FamilyName = strings.Join(strings.Fields(p.FamilyName), " ")
	p.Phone = NormalizePhone(p.Phone)
	p.Email = strings.TrimSpace(p.Email)
	p.Address = strings.TrimSpace(p.Address)
	if err := ValidateFullName("given_name", p.GivenName); err != nil {
		return err
	}
	if err := ValidateFullName("family_name", p.FamilyName); err != nil {
		return err
	}
	if p.Sex == "" {
		return FieldErrorf("sex", "Choose the sex.")
	}
	if !p.Sex.Valid() {
		return FieldErrorf("sex", "Unknown sex %q.", p.Sex)
	}
	if err := ValidateBirthDate(p.BirthDate, today); err != nil {
		return err
	}
	if err := ValidatePhone(p.Phone); err != nil {
		return err
	}
	if err := ValidateEmail(p.Email); err != nil {
		return err
	}
	if utf8.RuneCountInString(p.Address) > 500 {
		return FieldErrorf("address", "The address is too long (at most 500 characters).")
	}
	p.NationalID = strings.TrimSpace(p.NationalID)
	p.EmergencyContact = strings.Join(strings.Fields(p.EmergencyContact), " ")
	p.EmergencyPhone = NormalizePhone(p.EmergencyPhone)
	p.Notes = strings.TrimSpace(p.Notes)
	if utf8.RuneCountInString(p.NationalID) > 50 {
		return FieldErrorf("national_id", "The national or insurance id is too long (at most 50 characters).")
	}
	if utf8.RuneCountInString(p.EmergencyContact) > 200 {
		return FieldErrorf("emergency_contact", "The emergency contact is too long (at most 200 characters).")
	}
	if err := ValidatePhone(p.EmergencyPhone); err != nil {
		return AsError(err, "emergency_phone")
	}
	if !p.BloodGroup.Valid() {
		return FieldErrorf("blood_group", "Unknown blood group %q: use A+, A-, B+, B-, AB+, AB-, O+ or O-.", p.BloodGroup)
	}
	if utf8.RuneCountInString(p.Notes) > 4000 {
		return FieldErrorf("notes", "The notes are too long (at most 4000 characters).")
	}
	lang, err := ValidatePatientLanguage(p.Language)
	if err != nil {
		return err
	}
	p.Language = lang
	return nil
}

// PatientUpdate changes a patient's record; nil fields stay as they are.
type PatientUpdate struct {
	GivenName        *string
	FamilyName       *string
	Sex              *Sex
	BirthDate        *string
	Phone            *string
	Email            *string
	Address          *string
	NationalID       *string
	EmergencyContact *string
	EmergencyPhone   *string
	BloodGroup       *BloodGroup
	Notes            *string
	Language         *string // "" the clinic's message language
	// Was is the record as the person making the change saw it (the
	// form's copy); nil: as the desk holds it when the change is made. A
	// field the change sets whose value changed since it was seen (a sync
	// brought another desk's edit while the form was open) is overwritten
	// without having been seen: that value is kept for review on every
	// desk (docs/SYNC-DESIGN.md, "What an edit saw").
	Was *Patient
}

// Apply returns the record p would become, as a PatientCreate to validate.
func (u PatientUpdate) Apply(p *Patient) PatientCreate {
	c := PatientCreate{GivenName: p.GivenName, FamilyName: p.FamilyName, Sex: p.Sex, BirthDate: p.BirthDate,
		Phone: p.Phone, Email: p.Email, Address: p.Address, NationalID: p.NationalID,
		EmergencyContact: p.EmergencyContact, EmergencyPhone: p.EmergencyPhone, BloodGroup: p.BloodGroup, Notes: p.Notes,
		Language: p.Language}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.GivenName, u.GivenName)
	set(&c.FamilyName, u.FamilyName)
	set(&c.BirthDate, u.BirthDate)
	set(&c.Phone, u.Phone)
	set(&c.Email, u.Email)
	set(&c.Address, u.Address)
	set(&c.NationalID, u.NationalID)
	set(&c.EmergencyContact, u.EmergencyContact)
	set(&c.EmergencyPhone, u.EmergencyPhone)
	set(&c.Notes, u.Notes)
	set(&c.Language, u.Language)
	if u.Sex != nil {
		c.Sex = *u.Sex
	}
	if u.BloodGroup != nil {
		c.BloodGroup = *u.BloodGroup
	}
	return c
}

// ContactUpdate is what a patient may change in their own record.
type ContactUpdate struct {
	Phone            *string
	Email            *string
	Address          *string
	EmergencyContact *string
	EmergencyPhone   *string
	Language         *string // the language of their messages and documents
	// Was is their record as the form showed it, as PatientUpdate.Was:
	// nil, as the desk holds it when the change is made. A record other
	// than their own counts as nil.
	Was *Patient
}

// PatientFilter selects patients for FindPatients.
type PatientFilter struct {
	// Query is what was typed in the search box: words of the name (any
	// order, accents ignored, each a prefix), a record number (P-D1-000123
	// or its digits), or a fragment of a phone number (3 or more digits).
	// Empty lists everyone, newest activity first.
	Query string
	// IncludeArchived also lists archived records (admins only).
	IncludeArchived bool
	// Cursor continues a previous page: PatientPage.Next.
	Cursor string
	// Limit is the page size (default 50, at most 500).
	Limit int
}

// PatientPage is one page of search results, newest activity first.
type PatientPage struct {
	Patients []*Patient
	Next     string // cursor of the next page; "" when this is the last
}

// Duplicate is an existing patient who looks like one being registered.
type Duplicate struct {
	Patient *Patient
	Reason  string // e.g. "same name and date of birth", "same phone number"
}

// PatientChange is one field of one change to a patient's record: who
// changed what, from what, to what.
type PatientChange struct {
	At       time.Time
	UserID   string
	Username string
	Field    string
	Old, New string
}

// ImportRow is one row of a patient import, with the line of the file it
// came from.
type ImportRow struct {
	Line    int
	Patient PatientCreate
}

// RowError is what is wrong with one line of an import file. Message is
// English as its String says it (the command line); a screen shows it in
// its own language (i18n.Tr.Text).
type RowError struct {
	Line    int
	Field   string
	Message i18n.Text
}

// ImportResult is what an import did.
type ImportResult struct {
	Imported   int
	Duplicates []ImportDuplicate // rows that look like existing patients (or each other)
}

// ImportDuplicate flags one imported row that looks like another patient.
type ImportDuplicate struct {
	Line   int
	MRN    string // the number the row was given
	Reason string // e.g. "same name and date of birth as P-D1-000042"
}

// PatientService gives access to patients' demographic records.
type PatientService interface {
	// CreatePatient registers a patient with the next record number.
	CreatePatient(ctx context.Context, c PatientCreate) (*Patient, error)
	// FindDuplicates lists existing patients with the same name and birth
	// date, or the same phone number, as c.
	FindDuplicates(ctx context.Context, c PatientCreate) ([]*Duplicate, error)
	// FindPatientByID returns a patient record: staff who may view patients
	// see any, a patient only their own. The read is audited.
	FindPatientByID(ctx context.Context, id string) (*Patient, error)
	// FindPatients searches, newest activity first, a page at a time.
	FindPatients(ctx context.Context, f PatientFilter) (*PatientPage, error)
	// UpdatePatient changes a record; each changed field is kept in its history.
	UpdatePatient(ctx context.Context, id string, u PatientUpdate) (*Patient, error)
	// UpdateOwnContact lets a patient change their own contact details.
	UpdateOwnContact(ctx context.Context, u ContactUpdate) (*Patient, error)
	// FindPatientChanges lists the changes to a record, newest first.
	FindPatientChanges(ctx context.Context, id string) ([]*PatientChange, error)
	// ArchivePatient hides a record from lists, with a reason (admin).
	ArchivePatient(ctx context.Context, id, reason string) (*Patient, error)
	// RestorePatient brings an archived record back (admin).
	RestorePatient(ctx context.Context, id string) (*Patient, error)
	// PurgePatient deletes for good a record created in error that has no
	// clinical or billing data; confirmMRN must be its record number (admin).
	PurgePatient(ctx context.Context, id, confirmMRN string) error
	// ImportPatients registers all rows in one transaction, or none when
	// any row is invalid (the error lists them as RowErrors).
	ImportPatients(ctx context.Context, rows []ImportRow) (*ImportResult, error)
	// ExportPatients writes every (not archived) patient as CSV to w and
	// returns how many.
	ExportPatients(ctx context.Context, w io.Writer) (int, error)
}

// ImportError is the error of an import refused for bad rows: every bad row
// with its line and reason.
type ImportError struct {
	Rows []RowError
}

// Error implements error.
func (e *ImportError) Error() string {
	return fmt.Sprintf("import refused: %d bad rows", len(e.Rows))
}

// Unwrap makes an ImportError an EINVALID application error.
func (e *ImportError) Unwrap() error {
	return Errorf(EINVALID, "Nothing was imported: %d rows have problems; fix them and import again.", len(e.Rows))
}
