package mock

import (
	"context"

	"hms/app"
)

// DiagnosisService is a mock of app.DiagnosisService.
type DiagnosisService struct {
	SearchCodesFn     func(ctx context.Context, query string, limit int) ([]*app.DiagnosisCode, error)
	ImportCodesFn     func(ctx context.Context, system string, rows []app.DiagnosisCodeRow) (int, error)
	AddDiagnosisFn    func(ctx context.Context, c app.DiagnosisCreate) (*app.Diagnosis, error)
	RemoveDiagnosisFn func(ctx context.Context, id, reason string) (*app.Diagnosis, error)
	FindDiagnosesFn   func(ctx context.Context, patientID string) ([]*app.Diagnosis, error)
	MorbidityReportFn func(ctx context.Context, f app.MorbidityFilter) (*app.MorbidityReport, error)
}

var _ app.DiagnosisService = (*DiagnosisService)(nil)

// SearchCodes calls SearchCodesFn.
func (s *DiagnosisService) SearchCodes(ctx context.Context, query string, limit int) ([]*app.DiagnosisCode, error) {
	return s.SearchCodesFn(ctx, query, limit)
}

// ImportCodes calls ImportCodesFn.
func (s *DiagnosisService) ImportCodes(ctx context.Context, system string, rows []app.DiagnosisCodeRow) (int, error) {
	return s.ImportCodesFn(ctx, system, rows)
}

// AddDiagnosis calls AddDiagnosisFn.
func (s *DiagnosisService) AddDiagnosis(ctx context.Context, c app.DiagnosisCreate) (*app.Diagnosis, error) {
	return s.AddDiagnosisFn(ctx, c)
}

// RemoveDiagnosis calls RemoveDiagnosisFn.
func (s *DiagnosisService) RemoveDiagnosis(ctx context.Context, id, reason string) (*app.Diagnosis, error) {
	return s.RemoveDiagnosisFn(ctx, id, reason)
}

// FindDiagnoses calls FindDiagnosesFn.
func (s *DiagnosisService) FindDiagnoses(ctx context.Context, patientID string) ([]*app.Diagnosis, error) {
	return s.FindDiagnosesFn(ctx, patientID)
}

// MorbidityReport calls MorbidityReportFn.
func (s *DiagnosisService) MorbidityReport(ctx context.Context, f app.MorbidityFilter) (*app.MorbidityReport, error) {
	return s.MorbidityReportFn(ctx, f)
}
