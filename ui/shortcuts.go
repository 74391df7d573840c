package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"hms/app"
)

// deskShortcut is a keyboard shortcut of a common task of the front desk:
// Ctrl (Cmd on macOS) and a letter.
type deskShortcut struct {
	label string
	key   fyne.KeyName
	run   func()
}

// deskShortcuts are the shortcuts the user's role may use: find a patient
// (Ctrl+F), register one (Ctrl+N), book an appointment (Ctrl+B), take a
// walk-in (Ctrl+I), take a payment (Ctrl+T). Each opens its area and there
// the form, as its button would.
func (s *mainScreen) deskShortcuts() []deskShortcut {
	role := s.u.session.User.Role
	var out []deskShortcut
	if s.hasArea(app.AreaPatients) {
		out = append(out, deskShortcut{T("Find patient"), fyne.KeyF, func() {
			if s.goTo(app.AreaPatients) && s.patients != nil {
				s.u.win.Canvas().Focus(s.patients.query)
			}
		}})
	}
	if s.hasArea(app.AreaPatients) && app.Can(role, app.PermRegisterPatient) {
		out = append(out, deskShortcut{T("Register patient"), fyne.KeyN, func() {
			if s.goTo(app.AreaPatients) && s.patients != nil && s.patients.register != nil {
				s.patients.onRegister()
			}
		}})
	}
	if s.hasArea(app.AreaAppointments) && (app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermOwnSchedule)) {
		out = append(out, deskShortcut{T("Book appointment"), fyne.KeyB, func() {
			if !s.goTo(app.AreaAppointments) || s.appts == nil {
				return
			}
			if b := s.appts.board; b != nil && b.bookBtn != nil && s.appts.tabs.SelectedIndex() == 0 {
				b.onBook()
			} else if s.appts.day.bookBtn != nil {
				s.appts.day.onBook()
			}
		}})
	}
	if s.hasArea(app.AreaAppointments) && app.Can(role, app.PermManageAppointments) && role != app.RoleDoctor {
		out = append(out, deskShortcut{T("Walk-in"), fyne.KeyI, func() {
			if s.goTo(app.AreaAppointments) && s.appts != nil && s.appts.board != nil && s.appts.board.walkBtn != nil {
				s.appts.board.onWalkIn()
			}
		}})
	}
	if s.hasArea(app.AreaBilling) && app.Can(role, app.PermTakePayment) {
		out = append(out, deskShortcut{T("Take payment"), fyne.KeyT, func() {
			if s.goTo(app.AreaBilling) && s.billing != nil && s.billing.invoices.payBtn != nil {
				s.billing.tabs.SelectIndex(0)
				s.billing.invoices.onPay(nil)
			}
		}})
	}
	return out
}

// deskMenu is the window's Desk menu: the shortcuts, each with its keys
// shown beside it. The menu's shortcuts work wherever the focus is, in an
// entry too.
func (s *mainScreen) deskMenu() *fyne.MainMenu {
	shortcuts := s.deskShortcuts()
	if len(shortcuts) == 0 && !s.u.mayDisplay() {
		return nil
	}
	var items []*fyne.MenuItem
	for _, sc := range shortcuts {
		run := sc.run
		item := fyne.NewMenuItem(sc.label+"…", func() {
			if s.u.main != s || s.u.locked || s.u.session == nil {
				return // a menu left over from a screen no longer shown
			}
			s.u.touch()
			run()
		})
		item.Shortcut = &desktop.CustomShortcut{KeyName: sc.key, Modifier: fyne.KeyModifierShortcutDefault}
		items = append(items, item)
	}
	if s.u.mayDisplay() {
		items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(T("Waiting-room display"), func() {
			if s.u.main != s || s.u.locked || s.u.session == nil {
				return
			}
			s.u.openDisplay()
		}))
	}
	return fyne.NewMainMenu(fyne.NewMenu(T("Desk"), items...))
}

func (s *mainScreen) hasArea(a app.Area) bool {
	for _, x := range s.areas {
		if x == a {
			return true
		}
	}
	return false
}

// goTo shows area a, selected in the navigation, unless it is on view;
// false when the user has no such area.
func (s *mainScreen) goTo(a app.Area) bool {
	for i, x := range s.areas {
		if x != a {
			continue
		}
		if s.current != a {
			s.nav.Select(i)
			if s.current != a {
				s.showArea(a)
			}
		}
		return true
	}
	return false
}
