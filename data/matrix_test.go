package data_test

import (
	"context"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// call is one service method, called the way the matrix calls it.
type call struct {
	// allowed are the roles that may call it; public calls need no login.
	allowed []app.Role
	public  bool
	do      func(ctx context.Context, c *clinic) error
}

var (
	everyRole = app.Roles
	// viewers may look up patients' demographics.
	viewers = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling}
	// editors may change them.
	editors = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception}
	// registrars may register patients.
	registrars = []app.Role{app.RoleAdmin, app.RoleReception}
	admins     = []app.Role{app.RoleAdmin}
)

// matrix lists every exported method of every service. TestMatrixComplete
// fails when a method is added to a service interface and not here.
var matrix = map[string]call{
	"UserService.Login": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.Login(ctx, "admin", adminPassword)
		return err
	}},
	"UserService.CheckPassword": {allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Users.CheckPassword(ctx, "whatever is typed")
	}},
	"UserService.RegisterStaff": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.RegisterStaff(ctx, app.StaffRegistration{Username: "newdoc", FullName: "New Doc",
			Role: app.RoleDoctor, Password: "a long enough password"})
		return err
	}},
	"UserService.RegisterPatient": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.RegisterPatient(ctx, app.PatientRegistration{Username: "newpat", GivenName: "New",
			FamilyName: "Patient", Sex: app.SexMale, BirthDate: "2000-02-29", Password: "a long enough password"})
		return err
	}},
	"UserService.CreateUser": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.CreateUser(ctx, app.UserCreate{Username: "made", FullName: "Made", Role: app.RoleNurse,
			Password: "a long enough password"})
		return err
	}},
	"UserService.FindUserByID": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.FindUserByID(ctx, c.pending.ID)
		return err
	}},
	"UserService.FindUserByUsername": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.FindUserByUsername(ctx, "newnurse")
		return err
	}},
	"UserService.FindUsers": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.FindUsers(ctx, app.UserFilter{})
		return err
	}},
	"UserService.ApproveUser": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.ApproveUser(ctx, c.pending.ID)
		return err
	}},
	"UserService.ChangeRole": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.ChangeRole(ctx, c.users[app.RoleNurse].ID, app.RoleDoctor, nil)
		return err
	}},
	"UserService.DeactivateUser": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.DeactivateUser(ctx, c.users[app.RoleNurse].ID, nil)
		return err
	}},
	"UserService.UnlockUser": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.UnlockUser(ctx, c.users[app.RoleNurse].ID)
		return err
	}},
	"UserService.ResetPassword": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Users.ResetPassword(ctx, c.users[app.RoleNurse].ID, "a brand new password")
		return err
	}},
	"UserService.ChangePassword": {allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Users.ChangePassword(ctx, "not the current one", "a brand new password")
	}},
	"UserService.SetLanguage": {allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		c2, _ := app.CallerFromContext(ctx)
		_, err := c.svc.Users.SetLanguage(ctx, c2.UserID, "el", nil)
		return err
	}},
	"SettingsService.NeedsSetup": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Settings.NeedsSetup(ctx)
		return err
	}},
	"SettingsService.Setup": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Settings.Setup(ctx, app.ClinicSetup{Settings: app.Settings{ClinicName: "X", Currency: "EUR",
			TimeZone: "UTC"}, AdminUsername: "admin9", AdminFullName: "A", AdminPassword: "a long enough password"})
		return err
	}},
	"SettingsService.GetSettings": {public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Settings.GetSettings(ctx)
		return err
	}},
	"SettingsService.UpdateSettings": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Settings.UpdateSettings(ctx, app.Settings{ClinicName: "Renamed", Currency: "USD",
			TimeZone: "UTC", AutoLockMinutes: 5}, nil)
		return err
	}},
	"SettingsService.UpdateLetterTemplates": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Settings.UpdateLetterTemplates(ctx, app.LetterTemplates{Referral: "Please see {patient}."}, nil)
		return err
	}},
	"AuditService.FindAuditEntries": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Audit.FindAuditEntries(ctx, app.AuditFilter{})
		return err
	}},
	"AuditService.Verify": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Audit.Verify(ctx)
		return err
	}},
	"AuditService.Backup": {allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Audit.Backup(ctx, filepath.Join(filepath.Dir(c.db.Path()), "backup.db"))
	}},
	"PatientService.CreatePatient": {allowed: registrars, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.CreatePatient(ctx, app.PatientCreate{GivenName: "Nikos", FamilyName: "Georgiou",
			Sex: app.SexMale, BirthDate: "1970-07-07"})
		return err
	}},
	"PatientService.FindDuplicates": {allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.FindDuplicates(ctx, app.PatientCreate{GivenName: "yannis", FamilyName: "Papadopoulou",
			BirthDate: "1990-01-02"})
		return err
	}},
	"PatientService.FindPatients": {allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.FindPatients(ctx, app.PatientFilter{Query: "papa"})
		return err
	}},
	"PatientService.UpdatePatient": {allowed: editors, do: func(ctx context.Context, c *clinic) error {
		phone := "+30 210 555 9999"
		_, err := c.svc.Patients.UpdatePatient(ctx, c.patient2.PatientID, app.PatientUpdate{Phone: &phone})
		return err
	}},
	"PatientService.UpdateOwnContact": {allowed: []app.Role{app.RolePatient}, do: func(ctx context.Context, c *clinic) error {
		addr := "3 New Street"
		_, err := c.svc.Patients.UpdateOwnContact(ctx, app.ContactUpdate{Address: &addr})
		return err
	}},
	"PatientService.FindPatientChanges": {allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.FindPatientChanges(ctx, c.patient2.PatientID)
		return err
	}},
	"PatientService.ArchivePatient": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.ArchivePatient(ctx, c.patient2.PatientID, "registered twice")
		return err
	}},
	"PatientService.RestorePatient": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.RestorePatient(ctx, c.patient2.PatientID)
		return err
	}},
	"PatientService.PurgePatient": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Patients.PurgePatient(ctx, c.patient2.PatientID, "P-D1-000002")
	}},
	"PatientService.ImportPatients": {allowed: registrars, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.ImportPatients(ctx, []app.ImportRow{{Line: 2, Patient: app.PatientCreate{
			GivenName: "Imported", FamilyName: "Person", Sex: app.SexOther, BirthDate: "1999-09-09"}}})
		return err
	}},
	"PatientService.ExportPatients": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Patients.ExportPatients(ctx, io.Discard)
		return err
	}},
	"PatientService.FindPatientByID": {
		allowed: viewers,
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Patients.FindPatientByID(ctx, c.patient2.PatientID) // not the calling patient's own
			return err
		}},
}

// matrixInterfaces are the service interfaces whose methods the matrix
// must list; each area's test file adds its own in an init function.
var matrixInterfaces = []reflect.Type{
	reflect.TypeFor[app.UserService](), reflect.TypeFor[app.SettingsService](),
	reflect.TypeFor[app.AuditService](), reflect.TypeFor[app.PatientService](),
}

func TestMatrixComplete(t *testing.T) {
	listed := func(name string) bool { _, ok := matrix[name]; return ok }
	for _, name := range datatest.Unlisted(matrixInterfaces, listed) {
		t.Errorf("%s is not in the role matrix: add it with the roles that may call it", name)
	}
}

// TestMatrix calls every method as every role (and as nobody): a denial
// returns EUNAUTHORIZED, changes no row, and writes a denied audit row; an
// allowed call is never refused for permission.
func TestMatrix(t *testing.T) {
	callers := append([]app.Role{""}, app.Roles...)
	for name, m := range matrix {
		for _, role := range callers {
			label := string(role)
			if label == "" {
				label = "anonymous"
			}
			t.Run(name+"/"+label, func(t *testing.T) {
				t.Parallel()
				c := mustSetupCopy(t)
				ctx := context.Background()
				if role != "" {
					ctx = c.ctx(role)
				}
				allowed := m.public || slices.Contains(m.allowed, role)
				datatest.CheckCall(t, c.shared, ctx, allowed, func(ctx context.Context) error { return m.do(ctx, c) })
			})
		}
	}
}
