package mock

import (
	"context"

	"hms/app"
)

// ClinicalService is a mock of app.ClinicalService.
type ClinicalService struct {
	GetChartFn               func(ctx context.Context, patientID string) (*app.Chart, error)
	FindHistoryFn            func(ctx context.Context, patientID string, f app.HistoryFilter) ([]*app.HistoryEntry, error)
	AddAllergyFn             func(ctx context.Context, a app.AllergyCreate) (*app.Allergy, error)
	RemoveAllergyFn          func(ctx context.Context, id, reason string) error
	FindAllergiesFn          func(ctx context.Context, patientID string) ([]*app.Allergy, error)
	RecordNoKnownAllergiesFn func(ctx context.Context, patientID string) (*app.AllergyStatement, error)
	AddProblemFn             func(ctx context.Context, p app.ProblemCreate) (*app.Problem, error)
	ResolveProblemFn         func(ctx context.Context, id, resolvedOn string) (*app.Problem, error)
	FindProblemsFn           func(ctx context.Context, patientID string) ([]*app.Problem, error)
	RecordVitalsFn           func(ctx context.Context, v app.Vitals) (*app.Vitals, error)
	FindVitalsFn             func(ctx context.Context, patientID string, limit int) ([]*app.Vitals, error)
	AddNoteFn                func(ctx context.Context, n app.NoteCreate) (*app.Note, error)
	FindNotesFn              func(ctx context.Context, patientID string) ([]*app.Note, error)
	PrescribeFn              func(ctx context.Context, p app.PrescriptionCreate) (*app.Prescription, error)
	CompletePrescriptionFn   func(ctx context.Context, id string) (*app.Prescription, error)
	CancelPrescriptionFn     func(ctx context.Context, id, reason string) (*app.Prescription, error)
	FindPrescriptionsFn      func(ctx context.Context, patientID string) ([]*app.Prescription, error)
	PrescriptionPDFFn        func(ctx context.Context, id string) ([]byte, error)
	FindPrescriptionFn       func(ctx context.Context, number string) (*app.Prescription, error)
	AssignDoctorFn           func(ctx context.Context, a app.AssignmentCreate) (*app.Assignment, error)
	EndAssignmentFn          func(ctx context.Context, id string, status app.AssignmentStatus) (*app.Assignment, error)
	FindAssignmentsFn        func(ctx context.Context, patientID string) ([]*app.Assignment, error)
	MyPatientsFn             func(ctx context.Context) ([]*app.Patient, error)
	SetRegistrationNumberFn  func(ctx context.Context, doctorID, number string) (*app.Prescriber, error)
	GetPrescriberFn          func(ctx context.Context, doctorID string) (*app.Prescriber, error)
	AllergyReviewFn          func(ctx context.Context) ([]*app.AllergyReviewItem, error)
}

var _ app.ClinicalService = (*ClinicalService)(nil)

// GetChart calls GetChartFn.
func (s *ClinicalService) GetChart(ctx context.Context, patientID string) (*app.Chart, error) {
	return s.GetChartFn(ctx, patientID)
}

// FindHistory calls FindHistoryFn.
func (s *ClinicalService) FindHistory(ctx context.Context, patientID string, f app.HistoryFilter) ([]*app.HistoryEntry, error) {
	return s.FindHistoryFn(ctx, patientID, f)
}

// AddAllergy calls AddAllergyFn.
func (s *ClinicalService) AddAllergy(ctx context.Context, a app.AllergyCreate) (*app.Allergy, error) {
	return s.AddAllergyFn(ctx, a)
}

// RemoveAllergy calls RemoveAllergyFn.
func (s *ClinicalService) RemoveAllergy(ctx context.Context, id, reason string) error {
	return s.RemoveAllergyFn(ctx, id, reason)
}

// FindAllergies calls FindAllergiesFn.
func (s *ClinicalService) FindAllergies(ctx context.Context, patientID string) ([]*app.Allergy, error) {
	return s.FindAllergiesFn(ctx, patientID)
}

// RecordNoKnownAllergies calls RecordNoKnownAllergiesFn.
func (s *ClinicalService) RecordNoKnownAllergies(ctx context.Context, patientID string) (*app.AllergyStatement, error) {
	return s.RecordNoKnownAllergiesFn(ctx, patientID)
}

// AddProblem calls AddProblemFn.
func (s *ClinicalService) AddProblem(ctx context.Context, p app.ProblemCreate) (*app.Problem, error) {
	return s.AddProblemFn(ctx, p)
}

// ResolveProblem calls ResolveProblemFn.
func (s *ClinicalService) ResolveProblem(ctx context.Context, id, resolvedOn string) (*app.Problem, error) {
	return s.ResolveProblemFn(ctx, id, resolvedOn)
}

// FindProblems calls FindProblemsFn.
func (s *ClinicalService) FindProblems(ctx context.Context, patientID string) ([]*app.Problem, error) {
	return s.FindProblemsFn(ctx, patientID)
}

// RecordVitals calls RecordVitalsFn.
func (s *ClinicalService) RecordVitals(ctx context.Context, v app.Vitals) (*app.Vitals, error) {
	return s.RecordVitalsFn(ctx, v)
}

// FindVitals calls FindVitalsFn.
func (s *ClinicalService) FindVitals(ctx context.Context, patientID string, limit int) ([]*app.Vitals, error) {
	return s.FindVitalsFn(ctx, patientID, limit)
}

// AddNote calls AddNoteFn.
func (s *ClinicalService) AddNote(ctx context.Context, n app.NoteCreate) (*app.Note, error) {
	return s.AddNoteFn(ctx, n)
}

// FindNotes calls FindNotesFn.
func (s *ClinicalService) FindNotes(ctx context.Context, patientID string) ([]*app.Note, error) {
	return s.FindNotesFn(ctx, patientID)
}

// Prescribe calls PrescribeFn.
func (s *ClinicalService) Prescribe(ctx context.Context, p app.PrescriptionCreate) (*app.Prescription, error) {
	return s.PrescribeFn(ctx, p)
}

// CompletePrescription calls CompletePrescriptionFn.
func (s *ClinicalService) CompletePrescription(ctx context.Context, id string) (*app.Prescription, error) {
	return s.CompletePrescriptionFn(ctx, id)
}

// CancelPrescription calls CancelPrescriptionFn.
func (s *ClinicalService) CancelPrescription(ctx context.Context, id, reason string) (*app.Prescription, error) {
	return s.CancelPrescriptionFn(ctx, id, reason)
}

// FindPrescriptions calls FindPrescriptionsFn.
func (s *ClinicalService) FindPrescriptions(ctx context.Context, patientID string) ([]*app.Prescription, error) {
	return s.FindPrescriptionsFn(ctx, patientID)
}

// FindPrescription calls FindPrescriptionFn.
func (s *ClinicalService) FindPrescription(ctx context.Context, number string) (*app.Prescription, error) {
	return s.FindPrescriptionFn(ctx, number)
}

// PrescriptionPDF calls PrescriptionPDFFn.
func (s *ClinicalService) PrescriptionPDF(ctx context.Context, id string) ([]byte, error) {
	return s.PrescriptionPDFFn(ctx, id)
}

// AssignDoctor calls AssignDoctorFn.
func (s *ClinicalService) AssignDoctor(ctx context.Context, a app.AssignmentCreate) (*app.Assignment, error) {
	return s.AssignDoctorFn(ctx, a)
}

// EndAssignment calls EndAssignmentFn.
func (s *ClinicalService) EndAssignment(ctx context.Context, id string, status app.AssignmentStatus) (*app.Assignment, error) {
	return s.EndAssignmentFn(ctx, id, status)
}

// FindAssignments calls FindAssignmentsFn.
func (s *ClinicalService) FindAssignments(ctx context.Context, patientID string) ([]*app.Assignment, error) {
	return s.FindAssignmentsFn(ctx, patientID)
}

// MyPatients calls MyPatientsFn.
func (s *ClinicalService) MyPatients(ctx context.Context) ([]*app.Patient, error) {
	return s.MyPatientsFn(ctx)
}

// SetRegistrationNumber calls SetRegistrationNumberFn.
func (s *ClinicalService) SetRegistrationNumber(ctx context.Context, doctorID, number string) (*app.Prescriber, error) {
	return s.SetRegistrationNumberFn(ctx, doctorID, number)
}

// GetPrescriber calls GetPrescriberFn.
func (s *ClinicalService) GetPrescriber(ctx context.Context, doctorID string) (*app.Prescriber, error) {
	return s.GetPrescriberFn(ctx, doctorID)
}

// AllergyReview calls AllergyReviewFn.
func (s *ClinicalService) AllergyReview(ctx context.Context) ([]*app.AllergyReviewItem, error) {
	return s.AllergyReviewFn(ctx)
}
