package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/charts"
	"hms/app/mock"
)

// The harness's clock is Monday 2026-03-02, 11:00 in Athens: this month
// is March 2026, this week 2 to 8 March.

// dashHarness is a clinic harness with a dashboard mock that answers like
// the service: figures that depend on the period (new patients = its
// days), the clinical part for admins only, pages of three rows.
type dashHarness struct {
	*clinicHarness
	dash *mock.DashboardService
	// newReports are the doctor's unseen reports; MarkAttachmentsSeen clears them.
	newReports []*app.NewAttachment
}

func newDashHarness(t *testing.T) *dashHarness {
	t.Helper()
	h := &dashHarness{clinicHarness: newClinicHarness(t), dash: &mock.DashboardService{}}
	h.u.svc.Dashboard = h.dash
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return graceChart(), nil
	}
	h.attachments.FindAttachmentsFn = func(ctx context.Context, id string) ([]*app.Attachment, error) {
		h.record("FindAttachments", ctx, id)
		return nil, nil
	}
	h.dash.DashboardFn = func(ctx context.Context, p app.Period) (*app.Dashboard, error) {
		h.record("Dashboard", ctx, p)
		c, _ := app.CallerFromContext(ctx)
		d := &app.Dashboard{Period: p, At: h.clock(), Financial: sampleFinancial()}
		if app.Can(c.Role, app.PermViewStatistics) {
			d.Clinical = sampleClinical(p)
		}
		return d, nil
	}
	h.dash.SeriesFn = func(ctx context.Context, k app.SeriesKind, p app.Period) (*app.Series, error) {
		h.record("Series", ctx, k)
		s := &app.Series{Kind: k, Title: string(k), Period: p}
		for d := p.From; d != p.To; d = d.AddDays(1) {
			s.Points = append(s.Points, app.Point{Label: d.String(), Key: d.String(), Value: int64(d.Day)})
		}
		return s, nil
	}
	h.dash.ListAppointmentsFn = func(ctx context.Context, d app.DrillDown) (*app.AppointmentPage, error) {
		h.record("ListAppointments", ctx, d)
		as := boardAppointments().Entries
		return &app.AppointmentPage{Appointments: []*app.Appointment{as[0].Appointment, as[1].Appointment}}, nil
	}
	h.dash.ListNewPatientsFn = func(ctx context.Context, d app.DrillDown) (*app.PatientList, error) {
		h.record("ListNewPatients", ctx, d)
		var start int
		fmt.Sscanf(d.Cursor, "c%d", &start)
		page := &app.PatientList{Patients: append([]*app.Patient{grace()}, samplePatients(2, start+2)...)}
		if start < 3 {
			page.Next = fmt.Sprintf("c%d", start+3)
		}
		return page, nil
	}
	h.dash.ListPaymentsFn = func(ctx context.Context, d app.DrillDown) (*app.PaymentList, error) {
		h.record("ListPayments", ctx, d)
		return &app.PaymentList{Payments: []*app.Payment{{ID: "pay-1", ReceiptNumber: "R-D1-2026-000001",
			PatientID: "p-1", PatientName: "Grace Hopper", Method: d.Method, Amount: 4500, Currency: "EUR"}}}, nil
	}
	h.dash.ListInvoicesFn = func(ctx context.Context, d app.DrillDown) (*app.InvoiceList, error) {
		h.record("ListInvoices", ctx, d)
		return &app.InvoiceList{}, nil
	}
	h.dash.ListOutstandingFn = func(ctx context.Context, d app.DrillDown) (*app.OutstandingList, error) {
		h.record("ListOutstanding", ctx, d)
		return &app.OutstandingList{}, nil
	}
	return h
}

func sampleClinical(p app.Period) *app.ClinicalFigures {
	var counts []app.StatusCount
	for i, s := range app.AppointmentStatuses {
		counts = append(counts, app.StatusCount{Status: s, Count: i})
	}
	return &app.ClinicalFigures{PatientsTotal: 12345, PatientsNew: p.Days(), Appointments: counts,
		AppointmentsTotal: 10 * p.Days(), NoShowRate: 0.075,
		Reminded: app.NoShowFigure{Seen: 40, NoShows: 2, Rate: 0.05}, NotReminded: app.NoShowFigure{Seen: 80, NoShows: 10, Rate: 0.125},
		Doctors: []app.DoctorFigures{{DoctorID: "d-1", DoctorName: "Dr Who", Appointments: 40, NoShows: 3,
			BookedMinutes: 600, AvailableMinutes: 1200, Utilization: 0.5}}}
}

func sampleFinancial() *app.FinancialFigures {
	return &app.FinancialFigures{Currency: "EUR", Revenue: 123450, Invoices: 12,
		Payments: []app.MethodTotal{{Method: app.PayCash, Count: 3, Taken: 9000, Refunded: 1000},
			{Method: app.PayCard, Count: 1, Taken: 4500}},
		Taken: 13500, Refunded: 1000, NetTaken: 12500, Outstanding: 5000, OutstandingInvoices: 2,
		TopServices: []app.ServiceFigure{{Code: "CONS-GP", Name: "General consultation", Quantity: 10, Revenue: 45000},
			{Name: "Typed line", Quantity: 1, Revenue: 100}},
		Doctors: []app.DoctorRevenue{{DoctorID: "d-1", DoctorName: "Dr Who", Revenue: 100000}, {Revenue: 23450}}}
}

// period is the period of kind that contains the harness's today.
func period(t *testing.T, kind app.PeriodKind) app.Period {
	t.Helper()
	p, err := app.PeriodContaining(kind, app.Day{Year: 2026, Month: time.March, Day: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openDashboard logs in as role and opens the Dashboard area.
func (h *dashHarness) openDashboard(role app.Role) *dashboardScreen {
	h.t.Helper()
	h.loginAs(user(role))
	h.u.win.Resize(fyne.NewSize(1280, 800))
	h.openArea(app.AreaDashboard)
	s := h.u.main.dashboard
	if s.clinic != nil {
		// The series are read in the background; nothing is drawn before
		// the test drains their answers.
		for _, c := range s.clinic.charts.charts {
			c.draw = h.drawChart
		}
	}
	return s
}

// drawChart stands in for charts.BarsIn, which the race detector makes
// slow: it records the chart and its size and draws one pixel.
func (h *dashHarness) drawChart(s *app.Series, w, ht int, _ charts.Palette) ([]byte, error) {
	h.record("DrawChart", nil, fmt.Sprintf("%s %dx%d", s.Kind, w, ht))
	var b bytes.Buffer
	err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	return b.Bytes(), err
}

// lastCall is the argument of the last call of method.
func (h *dashHarness) lastCall(method string) any {
	h.t.Helper()
	calls := h.callsOf(method)
	if len(calls) == 0 {
		h.t.Fatalf("%s was not called", method)
	}
	return calls[len(calls)-1]
}

// calledWith reports whether method was called with arg. Calls started
// one after the other may reach the mock in any order, so a test waits
// for the call it caused rather than for the last one.
func (h *dashHarness) calledWith(method string, arg any) bool {
	return slices.Contains(h.callsOf(method), arg)
}

// awaitFigures waits for the clinic's figures of period p.
func (h *dashHarness) awaitFigures(v *adminView, p app.Period) {
	h.t.Helper()
	h.waitFor("the figures of "+p.String(), func() bool { return v.dash != nil && v.dash.Period == p })
}

func TestDashboardPeriodSwitch(t *testing.T) {
	h := newDashHarness(t)
	s := h.openDashboard(app.RoleAdmin)
	v := s.clinic
	month := period(t, app.PeriodMonth)
	h.awaitFigures(v, month)
	if got := h.lastCall("Dashboard"); got != month {
		t.Errorf("Dashboard(%v), want this month %v", got, month)
	}
	for tile, want := range map[*figureTile]string{
		v.patients: "12,345", v.newPatients: "31", v.appointments: "310", v.noShows: "7.5 %",
		v.reminded: "5.0 % of 40", v.notReminded: "12.5 % of 80",
		v.revenue: "1,234.50 EUR", v.taken: "125.00 EUR", v.outstanding: "50.00 EUR",
	} {
		if tile.value.Text != want {
			t.Errorf("%s shows %q, want %q", tile.caption.Text, tile.value.Text, want)
		}
	}
	for _, want := range []string{"Dr Who", "50.0 %", "10.0 h", "20.0 h", "CONS-GP · General consultation", "450.00",
		"Not attributed to a doctor", "Cash, 3 payments", "80.00", "This month: 2026-03-01 – 2026-03-31"} {
		if !h.shows(want) {
			t.Errorf("the dashboard does not show %q", want)
		}
	}
	h.waitFor("every chart", func() bool { return h.called("Series") == 5 && h.called("DrawChart") == 5 })

	// This week.
	v.period.kind.SetSelected("This week")
	week := period(t, app.PeriodWeek)
	h.awaitFigures(v, week)
	if week.From.String() != "2026-03-02" || week.Last().String() != "2026-03-08" {
		t.Fatalf("this week is %v", week)
	}
	if v.newPatients.value.Text != "7" || !strings.HasPrefix(v.heading.Text, "This week: 2026-03-02 – 2026-03-08") {
		t.Errorf("new patients %q, heading %q", v.newPatients.value.Text, v.heading.Text)
	}
	h.waitFor("the charts of the week", func() bool {
		c := v.charts.charts[app.SeriesAppointmentsPerDay]
		return c.series != nil && c.series.Period == week && c.img.Resource != nil &&
			strings.Contains(c.img.Resource.Name(), "2026-03-02-2026-03-08")
	})

	// A custom range, applied once it is right.
	v.period.kind.SetSelected("Custom")
	if !v.period.custom.Visible() || v.period.from.Text != "2026-03-01" || v.period.to.Text != "2026-03-31" {
		t.Fatalf("custom fields: shown %v, %q to %q", v.period.custom.Visible(), v.period.from.Text, v.period.to.Text)
	}
	calls := h.called("Dashboard")
	v.period.from.SetText("2026-01-20")
	v.period.to.SetText("2026-01-05")
	test.Tap(v.period.apply)
	if v.period.errs.text("to") == "" || h.called("Dashboard") != calls {
		t.Fatalf("an end before the start: message %q, %d calls", v.period.errs.text("to"), h.called("Dashboard")-calls)
	}
	v.period.to.SetText("2026-02-03")
	test.Tap(v.period.apply)
	custom, _ := app.CustomPeriod(app.Day{Year: 2026, Month: time.January, Day: 20},
		app.Day{Year: 2026, Month: time.February, Day: 3})
	h.awaitFigures(v, custom)
	if v.newPatients.value.Text != "15" || v.period.errs.text("to") != "" {
		t.Errorf("new patients %q, message %q", v.newPatients.value.Text, v.period.errs.text("to"))
	}
}

// TestDashboardChartDrawnForItsSize draws a chart with app/charts at the
// size it has on screen, and again when it is resized.
func TestDashboardChartDrawnForItsSize(t *testing.T) {
	h := newDashHarness(t)
	c := newChartImage(h.u)
	c.Resize(fyne.NewSize(320, 160))
	p := period(t, app.PeriodWeek)
	c.setSeries(&app.Series{Kind: app.SeriesRevenuePerDoctor, Title: "Revenue per doctor", Period: p, Currency: "EUR",
		Points: []app.Point{{Label: "Dr Who", Key: "d-1", Value: 12345}}})
	drawn := func(w, ht int) func() bool {
		return func() bool {
			r := c.img.Resource
			if r == nil || !strings.HasSuffix(r.Name(), fmt.Sprintf("-%dx%d.png", w, ht)) {
				return false
			}
			img, err := png.Decode(bytes.NewReader(r.Content()))
			return err == nil && img.Bounds().Dx() == w && img.Bounds().Dy() == ht
		}
	}
	h.waitFor("the chart at 320×160", drawn(320, 160))
	c.Resize(fyne.NewSize(360, 160))
	h.waitFor("the chart at 360×160", drawn(360, 160))
	c.Resize(fyne.NewSize(80, 160)) // too small to draw: the last drawing stays
	h.settle()
	if !drawn(360, 160)() {
		t.Error("a chart too small to draw lost its image")
	}
}

func TestDashboardDrillDown(t *testing.T) {
	h := newDashHarness(t)
	s := h.openDashboard(app.RoleAdmin)
	v := s.clinic
	month := period(t, app.PeriodMonth)
	h.awaitFigures(v, month)

	// New patients: a page at a time, each row a click from the patient's chart.
	test.Tap(v.newPatients.tap)
	d := s.drill
	if d == nil {
		t.Fatal("the new patients figure opened no list")
	}
	h.waitFor("the first page", func() bool { return len(d.rows) == 3 })
	got := h.lastCall("ListNewPatients").(app.DrillDown)
	if got.Period != month || got.Cursor != "" || got.Limit != drillPageSize {
		t.Errorf("ListNewPatients(%+v)", got)
	}
	if !h.shows("New patients · 2026-03-01 – 2026-03-31") || !h.shows("P-D1-000002") || !d.prev.Disabled() {
		t.Errorf("first page: %q", h.texts())
	}
	test.Tap(d.nextPage)
	h.waitFor("the second page", func() bool { return h.called("ListNewPatients") == 2 && !d.prev.Disabled() })
	if got := h.lastCall("ListNewPatients").(app.DrillDown); got.Cursor != "c3" {
		t.Errorf("second page asked with cursor %q", got.Cursor)
	}
	if !d.nextPage.Disabled() || !strings.Contains(d.info.Text, "Page 2") {
		t.Errorf("last page: next enabled %v, info %q", !d.nextPage.Disabled(), d.info.Text)
	}
	test.Tap(d.prev)
	h.waitFor("the first page again", func() bool {
		return h.called("ListNewPatients") == 3 && h.lastCall("ListNewPatients").(app.DrillDown).Cursor == ""
	})

	d.list.Select(0)
	c := s.chart
	if c == nil {
		t.Fatal("selecting a patient opened no chart")
	}
	h.waitFor("grace's chart", func() bool { return c.name.Text == "Grace Hopper" })
	test.Tap(c.back)
	if s.chart != nil || s.drill != d || s.views.Objects[0] != d.content {
		t.Fatal("the chart's back button did not return to the list")
	}
	test.Tap(d.back)
	if s.drill != nil || s.views.Objects[0] != s.tabs {
		t.Fatal("the list's back button did not return to the figures")
	}

	// Every other figure opens its own list, for the period shown.
	// The doctors, their revenue and the services are lists: selecting a
	// row opens it.
	doctorRow := func() {
		v.doctors.list.Select(slices.IndexFunc(v.doctorFigures, func(df app.DoctorFigures) bool { return df.DoctorID == "d-1" }))
	}
	serviceRow := func() {
		v.services.list.Select(slices.IndexFunc(v.topServices, func(sf app.ServiceFigure) bool { return sf.Code == "CONS-GP" }))
	}
	revenueRow := func() {
		v.doctorRevenue.list.Select(slices.IndexFunc(v.revenues, func(dr app.DoctorRevenue) bool { return dr.DoctorID == "d-1" }))
	}
	for _, tc := range []struct {
		area   *tapArea
		row    func()
		method string
		want   app.DrillDown
	}{
		{v.links["status:no_show"], nil, "ListAppointments", app.DrillDown{Status: app.AppointmentNoShow}},
		{nil, doctorRow, "ListAppointments", app.DrillDown{DoctorID: "d-1", Standing: true}},
		{v.noShows.tap, nil, "ListAppointments", app.DrillDown{Status: app.AppointmentNoShow}},
		{v.revenue.tap, nil, "ListInvoices", app.DrillDown{}},
		{nil, serviceRow, "ListInvoices", app.DrillDown{Code: "CONS-GP"}},
		{nil, revenueRow, "ListInvoices", app.DrillDown{DoctorID: "d-1"}},
		{v.links["method:cash"], nil, "ListPayments", app.DrillDown{Method: app.PayCash}},
		{v.outstanding.tap, nil, "ListOutstanding", app.DrillDown{}},
	} {
		n := h.called(tc.method)
		if tc.area == nil {
			tc.row()
		} else {
			test.Tap(tc.area)
		}
		h.waitFor(tc.method, func() bool { return h.called(tc.method) == n+1 })
		tc.want.Period, tc.want.Limit = month, drillPageSize
		if got := h.lastCall(tc.method).(app.DrillDown); got != tc.want {
			t.Errorf("%s(%+v), want %+v", tc.method, got, tc.want)
		}
		test.Tap(s.drill.back)
	}
	n := h.called("ListInvoices")
	v.services.list.Select(slices.IndexFunc(v.topServices, func(sf app.ServiceFigure) bool { return sf.Code == "" }))
	v.doctorRevenue.list.Select(slices.IndexFunc(v.revenues, func(dr app.DoctorRevenue) bool { return dr.DoctorID == "" }))
	h.settle()
	if s.drill != nil || h.called("ListInvoices") != n {
		t.Error("lines without a price list item or a doctor open a list")
	}

	// An appointment opens its patient's chart too.
	test.Tap(v.appointments.tap)
	h.waitFor("the appointments", func() bool { return len(s.drill.rows) == 2 })
	if !h.shows("Grace Hopper") || !h.shows("Confirmed") {
		t.Errorf("appointments list: %q", h.texts())
	}
	s.drill.list.Select(1)
	h.waitFor("the chart", func() bool { return s.chart != nil && h.called("GetChart") == 2 })
	if got := h.lastCall("GetChart"); got != "p-2" {
		t.Errorf("GetChart(%v), want Ada's", got)
	}

	// The number of patients opens the patient list.
	test.Tap(s.chart.back)
	test.Tap(s.drill.back)
	test.Tap(v.patients.tap)
	if h.u.main.current != app.AreaPatients {
		t.Errorf("the number of patients opened %s", h.u.main.current)
	}
}

func TestDashboardBillingSeesNoClinicalFigures(t *testing.T) {
	h := newDashHarness(t)
	s := h.openDashboard(app.RoleBilling)
	if got := tabTitles(s.tabs); strings.Join(got, ",") != "Finances,Reports" {
		t.Errorf("billing tabs = %v", got)
	}
	v := s.clinic
	h.awaitFigures(v, period(t, app.PeriodMonth))
	if v.clinical || v.clinicalBox != nil || v.patients != nil {
		t.Fatal("billing has the clinical figures")
	}
	h.waitFor("the charts", func() bool { return h.called("Series") == 3 })
	for _, k := range h.callsOf("Series") {
		if !k.(app.SeriesKind).Financial() {
			t.Errorf("billing asked for the series %s", k)
		}
	}
	for _, clinical := range []string{"patients registered", "appointments", "No-show", "Requested", "By doctor"} {
		if h.shows(clinical) {
			t.Errorf("billing sees %q", clinical)
		}
	}
	if !h.shows("1,234.50 EUR") || !h.shows("Cash, 3 payments") {
		t.Error("billing does not see the money")
	}
	// A payment opens the patient's statement.
	h.u.svc.Billing = &mock.BillingService{PatientStatementFn: func(ctx context.Context, id string) (*app.Statement, error) {
		h.record("PatientStatement", ctx, id)
		return &app.Statement{PatientID: id, PatientName: "Grace Hopper", Currency: "EUR"}, nil
	}}
	test.Tap(v.links["method:card"])
	h.waitFor("the card payments", func() bool { return s.drill != nil && len(s.drill.rows) == 1 })
	if got := h.lastCall("ListPayments").(app.DrillDown); got.Method != app.PayCard {
		t.Errorf("ListPayments(%+v)", got)
	}
	s.drill.list.Select(0)
	h.waitFor("the statement", func() bool { return h.called("PatientStatement") == 1 })
	if got := h.lastCall("PatientStatement"); got != "p-1" {
		t.Errorf("PatientStatement(%v)", got)
	}

	var kinds []app.ReportKind
	for _, c := range s.reports.choices {
		kinds = append(kinds, c.kind)
	}
	if !slices.Equal(kinds, []app.ReportKind{app.ReportRevenue, app.ReportOutstanding}) {
		t.Errorf("billing may export %v", kinds)
	}
}

// doctorDashboard is Test Doctor's day: two appointments and a new report.
func (h *dashHarness) serveDoctorDashboard() {
	month := period(h.t, app.PeriodMonth)
	at := func(hh, mm int) time.Time { return time.Date(2026, 3, 2, hh, mm, 0, 0, time.UTC) }
	h.newReports = []*app.NewAttachment{{Attachment: &app.Attachment{ID: "r-1", PatientID: "p-2", Title: "Full blood count",
		Type: app.AttachmentLab, Date: "2026-03-01"}, PatientName: "Ada Lovelace", PatientMRN: "P-D1-000002"}}
	h.dash.DoctorDashboardFn = func(ctx context.Context, id string) (*app.DoctorDashboard, error) {
		h.record("DoctorDashboard", ctx, id)
		h.mu.Lock()
		reports := h.newReports
		h.mu.Unlock()
		return &app.DoctorDashboard{DoctorID: id, DoctorName: "Test Doctor", Today: app.Day{Year: 2026, Month: 3, Day: 2},
			Appointments: []*app.Appointment{
				{ID: "a1", PatientID: "p-1", PatientName: "Grace Hopper", Start: at(8, 0), End: at(8, 15),
					Status: app.AppointmentCompleted},
				{ID: "a2", PatientID: "p-2", PatientName: "Ada Lovelace", Start: at(9, 0), End: at(9, 15), Reason: "Check-up",
					Status: app.AppointmentConfirmed}},
			Patients: []*app.ActivePatient{{PatientID: "p-1", PatientName: "Grace Hopper", PatientMRN: "P-D1-000001",
				Since: "2026-01-05", ActivePrescriptions: 1, ActiveProblems: 2}},
			NewAttachments: reports,
			Month:          month,
			MonthFigure: app.DoctorFigures{DoctorID: id, Appointments: 42, NoShows: 2, BookedMinutes: 630,
				AvailableMinutes: 1260, Utilization: 0.5},
		}, nil
	}
	h.dash.MarkAttachmentsSeenFn = func(ctx context.Context) error {
		h.record("MarkAttachmentsSeen", ctx, nil)
		h.mu.Lock()
		h.newReports = nil
		h.mu.Unlock()
		return nil
	}
}

func TestDashboardDoctor(t *testing.T) {
	h := newDashHarness(t)
	h.serveDoctorDashboard()
	s := h.openDashboard(app.RoleDoctor)
	v := s.doctor
	// A doctor's dashboard and their reports: the morbidity of their own
	// patients only.
	if v == nil || s.clinic != nil || s.reports == nil || len(s.reports.choices) != 1 ||
		s.reports.choices[0].kind != app.ReportMorbidity {
		t.Fatal("a doctor does not get their own dashboard and the morbidity report only")
	}
	h.waitFor("the doctor's dashboard", func() bool { return v.dash != nil })
	if got := h.lastCall("DoctorDashboard"); got != "u-doctor" {
		t.Errorf("DoctorDashboard(%v), want the doctor's own", got)
	}
	for _, want := range []string{"Test Doctor · Monday 2026-03-02", "10:00–10:15", "11:00–11:15", "Ada Lovelace — Check-up",
		"New reports (1)", "Full blood count (Lab) · Ada Lovelace", "My patients under treatment (1)",
		"My figures for March 2026", "42", "10.5 h", "50.0 %"} {
		if !h.shows(want) {
			t.Errorf("the doctor's dashboard does not show %q", want)
		}
	}

	// An appointment opens the chart; coming back reloads the day.
	loads := h.called("DoctorDashboard")
	v.today.Select(slices.IndexFunc(v.appts, func(a *app.Appointment) bool { return a.ID == "a2" }))
	h.waitFor("Ada's chart", func() bool { return s.chart != nil && h.called("GetChart") == 1 })
	if got := h.lastCall("GetChart"); got != "p-2" {
		t.Errorf("GetChart(%v), want Ada's", got)
	}
	if s.chart.back.Text != "My dashboard" {
		t.Errorf("the chart's back button says %q", s.chart.back.Text)
	}
	test.Tap(s.chart.back)
	h.waitFor("the reload", func() bool { return h.called("DoctorDashboard") == loads+1 })

	// A new report opens the chart on its Reports tab.
	v.attachments.Select(slices.IndexFunc(v.reports, func(r *app.NewAttachment) bool { return r.Attachment.ID == "r-1" }))
	h.waitFor("the reports tab", func() bool { return s.chart != nil && h.called("FindAttachments") == 1 })
	if s.chart.tabs.Selected().Text != "Reports" {
		t.Errorf("the chart opened on %s", s.chart.tabs.Selected().Text)
	}
	test.Tap(s.chart.back)

	h.waitFor("the dashboard", func() bool { return !v.markSeen.Disabled() })
	test.Tap(v.markSeen)
	h.waitFor("the reports marked seen", func() bool { return h.called("MarkAttachmentsSeen") == 1 && len(v.dash.NewAttachments) == 0 })
	if !h.shows("No new reports.") || !v.markSeen.Disabled() {
		t.Error("the seen reports are still listed")
	}
}

func TestDashboardReports(t *testing.T) {
	h := newDashHarness(t)
	printer := fakePrinter(h.harness)
	h.appts.FindDoctorsFn = func(context.Context, string) ([]*app.DoctorProfile, error) {
		return []*app.DoctorProfile{drWho(), drHouse()}, nil
	}
	h.dash.ReportTableFn = func(ctx context.Context, r app.ReportRequest) (*app.Table, error) {
		h.record("ReportTable", ctx, r)
		return &app.Table{Title: "Revenue", Subtitle: r.Period.String(), Columns: []string{"Day", "Service", "Revenue"},
			Rows: [][]string{{"2026-03-01", "Consultation, \"long\"", "45.00"}}, Footer: []string{"Total", "", "45.00"}}, nil
	}
	h.dash.ExportCSVFn = func(ctx context.Context, r app.ReportRequest, w io.Writer) error {
		h.record("ExportCSV", ctx, r)
		_, err := io.WriteString(w, "Day,Service,Revenue\r\n")
		return err
	}
	h.dash.ExportPDFFn = func(ctx context.Context, r app.ReportRequest) ([]byte, error) {
		h.record("ExportPDF", ctx, r)
		return []byte("%PDF-report"), nil
	}
	s := h.openDashboard(app.RoleAdmin)
	selectTab(t, s.tabs, "Reports")
	v := s.reports
	month := period(t, app.PeriodMonth)
	h.waitFor("the first preview", func() bool { return v.table != nil && len(v.doctors) == 2 })
	first := app.ReportRequest{Kind: app.ReportAppointments, Period: month}
	if got := h.lastCall("ReportTable"); got != first {
		t.Errorf("ReportTable(%+v)", got)
	}

	v.kind.SetSelected("Revenue by day, service and doctor")
	v.doctor.SetSelected(doctorLabel(drHouse()))
	want := app.ReportRequest{Kind: app.ReportRevenue, Period: month, DoctorID: "d-2"}
	h.waitFor("the revenue preview", func() bool { return h.calledWith("ReportTable", want) })
	h.settle()
	if r, _ := v.cell(0, 1); r != "Consultation, \"long\"" || !v.numeric[2] || v.numeric[1] {
		t.Errorf("first cell %q, numeric columns %v", r, v.numeric)
	}
	if f, footer := v.cell(1, 0); f != "Total" || !footer {
		t.Errorf("footer row: %q, %v", f, footer)
	}

	// CSV: into the file chosen, with the same request.
	w := &memWriter{uri: storage.NewFileURI("/home/desk/revenue.csv")}
	v.saveFile = func(name string, done func(fyne.URIWriteCloser, error)) {
		if name != "report-revenue-2026-03-01-2026-03-31.csv" {
			t.Errorf("suggested file name %q", name)
		}
		done(w, nil)
	}
	test.Tap(v.exportCSV)
	h.waitFor("the CSV export", func() bool { return h.shows("Saved the report as revenue.csv.") })
	if got := h.lastCall("ExportCSV"); got != want || !w.closed || w.String() != "Day,Service,Revenue\r\n" {
		t.Errorf("ExportCSV(%+v): closed %v, wrote %q", got, w.closed, w.String())
	}

	// PDF: saved into the documents folder, to open or print.
	test.Tap(v.exportPDF)
	saved := h.awaitSaved()
	if got := h.lastCall("ExportPDF"); got != want {
		t.Errorf("ExportPDF(%+v), want %+v", got, want)
	}
	if filepath.Dir(saved.path) != printer.folder || filepath.Base(saved.path) != "report-revenue-2026-03-01-2026-03-31.pdf" ||
		string(readSaved(t, saved)) != "%PDF-report" {
		t.Errorf("saved %s", saved.path)
	}

	// The audit log is filtered by user and patient; outstanding takes no period.
	h.servePatients([]*app.Patient{grace()}, 50)
	v.kind.SetSelected("Audit log")
	if v.auditBox.Hidden || !v.doctorBox.Hidden {
		t.Error("the audit log shows the wrong filters")
	}
	test.Type(v.patient.query, "grace")
	h.waitFor("the patient", func() bool { return v.patient.patientID() == "p-1" })
	v.username.SetText("reception1")
	v.username.OnSubmitted("reception1")
	h.waitFor("the audit preview", func() bool {
		return h.calledWith("ReportTable", app.ReportRequest{Kind: app.ReportAuditLog, Period: month,
			Username: "reception1", PatientID: "p-1"})
	})
	v.kind.SetSelected("Outstanding invoices (now)")
	h.waitFor("the outstanding preview", func() bool {
		return h.calledWith("ReportTable", app.ReportRequest{Kind: app.ReportOutstanding})
	})
	if !v.periodBox.Hidden {
		t.Error("the outstanding report offers a period")
	}
}

func TestDashboardErrors(t *testing.T) {
	h := newDashHarness(t)
	denied := app.Errorf(app.EUNAUTHORIZED, "You may not see the clinic's figures.")
	h.dash.DashboardFn = func(ctx context.Context, p app.Period) (*app.Dashboard, error) { return nil, denied }
	h.dash.SeriesFn = func(context.Context, app.SeriesKind, app.Period) (*app.Series, error) { return nil, denied }
	h.dash.ReportTableFn = func(ctx context.Context, r app.ReportRequest) (*app.Table, error) {
		return nil, &app.Error{Code: app.EINVALID, Field: "period", Message: "The period is too long (at most ten years)."}
	}
	s := h.openDashboard(app.RoleAdmin)
	v := s.clinic
	h.waitFor("the refusal", func() bool { return v.period.errs.text("") == "You may not see the clinic's figures." })
	h.waitFor("the charts' failure", func() bool { return h.shows("The charts could not be drawn.") })
	test.Tap(v.newPatients.tap)
	if s.drill != nil {
		t.Error("a figure that was never loaded opened a list")
	}

	selectTab(t, s.tabs, "Reports")
	h.waitFor("the period message", func() bool {
		return s.reports.period.errs.text("to") == "The period is too long (at most ten years)."
	})
}

// TestDashboardAdminOpensDoctors: an administrator chooses a doctor and
// sees that doctor's dashboard, without the doctor's own "Mark as seen".
func TestDashboardAdminOpensDoctors(t *testing.T) {
	h := newDashHarness(t)
	h.serveDoctorDashboard()
	h.appts.FindDoctorsFn = func(ctx context.Context, spec string) ([]*app.DoctorProfile, error) {
		h.record("FindDoctors", ctx, spec)
		return []*app.DoctorProfile{drWho(), drHouse()}, nil
	}
	s := h.openDashboard(app.RoleAdmin)
	v := s.doctor
	if v == nil || v.pick == nil {
		t.Fatal("the administrator has no Doctors tab with a choice of doctor")
	}
	for _, item := range s.tabs.Items {
		if item.Text == "Doctors" {
			s.tabs.Select(item)
		}
	}
	h.waitFor("the first doctor's dashboard", func() bool { return v.dash != nil })
	if got := h.lastCall("DoctorDashboard"); got != "d-1" {
		t.Errorf("DoctorDashboard(%v), want the first doctor's", got)
	}
	v.pick.SetSelectedIndex(1)
	h.waitFor("the second doctor's dashboard", func() bool { return v.dash != nil && v.dash.DoctorID == "d-2" })
	if v.markSeen.Visible() {
		t.Error("an administrator may mark a doctor's reports as seen")
	}
	if !h.shows("Figures for March 2026") || !h.shows("Patients under treatment (1)") || h.shows("My figures for March 2026") {
		t.Errorf("titles speak as the doctor: %q", h.texts())
	}
	v.today.Select(slices.IndexFunc(v.appts, func(a *app.Appointment) bool { return a.ID == "a2" }))
	h.waitFor("the chart", func() bool { return s.chart != nil })
	if s.chart.back.Text != "Doctors" {
		t.Errorf("the chart's back button says %q", s.chart.back.Text)
	}
}

// TestDoctorNewReportsInDateOrder: the list of new reports is in the order
// of the dates it shows, newest first, whatever order they were attached in.
func TestDoctorNewReportsInDateOrder(t *testing.T) {
	h := newDashHarness(t)
	h.serveDoctorDashboard()
	attached := func(id, title, date string, hour int) *app.NewAttachment {
		return &app.NewAttachment{Attachment: &app.Attachment{ID: id, PatientID: "p-2", Title: title, Type: app.AttachmentLab,
			Date: date, CreatedAt: time.Date(2026, 3, 2, hour, 0, 0, 0, time.UTC)}, PatientName: "Ada Lovelace"}
	}
	// As the service lists them: the most recently attached first.
	h.newReports = []*app.NewAttachment{attached("r-3", "Old X-ray", "2026-02-10", 11),
		attached("r-2", "Urinalysis", "2026-03-01", 10), attached("r-1", "Lipids", "2026-02-20", 9)}
	s := h.openDashboard(app.RoleDoctor)
	h.waitFor("the doctor's dashboard", func() bool { return s.doctor.dash != nil })
	var order []string
	for _, text := range h.texts() {
		for _, title := range []string{"Urinalysis", "Lipids", "Old X-ray"} {
			if strings.HasPrefix(text, title+" (") && (len(order) == 0 || order[len(order)-1] != title) {
				order = append(order, title) // a label and its text: once
			}
		}
	}
	if want := []string{"Urinalysis", "Lipids", "Old X-ray"}; !slices.Equal(order, want) {
		t.Errorf("new reports listed %v, want by date %v", order, want)
	}
}
