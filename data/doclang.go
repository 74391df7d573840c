package data

import (
	"context"
	"database/sql"
	"errors"

	"hms/app"
	"hms/app/i18n"
)

// The language a document is printed in. A document for a patient
// (receipt, invoice, statement, prescription, letter, label) is in the
// patient's language, else the clinic's message language; a staff report
// (cash-up, billing reports, dashboard) is in its reader's language.

// clinicLang is the clinic's message language (Settings → Messages),
// English when none is set or it is not one HMS speaks.
func clinicLang(ctx context.Context, q rowQuerier) (i18n.Lang, error) {
	var code sql.NullString
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT json_extract(value, '$.language') FROM settings WHERE key = ?),
		(SELECT json_extract(settings, '$.language') FROM message_settings WHERE id = 1))`, messageSettingsKey).Scan(&code)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return i18n.English, err
	}
	l, perr := i18n.Parse(code.String)
	if perr != nil {
		return i18n.English, nil
	}
	return l, nil
}

// patientLang is the language of documents for the patient: theirs, else
// the clinic's message language.
func patientLang(ctx context.Context, q rowQuerier, patientID string) (i18n.Lang, error) {
	var code sql.NullString
	err := q.QueryRowContext(ctx, `SELECT language FROM patients WHERE id = ?`, patientID).Scan(&code)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return i18n.English, err
	}
	if l, perr := i18n.Parse(code.String); perr == nil {
		return l, nil
	}
	return clinicLang(ctx, q)
}

// readerLang is the language of a staff report for its reader r: the
// reader's own screen language, else the clinic's screen language
// (Settings → Clinic), else English.
func readerLang(ctx context.Context, q rowQuerier, r app.Caller) (i18n.Lang, error) {
	var user, clinic sql.NullString
	err := q.QueryRowContext(ctx, `SELECT (SELECT language FROM users WHERE id = ?),
		(SELECT value FROM settings WHERE key = 'screen_language')`, r.UserID).Scan(&user, &clinic)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return i18n.English, err
	}
	for _, code := range []string{user.String, clinic.String} {
		if l, perr := i18n.Parse(code); perr == nil {
			return l, nil
		}
	}
	return i18n.English, nil
}
