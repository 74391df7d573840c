package mock

import (
	"context"
	"io"

	"hms/app"
)

// DashboardService is a mock of app.DashboardService.
type DashboardService struct {
	DashboardFn           func(ctx context.Context, p app.Period) (*app.Dashboard, error)
	DoctorDashboardFn     func(ctx context.Context, doctorID string) (*app.DoctorDashboard, error)
	MarkAttachmentsSeenFn func(ctx context.Context) error
	ListAppointmentsFn    func(ctx context.Context, d app.DrillDown) (*app.AppointmentPage, error)
	ListNewPatientsFn     func(ctx context.Context, d app.DrillDown) (*app.PatientList, error)
	ListInvoicesFn        func(ctx context.Context, d app.DrillDown) (*app.InvoiceList, error)
	ListPaymentsFn        func(ctx context.Context, d app.DrillDown) (*app.PaymentList, error)
	ListOutstandingFn     func(ctx context.Context, d app.DrillDown) (*app.OutstandingList, error)
	SeriesFn              func(ctx context.Context, kind app.SeriesKind, p app.Period) (*app.Series, error)
	ReportTableFn         func(ctx context.Context, r app.ReportRequest) (*app.Table, error)
	ExportCSVFn           func(ctx context.Context, r app.ReportRequest, w io.Writer) error
	ExportPDFFn           func(ctx context.Context, r app.ReportRequest) ([]byte, error)
}

var _ app.DashboardService = (*DashboardService)(nil)

// Dashboard calls DashboardFn.
func (s *DashboardService) Dashboard(ctx context.Context, p app.Period) (*app.Dashboard, error) {
	return s.DashboardFn(ctx, p)
}

// DoctorDashboard calls DoctorDashboardFn.
func (s *DashboardService) DoctorDashboard(ctx context.Context, doctorID string) (*app.DoctorDashboard, error) {
	return s.DoctorDashboardFn(ctx, doctorID)
}

// MarkAttachmentsSeen calls MarkAttachmentsSeenFn.
func (s *DashboardService) MarkAttachmentsSeen(ctx context.Context) error {
	return s.MarkAttachmentsSeenFn(ctx)
}

// ListAppointments calls ListAppointmentsFn.
func (s *DashboardService) ListAppointments(ctx context.Context, d app.DrillDown) (*app.AppointmentPage, error) {
	return s.ListAppointmentsFn(ctx, d)
}

// ListNewPatients calls ListNewPatientsFn.
func (s *DashboardService) ListNewPatients(ctx context.Context, d app.DrillDown) (*app.PatientList, error) {
	return s.ListNewPatientsFn(ctx, d)
}

// ListInvoices calls ListInvoicesFn.
func (s *DashboardService) ListInvoices(ctx context.Context, d app.DrillDown) (*app.InvoiceList, error) {
	return s.ListInvoicesFn(ctx, d)
}

// ListPayments calls ListPaymentsFn.
func (s *DashboardService) ListPayments(ctx context.Context, d app.DrillDown) (*app.PaymentList, error) {
	return s.ListPaymentsFn(ctx, d)
}

// ListOutstanding calls ListOutstandingFn.
func (s *DashboardService) ListOutstanding(ctx context.Context, d app.DrillDown) (*app.OutstandingList, error) {
	return s.ListOutstandingFn(ctx, d)
}

// Series calls SeriesFn.
func (s *DashboardService) Series(ctx context.Context, kind app.SeriesKind, p app.Period) (*app.Series, error) {
	return s.SeriesFn(ctx, kind, p)
}

// ReportTable calls ReportTableFn.
func (s *DashboardService) ReportTable(ctx context.Context, r app.ReportRequest) (*app.Table, error) {
	return s.ReportTableFn(ctx, r)
}

// ExportCSV calls ExportCSVFn.
func (s *DashboardService) ExportCSV(ctx context.Context, r app.ReportRequest, w io.Writer) error {
	return s.ExportCSVFn(ctx, r, w)
}

// ExportPDF calls ExportPDFFn.
func (s *DashboardService) ExportPDF(ctx context.Context, r app.ReportRequest) ([]byte, error) {
	return s.ExportPDFFn(ctx, r)
}
