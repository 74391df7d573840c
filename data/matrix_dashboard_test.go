package data_test

import (
	"context"
	"io"
	"reflect"
	"time"

	"hms/app"
)

// The dashboard service's rows of the role matrix. Admins see every
// figure, list, chart and report; billing clerks the financial ones (and
// the money part of the dashboard); a doctor their own dashboard; the
// audit log report is for those who read the audit log (admins). Nurses,
// reception and patients see nothing.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.DashboardService]())
	var (
		admins    = []app.Role{app.RoleAdmin}
		financial = []app.Role{app.RoleAdmin, app.RoleBilling}
		ownStats  = []app.Role{app.RoleAdmin, app.RoleDoctor}
	)
	month := func(c *clinic) app.Period {
		p, err := app.PeriodContaining(app.PeriodMonth, app.DayOf(c.clock.Now(), time.UTC))
		if err != nil {
			panic(err)
		}
		return p
	}
	matrix["DashboardService.Dashboard"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.Dashboard(ctx, month(c))
		return err
	}}
	// The fixture's doctor's own dashboard: the doctor and admins.
	matrix["DashboardService.DoctorDashboard"] = call{allowed: ownStats, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.DoctorDashboard(ctx, c.users[app.RoleDoctor].ID)
		return err
	}}
	matrix["DashboardService.MarkAttachmentsSeen"] = call{allowed: ownStats, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Dashboard.MarkAttachmentsSeen(ctx)
	}}
	matrix["DashboardService.ListAppointments"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ListAppointments(ctx, app.DrillDown{Period: month(c), Status: app.AppointmentNoShow})
		return err
	}}
	matrix["DashboardService.ListNewPatients"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ListNewPatients(ctx, app.DrillDown{Period: month(c)})
		return err
	}}
	matrix["DashboardService.ListInvoices"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ListInvoices(ctx, app.DrillDown{Period: month(c)})
		return err
	}}
	matrix["DashboardService.ListPayments"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ListPayments(ctx, app.DrillDown{Period: month(c), Method: app.PayCash})
		return err
	}}
	matrix["DashboardService.ListOutstanding"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ListOutstanding(ctx, app.DrillDown{})
		return err
	}}
	// A money chart: admins and billing (an appointments chart is admins'
	// only, as TestDashboardPermissions checks).
	matrix["DashboardService.Series"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.Series(ctx, app.SeriesRevenuePerMonth, month(c))
		return err
	}}
	matrix["DashboardService.ReportTable"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ReportTable(ctx, app.ReportRequest{Kind: app.ReportAppointments, Period: month(c)})
		return err
	}}
	matrix["DashboardService.ExportCSV"] = call{allowed: financial, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Dashboard.ExportCSV(ctx, app.ReportRequest{Kind: app.ReportOutstanding}, io.Discard)
	}}
	// The morbidity report: administrators and doctors (their own
	// patients'), on screen and as PDF.
	matrix["DashboardService.ReportTable/morbidity"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleDoctor},
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Dashboard.ReportTable(ctx, app.ReportRequest{Kind: app.ReportMorbidity, Period: month(c)})
			return err
		}}
	matrix["DashboardService.ExportPDF/morbidity"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleDoctor},
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Dashboard.ExportPDF(ctx, app.ReportRequest{Kind: app.ReportMorbidity, Period: month(c)})
			return err
		}}
	// The audit log: those who read it.
	matrix["DashboardService.ExportPDF"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Dashboard.ExportPDF(ctx, app.ReportRequest{Kind: app.ReportAuditLog, Period: month(c)})
		return err
	}}
}
