package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hms/app"
	"hms/app/pdf"
)

// The cash-up of a desk's day (app.DeskCashUp).
//
// A payment belongs to the desk whose receipt series numbered it (R-D1-…):
// the drawer it went into. AllDesks ("*") is the cash-up of every desk's
// payments together, for a clinic with one drawer. An open day's figures
// are read from the payments each time; closing freezes them (frozen) with
// the ids of the payments counted (payment_ids, mirrored into the local
// table cashup_counted by triggers). A payment of a closed day that is not
// among them reached the desk after the close (an offline desk's, after
// sync): it is late there, and counted by the next day closed after it.
//
// Threats: only billing staff and administrators see, count and close a
// cash-up; only an administrator reopens one, with a reason; a closed
// cash-up is never changed but by reopening. Every write is audited.

// AllDesks is the desk code of the cash-up of every desk's payments.
const AllDesks = "*"

// seriesCashUp numbers closed cash-ups.
const seriesCashUp = "CU"

// lateLookback bounds how far back a day's cash-up looks for late
// payments of earlier closed days not yet counted, so that an open day
// reads a year of payments at most, not the whole history. A payment that
// reaches the desk more than this after its day (a desk offline for over
// a year, which sync allows) is still listed as late on its own closed
// day, but no later day counts it: README tells the clinic to count it by
// hand. TestCashUpLateLookback holds the bound.
const lateLookback = 366 * 24 * time.Hour

type cashupQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// cashUpRow is a saved cash-up as the table holds it.
type cashUpRow struct {
	id, number, status, counts, note, frozen string
	float                                    app.Money
	closedAt, closedByName                   string
	reopenedAt, reopenedByName, reopenReason string
}

func readCashUpRow(ctx context.Context, q cashupQuerier, desk, day string) (*cashUpRow, error) {
	var r cashUpRow
	var number, closedAt, reopenedAt sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, number, status, opening_float, counts, note, frozen, closed_at, closed_by_name,
		reopened_at, reopened_by_name, reopen_reason FROM cashups WHERE desk = ? AND day = ? AND deleted_at IS NULL`,
		desk, day).Scan(&r.id, &number, &r.status, &r.float, &r.counts, &r.note, &r.frozen, &closedAt, &r.closedByName,
		&reopenedAt, &r.reopenedByName, &r.reopenReason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.number, r.closedAt, r.reopenedAt = number.String, closedAt.String, reopenedAt.String
	return &r, nil
}

// cashUpID is the id of a desk's day's cash-up: the same on every desk,
// so that two desks saving it write one row.
func cashUpID(desk, day string) string { return "cashup:" + desk + ":" + day }

// ownDesk is this desk's code, as its series use it.
func (db *DB) ownDesk(ctx context.Context) string {
	var code sql.NullString
	_ = db.r.QueryRowContext(ctx, `SELECT desk_code FROM sync_meta WHERE id = 1`).Scan(&code)
	if code.Valid && code.String != "" {
		return code.String
	}
	return db.defaultDesk
}

// cashUpDesk normalizes a desk code given to a cash-up method: "" is this
// desk's, "*" every desk's.
func (db *DB) cashUpDesk(ctx context.Context, desk string) (string, error) {
	desk = strings.ToUpper(strings.TrimSpace(desk))
	switch {
	case desk == "":
		return db.ownDesk(ctx), nil
	case desk == AllDesks:
		return desk, nil
	}
	in := app.CashUpInput{Desk: desk, Day: "2000-01-01"}
	if err := in.Validate(nil); err != nil {
		return "", err
	}
	return desk, nil
}

// deskPaymentsWhere selects a desk's payments by their receipt number.
func deskPaymentsWhere(desk string) (string, []any) {
	if desk == AllDesks {
		return "1", nil
	}
	prefix := seriesReceipt + "-" + desk + "-"
	return "p.receipt_number >= ? AND p.receipt_number < ?", []any{prefix, seriesReceipt + "-" + desk + "."}
}

func queryPayments(ctx context.Context, q cashupQuerier, query string, args ...any) ([]*app.Payment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// dayBounds are the start and end of a day of the clinic's time zone.
func dayBounds(day string, loc *time.Location) (time.Time, time.Time, error) {
	d, err := time.ParseInLocation(app.DateLayout, day, loc)
	if err != nil {
		return time.Time{}, time.Time{}, app.FieldErrorf("day", "%q is not a date: use YYYY-MM-DD.", day)
	}
	return d, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc), nil
}

// readCashUp reads a desk's cash-up of a day: a closed one as it was
// frozen, with its late payments; an open one from the payments now.
func readCashUp(ctx context.Context, q cashupQuerier, settings *app.Settings, desk, day string) (*app.DeskCashUp, error) {
	from, to, err := dayBounds(day, settings.Location())
	if err != nil {
		return nil, err
	}
	row, err := readCashUpRow(ctx, q, desk, day)
	if err != nil {
		return nil, err
	}
	where, args := deskPaymentsWhere(desk)
	cu := &app.DeskCashUp{Desk: desk, Day: day, Currency: settings.Currency, Status: app.CashUpOpen}
	if row != nil && row.status == string(app.CashUpClosed) {
		if err := json.Unmarshal([]byte(row.frozen), cu); err != nil {
			return nil, fmt.Errorf("cash-up %s: %w", row.number, err)
		}
		fillCashUpRow(cu, row)
		cu.Late, err = queryPayments(ctx, q, `SELECT `+paymentColumns+` FROM payments p WHERE `+where+`
			AND p.taken_at >= ? AND p.taken_at < ?
			AND NOT EXISTS (SELECT 1 FROM cashup_counted k WHERE k.payment_id = p.id AND k.cashup_id = ?)
			ORDER BY p.taken_at, p.id`, append(args, formatTime(from), formatTime(to), row.id)...)
		return cu, err
	}
	id := cashUpID(desk, day)
	// The day's own payments, but for a late one an earlier reopened
	// day's close counted elsewhere.
	cu.Payments, err = queryPayments(ctx, q, `SELECT `+paymentColumns+` FROM payments p WHERE `+where+`
		AND p.taken_at >= ? AND p.taken_at < ?
		AND NOT EXISTS (SELECT 1 FROM cashup_counted k WHERE k.payment_id = p.id AND k.cashup_id <> ?)
		ORDER BY p.taken_at, p.id`, append(slices.Clone(args), formatTime(from), formatTime(to), id)...)
	if err != nil {
		return nil, err
	}
	// Late payments of earlier closed days that no closed day counted yet.
	cu.CarriedIn, err = queryPayments(ctx, q, `SELECT `+paymentColumns+` FROM payments p WHERE `+where+`
		AND p.taken_at >= ? AND p.taken_at < ?
		AND EXISTS (SELECT 1 FROM cashups c WHERE c.desk = ? AND c.status = 'closed' AND c.deleted_at IS NULL
			AND c.day_start <= p.taken_at AND p.taken_at < c.day_end)
		AND NOT EXISTS (SELECT 1 FROM cashup_counted k WHERE k.payment_id = p.id)
		ORDER BY p.taken_at, p.id`, append(slices.Clone(args), formatTime(from.Add(-lateLookback)), formatTime(from), desk)...)
	if err != nil {
		return nil, err
	}
	var counts []app.CashCount
	if row != nil {
		fillCashUpRow(cu, row)
		cu.Status = app.CashUpOpen
		cu.OpeningFloat, cu.Note = row.float, row.note
		if err := json.Unmarshal([]byte(row.counts), &counts); err != nil {
			return nil, fmt.Errorf("cash-up %s %s counts: %w", desk, day, err)
		}
	}
	cu.Counts = countsFor(settings.Denominations(), counts)
	cashUpFigures(cu)
	return cu, nil
}

func fillCashUpRow(cu *app.DeskCashUp, row *cashUpRow) {
	cu.ID, cu.Number, cu.Status = row.id, row.number, app.CashUpStatus(row.status)
	cu.ClosedAt, cu.ClosedByName = parseOptTime(row.closedAt), row.closedByName
	cu.ReopenedAt, cu.ReopenedByName, cu.ReopenReason = parseOptTime(row.reopenedAt), row.reopenedByName, row.reopenReason
}

func parseOptTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	return parseTime(s)
}

// countsFor lists every denomination, largest first, with its count; a
// count of a denomination the clinic no longer lists is kept.
func countsFor(denominations []app.Money, counts []app.CashCount) []app.CashCount {
	byDen := map[app.Money]int64{}
	for _, c := range counts {
		byDen[c.Denomination] += c.Count
	}
	out := make([]app.CashCount, 0, len(denominations))
	for _, d := range denominations {
		out = append(out, app.CashCount{Denomination: d, Count: byDen[d]})
		delete(byDen, d)
	}
	for d, n := range byDen {
		if n != 0 {
			out = append(out, app.CashCount{Denomination: d, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b app.CashCount) int { return int(b.Denomination - a.Denomination) })
	return out
}

// cashUpFigures sums an open cash-up's payments and counts.
func cashUpFigures(cu *app.DeskCashUp) {
	cu.Methods = nil
	byMethod := map[app.PaymentMethod]int{}
	for i, m := range app.PaymentMethods {
		cu.Methods = append(cu.Methods, app.MethodTotal{Method: m})
		byMethod[m] = i
	}
	cu.CashNet, cu.Card, cu.Other = 0, 0, 0
	for _, p := range append(slices.Clone(cu.Payments), cu.CarriedIn...) {
		t := &cu.Methods[byMethod[p.Method]]
		t.Count++
		amount := p.Amount
		if p.IsReversal() {
			t.Refunded += p.Amount
			amount = -amount
		} else {
			t.Taken += p.Amount
		}
		switch p.Method {
		case app.PayCash:
			cu.CashNet += amount
		case app.PayCard:
			cu.Card += amount
		default:
			cu.Other += amount
		}
	}
	cu.Counted = app.CountedTotal(cu.Counts)
	cu.ExpectedCash = cu.OpeningFloat + cu.CashNet
	cu.Variance = cu.Counted - cu.ExpectedCash
}

// DeskCashUp implements app.BillingService.
func (s *BillingService) DeskCashUp(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "cashup.view", "cashups", "", "", app.CanCashUp(c)); err != nil {
		return nil, err
	}
	desk, err := s.db.cashUpDesk(ctx, desk)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("cashup.view", err)
	}
	cu, err := readCashUp(ctx, s.db.r, settings, desk, strings.TrimSpace(day))
	var ae *app.Error
	if err != nil && !errors.As(err, &ae) {
		return nil, internal("cashup.view", err)
	}
	return cu, err
}

// FindCashUp implements app.BillingService.
func (s *BillingService) FindCashUp(ctx context.Context, number string) (*app.DeskCashUp, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "cashup.view", "cashups", "", "", app.CanCashUp(c)); err != nil {
		return nil, err
	}
	var desk, day string
	err := s.db.r.QueryRowContext(ctx, `SELECT desk, day FROM cashups WHERE number = ? AND deleted_at IS NULL`,
		strings.TrimSpace(number)).Scan(&desk, &day)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no cash-up %s.", strings.TrimSpace(number))
	} else if err != nil {
		return nil, internal("cashup.view", err)
	}
	return s.DeskCashUp(ctx, desk, day)
}

// maxCashUpDesks bounds the desks CashUpDesks lists.
const maxCashUpDesks = 200

// CashUpDesks implements app.BillingService: this desk, then every other
// desk whose payments (by their receipt numbers, R-D2-…) or cash-ups this
// desk holds, which sync brings from the clinic's other desks. The
// receipts are read a desk at a time along their unique index: one short
// query per desk, however many payments there are.
func (s *BillingService) CashUpDesks(ctx context.Context) ([]string, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "cashup.view", "cashups", "", "", app.CanCashUp(c)); err != nil {
		return nil, err
	}
	own := s.db.ownDesk(ctx)
	seen := map[string]bool{own: true}
	var others []string
	add := func(desk string) {
		if !seen[desk] && desk != AllDesks && len(others) < maxCashUpDesks {
			seen[desk] = true
			others = append(others, desk)
		}
	}
	prefix := seriesReceipt + "-"
	after := prefix
	for range maxCashUpDesks * 2 {
		var number string
		err := s.db.r.QueryRowContext(ctx, `SELECT receipt_number FROM payments
			WHERE receipt_number > ? AND receipt_number < ? ORDER BY receipt_number LIMIT 1`,
			after, seriesReceipt+".").Scan(&number)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, internal("cashup.view", err)
		}
		series, _, ok := ParseNumber(number)
		if !ok || series.Prefix != seriesReceipt {
			after = number // not one of this version's numbers: step over it
			continue
		}
		add(series.Desk)
		// Past every receipt of the desk: "R-D1." sorts after "R-D1-…" and
		// before "R-D10-…".
		after = prefix + series.Desk + "."
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT DISTINCT desk FROM cashups WHERE deleted_at IS NULL ORDER BY desk`)
	if err != nil {
		return nil, internal("cashup.view", err)
	}
	defer rows.Close()
	for rows.Next() {
		var desk string
		if err := rows.Scan(&desk); err != nil {
			return nil, internal("cashup.view", err)
		}
		add(desk)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("cashup.view", err)
	}
	slices.Sort(others)
	return append([]string{own}, others...), nil
}

// saveCashUp writes the open cash-up's float, counts and note in tx,
// refusing a closed day, and returns it read back.
func (tx *Tx) saveCashUp(in app.CashUpInput, settings *app.Settings) (*app.DeskCashUp, *cashUpRow, error) {
	from, to, err := dayBounds(in.Day, settings.Location())
	if err != nil {
		return nil, nil, err
	}
	row, err := readCashUpRow(tx.ctx, tx, in.Desk, in.Day)
	if err != nil {
		return nil, nil, err
	}
	if row != nil && row.status == string(app.CashUpClosed) {
		return nil, nil, app.Errorf(app.ECONFLICT, "The day is closed (%s): an administrator can reopen it.", row.number)
	}
	counts := make([]app.CashCount, 0, len(in.Counts))
	for _, c := range in.Counts {
		if c.Count != 0 {
			counts = append(counts, c)
		}
	}
	countsJSON, err := json.Marshal(counts)
	if err != nil {
		return nil, nil, err
	}
	ts := formatTime(tx.now)
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO cashups (id, desk, day, currency, status, opening_float, counts, counted,
		note, day_start, day_end, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET opening_float = excluded.opening_float, counts = excluded.counts,
			counted = excluded.counted, note = excluded.note, updated_at = excluded.updated_at
		WHERE opening_float IS NOT excluded.opening_float OR counts IS NOT excluded.counts OR note IS NOT excluded.note`,
		cashUpID(in.Desk, in.Day), in.Desk, in.Day, settings.Currency, in.OpeningFloat, string(countsJSON),
		app.CountedTotal(counts), in.Note, formatTime(from), formatTime(to), ts, ts)
	if err != nil {
		return nil, nil, err
	}
	cu, err := readCashUp(tx.ctx, tx, settings, in.Desk, in.Day)
	if err != nil {
		return nil, nil, err
	}
	row, err = readCashUpRow(tx.ctx, tx, in.Desk, in.Day)
	return cu, row, err
}

// cashUpWrite runs a write of a cash-up: the permission, the input's
// checks, and the desk and settings it needs.
func (s *BillingService) cashUpWrite(ctx context.Context, action string, in *app.CashUpInput,
	fn func(tx *Tx, settings *app.Settings) error) error {
	desk, err := s.db.cashUpDesk(ctx, in.Desk)
	if err != nil {
		return err
	}
	return s.db.writeFor(ctx, action, "cashups", "", "", func(tx *Tx) error {
		if err := app.CanCashUp(tx.caller); err != nil {
			return authorize(err)
		}
		settings, err := readSettings(tx.ctx, tx)
		if err != nil {
			return err
		}
		in.Desk = ""
		if err := in.Validate(settings.Denominations()); err != nil {
			return err
		}
		in.Desk = desk
		return fn(tx, settings)
	})
}

// SaveCashUp implements app.BillingService.
func (s *BillingService) SaveCashUp(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
	var out *app.DeskCashUp
	err := s.cashUpWrite(ctx, "cashup.save", &in, func(tx *Tx, settings *app.Settings) error {
		cu, _, err := tx.saveCashUp(in, settings)
		if err != nil {
			return err
		}
		tx.Audit("cashup.save", "cashups", cu.ID, "", cashUpDetail(cu))
		out = cu
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cashUpDetail is a cash-up's audit detail.
func cashUpDetail(cu *app.DeskCashUp) string {
	return fmt.Sprintf("desk %s, %s: float %s, counted %s, expected %s, variance %s, card %s, other %s",
		cu.Desk, cu.Day, app.Format(cu.OpeningFloat, cu.Currency), app.Format(cu.Counted, cu.Currency),
		app.Format(cu.ExpectedCash, cu.Currency), app.Format(cu.Variance, cu.Currency), app.Format(cu.Card, cu.Currency),
		app.Format(cu.Other, cu.Currency))
}

// Billing is this database's billing service, for the sync engine, which
// claims a cash-up's close on the server before CloseCashUp numbers it.
func (db *DB) Billing() *BillingService { return &BillingService{db: db} }

// CashUpClose is a cash-up about to be closed (CashUpToClose).
type CashUpClose struct {
	ID        string // the same on every desk
	Desk, Day string // the desk's code (AllDesks for every desk's) and the day
	Number    string // its number when it has one: a reopened day keeps it
	By        string // the person closing it, by name
}

// CashUpToClose checks what CloseCashUp checks before it writes (the
// permission, the input, a day not closed already) and returns the
// cash-up: the sync engine claims the close of a cash-up not numbered yet
// on the server first, so that two desks closing it at once do not both
// take a number from their series.
func (s *BillingService) CashUpToClose(ctx context.Context, in app.CashUpInput) (*CashUpClose, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "cashup.close", "cashups", "", "", app.CanCashUp(c)); err != nil {
		return nil, err
	}
	name, err := sessionOf(ctx, s.db.r, c)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = c.Username
	}
	desk, err := s.db.cashUpDesk(ctx, in.Desk)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("cashup.close", err)
	}
	in.Desk = ""
	if err := in.Validate(settings.Denominations()); err != nil {
		return nil, err
	}
	row, err := readCashUpRow(ctx, s.db.r, desk, in.Day)
	if err != nil {
		return nil, internal("cashup.close", err)
	}
	if row == nil {
		return &CashUpClose{ID: cashUpID(desk, in.Day), Desk: desk, Day: in.Day, By: name}, nil
	}
	if row.status == string(app.CashUpClosed) {
		return nil, app.Errorf(app.ECONFLICT, "The day is closed (%s): an administrator can reopen it.", row.number)
	}
	return &CashUpClose{ID: row.id, Desk: desk, Day: in.Day, Number: row.number, By: name}, nil
}

// CloseCashUp implements app.BillingService.
func (s *BillingService) CloseCashUp(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
	var out *app.DeskCashUp
	err := s.cashUpWrite(ctx, "cashup.close", &in, func(tx *Tx, settings *app.Settings) error {
		cu, row, err := tx.saveCashUp(in, settings)
		if err != nil {
			return err
		}
		number := row.number
		if number == "" {
			day, _ := time.Parse(app.DateLayout, in.Day)
			if number, err = tx.takeNumber(tx.series(seriesCashUp, day.Year())); err != nil {
				return err
			}
		}
		name, err := tx.callerName()
		if err != nil {
			return err
		}
		cu.Number, cu.Status, cu.ClosedAt, cu.ClosedByName = number, app.CashUpClosed, tx.now, name
		frozen, err := json.Marshal(cu)
		if err != nil {
			return err
		}
		ids := []string{}
		for _, p := range append(slices.Clone(cu.Payments), cu.CarriedIn...) {
			ids = append(ids, p.ID)
		}
		idsJSON, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `UPDATE cashups SET status = 'closed', number = ?, frozen = ?, payment_ids = ?,
			closed_at = ?, closed_by = ?, closed_by_name = ?, updated_at = ? WHERE id = ?`,
			number, string(frozen), string(idsJSON), ts, tx.caller.UserID, name, ts, cu.ID); err != nil {
			return err
		}
		detail := cashUpDetail(cu) + fmt.Sprintf("; %d payments counted", len(ids))
		if n := len(cu.CarriedIn); n > 0 {
			detail += fmt.Sprintf(", %d of them late from earlier days", n)
		}
		tx.Audit("cashup.close", "cashups", cu.ID, "", number+": "+detail)
		out, err = readCashUp(tx.ctx, tx, settings, in.Desk, in.Day)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReopenCashUp implements app.BillingService.
func (s *BillingService) ReopenCashUp(ctx context.Context, desk, day, reason string) (*app.DeskCashUp, error) {
	var out *app.DeskCashUp
	in := app.CashUpInput{Desk: desk, Day: day}
	err := s.cashUpWrite(ctx, "cashup.reopen", &in, func(tx *Tx, settings *app.Settings) error {
		if err := app.CanReopenCashUp(tx.caller); err != nil {
			return authorize(err)
		}
		reason, err := app.ValidateCashUpReason(reason)
		if err != nil {
			return err
		}
		row, err := readCashUpRow(tx.ctx, tx, in.Desk, in.Day)
		if err != nil {
			return err
		}
		if row == nil || row.status != string(app.CashUpClosed) {
			return app.Errorf(app.ECONFLICT, "The day is not closed.")
		}
		name, err := tx.callerName()
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `UPDATE cashups SET status = 'open', frozen = '', payment_ids = '[]',
			reopened_at = ?, reopened_by = ?, reopened_by_name = ?, reopen_reason = ?, updated_at = ? WHERE id = ?`,
			ts, tx.caller.UserID, name, reason, ts, row.id); err != nil {
			return err
		}
		tx.Audit("cashup.reopen", "cashups", row.id, "", fmt.Sprintf("%s (desk %s, %s) reopened: %s", row.number, in.Desk, in.Day, reason))
		out, err = readCashUp(tx.ctx, tx, settings, in.Desk, in.Day)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeskCashUpPDF implements app.BillingService.
func (s *BillingService) DeskCashUpPDF(ctx context.Context, desk, day string) ([]byte, error) {
	cu, err := s.DeskCashUp(ctx, desk, day)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	c, _ := app.CallerFromContext(ctx)
	lang, err := readerLang(ctx, s.db.r, c)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	b, err := pdf.DeskCashUp(settings, cu, settings.Location(), s.db.now(), lang)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	what := "open cash-up"
	if cu.Number != "" && cu.Status == app.CashUpClosed {
		what = cu.Number
	}
	if err := s.auditPrint(ctx, "cashup.print", "cashups", cu.ID, "", what+": "+cashUpDetail(cu)); err != nil {
		return nil, err
	}
	return b, nil
}
