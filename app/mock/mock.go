// Package mock provides function-field mocks of the app services, so the ui
// package can be tested headless without a database. Each method calls the
// field of the same name with an Fn suffix; a test sets only the fields the
// code under test should call, and an unset field panics, which points
// straight at an unexpected call.
package mock

import (
	"context"
	"io"

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
	ChangeRoleFn         func(ctx context.Context, id string, role app.Role, was *app.User) (*app.User, error)
	DeactivateUserFn     func(ctx context.Context, id string, was *app.User) (*app.User, error)
	UnlockUserFn         func(ctx context.Context, id string) (*app.User, error)
	SetLanguageFn        func(ctx context.Context, id, language string, was *app.User) (*app.User, error)
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
func (s *UserService) ChangeRole(ctx context.Context, id string, role app.Role, was *app.User) (*app.User, error) {
	return s.ChangeRoleFn(ctx, id, role, was)
}

// DeactivateUser calls DeactivateUserFn.
func (s *UserService) DeactivateUser(ctx context.Context, id string, was *app.User) (*app.User, error) {
	return s.DeactivateUserFn(ctx, id, was)
}

// UnlockUser calls UnlockUserFn.
func (s *UserService) UnlockUser(ctx context.Context, id string) (*app.User, error) {
	return s.UnlockUserFn(ctx, id)
}

// SetLanguage calls SetLanguageFn.
func (s *UserService) SetLanguage(ctx context.Context, id, language string, was *app.User) (*app.User, error) {
	return s.SetLanguageFn(ctx, id, language, was)
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
	UpdateSettingsFn func(ctx context.Context, s app.Settings, was *app.Settings) (*app.Settings, error)
	// UpdateLetterTemplatesFn implements UpdateLetterTemplates.
	UpdateLetterTemplatesFn func(ctx context.Context, t app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error)
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
func (s *SettingsService) UpdateSettings(ctx context.Context, st app.Settings, was *app.Settings) (*app.Settings, error) {
	return s.UpdateSettingsFn(ctx, st, was)
}

// UpdateLetterTemplates calls UpdateLetterTemplatesFn.
func (s *SettingsService) UpdateLetterTemplates(ctx context.Context, t app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error) {
	return s.UpdateLetterTemplatesFn(ctx, t, was)
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
	CreatePatientFn      func(ctx context.Context, c app.PatientCreate) (*app.Patient, error)
	FindDuplicatesFn     func(ctx context.Context, c app.PatientCreate) ([]*app.Duplicate, error)
	FindPatientByIDFn    func(ctx context.Context, id string) (*app.Patient, error)
	FindPatientsFn       func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error)
	UpdatePatientFn      func(ctx context.Context, id string, u app.PatientUpdate) (*app.Patient, error)
	UpdateOwnContactFn   func(ctx context.Context, u app.ContactUpdate) (*app.Patient, error)
	FindPatientChangesFn func(ctx context.Context, id string) ([]*app.PatientChange, error)
	ArchivePatientFn     func(ctx context.Context, id, reason string) (*app.Patient, error)
	RestorePatientFn     func(ctx context.Context, id string) (*app.Patient, error)
	PurgePatientFn       func(ctx context.Context, id, confirmMRN string) error
	ImportPatientsFn     func(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error)
	ExportPatientsFn     func(ctx context.Context, w io.Writer) (int, error)
}

var _ app.PatientService = (*PatientService)(nil)

// CreatePatient calls CreatePatientFn.
func (s *PatientService) CreatePatient(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
	return s.CreatePatientFn(ctx, c)
}

// FindDuplicates calls FindDuplicatesFn.
func (s *PatientService) FindDuplicates(ctx context.Context, c app.PatientCreate) ([]*app.Duplicate, error) {
	return s.FindDuplicatesFn(ctx, c)
}

// FindPatientByID calls FindPatientByIDFn.
func (s *PatientService) FindPatientByID(ctx context.Context, id string) (*app.Patient, error) {
	return s.FindPatientByIDFn(ctx, id)
}

// FindPatients calls FindPatientsFn.
func (s *PatientService) FindPatients(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
	return s.FindPatientsFn(ctx, f)
}

// UpdatePatient calls UpdatePatientFn.
func (s *PatientService) UpdatePatient(ctx context.Context, id string, u app.PatientUpdate) (*app.Patient, error) {
	return s.UpdatePatientFn(ctx, id, u)
}

// UpdateOwnContact calls UpdateOwnContactFn.
func (s *PatientService) UpdateOwnContact(ctx context.Context, u app.ContactUpdate) (*app.Patient, error) {
	return s.UpdateOwnContactFn(ctx, u)
}

// FindPatientChanges calls FindPatientChangesFn.
func (s *PatientService) FindPatientChanges(ctx context.Context, id string) ([]*app.PatientChange, error) {
	return s.FindPatientChangesFn(ctx, id)
}

// ArchivePatient calls ArchivePatientFn.
func (s *PatientService) ArchivePatient(ctx context.Context, id, reason string) (*app.Patient, error) {
	return s.ArchivePatientFn(ctx, id, reason)
}

// RestorePatient calls RestorePatientFn.
func (s *PatientService) RestorePatient(ctx context.Context, id string) (*app.Patient, error) {
	return s.RestorePatientFn(ctx, id)
}

// PurgePatient calls PurgePatientFn.
func (s *PatientService) PurgePatient(ctx context.Context, id, confirmMRN string) error {
	return s.PurgePatientFn(ctx, id, confirmMRN)
}

// ImportPatients calls ImportPatientsFn.
func (s *PatientService) ImportPatients(ctx context.Context, rows []app.ImportRow) (*app.ImportResult, error) {
	return s.ImportPatientsFn(ctx, rows)
}

// ExportPatients calls ExportPatientsFn.
func (s *PatientService) ExportPatients(ctx context.Context, w io.Writer) (int, error) {
	return s.ExportPatientsFn(ctx, w)
}
