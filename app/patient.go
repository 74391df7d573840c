package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
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

// Patient is a person the clinic cares for.
type Patient struct {
	ID         string
	MRN        string // medical record number from the desk's series, e.g. P-D1-000123
	GivenName  string
	FamilyName string
	Sex        Sex
	BirthDate  string // YYYY-MM-DD
	Phone      string
	Email      string
	Address    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ArchivedAt time.Time // zero unless archived
}

// FullName is the name as shown on screens: given names then family name.
func (p *Patient) FullName() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// PatientCreate is what registering a patient needs.
type PatientCreate struct {
	GivenName  string
	FamilyName string
	Sex        Sex
	BirthDate  string
	Phone      string
	Email      string
	Address    string
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
	return nil
}

// PatientService gives access to patient records. The patient-records work
// extends it; the foundation needs a patient's own record.
type PatientService interface {
	// FindPatientByID returns a patient record: staff who may view patients
	// see any, a patient only their own.
	FindPatientByID(ctx context.Context, id string) (*Patient, error)
}
