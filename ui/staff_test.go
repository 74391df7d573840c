package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

func staffHarness(t *testing.T) (*harness, *staffScreen) {
	t.Helper()
	h := newHarness(t)
	pending := &app.User{ID: "u-p", Username: "m.pap", FullName: "Maria Papadopoulou", Role: app.RoleDoctor, Status: app.StatusPending}
	active := &app.User{ID: "u-a", Username: "n.geo", FullName: "Nikos Georgiou", Role: app.RoleNurse, Status: app.StatusActive,
		FailedLogins: 5, LockedUntil: h.clock().Add(10 * time.Minute)}
	h.users.FindUsersFn = func(ctx context.Context, f app.UserFilter) ([]*app.User, error) {
		h.record("FindUsers", ctx, f)
		switch f.Status {
		case app.StatusPending:
			return []*app.User{pending}, nil
		case app.StatusActive:
			return []*app.User{active}, nil
		}
		return []*app.User{pending, active}, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaStaff)
	s := h.u.main.staff
	h.waitFor("the accounts", func() bool { return len(s.users) == 2 })
	return h, s
}

func TestStaff(t *testing.T) {
	t.Run("Approve", func(t *testing.T) {
		h, s := staffHarness(t)
		h.users.ApproveUserFn = func(ctx context.Context, id string) (*app.User, error) {
			h.record("ApproveUser", ctx, id)
			return &app.User{ID: id, Username: "m.pap", Status: app.StatusActive}, nil
		}
		if s.cell(1, 4) == "" || s.cell(0, 3) != "Pending approval" {
			t.Errorf("table cells: status %q, locked %q", s.cell(0, 3), s.cell(1, 4))
		}
		test.Tap(s.pending)
		h.waitFor("the pending accounts", func() bool { return len(s.users) == 1 })
		calls := h.callsOf("FindUsers")
		if f := calls[len(calls)-1].(app.UserFilter); f.Status != app.StatusPending {
			t.Errorf("Pending approvals filter = %+v", f)
		}
		if !s.approve.Disabled() {
			t.Error("Approve enabled with nothing selected")
		}
		s.table.Select(widget.TableCellID{Row: 0, Col: 0})
		if s.approve.Disabled() {
			t.Fatal("Approve disabled for a pending account")
		}
		test.Tap(s.approve)
		h.waitFor("the approval", func() bool { return s.notice.Visible() })
		if got := h.callsOf("ApproveUser"); len(got) != 1 || got[0] != "u-p" {
			t.Errorf("ApproveUser calls = %v", got)
		}
	})

	t.Run("ActionsFitSelection", func(t *testing.T) {
		h, s := staffHarness(t)
		_ = h
		s.table.Select(widget.TableCellID{Row: 1, Col: 0})
		if !s.approve.Disabled() || s.unlock.Disabled() || s.deactivate.Disabled() || s.resetPassword.Disabled() {
			t.Error("actions for an active locked account are wrong")
		}
		if s.role.Selected != app.RoleNurse.Label() {
			t.Errorf("role select = %q", s.role.Selected)
		}
	})

	t.Run("ChangeRoleUnlockDeactivate", func(t *testing.T) {
		h, s := staffHarness(t)
		h.users.ChangeRoleFn = func(ctx context.Context, id string, r app.Role, was *app.User) (*app.User, error) {
			h.record("ChangeRole", ctx, id+":"+string(r))
			if was == nil || was.ID != id || was.Role != app.RoleNurse {
				t.Errorf("ChangeRole's account as the list showed it: %+v", was)
			}
			return &app.User{ID: id}, nil
		}
		h.users.UnlockUserFn = func(ctx context.Context, id string) (*app.User, error) {
			h.record("UnlockUser", ctx, id)
			return &app.User{ID: id}, nil
		}
		h.users.DeactivateUserFn = func(ctx context.Context, id string, was *app.User) (*app.User, error) {
			h.record("DeactivateUser", ctx, id)
			if was == nil || was.ID != id {
				t.Errorf("DeactivateUser's account as the list showed it: %+v", was)
			}
			return &app.User{ID: id}, nil
		}
		s.table.Select(widget.TableCellID{Row: 1, Col: 0})
		s.role.SetSelected(app.RoleReception.Label())
		test.Tap(s.applyRole)
		h.waitFor("the role change", func() bool { return h.called("ChangeRole") == 1 })
		test.Tap(s.unlock)
		h.waitFor("the unlock", func() bool { return h.called("UnlockUser") == 1 })
		test.Tap(s.deactivate) // asks first
		if len(h.u.win.Canvas().Overlays().List()) == 0 {
			t.Error("no confirmation before deactivating")
		}
		s.onDeactivateConfirmed(false)
		s.onDeactivateConfirmed(true)
		h.waitFor("the deactivation", func() bool { return h.called("DeactivateUser") == 1 })
		if got := h.callsOf("ChangeRole")[0]; got != "u-a:reception" {
			t.Errorf("ChangeRole got %v", got)
		}
	})

	t.Run("ResetPassword", func(t *testing.T) {
		h, s := staffHarness(t)
		h.users.ResetPasswordFn = func(ctx context.Context, id, pw string) (*app.User, error) {
			h.record("ResetPassword", ctx, id+":"+pw)
			if pw == "short" {
				return nil, app.FieldErrorf("password", "The password is too short.")
			}
			return &app.User{ID: id, MustChangePassword: true}, nil
		}
		s.table.Select(widget.TableCellID{Row: 1, Col: 0})
		test.Tap(s.resetPassword)
		f := s.reset
		if f == nil {
			t.Fatal("no reset dialog")
		}
		test.Type(f.password, testPassword)
		test.Type(f.confirm, "something else entirely")
		test.Tap(f.save)
		if f.errs.text("confirm") == "" {
			t.Error("no mismatch error")
		}
		f.password.SetText("short")
		f.confirm.SetText("short")
		test.Tap(f.save)
		h.waitFor("the password error", func() bool { return f.errs.text("password") != "" })
		f.password.SetText(testPassword)
		f.confirm.SetText(testPassword)
		test.Tap(f.save)
		h.waitFor("the dialog to close", func() bool { return s.reset == nil })
		if !h.shows("must choose a new one") {
			t.Error("admin not told the user must change the password")
		}
		if got := h.callsOf("ResetPassword"); len(got) != 2 || got[1] != "u-a:"+testPassword {
			t.Errorf("ResetPassword calls = %v", got)
		}
	})

	t.Run("NewStaffAccount", func(t *testing.T) {
		h, s := staffHarness(t)
		h.users.CreateUserFn = func(ctx context.Context, c app.UserCreate) (*app.User, error) {
			h.record("CreateUser", ctx, c)
			return &app.User{ID: "u-new", Username: c.Username, Role: c.Role, Status: app.StatusActive}, nil
		}
		test.Tap(s.newUser)
		f := s.create
		test.Type(f.username, "b.clerk")
		test.Type(f.fullName, "Bill Clerk")
		f.role.SetSelected(app.RoleBilling.Label())
		test.Type(f.password, testPassword)
		test.Type(f.confirm, testPassword)
		test.Tap(f.save)
		h.waitFor("the account", func() bool { return s.create == nil })
		c := h.callsOf("CreateUser")[0].(app.UserCreate)
		if c.Username != "b.clerk" || c.Role != app.RoleBilling || c.Password != testPassword {
			t.Errorf("CreateUser got %+v", c)
		}
	})
}

// TestStaffDoctorHours: an active doctor's profile and hours open from the
// staff list with that doctor chosen, and the back button returns.
func TestStaffDoctorHours(t *testing.T) {
	h := newHarness(t)
	h.serveHours()
	house := &app.User{ID: "d-2", Username: "dr.house", FullName: "Dr House", Role: app.RoleDoctor, Status: app.StatusActive}
	nurse := &app.User{ID: "u-n", Username: "n.geo", FullName: "Nikos Georgiou", Role: app.RoleNurse, Status: app.StatusActive}
	h.users.FindUsersFn = func(ctx context.Context, f app.UserFilter) ([]*app.User, error) {
		h.record("FindUsers", ctx, f)
		return []*app.User{nurse, house}, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaStaff)
	s := h.u.main.staff
	h.waitFor("the accounts", func() bool { return len(s.users) == 2 })

	s.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if !s.doctorHours.Disabled() {
		t.Error("Profile and hours is enabled for a nurse")
	}
	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	if s.doctorHours.Disabled() {
		t.Fatal("Profile and hours is disabled for an active doctor")
	}
	test.Tap(s.doctorHours)
	if s.hours == nil || s.content.Objects[0] != s.hours.content {
		t.Fatal("the doctor's hours are not shown")
	}
	v := s.hours
	h.waitFor("the profile", func() bool { return v.profile != nil })
	if v.doctorID() != "d-2" || v.profile.UserID != "d-2" {
		t.Errorf("hours opened on %q, want the selected doctor d-2", v.doctorID())
	}
	test.Tap(v.back)
	if s.hours != nil || s.content.Objects[0] != s.list {
		t.Error("back did not return to the staff list")
	}
}

// An administrator sets another user's screen language from Staff: the
// service gets the account and the language's code ("" for the clinic's
// default), and the notice says what was done; choosing the language the
// account has already calls nothing.
func TestStaffSetsLanguage(t *testing.T) {
	h, s := staffHarness(t)
	h.users.SetLanguageFn = func(ctx context.Context, id, language string, was *app.User) (*app.User, error) {
		h.record("SetLanguage", ctx, id+":"+language)
		if was == nil || was.ID != id {
			t.Errorf("SetLanguage's account as the list showed it: %+v", was)
		}
		return &app.User{ID: id, Username: "n.geo", Language: i18n.Lang(language)}, nil
	}
	if !s.setLanguage.Disabled() || !s.language.Disabled() {
		t.Error("the language control is enabled with nothing selected")
	}
	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	if s.setLanguage.Disabled() || s.language.Selected != T("The clinic's language") {
		t.Fatalf("language %q, set enabled %v", s.language.Selected, !s.setLanguage.Disabled())
	}
	test.Tap(s.setLanguage)
	h.settle()
	if h.called("SetLanguage") != 0 {
		t.Error("SetLanguage called for the language the account has")
	}
	s.language.SetSelected(i18n.Greek.Name())
	test.Tap(s.setLanguage)
	h.waitFor("the language set", func() bool { return h.called("SetLanguage") == 1 })
	if c := h.callsOf("SetLanguage"); c[len(c)-1] != "u-a:el" {
		t.Errorf("SetLanguage(%v)", c[len(c)-1])
	}
	h.waitFor("the notice", func() bool { return s.notice.Visible() && strings.Contains(s.notice.Text, "n.geo") })

	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	s.language.SetSelected(T("The clinic's language"))
	s.selected.Language = i18n.Greek
	test.Tap(s.setLanguage)
	h.waitFor("the default set", func() bool { return h.called("SetLanguage") == 2 })
	if c := h.callsOf("SetLanguage"); c[len(c)-1] != "u-a:" {
		t.Errorf("SetLanguage(%v) for the clinic's default", c[len(c)-1])
	}
}
