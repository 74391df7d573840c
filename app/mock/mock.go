// Package mock provides function-field mocks of the app services, so the ui
// package can be tested headless without a database. Each method calls the
// field of the same name with an Fn suffix; a test sets only the fields the
// code under test should call, and an unset field panics, which points
// straight at an unexpected call.
package mock

import (
	"context"

	"hms/app"
)

// UserService is a mock of app.UserService.
type UserService struct {
	LoginFn              func(ctx context.Context, username, password string) (*app.Session, error)
	CheckPasswordFn      func(ctx context.Context, password string) error
	RegisterStaffFn      func(ctx context.Context, r app.StaffRegistration) (*app.User, error)
	RegisterPatientFn    func(ctx context.Context, r app.PatientRegistration) (*app.User, error)
	CreateUserFn         func(ctx context.Context, u app.UserCreate) (*app.User, error)
	FindUserByIDFn       func(ctx context.Context, id string) (*app.User, error)
	FindUserByUsernameFn func(ctx context.Context, username string) (*app.User, error)
	FindUsersFn          func(ctx context.Context, f app.UserFilter) ([]*app.User, error)
	ApproveUserFn        func(ctx context.Context, id string) (*app.User, error)
	ChangeRoleFn         func(ctx context.Context, id string, role app.Role) (*app.User, error)
	DeactivateUserFn     func(ctx context.Context, id string) (*app.User, error)
	UnlockUserFn         func(ctx context.Context, id string) (*app.User, error)
	ResetPasswordFn      func(ctx context.Context, id, newPassword string) (*app.User, error)
	ChangePasswordFn     func(ctx context.Context, oldPassword, newPassword string) error
}

var _ app.UserService = (*UserService)(nil)

// Login calls LoginFn.
func (s *UserService) Login(ctx context.Context, username, password string) (*app.Session, error) {
	return s.LoginFn(ctx, username, password)
}

// CheckPassword calls CheckPasswordFn.
func (s *UserService) CheckPassword(ctx context.Context, password string) error {
	return s.CheckPasswordFn(ctx, password)
}

// RegisterStaff calls RegisterStaffFn.
func (s *UserService) RegisterStaff(ctx context.Context, r app.StaffRegistration) (*app.User, error) {
	return s.RegisterStaffFn(ctx, r)
}

// RegisterPatient calls RegisterPatientFn.
func (s *UserService) RegisterPatient(ctx context.Context, r app.PatientRegistration) (*app.User, error) {
	return s.RegisterPatientFn(ctx, r)
}

// CreateUser calls CreateUserFn.
func (s *UserService) CreateUser(ctx context.Context, u app.UserCreate) (*app.User, error) {
	return s.CreateUserFn(ctx, u)
}

// FindUserByID calls FindUserByIDFn.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	return s.FindUserByIDFn(ctx, id)
}

// FindUserByUsername calls FindUserByUsernameFn.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*app.User, error) {
	return s.FindUserByUsernameFn(ctx, username)
}

// FindUsers calls FindUsersFn.
func (s *UserService) FindUsers(ctx context.Context, f app.UserFilter) ([]*app.User, error) {
	return s.FindUsersFn(ctx, f)
}

// ApproveUser calls ApproveUserFn.
func (s *UserService) ApproveUser(ctx context.Context, id string) (*app.User, error) {
	return s.ApproveUserFn(ctx, id)
}

// ChangeRole calls ChangeRoleFn.
func (s *UserService) ChangeRole(ctx context.Context, id string, role app.Role) (*app.User, error) {
	return s.ChangeRoleFn(ctx, id, role)
}

// DeactivateUser calls DeactivateUserFn.
func (s *UserService) DeactivateUser(ctx context.Context, id string) (*app.User, error) {
	return s.DeactivateUserFn(ctx, id)
}

// UnlockUser calls UnlockUserFn.
func (s *UserService) UnlockUser(ctx context.Context, id string) (*app.User, error) {
	return s.UnlockUserFn(ctx, id)
}

// ResetPassword calls ResetPasswordFn.
func (s *UserService) ResetPassword(ctx context.Context, id, newPassword string) (*app.User, error) {
	return s.ResetPasswordFn(ctx, id, newPassword)
}

// ChangePassword calls ChangePasswordFn.
func (s *UserService) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	return s.ChangePasswordFn(ctx, oldPassword, newPassword)
}

// SettingsService is a mock of app.SettingsService.
type SettingsService struct {
	NeedsSetupFn     func(ctx context.Context) (bool, error)
	SetupFn          func(ctx context.Context, c app.ClinicSetup) (*app.User, error)
	GetSettingsFn    func(ctx context.Context) (*app.Settings, error)
	UpdateSettingsFn func(ctx context.Context, s app.Settings) (*app.Settings, error)
}

var _ app.SettingsService = (*SettingsService)(nil)

// NeedsSetup calls NeedsSetupFn.
func (s *SettingsService) NeedsSetup(ctx context.Context) (bool, error) {
	return s.NeedsSetupFn(ctx)
}

// Setup calls SetupFn.
func (s *SettingsService) Setup(ctx context.Context, c app.ClinicSetup) (*app.User, error) {
	return s.SetupFn(ctx, c)
}

// GetSettings calls GetSettingsFn.
func (s *SettingsService) GetSettings(ctx context.Context) (*app.Settings, error) {
	return s.GetSettingsFn(ctx)
}

// UpdateSettings calls UpdateSettingsFn.
func (s *SettingsService) UpdateSettings(ctx context.Context, st app.Settings) (*app.Settings, error) {
	return s.UpdateSettingsFn(ctx, st)
}

// AuditService is a mock of app.AuditService.
type AuditService struct {
	FindAuditEntriesFn func(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error)
	VerifyFn           func(ctx context.Context) (*app.VerifyReport, error)
	BackupFn           func(ctx context.Context, path string) error
}

var _ app.AuditService = (*AuditService)(nil)

// FindAuditEntries calls FindAuditEntriesFn.
func (s *AuditService) FindAuditEntries(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error) {
	return s.FindAuditEntriesFn(ctx, f)
}

// Verify calls VerifyFn.
func (s *AuditService) Verify(ctx context.Context) (*app.VerifyReport, error) {
	return s.VerifyFn(ctx)
}

// Backup calls BackupFn.
func (s *AuditService) Backup(ctx context.Context, path string) error {
	return s.BackupFn(ctx, path)
}

// PatientService is a mock of app.PatientService.
type PatientService struct {
	FindPatientByIDFn func(ctx context.Context, id string) (*app.Patient, error)
}

var _ app.PatientService = (*PatientService)(nil)

// FindPatientByID calls FindPatientByIDFn.
func (s *PatientService) FindPatientByID(ctx context.Context, id string) (*app.Patient, error) {
	return s.FindPatientByIDFn(ctx, id)
}
