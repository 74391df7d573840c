package ui

import (
	"context"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// loginScreen asks for a username and password, and leads to the two
// registration forms.
type loginScreen struct {
	u *UI

	username        *escEntry
	password        *escEntry
	loginBtn        *widget.Button
	registerStaff   *widget.Button
	registerPatient *widget.Button
	message         *widget.Label // why the login failed
	info            *widget.Label // news from a previous screen (setup done, registered)
	language        *escSelect    // the language of this window, and of this desk's next one

	content fyne.CanvasObject
}

func newLoginScreen(u *UI) *loginScreen {
	s := &loginScreen{u: u}
	s.buildUI()
	return s
}

func (s *loginScreen) buildUI() {
	s.username = entry(T("Username"))
	s.password = passwordEntry(T("Password"))
	s.username.OnSubmitted = func(string) { s.onLogin() }
	s.password.OnSubmitted = func(string) { s.onLogin() }
	s.loginBtn = widget.NewButton(T("Log in"), s.onLogin)
	s.loginBtn.Importance = widget.HighImportance
	s.registerStaff = widget.NewButton(T("Register as staff"), s.u.showStaffRegistration)
	s.registerStaff.Importance = widget.LowImportance
	s.registerPatient = widget.NewButton(T("Register as patient"), s.u.showPatientRegistration)
	s.registerPatient.Importance = widget.LowImportance
	s.message = newErrorLabel()
	s.info = widget.NewLabel("")
	s.info.Wrapping = fyne.TextWrapWord
	s.info.Importance = widget.SuccessImportance
	s.info.Hide()

	form := widget.NewForm(
		widget.NewFormItem(T("Username"), s.username),
		widget.NewFormItem(T("Password"), s.password),
	)
	s.language = newLanguageSelect(s.u.deskLanguage(), s.u.switchLoginLanguage)
	box := container.NewVBox(
		s.info,
		form,
		s.message,
		container.NewHBox(layout.NewSpacer(), s.loginBtn),
		widget.NewSeparator(),
		container.NewHBox(widget.NewLabel(T("New here?")), s.registerStaff, s.registerPatient),
		container.NewHBox(layout.NewSpacer(), widget.NewLabel(T("Language")), s.language),
	)
	if s.u.opt.DBPath != "" {
		db := widget.NewLabel(Tf("Database: %s", s.u.opt.DBPath))
		db.Importance = widget.LowImportance
		db.Truncation = fyne.TextTruncateEllipsis
		box.Add(db)
	}
	s.content = centredCard(s.u.opt.Title, T("Log in to continue."), 460, box)
}

// setInfo shows a note above the form.
func (s *loginScreen) setInfo(msg string) {
	s.info.SetText(msg)
	s.info.Show()
}

func (s *loginScreen) setMessage(msg string) {
	s.message.SetText(msg)
	s.message.Show()
}

type loginResult struct {
	session  *app.Session
	settings *app.Settings
}

func (s *loginScreen) onLogin() {
	s.message.Hide()
	username, password := s.username.Text, s.password.Text
	if username == "" || password == "" {
		s.setMessage(T("Enter your username and password."))
		return
	}
	s.loginBtn.Disable()
	background(s.u, func(ctx context.Context) (loginResult, error) {
		sess, err := s.u.svc.Users.Login(ctx, username, password)
		if err != nil {
			return loginResult{}, err
		}
		if sess == nil || sess.User == nil {
			return loginResult{}, app.Errorf(app.EINTERNAL, "login returned no session")
		}
		st, err := s.u.svc.Settings.GetSettings(app.NewContextWithCaller(ctx, sess.Caller()))
		if err != nil {
			// The main window works without them: default title and auto-lock.
			log.Printf("ui: reading settings after login: %v", err)
			st = nil
		}
		return loginResult{session: sess, settings: st}, nil
	}, func(r loginResult, err error) {
		s.loginBtn.Enable()
		if err != nil {
			if app.ErrorCode(err) == app.EINTERNAL {
				log.Printf("ui: login: %v", err)
			}
			s.password.SetText("")
			s.setMessage(errText(err))
			return
		}
		s.u.startSession(r.session, r.settings)
	})
}

// showLogin shows the login screen, forgetting any session.
func (u *UI) showLogin() {
	u.closeDisplay()
	u.dropScreens()
	u.session, u.settings, u.locked = nil, nil, false
	applyLanguage(u.deskLanguage())
	u.login = newLoginScreen(u)
	u.setContent(u.login.content)
	u.win.Canvas().Focus(u.login.username)
}

// startSession begins the work of a logged-in user: a forced password change
// first when an admin reset the password, else the main window.
func (u *UI) startSession(sess *app.Session, st *app.Settings) {
	u.session, u.settings, u.locked = sess, st, false
	// The screens speak the user's language from here on, and the next
	// login window on this desk too.
	u.useLanguage(u.sessionLanguage())
	u.touch()
	u.enter()
	u.offerDrafts()
}

// enter shows what a logged-in user sees first, after login or unlock.
func (u *UI) enter() {
	if u.session.MustChangePassword || u.session.User.MustChangePassword {
		u.showForcedPasswordChange()
		return
	}
	u.showMain()
}

// switchLoginLanguage rebuilds the login window in l, keeping what was
// typed and shown, and makes l this desk's language.
func (u *UI) switchLoginLanguage(l i18n.Lang) {
	if u.login == nil || l == u.deskLanguage() {
		return
	}
	old := u.login
	u.useLanguage(l)
	u.login = newLoginScreen(u)
	u.login.username.SetText(old.username.Text)
	u.login.password.SetText(old.password.Text)
	u.setContent(u.login.content)
}

// logout ends the session and returns to the login window.
func (u *UI) logout() {
	u.showLogin()
}

// sessionEnded returns to the login window after a service call found the
// session ended, saying why, with the account's username filled in.
func (u *UI) sessionEnded(err error) {
	username := ""
	if u.session != nil && u.session.User != nil {
		username = u.session.User.Username
	}
	u.showLoginFor(username, errText(err))
}

// showLoginFor shows the login window with the username filled in and a
// note above it, after an account was made.
func (u *UI) showLoginFor(username, info string) {
	u.showLogin()
	u.login.username.SetText(username)
	u.login.setInfo(info)
}

// accountName is the username of a new account: as the service saved it,
// or as typed (normalized) when the service returned none.
func accountName(usr *app.User, typed string) string {
	if usr != nil {
		return usr.Username
	}
	return app.NormalizeUsername(typed)
}
