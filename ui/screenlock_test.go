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
		if h.u.main == nil {
			t.Error("the screen behind the lock was destroyed")
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
		if !h.u.locked || h.shows("Hopper") {
			t.Fatal("unlocked with a wrong password")
		}
		if lock.message.Text != "The password is not right." {
			t.Errorf("message = %q", lock.message.Text)
		}

		test.Type(lock.password, testPassword)
		test.Tap(lock.unlock)
		h.waitFor("the unlock", func() bool { return !h.u.locked })
		if h.u.lock != nil {
			t.Error("still locked")
		}
		if h.u.main.record.mrn.Text != "P-D1-000042" || !h.shows("P-D1-000042") {
			t.Error("the record is not back on screen")
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

	t.Run("LockNowHidesDialogs", func(t *testing.T) {
		h := patientHarness(t)
		test.Tap(h.u.main.changePassword)
		if len(h.u.win.Canvas().Overlays().List()) == 0 {
			t.Fatal("dialog not open")
		}
		test.Tap(h.u.main.lockNow)
		if !h.u.locked {
			t.Error("Lock now did not lock")
		}
		if n := len(h.u.win.Canvas().Overlays().List()); n != 0 {
			t.Errorf("%d dialogs still open on the lock screen", n)
		}
		if h.shows("Hopper") || h.shows("P-D1-000042") {
			t.Error("patient data on the lock screen")
		}
		test.Type(h.u.lock.password, testPassword)
		test.Tap(h.u.lock.unlock)
		h.waitFor("the unlock", func() bool { return !h.u.locked })
		if len(h.u.win.Canvas().Overlays().List()) != 1 || h.u.pwDialog == nil {
			t.Error("the dialog open at the lock did not come back")
		}
	})

	t.Run("LateResultHeldUntilUnlock", func(t *testing.T) {
		h := newHarness(t)
		release := make(chan struct{})
		h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
			<-release
			return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper"}, nil
		}
		h.users.CheckPasswordFn = func(context.Context, string) error { return nil }
		h.loginAs(user(app.RolePatient))
		record := h.u.main.record
		h.u.lockNow()
		close(release)
		h.settle()
		if record.mrn.Text != "" || h.shows("P-D1-000042") {
			t.Error("a result that came back after the lock reached the screen while locked")
		}
		test.Type(h.u.lock.password, testPassword)
		test.Tap(h.u.lock.unlock)
		h.waitFor("the result at the unlock", func() bool { return record.mrn.Text == "P-D1-000042" })
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

// TestLockKeepsWork: a doctor is half-way through a note when the screen
// locks; the unlock brings back the chart, the open note and its text.
func TestLockKeepsWork(t *testing.T) {
	h := newClinicHarness(t)
	h.users.CheckPasswordFn = func(context.Context, string) error { return nil }
	c := h.openChartOf(app.RoleDoctor)
	h.clinical.FindNotesFn = func(context.Context, string) ([]*app.Note, error) { return nil, nil }
	selectTab(t, c.tabs, "Notes")
	h.drain()
	test.Tap(c.notes.newNote)
	f := c.notes.form
	test.Type(f.text, "Chest pain on exertion since Monday, worse on stairs")
	h.advance(time.Hour)
	h.u.checkIdle() // the typing was the last activity: counts once
	h.advance(time.Hour)
	h.u.checkIdle()
	if !h.u.locked {
		t.Fatal("not locked")
	}
	for _, s := range []string{"Chest pain", "Grace Hopper", "P-D1-000001"} {
		if h.shows(s) {
			t.Errorf("%q on the lock screen", s)
		}
	}
	test.Type(h.u.lock.password, testPassword)
	test.Tap(h.u.lock.unlock)
	h.waitFor("the unlock", func() bool { return !h.u.locked })
	if h.u.main == nil || h.u.main.patients.chart != c || c.notes.form != f {
		t.Fatal("the chart or the note form was replaced")
	}
	if f.text.Text != "Chest pain on exertion since Monday, worse on stairs" || !h.shows("Chest pain on exertion since Monday") {
		t.Errorf("the note's text is gone: %q", f.text.Text)
	}
	if h.u.win.Canvas().Focused() != f.text {
		t.Error("the note lost the focus")
	}
}
