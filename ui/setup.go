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

	clinicName *widget.Entry
	address    *widget.Entry
	phone      *widget.Entry
	timeZone   *widget.SelectEntry
	currency   *widget.Select
	username   *widget.Entry
	fullName   *widget.Entry
	password   *widget.Entry
	confirm    *widget.Entry
	save       *widget.Button
	errs       fieldErrors

	content fyne.CanvasObject
}

func newSetupScreen(u *UI) *setupScreen {
	s := &setupScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *setupScreen) buildUI() {
	s.clinicName = entry("e.g. Riverside Family Clinic")
	s.address = widget.NewMultiLineEntry()
	s.address.SetMinRowsVisible(2)
	s.phone = entry("e.g. +30 210 1234567")
	s.timeZone = widget.NewSelectEntry(timeZoneOptions())
	s.timeZone.SetPlaceHolder("e.g. Europe/Athens")
	s.timeZone.SetText(machineTimeZone())
	s.currency = widget.NewSelect(currencyCodes(), nil)
	s.currency.PlaceHolder = "Choose the currency"
	s.username = entry("e.g. admin")
	s.fullName = entry("Your full name")
	s.password = passwordEntry("At least 12 characters")
	s.confirm = passwordEntry("The same password again")
	s.confirm.OnSubmitted = func(string) { s.onSave() }
	s.save = widget.NewButton("Set up the clinic", s.onSave)
	s.save.Importance = widget.HighImportance

	heading := func(text string) *widget.FormItem {
		return widget.NewFormItem("", widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	// One form, so both parts line their labels up.
	form := widget.NewForm(
		heading("Clinic"),
		widget.NewFormItem("Clinic name", s.errs.add("clinic_name", s.clinicName)),
		widget.NewFormItem("Address", s.errs.add("address", s.address)),
		widget.NewFormItem("Phone", s.errs.add("phone", s.phone)),
		widget.NewFormItem("Time zone", s.errs.add("time_zone", s.timeZone)),
		widget.NewFormItem("Currency", s.errs.add("currency", s.currency)),
		heading("First administrator"),
		widget.NewFormItem("Username", s.errs.add("username", s.username)),
		widget.NewFormItem("Full name", s.errs.add("full_name", s.fullName)),
		widget.NewFormItem("Password", s.errs.add("password", s.password)),
		widget.NewFormItem("Confirm password", s.errs.add("confirm", s.confirm)),
	)
	s.errs.alias("admin_username", "username")
	s.errs.alias("admin_full_name", "full_name")
	s.errs.alias("admin_password", "password")
	s.content = centredCard("Welcome to HMS", "Set up your clinic and its first administrator.", 620,
		container.NewVBox(form, container.NewHBox(layout.NewSpacer(), s.save)))
}

func (s *setupScreen) onSave() {
	s.errs.clear()
	if s.password.Text != s.confirm.Text {
		s.errs.set("confirm", "The two passwords differ.")
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
		s.u.showLoginFor(name, "The clinic is set up. Log in as "+name+" with the password you chose.")
	})
}

// showSetup shows the first-run setup.
func (u *UI) showSetup() {
	u.dropScreens()
	u.setup = newSetupScreen(u)
	u.setContent(u.setup.content)
	u.win.Canvas().Focus(u.setup.clinicName)
}
