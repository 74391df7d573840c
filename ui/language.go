package ui

// The language the screens speak, and who chooses it: the logged-in
// user's own language (app.User.Language), else the clinic's default
// (Settings → Clinic), else English; the login window speaks the language
// last used on this desk (a desk preference) and offers a choice of its own.
//
// Fyne's own text (the entries' Cut/Copy/Paste menu, its file dialog, its
// Yes/No/OK buttons) comes from Fyne's lang package, which follows the
// system's locale only: applyLanguage feeds it our translations of those
// strings under the system's locale, so they follow the screens' language
// too.

import (
	"context"
	"encoding/json"
	"log"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"hms/app"
	"hms/app/i18n"
)

// prefScreenLanguage is the Preferences key of the language the login
// window of this desk speaks: the last one used here.
const prefScreenLanguage = "screen_language"

// fyneStrings are the strings of Fyne's own widgets HMS shows, by Fyne's
// keys (its lang package's English text).
var fyneStrings = []string{
	i18n.N("Advanced"), i18n.N("Cancel"), i18n.N("Confirm"), i18n.N("Copy"), i18n.N("Create Folder"), i18n.N("Cut"),
	i18n.N("Enter filename"), i18n.N("Error"), i18n.N("Favourites"), i18n.N("File"), i18n.N("Folder"),
	i18n.N("New Folder"), i18n.N("No"), i18n.N("OK"), i18n.N("Open"), i18n.N("Paste"), i18n.N("Quit"),
	i18n.N("Redo"), i18n.N("Save"), i18n.N("Select all"), i18n.N("Show Hidden Files"), i18n.N("Undo"),
	i18n.N("Yes"),
}

// The areas' names and the roles' labels, which app keeps in English.
var (
	_ = []string{i18n.N("Patients"), i18n.N("Appointments"), i18n.N("Billing"), i18n.N("Dashboard"), i18n.N("Staff"),
		i18n.N("Settings"), i18n.N("Audit"), i18n.N("My record")}
	_ = []string{i18n.N("Administrator"), i18n.N("Doctor"), i18n.N("Nurse"), i18n.N("Receptionist"),
		i18n.N("Billing clerk"), i18n.N("Patient")}
)

// fyneKeyed are Fyne's strings kept under a key of their own.
var fyneKeyed = map[string]string{"file.name": i18n.N("Name"), "file.parent": i18n.N("Parent")}

// fyneTranslations is the translation file Fyne's lang package reads for
// the language t speaks.
func fyneTranslations(t *i18n.Tr) []byte {
	m := map[string]any{}
	for _, s := range fyneStrings {
		m[s] = t.T(s)
	}
	for k, s := range fyneKeyed {
		m[k] = map[string]string{"other": t.T(s)}
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		key := strings.ToLower(d.String())
		m[key] = t.Weekday(d)
		m[key+".short"] = t.WeekdayShort(d)
	}
	b, _ := json.Marshal(m)
	return b
}

// systemLocale is the locale Fyne's lang package speaks: the system's,
// looked up once.
var (
	systemLocale     fyne.Locale
	systemLocaleOnce sync.Once
)

// applyLanguage makes l the screens' language, Fyne's own text included.
// Screens built after it speak l.
func applyLanguage(l i18n.Lang) {
	setScreenLanguage(l)
	systemLocaleOnce.Do(func() { systemLocale = lang.SystemLocale() })
	if err := lang.AddTranslationsForLocale(fyneTranslations(tr()), systemLocale); err != nil {
		log.Printf("ui: Fyne's translations: %v", err)
	}
}

// deskLanguage is the language last used on this desk, English at first.
func (u *UI) deskLanguage() i18n.Lang {
	if l, err := i18n.Parse(u.fyneApp.Preferences().String(prefScreenLanguage)); err == nil {
		return l
	}
	return i18n.English
}

// useLanguage makes l the screens' language and this desk's for its next
// login window.
func (u *UI) useLanguage(l i18n.Lang) {
	applyLanguage(l)
	u.fyneApp.Preferences().SetString(prefScreenLanguage, string(l))
}

// sessionLanguage is the language of the logged-in user's screens.
func (u *UI) sessionLanguage() i18n.Lang {
	if u.session == nil {
		return u.deskLanguage()
	}
	return app.ScreenLanguage(u.session.User, u.settings)
}

// languageNames are the choices of a language select, each language in
// its own name, and the language of each.
func languageNames() ([]string, map[string]i18n.Lang) {
	var names []string
	by := map[string]i18n.Lang{}
	for _, l := range i18n.Languages() {
		names = append(names, l.Name())
		by[l.Name()] = l
	}
	return names, by
}

// newLanguageSelect is a choice of language showing current; changed gets
// the chosen language.
func newLanguageSelect(current i18n.Lang, changed func(i18n.Lang)) *escSelect {
	names, by := languageNames()
	sel := newSelect(names, nil)
	sel.SetSelected(current.Name())
	sel.OnChanged = func(name string) {
		if l, ok := by[name]; ok {
			changed(l)
		}
	}
	return sel
}

// setOwnLanguage saves the logged-in user's own language and rebuilds the
// screens in it.
func (u *UI) setOwnLanguage(l i18n.Lang) {
	if u.session == nil || l == u.sessionLanguage() && u.session.User.Language != "" {
		return
	}
	id, was := u.session.User.ID, *u.session.User // the account as this screen knows it
	callThen(u, func(ctx context.Context) (*app.User, error) {
		return u.svc.Users.SetLanguage(ctx, id, string(l), &was)
	}, func(usr *app.User) {
		if usr != nil {
			u.session.User.Language = usr.Language
		} else {
			u.session.User.Language = l
		}
		u.useLanguage(u.sessionLanguage())
		u.showMain()
	})
}

// chosenLanguage is the language a language select shows by name; empty
// for none.
func chosenLanguage(name string) i18n.Lang {
	_, by := languageNames()
	return by[name]
}
