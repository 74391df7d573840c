package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"hms/app"
)

// patientHarness logs a patient in with their record on screen.
func patientHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper",
			Sex: app.SexFemale, BirthDate: "1956-12-09", Address: "2 Hill St"}, nil
	}
	h.users.CheckPasswordFn = func(ctx context.Context, pw string) error {
		h.record("CheckPassword", ctx, pw)
		if pw != testPassword {
			return app.Errorf(app.EUNAUTHORIZED, "The password is not right.")
		}
		return nil
	}
	h.loginAs(user(app.RolePatient))
	h.waitFor("the record", func() bool { return h.u.main.record.mrn.Text != "" })
	if !h.shows("P-D1-000042") {
		t.Fatal("record not on screen")
	}
	return h
}

func TestAutoLock(t *testing.T) {
	t.Run("IdleLocksAndUnlocks", func(t *testing.T) {
		h := patientHarness(t)

		h.advance(9 * time.Minute)
		h.u.checkIdle()
		if h.u.locked {
			t.Fatal("locked before the idle limit")
		}
		h.u.watch.MouseMoved(&desktop.MouseEvent{}) // activity restarts the count
		h.advance(9 * time.Minute)
		h.u.checkIdle()
		if h.u.locked {
			t.Fatal("locked although the mouse moved")
		}
		h.advance(time.Minute)
		h.u.checkIdle()
		if !h.u.locked || h.u.lock == nil {
			t.Fatal("not locked after 10 idle minutes")
		}
		if h.u.main != nil {
			t.Error("main screen kept while locked")
		}
		for _, s := range []string{"P-D1-000042", "Hopper", "2 Hill St", "1956-12-09"} {
			if h.shows(s) {
				t.Errorf("patient data %q still on screen while locked", s)
			}
		}

		lock := h.u.lock
		test.Type(lock.password, "not my password")
		test.Tap(lock.unlock)
		h.waitFor("the unlock message", func() bool { return lock.message.Visible() })
		if !h.u.locked || h.u.main != nil {
			t.Fatal("unlocked with a wrong password")
		}
		if lock.message.Text != "The password is not right." {
			t.Errorf("message = %q", lock.message.Text)
		}

		test.Type(lock.password, testPassword)
		test.Tap(lock.unlock)
		h.waitFor("the main window", func() bool { return h.u.main != nil })
		if h.u.locked || h.u.lock != nil {
			t.Error("still locked")
		}
		h.waitFor("a fresh record", func() bool { return h.u.main.record.mrn.Text == "P-D1-000042" })
		if h.called("FindPatientByID") != 2 {
			t.Errorf("record read %d times, want a fresh read after unlock", h.called("FindPatientByID"))
		}
	})

	t.Run("SettingHonoured", func(t *testing.T) {
		h := newHarness(t)
		h.settings.GetSettingsFn = func(context.Context) (*app.Settings, error) {
			s := clinicSettings()
			s.AutoLockMinutes = 3
			return s, nil
		}
		h.loginAs(user(app.RoleDoctor))
		h.advance(3 * time.Minute)
		h.u.checkIdle()
		if !h.u.locked {
			t.Error("not locked after the clinic's 3 idle minutes")
		}
	})

	t.Run("TypingCountsAsActivity", func(t *testing.T) {
		h := newHarness(t)
		h.users.FindUsersFn = func(context.Context, app.UserFilter) ([]*app.User, error) { return nil, nil }
		h.loginAs(user(app.RoleAdmin))
		h.openArea(app.AreaStaff)
		h.drain()
		q := h.u.main.staff.query
		h.u.win.Canvas().Focus(q)
		test.Type(q, "mar")
		h.advance(11 * time.Minute)
		h.u.checkIdle()
		if h.u.locked {
			t.Fatal("locked while typing")
		}
		h.advance(10 * time.Minute)
		h.u.checkIdle()
		if !h.u.locked {
			t.Fatal("not locked after typing stopped")
		}
	})

	t.Run("LockNowClosesDialogs", func(t *testing.T) {
		h := patientHarness(t)
		test.Tap(h.u.main.changePassword)
		if len(h.u.win.Canvas().Overlays().List()) == 0 {
			t.Fatal("dialog not open")
		}
		test.Tap(h.u.main.lockNow)
		if !h.u.locked || h.u.pwDialog != nil {
			t.Error("Lock now did not lock")
		}
		if n := len(h.u.win.Canvas().Overlays().List()); n != 0 {
			t.Errorf("%d dialogs still open on the lock screen", n)
		}
		if h.shows("Hopper") || h.shows("P-D1-000042") {
			t.Error("patient data on the lock screen")
		}
	})

	t.Run("LateResultDropped", func(t *testing.T) {
		h := newHarness(t)
		release := make(chan struct{})
		h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
			<-release
			return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper"}, nil
		}
		h.loginAs(user(app.RolePatient))
		record := h.u.main.record
		h.u.lockNow()
		close(release)
		h.settle()
		if record.mrn.Text != "" {
			t.Error("a result that came back after the lock was shown")
		}
	})

	t.Run("LogOutFromLock", func(t *testing.T) {
		h := patientHarness(t)
		h.u.lockNow()
		test.Tap(h.u.lock.logout)
		if h.u.login == nil || h.u.session != nil || h.u.locked {
			t.Error("Log out from the lock screen did not return to the login")
		}
		h.advance(time.Hour)
		h.u.checkIdle() // no session: nothing to lock
		if h.u.lock != nil {
			t.Error("locked the login screen")
		}
	})
}

func TestLockDuringForcedChange(t *testing.T) {
	h := newHarness(t)
	h.users.LoginFn = func(context.Context, string, string) (*app.Session, error) {
		return &app.Session{User: user(app.RoleNurse), MustChangePassword: true}, nil
	}
	h.users.CheckPasswordFn = func(context.Context, string) error { return nil }
	h.u.Start()
	test.Type(h.u.login.username, "nurse1")
	test.Type(h.u.login.password, "temporary password 1")
	test.Tap(h.u.login.loginBtn)
	h.waitFor("the forced password change", func() bool { return h.u.forced != nil })
	h.u.checkIdle() // sees the focus move to the form: activity
	h.advance(time.Hour)
	h.u.checkIdle()
	if !h.u.locked {
		t.Fatal("not locked")
	}
	test.Type(h.u.lock.password, "temporary password 1")
	test.Tap(h.u.lock.unlock)
	h.waitFor("the unlock", func() bool { return !h.u.locked })
	if h.u.forced == nil || h.u.main != nil {
		t.Error("unlock skipped the forced password change")
	}
}
