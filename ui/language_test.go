package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// untranslatedOnScreen lists the texts on the window that are English
// although l's catalogue translates them: text that did not reach the
// translation layer.
func untranslatedOnScreen(w fyne.Window, l i18n.Lang) []string {
	t := i18n.For(l)
	var out []string
	each := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && l != i18n.English && t.Has(s) && t.T(s) != s {
			out = append(out, s)
		}
	}
	c := w.Canvas()
	for _, tree := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		walk(tree, func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *canvas.Text:
				each(x.Text)
			case *widget.Label:
				each(x.Text)
			case *widget.Button:
				each(x.Text)
			case *escButton:
				each(x.Text)
			case *escEntry:
				each(x.PlaceHolder)
			case *escSelect:
				each(x.PlaceHolder)
				each(x.Selected)
			}
		})
	}
	return out
}

// cutOffLabels lists the labels on the window whose text is wider than
// the label: cut off, or shortened with an ellipsis.
func cutOffLabels(w fyne.Window) []string {
	var out []string
	c := w.Canvas()
	for _, tree := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		walk(tree, func(o fyne.CanvasObject) {
			l, ok := o.(*widget.Label)
			if !ok || !l.Visible() || l.Text == "" || l.Wrapping != fyne.TextWrapOff || l.Size().Width == 0 {
				return
			}
			widest := float32(0)
			for _, line := range strings.Split(l.Text, "\n") {
				widest = max(widest, fyne.MeasureText(line, theme.TextSize(), l.TextStyle).Width)
			}
			if room := l.Size().Width - 2*theme.InnerPadding(); widest > room+1 {
				out = append(out, fmt.Sprintf("%q (%.0f wide in %.0f)", l.Text, widest, room))
			}
		})
	}
	return out
}

// TestScreensSpeakTheLanguage logs in through the login screen in each
// language (the desk's last language on the login window, the clinic's
// after the login) and opens a patient's chart: no text that has a
// translation is left in English, and no label is cut off.
func TestScreensSpeakTheLanguage(t *testing.T) {
	t.Cleanup(func() { applyLanguage(i18n.English) })
	for _, l := range i18n.Languages() {
		t.Run(string(l), func(t *testing.T) {
			h := newClinicHarness(t)
			h.a.Preferences().SetString(prefScreenLanguage, string(l))
			h.settings.GetSettingsFn = func(ctx context.Context) (*app.Settings, error) {
				s := clinicSettings()
				s.ScreenLanguage = l
				return s, nil
			}
			h.u.win.Resize(fyne.NewSize(1280, 800))
			h.u.Start()
			if got := h.u.login.loginBtn.Text; got != i18n.For(l).T("Log in") {
				t.Errorf("the login button says %q", got)
			}
			for _, s := range untranslatedOnScreen(h.u.win, l) {
				t.Errorf("login: %q is shown in English", s)
			}
			for _, s := range cutOffLabels(h.u.win) {
				t.Errorf("login: %s is cut off", s)
			}
			h.u.dropScreens() // openChartOf starts the UI again
			c := h.openChartOf(app.RoleDoctor)
			h.settle()
			if tr().Lang() != l {
				t.Fatalf("the screens speak %s after the login, want the clinic's %s", tr().Lang(), l)
			}
			if want := i18n.For(l).T("Summary"); c.tabs.Items[0].Text != want {
				t.Errorf("the chart's first tab is %q, want %q", c.tabs.Items[0].Text, want)
			}
			for _, s := range untranslatedOnScreen(h.u.win, l) {
				t.Errorf("chart: %q is shown in English", s)
			}
			for _, s := range cutOffLabels(h.u.win) {
				t.Errorf("chart: %s is cut off", s)
			}
			// Fyne's own strings follow: an entry's menu offers Copy in l.
			if got := lang.L("Copy"); got != i18n.For(l).T("Copy") {
				t.Errorf("Fyne's Copy is %q", got)
			}
		})
	}
}

// TestLanguageChoice: the login window speaks the desk's last language
// and changes it with its choice (remembered for the next login window);
// a user's own choice in the top bar is saved through SetLanguage with
// their own id, and the screens are rebuilt in it.
func TestLanguageChoice(t *testing.T) {
	t.Cleanup(func() { applyLanguage(i18n.English) })
	h := newHarness(t)
	h.u.Start()
	if h.u.login.loginBtn.Text != "Log in" {
		t.Fatalf("a new desk's login window says %q", h.u.login.loginBtn.Text)
	}
	test.Type(h.u.login.username, "nurse1")
	h.u.login.language.SetSelected(i18n.Spanish.Name())
	if got := h.u.login.loginBtn.Text; got != "Iniciar sesión" {
		t.Errorf("after choosing Español the login button says %q", got)
	}
	if h.u.login.username.Text != "nurse1" {
		t.Errorf("the typed username was lost: %q", h.u.login.username.Text)
	}
	if got := h.a.Preferences().String(prefScreenLanguage); got != "es" {
		t.Errorf("the desk's language is %q, want es", got)
	}
	h.u.showLogin()
	if got := h.u.login.loginBtn.Text; got != "Iniciar sesión" {
		t.Errorf("the next login window says %q: the desk forgot its language", got)
	}

	// A nurse with no language of her own, in an English clinic: English,
	// until she chooses Greek for herself.
	nurse := user(app.RoleNurse)
	h.users.SetLanguageFn = func(ctx context.Context, id, language string, was *app.User) (*app.User, error) {
		h.record("SetLanguage", ctx, id+":"+language)
		if was == nil || was.ID != id {
			t.Errorf("SetLanguage's account as shown: %+v", was)
		}
		u := *nurse
		u.Language = i18n.Lang(language)
		return &u, nil
	}
	h.u.dropScreens()
	h.loginAs(nurse)
	if tr().Lang() != i18n.English {
		t.Fatalf("the nurse's screens speak %s, want the clinic's English", tr().Lang())
	}
	if got := h.a.Preferences().String(prefScreenLanguage); got != "en" {
		t.Errorf("after the login the desk's language is %q, want the user's en", got)
	}
	h.u.main.language.SetSelected(i18n.Greek.Name())
	h.waitFor("the language change", func() bool { return h.called("SetLanguage") == 1 })
	h.settle()
	if got := h.callsOf("SetLanguage"); got[0] != nurse.ID+":el" {
		t.Errorf("SetLanguage(%v), want the nurse's own id and el", got[0])
	}
	if tr().Lang() != i18n.Greek || h.u.main.logout.Text != "Αποσύνδεση" {
		t.Errorf("after choosing Greek: %s, Log out says %q", tr().Lang(), h.u.main.logout.Text)
	}
	if got := h.a.Preferences().String(prefScreenLanguage); got != "el" {
		t.Errorf("the desk's language is %q, want el", got)
	}
	// Logging out leaves the login window in the last language used here.
	h.u.logout()
	if got := h.u.login.loginBtn.Text; got != "Σύνδεση" {
		t.Errorf("the login window after the logout says %q", got)
	}
}
