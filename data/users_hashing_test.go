package data_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"hms/app"
)

// TestPasswordHashOutsideWrite: every method that hashes a password —
// setup, both registrations, creating an account, an administrator's
// reset, a login and one's own password change — hashes before its write
// transaction begins (signing.go seals the account's key with the password
// there too), so another connection can take the database's write lock
// while the hash runs. The hook stops the hash part-way; no timing.
func TestPasswordHashOutsideWrite(t *testing.T) {
	cases := []struct {
		name  string
		fresh bool // on a database not set up yet
		run   func(c *clinic) error
	}{
		{"Setup", true, func(c *clinic) error {
			_, err := c.svc.Settings.Setup(anon, app.ClinicSetup{
				Settings:      app.Settings{ClinicName: "Hillside Clinic", Currency: "EUR", TimeZone: "Europe/Athens"},
				AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: adminPassword})
			return err
		}},
		{"RegisterStaff", false, func(c *clinic) error {
			_, err := c.svc.Users.RegisterStaff(anon, app.StaffRegistration{Username: "dr.who", FullName: "Doctor Who",
				Role: app.RoleDoctor, Password: "a long good password"})
			return err
		}},
		{"RegisterPatient", false, func(c *clinic) error {
			_, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: "xena", GivenName: "Xena",
				FamilyName: "Warrior", Sex: app.SexFemale, BirthDate: "1990-01-02", Password: "a long good password"})
			return err
		}},
		{"CreateUser", false, func(c *clinic) error {
			_, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{Username: "nurse9", FullName: "Nurse Nine",
				Role: app.RoleNurse, Password: "a long good password"})
			return err
		}},
		{"ResetPassword", false, func(c *clinic) error {
			_, err := c.svc.Users.ResetPassword(c.ctx(app.RoleAdmin), c.users[app.RoleNurse].ID, "a temporary password 7")
			return err
		}},
		{"Login", false, func(c *clinic) error {
			_, err := c.svc.Users.Login(anon, "admin", adminPassword)
			return err
		}},
		{"ChangePassword", false, func(c *clinic) error {
			return c.svc.Users.ChangePassword(c.ctx(app.RoleAdmin), adminPassword, "another long admin password")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c *clinic
			if tc.fresh {
				db := MustOpenDB(t, newFakeClock())
				c = &clinic{db: db, svc: db.Services()}
			} else {
				c = mustSetup(t)
			}
			raw := rawDB(t, c.db)
			hashing, proceed := make(chan struct{}), make(chan struct{})
			var once sync.Once
			c.db.OnHash(func() { once.Do(func() { close(hashing); <-proceed }) })
			done := make(chan error, 1)
			go func() { done <- tc.run(c) }()
			<-hashing
			lockErr := takeWriteLock(raw)
			close(proceed)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if lockErr != nil {
				t.Fatalf("another connection could not write while the password was hashed: %v", lockErr)
			}
		})
	}
}

// takeWriteLock begins a write transaction on raw without waiting for the
// lock, writes, and rolls back.
func takeWriteLock(raw *sql.DB) error {
	ctx := context.Background()
	conn, err := raw.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `CREATE TABLE lock_probe (x)`)
	_, rbErr := conn.ExecContext(ctx, `ROLLBACK`)
	return errors.Join(err, rbErr)
}
