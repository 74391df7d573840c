package data_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

func TestLogin(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := mustSetup(t)
		s, err := c.svc.Users.Login(anon, " Admin ", adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		if s.User.Role != app.RoleAdmin || s.MustChangePassword || s.User.LastLoginAt.IsZero() {
			t.Fatalf("session: %+v", s.User)
		}
		if e := lastAudit(t, c); e.Action != "user.login" || e.Outcome != app.OutcomeOK || e.UserID != s.User.ID {
			t.Fatalf("audit: %+v", e)
		}
	})

	t.Run("ErrSameMessageForUserAndPassword", func(t *testing.T) {
		c := mustSetup(t)
		_, errUser := c.svc.Users.Login(anon, "nobody", adminPassword)
		_, errPass := c.svc.Users.Login(anon, "admin", "not the password")
		if errUser == nil || errPass == nil || app.ErrorMessage(errUser) != app.ErrorMessage(errPass) || code(errUser) != code(errPass) {
			t.Fatalf("unknown user: %v; wrong password: %v", errUser, errPass)
		}
		es, _ := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Action: "user.login", Outcome: app.OutcomeFailed})
		if len(es) != 2 {
			t.Fatalf("want both failures audited, got %d", len(es))
		}
	})

	t.Run("LockoutAndExpiry", func(t *testing.T) {
		c := mustSetup(t)
		for i := 1; i <= 4; i++ {
			_, err := c.svc.Users.Login(anon, "doctor1", "wrong password "+string(rune('0'+i)))
			if strings.Contains(app.ErrorMessage(err), "locked") {
				t.Fatalf("locked after %d failures", i)
			}
		}
		_, err := c.svc.Users.Login(anon, "doctor1", "wrong password 5")
		if !strings.Contains(app.ErrorMessage(err), "locked for 15 minutes") {
			t.Fatalf("fifth failure: %v", err)
		}
		// Even the right password is refused while locked.
		_, err = c.svc.Users.Login(anon, "doctor1", "a long staff password doctor")
		if !strings.Contains(app.ErrorMessage(err), "locked") {
			t.Fatalf("right password while locked: %v", err)
		}
		c.clock.Add(14 * time.Minute)
		if _, err = c.svc.Users.Login(anon, "doctor1", "a long staff password doctor"); !strings.Contains(app.ErrorMessage(err), "locked for 1 minutes") {
			t.Fatalf("after 14 minutes: %v", err)
		}
		c.clock.Add(time.Minute + time.Second)
		if _, err = c.svc.Users.Login(anon, "doctor1", "a long staff password doctor"); err != nil {
			t.Fatalf("after 15 minutes: %v", err)
		}
	})

	t.Run("AdminUnlocks", func(t *testing.T) {
		c := mustSetup(t)
		for i := 0; i < app.MaxFailedLogins; i++ {
			c.svc.Users.Login(anon, "nurse1", "wrong password again")
		}
		u, _ := c.svc.Users.FindUserByID(c.ctx(app.RoleAdmin), c.users[app.RoleNurse].ID)
		if !u.Locked(c.clock.Now()) {
			t.Fatal("not locked")
		}
		if _, err := c.svc.Users.UnlockUser(c.ctx(app.RoleAdmin), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Users.Login(anon, "nurse1", "a long staff password nurse"); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})

	t.Run("PendingUntilApproved", func(t *testing.T) {
		c := mustSetup(t)
		_, err := c.svc.Users.Login(anon, "newnurse", "waiting for approval")
		if !strings.Contains(app.ErrorMessage(err), "approval") {
			t.Fatalf("pending: %v", err)
		}
		if _, err := c.svc.Users.ApproveUser(c.ctx(app.RoleAdmin), c.pending.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Users.Login(anon, "newnurse", "waiting for approval"); err != nil {
			t.Fatalf("approved: %v", err)
		}
		if _, err := c.svc.Users.ApproveUser(c.ctx(app.RoleAdmin), c.pending.ID); code(err) != app.ECONFLICT {
			t.Fatalf("approving twice: %v", err)
		}
	})

	t.Run("Deactivated", func(t *testing.T) {
		c := mustSetup(t)
		if _, err := c.svc.Users.DeactivateUser(c.ctx(app.RoleAdmin), c.users[app.RoleBilling].ID, nil); err != nil {
			t.Fatal(err)
		}
		_, err := c.svc.Users.Login(anon, "billing1", "a long staff password billing")
		if !strings.Contains(app.ErrorMessage(err), "deactivated") {
			t.Fatalf("deactivated: %v", err)
		}
		if _, err := c.svc.Users.DeactivateUser(c.ctx(app.RoleAdmin), c.users[app.RoleAdmin].ID, nil); code(err) != app.ECONFLICT {
			t.Fatalf("deactivating oneself: %v", err)
		}
	})

	t.Run("RehashWhenParametersChange", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "hms.db")
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Services().Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "C", Currency: "EUR",
			TimeZone: "UTC"}, AdminUsername: "admin", AdminFullName: "A", AdminPassword: adminPassword})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		stronger := cheapHash
		stronger.Time = 2
		db, err = data.Open(path, data.Options{HashParams: stronger})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Services().Users.Login(anon, "admin", adminPassword); err != nil {
			t.Fatal(err)
		}
		var hash string
		rawDB(t, db).QueryRow(`SELECT password_hash FROM users WHERE username = 'admin'`).Scan(&hash)
		if !strings.Contains(hash, "t=2") {
			t.Fatalf("not re-hashed: %s", hash)
		}
		if _, err := db.Services().Users.Login(anon, "admin", adminPassword); err != nil {
			t.Fatalf("login with the new hash: %v", err)
		}
	})
}

func TestAccounts(t *testing.T) {
	t.Run("ResetPasswordMustChange", func(t *testing.T) {
		c := mustSetup(t)
		id := c.users[app.RoleReception].ID
		if _, err := c.svc.Users.ResetPassword(c.ctx(app.RoleAdmin), id, "short"); app.ErrorField(err) != "password" {
			t.Fatalf("weak reset password: %v", err)
		}
		if _, err := c.svc.Users.ResetPassword(c.ctx(app.RoleAdmin), id, "temporary password 1"); err != nil {
			t.Fatal(err)
		}
		s, err := c.svc.Users.Login(anon, "reception1", "temporary password 1")
		if err != nil || !s.MustChangePassword {
			t.Fatalf("after reset: %v %+v", err, s)
		}
		ctx := as(s.Caller())
		if err := c.svc.Users.ChangePassword(ctx, "wrong current one", "my own new password"); app.ErrorField(err) != "old_password" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := c.svc.Users.ChangePassword(ctx, "temporary password 1", "password1234"); app.ErrorField(err) != "new_password" {
			t.Fatalf("common new password: %v", err)
		}
		if err := c.svc.Users.ChangePassword(ctx, "temporary password 1", "my own new password"); err != nil {
			t.Fatal(err)
		}
		s, err = c.svc.Users.Login(anon, "reception1", "my own new password")
		if err != nil || s.MustChangePassword {
			t.Fatalf("after change: %v %+v", err, s)
		}
	})

	t.Run("ChangeRole", func(t *testing.T) {
		c := mustSetup(t)
		u, err := c.svc.Users.ChangeRole(c.ctx(app.RoleAdmin), c.users[app.RoleNurse].ID, app.RoleDoctor, nil)
		if err != nil || u.Role != app.RoleDoctor {
			t.Fatalf("change role: %v %+v", err, u)
		}
		if _, err := c.svc.Users.ChangeRole(c.ctx(app.RoleAdmin), c.users[app.RoleAdmin].ID, app.RoleDoctor, nil); code(err) != app.ECONFLICT {
			t.Fatalf("demoting the only admin: %v", err)
		}
		if _, err := c.svc.Users.ChangeRole(c.ctx(app.RoleAdmin), c.users[app.RolePatient].ID, app.RoleDoctor, nil); code(err) != app.EINVALID {
			t.Fatalf("patient to doctor: %v", err)
		}
	})

	t.Run("RegistrationValidation", func(t *testing.T) {
		c := mustSetup(t)
		snap := snapshot(t, c.db)
		bad := []struct {
			r     app.StaffRegistration
			field string
		}{
			{app.StaffRegistration{Username: "x", FullName: "X", Role: app.RoleDoctor, Password: "a long good password"}, "username"},
			{app.StaffRegistration{Username: "dr.who", FullName: " ", Role: app.RoleDoctor, Password: "a long good password"}, "full_name"},
			{app.StaffRegistration{Username: "dr.who", FullName: "Who", Role: "chief", Password: "a long good password"}, "role"},
			{app.StaffRegistration{Username: "dr.who", FullName: "Who", Role: app.RoleAdmin, Password: "a long good password"}, "role"},
			{app.StaffRegistration{Username: "dr.who", FullName: "Who", Role: app.RoleDoctor, Password: "short"}, "password"},
			{app.StaffRegistration{Username: "dr.who", FullName: "Who", Role: app.RoleDoctor, Password: "qwertyuiop123"}, "password"},
			{app.StaffRegistration{Username: "dr.who", FullName: "Who", Email: "who@", Role: app.RoleDoctor, Password: "a long good password"}, "email"},
			{app.StaffRegistration{Username: "doctor1", FullName: "Who", Role: app.RoleDoctor, Password: "a long good password"}, "username"},
		}
		for _, b := range bad {
			_, err := c.svc.Users.RegisterStaff(anon, b.r)
			if app.ErrorField(err) != b.field {
				t.Errorf("%+v: want an error on %s, got %v", b.r, b.field, err)
			}
		}
		if snapshot(t, c.db) != snap {
			t.Fatal("refused registrations changed data")
		}
	})

	t.Run("PatientSeesOnlyOwnRecord", func(t *testing.T) {
		c := mustSetup(t)
		me := c.users[app.RolePatient]
		p, err := c.svc.Patients.FindPatientByID(c.ctx(app.RolePatient), me.PatientID)
		if err != nil || p.GivenName != "zoe" || !strings.HasPrefix(p.MRN, "P-D1-") {
			t.Fatalf("own record: %v %+v", err, p)
		}
		if _, err := c.svc.Patients.FindPatientByID(c.ctx(app.RolePatient), c.patient2.PatientID); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("another patient's record: %v", err)
		}
		if _, err := c.svc.Users.FindUserByID(c.ctx(app.RolePatient), c.patient2.ID); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("another patient's account: %v", err)
		}
	})
}

func TestSettings(t *testing.T) {
	c := mustSetup(t)
	if need, _ := c.svc.Settings.NeedsSetup(anon); need {
		t.Fatal("set-up clinic needs setup")
	}
	if _, err := c.svc.Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "Again", Currency: "EUR", TimeZone: "UTC"},
		AdminUsername: "admin2", AdminFullName: "Again", AdminPassword: "another long password"}); code(err) != app.ECONFLICT {
		t.Fatalf("second setup: %v", err)
	}
	s, _ := c.svc.Settings.GetSettings(anon)
	if s.ClinicName != "Riverside Clinic" || s.AutoLockMinutes != 10 || s.Location().String() != "Europe/Athens" {
		t.Fatalf("settings: %+v", s)
	}
	bad := []struct {
		change func(*app.Settings)
		field  string
	}{
		{func(s *app.Settings) { s.ClinicName = "" }, "clinic_name"},
		{func(s *app.Settings) { s.Currency = "XXX" }, "currency"},
		{func(s *app.Settings) { s.TimeZone = "Mars/Olympus" }, "time_zone"},
		{func(s *app.Settings) { s.AutoLockMinutes = 0 }, "auto_lock_minutes"},
		{func(s *app.Settings) { s.Logo = []byte("GIF89a not a png") }, "logo"},
		{func(s *app.Settings) { s.Phone = "call me" }, "phone"},
	}
	snap := snapshot(t, c.db)
	for _, b := range bad {
		st := *s
		b.change(&st)
		if _, err := c.svc.Settings.UpdateSettings(c.ctx(app.RoleAdmin), st, nil); app.ErrorField(err) != b.field {
			t.Errorf("want an error on %s, got %v", b.field, err)
		}
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("refused settings changed data")
	}
	st := *s
	st.AutoLockMinutes, st.TaxID = 5, "EL123456789"
	got, err := c.svc.Settings.UpdateSettings(c.ctx(app.RoleAdmin), st, nil)
	if err != nil || got.AutoLockMinutes != 5 || got.TaxID != "EL123456789" {
		t.Fatalf("update: %v %+v", err, got)
	}
	if e := lastAudit(t, c); e.Action != "settings.update" || !strings.Contains(e.Detail, "auto_lock_minutes, tax_id") {
		t.Fatalf("audit: %+v", e)
	}
}
