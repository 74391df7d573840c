package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// setupScreen is the first run: the clinic's settings and its first admin.
type setupScreen struct {
	u *UI

	clinicName *escEntry
	address    *escEntry
	phone      *escEntry
	timeZone   *escSelectEntry
	currency   *escSelect
	username   *escEntry
	fullName   *escEntry
	password   *escEntry
	confirm    *escEntry
	save       *widget.Button
	errs       fieldErrors

	// Joining a clinic that syncs: the server's address and password.
	joinServer   *escEntry
	joinPassword *escEntry
	join         *widget.Button
	joinInfo     *widget.Label
	joinErrs     fieldErrors

	content fyne.CanvasObject
}

func newSetupScreen(u *UI) *setupScreen {
	s := &setupScreen{u: u, errs: fieldErrors{}, joinErrs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *setupScreen) buildUI() {
	s.clinicName = entry(T("e.g. Riverside Family Clinic"))
	s.address = multiLineEntry()
	s.address.SetMinRowsVisible(2)
	s.phone = entry(T("e.g. +30 210 1234567"))
	s.timeZone = newSelectEntry(timeZoneOptions())
	s.timeZone.SetPlaceHolder(T("e.g. Europe/Athens"))
	s.timeZone.SetText(machineTimeZone())
	s.currency = newSelect(currencyCodes(), nil)
	s.currency.PlaceHolder = T("Choose the currency")
	s.username = entry(T("e.g. admin"))
	s.fullName = entry(T("Your full name"))
	s.password = passwordEntry(T("At least 12 characters"))
	s.confirm = passwordEntry(T("The same password again"))
	s.confirm.OnSubmitted = func(string) { s.onSave() }
	s.save = widget.NewButton(T("Set up the clinic"), s.onSave)
	s.save.Importance = widget.HighImportance

	heading := func(text string) *widget.FormItem {
		return widget.NewFormItem("", widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	// One form, so both parts line their labels up.
	form := widget.NewForm(
		heading(T("Clinic")),
		widget.NewFormItem(T("Clinic name"), s.errs.add("clinic_name", s.clinicName)),
		widget.NewFormItem(T("Address"), s.errs.add("address", s.address)),
		widget.NewFormItem(T("Phone"), s.errs.add("phone", s.phone)),
		widget.NewFormItem(T("Time zone"), s.errs.add("time_zone", s.timeZone)),
		widget.NewFormItem(T("Currency"), s.errs.add("currency", s.currency)),
		heading(T("First administrator")),
		widget.NewFormItem(T("Username"), s.errs.add("username", s.username)),
		widget.NewFormItem(T("Full name"), s.errs.add("full_name", s.fullName)),
		widget.NewFormItem(T("Password"), s.errs.add("password", s.password)),
		widget.NewFormItem(T("Confirm password"), s.errs.add("confirm", s.confirm)),
	)
	s.errs.alias("admin_username", "username")
	s.errs.alias("admin_full_name", "full_name")
	s.errs.alias("admin_password", "password")
	// A desk of a clinic that already syncs joins its server instead, and
	// downloads the clinic with its accounts.
	s.joinServer = entry(serverPlaceholder)
	s.joinPassword = passwordEntry(T("The password of that server login"))
	s.joinPassword.OnSubmitted = func(string) { s.onJoin() }
	s.join = widget.NewButton(T("Join and download the clinic"), s.onJoin)
	s.joinInfo = widget.NewLabel("")
	s.joinInfo.Wrapping = fyne.TextWrapWord
	s.joinInfo.Hide()
	joinForm := widget.NewForm(
		widget.NewFormItem(T("Server"), s.joinErrs.add("server", s.joinServer)),
		widget.NewFormItem(T("Password"), s.joinPassword),
	)
	joinCard := widget.NewCard("", T("Or join a clinic whose other desks sync through a server"),
		container.NewVBox(joinForm, s.joinInfo, container.NewHBox(layout.NewSpacer(), s.join)))
	s.content = centredCard(T("Welcome to HMS"), T("Set up your clinic and its first administrator."), 620,
		container.NewVBox(form, container.NewHBox(layout.NewSpacer(), s.save), joinCard))
}

// onJoin enrolls this new desk with its clinic's server and downloads the
// clinic, accounts included; then whoever works here logs in.
func (s *setupScreen) onJoin() {
	s.joinErrs.clear()
	u, err := serverURL(s.joinServer.Text, s.joinPassword.Text)
	if err != nil {
		s.joinErrs.show(err, s.u.win)
		return
	}
	s.join.Disable()
	s.save.Disable()
	s.joinInfo.SetText(T("Joining the server and downloading the clinic…"))
	s.joinInfo.Show()
	background(s.u, func(ctx context.Context) (*app.SyncStatus, error) {
		// A join whose download failed half way enrolled the desk: go on.
		st, err := s.u.svc.Sync.SyncStatus(ctx)
		if err != nil {
			return nil, err
		}
		if !st.Enrolled {
			if st, err = s.u.svc.Sync.EnrollDesk(ctx, u); err != nil {
				return nil, err
			}
		}
		if _, err := s.u.svc.Sync.SyncNow(ctx); err != nil {
			return nil, err
		}
		return st, nil
	}, func(st *app.SyncStatus, err error) {
		s.join.Enable()
		s.save.Enable()
		s.joinInfo.Hide()
		if err != nil {
			s.joinErrs.show(err, s.u.win)
			return
		}
		s.u.showLoginFor("", Tf("This desk joined the clinic's server as %s and downloaded the clinic. Log in with your account.", st.DeskCode))
	})
}

func (s *setupScreen) onSave() {
	s.errs.clear()
	if s.password.Text != s.confirm.Text {
		s.errs.set("confirm", T("The two passwords differ."))
		return
	}
	c := app.ClinicSetup{
		Settings: app.Settings{
			ClinicName:      s.clinicName.Text,
			Address:         s.address.Text,
			Phone:           s.phone.Text,
			TimeZone:        s.timeZone.Text,
			Currency:        s.currency.Selected,
			AutoLockMinutes: app.DefaultAutoLockMinutes,
		},
		AdminUsername: s.username.Text,
		AdminFullName: s.fullName.Text,
		AdminPassword: s.password.Text,
	}
	s.save.Disable()
	background(s.u, func(ctx context.Context) (*app.User, error) {
		return s.u.svc.Settings.Setup(ctx, c)
	}, func(usr *app.User, err error) {
		s.save.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		name := accountName(usr, c.AdminUsername)
		s.u.showLoginFor(name, Tf("The clinic is set up. Log in as %s with the password you chose.", name))
	})
}

// showSetup shows the first-run setup.
func (u *UI) showSetup() {
	u.dropScreens()
	u.setup = newSetupScreen(u)
	u.setContent(u.setup.content)
	u.win.Canvas().Focus(u.setup.clinicName)
}
