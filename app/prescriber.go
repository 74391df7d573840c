package app

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Prescriber is a doctor as prescriptions name them: with the
// registration number of the medical board, printed on each prescription.
type Prescriber struct {
	DoctorID           string
	Name               string
	RegistrationNumber string    // "" when none is recorded
	RecordedAt         time.Time // when the number in force was recorded
	RecordedBy         string
}

// ValidateRegistrationNumber trims a registration number and checks it:
// 1 to 40 letters, digits, spaces and - . / characters.
func ValidateRegistrationNumber(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", FieldErrorf("registration_number", "Write the registration number.")
	}
	if utf8.RuneCountInString(s) > 40 {
		return "", FieldErrorf("registration_number", "The registration number is too long (at most 40 characters).")
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -./", r)) {
			return "", FieldErrorf("registration_number", "A registration number has letters, digits, spaces and - . / only.")
		}
	}
	return s, nil
}

// CanSetRegistrationNumber: administrators record any doctor's number; a
// doctor records their own.
func CanSetRegistrationNumber(c Caller, doctorID string) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageStaff) || (c.UserID == doctorID && c.Can(PermWriteClinical)) {
		return nil
	}
	return denied("You are not allowed to record this doctor's registration number: the doctor or an administrator does.")
}

// CanSeePrescriber: staff who read prescriptions or manage accounts see a
// doctor's registration number.
func CanSeePrescriber(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.CanAny(PermManageStaff, PermViewClinical) && c.Role != RolePatient {
		return nil
	}
	return denied("You are not allowed to see doctors' registration numbers.")
}
