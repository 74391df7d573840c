package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The administration screens in Greek, whose words run longest: every
// text reached the translation layer, and none is cut off or spills out
// of its widget. HMS_SCREENSHOTS=dir also saves what the window shows.

func TestAdminScreensInGreek(t *testing.T) {
	t.Run("Dashboard", func(t *testing.T) {
		inGreek(t)
		h := newDashHarness(t)
		s := h.openDashboard(app.RoleAdmin)
		h.waitFor("the figures", func() bool { return s.clinic.dash != nil })
		h.settle()
		checkScreenInGreek(t, h.harness, s.content, "dashboard")
	})
	t.Run("Settings", func(t *testing.T) {
		inGreek(t)
		h := newHarness(t)
		h.loginAs(user(app.RoleAdmin))
		h.u.win.Resize(fyne.NewSize(1280, 800))
		h.openArea(app.AreaSettings)
		s := h.u.main.settings
		h.waitFor("the settings", func() bool { return s.clinicName.Text != "" })
		h.settle()
		checkScreenInGreek(t, h, s.content, "settings")
	})
	t.Run("Staff", func(t *testing.T) {
		inGreek(t)
		h, s := staffHarness(t)
		h.u.win.Resize(fyne.NewSize(1280, 800))
		s.table.Select(widget.TableCellID{Row: 1, Col: 0})
		h.settle()
		if !strings.Contains(s.selection.Text, "Επιλογή:") {
			t.Errorf("selection %q is not in Greek", s.selection.Text)
		}
		if got := s.cell(0, 3); got != "Αναμένει έγκριση" {
			t.Errorf("status cell %q", got)
		}
		checkScreenInGreek(t, h, s.content, "staff")
	})
}

// inGreek makes the screens speak Greek for the test.
func inGreek(t *testing.T) {
	speakIn(t, i18n.Greek)
}

// checkScreenInGreek fails on a label or button of screen that shows an
// English text the Greek catalogue translates, or whose text needs more
// room than it has.
func checkScreenInGreek(t *testing.T, h *harness, screen fyne.CanvasObject, name string) {
	t.Helper()
	el := i18n.For(i18n.Greek)
	c := h.u.win.Canvas()
	check := func(kind, text string, o fyne.CanvasObject, cut bool) {
		if text == "" || !o.Visible() || o.Size().Width == 0 {
			return
		}
		if el.T(text) != text {
			t.Errorf("%s %q is shown in English", kind, text)
		}
		if cut && o.MinSize().Width > o.Size().Width+1 {
			t.Errorf("%s %q needs %.0f px and has %.0f", kind, text, o.MinSize().Width, o.Size().Width)
		}
	}
	walk(screen, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			check("label", w.Text, w, w.Truncation == fyne.TextTruncateOff && w.Wrapping == fyne.TextWrapOff)
		case *widget.Button:
			check("button", w.Text, w, true)
		case *widget.Check:
			check("check", w.Text, w, true)
		}
	})
	if dir := os.Getenv("HMS_SCREENSHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, name+"-el.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, c.Capture()); err != nil {
			t.Fatal(err)
		}
	}
}
