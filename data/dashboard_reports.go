package data

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"hms/app"
	"hms/app/charts"
	"hms/app/i18n"
	"hms/app/pdf"
)

// Chart sizes, in pixels: what the PDF reports print, at the charts' DPI.
const (
	reportChartW = 900
	reportChartH = 320
)

// Series implements app.DashboardService.
func (s *DashboardService) Series(ctx context.Context, kind app.SeriesKind, p app.Period) (*app.Series, error) {
	const action = "dashboard.series"
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "", "", "", app.CanSeeSeries(c, kind)); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	loc, err := s.db.dashboardZone(ctx)
	if err != nil {
		return nil, internal(action, err)
	}
	out, err := series(ctx, s.db.r, kind, p, loc)
	if err != nil {
		if app.ErrorCode(err) == app.EINVALID {
			return nil, err
		}
		return nil, internal(action, err)
	}
	return out, nil
}

// series reads one chart's data.
func series(ctx context.Context, q rowQuerier, kind app.SeriesKind, p app.Period, loc *time.Location) (*app.Series, error) {
	out := &app.Series{Kind: kind, Period: p}
	from, to := p.From.String(), p.To.String()
	if kind.Financial() {
		settings, err := readSettings(ctx, q)
		if err != nil {
			return nil, err
		}
		out.Currency = settings.Currency
	}
	switch kind {
	case app.SeriesAppointmentsPerDay:
		out.Title = "Appointments per day"
		byDay, err := sumBy(ctx, q, `SELECT day, sum(n) FROM dash_appointments WHERE day >= ? AND day < ?
			AND status NOT IN ('cancelled', 'conflict') GROUP BY day`, from, to)
		if err != nil {
			return nil, err
		}
		for d := p.From; d != p.To; d = d.AddDays(1) {
			out.Points = append(out.Points, app.Point{Label: d.String(), Key: d.String(), Value: byDay[d.String()]})
		}
	case app.SeriesRevenuePerMonth:
		out.Title = "Revenue per month"
		byMonth, err := sumBy(ctx, q, `SELECT substr(day, 1, 7), sum(amount) FROM dash_revenue WHERE day >= ? AND day < ?
			AND doctor_id = '' AND kind = '' AND code = '' GROUP BY 1`, from, to)
		if err != nil {
			return nil, err
		}
		for m := (app.Day{Year: p.From.Year, Month: p.From.Month, Day: 1}); m.String() < to; m = nextMonth(m) {
			key := m.String()[:7]
			out.Points = append(out.Points, app.Point{Label: key, Key: key, Value: byMonth[key]})
		}
	case app.SeriesAppointmentsPerDoctor:
		out.Title = "Appointments per doctor"
		docs, err := doctorFigures(ctx, q, p, loc, "")
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out.Points = append(out.Points, app.Point{Label: d.DoctorName, Key: d.DoctorID, Value: int64(d.Appointments)})
		}
		slices.SortStableFunc(out.Points, func(a, b app.Point) int { return int(b.Value - a.Value) })
	case app.SeriesRevenuePerDoctor:
		out.Title = "Revenue per doctor"
		docs, err := doctorRevenue(ctx, q, p)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out.Points = append(out.Points, app.Point{Label: d.DoctorName, Key: d.DoctorID, Value: int64(d.Revenue)})
		}
	case app.SeriesRevenuePerService:
		out.Title = "Revenue per service"
		services, err := serviceRevenue(ctx, q, p, "", 0)
		if err != nil {
			return nil, err
		}
		for _, sf := range services {
			out.Points = append(out.Points, app.Point{Label: sf.Name, Key: sf.Code, Value: int64(sf.Revenue)})
		}
	default:
		return nil, app.FieldErrorf("kind", "Unknown chart %q.", kind)
	}
	return out, nil
}

// sumBy reads (key, sum) rows into a map.
func sumBy(ctx context.Context, q rowQuerier, query string, args ...any) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func nextMonth(d app.Day) app.Day {
	t := time.Date(d.Year, d.Month+1, 1, 12, 0, 0, 0, time.UTC)
	return app.Day{Year: t.Year(), Month: t.Month(), Day: 1}
}

// ReportTable implements app.DashboardService.
func (s *DashboardService) ReportTable(ctx context.Context, r app.ReportRequest) (*app.Table, error) {
	t, _, err := s.report(ctx, "dashboard.report", r)
	return t, err
}

// report checks the caller may read the report (auditing a denial) and
// builds its table.
func (s *DashboardService) report(ctx context.Context, action string, r app.ReportRequest) (*app.Table, *time.Location, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "", "", r.PatientID, app.CanSeeReport(c, r.Kind)); err != nil {
		return nil, nil, err
	}
	if r.Kind != app.ReportOutstanding {
		if err := r.Period.Validate(); err != nil {
			return nil, nil, err
		}
	}
	loc, err := s.db.dashboardZone(ctx)
	if err != nil {
		return nil, nil, internal(action, err)
	}
	b := &reportBuilder{ctx: ctx, db: s.db, q: s.db.r, loc: loc, now: s.db.now()}
	if b.settings, err = readSettings(ctx, s.db.r); err != nil {
		return nil, nil, internal(action, err)
	}
	var t *app.Table
	switch r.Kind {
	case app.ReportAppointments:
		t, err = b.appointments(r)
	case app.ReportRevenue:
		t, err = b.revenue(r)
	case app.ReportOutstanding:
		t, err = b.outstanding()
	case app.ReportNewPatients:
		t, err = b.newPatients(r)
	case app.ReportAuditLog:
		t, err = b.auditLog(r)
	case app.ReportMorbidity:
		t, err = b.morbidity(r)
	}
	if err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND || app.ErrorCode(err) == app.EINVALID {
			return nil, nil, err
		}
		return nil, nil, internal(action, err)
	}
	return t, loc, nil
}

// reportBuilder builds the reports' tables.
type reportBuilder struct {
	ctx      context.Context
	db       *DB
	q        rowQuerier
	loc      *time.Location
	now      time.Time
	settings *app.Settings
}

func (b *reportBuilder) money(m app.Money) string {
	return app.FormatAmount(m, app.CurrencyDigits(b.settings.Currency))
}

func (b *reportBuilder) localTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.loc).Format(layout)
}

// doctorName names the doctor a report is filtered by: "" for every doctor.
func (b *reportBuilder) doctorName(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	d, err := findDoctor(b.ctx, b.q, id)
	if err != nil {
		return "", err
	}
	return d.name, nil
}

func (b *reportBuilder) appointments(r app.ReportRequest) (*app.Table, error) {
	name, err := b.doctorName(r.DoctorID)
	if err != nil {
		return nil, err
	}
	start, end := r.Period.Bounds(b.loc)
	query := `SELECT ` + appointmentColumns + appointmentFrom + ` WHERE a.start_at >= ? AND a.start_at < ? AND a.deleted_at IS NULL`
	args := []any{formatTime(start), formatTime(end)}
	if r.DoctorID != "" {
		query += ` AND a.doctor_id = ?`
		args = append(args, r.DoctorID)
	}
	list, err := scanAppointments(b.q.QueryContext(b.ctx, query+` ORDER BY a.start_at, a.id`, args...))
	if err != nil {
		return nil, err
	}
	t := app.NewTable(i18n.Nf("Appointments"), describePeriod(r.Period, plain(name)),
		i18n.Nf("Date"), i18n.Nf("Time"), i18n.Nf("Doctor"), i18n.Nf("Patient"), i18n.Nf("Record no."), i18n.Nf("Status"),
		i18n.Nf("Minutes"), i18n.Nf("Reason"))
	count, minutes := 0, 0
	for _, a := range list {
		t.AddRow(b.localTime(a.Start, app.DateLayout), b.localTime(a.Start, "15:04"), a.DoctorName,
			a.PatientName, a.PatientMRN, app.Word(a.Status.Label()), strconv.Itoa(a.Minutes()), a.Reason)
		if counted(a.Status) {
			count++
			minutes += a.Minutes()
		}
	}
	t.SetFooter(i18n.Nf("Total"), i18n.Text{}, i18n.Text{}, i18n.Nf("%d appointments", count), i18n.Text{}, i18n.Nf("(not cancelled)"),
		plain(strconv.Itoa(minutes)), i18n.Text{})
	return t, nil
}

func (b *reportBuilder) revenue(r app.ReportRequest) (*app.Table, error) {
	name, err := b.doctorName(r.DoctorID)
	if err != nil {
		return nil, err
	}
	query := `SELECT r.day, coalesce(u.full_name, ''), r.code, r.kind, sum(r.quantity), sum(r.amount)
		FROM dash_revenue r LEFT JOIN users u ON u.id = r.doctor_id WHERE r.day >= ? AND r.day < ? AND r.kind <> ''`
	args := []any{r.Period.From.String(), r.Period.To.String()}
	if r.DoctorID != "" {
		query += ` AND r.doctor_id = ?`
		args = append(args, r.DoctorID)
	}
	rows, err := b.q.QueryContext(b.ctx, query+` GROUP BY r.day, r.doctor_id, r.kind, r.code
		HAVING sum(r.quantity) <> 0 OR sum(r.amount) <> 0 ORDER BY r.day, 2, r.code, r.kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := app.NewTable(i18n.Nf("Revenue"), describePeriod(r.Period, plain(name)),
		i18n.Nf("Date"), i18n.Nf("Doctor"), i18n.Nf("Code"), i18n.Nf("Service"), i18n.Nf("Kind"), i18n.Nf("Quantity"),
		i18n.Nf("Amount (%s)", b.settings.Currency))
	type line struct {
		day, doctor, code, kind string
		qty                     int64
		amount                  app.Money
	}
	var lines []line
	for rows.Next() {
		var l line
		if err := rows.Scan(&l.day, &l.doctor, &l.code, &l.kind, &l.qty, &l.amount); err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names := map[string]string{}
	var qty int64
	var total app.Money
	for _, l := range lines {
		if _, ok := names[l.code]; !ok {
			if names[l.code], err = serviceName(b.ctx, b.q, l.code); err != nil {
				return nil, err
			}
		}
		var doctor any = l.doctor
		if l.doctor == "" {
			doctor = i18n.Nf("No doctor")
		}
		kind := app.Coded{Code: l.kind, Word: app.Word(app.PriceKind(l.kind).Label())}
		t.AddRow(l.day, doctor, l.code, names[l.code], kind, strconv.FormatInt(l.qty, 10), b.money(l.amount))
		qty += l.qty
		total += l.amount
	}
	t.SetFooter(i18n.Nf("Total"), i18n.Text{}, i18n.Text{}, i18n.Text{}, i18n.Text{}, plain(strconv.FormatInt(qty, 10)), plain(b.money(total)))
	return t, nil
}

func (b *reportBuilder) outstanding() (*app.Table, error) {
	today := app.DayOf(b.now, b.loc)
	t := app.NewTable(i18n.Nf("Outstanding invoices"), i18n.Nf("On %s", today.String()),
		i18n.Nf("Invoice"), i18n.Nf("Issued"), i18n.Nf("Patient"), i18n.Nf("Record no."), i18n.Nf("Total"), i18n.Nf("Paid"),
		i18n.Nf("Balance"), i18n.Nf("Age (days)"))
	var sum app.Money
	curAt, curID := "", ""
	for {
		page, err := outstandingPage(b.ctx, b.q, b.now, curAt, curID, 1000)
		if err != nil {
			return nil, err
		}
		for _, inv := range page {
			balance := inv.Totals.Total - inv.Paid
			t.Rows = append(t.Rows, []string{inv.Number, b.localTime(inv.IssuedAt, app.DateLayout), inv.PatientName, inv.PatientMRN,
				b.money(inv.Totals.Total), b.money(inv.Paid), b.money(balance), strconv.Itoa(inv.AgeDays)})
			sum += balance
		}
		if len(page) < 1000 {
			break
		}
		last := page[len(page)-1]
		curAt, curID = formatTime(last.IssuedAt), last.ID
	}
	t.SetFooter(i18n.Nf("Total"), i18n.Text{}, i18n.Nf("%d invoices", len(t.Rows)), i18n.Text{}, i18n.Text{}, i18n.Text{}, plain(b.money(sum)), i18n.Text{})
	return t, nil
}

func (b *reportBuilder) newPatients(r app.ReportRequest) (*app.Table, error) {
	start, end := r.Period.Bounds(b.loc)
	rows, err := b.q.QueryContext(b.ctx, newPatientsSQL, formatTime(start), formatTime(end), "", "")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := app.NewTable(i18n.Nf("New patients"), describePeriod(r.Period),
		i18n.Nf("Registered"), i18n.Nf("Record no."), i18n.Nf("Given name"), i18n.Nf("Family name"), i18n.Nf("Sex"),
		i18n.Nf("Birth date"), i18n.Nf("Phone"), i18n.Nf("Email"))
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return nil, err
		}
		t.AddRow(b.localTime(p.CreatedAt, app.DateLayout), p.MRN, p.GivenName, p.FamilyName,
			sexCell(p.Sex), p.BirthDate, p.Phone, p.Email)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.SetFooter(i18n.Nf("Total"), i18n.Nf("%d patients", len(t.Rows)), i18n.Text{}, i18n.Text{}, i18n.Text{}, i18n.Text{}, i18n.Text{}, i18n.Text{})
	return t, nil
}

func (b *reportBuilder) auditLog(r app.ReportRequest) (*app.Table, error) {
	start, end := r.Period.Bounds(b.loc)
	where, args := []string{"at >= ? AND at < ?"}, []any{formatTime(start), formatTime(end)}
	var filters []i18n.Text
	if u := strings.TrimSpace(r.Username); u != "" {
		where, args = append(where, "username = ?"), append(args, u)
		filters = append(filters, i18n.Nf("user %s", u))
	}
	if r.PatientID != "" {
		var mrn string
		if err := b.q.QueryRowContext(b.ctx, `SELECT mrn FROM patients WHERE id = ?`, r.PatientID).Scan(&mrn); err != nil {
			return nil, app.Errorf(app.ENOTFOUND, "There is no such patient.")
		}
		// patient_id <> '' lets SQLite use the partial index audit_log_patient.
		where, args = append(where, "patient_id = ? AND patient_id <> ''"), append(args, r.PatientID)
		filters = append(filters, i18n.Nf("patient %s", mrn))
	}
	rows, err := b.q.QueryContext(b.ctx, `SELECT seq, at, username, role, action, entity, entity_id, patient_id, outcome, detail
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := app.NewTable(i18n.Nf("Audit log"), describePeriod(r.Period, filters...),
		i18n.Nf("No."), i18n.Nf("Time"), i18n.Nf("User"), i18n.Nf("Role"), i18n.Nf("Action"), i18n.Nf("Record"),
		i18n.Nf("Record id"), i18n.Nf("Patient id"), i18n.Nf("Outcome"), i18n.Nf("Detail"))
	for rows.Next() {
		var seq int64
		var at, user, role, act, entity, entityID, patientID, outcome, detail string
		if err := rows.Scan(&seq, &at, &user, &role, &act, &entity, &entityID, &patientID, &outcome, &detail); err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, []string{strconv.FormatInt(seq, 10), b.localTime(parseTime(at), "2006-01-02 15:04:05"),
			user, role, act, entity, entityID, patientID, outcome, detail})
	}
	return t, rows.Err()
}

// describePeriod is a period and its filters as a report's subtitle shows
// them.
func describePeriod(p app.Period, filters ...i18n.Text) i18n.Text {
	parts := []i18n.Text{plain(p.String())}
	for _, f := range filters {
		if f.String() != "" {
			parts = append(parts, f)
		}
	}
	return i18n.Join(" · ", parts...)
}

// plain is text with no words to translate (a name, a number, a date) as
// a Text.
// sexCell is a patient's sex in a report's row: its code in the CSV, its
// word on a screen or a document.
func sexCell(s app.Sex) app.Coded {
	if s == "" {
		return app.Coded{}
	}
	return app.Coded{Code: string(s), Word: app.Word(s.Label())}
}

func plain(s string) i18n.Text { return i18n.Text{Format: "%s", Args: []any{s}} }

// exportAudit records an export in the audit log.
func (s *DashboardService) exportAudit(ctx context.Context, action, format string, r app.ReportRequest, t *app.Table) error {
	return s.db.write(ctx, action, func(tx *Tx) error {
		tx.Audit(action, "", "", r.PatientID, fmt.Sprintf("%s report as %s: %s, %d rows", r.Kind, format, t.Subtitle, len(t.Rows)))
		return nil
	})
}

// ExportCSV implements app.DashboardService.
func (s *DashboardService) ExportCSV(ctx context.Context, r app.ReportRequest, w io.Writer) error {
	const action = "dashboard.export_csv"
	t, _, err := s.report(ctx, action, r)
	if err != nil {
		return err
	}
	if err := s.exportAudit(ctx, action, "CSV", r, t); err != nil {
		return err
	}
	return WriteCSV(w, t)
}

// WriteCSV writes a table as RFC 4180 CSV: UTF-8 with a byte order mark
// (so that spreadsheets read accents right), CRLF line ends, fields with
// commas, quotes or line breaks quoted, then the totals row; a cell that a
// spreadsheet would run as a formula is neutralised (app.CSVCell).
func WriteCSV(w io.Writer, t *app.Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(t.Columns); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for _, row := range t.Rows {
		if err := cw.Write(app.CSVRow(row)); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	if len(t.Footer) > 0 {
		if err := cw.Write(app.CSVRow(t.Footer)); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// reportChart is the series a report prints above its table, if any.
func reportChart(kind app.ReportKind) app.SeriesKind {
	switch kind {
	case app.ReportAppointments:
		return app.SeriesAppointmentsPerDay
	case app.ReportRevenue:
		return app.SeriesRevenuePerService
	}
	return ""
}

// ExportPDF implements app.DashboardService. The chart is drawn by the
// same code as the dashboard's.
func (s *DashboardService) ExportPDF(ctx context.Context, r app.ReportRequest) ([]byte, error) {
	const action = "dashboard.export_pdf"
	t, loc, err := s.report(ctx, action, r)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal(action, err)
	}
	var chart []byte
	if kind := reportChart(r.Kind); kind != "" && r.DoctorID == "" {
		sr, err := series(ctx, s.db.r, kind, r.Period, loc)
		if err != nil {
			return nil, internal(action, err)
		}
		if chart, err = charts.Bars(sr, reportChartW, reportChartH); err != nil {
			return nil, internal(action, err)
		}
	}
	c, _ := app.CallerFromContext(ctx)
	lang, err := readerLang(ctx, s.db.r, c)
	if err != nil {
		return nil, internal(action, err)
	}
	out, err := pdf.Report(settings, t, chart, s.db.now(), loc, lang)
	if err != nil {
		return nil, internal(action, err)
	}
	if err := s.exportAudit(ctx, action, "PDF", r, t); err != nil {
		return nil, err
	}
	return out, nil
}
