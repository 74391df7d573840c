package cli_test

import (
	"context"
	"errors"
	"os"
	"sort"
	"sync"
	"time"

	"hms/app"
)

// fakeClinic is an in-memory stand-in for a database: users, settings and a
// verify report, with the callers that touched it.
type fakeClinic struct {
	mu       sync.Mutex
	local    []*app.LocalDrug // the clinic's drugs (fakeDrugs)
	setUp    bool
	settings app.Settings
	users    map[string]*app.User // by username
	report   app.VerifyReport
	backups  []string
	callers  []app.Caller
	closed   int

	backupErr error
	closeErr  error

	billing  app.BillingService   // hms print's documents; nil when unused
	patients app.PatientService   // hms print label's records; nil when unused
	printing app.PrintingService  // the desk's printers
	codes    app.DiagnosisService // hms codes; nil when unused
	clinical app.ClinicalService  // hms print prescription's; nil when unused
}

func newFakeClinic() *fakeClinic {
	return &fakeClinic{
		users:  map[string]*app.User{},
		report: app.VerifyReport{IntegrityOK: true, ForeignKeyOK: true, AuditOK: true, AuditRows: 7},
	}
}

func (c *fakeClinic) services() app.Services {
	return app.Services{Users: &fakeUsers{c}, Settings: &fakeSettings{c}, Audit: &fakeAudit{c}, Drugs: &fakeDrugs{c},
		Billing: c.billing, Printing: c.printing, Patients: c.patients, Diagnoses: c.codes, Clinical: c.clinical}
}

func (c *fakeClinic) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed++
	return c.closeErr
}

// record notes the caller of a service call and refuses calls without one.
func (c *fakeClinic) record(ctx context.Context) error {
	caller, ok := app.CallerFromContext(ctx)
	if !ok {
		return app.ErrUnauthorized()
	}
	c.callers = append(c.callers, caller)
	return nil
}

func (c *fakeClinic) addUser(u app.User) *app.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u.ID == "" {
		u.ID = "id-" + u.Username
	}
	c.users[u.Username] = &u
	return &u
}

func (c *fakeClinic) user(name string) *app.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.users[name]; ok {
		cp := *u
		return &cp
	}
	return nil
}

var errNoUser = app.Errorf(app.ENOTFOUND, "There is no such account.")

func (c *fakeClinic) byID(id string) (*app.User, error) {
	for _, u := range c.users {
		if u.ID == id {
			return u, nil
		}
	}
	return nil, errNoUser
}

type fakeSettings struct{ c *fakeClinic }

var _ app.SettingsService = (*fakeSettings)(nil)

func (s *fakeSettings) NeedsSetup(ctx context.Context) (bool, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return !s.c.setUp, nil
}

func (s *fakeSettings) Setup(ctx context.Context, cs app.ClinicSetup) (*app.User, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if err := s.c.record(ctx); err != nil {
		return nil, err
	}
	if s.c.setUp {
		return nil, app.Errorf(app.ECONFLICT, "The clinic is already set up.")
	}
	if err := cs.Validate(); err != nil {
		return nil, err
	}
	s.c.setUp = true
	s.c.settings = cs.Settings
	u := &app.User{ID: "id-" + cs.AdminUsername, Username: cs.AdminUsername, FullName: cs.AdminFullName, Role: app.RoleAdmin, Status: app.StatusActive}
	s.c.users[u.Username] = u
	return u, nil
}

func (s *fakeSettings) GetSettings(ctx context.Context) (*app.Settings, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	st := s.c.settings
	return &st, nil
}

func (s *fakeSettings) UpdateSettings(ctx context.Context, st app.Settings, was *app.Settings) (*app.Settings, error) {
	return nil, errors.New("not used")
}

func (s *fakeSettings) UpdateLetterTemplates(ctx context.Context, t app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error) {
	return nil, errors.New("not used")
}

type fakeUsers struct{ c *fakeClinic }

var _ app.UserService = (*fakeUsers)(nil)

func (f *fakeUsers) Login(ctx context.Context, username, password string) (*app.Session, error) {
	return nil, errors.New("not used")
}
func (f *fakeUsers) CheckPassword(ctx context.Context, password string) error {
	return errors.New("not used")
}
func (f *fakeUsers) RegisterStaff(ctx context.Context, r app.StaffRegistration) (*app.User, error) {
	return nil, errors.New("not used")
}
func (f *fakeUsers) RegisterPatient(ctx context.Context, r app.PatientRegistration) (*app.User, error) {
	return nil, errors.New("not used")
}

func (f *fakeUsers) CreateUser(ctx context.Context, uc app.UserCreate) (*app.User, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.record(ctx); err != nil {
		return nil, err
	}
	if err := uc.Validate(); err != nil {
		return nil, err
	}
	if _, ok := f.c.users[uc.Username]; ok {
		return nil, &app.Error{Code: app.ECONFLICT, Field: "username", Message: "This username is taken."}
	}
	u := &app.User{ID: "id-" + uc.Username, Username: uc.Username, FullName: uc.FullName, Email: uc.Email, Phone: uc.Phone, Role: uc.Role, Status: app.StatusActive}
	f.c.users[u.Username] = u
	return u, nil
}

func (f *fakeUsers) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return f.c.byID(id)
}

func (f *fakeUsers) FindUserByUsername(ctx context.Context, username string) (*app.User, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.record(ctx); err != nil {
		return nil, err
	}
	if u, ok := f.c.users[username]; ok {
		return u, nil
	}
	return nil, errNoUser
}

func (f *fakeUsers) FindUsers(ctx context.Context, flt app.UserFilter) ([]*app.User, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.record(ctx); err != nil {
		return nil, err
	}
	var out []*app.User
	for _, u := range f.c.users {
		if (flt.Role == "" || u.Role == flt.Role) && (flt.Status == "" || u.Status == flt.Status) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	if flt.Limit > 0 && len(out) > flt.Limit {
		out = out[:flt.Limit]
	}
	return out, nil
}

// update applies fn to the account id, as the admin actions do.
func (f *fakeUsers) update(ctx context.Context, id string, fn func(u *app.User) error) (*app.User, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.record(ctx); err != nil {
		return nil, err
	}
	u, err := f.c.byID(id)
	if err != nil {
		return nil, err
	}
	if err := fn(u); err != nil {
		return nil, err
	}
	cp := *u
	return &cp, nil
}

func (f *fakeUsers) ApproveUser(ctx context.Context, id string) (*app.User, error) {
	return f.update(ctx, id, func(u *app.User) error {
		if u.Status != app.StatusPending {
			return app.Errorf(app.ECONFLICT, "This account is not waiting for approval.")
		}
		u.Status = app.StatusActive
		return nil
	})
}

func (f *fakeUsers) ChangeRole(ctx context.Context, id string, role app.Role, was *app.User) (*app.User, error) {
	return nil, errors.New("not used")
}

func (f *fakeUsers) DeactivateUser(ctx context.Context, id string, was *app.User) (*app.User, error) {
	return f.update(ctx, id, func(u *app.User) error { u.Status = app.StatusDeactivated; return nil })
}

func (f *fakeUsers) UnlockUser(ctx context.Context, id string) (*app.User, error) {
	return f.update(ctx, id, func(u *app.User) error {
		u.FailedLogins = 0
		u.LockedUntil = time.Time{}
		return nil
	})
}

func (f *fakeUsers) SetLanguage(ctx context.Context, id, language string, was *app.User) (*app.User, error) {
	return nil, errors.New("not used")
}

func (f *fakeUsers) ResetPassword(ctx context.Context, id, pw string) (*app.User, error) {
	return f.update(ctx, id, func(u *app.User) error {
		if err := app.ValidatePassword(pw, u.Username); err != nil {
			return err
		}
		u.MustChangePassword = true
		return nil
	})
}

func (f *fakeUsers) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	return errors.New("not used")
}

type fakeAudit struct{ c *fakeClinic }

var _ app.AuditService = (*fakeAudit)(nil)

func (a *fakeAudit) FindAuditEntries(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error) {
	return nil, errors.New("not used")
}

func (a *fakeAudit) Verify(ctx context.Context) (*app.VerifyReport, error) {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	if err := a.c.record(ctx); err != nil {
		return nil, err
	}
	r := a.c.report
	return &r, nil
}

func (a *fakeAudit) Backup(ctx context.Context, path string) error {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	if err := a.c.record(ctx); err != nil {
		return err
	}
	if a.c.backupErr != nil {
		return a.c.backupErr
	}
	// As the real one: written beside path and renamed onto it.
	a.c.backups = append(a.c.backups, path)
	return os.WriteFile(path, []byte("SQLite format 3\x00fake backup"), 0o600)
}
