package data_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"hms/app"
)

// TestPasswordHashOutsideWrite: every method that hashes a password —
// setup, both registrations, creating an account, an administrator's
// reset, a login and one's own password change — hashes before its write
// transaction begins (signing.go seals the account's key with the password
// there too), so another connection can take the database's write lock
// while each hash runs. The hook takes the lock as each hash starts; no
// timing.
func TestPasswordHashOutsideWrite(t *testing.T) {
	cases := []struct {
		name   string
		fresh  bool // on a database not set up yet
		hashes int  // at least this many argon2id runs
		run    func(c *clinic) error
	}{
		{"Setup", true, 1, func(c *clinic) error {
			_, err := c.svc.Settings.Setup(anon, app.ClinicSetup{
				Settings:      app.Settings{ClinicName: "Hillside Clinic", Currency: "EUR", TimeZone: "Europe/Athens"},
				AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: adminPassword})
			return err
		}},
		{"RegisterStaff", false, 1, func(c *clinic) error {
			_, err := c.svc.Users.RegisterStaff(anon, app.StaffRegistration{Username: "dr.who", FullName: "Doctor Who",
				Role: app.RoleDoctor, Password: "a long good password"})
			return err
		}},
		{"RegisterPatient", false, 1, func(c *clinic) error {
			_, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: "xena", GivenName: "Xena",
				FamilyName: "Warrior", Sex: app.SexFemale, BirthDate: "1990-01-02", Password: "a long good password"})
			return err
		}},
		{"CreateUser", false, 1, func(c *clinic) error {
			_, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{Username: "nurse9", FullName: "Nurse Nine",
				Role: app.RoleNurse, Password: "a long good password"})
			return err
		}},
		{"ResetPassword", false, 1, func(c *clinic) error {
			_, err := c.svc.Users.ResetPassword(c.ctx(app.RoleAdmin), c.users[app.RoleNurse].ID, "a temporary password 7")
			return err
		}},
		{"Login", false, 2, func(c *clinic) error {
			_, err := c.svc.Users.Login(anon, "admin", adminPassword)
			return err
		}},
		{"ChangePassword", false, 1, func(c *clinic) error {
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
			// At the start of every hash the method makes (a login makes
			// two: the password's check and the unsealing of the
			// administrator's signing key), another connection takes the
			// write lock, which fails if the method holds it.
			var mu sync.Mutex
			var hashes int
			var lockErrs []error
			c.db.OnHash(func() {
				mu.Lock()
				defer mu.Unlock()
				hashes++
				if err := takeWriteLock(raw); err != nil {
					lockErrs = append(lockErrs, fmt.Errorf("hash %d: %w", hashes, err))
				}
			})
			if err := tc.run(c); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if hashes < tc.hashes {
				t.Fatalf("%d password hashes, want at least %d", hashes, tc.hashes)
			}
			if len(lockErrs) > 0 {
				t.Fatalf("another connection could not write while the password was hashed: %v", errors.Join(lockErrs...))
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
