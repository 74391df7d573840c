package data_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// at moves the clinic's clock to t.
func (c *clinic) at(t time.Time) { c.clock.Add(t.Sub(c.clock.Now())) }

// dashFixture is a small fixed data set around the clinic's switch to
// summer time (Athens, Sunday 29 March 2026, 03:00 → 04:00): patients
// and appointments just before and after local midnights, and invoices and
// payments whose UTC day is not their local one.
type dashFixture struct {
	*clinic
	doctor   string
	patients []string
	appts    map[string]*app.Appointment
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) app.Day {
	d, err := app.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustDashFixture(t *testing.T) *dashFixture {
	t.Helper()
	f := &dashFixture{clinic: mustSetup(t), appts: map[string]*app.Appointment{}}
	admin := f.ctx(app.RoleAdmin)
	f.doctor = f.users[app.RoleDoctor].ID
	f.at(utc("2026-03-01T10:00:00Z"))
	if _, err := f.svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: f.doctor, VisitMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	var weekly []app.Availability
	for wd := time.Monday; wd <= time.Friday; wd++ {
		weekly = append(weekly, app.Availability{Weekday: wd, Start: "09:00", End: "13:00", SlotMinutes: 30})
	}
	if _, err := f.svc.Appointments.SetAvailability(admin, f.doctor, weekly); err != nil {
		t.Fatal(err)
	}
	// Four patients: 1 March; 23:59 and 00:00 either side of the local
	// midnight that begins 29 March (UTC+2); 00:00 of 30 March (UTC+3).
	for i, when := range []string{"2026-03-01T10:00:00Z", "2026-03-28T21:59:00Z", "2026-03-28T22:00:00Z", "2026-03-29T21:00:00Z"} {
		f.at(utc(when))
		p, err := f.svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: []string{"Ana", "Björn", "Chloé", "Δημήτρης"}[i],
			FamilyName: "Fixture", Sex: app.SexOther, BirthDate: "1980-01-0" + string(rune('1'+i))})
		if err != nil {
			t.Fatal(err)
		}
		f.patients = append(f.patients, p.ID)
	}
	// Six appointments of 30 minutes, booked on 1 March.
	f.at(utc("2026-03-01T10:00:00Z"))
	for i, a := range []struct{ name, start string }{
		{"A1", "2026-03-28T21:30:00Z"}, // Sat 28 March 23:30 local
		{"A2", "2026-03-28T22:00:00Z"}, // Sun 29 March 00:00 local (UTC+2)
		{"A3", "2026-03-29T06:00:00Z"}, // Sun 29 March 09:00 local (UTC+3)
		{"A4", "2026-03-29T20:30:00Z"}, // Sun 29 March 23:30 local
		{"A5", "2026-03-29T21:00:00Z"}, // Mon 30 March 00:00 local
		{"A6", "2026-03-30T07:00:00Z"}, // Mon 30 March 10:00 local, within hours
	} {
		ap, err := f.svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: f.patients[i%4], DoctorID: f.doctor,
			Start: utc(a.start), Minutes: 30, OverrideReason: "fixture"})
		if err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		f.appts[a.name] = ap
	}
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.Appointments.Cancel(admin, f.appts["A1"].ID, "fixture cancellation")
	step(err)
	f.at(utc("2026-03-28T22:20:00Z"))
	_, err = f.svc.Appointments.MarkNoShow(admin, f.appts["A2"].ID)
	step(err)
	f.at(utc("2026-03-29T20:31:00Z"))
	_, err = f.svc.Appointments.CheckIn(admin, f.appts["A4"].ID)
	step(err)
	_, err = f.svc.Appointments.Complete(admin, f.appts["A4"].ID)
	step(err)
	// A second invoice, issued and paid in cash on 29 March local, then
	// refunded and voided: no revenue, but the cash and its refund count.
	billing := f.ctx(app.RoleBilling)
	inv2, err := f.svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: f.patients[1], Lines: []app.LineInput{
		{Description: "Copy of records", Kind: app.PriceOther, Quantity: 2, UnitPrice: 1000}}})
	step(err)
	_, err = f.svc.Billing.IssueInvoice(billing, inv2.ID)
	step(err)
	inv2, err = f.svc.Billing.FindInvoice(billing, inv2.ID)
	step(err)
	cash, err := f.svc.Billing.TakePayment(billing, app.PaymentInput{Method: app.PayCash, Amount: 2000, Tendered: 2000,
		Allocations: []app.Allocation{{InvoiceID: inv2.ID, Amount: 2000}}})
	step(err)
	_, err = f.svc.Billing.RefundPayment(billing, cash.ID, "charged by mistake")
	step(err)
	_, err = f.svc.Billing.VoidInvoice(billing, inv2.ID, "charged by mistake")
	step(err)
	// 30 March 00:30 local (29 March in UTC): A5 missed, A4 invoiced and
	// partly paid by card.
	f.at(utc("2026-03-29T21:30:00Z"))
	_, err = f.svc.Appointments.MarkNoShow(admin, f.appts["A5"].ID)
	step(err)
	inv1, err := f.svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: f.appts["A4"].PatientID,
		AppointmentID: f.appts["A4"].ID, Lines: []app.LineInput{{Description: "Consultation", Kind: app.PriceConsultation,
			Quantity: 1, UnitPrice: 5000}}})
	step(err)
	_, err = f.svc.Billing.IssueInvoice(billing, inv1.ID)
	step(err)
	_, err = f.svc.Billing.TakePayment(billing, app.PaymentInput{Method: app.PayCard, Amount: 2000,
		Allocations: []app.Allocation{{InvoiceID: inv1.ID, Amount: 2000}}})
	step(err)
	return f
}

func statusMap(sc []app.StatusCount) map[app.AppointmentStatus]int {
	m := map[app.AppointmentStatus]int{}
	for _, s := range sc {
		if s.Count != 0 {
			m[s.Status] = s.Count
		}
	}
	return m
}

func mustPeriod(t *testing.T, kind app.PeriodKind, d string) app.Period {
	t.Helper()
	p, err := app.PeriodContaining(kind, day(d))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDashboardFigures(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	type want struct {
		period            app.Period
		total, newP       int
		status            map[app.AppointmentStatus]int
		counted           int
		noShow            float64
		booked, available int
		revenue           app.Money
		invoices          int
		cash, cashRefund  app.Money
		card              app.Money
	}
	for name, w := range map[string]want{
		// The day of 23 hours: A2 at its first minute, A3, A4 at 23:30.
		"DST day": {period: mustPeriod(t, app.PeriodToday, "2026-03-29"), total: 3, newP: 1,
			status:  map[app.AppointmentStatus]int{app.AppointmentNoShow: 1, app.AppointmentConfirmed: 1, app.AppointmentCompleted: 1},
			counted: 3, noShow: 0.5, booked: 90, available: 0,
			cash: 2000, cashRefund: 2000},
		"day before": {period: mustPeriod(t, app.PeriodToday, "2026-03-28"), total: 2, newP: 1,
			status:  map[app.AppointmentStatus]int{app.AppointmentCancelled: 1},
			counted: 0, available: 0},
		"day after": {period: mustPeriod(t, app.PeriodToday, "2026-03-30"), total: 4, newP: 1,
			status:  map[app.AppointmentStatus]int{app.AppointmentNoShow: 1, app.AppointmentConfirmed: 1},
			counted: 2, noShow: 1, booked: 60, available: 240,
			revenue: 5000, invoices: 1, card: 2000},
		// Monday 23 to Sunday 29 March: five weekdays of four hours.
		"week": {period: mustPeriod(t, app.PeriodWeek, "2026-03-29"), total: 3, newP: 2,
			status: map[app.AppointmentStatus]int{app.AppointmentCancelled: 1, app.AppointmentNoShow: 1,
				app.AppointmentConfirmed: 1, app.AppointmentCompleted: 1},
			counted: 3, noShow: 0.5, booked: 90, available: 1200, cash: 2000, cashRefund: 2000},
		// March 2026: 22 weekdays.
		"month": {period: mustPeriod(t, app.PeriodMonth, "2026-03-15"), total: 4, newP: 4,
			status: map[app.AppointmentStatus]int{app.AppointmentCancelled: 1, app.AppointmentNoShow: 2,
				app.AppointmentConfirmed: 2, app.AppointmentCompleted: 1},
			counted: 5, noShow: 2.0 / 3, booked: 150, available: 22 * 240,
			revenue: 5000, invoices: 1, cash: 2000, cashRefund: 2000, card: 2000},
		// The setup's two patients registered on 25 November.
		"year": {period: mustPeriod(t, app.PeriodYear, "2026-06-01"), total: 6, newP: 6,
			status: map[app.AppointmentStatus]int{app.AppointmentCancelled: 1, app.AppointmentNoShow: 2,
				app.AppointmentConfirmed: 2, app.AppointmentCompleted: 1},
			// 2026 has 261 weekdays; before the hours were first entered (1
			// March) the first ones count.
			counted: 5, noShow: 2.0 / 3, booked: 150, available: 261 * 240,
			revenue: 5000, invoices: 1, cash: 2000, cashRefund: 2000, card: 2000},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := f.svc.Dashboard.Dashboard(admin, w.period)
			if err != nil {
				t.Fatal(err)
			}
			cf, ff := d.Clinical, d.Financial
			if cf == nil || ff == nil {
				t.Fatal("an admin sees both parts")
			}
			if cf.PatientsTotal != w.total || cf.PatientsNew != w.newP {
				t.Errorf("patients %d total, %d new; want %d, %d", cf.PatientsTotal, cf.PatientsNew, w.total, w.newP)
			}
			if got := statusMap(cf.Appointments); !mapsEqual(got, w.status) {
				t.Errorf("appointments by status %v, want %v", got, w.status)
			}
			if cf.AppointmentsTotal != w.counted || !near(cf.NoShowRate, w.noShow) {
				t.Errorf("appointments %d, no-show rate %.3f; want %d, %.3f", cf.AppointmentsTotal, cf.NoShowRate, w.counted, w.noShow)
			}
			var doc *app.DoctorFigures
			for i := range cf.Doctors {
				if cf.Doctors[i].DoctorID == f.doctor {
					doc = &cf.Doctors[i]
				}
			}
			if doc == nil {
				t.Fatal("the doctor is missing from the figures")
			}
			if doc.BookedMinutes != w.booked || doc.AvailableMinutes != w.available {
				t.Errorf("doctor booked %d of %d minutes, want %d of %d", doc.BookedMinutes, doc.AvailableMinutes, w.booked, w.available)
			}
			if w.available > 0 && !near(doc.Utilization, float64(w.booked)/float64(w.available)) {
				t.Errorf("utilization %.4f", doc.Utilization)
			}
			if ff.Revenue != w.revenue || ff.Invoices != w.invoices {
				t.Errorf("revenue %d in %d invoices, want %d in %d", ff.Revenue, ff.Invoices, w.revenue, w.invoices)
			}
			methods := map[app.PaymentMethod]app.MethodTotal{}
			for _, m := range ff.Payments {
				methods[m.Method] = m
			}
			if methods[app.PayCash].Taken != w.cash || methods[app.PayCash].Refunded != w.cashRefund || methods[app.PayCard].Taken != w.card {
				t.Errorf("payments %+v", ff.Payments)
			}
			if ff.NetTaken != w.cash-w.cashRefund+w.card {
				t.Errorf("net taken %d", ff.NetTaken)
			}
			// The balance is today's, whatever the period.
			if ff.Outstanding != 3000 || ff.OutstandingInvoices != 1 {
				t.Errorf("outstanding %d in %d invoices, want 3000 in 1", ff.Outstanding, ff.OutstandingInvoices)
			}
			if w.revenue > 0 {
				if len(ff.TopServices) != 1 || ff.TopServices[0].Revenue != 5000 || ff.TopServices[0].Name != "Other items" {
					t.Errorf("top services %+v", ff.TopServices)
				}
				if len(ff.Doctors) != 1 || ff.Doctors[0].DoctorID != f.doctor || ff.Doctors[0].Revenue != 5000 {
					t.Errorf("revenue per doctor %+v", ff.Doctors)
				}
			}
		})
	}
}

func mapsEqual(a, b map[app.AppointmentStatus]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestDashboardDrillDown opens the lists behind the figures of the DST
// day, page by page.
func TestDashboardDrillDown(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	dst := mustPeriod(t, app.PeriodToday, "2026-03-29")
	var ids []string
	cursor := ""
	for {
		page, err := f.svc.Dashboard.ListAppointments(admin, app.DrillDown{Period: dst, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Appointments {
			ids = append(ids, a.ID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := []string{f.appts["A2"].ID, f.appts["A3"].ID, f.appts["A4"].ID}; strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("appointments of the DST day %v, want %v", ids, want)
	}
	noShows, err := f.svc.Dashboard.ListAppointments(admin, app.DrillDown{Period: mustPeriod(t, app.PeriodMonth, "2026-03-01"),
		Status: app.AppointmentNoShow})
	if err != nil || len(noShows.Appointments) != 2 || noShows.Next != "" {
		t.Fatalf("no-shows of March: %v %+v", err, noShows)
	}
	// The week's figure counts three appointments: its list leaves out the
	// cancelled one, as the figure does, unless every status is asked for.
	week := mustPeriod(t, app.PeriodWeek, "2026-03-29")
	for standing, want := range map[bool]int{true: 3, false: 4} {
		page, err := f.svc.Dashboard.ListAppointments(admin, app.DrillDown{Period: week, Standing: standing})
		if err != nil || len(page.Appointments) != want {
			t.Fatalf("the week's appointments (standing %v): %v, %d listed, want %d", standing, err, len(page.Appointments), want)
		}
		for _, a := range page.Appointments {
			if standing && a.Status == app.AppointmentCancelled {
				t.Fatalf("a cancelled appointment among the standing ones: %+v", a)
			}
		}
	}
	pats, err := f.svc.Dashboard.ListNewPatients(admin, app.DrillDown{Period: dst})
	if err != nil || len(pats.Patients) != 1 || pats.Patients[0].ID != f.patients[2] {
		t.Fatalf("new patients of the DST day: %v %+v", err, pats)
	}
	billing := f.ctx(app.RoleBilling)
	mar30 := mustPeriod(t, app.PeriodToday, "2026-03-30")
	invs, err := f.svc.Dashboard.ListInvoices(billing, app.DrillDown{Period: mar30, DoctorID: f.doctor})
	if err != nil || len(invs.Invoices) != 1 || invs.Invoices[0].Totals.Total != 5000 {
		t.Fatalf("invoices of 30 March by the doctor: %v %+v", err, invs)
	}
	if invs, _ := f.svc.Dashboard.ListInvoices(billing, app.DrillDown{Period: dst}); len(invs.Invoices) != 0 {
		t.Fatalf("a void invoice is listed as revenue: %+v", invs.Invoices)
	}
	pays, err := f.svc.Dashboard.ListPayments(billing, app.DrillDown{Period: dst, Method: app.PayCash})
	if err != nil || len(pays.Payments) != 2 {
		t.Fatalf("cash of the DST day (payment and refund): %v %+v", err, pays)
	}
	out, err := f.svc.Dashboard.ListOutstanding(billing, app.DrillDown{})
	if err != nil || len(out.Invoices) != 1 || out.Invoices[0].Totals.Total-out.Invoices[0].Paid != 3000 {
		t.Fatalf("outstanding: %v %+v", err, out)
	}
	if _, err := f.svc.Dashboard.ListAppointments(admin, app.DrillDown{Period: dst, Cursor: "garbage"}); code(err) != app.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestDashboardSeries(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	week := mustPeriod(t, app.PeriodWeek, "2026-03-29")
	s, err := f.svc.Dashboard.Series(admin, app.SeriesAppointmentsPerDay, week)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range s.Points {
		got = append(got, p.Value)
	}
	if len(s.Points) != 7 || s.Points[6].Label != "2026-03-29" || !equalInts(got, []int64{0, 0, 0, 0, 0, 0, 3}) {
		t.Fatalf("appointments per day %+v", s.Points)
	}
	year := mustPeriod(t, app.PeriodYear, "2026-01-01")
	s, err = f.svc.Dashboard.Series(admin, app.SeriesRevenuePerMonth, year)
	if err != nil || len(s.Points) != 12 || s.Points[2].Key != "2026-03" || s.Points[2].Value != 5000 || s.Currency != "EUR" {
		t.Fatalf("revenue per month: %v %+v", err, s)
	}
	s, err = f.svc.Dashboard.Series(admin, app.SeriesAppointmentsPerDoctor, year)
	if err != nil || len(s.Points) != 1 || s.Points[0].Value != 5 {
		t.Fatalf("appointments per doctor: %v %+v", err, s)
	}
	for _, kind := range []app.SeriesKind{app.SeriesRevenuePerDoctor, app.SeriesRevenuePerService} {
		s, err = f.svc.Dashboard.Series(f.ctx(app.RoleBilling), kind, year)
		if err != nil || len(s.Points) != 1 || s.Points[0].Value != 5000 {
			t.Fatalf("%s: %v %+v", kind, err, s)
		}
	}
	if _, err := f.svc.Dashboard.Series(admin, "pie", year); code(err) != app.EINVALID {
		t.Fatalf("unknown series: %v", err)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDashboardPermissions: admins see everything, billing the money only,
// a doctor their own dashboard, everyone else nothing.
func TestDashboardPermissions(t *testing.T) {
	f := mustDashFixture(t)
	month := mustPeriod(t, app.PeriodMonth, "2026-03-01")
	for _, role := range app.Roles {
		t.Run(string(role), func(t *testing.T) {
			ctx := f.ctx(role)
			d, err := f.svc.Dashboard.Dashboard(ctx, month)
			switch role {
			case app.RoleAdmin:
				if err != nil || d.Clinical == nil || d.Financial == nil {
					t.Fatalf("admin: %v %+v", err, d)
				}
			case app.RoleBilling:
				if err != nil || d.Clinical != nil || d.Financial == nil {
					t.Fatalf("billing sees the financial part only: %v %+v", err, d)
				}
				if _, err := f.svc.Dashboard.ListAppointments(ctx, app.DrillDown{Period: month}); code(err) != app.EUNAUTHORIZED {
					t.Fatalf("billing lists appointments: %v", err)
				}
				if _, err := f.svc.Dashboard.Series(ctx, app.SeriesAppointmentsPerDay, month); code(err) != app.EUNAUTHORIZED {
					t.Fatalf("billing reads a clinical series: %v", err)
				}
				if _, err := f.svc.Dashboard.ReportTable(ctx, app.ReportRequest{Kind: app.ReportNewPatients, Period: month}); code(err) != app.EUNAUTHORIZED {
					t.Fatalf("billing reads the new patients: %v", err)
				}
			default:
				if code(err) != app.EUNAUTHORIZED {
					t.Fatalf("%s sees the dashboard: %v", role, err)
				}
			}
			dd, err := f.svc.Dashboard.DoctorDashboard(ctx, f.doctor)
			if role == app.RoleAdmin || role == app.RoleDoctor {
				if err != nil || dd.DoctorID != f.doctor {
					t.Fatalf("doctor's dashboard: %v", err)
				}
			} else if code(err) != app.EUNAUTHORIZED {
				t.Fatalf("%s sees the doctor's dashboard: %v", role, err)
			}
		})
	}
	// A doctor sees their own dashboard only.
	other, err := f.svc.Users.CreateUser(f.ctx(app.RoleAdmin), app.UserCreate{Username: "dr.other", FullName: "Dr. Other",
		Role: app.RoleDoctor, Password: "another long password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Dashboard.DoctorDashboard(as(callerOf(other)), f.doctor); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a doctor opens another's dashboard: %v", err)
	}
}

// TestDoctorDashboard: today's appointments, patients in treatment with
// active prescriptions or problems, and the reports since last looked.
func TestDoctorDashboard(t *testing.T) {
	f := mustDashFixture(t)
	f.at(utc("2026-03-30T06:00:00Z")) // Monday 30 March, 09:00 local
	doc := f.ctx(app.RoleDoctor)
	pid := f.appts["A6"].PatientID
	if _, err := f.svc.Clinical.AssignDoctor(doc, app.AssignmentCreate{PatientID: pid, DoctorID: f.doctor, Reason: "Hypertension follow-up",
		StartDate: "2026-03-30"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Clinical.AddProblem(doc, app.ProblemCreate{PatientID: pid, Condition: "Essential hypertension", Status: app.ProblemActive}); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Dashboard.DoctorDashboard(doc, f.doctor)
	if err != nil {
		t.Fatal(err)
	}
	if d.Today != day("2026-03-30") || len(d.Appointments) != 2 {
		t.Fatalf("today %s, %d appointments (want A5 and A6)", d.Today, len(d.Appointments))
	}
	if len(d.Patients) != 1 || d.Patients[0].PatientID != pid || d.Patients[0].ActiveProblems != 1 {
		t.Fatalf("patients in treatment %+v", d.Patients)
	}
	if d.Month.From != day("2026-03-01") || d.MonthFigure.Appointments != 5 {
		t.Fatalf("month %v figures %+v", d.Month, d.MonthFigure)
	}
	if len(d.NewAttachments) != 0 || !d.AttachmentsSeenAt.IsZero() {
		t.Fatalf("new reports %+v", d.NewAttachments)
	}
	attach := func() {
		t.Helper()
		if _, err := f.svc.Attachments.AttachFile(f.ctx(app.RoleNurse), app.AttachmentCreate{PatientID: pid, Title: "Lipid profile",
			Type: app.AttachmentLab, Date: "2026-03-30", FileName: "lipids.txt", Content: []byte("LDL 3.1 mmol/L\n")}); err != nil {
			t.Fatal(err)
		}
	}
	attach()
	f.clock.Add(time.Minute)
	if d, _ = f.svc.Dashboard.DoctorDashboard(doc, f.doctor); len(d.NewAttachments) != 1 || d.NewAttachments[0].Attachment.Title != "Lipid profile" {
		t.Fatalf("new reports %+v", d.NewAttachments)
	}
	if err := f.svc.Dashboard.MarkAttachmentsSeen(doc); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	if d, _ = f.svc.Dashboard.DoctorDashboard(doc, f.doctor); len(d.NewAttachments) != 0 || d.AttachmentsSeenAt.IsZero() {
		t.Fatalf("reports still new after looking: %+v", d.NewAttachments)
	}
	attach()
	if d, _ = f.svc.Dashboard.DoctorDashboard(doc, f.doctor); len(d.NewAttachments) != 1 {
		t.Fatalf("a report attached after looking: %+v", d.NewAttachments)
	}
}

// readCSV checks the byte order mark and CRLF line ends and parses the rest.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatal("no byte order mark")
	}
	if !bytes.Contains(b, []byte("\r\n")) {
		t.Fatal("lines do not end in CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestDashboardExportCSV: names with commas, quotes, line breaks and
// accents come back from the CSV as they were; each export is audited.
func TestDashboardExportCSV(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	f.at(utc("2026-04-01T08:00:00Z"))
	tricky := "Zoë \"Zee\", O'Brien"
	p, err := f.svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: tricky, FamilyName: "Müller-Lüdenscheidt",
		Sex: app.SexFemale, BirthDate: "1991-02-03"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: p.ID, DoctorID: f.doctor, Start: utc("2026-04-01T08:30:00Z"),
		Minutes: 30, Reason: "Cough,\nfever \"since Monday\""})
	if err != nil {
		t.Fatal(err)
	}
	april := mustPeriod(t, app.PeriodMonth, "2026-04-01")
	var buf bytes.Buffer
	// The summaries take the clinic's zone first (an audited rebuild of its own).
	if err := f.db.RefreshDashboard(admin); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, f.db)
	if err := f.svc.Dashboard.ExportCSV(admin, app.ReportRequest{Kind: app.ReportAppointments, Period: april}, &buf); err != nil {
		t.Fatal(err)
	}
	if auditCount(t, f.db) != before+1 {
		t.Fatal("the export is not audited")
	}
	recs := readCSV(t, buf.Bytes())
	if strings.Join(recs[0], "|") != "Date|Time|Doctor|Patient|Record no.|Status|Minutes|Reason" {
		t.Fatalf("columns %q", recs[0])
	}
	if len(recs) != 3 {
		t.Fatalf("want header, one appointment and the total: %q", recs)
	}
	row := recs[1]
	if row[0] != "2026-04-01" || row[1] != "11:30" || row[3] != tricky+" Müller-Lüdenscheidt" || row[7] != "Cough,\nfever \"since Monday\"" {
		t.Fatalf("row %q", row)
	}
	buf.Reset()
	if err := f.svc.Dashboard.ExportCSV(admin, app.ReportRequest{Kind: app.ReportNewPatients, Period: april}, &buf); err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, buf.Bytes())
	if len(recs) != 3 || recs[1][2] != tricky || recs[1][3] != "Müller-Lüdenscheidt" {
		t.Fatalf("new patients %q", recs)
	}
	buf.Reset()
	march := mustPeriod(t, app.PeriodMonth, "2026-03-01")
	if err := f.svc.Dashboard.ExportCSV(f.ctx(app.RoleBilling), app.ReportRequest{Kind: app.ReportRevenue, Period: march}, &buf); err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, buf.Bytes())
	if len(recs) != 3 || recs[1][0] != "2026-03-30" || recs[1][6] != "50.00" || recs[2][6] != "50.00" {
		t.Fatalf("revenue %q", recs)
	}
	buf.Reset()
	if err := f.svc.Dashboard.ExportCSV(f.ctx(app.RoleBilling), app.ReportRequest{Kind: app.ReportOutstanding}, &buf); err != nil {
		t.Fatal(err)
	}
	if recs = readCSV(t, buf.Bytes()); len(recs) != 3 || recs[1][6] != "30.00" {
		t.Fatalf("outstanding %q", recs)
	}
	buf.Reset()
	err = f.svc.Dashboard.ExportCSV(admin, app.ReportRequest{Kind: app.ReportAuditLog, Period: march, Username: "billing1"}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, buf.Bytes())
	if len(recs) < 5 {
		t.Fatalf("billing1's March audit rows %q", recs)
	}
	for _, r := range recs[1:] {
		if r[2] != "billing1" {
			t.Fatalf("audit row of another user %q", r)
		}
	}
	if err := f.svc.Dashboard.ExportCSV(f.ctx(app.RoleBilling), app.ReportRequest{Kind: app.ReportAuditLog, Period: march}, io.Discard); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("billing exports the audit log: %v", err)
	}
}

// TestDashboardExportPDF: the report's text extracted from the PDF.
func TestDashboardExportPDF(t *testing.T) {
	f := mustDashFixture(t)
	march := mustPeriod(t, app.PeriodMonth, "2026-03-01")
	b, err := f.svc.Dashboard.ExportPDF(f.ctx(app.RoleAdmin), app.ReportRequest{Kind: app.ReportAppointments, Period: march})
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, b)
	for _, want := range []string{"Riverside Clinic", "Appointments", "2026-03-01 – 2026-03-31", "Δημήτρης Fixture", "Chloé Fixture",
		"No-show", "23:30", "6 rows"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from the PDF:\n%s", want, text)
		}
	}
	b, err = f.svc.Dashboard.ExportPDF(f.ctx(app.RoleBilling), app.ReportRequest{Kind: app.ReportRevenue, Period: march})
	if err != nil {
		t.Fatal(err)
	}
	if text = pdfToText(t, b); !strings.Contains(text, "Revenue") || !strings.Contains(text, "50.00") {
		t.Errorf("revenue PDF:\n%s", text)
	}
}

// TestDashboardTimeZoneChange: the summaries follow a change of the
// clinic's time zone.
func TestDashboardTimeZoneChange(t *testing.T) {
	f := mustDashFixture(t)
	admin := f.ctx(app.RoleAdmin)
	s, err := f.svc.Settings.GetSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	s.TimeZone = "UTC"
	if _, err := f.svc.Settings.UpdateSettings(admin, *s, nil); err != nil {
		t.Fatal(err)
	}
	// In UTC, A2 (22:00 on 28 March) leaves the 29th, A5 (21:00 on the 29th) joins it.
	d, err := f.svc.Dashboard.Dashboard(admin, mustPeriod(t, app.PeriodToday, "2026-03-29"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[app.AppointmentStatus]int{app.AppointmentConfirmed: 1, app.AppointmentCompleted: 1, app.AppointmentNoShow: 1}
	if got := statusMap(d.Clinical.Appointments); !mapsEqual(got, want) {
		t.Fatalf("29 March in UTC: %v", got)
	}
	if d.Financial.Revenue != 5000 {
		t.Fatalf("invoice issued 21:30 UTC on the 29th: revenue %d", d.Financial.Revenue)
	}
	if err := f.db.CheckDashboard(context.Background()); err != nil {
		t.Fatal(err)
	}
}
