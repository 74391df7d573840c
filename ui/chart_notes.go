package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// notesTab lists the clinical and nursing notes, newest first, each with its
// addenda under it. Notes are never edited: a correction is an addendum.
type notesTab struct {
	b     *chartBase
	notes []*app.Note

	newNote  *widget.Button            // those who write notes
	addendum map[string]*widget.Button // "Add addendum" by note id
	list     *fyne.Container
	form     *noteForm // the open note or addendum form

	content fyne.CanvasObject
}

func newNotesTab(b *chartBase) *notesTab {
	t := &notesTab{b: b, addendum: map[string]*widget.Button{}}
	t.list = container.NewVBox()
	if kind := b.noteKind(); kind != "" {
		label := "New clinical note"
		if kind == app.NoteNursing {
			label = "New nursing note"
		}
		t.newNote = widget.NewButtonWithIcon(label, theme.ContentAddIcon(), func() { t.form = showNoteForm(t, nil) })
	}
	t.content = listTabContent(t.newNote, t.list)
	return t
}

func (t *notesTab) view() fyne.CanvasObject { return t.content }

func (t *notesTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Note, error) {
		return b.u.svc.Clinical.FindNotes(ctx, b.id)
	}, func(ns []*app.Note) {
		t.show(ns)
	})
}

func (t *notesTab) show(ns []*app.Note) {
	t.notes = ns
	t.addendum = map[string]*widget.Button{}
	var rows []fyne.CanvasObject
	for _, n := range ns {
		rows = append(rows, t.noteView(n))
	}
	if len(rows) == 0 {
		rows = []fyne.CanvasObject{mutedLabel("No notes yet.")}
	}
	t.list.Objects = rows
	t.list.Refresh()
}

func noteKindLabel(k app.NoteKind) string {
	if k == app.NoteNursing {
		return "Nursing note"
	}
	return "Clinical note"
}

// noteBody is the text of a note: free text, or its SOAP parts.
func noteBody(n *app.Note) string {
	var parts []string
	if s := strings.TrimSpace(n.Text); s != "" {
		parts = append(parts, s)
	}
	for _, p := range []struct{ label, text string }{
		{"S", n.Subjective}, {"O", n.Objective}, {"A", n.Assessment}, {"P", n.Plan},
	} {
		if s := strings.TrimSpace(p.text); s != "" {
			parts = append(parts, p.label+": "+s)
		}
	}
	return strings.Join(parts, "\n")
}

func (t *notesTab) noteView(n *app.Note) fyne.CanvasObject {
	head := sectionTitle(noteKindLabel(n.Kind) + " · " + formatTime(t.b.u, n.CreatedAt) + " · " + n.AuthorName)
	body := wrapLabel(noteBody(n))
	box := container.NewVBox(head, body)
	for _, a := range n.Addenda {
		ah := widget.NewLabelWithStyle("Addendum · "+formatTime(t.b.u, a.CreatedAt)+" · "+a.AuthorName,
			fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.NavigateNextIcon()), nil,
			container.NewVBox(ah, wrapLabel(noteBody(a)))))
	}
	if t.b.noteKind() != "" {
		btn := widget.NewButton("Add addendum", func() { t.form = showNoteForm(t, n) })
		t.addendum[n.ID] = btn
		box.Add(container.NewHBox(btn))
	}
	box.Add(widget.NewSeparator())
	return box
}

// noteForm writes a new note, free text or SOAP, or an addendum to one.
type noteForm struct {
	t          *notesTab
	addendumTo *app.Note

	mode       *widget.RadioGroup // free text or SOAP; nil for an addendum
	text       *widget.Entry
	subjective *widget.Entry
	objective  *widget.Entry
	assessment *widget.Entry
	plan       *widget.Entry
	soap       *fyne.Container
	save       *widget.Button
	cancel     *widget.Button
	errs       fieldErrors
	dialog     dialog.Dialog
}

const (
	modeFree = "Free text"
	modeSOAP = "SOAP"
)

func showNoteForm(t *notesTab, to *app.Note) *noteForm {
	f := &noteForm{t: t, addendumTo: to, errs: fieldErrors{}}
	multi := func(ph string, rows int) *widget.Entry {
		e := widget.NewMultiLineEntry()
		e.SetPlaceHolder(ph)
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(rows)
		return e
	}
	f.text = multi("The note", 8)
	f.subjective = multi("What the patient reports", 3)
	f.objective = multi("Findings, examination, results", 3)
	f.assessment = multi("Diagnosis, impression", 2)
	f.plan = multi("Treatment, follow-up", 2)
	f.save = widget.NewButton("Save note", f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButton("Cancel", func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general

	free := container.NewVBox(f.errs.add("text", f.text))
	f.soap = container.NewVBox(widget.NewForm(
		widget.NewFormItem("Subjective", f.errs.add("subjective", f.subjective)),
		widget.NewFormItem("Objective", f.errs.add("objective", f.objective)),
		widget.NewFormItem("Assessment", f.errs.add("assessment", f.assessment)),
		widget.NewFormItem("Plan", f.errs.add("plan", f.plan)),
	))
	f.soap.Hide()
	var head fyne.CanvasObject
	title := "New " + strings.ToLower(noteKindLabel(t.b.noteKind()))
	if to != nil {
		title = "Addendum"
		f.save.SetText("Save addendum")
		head = wrapLabel("To the " + strings.ToLower(noteKindLabel(to.Kind)) + " of " + formatTime(t.b.u, to.CreatedAt) +
			" by " + to.AuthorName + ". The note itself stays as it is.")
	} else {
		f.mode = widget.NewRadioGroup([]string{modeFree, modeSOAP}, func(m string) {
			if m == modeSOAP {
				free.Hide()
				f.soap.Show()
			} else {
				f.soap.Hide()
				free.Show()
			}
		})
		f.mode.Horizontal = true
		f.mode.Required = true
		f.mode.SetSelected(modeFree)
		head = f.mode
	}
	note := mutedLabel("A saved note cannot be changed or deleted; corrections are addenda.")
	content := container.NewVBox(head, free, f.soap, general, note, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(t.b.u, title, 640, content)
	t.b.u.win.Canvas().Focus(f.text)
	return f
}

func (f *noteForm) onSave() {
	f.errs.clear()
	b := f.t.b
	n := app.NoteCreate{PatientID: b.id, Kind: b.noteKind()}
	if f.addendumTo != nil {
		n.AddendumTo = f.addendumTo.ID
	}
	soap := f.mode != nil && f.mode.Selected == modeSOAP
	if soap {
		n.Subjective, n.Objective, n.Assessment, n.Plan = f.subjective.Text, f.objective.Text, f.assessment.Text, f.plan.Text
	} else {
		n.Text = f.text.Text
	}
	if err := n.Validate(); err != nil {
		if soap && app.ErrorField(err) == "text" {
			// "Write the note": under the first SOAP part, the free
			// text being hidden.
			f.errs.set("subjective", app.ErrorMessage(err))
			return
		}
		f.errs.show(err, b.u.win)
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Note, error) {
		return b.u.svc.Clinical.AddNote(ctx, n)
	}, func(_ *app.Note, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.t.form = nil
		f.t.load()
	})
}
