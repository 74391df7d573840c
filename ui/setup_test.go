package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
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
