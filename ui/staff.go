package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// staffColumns are the columns of the accounts table.
var staffColumns = []struct {
	title string
	width float32
}{
	{i18n.N("Username"), 180}, {i18n.N("Name"), 280}, {i18n.N("Role"), 150}, {i18n.N("Status"), 170}, {i18n.N("Locked"), 200},
}

// assignableRoles are the roles an admin may give an account: every role but
// patient, whose accounts come with a patient record.
var assignableRoles = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling}

// assignableRole is the role a select of roleLabels(assignableRoles)
// shows, by its place rather than its label (which is in the screen's
// language); "" when none is chosen.
func assignableRole(sel *escSelect) app.Role {
	if i := sel.SelectedIndex(); i >= 0 && i < len(assignableRoles) {
		return assignableRoles[i]
	}
	return ""
}

// staffScreen is the admin's list of accounts with the actions on them.
type staffScreen struct {
	u *UI

	users    []*app.User
	selected *app.User
	status   app.UserStatus // the filter; "" for all

	query       *escEntry
	pending     *widget.Button
	active      *widget.Button
	deactivated *widget.Button
	all         *widget.Button
	table       *widget.Table
	empty       *widget.Label

	selection     *widget.Label
	approve       *widget.Button
	role          *escSelect
	applyRole     *widget.Button
	deactivate    *widget.Button
	unlock        *widget.Button
	resetPassword *widget.Button
	doctorHours   *widget.Button // the selected doctor's profile and hours
	language      *escSelect     // the selected account's screen language
	setLanguage   *widget.Button
	newUser       *widget.Button
	notice        *widget.Label

	reset  *resetPasswordForm // the open reset-password dialog
	create *createUserForm    // the open new-account dialog
	hours  *hoursView         // the open doctor's profile and hours; nil while the list is shown

	list    fyne.CanvasObject // the accounts and their actions
	content *fyne.Container   // the list or a doctor's hours
}

func newStaffScreen(u *UI) *staffScreen {
	s := &staffScreen{u: u}
	s.buildUI()
	return s
}

func (s *staffScreen) buildUI() {
	s.query = entry(T("Search username or name"))
	s.query.OnSubmitted = func(string) { s.load() }
	filter := func(st app.UserStatus) func() {
		return func() {
			s.status = st
			s.load()
		}
	}
	s.pending = widget.NewButton(T("Pending approvals"), filter(app.StatusPending))
	s.active = widget.NewButton(T("Active"), filter(app.StatusActive))
	s.deactivated = widget.NewButton(T("Deactivated"), filter(app.StatusDeactivated))
	s.all = widget.NewButton(T("All"), filter(""))
	s.newUser = widget.NewButtonWithIcon(T("New staff account"), theme.ContentAddIcon(), s.onNewUser)

	s.table = widget.NewTable(
		func() (int, int) { return len(s.users), len(staffColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
		},
	)
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(staffColumns) {
			o.(*widget.Label).SetText(T(staffColumns[id.Col].title))
		}
	}
	for i, c := range staffColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.users) {
			s.selected = s.users[id.Row]
			s.updateActions()
		}
	}
	s.empty = widget.NewLabel(T("No accounts match."))
	s.empty.Hide()

	s.selection = widget.NewLabel(T("Select an account to act on it."))
	s.approve = widget.NewButtonWithIcon(T("Approve"), theme.ConfirmIcon(), s.onApprove)
	s.role = newSelect(roleLabels(assignableRoles), nil)
	s.role.PlaceHolder = T("Role")
	s.applyRole = widget.NewButton(T("Change role"), s.onChangeRole)
	s.deactivate = widget.NewButtonWithIcon(T("Deactivate"), theme.DeleteIcon(), s.onDeactivate)
	s.unlock = widget.NewButton(T("Unlock"), s.onUnlock)
	s.resetPassword = widget.NewButton(T("Reset password"), s.onResetPassword)
	s.doctorHours = widget.NewButtonWithIcon(T("Profile and hours"), theme.CalendarIcon(), s.onDoctorHours)
	s.language = newSelect(patientLanguageLabels(), nil)
	s.language.PlaceHolder = T("Screen language")
	s.setLanguage = widget.NewButton(T("Set screen language"), s.onSetLanguage)
	s.notice = widget.NewLabel("")
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()
	s.updateActions()

	top := container.NewVBox(
		widget.NewLabelWithStyle(T("Staff accounts"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, container.NewHBox(s.pending, s.active, s.deactivated, s.all, s.newUser), s.query),
	)
	actions := container.NewVBox(
		widget.NewSeparator(),
		s.selection,
		container.NewHBox(s.approve, container.New(widthLayout{170}, s.role), s.applyRole, s.deactivate, s.unlock, s.resetPassword, s.doctorHours, layout.NewSpacer()),
		container.NewHBox(widget.NewLabel(T("Screen language")), container.New(widthLayout{220}, s.language), s.setLanguage, layout.NewSpacer()),
		s.notice,
	)
	s.list = container.NewBorder(top, actions, nil, nil, container.NewStack(s.table, container.NewCenter(s.empty)))
	s.content = container.NewStack(s.list)
}

func (s *staffScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.users) {
		return ""
	}
	usr := s.users[row]
	switch col {
	case 0:
		return usr.Username
	case 1:
		return usr.FullName
	case 2:
		return T(usr.Role.Label())
	case 3:
		return statusLabel(usr.Status)
	case 4:
		if usr.Locked(s.u.now()) {
			return Tf("until %s", tr().DayTime(usr.LockedUntil.In(s.u.location())))
		}
	}
	return ""
}

func statusLabel(st app.UserStatus) string {
	switch st {
	case app.StatusPending:
		return T("Pending approval")
	case app.StatusActive:
		return T("Active")
	case app.StatusDeactivated:
		return T("Deactivated")
	}
	return string(st)
}

// updateActions enables the actions that fit the selected account.
func (s *staffScreen) updateActions() {
	for _, b := range []*widget.Button{s.approve, s.applyRole, s.deactivate, s.unlock, s.resetPassword, s.doctorHours, s.setLanguage} {
		b.Disable()
	}
	s.role.Disable()
	s.language.Disable()
	usr := s.selected
	if usr == nil {
		s.selection.SetText(T("Select an account to act on it."))
		return
	}
	s.selection.SetText(Tf("Selected: %s (%s), %s, %s", usr.FullName, usr.Username, T(usr.Role.Label()), statusLabel(usr.Status)))
	self := s.u.session != nil && s.u.session.User.ID == usr.ID
	if usr.Status == app.StatusPending {
		s.approve.Enable()
	}
	if usr.Role != app.RolePatient && !self {
		s.role.Enable()
		s.role.SetSelectedIndex(slices.Index(assignableRoles, usr.Role))
		s.applyRole.Enable()
	}
	if usr.Status != app.StatusDeactivated && !self {
		s.deactivate.Enable()
	}
	if usr.Locked(s.u.now()) || usr.FailedLogins > 0 {
		s.unlock.Enable()
	}
	if !self {
		s.resetPassword.Enable()
	}
	if usr.Role == app.RoleDoctor && usr.Status == app.StatusActive && s.u.svc.Appointments != nil {
		s.doctorHours.Enable()
	}
	s.language.SetSelected(patientLanguageLabel(string(usr.Language)))
	s.language.Enable()
	s.setLanguage.Enable()
}

// onSetLanguage sets the language the selected account's screens speak
// (the clinic's default when none is chosen); it takes effect at that
// user's next login. The service checks and audits it.
func (s *staffScreen) onSetLanguage() {
	usr := s.selected
	if usr == nil || s.language.Selected == "" {
		return
	}
	code, label := patientLanguageOf(s.language.Selected), s.language.Selected
	if code == string(usr.Language) {
		return
	}
	s.act(func(ctx context.Context, id string) (*app.User, error) {
		return s.u.svc.Users.SetLanguage(ctx, id, code, usr)
	}, func(name string) string {
		return Tf("The screens of %s will speak %s from their next login.", name, label)
	})
}

// onDoctorHours shows the selected doctor's profile, weekly hours and
// exceptions in place of the list; the back button returns to it.
func (s *staffScreen) onDoctorHours() {
	if s.selected == nil || s.selected.Role != app.RoleDoctor {
		return
	}
	s.u.touch()
	s.hours = newHoursView(s.u, s.closeDoctorHours)
	s.hours.back.SetText(T("Staff"))
	s.hours.want = s.selected.ID
	s.content.Objects = []fyne.CanvasObject{s.hours.content}
	s.content.Refresh()
	s.hours.load()
}

// closeDoctorHours goes back to the list.
func (s *staffScreen) closeDoctorHours() {
	s.u.touch()
	s.hours = nil
	s.content.Objects = []fyne.CanvasObject{s.list}
	s.content.Refresh()
	s.load()
}

// load fetches the accounts that match the filter.
func (s *staffScreen) load() {
	f := app.UserFilter{Status: s.status, Query: s.query.Text, Limit: 500}
	background(s.u, func(ctx context.Context) ([]*app.User, error) {
		return s.u.svc.Users.FindUsers(ctx, f)
	}, func(users []*app.User, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.users = users
		s.empty.Hidden = len(users) > 0
		s.empty.Refresh()
		s.table.UnselectAll()
		var keep *app.User
		if s.selected != nil {
			for i, usr := range users {
				if usr.ID == s.selected.ID {
					keep = usr
					s.table.Select(widget.TableCellID{Row: i, Col: 0})
				}
			}
		}
		s.selected = keep
		s.table.Refresh()
		s.updateActions()
	})
}

func (s *staffScreen) setNotice(msg string) {
	s.notice.SetText(msg)
	s.notice.Show()
}

// act runs one account action on the selected user, then reloads the list.
func (s *staffScreen) act(call func(ctx context.Context, id string) (*app.User, error), done func(username string) string) {
	usr := s.selected
	if usr == nil {
		return
	}
	s.notice.Hide()
	background(s.u, func(ctx context.Context) (*app.User, error) {
		return call(ctx, usr.ID)
	}, func(_ *app.User, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.setNotice(done(usr.Username))
		s.load()
	})
}

func (s *staffScreen) onApprove() {
	s.act(s.u.svc.Users.ApproveUser, func(name string) string { return Tf("Approved %s.", name) })
}

func (s *staffScreen) onChangeRole() {
	role, usr := assignableRole(s.role), s.selected
	if role == "" || usr == nil || role == usr.Role {
		return
	}
	s.act(func(ctx context.Context, id string) (*app.User, error) {
		return s.u.svc.Users.ChangeRole(ctx, id, role, usr) // the account as the list showed it
	}, func(name string) string { return Tf("Changed the role to %s for %s.", T(role.Label()), name) })
}

func (s *staffScreen) onDeactivate() {
	usr := s.selected
	if usr == nil {
		return
	}
	showYesNo(T("Deactivate account"),
		Tf("Deactivate %s (%s)? They will no longer be able to log in. The account stays in the records.", usr.FullName, usr.Username),
		s.onDeactivateConfirmed, s.u.win)
}

func (s *staffScreen) onDeactivateConfirmed(ok bool) {
	if usr := s.selected; ok && usr != nil {
		s.act(func(ctx context.Context, id string) (*app.User, error) {
			return s.u.svc.Users.DeactivateUser(ctx, id, usr)
		}, func(name string) string { return Tf("Deactivated %s.", name) })
	}
}

func (s *staffScreen) onUnlock() {
	s.act(s.u.svc.Users.UnlockUser, func(name string) string { return Tf("Unlocked %s.", name) })
}

func (s *staffScreen) onResetPassword() {
	usr := s.selected
	if usr == nil {
		return
	}
	f := newResetPasswordForm(s, usr)
	d := dialog.NewCustomWithoutButtons(Tf("Reset password of %s", usr.Username), container.New(widthLayout{460}, f.content), s.u.win)
	f.close = func() {
		d.Hide()
		s.reset = nil
	}
	s.reset = f
	d.Show()
}

func (s *staffScreen) onNewUser() {
	f := newCreateUserForm(s)
	d := dialog.NewCustomWithoutButtons(T("New staff account"), container.New(widthLayout{520}, f.content), s.u.win)
	f.close = func() {
		d.Hide()
		s.create = nil
	}
	s.create = f
	d.Show()
}

// resetPasswordForm sets a temporary password the user must change at the
// next login.
type resetPasswordForm struct {
	s    *staffScreen
	user *app.User

	password *escEntry
	confirm  *escEntry
	save     *escButton
	cancel   *escButton
	errs     fieldErrors
	close    func()
	content  fyne.CanvasObject
}

func newResetPasswordForm(s *staffScreen, usr *app.User) *resetPasswordForm {
	f := &resetPasswordForm{s: s, user: usr, errs: fieldErrors{}}
	f.password = passwordEntry(T("At least 12 characters"))
	f.confirm = passwordEntry(T("The same password again"))
	f.confirm.OnSubmitted = func(string) { f.onSave() }
	f.save = newButton(T("Reset password"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.close() })
	note := widget.NewLabel(Tf("Give %s this temporary password. They must choose a new one when they next log in.", usr.FullName))
	note.Wrapping = fyne.TextWrapWord
	general := newErrorLabel()
	f.errs[""] = general
	form := widget.NewForm(
		widget.NewFormItem(T("New password"), f.errs.add("password", f.password)),
		widget.NewFormItem(T("Confirm password"), f.errs.add("confirm", f.confirm)),
	)
	f.errs.alias("new_password", "password")
	f.content = container.NewVBox(note, form,
		general,
		container.NewHBox(f.cancel, layout.NewSpacer(), f.save))
	return f
}

func (f *resetPasswordForm) onSave() {
	f.errs.clear()
	if f.password.Text != f.confirm.Text {
		f.errs.set("confirm", T("The two passwords differ."))
		return
	}
	pw, usr, u := f.password.Text, f.user, f.s.u
	f.save.Disable()
	background(u, func(ctx context.Context) (*app.User, error) {
		return u.svc.Users.ResetPassword(ctx, usr.ID, pw)
	}, func(_ *app.User, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, u.win)
			return
		}
		f.close()
		f.s.setNotice(Tf("Reset the password of %s: they must change it at their next login.", usr.Username))
		showMessage(T("Password reset"),
			Tf("The password of %s has been reset. Tell them the temporary password; they must choose a new one at their next login.", usr.Username), u.win)
		f.s.load()
	})
}

// createUserForm creates an active staff account directly.
type createUserForm struct {
	s *staffScreen

	username *escEntry
	fullName *escEntry
	email    *escEntry
	phone    *escEntry
	role     *escSelect
	password *escEntry
	confirm  *escEntry
	save     *escButton
	cancel   *escButton
	errs     fieldErrors
	close    func()
	content  fyne.CanvasObject
}

func newCreateUserForm(s *staffScreen) *createUserForm {
	f := &createUserForm{s: s, errs: fieldErrors{}}
	f.username = entry(T("e.g. n.georgiou"))
	f.fullName = entry(T("Full name"))
	f.email = entry(T("Optional"))
	f.phone = entry(T("Optional"))
	f.role = newSelect(roleLabels(assignableRoles), nil)
	f.role.PlaceHolder = T("Choose the role")
	f.password = passwordEntry(T("At least 12 characters"))
	f.confirm = passwordEntry(T("The same password again"))
	f.save = newButton(T("Create account"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.close() })
	general := newErrorLabel()
	f.errs[""] = general
	f.content = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(T("Username"), f.errs.add("username", f.username)),
			widget.NewFormItem(T("Full name"), f.errs.add("full_name", f.fullName)),
			widget.NewFormItem(T("E-mail"), f.errs.add("email", f.email)),
			widget.NewFormItem(T("Phone"), f.errs.add("phone", f.phone)),
			widget.NewFormItem(T("Role"), f.errs.add("role", f.role)),
			widget.NewFormItem(T("Password"), f.errs.add("password", f.password)),
			widget.NewFormItem(T("Confirm password"), f.errs.add("confirm", f.confirm)),
		),
		general,
		container.NewHBox(f.cancel, layout.NewSpacer(), f.save))
	return f
}

func (f *createUserForm) onSave() {
	f.errs.clear()
	if f.role.Selected == "" {
		f.errs.set("role", T("Choose the role."))
		return
	}
	if f.password.Text != f.confirm.Text {
		f.errs.set("confirm", T("The two passwords differ."))
		return
	}
	c := app.UserCreate{
		Username: f.username.Text,
		FullName: f.fullName.Text,
		Email:    f.email.Text,
		Phone:    f.phone.Text,
		Role:     assignableRole(f.role),
		Password: f.password.Text,
	}
	u := f.s.u
	f.save.Disable()
	background(u, func(ctx context.Context) (*app.User, error) {
		return u.svc.Users.CreateUser(ctx, c)
	}, func(usr *app.User, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, u.win)
			return
		}
		f.close()
		name := app.NormalizeUsername(c.Username)
		if usr != nil {
			name = usr.Username
		}
		f.s.setNotice(Tf("Created the account %s.", name))
		f.s.load()
	})
}
