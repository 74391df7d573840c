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

	password *escEntry
	unlock   *widget.Button
	logout   *widget.Button
	message  *widget.Label

	content fyne.CanvasObject
}

func newLockScreen(u *UI) *lockScreen {
	s := &lockScreen{u: u}
	s.password = passwordEntry(T("Password"))
	s.password.OnSubmitted = func(string) { s.onUnlock() }
	s.unlock = widget.NewButton(T("Unlock"), s.onUnlock)
	s.unlock.Importance = widget.HighImportance
	// Log out keeps the unsaved text behind the lock as drafts first.
	s.logout = widget.NewButton(T("Log out"), u.endSessionKeepingWork)
	s.message = newErrorLabel()
	// Only the username: on a patient's kiosk even the full name is
	// patient data.
	who := T("The screen is locked.")
	if u.session != nil && u.session.User != nil {
		who = Tf("The screen is locked. %s is logged in.", u.session.User.Username)
	}
	note := widget.NewLabel(who + " " + T("Enter your password to go on."))
	note.Wrapping = fyne.TextWrapWord
	s.content = centredCard(T("Locked"), "", 460, container.NewVBox(
		note,
		widget.NewForm(widget.NewFormItem(T("Password"), s.password)),
		s.message,
		container.NewHBox(s.logout, layout.NewSpacer(), s.unlock),
	))
	return s
}

func (s *lockScreen) onUnlock() {
	s.message.Hide()
	pw := s.password.Text
	if pw == "" {
		s.message.SetText(T("Enter your password."))
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
			s.message.SetText(errText(err))
			s.message.Show()
			return
		}
		s.u.unlockWork()
	})
}

// hiddenWork is what the lock took off the window: the screen and its
// dialogs, kept as they were, unsaved text included, for the same user's
// unlock.
type hiddenWork struct {
	content  []fyne.CanvasObject
	overlays []fyne.CanvasObject
	focused  fyne.Focusable
	lockedAt time.Time
	// done are results of service calls that came back while locked,
	// handed to their screens at the unlock, so none lands on the lock
	// screen (an error dialog, say).
	done []func()
	// ending: the session is ending (its drafts are being saved).
	ending bool
}

// lockNow takes the screen and its dialogs off the window and shows the
// lock screen: no patient data stays on view, and nothing is destroyed.
// The unlock puts everything back as it was; a logout from the lock screen
// (or the lock lasting the clinic's auto-logout time) saves the unsaved
// text as drafts and ends the session.
func (u *UI) lockNow() {
	if u.session == nil || u.locked {
		return
	}
	c := u.win.Canvas()
	w := &hiddenWork{content: u.root.Objects, focused: c.Focused(), lockedAt: u.now()}
	ov := c.Overlays()
	for _, o := range ov.List() {
		w.overlays = append(w.overlays, o)
		ov.Remove(o)
	}
	u.hidden = w
	u.locked = true
	// Files written for the system's viewer go: the lock keeps the screens,
	// not copies of patients' documents on disk.
	u.viewFiles.clear()
	u.lock = newLockScreen(u)
	u.setContent(u.lock.content)
	c.Focus(u.lock.password)
}

// unlockWork puts back what lockNow hid, after the same user's password.
func (u *UI) unlockWork() {
	w := u.hidden
	u.locked, u.lock, u.hidden = false, nil, nil
	u.touch()
	if w == nil {
		u.enter()
		return
	}
	u.root.Objects = w.content
	u.root.Refresh()
	u.showMenu(u.main != nil && len(w.content) == 1 && w.content[0] == u.main.content)
	c := u.win.Canvas()
	for _, o := range w.overlays {
		c.Overlays().Add(o)
	}
	if w.focused != nil {
		c.Focus(w.focused)
	}
	u.lastFocused, u.lastSignature = nil, 0
	for _, f := range w.done {
		f()
	}
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

// checkIdle locks the screen when nothing happened for the idle limit, and
// logs out when the lock lasted the auto-logout time. The
// ticker calls it on the UI goroutine; tests call it after moving their
// clock. Typing into an entry reaches the entry, not the window, so a change
// of the focused entry's text or cursor since the last check counts as
// activity too.
func (u *UI) checkIdle() {
	if u.session == nil {
		return
	}
	if u.locked {
		// A lock that lasts the auto-logout time ends the session, keeping
		// the unsaved text as drafts, so the desk is free for the next person.
		if u.hidden != nil && u.now().Sub(u.hidden.lockedAt) >= u.logoutLimit() {
			u.endSessionKeepingWork()
		}
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
	case *escEntry:
		e = &w.Entry
	case *escSelectEntry:
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
