package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The dashboard's summary tables (migration 0007) are keyed by the day in
// the clinic's time zone, which their triggers work out from
// dashboard_zone. This file keeps that table in step with the clinic's
// zone and checks the summaries against a recomputation.

// localDaySQL is the SQL of the local day of the UTC timestamp column col,
// as the triggers of 0007_dashboard.sql compute it.
func localDaySQL(col string) string {
	return fmt.Sprintf(`date(%[1]s, coalesce((SELECT printf('%%+d minutes', z.offset_minutes) FROM dashboard_zone z
		WHERE z.from_at <= %[1]s ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'))`, col)
}

// dashSummary is one summary table: its columns, the condition of a row
// that counts (not fallen back to zero) and the query that recomputes it
// from the rows it summarizes.
type dashSummary struct {
	table, columns, nonZero, recompute string
}

var dashSummaries = []dashSummary{
	{"dash_patients", "day, n", "n <> 0",
		`SELECT ` + localDaySQL("created_at") + ` AS day, count(*) FROM patients WHERE deleted_at IS NULL GROUP BY 1`},
	{"dash_appointments", "day, doctor_id, status, n, minutes", "n <> 0 OR minutes <> 0",
		`SELECT ` + localDaySQL("start_at") + ` AS day, doctor_id, status, count(*), sum((unixepoch(end_at) - unixepoch(start_at)) / 60)
		FROM appointments WHERE deleted_at IS NULL GROUP BY 1, 2, 3`},
	// A day's lines; the day's invoices (key (day, '', '', ''): their
	// count and total); and all days' (key ('all', '', '', '')): desk 0243.
	{"dash_revenue", "day, doctor_id, kind, code, quantity, amount", "quantity <> 0 OR amount <> 0",
		`SELECT ` + localDaySQL("i.issued_at") + ` AS day, coalesce(a.doctor_id, p.doctor_id, ''), l.kind, l.code, sum(l.quantity), sum(l.total)
		FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
		LEFT JOIN appointments a ON a.id = i.appointment_id LEFT JOIN price_items p ON p.id = l.price_item_id
		WHERE i.status NOT IN ('draft', 'void') GROUP BY 1, 2, 3, 4
		UNION ALL
		SELECT ` + localDaySQL("i.issued_at") + ` AS day, '', '', '', count(*),
			sum((SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id))
		FROM invoices i WHERE i.status NOT IN ('draft', 'void') GROUP BY 1
		UNION ALL
		SELECT 'all', '', '', '', count(*), sum((SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id))
		FROM invoices i WHERE i.status NOT IN ('draft', 'void') HAVING count(*) > 0`},
	// A day's payments per method; and, at key ('all', ''), what payments
	// not refunded have paid towards invoices not draft or void, in all
	// (desk 0243).
	{"dash_payments", "day, method, n, taken, refunds, refunded, allocated", "n <> 0 OR refunds <> 0 OR allocated <> 0",
		`SELECT ` + localDaySQL("taken_at") + ` AS day, method, sum(reversal_of IS NULL), sum(iif(reversal_of IS NULL, amount, 0)),
			sum(reversal_of IS NOT NULL), sum(iif(reversal_of IS NULL, 0, amount)), 0
		FROM payments WHERE deleted_at IS NULL GROUP BY 1, 2
		UNION ALL
		SELECT 'all', '', 0, 0, 0, 0, sum(a.amount) FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
		WHERE i.status NOT IN ('draft', 'void') AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)
		HAVING count(*) > 0`},
}

// zoneOffsets are the rows of dashboard_zone for loc: its UTC offset in
// minutes from each transition between 1900 and 2200, the first from the
// beginning of time ("").
func zoneOffsets(loc *time.Location) (from []string, minutes []int) {
	t := time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
	_, off := t.In(loc).Zone()
	from, minutes = []string{""}, []int{off / 60}
	for {
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || !next.After(t) || next.After(end) {
			return from, minutes
		}
		if _, off := next.In(loc).Zone(); off/60 != minutes[len(minutes)-1] {
			from, minutes = append(from, formatTime(next)), append(minutes, off/60)
		}
		t = next
	}
}

// dashboardZone returns the clinic's time zone, first rebuilding the
// summaries when they were built for another one (the zone was changed in
// the settings since): dashboard_zone takes the new zone's offsets and
// every summary is recomputed, in one transaction with its audit row.
func (db *DB) dashboardZone(ctx context.Context) (*time.Location, error) {
	loc, err := clinicZone(ctx, db.r)
	if err != nil {
		return nil, err
	}
	var built string
	if err := db.r.QueryRowContext(ctx, `SELECT zone FROM dashboard_state WHERE id = 1`).Scan(&built); err != nil {
		return nil, fmt.Errorf("dashboard state: %w", err)
	}
	if built == loc.String() {
		return loc, nil
	}
	err = db.write(ctx, "dashboard.rebuild", func(tx *Tx) error {
		// Again inside the transaction: another call may have rebuilt them.
		if err := tx.QueryRowContext(ctx, `SELECT zone FROM dashboard_state WHERE id = 1`).Scan(&built); err != nil {
			return err
		}
		if built == loc.String() {
			tx.Audit("dashboard.rebuild", "dashboard_state", "", "", "already built for "+built)
			return nil
		}
		if err := rebuildDashboard(tx, loc); err != nil {
			return err
		}
		tx.Audit("dashboard.rebuild", "dashboard_state", "", "", fmt.Sprintf("summaries rebuilt for %s (were %s)", loc, built))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return loc, nil
}

// rebuildDashboard fills dashboard_zone for loc and recomputes every
// summary table inside tx.
func rebuildDashboard(tx *Tx, loc *time.Location) error {
	ctx := tx.ctx
	if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_zone`); err != nil {
		return fmt.Errorf("dashboard zone: %w", err)
	}
	from, minutes := zoneOffsets(loc)
	for i := range from {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_zone (from_at, offset_minutes) VALUES (?, ?)`, from[i], minutes[i]); err != nil {
			return fmt.Errorf("dashboard zone: %w", err)
		}
	}
	for _, s := range dashSummaries {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.table); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.table, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.table+` (`+s.columns+`) `+s.recompute); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.table, err)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE dashboard_state SET zone = ?, built_at = ? WHERE id = 1`, loc.String(), formatTime(tx.now))
	return err
}

// RefreshDashboard brings the dashboard's summaries to the clinic's
// current time zone now rather than at the next dashboard read: after a
// bulk load, or when the time zone setting has changed.
func (db *DB) RefreshDashboard(ctx context.Context) error {
	_, err := db.dashboardZone(ctx)
	return err
}

// CheckDashboard compares every summary table with a recomputation from
// the rows it summarizes, and reports the first difference.
func (db *DB) CheckDashboard(ctx context.Context) error {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// One read transaction, so that both sides see the same rows.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var errs []error
	for _, s := range dashSummaries {
		stored := `SELECT ` + s.columns + ` FROM ` + s.table + ` WHERE ` + s.nonZero
		for _, q := range []struct{ what, a, b string }{
			{"stored but not recomputed", stored, s.recompute},
			{"recomputed but not stored", s.recompute, stored},
		} {
			var n int
			// Each side a subquery: a recomputation may be a compound
			// SELECT, and EXCEPT would bind to its last part only.
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT * FROM (`+q.a+`) EXCEPT SELECT * FROM (`+q.b+`))`).Scan(&n); err != nil {
				return fmt.Errorf("check %s: %w", s.table, err)
			}
			if n > 0 {
				errs = append(errs, fmt.Errorf("%s: %d rows %s", s.table, n, q.what))
			}
		}
	}
	return errors.Join(errs...)
}
