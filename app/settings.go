package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// Settings are the clinic's settings, kept in the database.
type Settings struct {
	ClinicName      string
	Address         string
	Phone           string
	TaxID           string
	Logo            []byte // PNG or JPEG, at most MaxLogoBytes
	Currency        string // ISO 4217 code, e.g. EUR
	TimeZone        string // IANA name, e.g. Europe/Athens
	AutoLockMinutes int    // idle minutes before the screen locks
	// AutoLogoutMinutes is how long the lock may last before the session
	// ends, its unsaved text kept as drafts for its user.
	AutoLogoutMinutes int
	// CashDenominations are the notes and coins the cash-up counts, in
	// minor units, largest first; none means the currency's defaults
	// (DefaultDenominations).
	CashDenominations []Money
	// DisplayNames shows patients' names beside their tokens on the
	// waiting-room display; off, it shows tokens and rooms only.
	DisplayNames bool
	// Letters are the wording of the medical certificate and the referral
	// letter; UpdateLetterTemplates changes them, UpdateSettings keeps them.
	Letters LetterTemplates
	// ScreenLanguage is the language of the screens of a user who has
	// chosen none; empty is English.
	ScreenLanguage i18n.Lang
}

// MaxLogoBytes bounds the logo kept in settings.
const MaxLogoBytes = 1 << 20

// DefaultAutoLockMinutes is DESIGN.md's idle time before the screen locks.
const DefaultAutoLockMinutes = 10

// DefaultAutoLogoutMinutes is how long the lock lasts before the session
// ends, unless the clinic sets another time.
const DefaultAutoLogoutMinutes = 60

// Location returns the clinic's time zone, or UTC when it is not set.
func (s *Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// Currencies are the ISO 4217 codes the settings accept, with their minor
// unit digits. Money is always an integer count of minor units.
var Currencies = map[string]int{
	"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2,
	"RON": 2, "BGN": 2, "RSD": 2, "UAH": 2, "TRY": 2, "INR": 2, "PKR": 2, "BDT": 2, "LKR": 2, "NPR": 2,
	"KES": 2, "UGX": 0, "TZS": 2, "NGN": 2, "GHS": 2, "ZAR": 2, "EGP": 2, "MAD": 2, "ETB": 2, "RWF": 0,
	"BRL": 2, "MXN": 2, "ARS": 2, "CLP": 0, "COP": 2, "PEN": 2, "CAD": 2, "AUD": 2, "NZD": 2, "JPY": 0,
	"CNY": 2, "KRW": 0, "IDR": 2, "PHP": 2, "VND": 0, "THB": 2, "MYR": 2, "SGD": 2, "AED": 2, "SAR": 2,
	"JOD": 3, "KWD": 3, "BHD": 3, "OMR": 3, "TND": 3, "ILS": 2, "RUB": 2, "KZT": 2, "GEL": 2, "AMD": 2,
}

// Validate checks the settings and normalizes their fields.
func (s *Settings) Validate() error {
	if err := checkLines(map[string]string{"clinic_name": s.ClinicName}); err != nil {
		return err
	}
	s.ClinicName = strings.TrimSpace(s.ClinicName)
	s.Address = strings.TrimSpace(s.Address)
	s.Phone = NormalizePhone(s.Phone)
	s.TaxID = strings.TrimSpace(s.TaxID)
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	switch {
	case s.ClinicName == "":
		return FieldErrorf("clinic_name", "Enter the clinic's name.")
	case utf8.RuneCountInString(s.ClinicName) > 200:
		return FieldErrorf("clinic_name", "The clinic's name is too long (at most 200 characters).")
	case utf8.RuneCountInString(s.Address) > 500:
		return FieldErrorf("address", "The address is too long (at most 500 characters).")
	case utf8.RuneCountInString(s.TaxID) > 50:
		return FieldErrorf("tax_id", "The tax id is too long (at most 50 characters).")
	}
	if err := ValidatePhone(s.Phone); err != nil {
		return err
	}
	if _, ok := Currencies[s.Currency]; !ok {
		return FieldErrorf("currency", "%q is not a currency this clinic can use: give its three-letter code, e.g. EUR or USD.", s.Currency)
	}
	if s.TimeZone == "" {
		return FieldErrorf("time_zone", "Choose the clinic's time zone, e.g. Europe/Athens.")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
		return FieldErrorf("time_zone", "%q is not a time zone: use a name such as Europe/Athens or Africa/Nairobi.", s.TimeZone)
	}
	if s.AutoLockMinutes < 1 || s.AutoLockMinutes > 240 {
		return FieldErrorf("auto_lock_minutes", "The screen must lock after 1 to 240 idle minutes.")
	}
	if s.AutoLogoutMinutes == 0 {
		s.AutoLogoutMinutes = DefaultAutoLogoutMinutes
	}
	if s.AutoLogoutMinutes < 1 || s.AutoLogoutMinutes > 1440 {
		return FieldErrorf("auto_logout_minutes", "A locked session must end after 1 to 1440 minutes.")
	}
	for _, d := range s.CashDenominations {
		if d <= 0 || d > MaxMoney {
			return FieldErrorf("cash_denominations", "A denomination is more than zero.")
		}
	}
	if s.ScreenLanguage != "" {
		l, err := i18n.Parse(string(s.ScreenLanguage))
		if err != nil {
			return FieldErrorf("screen_language", "Choose a language the screens speak.")
		}
		s.ScreenLanguage = l
	}
	if len(s.Logo) > MaxLogoBytes {
		return FieldErrorf("logo", "The logo is too large (at most 1 MB).")
	}
	if len(s.Logo) > 0 && !isPNG(s.Logo) && !isJPEG(s.Logo) {
		return FieldErrorf("logo", "The logo must be a PNG or JPEG image.")
	}
	return nil
}

func isPNG(b []byte) bool  { return len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n" }
func isJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

// ClinicSetup is what the first run asks for: the clinic and its first admin.
type ClinicSetup struct {
	Settings      Settings
	AdminUsername string
	AdminFullName string
	AdminPassword string
}

// Validate checks the setup and normalizes its fields.
func (c *ClinicSetup) Validate() error {
	if c.Settings.AutoLockMinutes == 0 {
		c.Settings.AutoLockMinutes = DefaultAutoLockMinutes
	}
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	r := StaffRegistration{Username: c.AdminUsername, FullName: c.AdminFullName, Role: RoleAdmin, Password: c.AdminPassword}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := ValidatePassword(r.Password, r.Username, r.FullName, c.Settings.ClinicName); err != nil {
		return err
	}
	c.AdminUsername, c.AdminFullName = r.Username, r.FullName
	return nil
}

// SettingsService reads and changes the clinic's settings and runs the
// first-run setup.
type SettingsService interface {
	// NeedsSetup reports whether the database has no clinic and admin yet.
	NeedsSetup(ctx context.Context) (bool, error)
	// Setup creates the clinic's settings and the first admin; it is refused
	// once done.
	Setup(ctx context.Context, c ClinicSetup) (*User, error)
	// GetSettings returns the settings (any logged-in user).
	GetSettings(ctx context.Context) (*Settings, error)
	// UpdateSettings replaces the settings (admin), all but the letter
	// templates, which it keeps. was is the settings as the form showed
	// them: then only the settings the administrator changed from was are
	// written, the others keep the desk's values (a sync may have brought
	// another desk's change while the form was open), and a setting changed
	// both here and elsewhere is overwritten knowingly: the other value is
	// kept for review on every desk (docs/SYNC-DESIGN.md, "What an edit
	// saw"). nil (the command line): every setting is written as given.
	UpdateSettings(ctx context.Context, s Settings, was *Settings) (*Settings, error)
	// UpdateLetterTemplates replaces the wording of the medical certificate
	// and the referral letter (admin); an empty template is the default.
	// was is the wording as the form showed it, as for UpdateSettings.
	UpdateLetterTemplates(ctx context.Context, t LetterTemplates, was *LetterTemplates) (*Settings, error)
}
