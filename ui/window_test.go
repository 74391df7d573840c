package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

func TestNavigation(t *testing.T) {
	for _, role := range app.Roles {
		t.Run(string(role), func(t *testing.T) {
			h := newHarness(t)
			h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
				return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper"}, nil
			}
			h.users.FindUsersFn = func(context.Context, app.UserFilter) ([]*app.User, error) { return nil, nil }
			h.loginAs(user(role))
			m := h.u.main
			want := app.AreasFor(role)
			if !slices.Equal(m.areas, want) || m.nav.Length() != len(want) {
				t.Fatalf("navigation = %v (%d rows), want %v", m.areas, m.nav.Length(), want)
			}
			// A doctor lands on their day; the others on their first area.
			first := want[0]
			if role == app.RoleDoctor {
				first = app.AreaAppointments
			}
			if m.current != first {
				t.Errorf("first area shown = %q, want %q", m.current, first)
			}
			adminOnly := []app.Area{app.AreaStaff, app.AreaSettings, app.AreaAudit}
			for _, a := range m.areas {
				if role != app.RoleAdmin && slices.Contains(adminOnly, a) {
					t.Errorf("%s sees the admin area %s", role, a)
				}
				if role != app.RolePatient && a == app.AreaMyRecord {
					t.Errorf("%s sees %s", role, a)
				}
			}
			switch role {
			case app.RolePatient:
				if !slices.Equal(m.areas, []app.Area{app.AreaMyRecord}) {
					t.Errorf("patient navigation = %v, want only My record", m.areas)
				}
			case app.RoleBilling:
				// Billing may look patients up (to bill them) but has no
				// clinical area and no record of its own.
				for _, a := range m.areas {
					if a == app.AreaMyRecord {
						t.Errorf("billing sees %s", a)
					}
				}
				if !app.Can(role, app.PermViewPatient) || app.Can(role, app.PermViewClinical) {
					t.Error("billing permissions changed; revisit this test")
				}
			case app.RoleAdmin:
				if !slices.Contains(m.areas, app.AreaStaff) || !slices.Contains(m.areas, app.AreaAudit) {
					t.Errorf("admin navigation = %v", m.areas)
				}
			}
		})
	}

	t.Run("Billing", func(t *testing.T) {
		h := newHarness(t)
		h.u.svc.Billing = &mock.BillingService{
			FindInvoicesFn: func(context.Context, app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil },
		}
		h.loginAs(user(app.RoleBilling))
		h.openArea(app.AreaBilling)
		if h.u.main.billing == nil {
			t.Fatal("the Billing area does not open its screen")
		}
	})

	t.Run("LogOut", func(t *testing.T) {
		h := newHarness(t)
		h.loginAs(user(app.RoleReception))
		test.Tap(h.u.main.logout)
		if h.u.login == nil || h.u.session != nil || h.u.main != nil {
			t.Error("Log out did not return to the login and forget the session")
		}
		if h.u.win.Title() != "HMS" {
			t.Errorf("title after logout = %q", h.u.win.Title())
		}
	})
}

func TestMyRecord(t *testing.T) {
	h := newHarness(t)
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		if c, _ := app.CallerFromContext(ctx); c.PatientID != id {
			t.Errorf("caller %+v asks for patient %s", c, id)
		}
		return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper",
			Sex: app.SexFemale, BirthDate: "1956-12-09", Phone: "+30 690 0000000", Email: "grace@example.org", Address: "2 Hill St"}, nil
	}
	h.loginAs(user(app.RolePatient))
	r := h.u.main.record
	h.waitFor("the record", func() bool { return r.mrn.Text != "" })
	if got := h.callsOf("FindPatientByID"); len(got) != 1 || got[0] != "p-42" {
		t.Errorf("FindPatientByID calls = %v", got)
	}
	for w, want := range map[string]string{
		r.mrn.Text: "P-D1-000042", r.name.Text: "Grace Hopper", r.sex.Text: "Female", r.birthDate.Text: "1956-12-09",
		r.phone.Text: "+30 690 0000000", r.email.Text: "grace@example.org", r.address.Text: "2 Hill St",
	} {
		if w != want {
			t.Errorf("shows %q, want %q", w, want)
		}
	}
}
