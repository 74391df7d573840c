package ui

import (
	"context"
	"hash/fnv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// lockScreen covers the window after idle time or "Lock now": it shows no
// patient data, only who is logged in, and asks for their password.
type lockScreen struct {
	u *UI

	password *widget.Entry
	unlock   *widget.Button
	logout   *widget.Button
	message  *widget.Label

	content fyne.CanvasObject
}

func newLockScreen(u *UI) *lockScreen {
	s := &lockScreen{u: u}
	s.password = passwordEntry("Password")
	s.password.OnSubmitted = func(string) { s.onUnlock() }
	s.unlock = widget.NewButton("Unlock", s.onUnlock)
	s.unlock.Importance = widget.HighImportance
	s.logout = widget.NewButton("Log out", u.logout)
	s.message = newErrorLabel()
	// Only the username: on a patient's kiosk even the full name is
	// patient data.
	who := "The screen is locked."
	if u.session != nil && u.session.User != nil {
		who = "The screen is locked. " + u.session.User.Username + " is logged in."
	}
	note := widget.NewLabel(who + " Enter your password to go on.")
	note.Wrapping = fyne.TextWrapWord
	s.content = centredCard("Locked", "", 460, container.NewVBox(
		note,
		widget.NewForm(widget.NewFormItem("Password", s.password)),
		s.message,
		container.NewHBox(s.logout, layout.NewSpacer(), s.unlock),
	))
	return s
}

func (s *lockScreen) onUnlock() {
	s.message.Hide()
	pw := s.password.Text
	if pw == "" {
		s.message.SetText("Enter your password.")
		s.message.Show()
		return
	}
	s.unlock.Disable()
	background(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.svc.Users.CheckPassword(ctx, pw)
	}, func(_ struct{}, err error) {
		s.unlock.Enable()
		s.password.SetText("")
		if err != nil {
			s.message.SetText(app.ErrorMessage(err))
			s.message.Show()
			return
		}
		s.u.locked = false
		s.u.touch()
		s.u.enter()
	})
}

// lockNow replaces the window's content with the lock screen. Every screen
// struct is dropped, dialogs are closed, and results of calls still under
// way are discarded, so no patient data stays on view.
func (u *UI) lockNow() {
	if u.session == nil || u.locked {
		return
	}
	u.dropScreens()
	u.locked = true
	u.lock = newLockScreen(u)
	u.setContent(u.lock.content)
	u.win.Canvas().Focus(u.lock.password)
}

// touch records activity now.
func (u *UI) touch() { u.lastActivity = u.now() }

// idleLimit is how long the UI may stay idle before it locks.
func (u *UI) idleLimit() time.Duration {
	m := app.DefaultAutoLockMinutes
	if u.settings != nil && u.settings.AutoLockMinutes > 0 {
		m = u.settings.AutoLockMinutes
	}
	return time.Duration(m) * time.Minute
}

// checkIdle locks the screen when nothing happened for the idle limit. The
// ticker calls it on the UI goroutine; tests call it after moving their
// clock. Typing into an entry reaches the entry, not the window, so a change
// of the focused entry's text or cursor since the last check counts as
// activity too.
func (u *UI) checkIdle() {
	if u.session == nil || u.locked {
		return
	}
	if u.focusChanged() {
		u.touch()
		return
	}
	if u.now().Sub(u.lastActivity) >= u.idleLimit() {
		u.lockNow()
	}
}

// focusChanged reports whether another widget has the focus, or the focused
// entry's text or cursor moved, since the last call. It keeps a hash of the
// text, not the text itself.
func (u *UI) focusChanged() bool {
	f := u.win.Canvas().Focused()
	var sig uint64
	var e *widget.Entry
	switch w := f.(type) {
	case *widget.Entry:
		e = w
	case *widget.SelectEntry:
		e = &w.Entry
	}
	if e != nil {
		h := fnv.New64a()
		h.Write([]byte(e.Text))
		h.Write([]byte{0, byte(e.CursorRow), byte(e.CursorRow >> 8), byte(e.CursorColumn), byte(e.CursorColumn >> 8)})
		sig = h.Sum64()
	}
	changed := f != u.lastFocused || sig != u.lastSignature
	u.lastFocused, u.lastSignature = f, sig
	return changed
}

// startTicker runs checkIdle every idleTick until the window closes.
func (u *UI) startTicker() {
	if u.idleTick <= 0 || u.stopTicker != nil {
		return
	}
	stop := make(chan struct{})
	u.stopTicker = stop
	every, do := u.idleTick, u.do
	u.win.SetOnClosed(func() { close(stop) })
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				do(u.checkIdle)
			case <-stop:
				return
			}
		}
	}()
}
