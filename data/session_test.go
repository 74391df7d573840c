package data_test

import (
	"context"
	"strings"
	"testing"

	"hms/app"
)

// Sessions follow the account: a session opened before an administrator
// deactivated the account, changed its role or set its password fails at
// its next call, read or write, with ESESSION and a message saying why;
// the account's own password change keeps its session.
func TestStaleSession(t *testing.T) {
	login := func(t *testing.T, c *clinic, username, password string) context.Context {
		t.Helper()
		s, err := c.svc.Users.Login(anon, username, password)
		if err != nil {
			t.Fatal(err)
		}
		return as(s.Caller())
	}
	endedWith := func(t *testing.T, err error, words string) {
		t.Helper()
		if code(err) != app.ESESSION || !strings.Contains(app.ErrorMessage(err), words) {
			t.Fatalf("got %v, want the session ended (%q)", err, words)
		}
	}
	t.Run("Deactivated", func(t *testing.T) {
		c := mustSetup(t)
		nurse := login(t, c, "nurse1", "a long staff password nurse")
		pid := c.patient2.PatientID
		if _, err := c.svc.Patients.FindPatients(nurse, app.PatientFilter{Query: "papa"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Users.DeactivateUser(c.ctx(app.RoleAdmin), c.users[app.RoleNurse].ID, nil); err != nil {
			t.Fatal(err)
		}
		before := auditCount(t, c.db)
		_, err := c.svc.Patients.FindPatients(nurse, app.PatientFilter{Query: "papa"})
		endedWith(t, err, "deactivated")
		_, err = c.svc.Clinical.GetChart(nurse, pid)
		endedWith(t, err, "deactivated")
		_, err = c.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: pid, Pulse: 70})
		endedWith(t, err, "deactivated")
		if n := auditCount(t, c.db) - before; n != 0 {
			t.Errorf("a dead session's calls wrote %d audit rows", n)
		}
	})
	t.Run("Demoted", func(t *testing.T) {
		c := mustSetup(t)
		doctor := login(t, c, "doctor1", "a long staff password doctor")
		pid := c.patient2.PatientID
		if _, err := c.svc.Users.ChangeRole(c.ctx(app.RoleAdmin), c.users[app.RoleDoctor].ID, app.RoleBilling, nil); err != nil {
			t.Fatal(err)
		}
		_, err := c.svc.Clinical.AddNote(doctor, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Text: "Still here."})
		endedWith(t, err, "billing clerk")
		_, err = c.svc.Clinical.Prescribe(doctor, app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{
			{Drug: "Amoxicillin", Strength: "500 mg", Dose: "1 capsule", Route: "oral", Frequency: "three times a day"}}})
		endedWith(t, err, "billing clerk")
		// Logged in again, the account works as what it is now.
		billing := login(t, c, "doctor1", "a long staff password doctor")
		if _, err := c.svc.Billing.FindInvoices(billing, app.InvoiceFilter{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PasswordReset", func(t *testing.T) {
		c := mustSetup(t)
		doctor := login(t, c, "doctor1", "a long staff password doctor")
		if _, err := c.svc.Users.ResetPassword(c.ctx(app.RoleAdmin), c.users[app.RoleDoctor].ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		_, err := c.svc.Patients.FindPatients(doctor, app.PatientFilter{Query: "papa"})
		endedWith(t, err, "new password")
		// The new login changes the password it was given and keeps its
		// session: the person changing it holds it.
		fresh := login(t, c, "doctor1", "a brand new password")
		if err := c.svc.Users.ChangePassword(fresh, "a brand new password", "the doctor's own new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Patients.FindPatients(fresh, app.PatientFilter{Query: "papa"}); err != nil {
			t.Fatalf("the own password change ended the session: %v", err)
		}
	})
}

// TestEveryMethodEndsDeadSession: every method of the role matrix that
// needs a login, called in the session of an account deactivated since,
// fails with ESESSION: no read or write of the services skips the check.
func TestEveryMethodEndsDeadSession(t *testing.T) {
	for name, m := range matrix {
		if m.public || len(m.allowed) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := mustSetup(t)
			admin := c.ctx(app.RoleAdmin)
			// A staff role is tried with a second account of it, so that
			// the fixture's own accounts make the records a call needs; a
			// patient with the fixture's patient, whose record it is.
			role := m.allowed[0]
			for _, r := range m.allowed {
				if r != app.RolePatient {
					role = r
					break
				}
			}
			u := c.users[role]
			if role != app.RolePatient {
				var err error
				if u, err = c.svc.Users.CreateUser(admin, app.UserCreate{Username: string(role) + "2",
					FullName: "Second " + string(role), Role: role, Password: "a long enough password"}); err != nil {
					t.Fatal(err)
				}
			}
			ctx := as(callerOf(u))
			if _, err := c.svc.Users.DeactivateUser(admin, u.ID, nil); err != nil {
				t.Fatal(err)
			}
			if err := m.do(ctx, c); code(err) != app.ESESSION {
				t.Errorf("as a deactivated %s: %v, want the session ended", role, err)
			}
		})
	}
}

// TestFailedLoginAuditNamesOnlyAccounts: a failed login names the account
// in the audit log only when the username is an existing account's; any
// other text typed in the username box (often the password, typed in the
// wrong box) is never stored: the row says "unknown username".
func TestFailedLoginAuditNamesOnlyAccounts(t *testing.T) {
	c := mustSetup(t)
	typed := "Correct-Horse-Battery-9"
	if _, err := c.svc.Users.Login(anon, typed, "whatever"); code(err) != app.EINVALID {
		t.Fatalf("login: %v", err)
	}
	e := lastAudit(t, c)
	if e.Action != "user.login" || e.Outcome != app.OutcomeFailed || e.Detail != "unknown username" ||
		strings.Contains(strings.ToLower(e.Username+e.Detail+e.EntityID), strings.ToLower(typed)) {
		t.Errorf("audit row %+v", e)
	}
	if _, err := c.svc.Users.Login(anon, "Doctor1", "not the password"); code(err) != app.EINVALID {
		t.Fatalf("login: %v", err)
	}
	if e := lastAudit(t, c); e.Username != "doctor1" || e.EntityID != c.users[app.RoleDoctor].ID {
		t.Errorf("a known account's failed login: %+v", e)
	}
}
