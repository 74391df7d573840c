package mock

import (
	"context"

	"hms/app"
)

// QueueService is a mock of app.QueueService.
type QueueService struct {
	CallNextFn    func(ctx context.Context, doctorID, room string) (*app.QueueCall, error)
	CallFn        func(ctx context.Context, appointmentID, room string) (*app.QueueCall, error)
	RecentCallsFn func(ctx context.Context, limit int) ([]*app.QueueCall, error)
	DoctorRoomFn  func(ctx context.Context, doctorID string) (string, error)
}

var _ app.QueueService = (*QueueService)(nil)

// CallNext calls CallNextFn.
func (s *QueueService) CallNext(ctx context.Context, doctorID, room string) (*app.QueueCall, error) {
	return s.CallNextFn(ctx, doctorID, room)
}

// Call calls CallFn.
func (s *QueueService) Call(ctx context.Context, appointmentID, room string) (*app.QueueCall, error) {
	return s.CallFn(ctx, appointmentID, room)
}

// RecentCalls calls RecentCallsFn.
func (s *QueueService) RecentCalls(ctx context.Context, limit int) ([]*app.QueueCall, error) {
	return s.RecentCallsFn(ctx, limit)
}

// DoctorRoom calls DoctorRoomFn.
func (s *QueueService) DoctorRoom(ctx context.Context, doctorID string) (string, error) {
	return s.DoctorRoomFn(ctx, doctorID)
}
