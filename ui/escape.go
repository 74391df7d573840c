package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Escape closes the dialog on top, as its own way out would: the button
// that leaves it without doing anything (Cancel, Close, Back, …), so that
// what the form does on closing happens as when it is clicked.

// escapeLabels are the labels of the buttons that leave a dialog without
// doing anything, the likeliest first. "OK" ends a message.
var escapeLabels = []string{"Cancel", "Close", "Back", "Later", "Keep", "No", "Not now", "Done", "OK"}

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
		if b := buttons[l]; b != nil {
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

// escEntry is an entry on which Escape closes the dialog it is in: an
// entry takes the keys while it has the focus, so the window never sees
// that Escape.
type escEntry struct {
	widget.Entry
}

func newEscEntry(placeholder string) *escEntry {
	e := &escEntry{}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	return e
}

// TypedKey closes the dialog on Escape; other keys are the entry's.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && escapeCanvas(c) {
			return
		}
	}
	e.Entry.TypedKey(k)
}
