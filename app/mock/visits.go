package mock

import (
	"context"

	"hms/app"
)

// VisitService is a mock of app.VisitService.
type VisitService struct {
	StartVisitFn        func(ctx context.Context, s app.VisitStart) (*app.Visit, error)
	CompleteVisitFn     func(ctx context.Context, visitID string, services []app.VisitServiceLine) (*app.Visit, error)
	FindVisitsFn        func(ctx context.Context, patientID string) ([]*app.Visit, error)
	FindVisitServicesFn func(ctx context.Context, query string) ([]*app.PriceItem, error)
	LetterPDFFn         func(ctx context.Context, r app.LetterRequest) ([]byte, error)
	FindLettersFn       func(ctx context.Context, patientID string) ([]*app.Letter, error)
	FindVisitLettersFn  func(ctx context.Context, visitID string) ([]*app.Letter, error)
	ReprintLetterFn     func(ctx context.Context, letterID string) ([]byte, error)
}

var _ app.VisitService = (*VisitService)(nil)

// StartVisit calls StartVisitFn.
func (s *VisitService) StartVisit(ctx context.Context, in app.VisitStart) (*app.Visit, error) {
	return s.StartVisitFn(ctx, in)
}

// CompleteVisit calls CompleteVisitFn.
func (s *VisitService) CompleteVisit(ctx context.Context, visitID string, services []app.VisitServiceLine) (*app.Visit, error) {
	return s.CompleteVisitFn(ctx, visitID, services)
}

// FindVisits calls FindVisitsFn.
func (s *VisitService) FindVisits(ctx context.Context, patientID string) ([]*app.Visit, error) {
	return s.FindVisitsFn(ctx, patientID)
}

// FindVisitServices calls FindVisitServicesFn.
func (s *VisitService) FindVisitServices(ctx context.Context, query string) ([]*app.PriceItem, error) {
	return s.FindVisitServicesFn(ctx, query)
}

// LetterPDF calls LetterPDFFn.
func (s *VisitService) LetterPDF(ctx context.Context, r app.LetterRequest) ([]byte, error) {
	return s.LetterPDFFn(ctx, r)
}

// FindLetters calls FindLettersFn; without one, a patient has no letters.
func (s *VisitService) FindLetters(ctx context.Context, patientID string) ([]*app.Letter, error) {
	if s.FindLettersFn == nil {
		return nil, nil
	}
	return s.FindLettersFn(ctx, patientID)
}

// FindVisitLetters calls FindVisitLettersFn; without one, a visit has no
// letters.
func (s *VisitService) FindVisitLetters(ctx context.Context, visitID string) ([]*app.Letter, error) {
	if s.FindVisitLettersFn == nil {
		return nil, nil
	}
	return s.FindVisitLettersFn(ctx, visitID)
}

// ReprintLetter calls ReprintLetterFn.
func (s *VisitService) ReprintLetter(ctx context.Context, letterID string) ([]byte, error) {
	return s.ReprintLetterFn(ctx, letterID)
}
