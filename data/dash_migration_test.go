package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// dashBefore0243 is the last migration before desk 0243 moved the figures
// of dash_invoices and dash_allocated into dash_revenue and dash_payments.
const dashBefore0243 = 235

// TestDashboardMigration0243KeepsFigures takes a demo database back to the
// summaries' layout of desk migration 0235 (its tables, their rows and
// every trigger as 0235 left them), writes through those triggers (an
// issue, a payment, a refund, a void of a paid invoice, a payment pulled as
// deleted with its allocation), reads every money figure of the dashboard
// as 0235's readers did, opens the database (migration 0243) and compares
// them with what the dashboard now shows: revenue and invoices, payments by
// method, outstanding, top services, revenue per doctor, per month and per
// service, for several periods; the revenue report's rows; and the
// summaries against their recomputation.
func TestDashboardMigration0243KeepsFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo database")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	db, err := data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 150, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	ref := filepath.Join(dir, "ref.db")
	if err := data.MigrateUpTo(ref, dashBefore0243); err != nil {
		t.Fatal(err)
	}
	old := openStub(t, path)
	downgradeDash(t, old, ref)
	writeAt0235(t, old)
	periods := dashPeriods(t)
	before := oldFigures(t, old, periods)
	beforeReport := oldRevenueReport(t, old, periods[1])
	old.Close()

	db, err = data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.CheckDashboard(ctx); err != nil {
		t.Errorf("the summaries after the migration: %v", err)
	}
	svc := db.Services()
	s, err := svc.Users.Login(anon, "admin", data.DemoCredentials[0].Password)
	if err != nil {
		t.Fatal(err)
	}
	admin := as(s.Caller())
	after := newFigures(t, admin, svc, periods)
	if len(before) != len(after) {
		t.Fatalf("%d figures before, %d after", len(before), len(after))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("figure changed by the migration:\n  before %s\n  after  %s", before[i], after[i])
		}
	}
	rep, err := svc.Dashboard.ReportTable(admin, app.ReportRequest{Kind: app.ReportRevenue, Period: periods[1]})
	if err != nil {
		t.Fatal(err)
	}
	var afterReport []string
	for _, r := range rep.Rows {
		afterReport = append(afterReport, r[0]+" "+r[2]+" "+r[5])
	}
	if !slices.Equal(beforeReport, afterReport) {
		t.Errorf("the revenue report's rows (day, code, quantity) changed:\n  before %q\n  after  %q", beforeReport, afterReport)
	}
	// The old tables' figures are still there to read, as views.
	raw := rawDB(t, db)
	for _, q := range []string{`SELECT count(*) FROM dash_invoices`, `SELECT amount FROM dash_allocated`} {
		var n int64
		if err := raw.QueryRow(q).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d, %v", q, n, err)
		}
	}
}

// openStub opens path as 0235's triggers see it: no write transaction's
// clock (nothing queued for sync) and no seals.
func openStub(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open(fieldClockDriver, "file:"+path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}

// downgradeDash gives the database at old the summaries of the reference
// database ref (migrated up to 0235): dash_invoices and dash_allocated as
// tables with their rows, dash_payments without allocated, every trigger as
// ref has it, and migration 0243 not applied.
func downgradeDash(t *testing.T, old *sql.DB, ref string) {
	t.Helper()
	r, err := sql.Open("sqlite3", "file:"+ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	schemaOf := func(db *sql.DB, typ string) map[string]string {
		rows, err := db.Query(`SELECT name, sql FROM sqlite_schema WHERE type = ? AND sql IS NOT NULL`, typ)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]string{}
		for rows.Next() {
			var n, s string
			if err := rows.Scan(&n, &s); err != nil {
				t.Fatal(err)
			}
			m[n] = s
		}
		return m
	}
	tables := schemaOf(r, "table")
	execAll(t, old,
		`DROP VIEW dash_invoices`, `DROP VIEW dash_allocated`,
		tables["dash_invoices"], tables["dash_allocated"],
		`INSERT INTO dash_invoices (day, n, amount) SELECT day, quantity, amount FROM dash_revenue
			WHERE doctor_id = '' AND kind = '' AND code = '' AND day <> 'all'`,
		`INSERT INTO dash_allocated (id, amount)
			VALUES (1, coalesce((SELECT allocated FROM dash_payments WHERE day = 'all' AND method = ''), 0))`,
		`DELETE FROM dash_revenue WHERE kind = ''`,
		`DELETE FROM dash_payments WHERE day = 'all'`,
		// What later migrations added, which the open applies again.
		`ALTER TABLE conflicts DROP COLUMN entry`,                  // 0246
		`ALTER TABLE desk_backup DROP COLUMN last_error_checks`,    // 0247
		`DROP INDEX invoices_dated`, `DROP INDEX invoices_patient`, // 0248
		`CREATE INDEX invoices_created ON invoices (created_at, id)`,
		`CREATE INDEX invoices_patient ON invoices (patient_id, created_at, id)`,
		`DELETE FROM schema_migrations WHERE version > `+fmt.Sprint(dashBefore0243))
	then, now := schemaOf(r, "trigger"), schemaOf(old, "trigger")
	changed := 0
	for name, text := range then {
		if now[name] == text {
			continue
		}
		execAll(t, old, `DROP TRIGGER IF EXISTS `+name, text)
		changed++
	}
	if changed < 4 {
		t.Fatalf("%d triggers differ from migration %04d's, want the summaries' four", changed, dashBefore0243)
	}
	for name := range now {
		if _, ok := then[name]; !ok {
			t.Fatalf("trigger %s is not 0235's", name)
		}
	}
	execAll(t, old, `ALTER TABLE dash_payments DROP COLUMN allocated`)
}

// writeAt0235 writes through the summaries' triggers as migration 0235
// left them, so that the old tables hold rows they made (a day whose
// figures fell back to zero among them).
func writeAt0235(t *testing.T, old *sql.DB) {
	t.Helper()
	now := time.Now().UTC().Format(data.TimeLayout)
	execAll(t, old,
		// Pulled rows' way round the workflow's refusals.
		`UPDATE sync_meta SET applying = 1`,
		// A draft issued.
		`UPDATE invoices SET status = 'issued', number = 'T-0235-1', issued_at = '`+now+`'
			WHERE id = (SELECT i.id FROM invoices i WHERE i.status = 'draft'
				AND EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id) ORDER BY i.id LIMIT 1)`,
		// A payment of it, by card, and a payment pulled as deleted of
		// another unpaid invoice, each with its allocation.
		`INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, currency,
			taken_at, created_at, updated_at)
		SELECT 'pay-0235-1', 'T-R-1', patient_id, patient_name, patient_mrn, 'card', 500, currency, '`+now+`', '`+now+`', '`+now+`'
		FROM invoices WHERE number = 'T-0235-1'`,
		`INSERT INTO payment_allocations (payment_id, invoice_id, amount)
		SELECT 'pay-0235-1', id, 500 FROM invoices WHERE number = 'T-0235-1'`,
		`INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, currency,
			taken_at, created_at, updated_at, deleted_at)
		SELECT 'pay-0235-2', 'T-R-2', patient_id, patient_name, patient_mrn, 'insurance', 300, currency, '`+now+`', '`+now+`', '`+now+`', '`+now+`'
		FROM invoices WHERE status = 'issued' AND number <> 'T-0235-1' ORDER BY id LIMIT 1`,
		`INSERT INTO payment_allocations (payment_id, invoice_id, amount)
		SELECT 'pay-0235-2', i.id, 300 FROM invoices i JOIN payments p ON p.id = 'pay-0235-2' AND p.patient_id = i.patient_id
		WHERE i.status = 'issued' AND i.number <> 'T-0235-1' ORDER BY i.id LIMIT 1`,
		// A refund of a payment of a paid invoice.
		`INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, currency,
			taken_at, reversal_of, reason, created_at, updated_at)
		SELECT 'ref-0235-1', 'T-R-3', patient_id, patient_name, patient_mrn, method, amount, currency, '`+now+`', id,
			'migration test', '`+now+`', '`+now+`'
		FROM payments p WHERE reversal_of IS NULL AND deleted_at IS NULL AND method <> 'cash'
			AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = p.id)
			AND EXISTS (SELECT 1 FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
				WHERE a.payment_id = p.id AND i.status = 'paid')
		ORDER BY taken_at DESC LIMIT 1`,
		// A void of a paid invoice (pulled: the service refuses it), the
		// only invoice of its day.
		`UPDATE invoices SET status = 'void' WHERE id = (SELECT i.id FROM invoices i
			WHERE i.status = 'paid' AND NOT EXISTS (SELECT 1 FROM invoices o WHERE o.id <> i.id
				AND substr(o.issued_at, 1, 10) = substr(i.issued_at, 1, 10))
			ORDER BY i.issued_at LIMIT 1)`,
		`UPDATE sync_meta SET applying = 0`)
	for _, q := range []string{
		`SELECT count(*) FROM payments WHERE id IN ('pay-0235-1', 'pay-0235-2', 'ref-0235-1')`,
		`SELECT count(*) FROM payment_allocations WHERE payment_id IN ('pay-0235-1', 'pay-0235-2')`,
	} {
		var n int
		if err := old.QueryRow(q).Scan(&n); err != nil || n < 2 {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	var zero int
	if err := old.QueryRow(`SELECT count(*) FROM dash_invoices WHERE n = 0`).Scan(&zero); err != nil || zero == 0 {
		t.Fatalf("no day of dash_invoices fell back to zero (%d, %v)", zero, err)
	}
}

func execAll(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// dashPeriods are this month, this year, two years ago and a span of ten
// years, in the clinic's zone (the demo's).
func dashPeriods(t *testing.T) []app.Period {
	t.Helper()
	today := app.DayOf(time.Now(), time.UTC)
	var out []app.Period
	for _, c := range []struct {
		kind app.PeriodKind
		day  app.Day
	}{{app.PeriodMonth, today}, {app.PeriodYear, today}, {app.PeriodYear, today.AddDays(-730)}} {
		p, err := app.PeriodContaining(c.kind, c.day)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// oldFigures reads the dashboard's money figures of each period with the
// queries of desk 0235's data/dashboard.go and dashboard_reports.go.
func oldFigures(t *testing.T, db *sql.DB, periods []app.Period) []string {
	t.Helper()
	var out []string
	row := func(q string, args ...any) string {
		t.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var f []string
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				f = append(f, fmt.Sprint(v))
			}
			lines = append(lines, strings.Join(f, " "))
		}
		return strings.Join(lines, "; ")
	}
	var invoiced, allocated int64
	if err := db.QueryRow(`SELECT (SELECT coalesce(sum(amount), 0) FROM dash_invoices),
		(SELECT amount FROM dash_allocated WHERE id = 1)`).Scan(&invoiced, &allocated); err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		from, to := p.From.String(), p.To.String()
		out = append(out,
			p.From.String()+" revenue: "+row(`SELECT coalesce(sum(n), 0), coalesce(sum(amount), 0) FROM dash_invoices
				WHERE day >= ? AND day < ?`, from, to),
			p.From.String()+" payments: "+row(`SELECT method, sum(n), sum(taken), sum(refunded) FROM dash_payments
				WHERE day >= ? AND day < ? GROUP BY method HAVING sum(n) <> 0 OR sum(taken) <> 0 OR sum(refunded) <> 0
				ORDER BY method`, from, to),
			p.From.String()+" outstanding: "+fmt.Sprint(invoiced-allocated),
			p.From.String()+" top services: "+row(`SELECT code, min(kind), sum(quantity), sum(amount) FROM dash_revenue
				WHERE day >= ? AND day < ? GROUP BY code HAVING sum(amount) <> 0 OR sum(quantity) <> 0
				ORDER BY sum(amount) DESC, code LIMIT 10`, from, to),
			p.From.String()+" services: "+row(`SELECT code, sum(amount) FROM dash_revenue
				WHERE day >= ? AND day < ? GROUP BY code HAVING sum(amount) <> 0 OR sum(quantity) <> 0
				ORDER BY sum(amount) DESC, code`, from, to),
			p.From.String()+" doctors: "+row(`SELECT r.doctor_id, sum(r.amount)
				FROM dash_revenue r LEFT JOIN users u ON u.id = r.doctor_id
				WHERE r.day >= ? AND r.day < ? GROUP BY r.doctor_id HAVING sum(r.amount) <> 0
				ORDER BY sum(r.amount) DESC, r.doctor_id`, from, to),
			p.From.String()+" per month: "+row(`SELECT substr(day, 1, 7), sum(amount) FROM dash_invoices WHERE day >= ? AND day < ?
				GROUP BY 1 HAVING sum(amount) <> 0 ORDER BY 1`, from, to))
	}
	return out
}

// newFigures are the same figures as the dashboard's services show them.
func newFigures(t *testing.T, ctx context.Context, svc app.Services, periods []app.Period) []string {
	t.Helper()
	var out []string
	for _, p := range periods {
		d, err := svc.Dashboard.Dashboard(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		f := d.Financial
		var pay, top, services, doctors, months []string
		for _, m := range f.Payments {
			if m.Count != 0 || m.Taken != 0 || m.Refunded != 0 {
				pay = append(pay, fmt.Sprintf("%s %d %d %d", m.Method, m.Count, m.Taken, m.Refunded))
			}
		}
		slices.Sort(pay)
		all, err := svc.Dashboard.Series(ctx, app.SeriesRevenuePerService, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, sf := range f.TopServices {
			top = append(top, fmt.Sprintf("%s %s %d %d", sf.Code, sf.Kind, sf.Quantity, sf.Revenue))
		}
		for _, pt := range all.Points {
			services = append(services, fmt.Sprintf("%s %d", pt.Key, pt.Value))
		}
		for _, dr := range f.Doctors {
			doctors = append(doctors, fmt.Sprintf("%s %d", dr.DoctorID, dr.Revenue))
		}
		perMonth, err := svc.Dashboard.Series(ctx, app.SeriesRevenuePerMonth, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range perMonth.Points {
			if pt.Value != 0 {
				months = append(months, fmt.Sprintf("%s %d", pt.Key, pt.Value))
			}
		}
		out = append(out,
			p.From.String()+fmt.Sprintf(" revenue: %d %d", f.Invoices, f.Revenue),
			p.From.String()+" payments: "+strings.Join(pay, "; "),
			p.From.String()+" outstanding: "+fmt.Sprint(f.Outstanding),
			p.From.String()+" top services: "+strings.Join(top, "; "),
			p.From.String()+" services: "+strings.Join(services, "; "),
			p.From.String()+" doctors: "+strings.Join(doctors, "; "),
			p.From.String()+" per month: "+strings.Join(months, "; "))
	}
	return out
}

// oldRevenueReport is the revenue report's rows of p (day, code, quantity)
// with desk 0235's query.
func oldRevenueReport(t *testing.T, db *sql.DB, p app.Period) []string {
	t.Helper()
	rows, err := db.Query(`SELECT r.day, r.code, sum(r.quantity)
		FROM dash_revenue r LEFT JOIN users u ON u.id = r.doctor_id WHERE r.day >= ? AND r.day < ?
		GROUP BY r.day, r.doctor_id, r.kind, r.code
		HAVING sum(r.quantity) <> 0 OR sum(r.amount) <> 0 ORDER BY r.day, coalesce(u.full_name, ''), r.code, r.kind`,
		p.From.String(), p.To.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var day, code string
		var q int64
		if err := rows.Scan(&day, &code, &q); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %d", day, code, q))
	}
	return out
}

// TestDashboardAllocatedPulledInAnyOrder: the allocated sum, kept in
// dash_payments' all-days row since desk 0244, counts pulled payments as
// the recomputation does whatever order a batch brings them in (foreign
// keys checked at commit): an allocation before its payment, a refund
// before its payment and that payment's allocation, a payment pulled as
// deleted with its allocation (counted, as dash_allocated counted it);
// and the Outstanding figure is what the invoices' totals less their
// payments come to.
func TestDashboardAllocatedPulledInAnyOrder(t *testing.T) {
	b := mustBilling(t)
	var inv []*app.Invoice
	for range 3 {
		inv = append(inv, b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3}))
	}
	raw := rawDB(t, b.db)
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Now().UTC().Format(data.TimeLayout)
	payment := func(id, method string, amount int64, extra string) string {
		cols, vals := "", ""
		switch {
		case strings.HasPrefix(extra, "refund of "):
			cols, vals = ", reversal_of, reason", ", '"+strings.TrimPrefix(extra, "refund of ")+"', 'pulled'"
		case extra == "deleted":
			cols, vals = ", deleted_at", ", '"+now+"'"
		}
		return fmt.Sprintf(`INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn, method, amount,
			currency, taken_at, created_at, updated_at%s)
			SELECT '%s', 'PULLED-%s', patient_id, patient_name, patient_mrn, '%s', %d, currency, '%s', '%s', '%s'%s
			FROM invoices WHERE id = '%s'`, cols, id, id, method, amount, now, now, now, vals, inv[0].ID)
	}
	alloc := func(pay string, i int, amount int64) string {
		return fmt.Sprintf(`INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ('%s', '%s', %d)`,
			pay, inv[i].ID, amount)
	}
	ctx := context.Background()
	for _, q := range []string{
		`BEGIN IMMEDIATE`, `PRAGMA defer_foreign_keys = ON`, `UPDATE sync_meta SET applying = 1`,
		alloc("p1", 0, 1000), payment("p1", "card", 1000, ""),
		payment("r2", "card", 700, "refund of p2"), payment("p2", "card", 700, ""), alloc("p2", 1, 700),
		payment("p3", "insurance", 400, "deleted"), alloc("p3", 2, 400),
		`UPDATE sync_meta SET applying = 0`, `COMMIT`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := b.db.CheckDashboard(ctx); err != nil {
		t.Error(err)
	}
	var allocated int64
	if err := raw.QueryRow(`SELECT allocated FROM dash_payments WHERE day = 'all' AND method = ''`).Scan(&allocated); err != nil {
		t.Fatal(err)
	}
	if allocated != 1000+400 {
		t.Errorf("allocated %d, want 1400 (p1 and the deleted p3; p2 refunded)", allocated)
	}
	month, err := app.PeriodContaining(app.PeriodMonth, app.DayOf(time.Now(), time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.svc.Dashboard.Dashboard(b.ctx(app.RoleAdmin), month)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, i := range inv {
		total += int64(i.Totals.Total)
	}
	if want := app.Money(total - 1400); d.Financial.Outstanding != want {
		t.Errorf("outstanding %d, want %d", d.Financial.Outstanding, want)
	}
}
