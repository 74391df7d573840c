package mock

import (
	"context"

	"hms/app"
)

// SyncService is a mock of app.SyncService.
type SyncService struct {
	EnrollDeskFn func(ctx context.Context, serverURL string) (*app.SyncStatus, error)
	SyncNowFn    func(ctx context.Context) (*app.SyncReport, error)
	SyncStatusFn func(ctx context.Context) (*app.SyncStatus, error)
}

var _ app.SyncService = (*SyncService)(nil)

// EnrollDesk calls EnrollDeskFn.
func (s *SyncService) EnrollDesk(ctx context.Context, serverURL string) (*app.SyncStatus, error) {
	return s.EnrollDeskFn(ctx, serverURL)
}

// SyncNow calls SyncNowFn.
func (s *SyncService) SyncNow(ctx context.Context) (*app.SyncReport, error) {
	return s.SyncNowFn(ctx)
}

// SyncStatus calls SyncStatusFn.
func (s *SyncService) SyncStatus(ctx context.Context) (*app.SyncStatus, error) {
	return s.SyncStatusFn(ctx)
}
