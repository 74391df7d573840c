package data

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hms/app"
	"hms/app/i18n"
)

// SettingsService implements app.SettingsService.
type SettingsService struct {
	db *DB
}

var _ app.SettingsService = (*SettingsService)(nil)

// settingKeys are the keys of the settings table, in the order of app.Settings.
var settingKeys = []string{"clinic_name", "address", "phone", "tax_id", "logo", "currency", "time_zone", "auto_lock_minutes",
	"auto_logout_minutes", "cash_denominations", "display_names", "screen_language"}

// letterTemplateKeys are the settings of the letters' wording, which
// UpdateLetterTemplates writes and UpdateSettings leaves alone.
var letterTemplateKeys = []string{"sick_note_template", "referral_template"}

func settingsToMap(s app.Settings) map[string]string {
	return map[string]string{
		"clinic_name": s.ClinicName, "address": s.Address, "phone": s.Phone, "tax_id": s.TaxID,
		"logo": base64.StdEncoding.EncodeToString(s.Logo), "currency": s.Currency, "time_zone": s.TimeZone,
		"auto_lock_minutes": strconv.Itoa(s.AutoLockMinutes), "auto_logout_minutes": strconv.Itoa(s.AutoLogoutMinutes),
		"cash_denominations": formatMinorUnits(s.CashDenominations),
		"display_names":      strconv.FormatBool(s.DisplayNames),
		"screen_language":    string(s.ScreenLanguage),
		"sick_note_template": s.Letters.SickNote,
		"referral_template":  s.Letters.Referral,
	}
}

func settingsFromMap(m map[string]string) (*app.Settings, error) {
	s := &app.Settings{ClinicName: m["clinic_name"], Address: m["address"], Phone: m["phone"], TaxID: m["tax_id"],
		Currency: m["currency"], TimeZone: m["time_zone"], AutoLockMinutes: app.DefaultAutoLockMinutes,
		ScreenLanguage:    i18n.Lang(m["screen_language"]),
		AutoLogoutMinutes: app.DefaultAutoLogoutMinutes,
		Letters:           app.LetterTemplates{SickNote: m["sick_note_template"], Referral: m["referral_template"]}}
	if v := m["auto_logout_minutes"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("setting auto_logout_minutes: %w", err)
		}
		s.AutoLogoutMinutes = n
	}
	if v := m["auto_lock_minutes"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("setting auto_lock_minutes: %w", err)
		}
		s.AutoLockMinutes = n
	}
	if v := m["cash_denominations"]; v != "" {
		for _, f := range strings.Fields(v) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("setting cash_denominations: %w", err)
			}
			s.CashDenominations = append(s.CashDenominations, app.Money(n))
		}
	}
	if v := m["display_names"]; v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("setting display_names: %w", err)
		}
		s.DisplayNames = on
	}
	if v := m["logo"]; v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("setting logo: %w", err)
		}
		s.Logo = b
	}
	return s, nil
}

// formatMinorUnits keeps amounts in minor units, space separated.
func formatMinorUnits(ms []app.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.FormatInt(int64(m), 10)
	}
	return strings.Join(parts, " ")
}

func readSettings(ctx context.Context, q querier) (*app.Settings, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return settingsFromMap(m)
}

// NeedsSetup implements app.SettingsService.
func (s *SettingsService) NeedsSetup(ctx context.Context) (bool, error) {
	var admins, named int
	err := s.db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL),
		(SELECT count(*) FROM settings WHERE key = 'clinic_name' AND value <> '')`).Scan(&admins, &named)
	if err != nil {
		return false, internal("settings.needs_setup", err)
	}
	return admins == 0 || named == 0, nil
}

// Setup implements app.SettingsService.
func (s *SettingsService) Setup(ctx context.Context, c app.ClinicSetup) (*app.User, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// The administrator's password is hashed before the write transaction,
	// unless the clinic is plainly set up already (checked again inside).
	var cr *credentials
	if need, err := s.NeedsSetup(ctx); err != nil {
		return nil, err
	} else if need {
		if cr, err = s.db.newCredentials(newID(), c.AdminPassword); err != nil {
			return nil, internal("clinic.setup", err)
		}
	}
	var u *app.User
	err := s.db.write(ctx, "clinic.setup", func(tx *Tx) error {
		var admins int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL`).Scan(&admins); err != nil {
			return err
		}
		if admins > 0 {
			return app.Errorf(app.ECONFLICT, "This clinic is set up already: log in as an administrator to change its settings.")
		}
		var err error
		var own *app.SigningKey
		u, own, err = tx.insertUser(app.StaffRegistration{Username: c.AdminUsername, FullName: c.AdminFullName,
			Role: app.RoleAdmin, Password: c.AdminPassword}, app.StatusActive, false, "", cr)
		if err != nil {
			return err
		}
		// The clinic's first administrator signs the clinic into being,
		// and their key is this desk's trust root.
		if err := tx.saveSettings(c.Settings, settingKeys, own); err != nil {
			return err
		}
		if err := tx.signPower("users", u.ID, own); err != nil {
			return err
		}
		if err := tx.TrustKey(own.Public(), "first administrator "+u.Username); err != nil {
			return err
		}
		who := app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role}
		tx.AuditAs(who, "clinic.setup", "settings", "", app.OutcomeOK, "clinic "+c.Settings.ClinicName)
		tx.AuditAs(who, "user.create", "users", u.ID, app.OutcomeOK, "first administrator "+u.Username)
		return nil
	})
	return u, err
}

// saveSettings writes the settings of s named in changed, and signs them
// with signer (signing.go). Only those: a setting a newer version added and
// the clinic never set keeps its default without a row, as an unsigned row
// would be refused by the other desks.
func (tx *Tx) saveSettings(s app.Settings, changed []string, signer *app.SigningKey) error {
	m := settingsToMap(s)
	for _, k := range changed {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
			WHERE value <> excluded.value`, k, m[k], formatTime(tx.now)); err != nil {
			return fmt.Errorf("save setting %s: %w", k, err)
		}
	}
	for _, k := range changed {
		if err := tx.signPower("settings", k, signer); err != nil {
			return err
		}
	}
	return nil
}

// settingsChanged returns which of keys a save writes. cur is the desk's
// settings, form what the save was given. With shown (the settings as the
// form showed them), the keys the person changed from shown and that
// differ from the desk's: a setting left as shown keeps the desk's value,
// which a sync may have changed while the form was open (written back, the
// other desk's change was lost, with no review item anywhere: issue #21).
// Without shown (the command line), every key the form holds other than
// the desk's. Each value written is one the form's validation passed; the
// others are the desk's, which passed theirs (no rule ties two settings).
func settingsChanged(keys []string, cur, form, shown map[string]string) []string {
	var changed []string
	for _, k := range keys {
		if shown != nil && form[k] == shown[k] {
			continue
		}
		if form[k] != cur[k] {
			changed = append(changed, k)
		}
	}
	return changed
}

// settingsNotSeen takes out of the bases of the settings just written the
// readings of values the form had not shown (a sync brought them while it
// was open), as notSeen does for a record: each setting is a row of its
// own, its value the one field.
func (tx *Tx) settingsNotSeen(changed []string, cur, shown map[string]string) error {
	if shown == nil {
		return nil
	}
	for _, k := range changed {
		ch := []fieldChange{{field: "value", old: cur[k]}}
		if err := tx.notSeen("settings", k, ch, map[string]string{"value": shown[k]}); err != nil {
			return err
		}
	}
	return nil
}

// GetSettings implements app.SettingsService. The settings are not secret:
// the login window shows the clinic's name.
func (s *SettingsService) GetSettings(ctx context.Context) (*app.Settings, error) {
	st, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("settings.get", err)
	}
	return st, nil
}

// UpdateSettings implements app.SettingsService.
func (s *SettingsService) UpdateSettings(ctx context.Context, st app.Settings, was *app.Settings) (*app.Settings, error) {
	var out *app.Settings
	err := s.db.write(ctx, "settings.update", func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		if err := st.Validate(); err != nil {
			return err
		}
		old, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		var shown map[string]string
		if was != nil {
			shown = settingsToMap(*was)
		}
		changed := settingsChanged(settingKeys, settingsToMap(*old), settingsToMap(st), shown)
		if len(changed) == 0 {
			return app.Errorf(app.EINVALID, "Nothing changed.")
		}
		if err := tx.saveSettings(st, changed, tx.caller.Signer); err != nil {
			return err
		}
		if err := tx.settingsNotSeen(changed, settingsToMap(*old), shown); err != nil {
			return err
		}
		slices.Sort(changed)
		tx.Audit("settings.update", "settings", "", "", "changed "+strings.Join(changed, ", "))
		out, err = readSettings(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateLetterTemplates implements app.SettingsService (admin): the
// templates are clinic settings, signed like the others, so every desk of
// the clinic prints the same wording and refuses a change nobody trusted
// signed.
func (s *SettingsService) UpdateLetterTemplates(ctx context.Context, t app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error) {
	var out *app.Settings
	err := s.db.write(ctx, "settings.letter_templates", func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return err
		}
		old, err := readSettings(ctx, tx)
		if err != nil {
			return err
		}
		st := *old
		st.Letters = t
		var shown map[string]string
		if was != nil {
			w := *old
			w.Letters = *was
			shown = settingsToMap(w)
		}
		changed := settingsChanged(letterTemplateKeys, settingsToMap(*old), settingsToMap(st), shown)
		if len(changed) == 0 {
			return app.Errorf(app.EINVALID, "Nothing changed.")
		}
		if err := tx.saveSettings(st, changed, tx.caller.Signer); err != nil {
			return err
		}
		if err := tx.settingsNotSeen(changed, settingsToMap(*old), shown); err != nil {
			return err
		}
		tx.Audit("settings.letter_templates", "settings", "", "", "changed "+strings.Join(changed, ", "))
		out, err = readSettings(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
