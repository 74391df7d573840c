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
	"hms/app/i18n"
)

// notesTab lists the clinical and nursing notes, newest first, each with its
// addenda under it and, for those who write notes, "Add addendum" at its
// end. Notes are never edited: a correction is an addendum.
type notesTab struct {
	b     *chartBase
	notes []*app.Note

	newNote *widget.Button // those who write notes
	list    *wrappedList
	empty   *widget.Label
	form    *noteForm // the open note or addendum form

	content fyne.CanvasObject
}

func newNotesTab(b *chartBase) *notesTab {
	t := &notesTab{b: b}
	t.list = newWrappedList(func() int { return len(t.notes) }, t.newRow, t.updateRow)
	t.empty = mutedLabel(T("No notes yet."))
	t.empty.Hide()
	if kind := b.noteKind(); kind != "" {
		label := T("New clinical note")
		if kind == app.NoteNursing {
			label = T("New nursing note")
		}
		t.newNote = widget.NewButtonWithIcon(label, theme.ContentAddIcon(), func() { t.form = showNoteForm(t, nil) })
	}
	t.content = listTabContent(t.newNote, t.list, t.empty)
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
	t.empty.Hidden = len(ns) > 0
	t.empty.Refresh()
	t.list.refit()
}

func noteKindLabel(k app.NoteKind) string {
	if k == app.NoteNursing {
		return T("Nursing note")
	}
	return T("Clinical note")
}

// noteBody is the text of a note: free text, or its SOAP parts.
func noteBody(n *app.Note) string {
	var parts []string
	if s := strings.TrimSpace(n.Text); s != "" {
		parts = append(parts, s)
	}
	for _, p := range []struct{ label, text string }{
		{T("S"), n.Subjective}, {T("O"), n.Objective}, {T("A"), n.Assessment}, {T("P"), n.Plan},
	} {
		if s := strings.TrimSpace(p.text); s != "" {
			parts = append(parts, p.label+": "+s)
		}
	}
	return strings.Join(parts, "\n")
}

// noteParts are the widgets of a note's row: its heading, its text, and
// its addenda, one addendumView each, reused from row to row.
type noteParts struct {
	head, body *widget.Label
	addenda    *fyne.Container
	views      []*addendumView
}

// addendumView is one addendum under a note.
type addendumView struct {
	head, body *widget.Label
	content    fyne.CanvasObject
}

func newAddendumView() *addendumView {
	a := &addendumView{
		head: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		body: wrapLabel(""),
	}
	a.content = container.NewBorder(nil, nil, widget.NewIcon(theme.NavigateNextIcon()), nil,
		container.NewVBox(a.head, a.body))
	return a
}

func (t *notesTab) newRow() fyne.CanvasObject {
	p := &noteParts{head: sectionTitle(""), body: wrapLabel(""), addenda: container.NewVBox()}
	p.head.Truncation = fyne.TextTruncateEllipsis
	r := newListRow(container.NewVBox(p.head, p.body, p.addenda), widget.NewButton(T("Add addendum"), nil))
	r.parts = p
	return r
}

func (t *notesTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(t.notes) {
		return
	}
	n := t.notes[id]
	p := r.parts.(*noteParts)
	p.head.SetText(noteKindLabel(n.Kind) + " · " + formatTime(t.b.u, n.CreatedAt) + " · " + n.AuthorName)
	p.body.SetText(noteBody(n))
	for len(p.views) < len(n.Addenda) {
		v := newAddendumView()
		p.views = append(p.views, v)
		p.addenda.Objects = append(p.addenda.Objects, v.content)
	}
	for i, v := range p.views {
		if i >= len(n.Addenda) {
			v.content.Hide()
			continue
		}
		a := n.Addenda[i]
		v.head.SetText(Tf("Addendum · %s · %s", formatTime(t.b.u, a.CreatedAt), a.AuthorName))
		v.body.SetText(noteBody(a))
		v.content.Show()
	}
	p.addenda.Refresh()
	var addendum func()
	if t.b.noteKind() != "" {
		addendum = func() { t.form = showNoteForm(t, n) }
	}
	r.bind(n.ID, addendum)
}

// noteForm writes a new note, free text or SOAP, or an addendum to one.
type noteForm struct {
	t          *notesTab
	addendumTo *app.Note

	mode       *escSelect // free text or SOAP; nil for an addendum
	text       *escEntry
	subjective *escEntry
	objective  *escEntry
	assessment *escEntry
	plan       *escEntry
	soap       *fyne.Container
	save       *escButton
	cancel     *escButton
	errs       fieldErrors
	dialog     dialog.Dialog
}

var (
	modeFree = i18n.N("Free text")
	modeSOAP = i18n.N("SOAP")
)

func showNoteForm(t *notesTab, to *app.Note) *noteForm {
	f := &noteForm{t: t, addendumTo: to, errs: fieldErrors{}}
	multi := func(ph string, rows int) *escEntry {
		e := multiLineEntry()
		e.SetPlaceHolder(ph)
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(rows)
		return e
	}
	f.text = multi(T("The note"), 8)
	f.subjective = multi(T("What the patient reports"), 3)
	f.objective = multi(T("Findings, examination, results"), 3)
	f.assessment = multi(T("Diagnosis, impression"), 2)
	f.plan = multi(T("Treatment, follow-up"), 2)
	f.save = newButton(T("Save note"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general

	free := container.NewVBox(f.errs.add("text", f.text))
	f.soap = container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Subjective"), f.errs.add("subjective", f.subjective)),
		widget.NewFormItem(T("Objective"), f.errs.add("objective", f.objective)),
		widget.NewFormItem(T("Assessment"), f.errs.add("assessment", f.assessment)),
		widget.NewFormItem(T("Plan"), f.errs.add("plan", f.plan)),
	))
	f.soap.Hide()
	var head fyne.CanvasObject
	title := Tf("New %s", strings.ToLower(noteKindLabel(t.b.noteKind())))
	if to != nil {
		title = T("Addendum")
		f.save.SetText(T("Save addendum"))
		head = wrapLabel(Tf("To the %s of %s by %s. The note itself stays as it is.", strings.ToLower(noteKindLabel(to.Kind)),
			formatTime(t.b.u, to.CreatedAt), to.AuthorName))
	} else {
		// A select rather than a radio group: Escape on it closes the
		// dialog (escape.go), and Fyne's radio items cannot be extended.
		f.mode = newSelect([]string{T(modeFree), T(modeSOAP)}, func(m string) {
			if m == T(modeSOAP) {
				free.Hide()
				f.soap.Show()
			} else {
				f.soap.Hide()
				free.Show()
			}
		})
		f.mode.SetSelected(T(modeFree))
		head = container.NewHBox(widget.NewLabel(T("Form")), container.New(widthLayout{160}, f.mode))
	}
	note := mutedLabel(T("A saved note cannot be changed or deleted; corrections are addenda."))
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
	soap := f.mode != nil && f.mode.Selected == T(modeSOAP)
	if soap {
		n.Subjective, n.Objective, n.Assessment, n.Plan = f.subjective.Text, f.objective.Text, f.assessment.Text, f.plan.Text
	} else {
		n.Text = f.text.Text
	}
	if err := n.Validate(); err != nil {
		if soap && app.ErrorField(err) == "text" {
			// "Write the note": under the first SOAP part, the free
			// text being hidden.
			f.errs.set("subjective", errText(err))
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
