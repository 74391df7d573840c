package ui

// The kit every screen builds with: labels, headings, button rows, dialogs
// for a form or a one-line prompt, and a service call off the UI goroutine.

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// promptSpec describes a dialog that asks for one line of text (a reason,
// a record number) and runs a service call with it.
type promptSpec struct {
	title, note, label, field string
	aliases                   []string
	ok                        string
	danger                    bool
	placeholder               string
	initial                   string
	// check returns an error when the text is not acceptable; its field
	// should be the prompt's.
	check func(string) error
	// submit returns the service call to run, off the UI goroutine.
	submit func(text string) func(context.Context) error
	// done runs on the UI goroutine after a successful call.
	done func()
}

// promptForm is an open prompt.
type promptForm struct {
	entry   *escEntry
	ok      *escButton
	cancel  *escButton
	errs    fieldErrors
	dialog  dialog.Dialog
	content fyne.CanvasObject
}

// showPrompt opens a prompt: the text is checked, then the call runs off
// the UI goroutine; a refusal shows next to the field.
func showPrompt(u *UI, spec promptSpec) *promptForm {
	f := &promptForm{errs: fieldErrors{}}
	f.entry = newEscEntry(spec.placeholder)
	f.entry.SetText(spec.initial)
	f.ok = newButton(spec.ok, nil)
	f.ok.Importance = widget.HighImportance
	if spec.danger {
		f.ok.Importance = widget.DangerImportance
	}
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	note := widget.NewLabel(spec.note)
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(spec.label, f.errs.add(spec.field, f.entry)))
	for _, a := range spec.aliases {
		f.errs.alias(a, spec.field)
	}
	onOK := func() {
		f.errs.clear()
		text := strings.TrimSpace(f.entry.Text)
		if spec.check != nil {
			if err := spec.check(text); err != nil {
				f.errs.show(err, u.win)
				return
			}
		}
		call := spec.submit(text)
		f.ok.Disable()
		background(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, call(ctx)
		}, func(_ struct{}, err error) {
			f.ok.Enable()
			if err != nil {
				f.errs.show(err, u.win)
				return
			}
			f.dialog.Hide()
			if spec.done != nil {
				spec.done()
			}
		})
	}
	f.ok.OnTapped = onOK
	f.entry.OnSubmitted = func(string) { onOK() }
	f.content = container.NewVBox(note, form, general, container.NewHBox(f.cancel, layout.NewSpacer(), f.ok))
	f.dialog = dialog.NewCustomWithoutButtons(spec.title, container.New(widthLayout{480}, f.content), u.win)
	f.dialog.Show()
	u.win.Canvas().Focus(f.entry)
	return f
}

// showFormDialog shows content in a dialog without buttons of its own.
func showFormDialog(u *UI, title string, width float32, content fyne.CanvasObject) dialog.Dialog {
	d := dialog.NewCustomWithoutButtons(title, container.New(widthLayout{width}, content), u.win)
	d.Show()
	return d
}

// sectionTitle is a bold heading inside a tab.
func sectionTitle(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// wrapLabel is a label that wraps its text.
func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// mutedLabel is a low-importance label for empty states and details.
func mutedLabel(text string) *widget.Label {
	l := wrapLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// buttonsRow is the row of a form's buttons: cancel on the left, the action
// on the right.
func buttonsRow(cancel, ok *escButton) fyne.CanvasObject {
	return container.NewHBox(cancel, layout.NewSpacer(), ok)
}

// callThen runs a service call off the UI goroutine, then hands its result
// to done on the UI goroutine, or shows the error.
func callThen[T any](u *UI, call func(ctx context.Context) (T, error), done func(T)) {
	background(u, call, func(v T, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		done(v)
	})
}
