package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"hms/app"
)

// pressShortcut does what the window does with Ctrl and key: it runs the
// main menu's item of that shortcut, if any; false when there is none.
func pressShortcut(h *harness, key fyne.KeyName) bool {
	h.t.Helper()
	want := (&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}).ShortcutName()
	menu := h.u.win.MainMenu()
	if menu == nil {
		return false
	}
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == want {
				it.Action()
				h.settle()
				return true
			}
		}
	}
	return false
}

// TestDeskShortcuts: at the front desk Ctrl+F finds a patient, Ctrl+N
// registers one, Ctrl+B books, Ctrl+I takes a walk-in and Ctrl+T a
// payment, from whichever area is on view, each listed in the Desk menu
// with its keys; a role gets only the shortcuts of what it may do, and
// the lock screen has none.
func TestDeskShortcuts(t *testing.T) {
	d := newDeskHarness(t)
	d.serveBooking()
	d.loginAs(user(app.RoleReception))
	m := d.u.main
	if m.menu == nil || d.u.win.MainMenu() != m.menu {
		t.Fatal("no Desk menu after login")
	}
	if !pressShortcut(d.harness, fyne.KeyF) || m.current != app.AreaPatients || d.u.win.Canvas().Focused() != m.patients.query {
		t.Fatalf("Ctrl+F: area %q, focus %v", m.current, d.u.win.Canvas().Focused())
	}
	if !pressShortcut(d.harness, fyne.KeyN) || m.patients.form == nil {
		t.Fatal("Ctrl+N opened no register form")
	}
	d.u.clearOverlays()
	if !pressShortcut(d.harness, fyne.KeyB) || m.current != app.AreaAppointments {
		t.Fatalf("Ctrl+B: area %q", m.current)
	}
	d.waitFor("the board", func() bool { return m.appts.board.board != nil })
	d.waitFor("the booking dialog", func() bool { return m.appts.board.book != nil })
	d.u.clearOverlays()
	if !pressShortcut(d.harness, fyne.KeyI) || m.appts.board.walkIn == nil {
		t.Fatal("Ctrl+I opened no walk-in dialog")
	}
	d.u.clearOverlays()
	if !pressShortcut(d.harness, fyne.KeyT) || m.current != app.AreaBilling {
		t.Fatalf("Ctrl+T: area %q", m.current)
	}
	d.waitFor("the payment dialog", func() bool { return m.billing.invoices.pay != nil })

	// Locked: no menu, so no shortcut reaches the screens behind the lock.
	d.u.lockNow()
	if d.u.win.MainMenu() != nil || pressShortcut(d.harness, fyne.KeyB) {
		t.Error("the lock screen has the Desk menu")
	}
	d.u.unlockWork()
	if d.u.win.MainMenu() != m.menu {
		t.Error("no Desk menu after the unlock")
	}

	// Billing takes payments but neither books nor registers.
	b := newDeskHarness(t)
	b.loginAs(user(app.RoleBilling))
	if pressShortcut(b.harness, fyne.KeyB) || pressShortcut(b.harness, fyne.KeyN) {
		t.Error("billing was given the booking or register shortcut")
	}
	b.billing.FindInvoicesFn = func(context.Context, app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil }
	if !pressShortcut(b.harness, fyne.KeyT) {
		t.Error("billing has no Ctrl+T")
	}
	b.waitFor("the payment dialog", func() bool { return b.u.main.billing.invoices.pay != nil })
}
