package mock

import (
	"context"

	"hms/app"
)

// DraftService is a mock of app.DraftService.
type DraftService struct {
	SaveDraftsFn   func(ctx context.Context, drafts []app.Draft) error
	FindMyDraftsFn func(ctx context.Context) ([]*app.Draft, error)
	DiscardDraftFn func(ctx context.Context, id string) error
}

var _ app.DraftService = (*DraftService)(nil)

// SaveDrafts calls SaveDraftsFn.
func (s *DraftService) SaveDrafts(ctx context.Context, drafts []app.Draft) error {
	return s.SaveDraftsFn(ctx, drafts)
}

// FindMyDrafts calls FindMyDraftsFn.
func (s *DraftService) FindMyDrafts(ctx context.Context) ([]*app.Draft, error) {
	return s.FindMyDraftsFn(ctx)
}

// DiscardDraft calls DiscardDraftFn.
func (s *DraftService) DiscardDraft(ctx context.Context, id string) error {
	return s.DiscardDraftFn(ctx, id)
}
