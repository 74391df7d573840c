package mock

import (
	"context"
	"time"

	"hms/app"
)

// AppointmentService is a mock of app.AppointmentService.
type AppointmentService struct {
	SetDoctorProfileFn            func(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error)
	GetDoctorProfileFn            func(ctx context.Context, doctorID string) (*app.DoctorProfile, error)
	FindDoctorsFn                 func(ctx context.Context, specialization string) ([]*app.DoctorProfile, error)
	SetAvailabilityFn             func(ctx context.Context, doctorID string, weekly []app.Availability) ([]app.Availability, error)
	AddAvailabilityExceptionFn    func(ctx context.Context, e app.AvailabilityException) (*app.AvailabilityException, error)
	RemoveAvailabilityExceptionFn func(ctx context.Context, id string) error
	FindFreeSlotsFn               func(ctx context.Context, doctorID, day string) ([]app.Slot, error)
	BookFn                        func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error)
	WalkInFn                      func(ctx context.Context, patientID, doctorID, reason, overrideReason string) (*app.Appointment, error)
	RescheduleFn                  func(ctx context.Context, id string, newStart time.Time, overrideReason string) (*app.Appointment, error)
	ConfirmFn                     func(ctx context.Context, id string) (*app.Appointment, error)
	CheckInFn                     func(ctx context.Context, id string) (*app.Appointment, error)
	CompleteFn                    func(ctx context.Context, id string) (*app.Appointment, error)
	CancelFn                      func(ctx context.Context, id, reason string) (*app.Appointment, error)
	MarkNoShowFn                  func(ctx context.Context, id string) (*app.Appointment, error)
	FindAppointmentFn             func(ctx context.Context, id string) (*app.Appointment, error)
	DoctorDayFn                   func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error)
	DoctorWeekFn                  func(ctx context.Context, doctorID, weekStart string) ([]*app.Appointment, error)
	ReceptionBoardFn              func(ctx context.Context, day string) (*app.Board, error)
	PatientAppointmentsFn         func(ctx context.Context, patientID string, f app.AppointmentFilter) (*app.AppointmentPage, error)
}

var _ app.AppointmentService = (*AppointmentService)(nil)

// SetDoctorProfile calls SetDoctorProfileFn.
func (s *AppointmentService) SetDoctorProfile(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
	return s.SetDoctorProfileFn(ctx, p)
}

// GetDoctorProfile calls GetDoctorProfileFn.
func (s *AppointmentService) GetDoctorProfile(ctx context.Context, doctorID string) (*app.DoctorProfile, error) {
	return s.GetDoctorProfileFn(ctx, doctorID)
}

// FindDoctors calls FindDoctorsFn.
func (s *AppointmentService) FindDoctors(ctx context.Context, specialization string) ([]*app.DoctorProfile, error) {
	return s.FindDoctorsFn(ctx, specialization)
}

// SetAvailability calls SetAvailabilityFn.
func (s *AppointmentService) SetAvailability(ctx context.Context, doctorID string, weekly []app.Availability) ([]app.Availability, error) {
	return s.SetAvailabilityFn(ctx, doctorID, weekly)
}

// AddAvailabilityException calls AddAvailabilityExceptionFn.
func (s *AppointmentService) AddAvailabilityException(ctx context.Context, e app.AvailabilityException) (*app.AvailabilityException, error) {
	return s.AddAvailabilityExceptionFn(ctx, e)
}

// RemoveAvailabilityException calls RemoveAvailabilityExceptionFn.
func (s *AppointmentService) RemoveAvailabilityException(ctx context.Context, id string) error {
	return s.RemoveAvailabilityExceptionFn(ctx, id)
}

// FindFreeSlots calls FindFreeSlotsFn.
func (s *AppointmentService) FindFreeSlots(ctx context.Context, doctorID, day string) ([]app.Slot, error) {
	return s.FindFreeSlotsFn(ctx, doctorID, day)
}

// Book calls BookFn.
func (s *AppointmentService) Book(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
	return s.BookFn(ctx, c)
}

// WalkIn calls WalkInFn.
func (s *AppointmentService) WalkIn(ctx context.Context, patientID, doctorID, reason, overrideReason string) (*app.Appointment, error) {
	return s.WalkInFn(ctx, patientID, doctorID, reason, overrideReason)
}

// Reschedule calls RescheduleFn.
func (s *AppointmentService) Reschedule(ctx context.Context, id string, newStart time.Time, overrideReason string) (*app.Appointment, error) {
	return s.RescheduleFn(ctx, id, newStart, overrideReason)
}

// Confirm calls ConfirmFn.
func (s *AppointmentService) Confirm(ctx context.Context, id string) (*app.Appointment, error) {
	return s.ConfirmFn(ctx, id)
}

// CheckIn calls CheckInFn.
func (s *AppointmentService) CheckIn(ctx context.Context, id string) (*app.Appointment, error) {
	return s.CheckInFn(ctx, id)
}

// Complete calls CompleteFn.
func (s *AppointmentService) Complete(ctx context.Context, id string) (*app.Appointment, error) {
	return s.CompleteFn(ctx, id)
}

// Cancel calls CancelFn.
func (s *AppointmentService) Cancel(ctx context.Context, id, reason string) (*app.Appointment, error) {
	return s.CancelFn(ctx, id, reason)
}

// MarkNoShow calls MarkNoShowFn.
func (s *AppointmentService) MarkNoShow(ctx context.Context, id string) (*app.Appointment, error) {
	return s.MarkNoShowFn(ctx, id)
}

// FindAppointment calls FindAppointmentFn.
func (s *AppointmentService) FindAppointment(ctx context.Context, id string) (*app.Appointment, error) {
	return s.FindAppointmentFn(ctx, id)
}

// DoctorDay calls DoctorDayFn.
func (s *AppointmentService) DoctorDay(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
	return s.DoctorDayFn(ctx, doctorID, day)
}

// DoctorWeek calls DoctorWeekFn.
func (s *AppointmentService) DoctorWeek(ctx context.Context, doctorID, weekStart string) ([]*app.Appointment, error) {
	return s.DoctorWeekFn(ctx, doctorID, weekStart)
}

// ReceptionBoard calls ReceptionBoardFn.
func (s *AppointmentService) ReceptionBoard(ctx context.Context, day string) (*app.Board, error) {
	return s.ReceptionBoardFn(ctx, day)
}

// PatientAppointments calls PatientAppointmentsFn.
func (s *AppointmentService) PatientAppointments(ctx context.Context, patientID string, f app.AppointmentFilter) (*app.AppointmentPage, error) {
	return s.PatientAppointmentsFn(ctx, patientID, f)
}
