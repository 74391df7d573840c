package app

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// UserStatus is where an account stands.
type UserStatus string

// Account statuses.
const (
	StatusPending     UserStatus = "pending"     // registered, waiting for an admin's approval
	StatusActive      UserStatus = "active"      // may log in
	StatusDeactivated UserStatus = "deactivated" // may no longer log in; kept for the record
)

// User is an account: a member of staff or a patient.
type User struct {
	ID                 string
	Username           string
	FullName           string
	Email              string
	Phone              string
	Role               Role
	Status             UserStatus
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time // zero when not locked
	LastLoginAt        time.Time
	PatientID          string // for patients: their own patient record
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// SessionGen moves on when the account's role or status changes or an
	// administrator sets its password: sessions opened before then end.
	SessionGen int64
	// Language is the language the account's screens speak; empty for
	// the clinic's default (Settings.ScreenLanguage).
	Language i18n.Lang
}

// Locked reports whether the account is locked at time now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Session is what a successful login returns.
type Session struct {
	User *User
	// MustChangePassword is true when an admin reset the password: the UI
	// asks for a new one before anything else.
	MustChangePassword bool
	// Signer is the account's signing key, unsealed with the password at
	// the login (nil for an account that has none).
	Signer *SigningKey
}

// Caller returns the caller that represents this session in service calls.
func (s *Session) Caller() Caller {
	return Caller{UserID: s.User.ID, Username: s.User.Username, Role: s.User.Role, PatientID: s.User.PatientID,
		SessionGen: s.User.SessionGen, Signer: s.Signer}
}

// Security parameters of DESIGN.md.
const (
	MaxFailedLogins   = 5
	LockoutDuration   = 15 * time.Minute
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// NormalizeUsername lower-cases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUsername checks a (normalized) username.
func ValidateUsername(s string) error {
	if s == "" {
		return FieldErrorf("username", "Enter a username.")
	}
	if !usernameRE.MatchString(s) {
		return FieldErrorf("username", "A username is 3 to 32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit.")
	}
	return nil
}

// ValidateFullName checks a person's name as shown on screens and receipts.
func ValidateFullName(field, s string) error {
	if err := CheckLine(field, i18n.N("The name"), s); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return FieldErrorf(field, "Enter the name.")
	}
	if utf8.RuneCountInString(s) > 200 {
		return FieldErrorf(field, "The name is too long (at most 200 characters).")
	}
	return nil
}

// ValidateEmail checks an optional e-mail address.
func ValidateEmail(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return FieldErrorf("email", "%q is not an e-mail address.", s)
	}
	return nil
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]{4,24}$`)

// NormalizePhone trims a phone number as typed.
func NormalizePhone(s string) string { return strings.Join(strings.Fields(s), " ") }

// ValidatePhone checks an optional phone number: digits, spaces and the usual
// punctuation, at least five digits.
func ValidatePhone(s string) error {
	if s == "" {
		return nil
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if !phoneRE.MatchString(s) || digits < 5 || digits > 15 {
		return FieldErrorf("phone", "%q is not a phone number: use digits, spaces, and an optional leading +.", s)
	}
	return nil
}

// StaffRegistration is what a member of staff fills in to ask for an account.
type StaffRegistration struct {
	Username string
	FullName string
	Email    string
	Phone    string
	Role     Role
	Password string
}

// Validate checks the registration and normalizes its fields.
func (r *StaffRegistration) Validate() error {
	if err := checkLines(map[string]string{"full_name": r.FullName, "email": r.Email, "phone": r.Phone}); err != nil {
		return err
	}
	r.Username = NormalizeUsername(r.Username)
	r.FullName = strings.TrimSpace(r.FullName)
	r.Email = strings.TrimSpace(r.Email)
	r.Phone = NormalizePhone(r.Phone)
	if err := ValidateUsername(r.Username); err != nil {
		return err
	}
	if err := ValidateFullName("full_name", r.FullName); err != nil {
		return err
	}
	if err := ValidateEmail(r.Email); err != nil {
		return err
	}
	if err := ValidatePhone(r.Phone); err != nil {
		return err
	}
	if !r.Role.Valid() {
		return FieldErrorf("role", "Choose a role.")
	}
	return ValidatePassword(r.Password, r.Username, r.FullName)
}

// UserCreate is what an admin fills in to create an account directly.
type UserCreate = StaffRegistration

// PatientRegistration is what a patient fills in at the login window to get
// an account and a patient record of their own.
type PatientRegistration struct {
	Username   string
	GivenName  string
	FamilyName string
	Sex        Sex
	BirthDate  string // YYYY-MM-DD
	Phone      string
	Email      string
	Password   string
}

// Validate checks the registration and normalizes its fields.
func (r *PatientRegistration) Validate(today time.Time) error {
	r.Username = NormalizeUsername(r.Username)
	if err := ValidateUsername(r.Username); err != nil {
		return err
	}
	p := PatientCreate{GivenName: r.GivenName, FamilyName: r.FamilyName, Sex: r.Sex, BirthDate: r.BirthDate, Phone: r.Phone, Email: r.Email}
	if err := p.Validate(today); err != nil {
		return err
	}
	r.GivenName, r.FamilyName, r.Phone, r.Email = p.GivenName, p.FamilyName, p.Phone, p.Email
	return ValidatePassword(r.Password, r.Username, r.GivenName, r.FamilyName, r.GivenName+r.FamilyName)
}

// UserFilter selects users for FindUsers. Zero fields match everything.
type UserFilter struct {
	Role   Role
	Status UserStatus
	Query  string // part of the username or the full name
	Limit  int    // at most this many (default 200)
}

// UserService manages accounts and logins.
type UserService interface {
	// Login checks a username and password. Wrong user and wrong password
	// give the same message; five failures lock the account.
	Login(ctx context.Context, username, password string) (*Session, error)
	// CheckPassword verifies the caller's own password, to unlock a locked
	// screen. Failures count toward the lockout like a login's.
	CheckPassword(ctx context.Context, password string) error
	// RegisterStaff creates a pending staff account; an admin approves it.
	RegisterStaff(ctx context.Context, r StaffRegistration) (*User, error)
	// RegisterPatient creates an active patient account and its patient record.
	RegisterPatient(ctx context.Context, r PatientRegistration) (*User, error)
	// CreateUser creates an active account (admin).
	CreateUser(ctx context.Context, u UserCreate) (*User, error)
	// FindUserByID returns one account (admin, or the caller's own).
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUserByUsername returns one account (admin).
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindUsers lists accounts (admin).
	FindUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// ApproveUser activates a pending account (admin).
	ApproveUser(ctx context.Context, id string) (*User, error)
	// ChangeRole gives an account another role (admin). was is the
	// account as the screen that changes it showed it (nil: as the desk
	// holds it when the change is made), as PatientUpdate.Was: a role a
	// sync changed since it was shown is overwritten without having been
	// seen, and kept for review on every desk. Another account counts as
	// nil.
	ChangeRole(ctx context.Context, id string, role Role, was *User) (*User, error)
	// DeactivateUser stops an account from logging in (admin). was is as
	// for ChangeRole, for the account's status (an approval a sync
	// brought since the account was shown).
	DeactivateUser(ctx context.Context, id string, was *User) (*User, error)
	// UnlockUser clears a lockout (admin).
	UnlockUser(ctx context.Context, id string) (*User, error)
	// ResetPassword sets a new password the user must change at next login (admin).
	ResetPassword(ctx context.Context, id, newPassword string) (*User, error)
	// ChangePassword changes the caller's own password.
	ChangePassword(ctx context.Context, oldPassword, newPassword string) error
	// SetLanguage sets the language an account's screens speak: a user
	// their own, an administrator anyone's. An empty language is the
	// clinic's default. was is as for ChangeRole, for the language.
	SetLanguage(ctx context.Context, id string, language string, was *User) (*User, error)
}

// ScreenLanguage is the language u's screens speak: u's own, else the
// clinic's default, else English.
func ScreenLanguage(u *User, s *Settings) i18n.Lang {
	if u != nil && u.Language.Valid() {
		return u.Language
	}
	if s != nil && s.ScreenLanguage.Valid() {
		return s.ScreenLanguage
	}
	return i18n.English
}
