package data_test

import (
	"testing"

	"hms/app"
	"hms/app/i18n"
)

// TestSetLanguage: a user sets their own screen language, which the
// account then carries; another user's only an administrator may set; an
// unknown language is refused; empty returns to the clinic's default; each
// change is audited.
func TestSetLanguage(t *testing.T) {
	c := mustSetup(t)
	nurse, doctor := c.users[app.RoleNurse], c.users[app.RoleDoctor]

	u, err := c.svc.Users.SetLanguage(c.ctx(app.RoleNurse), nurse.ID, "el-GR", nil)
	if err != nil || u.Language != i18n.Greek {
		t.Fatalf("own language: %v, %v", u, err)
	}
	again, err := c.svc.Users.FindUserByID(c.ctx(app.RoleAdmin), nurse.ID)
	if err != nil || again.Language != i18n.Greek {
		t.Fatalf("the language is kept: %v, %v", again, err)
	}
	if _, err := c.svc.Users.SetLanguage(c.ctx(app.RoleNurse), doctor.ID, "es", nil); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a nurse set a doctor's language: %v", err)
	}
	if d, _ := c.svc.Users.FindUserByID(c.ctx(app.RoleAdmin), doctor.ID); d.Language != "" {
		t.Fatalf("the refused change was kept: %q", d.Language)
	}
	if u, err := c.svc.Users.SetLanguage(c.ctx(app.RoleAdmin), doctor.ID, "es", nil); err != nil || u.Language != i18n.Spanish {
		t.Fatalf("an administrator sets a doctor's language: %v, %v", u, err)
	}
	if _, err := c.svc.Users.SetLanguage(c.ctx(app.RoleNurse), nurse.ID, "klingon", nil); app.ErrorField(err) != "language" {
		t.Fatalf("an unknown language: %v", err)
	}
	if u, err := c.svc.Users.SetLanguage(c.ctx(app.RoleNurse), nurse.ID, "", nil); err != nil || u.Language != "" {
		t.Fatalf("back to the clinic's default: %v, %v", u, err)
	}
	entries, err := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Action: "user.set_language"})
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, e := range entries {
		if e.Outcome == app.OutcomeOK {
			ok++
		}
	}
	if ok != 3 {
		t.Fatalf("%d successful language changes audited, want 3: %+v", ok, entries)
	}
	// The clinic's default screen language is a clinic setting.
	s, err := c.svc.Settings.GetSettings(c.ctx(app.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	s.ScreenLanguage = "es"
	if s, err = c.svc.Settings.UpdateSettings(c.ctx(app.RoleAdmin), *s, nil); err != nil || s.ScreenLanguage != i18n.Spanish {
		t.Fatalf("the clinic's screen language: %v, %v", s, err)
	}
	if l := app.ScreenLanguage(nurse, s); l != i18n.Spanish {
		t.Fatalf("a user with no language of their own speaks %s, want the clinic's es", l)
	}
	s.ScreenLanguage = "xx"
	if _, err := c.svc.Settings.UpdateSettings(c.ctx(app.RoleAdmin), *s, nil); app.ErrorField(err) != "screen_language" {
		t.Fatalf("an unknown clinic language: %v", err)
	}
}
