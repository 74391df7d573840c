package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app/i18n"
)

// Escape closes the dialog on top, as its own way out would: the button
// that leaves it without doing anything (Cancel, Close, Back, …), so that
// what the form does on closing happens as when it is clicked.

// escapeLabels are the labels of the buttons that leave a dialog without
// doing anything, the likeliest first. "OK" ends a message.
var escapeLabels = []string{i18n.N("Cancel"), i18n.N("Close"), i18n.N("Back"), i18n.N("Later"), i18n.N("Keep"), i18n.N("No"),
	i18n.N("Not now"), i18n.N("Done"), i18n.N("OK")}

// escape closes the dialog on top of the window; false when there is none
// or it has no way out.
func (u *UI) escape() bool {
	return escapeCanvas(u.win.Canvas())
}

func escapeCanvas(c fyne.Canvas) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	buttons := map[string]*widget.Button{}
	eachButton(top, func(b *widget.Button) {
		if b.Visible() && !b.Disabled() && b.OnTapped != nil {
			if _, seen := buttons[b.Text]; !seen {
				buttons[b.Text] = b
			}
		}
	})
	for _, l := range escapeLabels {
		if b := buttons[T(l)]; b != nil {
			b.OnTapped()
			return true
		}
	}
	return false
}

// eachButton calls fn with each button in o: in containers, pop-ups and
// scrolls, where the dialogs keep their buttons.
func eachButton(o fyne.CanvasObject, fn func(*widget.Button)) {
	switch c := o.(type) {
	case *widget.Button:
		fn(c)
	case *escButton:
		fn(&c.Button)
	case *fyne.Container:
		if !c.Visible() {
			return
		}
		for _, ch := range c.Objects {
			eachButton(ch, fn)
		}
	case *widget.PopUp:
		eachButton(c.Content, fn)
	case *container.Scroll:
		eachButton(c.Content, fn)
	}
}

// Fyne gives a key to the focused widget only: the window's own handler
// hears it only when nothing has the focus, and no handler sees a key
// before the focused widget. So every field of the program is built by the
// constructors below (entry, passwordEntry, multiLineEntry, newSelect,
// newCheck, newSelectEntry) and every button of a dialog by newButton or
// newIconButton, whose widgets hand Escape, and Enter in a
// one-line entry, to the dialog they are in before doing their own
// keys. TestFieldsAreBuiltByTheKeyAwareConstructors keeps it so.

// dialogKey handles Escape, and Enter when submits, for the field o: true
// when it did something, so the field leaves the key alone.
func dialogKey(o fyne.CanvasObject, k *fyne.KeyEvent, submits bool) bool {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return false
	}
	switch k.Name {
	case fyne.KeyEscape:
		return escapeCanvas(c)
	case fyne.KeyReturn, fyne.KeyEnter:
		return submits && submitCanvas(c, o)
	}
	return false
}

// submitCanvas taps the one action of the dialog on top, the button drawn
// as the dialog's action (high importance), when the dialog holds the
// field o and has exactly one such button enabled. A dialog with several,
// or none, is left to its fields.
func submitCanvas(c fyne.Canvas, o fyne.CanvasObject) bool {
	top := c.Overlays().Top()
	if top == nil || !holds(top, o) {
		return false
	}
	var action *widget.Button
	n := 0
	eachButton(top, func(b *widget.Button) {
		if b.Visible() && !b.Disabled() && b.OnTapped != nil && b.Importance == widget.HighImportance {
			action = b
			n++
		}
	})
	if n != 1 {
		return false
	}
	action.OnTapped()
	return true
}

// holds reports whether o is in tree, looking where the dialogs keep their
// fields: containers, pop-ups, scrolls and forms.
func holds(tree, o fyne.CanvasObject) bool {
	if tree == o {
		return true
	}
	switch c := tree.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			if holds(ch, o) {
				return true
			}
		}
	case *widget.PopUp:
		return holds(c.Content, o)
	case *container.Scroll:
		return holds(c.Content, o)
	case *widget.Form:
		for _, it := range c.Items {
			if holds(it.Widget, o) {
				return true
			}
		}
	case *widget.Card:
		return holds(c.Content, o)
	case *container.AppTabs:
		for _, it := range c.Items {
			if holds(it.Content, o) {
				return true
			}
		}
	}
	return false
}

// escEntry is an entry on which Escape closes the dialog it is in, and
// Enter, in a one-line entry with nothing of its own to do on Enter, does
// the dialog's one action.
type escEntry struct {
	widget.Entry
}

func newEscEntry(placeholder string) *escEntry {
	e := &escEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	return e
}

// entry is the one-line entry of every form.
func entry(placeholder string) *escEntry { return newEscEntry(placeholder) }

// passwordEntry is a password entry with a placeholder and a button that
// shows what was typed.
func passwordEntry(placeholder string) *escEntry {
	e := newEscEntry(placeholder)
	e.Password = true
	var reveal *widget.Button
	reveal = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
		e.Password = !e.Password
		if e.Password {
			reveal.SetIcon(theme.VisibilityOffIcon())
		} else {
			reveal.SetIcon(theme.VisibilityIcon())
		}
		e.Refresh()
	})
	reveal.Importance = widget.LowImportance
	e.ActionItem = reveal
	return e
}

// multiLineEntry is the entry of every form's longer text; Enter makes a
// new line.
func multiLineEntry() *escEntry {
	e := &escEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey closes the dialog on Escape, does its action on Enter; other
// keys are the entry's.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if !e.Disabled() && dialogKey(e, k, !e.MultiLine && e.OnSubmitted == nil) {
		return
	}
	e.Entry.TypedKey(k)
}

// escSelectEntry is a select entry on which Escape closes the dialog.
type escSelectEntry struct {
	widget.SelectEntry
}

func newSelectEntry(options []string) *escSelectEntry {
	e := &escSelectEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	return e
}

func (e *escSelectEntry) TypedKey(k *fyne.KeyEvent) {
	if !e.Disabled() && dialogKey(e, k, e.OnSubmitted == nil) {
		return
	}
	e.SelectEntry.TypedKey(k)
}

// escSelect is a select on which Escape closes the dialog (its list, when
// open, takes Escape itself).
type escSelect struct {
	widget.Select
}

func newSelect(options []string, changed func(string)) *escSelect {
	s := &escSelect{}
	s.Options = options
	s.OnChanged = changed
	s.PlaceHolder = T("(Select one)")
	s.ExtendBaseWidget(s)
	return s
}

func (s *escSelect) TypedKey(k *fyne.KeyEvent) {
	if dialogKey(s, k, false) {
		return
	}
	s.Select.TypedKey(k)
}

// escCheck is a check box on which Escape closes the dialog.
type escCheck struct {
	widget.Check
}

func newCheck(label string, changed func(bool)) *escCheck {
	c := &escCheck{}
	c.Text = label
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *escCheck) TypedKey(k *fyne.KeyEvent) {
	if dialogKey(c, k, false) {
		return
	}
	c.Check.TypedKey(k)
}

// escButton is a button on which Escape closes the dialog it is in, when
// Tab has given it the focus; Space and Enter press it, as on any button.
// Every button of a dialog is one (the harness checks the dialogs tests
// open), and the dialogs with a message and buttons are built by
// showMessage, showYesNo, newYesNo and newConfirmDialog below rather than by Fyne's
// own, whose buttons keep Escape to themselves.
type escButton struct {
	widget.Button
}

// newButton is a button with a label.
func newButton(label string, tapped func()) *escButton {
	return newIconButton(label, nil, tapped)
}

// newIconButton is a button with a label and an icon.
func newIconButton(label string, icon fyne.Resource, tapped func()) *escButton {
	b := &escButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *escButton) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && dialogKey(b, k, false) {
		return
	}
	b.Button.TypedKey(k)
}

// confirmDialog is a dialog with a message or content, a dismiss button
// and a confirm button, both escButtons: Fyne's ConfirmDialog with keys.
type confirmDialog struct {
	*dialog.CustomDialog
	confirm, dismiss *escButton
}

// SetConfirmText sets the confirm button's label.
func (d *confirmDialog) SetConfirmText(label string) { d.confirm.SetText(label) }

// Confirm answers yes, as the confirm button does.
func (d *confirmDialog) Confirm() { d.confirm.OnTapped() }

// SetConfirmImportance sets how the confirm button is drawn.
func (d *confirmDialog) SetConfirmImportance(i widget.Importance) {
	d.confirm.Importance = i
	d.confirm.Refresh()
}

// messageContent is a message as Fyne's text dialogs show it: wrapped,
// centred, as wide as it needs up to 480.
func messageContent(message string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(message, fyne.TextAlignCenter, fyne.TextStyle{})
	l.Wrapping = fyne.TextWrapWord
	w := widget.NewLabel(message).MinSize().Width
	return container.New(widthLayout{min(max(w, 240), 480)}, l)
}

// newCustomDialog is a dialog of content with the buttons given, as
// Fyne lays a dialog's buttons out.
func newCustomDialog(title string, content fyne.CanvasObject, win fyne.Window, buttons ...*escButton) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, win)
	objs := make([]fyne.CanvasObject, len(buttons))
	for i, b := range buttons {
		objs[i] = b
	}
	d.SetButtons(objs)
	return d
}

// newInfoDialog is a dialog of content with one button, dismiss, that
// closes it: Fyne's NewCustom with keys.
func newInfoDialog(title, dismiss string, content fyne.CanvasObject, win fyne.Window) *dialog.CustomDialog {
	var d *dialog.CustomDialog
	ok := newButton(dismiss, func() { d.Hide() })
	d = newCustomDialog(title, content, win, ok)
	return d
}

// showMessage shows a message with an OK button: Fyne's ShowInformation
// with keys.
func showMessage(title, message string, win fyne.Window) {
	showWithIcon(title, message, theme.InfoIcon(), win)
}

// showProblem is showMessage for something wrong (an error, problems a
// check found): drawn with the error icon, as Fyne's ShowError is, not the
// information one a routine message has.
func showProblem(title, message string, win fyne.Window) {
	showWithIcon(title, message, theme.ErrorIcon(), win)
}

func showWithIcon(title, message string, icon fyne.Resource, win fyne.Window) {
	d := newInfoDialog(title, T("OK"), messageContent(message), win)
	d.SetIcon(icon)
	d.Show()
}

// newConfirmDialog asks a question with content: dismiss says no, confirm
// yes (drawn as the dialog's action); callback hears which, as Fyne's
// NewCustomConfirm's does.
func newConfirmDialog(title, confirm, dismiss string, content fyne.CanvasObject, callback func(bool),
	win fyne.Window) *confirmDialog {
	cd := &confirmDialog{}
	answer := func(yes bool) {
		cd.Hide()
		if callback != nil {
			callback(yes)
		}
	}
	cd.dismiss = newIconButton(dismiss, theme.CancelIcon(), func() { answer(false) })
	cd.confirm = newIconButton(confirm, theme.ConfirmIcon(), func() { answer(true) })
	cd.confirm.Importance = widget.HighImportance
	cd.CustomDialog = newCustomDialog(title, content, win, cd.dismiss, cd.confirm)
	return cd
}

// newYesNo asks a yes-or-no question: Fyne's NewConfirm with keys.
func newYesNo(title, message string, callback func(bool), win fyne.Window) *confirmDialog {
	d := newConfirmDialog(title, T("Yes"), T("No"), messageContent(message), callback, win)
	d.SetIcon(theme.QuestionIcon())
	return d
}

// showYesNo shows newYesNo's question.
func showYesNo(title, message string, callback func(bool), win fyne.Window) {
	newYesNo(title, message, callback, win).Show()
}
