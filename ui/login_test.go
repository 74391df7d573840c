package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
)

func TestLogin(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.loginAs(user(app.RoleAdmin))
		if got := h.callsOf("Login")[0]; got != "admin1:"+testPassword {
			t.Errorf("Login got %v", got)
		}
		if h.called("GetSettings") != 1 {
			t.Error("settings not read after login")
		}
		if got := h.u.win.Title(); got != "HMS — Riverside Clinic" {
			t.Errorf("title = %q", got)
		}
		m := h.u.main
		if m.userLabel.Text != "Test Administrator" || m.roleLabel.Text != "Administrator" {
			t.Errorf("status bar = %q, %q", m.userLabel.Text, m.roleLabel.Text)
		}
		if m.syncLabel.Text != "Sync: not configured" {
			t.Errorf("sync label = %q", m.syncLabel.Text)
		}
		if h.u.login != nil {
			t.Error("login screen kept after login")
		}
		h.u.SetSyncStatus("Sync: up to date")
		h.drain()
		if m.syncLabel.Text != "Sync: up to date" {
			t.Errorf("sync label after SetSyncStatus = %q", m.syncLabel.Text)
		}
	})

	t.Run("EnterSubmits", func(t *testing.T) {
		h := newHarness(t)
		h.users.LoginFn = func(_ context.Context, username, _ string) (*app.Session, error) {
			return &app.Session{User: user(app.RoleDoctor)}, nil
		}
		h.u.Start()
		test.Type(h.u.login.username, "doctor1")
		test.Type(h.u.login.password, testPassword)
		h.u.login.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		h.waitFor("the main window", func() bool { return h.u.main != nil })
	})

	for name, msg := range map[string]string{
		"ErrWrongPassword": "The username or password is not right.",
		"ErrLockedOut":     "This account is locked for 15 minutes after too many failed logins.",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.users.LoginFn = func(context.Context, string, string) (*app.Session, error) {
				return nil, app.Errorf(app.EUNAUTHORIZED, "%s", msg)
			}
			h.u.Start()
			test.Type(h.u.login.username, "admin")
			test.Type(h.u.login.password, "not the password")
			test.Tap(h.u.login.loginBtn)
			s := h.u.login
			h.waitFor("the login message", func() bool { return s.message.Visible() })
			if s.message.Text != msg {
				t.Errorf("message = %q, want %q", s.message.Text, msg)
			}
			if s.password.Text != "" {
				t.Error("password not cleared after a failed login")
			}
			if h.u.main != nil || h.u.session != nil {
				t.Error("logged in after a failure")
			}
			if s.loginBtn.Disabled() {
				t.Error("login button stays disabled")
			}
		})
	}

	t.Run("ErrEmpty", func(t *testing.T) {
		h := newHarness(t)
		h.u.Start() // LoginFn unset: a call would panic
		test.Tap(h.u.login.loginBtn)
		if !h.u.login.message.Visible() {
			t.Error("no message for empty fields")
		}
		h.settle()
	})

	t.Run("MustChangePassword", func(t *testing.T) {
		h := newHarness(t)
		usr := user(app.RoleNurse)
		usr.MustChangePassword = true
		h.users.LoginFn = func(context.Context, string, string) (*app.Session, error) {
			return &app.Session{User: usr, MustChangePassword: true}, nil
		}
		h.users.ChangePasswordFn = func(ctx context.Context, oldPW, newPW string) error {
			h.record("ChangePassword", ctx, oldPW+"->"+newPW)
			return nil
		}
		h.u.Start()
		test.Type(h.u.login.username, usr.Username)
		test.Type(h.u.login.password, "temporary password 1")
		test.Tap(h.u.login.loginBtn)
		h.waitFor("the forced password change", func() bool { return h.u.forced != nil })
		if h.u.main != nil {
			t.Fatal("main window shown before the password change")
		}
		f := h.u.forced
		test.Type(f.current, "temporary password 1")
		test.Type(f.next, testPassword)
		test.Type(f.confirm, testPassword)
		test.Tap(f.save)
		h.waitFor("the main window", func() bool { return h.u.main != nil })
		if got := h.callsOf("ChangePassword"); len(got) != 1 || got[0] != "temporary password 1->"+testPassword {
			t.Errorf("ChangePassword calls = %v", got)
		}
	})

	t.Run("MustChangePasswordLogOut", func(t *testing.T) {
		h := newHarness(t)
		h.users.LoginFn = func(context.Context, string, string) (*app.Session, error) {
			return &app.Session{User: user(app.RoleNurse), MustChangePassword: true}, nil
		}
		h.u.Start()
		test.Type(h.u.login.username, "nurse1")
		test.Type(h.u.login.password, "temporary password 1")
		test.Tap(h.u.login.loginBtn)
		h.waitFor("the forced password change", func() bool { return h.u.forced != nil })
		test.Tap(h.u.forced.cancel)
		if h.u.login == nil || h.u.session != nil {
			t.Error("Log out on the forced change did not return to the login")
		}
	})

	t.Run("DBPathShown", func(t *testing.T) {
		h := newHarness(t)
		h.u.Start()
		if !h.shows("/var/lib/hms/clinic.db") {
			t.Error("database path not on the login window")
		}
	})
}

func TestRegisterStaff(t *testing.T) {
	h := newHarness(t)
	h.users.RegisterStaffFn = func(ctx context.Context, r app.StaffRegistration) (*app.User, error) {
		h.record("RegisterStaff", nil, r)
		if r.Username == "taken" {
			return nil, app.FieldErrorf("username", "The username %q is taken.", r.Username)
		}
		return &app.User{ID: "u9", Username: r.Username, Role: r.Role, Status: app.StatusPending}, nil
	}
	h.u.Start()
	test.Tap(h.u.login.registerStaff)
	s := h.u.staffReg
	if s == nil {
		t.Fatal("staff registration not shown")
	}
	test.Type(s.username, "taken")
	test.Type(s.fullName, "Maria Papadopoulou")
	test.Type(s.email, "maria@example.org")
	test.Type(s.password, testPassword)
	test.Type(s.confirm, testPassword)

	test.Tap(s.submit)
	if s.errs.text("role") == "" {
		t.Error("no error for a missing role")
	}
	s.role.SetSelected(app.RoleDoctor.Label())

	test.Tap(s.submit)
	h.waitFor("the username error", func() bool { return s.errs.text("username") != "" })
	if !strings.Contains(s.errs.text("username"), "taken") {
		t.Errorf("username error = %q", s.errs.text("username"))
	}

	s.username.SetText("m.pap")
	test.Tap(s.submit)
	h.waitFor("the login screen", func() bool { return h.u.login != nil })
	if !strings.Contains(h.u.login.info.Text, "administrator must approve") {
		t.Errorf("login info = %q", h.u.login.info.Text)
	}
	calls := h.callsOf("RegisterStaff")
	r := calls[len(calls)-1].(app.StaffRegistration)
	if r.Role != app.RoleDoctor || r.FullName != "Maria Papadopoulou" || r.Email != "maria@example.org" || r.Password != testPassword {
		t.Errorf("RegisterStaff got %+v", r)
	}
}

func TestRegisterPatient(t *testing.T) {
	h := newHarness(t)
	h.users.RegisterPatientFn = func(ctx context.Context, r app.PatientRegistration) (*app.User, error) {
		h.record("RegisterPatient", nil, r)
		if err := r.Validate(h.clock()); err != nil {
			return nil, err
		}
		return &app.User{ID: "u10", Username: r.Username, Role: app.RolePatient}, nil
	}
	h.u.Start()
	test.Tap(h.u.login.registerPatient)
	s := h.u.patientReg
	test.Type(s.username, "grace")
	test.Type(s.givenName, "Grace")
	test.Type(s.familyName, "Hopper")
	s.sex.SetSelected("Female")
	test.Type(s.birthDate, "1906-13-09")
	test.Type(s.password, testPassword)
	test.Type(s.confirm, testPassword+"x")

	test.Tap(s.submit)
	if s.errs.text("confirm") == "" {
		t.Error("no error for mismatched passwords")
	}
	h.settle()
	if h.called("RegisterPatient") != 0 {
		t.Error("RegisterPatient called with mismatched passwords")
	}

	s.confirm.SetText(testPassword)
	test.Tap(s.submit)
	h.waitFor("the date-of-birth error", func() bool { return s.errs.text("birth_date") != "" })

	s.birthDate.SetText("1956-12-09")
	test.Tap(s.submit)
	h.waitFor("the login screen", func() bool { return h.u.login != nil })
	if h.u.login.username.Text != "grace" {
		t.Errorf("login username = %q", h.u.login.username.Text)
	}
	calls := h.callsOf("RegisterPatient")
	if r := calls[len(calls)-1].(app.PatientRegistration); r.Sex != app.SexFemale || r.BirthDate != "1956-12-09" {
		t.Errorf("RegisterPatient got %+v", r)
	}

	test.Tap(h.u.login.registerPatient)
	test.Tap(h.u.patientReg.back)
	if h.u.login == nil {
		t.Error("Back did not return to the login")
	}
}

// TestSessionEndedReturnsToLogin: a service call that finds the session
// ended (here: the account was deactivated since the login) takes the
// window back to the login screen, with the reason and the username.
func TestSessionEndedReturnsToLogin(t *testing.T) {
	h := newHarness(t)
	h.loginAs(user(app.RoleReception))
	if h.u.main.patients == nil {
		h.openArea(app.AreaPatients)
	}
	h.waitFor("the patients' list", func() bool { return h.called("FindPatients") >= 1 })
	h.patients.FindPatientsFn = func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
		return nil, app.Errorf(app.ESESSION, "Your account has been deactivated, so you have been logged out. Ask an administrator.")
	}
	test.Type(h.u.main.patients.query, "fam")
	h.waitFor("the login screen", func() bool { return h.u.login != nil })
	if h.u.session != nil || h.u.main != nil {
		t.Error("the session is still there")
	}
	if !h.u.login.info.Visible() || !strings.Contains(h.u.login.info.Text, "deactivated") {
		t.Errorf("login screen says %q", h.u.login.info.Text)
	}
	if got := h.u.login.username.Text; got != user(app.RoleReception).Username {
		t.Errorf("username %q", got)
	}
}
