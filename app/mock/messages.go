package mock

import (
	"context"

	"hms/app"
)

// MessageService is a mock of app.MessageService.
type MessageService struct {
	GetMessageSettingsFn func(ctx context.Context) (*app.MessageSettings, error)
	SetMessageSettingsFn func(ctx context.Context, s app.MessageSettings) (*app.MessageSettings, error)
	SetMessageConsentFn  func(ctx context.Context, patientID string, ch app.MessageChannel, given bool) (*app.MessageConsent, error)
	MessageConsentsFn    func(ctx context.Context, patientID string) ([]app.MessageConsent, error)
	FindMessagesFn       func(ctx context.Context, f app.MessageFilter) ([]*app.Message, error)
	ResendMessageFn      func(ctx context.Context, id string) (*app.Message, error)
	SendTestMessageFn    func(ctx context.Context, s app.MessageSettings, ch app.MessageChannel, to string) error
	DeliverDueFn         func(ctx context.Context, t app.MessageTransport) (app.DeliveryReport, error)
}

var _ app.MessageService = (*MessageService)(nil)

// GetMessageSettings calls GetMessageSettingsFn.
func (s *MessageService) GetMessageSettings(ctx context.Context) (*app.MessageSettings, error) {
	return s.GetMessageSettingsFn(ctx)
}

// SetMessageSettings calls SetMessageSettingsFn.
func (s *MessageService) SetMessageSettings(ctx context.Context, in app.MessageSettings) (*app.MessageSettings, error) {
	return s.SetMessageSettingsFn(ctx, in)
}

// SetMessageConsent calls SetMessageConsentFn.
func (s *MessageService) SetMessageConsent(ctx context.Context, patientID string, ch app.MessageChannel, given bool) (*app.MessageConsent, error) {
	return s.SetMessageConsentFn(ctx, patientID, ch, given)
}

// MessageConsents calls MessageConsentsFn.
func (s *MessageService) MessageConsents(ctx context.Context, patientID string) ([]app.MessageConsent, error) {
	return s.MessageConsentsFn(ctx, patientID)
}

// FindMessages calls FindMessagesFn.
func (s *MessageService) FindMessages(ctx context.Context, f app.MessageFilter) ([]*app.Message, error) {
	return s.FindMessagesFn(ctx, f)
}

// ResendMessage calls ResendMessageFn.
func (s *MessageService) ResendMessage(ctx context.Context, id string) (*app.Message, error) {
	return s.ResendMessageFn(ctx, id)
}

// SendTestMessage calls SendTestMessageFn.
func (s *MessageService) SendTestMessage(ctx context.Context, in app.MessageSettings, ch app.MessageChannel, to string) error {
	return s.SendTestMessageFn(ctx, in, ch, to)
}

// DeliverDue calls DeliverDueFn.
func (s *MessageService) DeliverDue(ctx context.Context, t app.MessageTransport) (app.DeliveryReport, error) {
	return s.DeliverDueFn(ctx, t)
}
