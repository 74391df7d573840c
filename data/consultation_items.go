package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/app"
)

// consultationItem is the price-list item a doctor's consultations are
// billed with as of now: the item linked to the doctor's profile
// (doctor_consultation_items, newest row), else the clinic's default (the
// price list's consultation of the doctor, else of their specialization,
// else the general one). linked says the item came from the profile's
// link. nil when there is none. A linked item that is retired or gone is
// an error: billing must not fall back to another fee silently.
func consultationItem(ctx context.Context, q rowQuerier, doctorID string, now time.Time) (item *app.PriceItem, linked bool, err error) {
	var code string
	err = q.QueryRowContext(ctx, `SELECT price_code FROM doctor_consultation_items WHERE user_id = ? AND deleted_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT 1`, doctorID).Scan(&code)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	if code != "" {
		cur, err := currentPrice(ctx, q, code, now)
		if err != nil {
			return nil, true, err
		}
		if cur == nil || !cur.Active || cur.Kind != app.PriceConsultation {
			return nil, true, app.Errorf(app.ECONFLICT, "The consultation item %s on the doctor's profile is no longer a current "+
				"consultation of the price list: an administrator chooses another on the profile.", code)
		}
		return cur, true, nil
	}
	var spec string
	err = q.QueryRowContext(ctx, `SELECT specialization FROM doctor_profiles WHERE user_id = ? AND deleted_at IS NULL`,
		doctorID).Scan(&spec)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	ts := formatTime(now)
	for _, c := range []struct {
		where string
		args  []any
	}{
		{`doctor_id = ?`, []any{ts, doctorID}},
		{`doctor_id IS NULL AND specialization = ? AND specialization <> ''`, []any{ts, spec}},
		{`doctor_id IS NULL AND specialization = ''`, []any{ts}},
	} {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT code FROM price_items WHERE kind = 'consultation' AND valid_from <= ? AND `+
			c.where+` ORDER BY code`, c.args...)
		if err != nil {
			return nil, false, err
		}
		var codes []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, false, err
			}
			codes = append(codes, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
		for _, code := range codes {
			cur, err := currentPrice(ctx, q, code, now)
			if err != nil {
				return nil, false, err
			}
			if cur != nil && cur.Active {
				return cur, false, nil
			}
		}
	}
	return nil, false, nil
}

// fillConsultation sets a profile's consultation item and fee from the
// price list.
func fillConsultation(ctx context.Context, q rowQuerier, p *app.DoctorProfile, now time.Time) error {
	item, linked, err := consultationItem(ctx, q, p.UserID, now)
	var ae *app.Error
	if errors.As(err, &ae) && linked {
		// A retired link shows on the profile as such; billing refuses.
		var code string
		_ = q.QueryRowContext(ctx, `SELECT price_code FROM doctor_consultation_items WHERE user_id = ?
			ORDER BY created_at DESC, id DESC LIMIT 1`, p.UserID).Scan(&code)
		p.ConsultationCode, p.ConsultationName, p.Fee = code, "(no longer in the price list)", 0
		return nil
	} else if err != nil {
		return err
	}
	p.ConsultationCode, p.ConsultationName, p.Fee, p.ConsultationDefault = "", "", 0, false
	if item != nil {
		p.ConsultationCode, p.ConsultationName, p.Fee, p.ConsultationDefault = item.Code, item.Name, int64(item.Price), !linked
	}
	return nil
}

// linkConsultation records the price-list item a doctor's consultations
// are billed with, when it differs from the one in force. Administrators
// only: the fee is the clinic's.
func (tx *Tx) linkConsultation(doctorID, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return "", nil
	}
	var cur string
	err := tx.QueryRowContext(tx.ctx, `SELECT price_code FROM doctor_consultation_items WHERE user_id = ? AND deleted_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT 1`, doctorID).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if cur == code {
		return "", nil
	}
	if !tx.caller.Can(app.PermManageSettings) {
		// A doctor saving their own profile sends back the default item it
		// shows; anything else is the administrator's to choose.
		if cur == "" {
			if item, _, err := consultationItem(tx.ctx, tx, doctorID, tx.now); err == nil && item != nil && item.Code == code {
				return "", nil
			}
		}
		return "", app.FieldErrorf("consultation", "Only an administrator chooses the consultation item of a doctor.")
	}
	item, err := currentPrice(tx.ctx, tx, code, tx.now)
	if err != nil {
		return "", err
	}
	if item == nil || !item.Active || item.Kind != app.PriceConsultation {
		return "", app.FieldErrorf("consultation", "%s is not a current consultation of the price list.", code)
	}
	name, err := tx.callerName()
	if err != nil {
		return "", err
	}
	ts := formatTime(tx.now)
	// Signed by the administrator: the other desks take a fee only so
	// (docs/SYNC-DESIGN.md).
	id := newID()
	sig, err := tx.powerSignature("doctor_consultation_items", id,
		map[string]*string{"user_id": textp(doctorID), "price_code": textp(code)}, tx.caller.Signer)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO doctor_consultation_items (id, user_id, price_code, recorded_by,
		recorded_by_name, created_at, updated_at, power_sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, doctorID, code, tx.caller.UserID, name, ts, ts, sig); err != nil {
		return "", err
	}
	return fmt.Sprintf(", consultation item %s (%s, %d)", code, item.Name, item.Price), nil
}
