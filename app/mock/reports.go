package mock

import (
	"context"

	"hms/app"
)

// ReportService is a mock of app.ReportService.
type ReportService struct {
	AttachReportFn func(ctx context.Context, r app.ReportCreate) (*app.Report, error)
	FindReportsFn  func(ctx context.Context, patientID string) ([]*app.Report, error)
	OpenReportFn   func(ctx context.Context, id string) (*app.Report, []byte, error)
}

var _ app.ReportService = (*ReportService)(nil)

// AttachReport calls AttachReportFn.
func (s *ReportService) AttachReport(ctx context.Context, r app.ReportCreate) (*app.Report, error) {
	return s.AttachReportFn(ctx, r)
}

// FindReports calls FindReportsFn.
func (s *ReportService) FindReports(ctx context.Context, patientID string) ([]*app.Report, error) {
	return s.FindReportsFn(ctx, patientID)
}

// OpenReport calls OpenReportFn.
func (s *ReportService) OpenReport(ctx context.Context, id string) (*app.Report, []byte, error) {
	return s.OpenReportFn(ctx, id)
}
