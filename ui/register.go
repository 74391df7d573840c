package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// staffRegScreen is the form a member of staff fills in to ask for an
// account; an admin approves it.
type staffRegScreen struct {
	u *UI

	username *escEntry
	fullName *escEntry
	email    *escEntry
	phone    *escEntry
	role     *escSelect
	password *escEntry
	confirm  *escEntry
	submit   *widget.Button
	back     *widget.Button
	errs     fieldErrors

	content fyne.CanvasObject
}

func newStaffRegScreen(u *UI) *staffRegScreen {
	s := &staffRegScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *staffRegScreen) buildUI() {
	s.username = entry(T("e.g. m.papadopoulou"))
	s.fullName = entry(T("Your full name"))
	s.email = entry(T("Optional"))
	s.phone = entry(T("Optional"))
	s.role = newSelect(roleLabels(app.StaffRoles), nil)
	s.role.PlaceHolder = T("Choose your role")
	s.password = passwordEntry(T("At least 12 characters"))
	s.confirm = passwordEntry(T("The same password again"))
	s.confirm.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = widget.NewButton(T("Ask for an account"), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.back = widget.NewButton(T("Back to login"), s.u.showLogin)

	form := widget.NewForm(
		widget.NewFormItem(T("Username"), s.errs.add("username", s.username)),
		widget.NewFormItem(T("Full name"), s.errs.add("full_name", s.fullName)),
		widget.NewFormItem(T("E-mail"), s.errs.add("email", s.email)),
		widget.NewFormItem(T("Phone"), s.errs.add("phone", s.phone)),
		widget.NewFormItem(T("Role"), s.errs.add("role", s.role)),
		widget.NewFormItem(T("Password"), s.errs.add("password", s.password)),
		widget.NewFormItem(T("Confirm password"), s.errs.add("confirm", s.confirm)),
	)
	s.content = centredCard(T("Register as staff"), T("An administrator approves new staff accounts."), 560,
		container.NewVBox(form, container.NewHBox(s.back, layout.NewSpacer(), s.submit)))
}

func (s *staffRegScreen) onSubmit() {
	s.errs.clear()
	if s.role.Selected == "" {
		s.errs.set("role", T("Choose your role."))
		return
	}
	if s.password.Text != s.confirm.Text {
		s.errs.set("confirm", T("The two passwords differ."))
		return
	}
	r := app.StaffRegistration{
		Username: s.username.Text,
		FullName: s.fullName.Text,
		Email:    s.email.Text,
		Phone:    s.phone.Text,
		Role:     roleOf(s.role.Selected),
		Password: s.password.Text,
	}
	s.submit.Disable()
	background(s.u, func(ctx context.Context) (*app.User, error) {
		return s.u.svc.Users.RegisterStaff(ctx, r)
	}, func(usr *app.User, err error) {
		s.submit.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.u.showLogin()
		s.u.login.setInfo(T("Thank you. An administrator must approve your account before you can log in."))
	})
}

// patientRegScreen is the form a patient fills in to get an account and a
// patient record of their own.
type patientRegScreen struct {
	u *UI

	username   *escEntry
	givenName  *escEntry
	familyName *escEntry
	sex        *escSelect
	birthDate  *escEntry
	phone      *escEntry
	email      *escEntry
	password   *escEntry
	confirm    *escEntry
	submit     *widget.Button
	back       *widget.Button
	errs       fieldErrors

	content fyne.CanvasObject
}

func newPatientRegScreen(u *UI) *patientRegScreen {
	s := &patientRegScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *patientRegScreen) buildUI() {
	s.username = entry(T("Choose a username"))
	s.givenName = entry(T("Given name(s)"))
	s.familyName = entry(T("Family name"))
	s.sex = newSelect(sexLabels(), nil)
	s.sex.PlaceHolder = T("Choose")
	s.birthDate = entry(T("YYYY-MM-DD"))
	s.phone = entry(T("Optional"))
	s.email = entry(T("Optional"))
	s.password = passwordEntry(T("At least 12 characters"))
	s.confirm = passwordEntry(T("The same password again"))
	s.confirm.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = widget.NewButton(T("Create my account"), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.back = widget.NewButton(T("Back to login"), s.u.showLogin)

	form := widget.NewForm(
		widget.NewFormItem(T("Username"), s.errs.add("username", s.username)),
		widget.NewFormItem(T("Given name"), s.errs.add("given_name", s.givenName)),
		widget.NewFormItem(T("Family name"), s.errs.add("family_name", s.familyName)),
		widget.NewFormItem(T("Sex"), s.errs.add("sex", s.sex)),
		widget.NewFormItem(T("Date of birth"), s.errs.add("birth_date", s.birthDate)),
		widget.NewFormItem(T("Phone"), s.errs.add("phone", s.phone)),
		widget.NewFormItem(T("E-mail"), s.errs.add("email", s.email)),
		widget.NewFormItem(T("Password"), s.errs.add("password", s.password)),
		widget.NewFormItem(T("Confirm password"), s.errs.add("confirm", s.confirm)),
	)
	s.content = centredCard(T("Register as patient"), T("Your account lets you see your own record."), 560,
		container.NewVBox(form, container.NewHBox(s.back, layout.NewSpacer(), s.submit)))
}

func (s *patientRegScreen) onSubmit() {
	s.errs.clear()
	if s.password.Text != s.confirm.Text {
		s.errs.set("confirm", T("The two passwords differ."))
		return
	}
	r := app.PatientRegistration{
		Username:   s.username.Text,
		GivenName:  s.givenName.Text,
		FamilyName: s.familyName.Text,
		Sex:        sexOf(s.sex.Selected),
		BirthDate:  s.birthDate.Text,
		Phone:      s.phone.Text,
		Email:      s.email.Text,
		Password:   s.password.Text,
	}
	s.submit.Disable()
	background(s.u, func(ctx context.Context) (*app.User, error) {
		return s.u.svc.Users.RegisterPatient(ctx, r)
	}, func(usr *app.User, err error) {
		s.submit.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.u.showLoginFor(accountName(usr, r.Username), T("Your account is ready. Log in with your username and password."))
	})
}

func (u *UI) showStaffRegistration() {
	u.dropScreens()
	u.staffReg = newStaffRegScreen(u)
	u.setContent(u.staffReg.content)
}

func (u *UI) showPatientRegistration() {
	u.dropScreens()
	u.patientReg = newPatientRegScreen(u)
	u.setContent(u.patientReg.content)
}
