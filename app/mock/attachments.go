package mock

import (
	"context"

	"hms/app"
)

// AttachmentService is a mock of app.AttachmentService.
type AttachmentService struct {
	AttachFileFn      func(ctx context.Context, r app.AttachmentCreate) (*app.Attachment, error)
	FindAttachmentsFn func(ctx context.Context, patientID string) ([]*app.Attachment, error)
	OpenAttachmentFn  func(ctx context.Context, id string) (*app.Attachment, []byte, error)
}

var _ app.AttachmentService = (*AttachmentService)(nil)

// AttachFile calls AttachFileFn.
func (s *AttachmentService) AttachFile(ctx context.Context, r app.AttachmentCreate) (*app.Attachment, error) {
	return s.AttachFileFn(ctx, r)
}

// FindAttachments calls FindAttachmentsFn.
func (s *AttachmentService) FindAttachments(ctx context.Context, patientID string) ([]*app.Attachment, error) {
	return s.FindAttachmentsFn(ctx, patientID)
}

// OpenAttachment calls OpenAttachmentFn.
func (s *AttachmentService) OpenAttachment(ctx context.Context, id string) (*app.Attachment, []byte, error) {
	return s.OpenAttachmentFn(ctx, id)
}
