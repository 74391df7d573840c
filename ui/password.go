package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// passwordForm changes the caller's own password: in a dialog when asked
// for, or as the whole window after an admin's reset.
type passwordForm struct {
	u *UI

	current *escEntry
	next    *escEntry
	confirm *escEntry
	save    *escButton
	cancel  *escButton
	errs    fieldErrors

	onDone   func()
	onCancel func()
	content  fyne.CanvasObject
}

func newPasswordForm(u *UI, cancelLabel string) *passwordForm {
	f := &passwordForm{u: u, errs: fieldErrors{}}
	f.current = passwordEntry(T("Your current password"))
	f.next = passwordEntry(T("At least 12 characters"))
	f.confirm = passwordEntry(T("The new password again"))
	f.confirm.OnSubmitted = func(string) { f.onSave() }
	f.save = newButton(T("Change password"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(cancelLabel, func() {
		if f.onCancel != nil {
			f.onCancel()
		}
	})
	form := widget.NewForm(
		widget.NewFormItem(T("Current password"), f.errs.add("current", f.current)),
		widget.NewFormItem(T("New password"), f.errs.add("password", f.next)),
		widget.NewFormItem(T("Confirm new password"), f.errs.add("confirm", f.confirm)),
	)
	f.errs.alias("old_password", "current")
	f.errs.alias("current_password", "current")
	f.errs.alias("new_password", "password")
	general := newErrorLabel()
	f.errs[""] = general
	f.content = container.NewVBox(form, general, container.NewHBox(f.cancel, layout.NewSpacer(), f.save))
	return f
}

func (f *passwordForm) onSave() {
	f.errs.clear()
	switch {
	case f.current.Text == "":
		f.errs.set("current", T("Enter your current password."))
		return
	case f.next.Text == "":
		f.errs.set("password", T("Enter a new password."))
		return
	case f.next.Text != f.confirm.Text:
		f.errs.set("confirm", T("The two new passwords differ."))
		return
	case f.next.Text == f.current.Text:
		f.errs.set("password", T("The new password must differ from the current one."))
		return
	}
	oldPW, newPW := f.current.Text, f.next.Text
	f.save.Disable()
	background(f.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f.u.svc.Users.ChangePassword(ctx, oldPW, newPW)
	}, func(_ struct{}, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		if f.onDone != nil {
			f.onDone()
		}
	})
}

// showChangePassword opens the "Change password" dialog.
func (u *UI) showChangePassword() {
	if u.session == nil {
		return
	}
	u.touch()
	f := newPasswordForm(u, T("Cancel"))
	d := dialog.NewCustomWithoutButtons(T("Change password"), container.New(widthLayout{460}, f.content), u.win)
	f.onCancel = func() {
		d.Hide()
		u.pwDialog = nil
	}
	f.onDone = func() {
		d.Hide()
		u.pwDialog = nil
		showMessage(T("Password changed"), T("Your password has been changed."), u.win)
	}
	u.pwDialog = f
	d.Show()
	u.win.Canvas().Focus(f.current)
}

// showForcedPasswordChange asks for a new password before anything else,
// after an admin reset it.
func (u *UI) showForcedPasswordChange() {
	u.dropScreens()
	f := newPasswordForm(u, T("Log out"))
	f.onCancel = u.logout
	f.onDone = func() {
		if u.session != nil {
			u.session.MustChangePassword = false
			u.session.User.MustChangePassword = false
		}
		u.showMain()
	}
	u.forced = f
	note := widget.NewLabel(T("An administrator set a temporary password for your account. Choose a new one of your own before you go on."))
	note.Wrapping = fyne.TextWrapWord
	u.setContent(centredCard(T("Choose a new password"), "", 520, container.NewVBox(note, f.content)))
	u.win.Canvas().Focus(f.current)
}
