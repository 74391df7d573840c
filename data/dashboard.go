package data

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"hms/app"
)

// DashboardService implements app.DashboardService. The figures read the
// per-day summary tables of migration 0007, which triggers keep in step
// with the rows they summarize, so that a year costs about what a day does.
type DashboardService struct {
	db *DB
}

var _ app.DashboardService = (*DashboardService)(nil)

// The dashboard's figures: each reads a range of days of a summary table's
// primary key, or one small index.
const (
	// figPatientsSQL: patients registered by the end of a period, and in it.
	figPatientsSQL = `SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE day >= ?), 0)
		FROM dash_patients WHERE day < ?`
	// figDoctorsSQL: the doctors, and whether active.
	figDoctorsSQL = `SELECT id, full_name, status = 'active' FROM users WHERE role = 'doctor' AND deleted_at IS NULL`
	// figAppointmentsSQL: appointments and their minutes in a period (a doctor filter and GROUP BY follow).
	figAppointmentsSQL = `SELECT doctor_id, status, sum(n), sum(minutes) FROM dash_appointments WHERE day >= ? AND day < ?`
	// figHoursSQL: a doctor's weekly hours, every version (availability_history).
	figHoursSQL = `SELECT weekday, start_time, end_time, slot_minutes, created_at, coalesce(deleted_at, '')
		FROM availability WHERE doctor_id = ?`
	// figRevenueSQL: invoices issued in a period and not void, and their
	// total: the days' invoice rows of dash_revenue (kind '', desk 0243).
	figRevenueSQL = `SELECT coalesce(sum(quantity), 0), coalesce(sum(amount), 0) FROM dash_revenue
		WHERE day >= ? AND day < ? AND doctor_id = '' AND kind = '' AND code = ''`
	// figPaymentsSQL: payments and refunds in a period per method.
	figPaymentsSQL = `SELECT method, sum(n), sum(taken), sum(refunded) FROM dash_payments
		WHERE day >= ? AND day < ? GROUP BY method`
	// figOutstandingSQL: all invoiced, all paid (both not void), and the
	// unpaid invoices; the first two are the summaries' all-days rows.
	figOutstandingSQL = `SELECT
			coalesce((SELECT amount FROM dash_revenue WHERE day = 'all' AND doctor_id = '' AND kind = '' AND code = ''), 0),
			coalesce((SELECT allocated FROM dash_payments WHERE day = 'all' AND method = ''), 0),
			(SELECT count(*) FROM invoices INDEXED BY invoices_outstanding WHERE status IN ('issued', 'partially_paid'))`
	// figServicesSQL: revenue in a period per service (a doctor filter, grouping and order follow);
	// the lines' rows only, not the days' invoices.
	figServicesSQL = `SELECT code, min(kind), sum(quantity), sum(amount) FROM dash_revenue WHERE day >= ? AND day < ?
		AND kind <> ''`
	// figDoctorRevenueSQL: revenue in a period per doctor.
	figDoctorRevenueSQL = `SELECT r.doctor_id, coalesce(u.full_name, ''), sum(r.amount)
		FROM dash_revenue r LEFT JOIN users u ON u.id = r.doctor_id
		WHERE r.day >= ? AND r.day < ? AND r.kind <> '' GROUP BY r.doctor_id HAVING sum(r.amount) <> 0
		ORDER BY sum(r.amount) DESC, r.doctor_id`
)

// Dashboard implements app.DashboardService: admins get every figure,
// billing clerks the financial ones only.
func (s *DashboardService) Dashboard(ctx context.Context, p app.Period) (*app.Dashboard, error) {
	const action = "dashboard.view"
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "", "", "", app.CanSeeDashboard(c)); err != nil {
		return nil, err
	}
	clinical, financial := c.Can(app.PermViewStatistics), c.Can(app.PermViewFinancial)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	loc, err := s.db.dashboardZone(ctx)
	if err != nil {
		return nil, internal(action, err)
	}
	// One read transaction: every figure from the same snapshot.
	tx, err := s.db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, internal(action, err)
	}
	defer tx.Rollback()
	d := &app.Dashboard{Period: p, At: s.db.now().UTC()}
	if clinical {
		if d.Clinical, err = clinicalFigures(ctx, tx, p, loc); err != nil {
			return nil, internal(action, err)
		}
	}
	if financial {
		if d.Financial, err = financialFigures(ctx, tx, p); err != nil {
			return nil, internal(action, err)
		}
	}
	return d, nil
}

// counted reports whether an appointment in status st counts as one: a
// cancelled one or a sync loser does not.
func counted(st app.AppointmentStatus) bool {
	return st != app.AppointmentCancelled && st != app.AppointmentConflict
}

// booked reports whether an appointment in status st held the doctor's
// time.
func booked(st app.AppointmentStatus) bool {
	return st == app.AppointmentConfirmed || st == app.AppointmentCheckedIn || st == app.AppointmentCompleted ||
		st == app.AppointmentNoShow
}

// statusCounts lists every status, in workflow order, with its count.
func statusCounts(m map[app.AppointmentStatus]int) []app.StatusCount {
	out := make([]app.StatusCount, len(app.AppointmentStatuses))
	for i, st := range app.AppointmentStatuses {
		out[i] = app.StatusCount{Status: st, Count: m[st]}
	}
	return out
}

// noShowRate is no-shows over the appointments whose patient came or not.
func noShowRate(m map[app.AppointmentStatus]int) float64 {
	seen := m[app.AppointmentCheckedIn] + m[app.AppointmentCompleted] + m[app.AppointmentNoShow]
	if seen == 0 {
		return 0
	}
	return float64(m[app.AppointmentNoShow]) / float64(seen)
}

// clinicalFigures are the patients' and appointments' figures of p.
func clinicalFigures(ctx context.Context, q rowQuerier, p app.Period, loc *time.Location) (*app.ClinicalFigures, error) {
	from, to := p.From.String(), p.To.String()
	f := &app.ClinicalFigures{}
	if err := q.QueryRowContext(ctx, figPatientsSQL, from, to).Scan(&f.PatientsTotal, &f.PatientsNew); err != nil {
		return nil, fmt.Errorf("patients: %w", err)
	}
	doctors, err := doctorFigures(ctx, q, p, loc, "")
	if err != nil {
		return nil, err
	}
	all := map[app.AppointmentStatus]int{}
	for _, d := range doctors {
		for _, sc := range d.ByStatus {
			all[sc.Status] += sc.Count
		}
		f.Doctors = append(f.Doctors, *d)
	}
	f.Appointments = statusCounts(all)
	for st, n := range all {
		if counted(st) {
			f.AppointmentsTotal += n
		}
	}
	f.NoShowRate = noShowRate(all)
	if f.Reminded, f.NotReminded, err = remindedNoShows(ctx, q, p, loc); err != nil {
		return nil, err
	}
	return f, nil
}

// figRemindedSQL: the appointments starting in [from, to) whose patient
// came or did not, by status and whether a reminder went out for them.
const figRemindedSQL = `SELECT a.status, EXISTS (SELECT 1 FROM messages m JOIN message_attempts x ON x.message_id = m.id
		WHERE m.appointment_id = a.id AND m.kind = 'reminder' AND x.outcome = 'sent'), count(*)
	FROM appointments a WHERE a.start_at >= ? AND a.start_at < ? AND a.deleted_at IS NULL
		AND a.status IN ('checked_in', 'completed', 'no_show')
	GROUP BY 1, 2`

// remindedNoShows are the no-show rates of p's appointments with a
// reminder sent and without.
func remindedNoShows(ctx context.Context, q rowQuerier, p app.Period, loc *time.Location) (reminded, not app.NoShowFigure, err error) {
	from, to := p.From.At(0, loc).UTC(), p.To.At(0, loc).UTC()
	rows, err := q.QueryContext(ctx, figRemindedSQL, formatTime(from), formatTime(to))
	if err != nil {
		return reminded, not, fmt.Errorf("reminded appointments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st app.AppointmentStatus
		var wasReminded bool
		var n int
		if err := rows.Scan(&st, &wasReminded, &n); err != nil {
			return reminded, not, err
		}
		f := &not
		if wasReminded {
			f = &reminded
		}
		f.Seen += n
		if st == app.AppointmentNoShow {
			f.NoShows += n
		}
	}
	if err := rows.Err(); err != nil {
		return reminded, not, err
	}
	for _, f := range []*app.NoShowFigure{&reminded, &not} {
		if f.Seen > 0 {
			f.Rate = float64(f.NoShows) / float64(f.Seen)
		}
	}
	return reminded, not, nil
}

// doctorFigures are the figures of p of every active doctor and of any
// other who had appointments in it, by name; of one doctor when doctorID
// is set.
func doctorFigures(ctx context.Context, q rowQuerier, p app.Period, loc *time.Location, doctorID string) ([]*app.DoctorFigures, error) {
	from, to := p.From.String(), p.To.String()
	byID := map[string]*app.DoctorFigures{}
	counts := map[string]map[app.AppointmentStatus]int{}
	get := func(id string) *app.DoctorFigures {
		if byID[id] == nil {
			byID[id] = &app.DoctorFigures{DoctorID: id}
			counts[id] = map[app.AppointmentStatus]int{}
		}
		return byID[id]
	}
	docQuery := figDoctorsSQL
	apptQuery := figAppointmentsSQL
	docArgs, apptArgs := []any{}, []any{from, to}
	if doctorID != "" {
		docQuery += ` AND id = ?`
		apptQuery += ` AND doctor_id = ?`
		docArgs, apptArgs = append(docArgs, doctorID), append(apptArgs, doctorID)
	}
	rows, err := q.QueryContext(ctx, apptQuery+` GROUP BY doctor_id, status`, apptArgs...)
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st app.AppointmentStatus
		var n, minutes int
		if err := rows.Scan(&id, &st, &n, &minutes); err != nil {
			return nil, err
		}
		d := get(id)
		counts[id][st] += n
		if booked(st) {
			d.BookedMinutes += minutes
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names, err := q.QueryContext(ctx, docQuery, docArgs...)
	if err != nil {
		return nil, fmt.Errorf("doctors: %w", err)
	}
	defer names.Close()
	for names.Next() {
		var id, name string
		var active bool
		if err := names.Scan(&id, &name, &active); err != nil {
			return nil, err
		}
		if active || byID[id] != nil {
			get(id).DoctorName = name
		}
	}
	if err := names.Err(); err != nil {
		return nil, err
	}
	names.Close()
	out := make([]*app.DoctorFigures, 0, len(byID))
	for id, d := range byID {
		m := counts[id]
		d.ByStatus = statusCounts(m)
		for st, n := range m {
			if counted(st) {
				d.Appointments += n
			}
		}
		d.NoShows = m[app.AppointmentNoShow]
		if d.AvailableMinutes, err = availableMinutes(ctx, q, id, p, loc); err != nil {
			return nil, err
		}
		if d.AvailableMinutes > 0 {
			d.Utilization = float64(d.BookedMinutes) / float64(d.AvailableMinutes)
		}
		if d.DoctorName == "" {
			d.DoctorName = "(unknown doctor)"
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *app.DoctorFigures) int {
		return cmp.Or(strings.Compare(a.DoctorName, b.DoctorName), strings.Compare(a.DoctorID, b.DoctorID))
	})
	return out, nil
}

// hoursVersion is a doctor's weekly hours as they stood from one change to
// the next.
type hoursVersion struct {
	from, until string // UTC; until "" while in force
	block       app.Availability
}

// availableMinutes is how long a doctor's hours were in p: each day's
// weekly hours as they stood at the end of that day (before the first
// hours were entered, the first ones), less leave, plus extra sessions,
// as app.DayPeriods works them out.
func availableMinutes(ctx context.Context, q rowQuerier, doctorID string, p app.Period, loc *time.Location) (int, error) {
	rows, err := q.QueryContext(ctx, figHoursSQL, doctorID)
	if err != nil {
		return 0, fmt.Errorf("hours: %w", err)
	}
	var versions []hoursVersion
	first := ""
	for rows.Next() {
		var v hoursVersion
		var wd int
		if err := rows.Scan(&wd, &v.block.Start, &v.block.End, &v.block.SlotMinutes, &v.from, &v.until); err != nil {
			rows.Close()
			return 0, err
		}
		v.block.Weekday = time.Weekday(wd)
		versions = append(versions, v)
		if first == "" || v.from < first {
			first = v.from
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	exceptions, err := exceptionsOf(ctx, q, `e.doctor_id = ? AND e.date >= ? AND e.date < ?`, doctorID, p.From.String(), p.To.String())
	if err != nil {
		return 0, fmt.Errorf("exceptions: %w", err)
	}
	byDate := map[string][]app.AvailabilityException{}
	for _, e := range exceptions {
		byDate[e.Date] = append(byDate[e.Date], e)
	}
	// A day of 24 hours without exceptions has the minutes of the last such
	// weekday with the same blocks: computed once (a year is 365 days).
	type memoKey struct {
		weekday time.Weekday
		blocks  uint64 // which versions apply, as bits
	}
	memo := map[memoKey]int{}
	total := 0
	var weekly []app.Availability
	for day := p.From; day != p.To; day = day.AddDays(1) {
		start, end := day.Bounds(loc)
		at := max(formatTime(end), first)
		key := memoKey{weekday: day.Weekday()}
		weekly = weekly[:0]
		for i, v := range versions {
			if v.block.Weekday == key.weekday && v.from <= at && (v.until == "" || v.until > at) {
				weekly = append(weekly, v.block)
				key.blocks |= 1 << (i % 64)
			}
		}
		exc := byDate[day.String()]
		if len(weekly) == 0 && len(exc) == 0 {
			continue
		}
		cacheable := len(exc) == 0 && len(versions) <= 64 && end.Sub(start) == 24*time.Hour
		if m, ok := memo[key]; ok && cacheable {
			total += m
			continue
		}
		m := 0
		for _, wp := range app.DayPeriods(day, loc, weekly, exc) {
			m += int(wp.End.Sub(wp.Start) / time.Minute)
		}
		if cacheable {
			memo[key] = m
		}
		total += m
	}
	return total, nil
}

// financialFigures are the money figures of p.
func financialFigures(ctx context.Context, q rowQuerier, p app.Period) (*app.FinancialFigures, error) {
	from, to := p.From.String(), p.To.String()
	settings, err := readSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	f := &app.FinancialFigures{Currency: settings.Currency}
	if err := q.QueryRowContext(ctx, figRevenueSQL, from, to).Scan(&f.Invoices, &f.Revenue); err != nil {
		return nil, fmt.Errorf("revenue: %w", err)
	}
	methods := map[app.PaymentMethod]*app.MethodTotal{}
	rows, err := q.QueryContext(ctx, figPaymentsSQL, from, to)
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m app.MethodTotal
		if err := rows.Scan(&m.Method, &m.Count, &m.Taken, &m.Refunded); err != nil {
			return nil, err
		}
		methods[m.Method] = &m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, m := range app.PaymentMethods {
		mt := app.MethodTotal{Method: m}
		if got := methods[m]; got != nil {
			mt = *got
		}
		f.Payments = append(f.Payments, mt)
		f.Taken += mt.Taken
		f.Refunded += mt.Refunded
	}
	f.NetTaken = f.Taken - f.Refunded
	// Every invoice not void is paid at most its total, so the balance of the
	// unpaid ones is what all were invoiced less all that was paid.
	var invoiced, allocated app.Money
	if err := q.QueryRowContext(ctx, figOutstandingSQL).
		Scan(&invoiced, &allocated, &f.OutstandingInvoices); err != nil {
		return nil, fmt.Errorf("outstanding: %w", err)
	}
	f.Outstanding = invoiced - allocated
	if f.TopServices, err = serviceRevenue(ctx, q, p, "", app.TopServicesLimit); err != nil {
		return nil, err
	}
	if f.Doctors, err = doctorRevenue(ctx, q, p); err != nil {
		return nil, err
	}
	return f, nil
}

// serviceRevenue ranks the services of p by revenue, at most limit (0: all),
// of one doctor when doctorID is set.
func serviceRevenue(ctx context.Context, q rowQuerier, p app.Period, doctorID string, limit int) ([]app.ServiceFigure, error) {
	query := figServicesSQL
	args := []any{p.From.String(), p.To.String()}
	if doctorID != "" {
		query += ` AND doctor_id = ?`
		args = append(args, doctorID)
	}
	query += ` GROUP BY code HAVING sum(amount) <> 0 OR sum(quantity) <> 0 ORDER BY sum(amount) DESC, code`
	if limit > 0 {
		query += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	var out []app.ServiceFigure
	for rows.Next() {
		var sf app.ServiceFigure
		if err := rows.Scan(&sf.Code, &sf.Kind, &sf.Quantity, &sf.Revenue); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, sf)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Name, err = serviceName(ctx, q, out[i].Code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// serviceName is the current name of a price list code; lines typed
// without one are "Other items".
func serviceName(ctx context.Context, q rowQuerier, code string) (string, error) {
	if code == "" {
		return "Other items", nil
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM price_items WHERE code = ? ORDER BY valid_from DESC LIMIT 1`, code).Scan(&name)
	if err == sql.ErrNoRows {
		return code, nil
	}
	return name, err
}

// doctorRevenue is the revenue of p per doctor, by revenue.
func doctorRevenue(ctx context.Context, q rowQuerier, p app.Period) ([]app.DoctorRevenue, error) {
	rows, err := q.QueryContext(ctx, figDoctorRevenueSQL, p.From.String(), p.To.String())
	if err != nil {
		return nil, fmt.Errorf("revenue per doctor: %w", err)
	}
	defer rows.Close()
	var out []app.DoctorRevenue
	for rows.Next() {
		var d app.DoctorRevenue
		if err := rows.Scan(&d.DoctorID, &d.DoctorName, &d.Revenue); err != nil {
			return nil, err
		}
		if d.DoctorID == "" {
			d.DoctorName = "No doctor"
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DoctorDashboard implements app.DashboardService: a doctor's own, or any
// doctor's for an admin. It shows clinical data (active prescriptions and
// problems, report titles), so each view is audited.
func (s *DashboardService) DoctorDashboard(ctx context.Context, doctorID string) (*app.DoctorDashboard, error) {
	const action = "dashboard.doctor"
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "users", doctorID, "", app.CanSeeDoctorDashboard(c, doctorID)); err != nil {
		return nil, err
	}
	loc, err := s.db.dashboardZone(ctx)
	if err != nil {
		return nil, internal(action, err)
	}
	doc, err := findDoctor(ctx, s.db.r, doctorID)
	if err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			return nil, err
		}
		return nil, internal(action, err)
	}
	now := s.db.now().UTC()
	today := app.DayOf(now, loc)
	d := &app.DoctorDashboard{DoctorID: doctorID, DoctorName: doc.name, Today: today}
	from, to := today.Bounds(loc)
	if d.Appointments, err = scanAppointments(s.db.r.QueryContext(ctx, doctorRangeSQL, doctorID, formatTime(from), formatTime(to))); err != nil {
		return nil, internal(action, err)
	}
	if d.Patients, err = activePatients(ctx, s.db.r, doctorID); err != nil {
		return nil, internal(action, err)
	}
	var seen sql.NullString
	err = s.db.r.QueryRowContext(ctx, `SELECT reports_seen_at FROM dashboard_seen WHERE user_id = ?`, doctorID).Scan(&seen)
	if err != nil && err != sql.ErrNoRows {
		return nil, internal(action, err)
	}
	d.AttachmentsSeenAt = parseNullTime(seen)
	if d.NewAttachments, err = newAttachments(ctx, s.db.r, doctorID, seen.String); err != nil {
		return nil, internal(action, err)
	}
	if d.Month, err = app.PeriodContaining(app.PeriodMonth, today); err != nil {
		return nil, err
	}
	figs, err := doctorFigures(ctx, s.db.r, d.Month, loc, doctorID)
	if err != nil {
		return nil, internal(action, err)
	}
	if len(figs) > 0 {
		d.MonthFigure = *figs[0]
	} else {
		d.MonthFigure = app.DoctorFigures{DoctorID: doctorID, DoctorName: doc.name, ByStatus: statusCounts(nil)}
	}
	err = s.db.write(ctx, action, func(tx *Tx) error {
		tx.Audit(action, "users", doctorID, "", fmt.Sprintf("%d appointments today, %d patients in treatment, %d new reports",
			len(d.Appointments), len(d.Patients), len(d.NewAttachments)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// activePatients are the patients a doctor is in charge of who have an
// active prescription or problem, by name.
func activePatients(ctx context.Context, q rowQuerier, doctorID string) ([]*app.ActivePatient, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM (
		SELECT a.patient_id, trim(p.given_name || ' ' || p.family_name) AS name, p.mrn, a.reason, a.start_date,
			(SELECT count(*) FROM prescriptions rx WHERE rx.patient_id = a.patient_id
				AND NOT EXISTS (SELECT 1 FROM prescription_status_events e
					WHERE e.prescription_id = rx.id AND e.status <> 'active')) AS rx,
			(SELECT count(*) FROM problems pr WHERE pr.patient_id = a.patient_id AND pr.status = 'active'
				AND pr.deleted_at IS NULL) AS problems
		FROM assignments a JOIN patients p ON p.id = a.patient_id
		WHERE a.doctor_id = ? AND a.status = 'active' AND a.deleted_at IS NULL AND p.deleted_at IS NULL)
		WHERE rx > 0 OR problems > 0 ORDER BY name, patient_id`, doctorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.ActivePatient
	for rows.Next() {
		var p app.ActivePatient
		if err := rows.Scan(&p.PatientID, &p.PatientName, &p.PatientMRN, &p.Reason, &p.Since,
			&p.ActivePrescriptions, &p.ActiveProblems); err != nil {
			return nil, err
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// newReports are the reports attached to the doctor's patients (active
// treatments) after seen ("" for ever), newest first.
func newAttachments(ctx context.Context, q rowQuerier, doctorID, seen string) ([]*app.NewAttachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentColumns+`, trim(p.given_name || ' ' || p.family_name), p.mrn
		FROM assignments a JOIN reports r ON r.patient_id = a.patient_id JOIN patients p ON p.id = a.patient_id
		WHERE a.doctor_id = ? AND a.status = 'active' AND a.deleted_at IS NULL AND r.deleted_at IS NULL AND r.created_at > ?
		ORDER BY r.created_at DESC, r.id DESC LIMIT 200`, doctorID, seen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.NewAttachment
	for rows.Next() {
		var n app.NewAttachment
		r, err := scanAttachment(&tailScanner{rows: rows, tail: []any{&n.PatientName, &n.PatientMRN}})
		if err != nil {
			return nil, err
		}
		n.Attachment = r
		out = append(out, &n)
	}
	return out, rows.Err()
}

// tailScanner scans a row whose first columns a scan function reads and
// whose last ones go to tail.
type tailScanner struct {
	rows *sql.Rows
	tail []any
}

func (t *tailScanner) Scan(dest ...any) error { return t.rows.Scan(append(dest, t.tail...)...) }

// MarkAttachmentsSeen implements app.DashboardService.
func (s *DashboardService) MarkAttachmentsSeen(ctx context.Context) error {
	const action = "dashboard.reports_seen"
	return s.db.write(ctx, action, func(tx *Tx) error {
		if err := tx.Require(app.PermViewOwnStats); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_seen (user_id, reports_seen_at) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET reports_seen_at = excluded.reports_seen_at`, tx.caller.UserID, formatTime(tx.now))
		if err != nil {
			return err
		}
		tx.Audit(action, "users", tx.caller.UserID, "", "")
		return nil
	})
}
