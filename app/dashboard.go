package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"hms/app/i18n"
)

// PeriodKind names how a dashboard period was chosen.
type PeriodKind string

// The periods the dashboard offers.
const (
	PeriodToday  PeriodKind = "today"
	PeriodWeek   PeriodKind = "week"  // Monday to Sunday
	PeriodMonth  PeriodKind = "month" // the calendar month
	PeriodYear   PeriodKind = "year"  // the calendar year
	PeriodCustom PeriodKind = "custom"
)

// MaxPeriodDays bounds a custom period: ten years.
const MaxPeriodDays = 3660

// Period is a run of whole days in the clinic's time zone, From up to but
// not including To. Its instants are local midnights, so a period that
// spans a daylight-saving change is a day of 23 or 25 hours longer or
// shorter, never cut in the middle of a day.
type Period struct {
	Kind     PeriodKind
	From, To Day // To is exclusive
}

// PeriodContaining is the period of kind that contains day: the day
// itself, its Monday-to-Sunday week, its month or its year. A custom kind
// is refused: use CustomPeriod.
func PeriodContaining(kind PeriodKind, day Day) (Period, error) {
	switch kind {
	case PeriodToday:
		return Period{kind, day, day.AddDays(1)}, nil
	case PeriodWeek:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		from := day.AddDays(-back)
		return Period{kind, from, from.AddDays(7)}, nil
	case PeriodMonth:
		from := Day{day.Year, day.Month, 1}
		next := time.Date(day.Year, day.Month+1, 1, 12, 0, 0, 0, time.UTC)
		return Period{kind, from, Day{next.Year(), next.Month(), 1}}, nil
	case PeriodYear:
		return Period{kind, Day{day.Year, time.January, 1}, Day{day.Year + 1, time.January, 1}}, nil
	}
	return Period{}, FieldErrorf("period", "Choose today, this week, this month, this year or a custom period.")
}

// CustomPeriod is the days from first to last, both included.
func CustomPeriod(first, last Day) (Period, error) {
	p := Period{PeriodCustom, first, last.AddDays(1)}
	return p, p.Validate()
}

// Validate checks that the period has at least one day and at most
// MaxPeriodDays.
func (p Period) Validate() error {
	switch n := p.Days(); {
	case p.From.Year < 1900 || p.To.Year > 2200:
		return FieldErrorf("period", "Choose dates between 1900 and 2200.")
	case n < 1:
		return FieldErrorf("period", "The period ends before it begins: choose the first day, then the last.")
	case n > MaxPeriodDays:
		return FieldErrorf("period", "The period is too long (at most ten years).")
	}
	return nil
}

// Days is how many calendar days the period has.
func (p Period) Days() int {
	a := time.Date(p.From.Year, p.From.Month, p.From.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(p.To.Year, p.To.Month, p.To.Day, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Round(24*time.Hour) / (24 * time.Hour))
}

// Last is the period's last day.
func (p Period) Last() Day { return p.To.AddDays(-1) }

// Bounds are the first instant of the period in loc and the first after it.
func (p Period) Bounds(loc *time.Location) (start, end time.Time) {
	start, _ = p.From.Bounds(loc)
	end, _ = p.To.Bounds(loc)
	return start, end
}

// String names the period as a reader of a report wants it: "2026-11-25",
// "2026-11-23 – 2026-11-29".
func (p Period) String() string {
	if p.Days() == 1 {
		return p.From.String()
	}
	return fmt.Sprintf("%s – %s", p.From, p.Last())
}

// StatusCount is how many appointments are in one status.
type StatusCount struct {
	Status AppointmentStatus
	Count  int
}

// DoctorFigures are one doctor's appointments in a period and how much of
// their available time was booked.
type DoctorFigures struct {
	DoctorID   string
	DoctorName string
	// ByStatus has every status, in AppointmentStatuses order.
	ByStatus     []StatusCount
	Appointments int // every status but cancelled and conflict
	NoShows      int
	// BookedMinutes are those of confirmed, checked-in, completed and
	// missed appointments: the time they held.
	BookedMinutes int
	// AvailableMinutes are the doctor's hours in the period as their
	// weekly hours (as they were then), leave and extra sessions make them.
	AvailableMinutes int
	// Utilization is BookedMinutes / AvailableMinutes; 0 when the doctor
	// had no hours. Bookings outside hours can take it above 1.
	Utilization float64
}

// ClinicalFigures are the dashboard's figures about patients and
// appointments (admins).
type ClinicalFigures struct {
	PatientsTotal int // registered by the period's end and not archived
	PatientsNew   int // registered in the period
	// Appointments has every status, in AppointmentStatuses order, for
	// appointments that start in the period.
	Appointments      []StatusCount
	AppointmentsTotal int // every status but cancelled and conflict
	// NoShowRate is no-shows over the appointments whose patient came or
	// did not (checked in, completed, no-show); 0 when there are none.
	NoShowRate float64
	// Reminded and NotReminded split NoShowRate by whether a reminder
	// was sent for the appointment (app/messages.go).
	Reminded, NotReminded NoShowFigure
	Doctors               []DoctorFigures // active doctors and any other who had appointments, by name
}

// NoShowFigure is the no-show rate of a group of appointments: no-shows
// over those whose patient came or did not.
type NoShowFigure struct {
	Seen    int // checked in, completed or no-show
	NoShows int
	Rate    float64 // NoShows / Seen; 0 when Seen is 0
}

// ServiceFigure is the revenue of one service (price list code).
type ServiceFigure struct {
	Code     string // "" for lines typed without a price list item
	Name     string // the price list's current name
	Kind     PriceKind
	Quantity int64
	Revenue  Money
}

// DoctorRevenue is the revenue attributed to a doctor: their appointments'
// invoices, or their own price list items. DoctorID "" is the rest.
type DoctorRevenue struct {
	DoctorID   string
	DoctorName string
	Revenue    Money
}

// FinancialFigures are the dashboard's money figures (admins and billing).
type FinancialFigures struct {
	Currency string
	// Revenue is the total of invoices issued in the period and not void.
	Revenue  Money
	Invoices int
	// Payments has every method, in PaymentMethods order: payments and
	// refunds taken in the period.
	Payments []MethodTotal
	Taken    Money
	Refunded Money
	NetTaken Money // Taken − Refunded
	// Outstanding is the balance of every issued, unpaid invoice now,
	// whatever the period.
	Outstanding         Money
	OutstandingInvoices int
	TopServices         []ServiceFigure // by revenue, at most TopServicesLimit
	Doctors             []DoctorRevenue // by revenue
}

// TopServicesLimit is how many services the dashboard ranks.
const TopServicesLimit = 10

// Dashboard is the admin dashboard of a period. Clinical is nil for a
// caller who may see only the financial part (billing), Financial for one
// who may not see money.
type Dashboard struct {
	Period    Period
	At        time.Time // when it was computed
	Clinical  *ClinicalFigures
	Financial *FinancialFigures
}

// ActivePatient is a patient a doctor is in charge of (an active
// assignment), with their active prescriptions and problems.
type ActivePatient struct {
	PatientID           string
	PatientName         string
	PatientMRN          string
	Reason              string // of the assignment
	Since               string // YYYY-MM-DD
	ActivePrescriptions int
	ActiveProblems      int
}

// NewAttachment is a report attached to one of the doctor's patients since
// they last looked.
type NewAttachment struct {
	Attachment  *Attachment
	PatientName string
	PatientMRN  string
}

// DoctorDashboard is a doctor's own dashboard.
type DoctorDashboard struct {
	DoctorID   string
	DoctorName string
	Today      Day
	// Appointments are today's, every status, by start.
	Appointments []*Appointment
	// Patients are those with an active treatment by the doctor that have
	// an active prescription or problem, by name.
	Patients []*ActivePatient
	// NewAttachments are reports attached to the doctor's patients after
	// AttachmentsSeenAt, newest first (at most 200); MarkAttachmentsSeen moves it.
	NewAttachments    []*NewAttachment
	AttachmentsSeenAt time.Time // zero when the doctor never looked
	// Month are the doctor's figures for the calendar month of today.
	Month       Period
	MonthFigure DoctorFigures
}

// DrillDown selects the list behind a dashboard figure, a page at a time.
// Fields that do not apply to a list are ignored.
type DrillDown struct {
	Period Period
	Status AppointmentStatus // appointments: "" for every status
	// Standing leaves out cancelled appointments and sync losers, as the
	// appointment figures count them (appointments; ignored with Status).
	Standing bool
	DoctorID string        // appointments, invoices: "" for every doctor
	Method   PaymentMethod // payments: "" for every method
	Code     string        // invoices: those with a line of this price list code
	Cursor   string        // Next of the previous page; "" for the first
	Limit    int           // default 50, at most 500
}

// Normalize applies the defaults and bounds of the page size.
func (d *DrillDown) Normalize() {
	if d.Limit <= 0 {
		d.Limit = 50
	}
	d.Limit = min(d.Limit, 500)
}

// PatientList is one page of the new patients of a period, oldest first.
type PatientList struct {
	Patients []*Patient
	Next     string
}

// InvoiceList is one page of invoices, oldest first.
type InvoiceList struct {
	Invoices []*Invoice
	Next     string
}

// PaymentList is one page of payments and refunds, oldest first.
type PaymentList struct {
	Payments []*Payment
	Next     string
}

// OutstandingList is one page of issued, unpaid invoices, oldest first.
type OutstandingList struct {
	Invoices []*OutstandingInvoice
	Next     string
}

// SeriesKind names a chart's data.
type SeriesKind string

// The dashboard's charts.
const (
	SeriesAppointmentsPerDay    SeriesKind = "appointments_per_day"
	SeriesAppointmentsPerDoctor SeriesKind = "appointments_per_doctor"
	SeriesRevenuePerMonth       SeriesKind = "revenue_per_month"
	SeriesRevenuePerDoctor      SeriesKind = "revenue_per_doctor"
	SeriesRevenuePerService     SeriesKind = "revenue_per_service"
)

// Financial reports whether the series is about money.
func (k SeriesKind) Financial() bool {
	return k == SeriesRevenuePerMonth || k == SeriesRevenuePerDoctor || k == SeriesRevenuePerService
}

// Point is one bar of a chart.
type Point struct {
	Label string // a day (YYYY-MM-DD), a month (YYYY-MM), a doctor's or a service's name
	Key   string // what the label names: the day, month, doctor id or service code
	Value int64  // a count, or money in minor units
}

// Series is a chart's data.
type Series struct {
	Kind     SeriesKind
	Title    string
	Period   Period
	Currency string // set when the values are money
	Points   []Point
}

// ReportKind names an exportable report.
type ReportKind string

// The reports.
const (
	ReportAppointments ReportKind = "appointments" // by period, optionally one doctor
	ReportRevenue      ReportKind = "revenue"      // by day, service and doctor
	ReportOutstanding  ReportKind = "outstanding"  // issued, unpaid invoices now
	ReportNewPatients  ReportKind = "new_patients"
	ReportAuditLog     ReportKind = "audit_log" // by user, patient and period
	// ReportMorbidity counts the coded diagnoses of a period by ICD
	// chapter, by code, and by code, age band and sex: the clinic's for
	// administrators, a doctor's own patients' for doctors.
	ReportMorbidity ReportKind = "morbidity"
)

// ReportKinds lists the reports in the order screens offer them.
var ReportKinds = []ReportKind{ReportAppointments, ReportRevenue, ReportOutstanding, ReportNewPatients, ReportAuditLog,
	ReportMorbidity}

// ReportRequest chooses a report and its filters.
type ReportRequest struct {
	Kind      ReportKind
	Period    Period // every report but ReportOutstanding
	DoctorID  string // appointments, revenue: "" for every doctor
	Username  string // audit log: "" for every user
	PatientID string // audit log: "" for every patient
}

// Table is a report as rows of text, the same for its CSV and its PDF.
// Title, Subtitle, Columns and Footer are English (the CSV, the command
// line, the audit log); Local holds the same as texts to translate, for a
// screen (NewTable and SetFooter fill both). Rows are the records' own
// values.
type Table struct {
	Title    string
	Subtitle string // the period and filters
	Columns  []string
	Rows     [][]string
	Footer   []string // totals, when the report has them
	Local    TableText
}

// In is t with its title, subtitle, columns and footer translated by text
// (a screen's or a document's language) from its Local texts; a table
// built without them stays as it is. The rows are the records' own values.
func (t *Table) In(text func(i18n.Text) string) *Table {
	c := *t
	if !t.Local.Title.IsZero() {
		c.Title = text(t.Local.Title)
	}
	if !t.Local.Subtitle.IsZero() {
		c.Subtitle = text(t.Local.Subtitle)
	}
	if len(t.Local.Columns) == len(t.Columns) && len(t.Columns) > 0 {
		c.Columns = make([]string, len(t.Columns))
		for i, x := range t.Local.Columns {
			c.Columns[i] = text(x)
		}
	}
	if len(t.Local.Cells) > 0 {
		c.Rows = slices.Clone(t.Rows)
		copied := map[int]bool{}
		for at, x := range t.Local.Cells {
			if at[0] >= len(c.Rows) || at[1] >= len(c.Rows[at[0]]) {
				continue
			}
			if !copied[at[0]] {
				c.Rows[at[0]] = slices.Clone(c.Rows[at[0]])
				copied[at[0]] = true
			}
			c.Rows[at[0]][at[1]] = text(x)
		}
	}
	if len(t.Local.Footer) == len(t.Footer) && len(t.Footer) > 0 {
		c.Footer = make([]string, len(t.Footer))
		for i, x := range t.Local.Footer {
			c.Footer[i] = text(x)
		}
	}
	return &c
}

// TableText is a Table's words as texts to translate (i18n.Text) where
// the table is shown; zero for a table built without them.
type TableText struct {
	Title, Subtitle i18n.Text
	Columns, Footer []i18n.Text
	// Cells are the rows' cells that are HMS's words rather than the
	// records' own values (a status, a kind, a sex, "No doctor"), by
	// {row, column}: AddRow fills them.
	Cells map[[2]int]i18n.Text
}

// Coded is a cell of a row that is a code in the CSV ("female") and a
// word on a screen or a document ("Female", "Γυναίκα").
type Coded struct {
	Code string
	Word i18n.Text
}

// AddRow appends a row to t. A cell is a string (a record's own value,
// shown as it is), an i18n.Text (a word of HMS's: English in Rows, the
// CSV's, and translated by In) or a Coded (its code in Rows, its word
// translated by In).
func (t *Table) AddRow(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case string:
			row[i] = v
		case i18n.Text:
			row[i] = v.String()
			t.localCell(len(t.Rows), i, v)
		case Coded:
			row[i] = v.Code
			if !v.Word.IsZero() {
				t.localCell(len(t.Rows), i, v.Word)
			}
		default:
			row[i] = fmt.Sprint(v)
		}
	}
	t.Rows = append(t.Rows, row)
}

func (t *Table) localCell(row, col int, x i18n.Text) {
	if t.Local.Cells == nil {
		t.Local.Cells = map[[2]int]i18n.Text{}
	}
	t.Local.Cells[[2]int{row, col}] = x
}

// Word is label (a key of the catalogues, marked with i18n.N where it is
// written) as a Text, a cell of a row that AddRow translates.
func Word(label string) i18n.Text { return i18n.Text{Format: label} }

// NewTable is a table with its title, subtitle and columns, in English
// and as texts to translate.
func NewTable(title, subtitle i18n.Text, columns ...i18n.Text) *Table {
	t := &Table{Title: title.String(), Subtitle: subtitle.String(), Columns: make([]string, len(columns)),
		Local: TableText{Title: title, Subtitle: subtitle, Columns: columns}}
	for i, c := range columns {
		t.Columns[i] = c.String()
	}
	return t
}

// SetFooter sets the table's footer (its totals), in English and as texts
// to translate; an empty cell is a zero Text.
func (t *Table) SetFooter(cells ...i18n.Text) {
	t.Footer = make([]string, len(cells))
	for i, c := range cells {
		t.Footer[i] = c.String()
	}
	t.Local.Footer = cells
}

// MaxPDFRows bounds the rows a report prints; the CSV has them all.
const MaxPDFRows = 5000

// DashboardService reads the dashboards, the lists behind their figures,
// the charts' data, and exports reports.
//
// Periods are whole days in the clinic's time zone (its settings).
// Permissions: admins see everything (stats.all and stats.financial);
// billing clerks the financial part only: money figures and series, the
// invoice, payment and outstanding lists and the revenue and outstanding
// reports; a doctor their own dashboard (stats.own); the audit log report
// needs audit.view. Everyone else, patients included, sees nothing.
type DashboardService interface {
	// Dashboard computes the admin dashboard of a period.
	Dashboard(ctx context.Context, p Period) (*Dashboard, error)
	// DoctorDashboard is a doctor's own dashboard for today; admins may
	// open any doctor's.
	DoctorDashboard(ctx context.Context, doctorID string) (*DoctorDashboard, error)
	// MarkAttachmentsSeen records that the calling doctor has looked at the
	// new reports, up to now.
	MarkAttachmentsSeen(ctx context.Context) error

	// ListAppointments lists the appointments that start in the period,
	// optionally of one status and doctor, by start (stats.all).
	ListAppointments(ctx context.Context, d DrillDown) (*AppointmentPage, error)
	// ListNewPatients lists the patients registered in the period (stats.all).
	ListNewPatients(ctx context.Context, d DrillDown) (*PatientList, error)
	// ListInvoices lists the invoices issued in the period and not void,
	// optionally of one doctor or with a line of one code (stats.financial).
	ListInvoices(ctx context.Context, d DrillDown) (*InvoiceList, error)
	// ListPayments lists the payments and refunds taken in the period,
	// optionally of one method (stats.financial).
	ListPayments(ctx context.Context, d DrillDown) (*PaymentList, error)
	// ListOutstanding lists the issued, unpaid invoices, oldest first;
	// the period is ignored (stats.financial).
	ListOutstanding(ctx context.Context, d DrillDown) (*OutstandingList, error)

	// Series is the data of one chart for a period: appointments ones need
	// stats.all, revenue ones stats.financial.
	Series(ctx context.Context, kind SeriesKind, p Period) (*Series, error)

	// ReportTable builds a report's rows, as the exports write them.
	ReportTable(ctx context.Context, r ReportRequest) (*Table, error)
	// ExportCSV writes a report as CSV (RFC 4180, UTF-8 with a byte order
	// mark, CRLF line ends) to w. The export is audited.
	ExportCSV(ctx context.Context, r ReportRequest, w io.Writer) error
	// ExportPDF prints a report with the clinic's header, and above the
	// table the chart of the whole clinic where the report has one (the
	// appointments per day, the revenue per service) and is not filtered
	// by doctor. The export is audited.
	ExportPDF(ctx context.Context, r ReportRequest) ([]byte, error)
}
