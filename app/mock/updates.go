package mock

import (
	"context"

	"hms/app"
)

// UpdateService is a mock of app.UpdateService.
type UpdateService struct {
	UpdateStateFn       func(ctx context.Context) (*app.UpdateState, error)
	SetUpdateLocationFn func(ctx context.Context, location string) (*app.UpdateState, error)
	CheckForUpdateFn    func(ctx context.Context) (*app.UpdateOffer, error)
	InstallUpdateFn     func(ctx context.Context, version string) (*app.UpdateResult, error)
}

var _ app.UpdateService = (*UpdateService)(nil)

// UpdateState calls UpdateStateFn.
func (s *UpdateService) UpdateState(ctx context.Context) (*app.UpdateState, error) {
	return s.UpdateStateFn(ctx)
}

// SetUpdateLocation calls SetUpdateLocationFn.
func (s *UpdateService) SetUpdateLocation(ctx context.Context, location string) (*app.UpdateState, error) {
	return s.SetUpdateLocationFn(ctx, location)
}

// CheckForUpdate calls CheckForUpdateFn.
func (s *UpdateService) CheckForUpdate(ctx context.Context) (*app.UpdateOffer, error) {
	return s.CheckForUpdateFn(ctx)
}

// InstallUpdate calls InstallUpdateFn.
func (s *UpdateService) InstallUpdate(ctx context.Context, version string) (*app.UpdateResult, error) {
	return s.InstallUpdateFn(ctx, version)
}
