package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

func startSetup(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.settings.NeedsSetupFn = func(context.Context) (bool, error) { return true, nil }
	h.u.Start()
	if h.u.setup == nil {
		t.Fatal("setup screen not shown on first run")
	}
	s := h.u.setup
	test.Type(s.clinicName, "Riverside Clinic")
	test.Type(s.address, "1 River Road")
	test.Type(s.phone, "+30 210 1234567")
	s.timeZone.SetText("Europe/Athens")
	s.currency.SetSelected("EUR")
	test.Type(s.username, "Admin")
	test.Type(s.fullName, "Ada Admin")
	test.Type(s.password, testPassword)
	test.Type(s.confirm, testPassword)
	return h
}

func TestSetup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := startSetup(t)
		var got app.ClinicSetup
		h.settings.SetupFn = func(_ context.Context, c app.ClinicSetup) (*app.User, error) {
			h.record("Setup", nil, c)
			return &app.User{ID: "u1", Username: "admin", FullName: c.AdminFullName, Role: app.RoleAdmin}, nil
		}
		test.Tap(h.u.setup.save)
		h.waitFor("the login screen", func() bool { return h.u.login != nil })
		got = h.callsOf("Setup")[0].(app.ClinicSetup)
		if got.Settings.ClinicName != "Riverside Clinic" || got.Settings.TimeZone != "Europe/Athens" ||
			got.Settings.Currency != "EUR" || got.Settings.Phone != "+30 210 1234567" ||
			got.Settings.AutoLockMinutes != app.DefaultAutoLockMinutes ||
			got.AdminUsername != "Admin" || got.AdminFullName != "Ada Admin" || got.AdminPassword != testPassword {
			t.Errorf("Setup got %+v", got)
		}
		if h.u.login.username.Text != "admin" {
			t.Errorf("login username = %q, want the new admin's", h.u.login.username.Text)
		}
		if !h.u.login.info.Visible() || !strings.Contains(h.u.login.info.Text, "set up") {
			t.Errorf("login info = %q", h.u.login.info.Text)
		}
	})

	t.Run("ErrFieldShownNextToField", func(t *testing.T) {
		h := startSetup(t)
		h.settings.SetupFn = func(_ context.Context, c app.ClinicSetup) (*app.User, error) {
			h.record("Setup", nil, c)
			return nil, app.FieldErrorf("time_zone", "%q is not a time zone: use a name such as Europe/Athens.", "Mars/Olympus")
		}
		h.u.setup.timeZone.SetText("Mars/Olympus")
		test.Tap(h.u.setup.save)
		s := h.u.setup
		h.waitFor("the time-zone error", func() bool { return s.errs.text("time_zone") != "" })
		if !strings.Contains(s.errs.text("time_zone"), "Mars/Olympus") {
			t.Errorf("time zone error = %q", s.errs.text("time_zone"))
		}
		for _, f := range []string{"clinic_name", "address", "phone", "currency", "username", "full_name", "password", "confirm"} {
			if s.errs.text(f) != "" {
				t.Errorf("error shown next to %s too: %q", f, s.errs.text(f))
			}
		}
		if h.u.setup == nil || h.u.login != nil {
			t.Error("left the setup screen after an error")
		}
		if s.save.Disabled() {
			t.Error("save stays disabled after an error")
		}
	})

	t.Run("ErrPasswordOfService", func(t *testing.T) {
		h := startSetup(t)
		h.settings.SetupFn = func(context.Context, app.ClinicSetup) (*app.User, error) {
			return nil, app.FieldErrorf("password", "The password is too short.")
		}
		test.Tap(h.u.setup.save)
		h.waitFor("the password error", func() bool { return h.u.setup.errs.text("password") != "" })
	})

	t.Run("ErrConfirmMismatch", func(t *testing.T) {
		h := startSetup(t)
		h.settings.SetupFn = func(_ context.Context, c app.ClinicSetup) (*app.User, error) {
			h.record("Setup", nil, c)
			return nil, nil
		}
		h.u.setup.confirm.SetText(testPassword + "!")
		test.Tap(h.u.setup.save)
		if h.u.setup.errs.text("confirm") == "" {
			t.Error("no error next to the confirmation")
		}
		h.settle()
		if n := h.called("Setup"); n != 0 {
			t.Errorf("Setup called %d times with mismatched passwords", n)
		}
	})

	t.Run("ErrNeverRaw", func(t *testing.T) {
		h := startSetup(t)
		h.settings.SetupFn = func(context.Context, app.ClinicSetup) (*app.User, error) {
			return nil, errors.New("sqlite3: disk I/O error")
		}
		test.Tap(h.u.setup.save)
		h.waitFor("an error dialog", func() bool { return len(h.u.win.Canvas().Overlays().List()) > 0 })
		if h.shows("sqlite3") {
			t.Error("a raw error reached the screen")
		}
		if !h.shows(app.ErrorMessage(errors.New("x"))) {
			t.Errorf("generic message not shown: %q", h.texts())
		}
	})
}

// A new desk of a clinic that syncs joins its server from the first-run
// screen: the password goes inside the address, the desk enrolls and
// downloads the clinic, and whoever works here logs in.
func TestSetupJoin(t *testing.T) {
	start := func(t *testing.T) (*harness, *mock.SyncService) {
		h := newHarness(t)
		h.settings.NeedsSetupFn = func(context.Context) (bool, error) { return true, nil }
		m := &mock.SyncService{
			RunSyncFn:    func(context.Context, func(*app.SyncStatus)) {},
			SyncStatusFn: func(context.Context) (*app.SyncStatus, error) { return &app.SyncStatus{}, nil },
		}
		h.u.svc.Sync = m
		h.u.Start()
		return h, m
	}
	t.Run("OK", func(t *testing.T) {
		h, m := start(t)
		m.EnrollDeskFn = func(ctx context.Context, u string) (*app.SyncStatus, error) {
			h.record("EnrollDesk", nil, u) // nobody is logged in on a new desk
			return &app.SyncStatus{Enrolled: true, DeskCode: "D3"}, nil
		}
		m.SyncNowFn = func(ctx context.Context) (*app.SyncReport, error) {
			h.record("SyncNow", nil, nil)
			return &app.SyncReport{Pulled: 120}, nil
		}
		s := h.u.setup
		test.Type(s.joinServer, "postgres://desk3@db.clinic.lan:5432/hms?sslmode=verify-full")
		test.Type(s.joinPassword, "p@ss word")
		test.Tap(s.join)
		h.waitFor("the login screen", func() bool { return h.u.login != nil })
		if got := h.callsOf("EnrollDesk"); len(got) != 1 || got[0] != "postgres://desk3:p%40ss%20word@db.clinic.lan:5432/hms?sslmode=verify-full" {
			t.Errorf("enrolled with %v", got)
		}
		if len(h.callsOf("SyncNow")) != 1 {
			t.Error("the clinic was not downloaded")
		}
		if !strings.Contains(h.u.login.info.Text, "D3") {
			t.Errorf("login info = %q", h.u.login.info.Text)
		}
	})
	t.Run("BadAddress", func(t *testing.T) {
		h, _ := start(t)
		s := h.u.setup
		test.Type(s.joinServer, "db.clinic.lan")
		test.Tap(s.join)
		if s.joinErrs.text("server") == "" || h.u.login != nil {
			t.Errorf("a bad address: error %q", s.joinErrs.text("server"))
		}
	})
	t.Run("ServerRefuses", func(t *testing.T) {
		h, m := start(t)
		m.EnrollDeskFn = func(ctx context.Context, u string) (*app.SyncStatus, error) {
			return nil, app.Errorf(app.EUNAUTHORIZED, "The sync server refused the user name or password.")
		}
		s := h.u.setup
		test.Type(s.joinServer, "postgres://desk3@db.clinic.lan:5432/hms")
		test.Tap(s.join)
		h.waitFor("the join button back", func() bool { return !s.join.Disabled() })
		if h.u.login != nil || h.u.setup == nil || s.joinInfo.Visible() || s.save.Disabled() {
			t.Error("after a refusal the setup screen should stay, ready again")
		}
	})
}
