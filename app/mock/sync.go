package mock

import (
	"context"

	"hms/app"
)

// SyncService is a mock of app.SyncService.
type SyncService struct {
	EnrollDeskFn        func(ctx context.Context, serverURL string) (*app.SyncStatus, error)
	TestServerFn        func(ctx context.Context, serverURL string) (*app.ServerCheck, error)
	SyncNowFn           func(ctx context.Context) (*app.SyncReport, error)
	SyncStatusFn        func(ctx context.Context) (*app.SyncStatus, error)
	RunSyncFn           func(ctx context.Context, report func(*app.SyncStatus))
	ListConflictsFn     func(ctx context.Context, all bool) ([]*app.Conflict, error)
	ResolveConflictFn   func(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error)
	SettleOverpaymentFn func(ctx context.Context, id string, s app.OverpaymentSettlement) (*app.Conflict, error)
	// DeskVersionsFn nil lists no desks.
	DeskVersionsFn func(ctx context.Context) ([]app.DeskVersion, error)
}

var _ app.SyncService = (*SyncService)(nil)

// EnrollDesk calls EnrollDeskFn.
func (s *SyncService) EnrollDesk(ctx context.Context, serverURL string) (*app.SyncStatus, error) {
	return s.EnrollDeskFn(ctx, serverURL)
}

// TestServer calls TestServerFn.
func (s *SyncService) TestServer(ctx context.Context, serverURL string) (*app.ServerCheck, error) {
	return s.TestServerFn(ctx, serverURL)
}

// SyncNow calls SyncNowFn.
func (s *SyncService) SyncNow(ctx context.Context) (*app.SyncReport, error) {
	return s.SyncNowFn(ctx)
}

// SyncStatus calls SyncStatusFn.
func (s *SyncService) SyncStatus(ctx context.Context) (*app.SyncStatus, error) {
	return s.SyncStatusFn(ctx)
}

// RunSync calls RunSyncFn.
func (s *SyncService) RunSync(ctx context.Context, report func(*app.SyncStatus)) {
	s.RunSyncFn(ctx, report)
}

// ListConflicts calls ListConflictsFn.
func (s *SyncService) ListConflicts(ctx context.Context, all bool) ([]*app.Conflict, error) {
	return s.ListConflictsFn(ctx, all)
}

// SettleOverpayment calls SettleOverpaymentFn.
func (s *SyncService) SettleOverpayment(ctx context.Context, id string, o app.OverpaymentSettlement) (*app.Conflict, error) {
	return s.SettleOverpaymentFn(ctx, id, o)
}

// ResolveConflict calls ResolveConflictFn.
func (s *SyncService) ResolveConflict(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error) {
	return s.ResolveConflictFn(ctx, id, r)
}

// DeskVersions calls DeskVersionsFn; without it there are no desks.
func (s *SyncService) DeskVersions(ctx context.Context) ([]app.DeskVersion, error) {
	if s.DeskVersionsFn == nil {
		return nil, nil
	}
	return s.DeskVersionsFn(ctx)
}
