package ui

// Text that stayed English on Greek screens: the Staff screen's role
// choice, backup check lines, the sync error, report rows, the default
// wording of letters.

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The Staff screen's role choice is in the screen's language, and a
// role chosen in Greek is the role given.
func TestStaffRolesInGreek(t *testing.T) {
	inGreek(t)
	h, s := staffHarness(t)
	h.users.ChangeRoleFn = func(ctx context.Context, id string, r app.Role) (*app.User, error) {
		h.record("ChangeRole", ctx, id+":"+string(r))
		return &app.User{ID: id}, nil
	}
	if !slices.Contains(s.role.Options, "Ιατρός") || slices.Contains(s.role.Options, "Doctor") {
		t.Fatalf("role options %q, want Greek", s.role.Options)
	}
	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	s.role.SetSelected("Υπάλληλος υποδοχής")
	test.Tap(s.applyRole)
	h.waitFor("the role change", func() bool { return h.called("ChangeRole") == 1 })
	if got := h.callsOf("ChangeRole")[0]; got != "u-a:reception" {
		t.Errorf("ChangeRole got %v", got)
	}
	if got := roleOf(i18n.For(i18n.Greek).T("Billing clerk")); got != app.RoleBilling {
		t.Errorf("roleOf(Greek billing clerk) = %q", got)
	}
}
