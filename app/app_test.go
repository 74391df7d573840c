package app_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hms/app"
)

func TestErrors(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", app.FieldErrorf("phone", "Bad phone."))
	if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) != "Bad phone." || app.ErrorField(err) != "phone" {
		t.Fatalf("wrapped app error: %q %q %q", app.ErrorCode(err), app.ErrorMessage(err), app.ErrorField(err))
	}
	raw := errors.New("sqlite3: constraint failed: users.username")
	if app.ErrorCode(raw) != app.EINTERNAL || strings.Contains(app.ErrorMessage(raw), "sqlite") {
		t.Fatalf("a raw error leaks: %q", app.ErrorMessage(raw))
	}
	if app.ErrorCode(nil) != "" || app.ErrorMessage(nil) != "" {
		t.Fatal("nil error has a code")
	}
}

func TestAreasFor(t *testing.T) {
	cases := map[app.Role][]app.Area{
		app.RoleAdmin:     {app.AreaPatients, app.AreaAppointments, app.AreaBilling, app.AreaDashboard, app.AreaStaff, app.AreaSettings, app.AreaAudit},
		app.RoleDoctor:    {app.AreaPatients, app.AreaAppointments, app.AreaDashboard},
		app.RoleNurse:     {app.AreaPatients, app.AreaAppointments},
		app.RoleReception: {app.AreaPatients, app.AreaAppointments, app.AreaBilling},
		app.RoleBilling:   {app.AreaPatients, app.AreaAppointments, app.AreaBilling, app.AreaDashboard},
		app.RolePatient:   {app.AreaMyRecord},
	}
	for role, want := range cases {
		if got := app.AreasFor(role); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
	if app.Can(app.RoleBilling, app.PermViewClinical) || app.Can(app.RolePatient, app.PermViewPatient) {
		t.Fatal("billing reads clinical records or a patient views others")
	}
	if app.Can("", app.PermViewOwnRecord) || app.Can("superuser", app.PermManageStaff) {
		t.Fatal("an unknown role has permissions")
	}
}

func TestValidatePassword(t *testing.T) {
	ok := []string{"correct horse battery", "Ωραία μέρα σήμερα", "twelve chars", strings.Repeat("ab1", 10) + "z"}
	for _, pw := range ok {
		if err := app.ValidatePassword(pw, "alice"); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
	bad := map[string]string{
		"":                          "Enter",
		"short pass":                "too short",
		strings.Repeat("x", 129):    "too long",
		"Password1234":              "common",
		"QWERTYUIOP123":             "common",
		"aaaaaaaaaaaaaa":            "common",
		"abcabcabcabcabc":           "common",
		"alice.smith!":              "too close",
		"ααααααααααααα":             "common",
		"passwordpassword":          "common",
		"1q2w3e4r5t6y":              "common",
		"correcthorsebatterystaple": "common",
	}
	for pw, want := range bad {
		err := app.ValidatePassword(pw, "alice.smith")
		if err == nil || !strings.Contains(app.ErrorMessage(err), want) || app.ErrorField(err) != "password" {
			t.Errorf("%q: want %q, got %v", pw, want, err)
		}
	}
	// Length counts characters, not bytes: 12 Greek letters are 24 bytes.
	if pw := "λέξειςκαλές1"; utf8.RuneCountInString(pw) != 12 || app.ValidatePassword(pw, "") != nil {
		t.Fatal("12 characters in Greek refused")
	}
}

func TestPasswordHash(t *testing.T) {
	p := app.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	h, err := app.HashPassword("a good long password", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("not a PHC string: %s", h)
	}
	h2, _ := app.HashPassword("a good long password", p)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if ok, rehash, err := app.CheckPasswordHash(h, "a good long password", p); !ok || rehash || err != nil {
		t.Fatalf("right password: %v %v %v", ok, rehash, err)
	}
	if ok, _, _ := app.CheckPasswordHash(h, "a good long passworD", p); ok {
		t.Fatal("wrong password accepted")
	}
	stronger := p
	stronger.Time = 2
	if ok, rehash, _ := app.CheckPasswordHash(h, "a good long password", stronger); !ok || !rehash {
		t.Fatal("changed parameters do not ask for a re-hash")
	}
	if d := app.DefaultHashParams; d.Memory != 64*1024 || d.Time != 3 || d.Threads != 1 || d.SaltLen != 16 {
		t.Fatalf("default parameters %+v differ from DESIGN.md", d)
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1024,t=1,p=1$!!$!!"} {
		if _, _, err := app.CheckPasswordHash(bad, "x", p); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestPatientValidate(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	good := app.PatientCreate{GivenName: "  Zoë  Ann ", FamilyName: "Müller", Sex: app.SexFemale, BirthDate: "1990-02-28", Phone: " +30  210 555 0101 "}
	if err := good.Validate(today); err != nil {
		t.Fatal(err)
	}
	if good.GivenName != "Zoë Ann" || good.Phone != "+30 210 555 0101" {
		t.Fatalf("not normalized: %+v", good)
	}
	cases := []struct {
		change func(*app.PatientCreate)
		field  string
	}{
		{func(p *app.PatientCreate) { p.GivenName = " " }, "given_name"},
		{func(p *app.PatientCreate) { p.FamilyName = "" }, "family_name"},
		{func(p *app.PatientCreate) { p.Sex = "" }, "sex"},
		{func(p *app.PatientCreate) { p.Sex = "x" }, "sex"},
		{func(p *app.PatientCreate) { p.BirthDate = "1990-02-30" }, "birth_date"},
		{func(p *app.PatientCreate) { p.BirthDate = "30/01/1990" }, "birth_date"},
		{func(p *app.PatientCreate) { p.BirthDate = "2027-01-01" }, "birth_date"},
		{func(p *app.PatientCreate) { p.BirthDate = "1880-01-01" }, "birth_date"},
		{func(p *app.PatientCreate) { p.Phone = "12" }, "phone"},
		{func(p *app.PatientCreate) { p.Phone = "call me maybe" }, "phone"},
		{func(p *app.PatientCreate) { p.Email = "zoe@@x" }, "email"},
	}
	for i, c := range cases {
		p := good
		c.change(&p)
		if err := p.Validate(today); app.ErrorField(err) != c.field {
			t.Errorf("case %d: want an error on %s, got %v", i, c.field, err)
		}
	}
}

func TestValidateUsername(t *testing.T) {
	for _, ok := range []string{"admin", "dr.house", "nurse_1", "a-b"} {
		if err := app.ValidateUsername(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ab", "Admin", ".dot", "with space", "ünïcode", strings.Repeat("a", 33)} {
		if err := app.ValidateUsername(bad); app.ErrorField(err) != "username" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzValidatePhone(f *testing.F) {
	for _, s := range []string{"+30 210 555 0101", "(01) 23-45", "", "+", "0000000000000000", "١٢٣٤٥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := app.NormalizePhone(s)
		if err := app.ValidatePhone(n); err == nil {
			digits := 0
			for _, r := range n {
				if r >= '0' && r <= '9' {
					digits++
				} else if !strings.ContainsRune("+ ()./-", r) {
					t.Fatalf("accepted %q with %q", n, r)
				}
			}
			if n != "" && (digits < 5 || digits > 15) {
				t.Fatalf("accepted %q with %d digits", n, digits)
			}
		}
	})
}

func FuzzValidateBirthDate(f *testing.F) {
	for _, s := range []string{"1990-01-01", "2026-11-25", "0000-00-00", "1990-13-01", "1990-1-1", "  "} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if err := app.ValidateBirthDate(s, today); err == nil {
			d, perr := time.Parse(app.DateLayout, s)
			if perr != nil || d.After(today) || d.Format(app.DateLayout) != s {
				t.Fatalf("accepted %q", s)
			}
		} else if app.ErrorField(err) != "birth_date" {
			t.Fatalf("error without its field: %v", err)
		}
	})
}

func FuzzSettingsValidate(f *testing.F) {
	f.Add("Clinic", "EUR", "Europe/Athens", 10)
	f.Add("", "eur", "Local", 0)
	f.Fuzz(func(t *testing.T, name, currency, tz string, minutes int) {
		s := app.Settings{ClinicName: name, Currency: currency, TimeZone: tz, AutoLockMinutes: minutes}
		if err := s.Validate(); err == nil {
			if s.ClinicName == "" || s.AutoLockMinutes < 1 || s.Location() == nil {
				t.Fatalf("accepted %+v", s)
			}
		} else if app.ErrorField(err) == "" {
			t.Fatalf("error without its field: %v", err)
		}
	})
}
