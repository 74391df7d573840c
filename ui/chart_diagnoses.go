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

// diagnosesTab lists the patient's diagnoses, newest first, removed ones
// struck through with their reason; doctors add one (a code from the
// desk's list, free text, or both; in one of the patient's notes or not)
// and remove one recorded in error.
type diagnosesTab struct {
	b     *chartBase
	list  *wrappedList
	empty *widget.Label
	add   *widget.Button // doctors

	diagnoses []*app.Diagnosis
	form      *diagnosisForm // the open form
	prompt    *promptForm    // the open removal

	content fyne.CanvasObject
}

func newDiagnosesTab(b *chartBase) *diagnosesTab {
	t := &diagnosesTab{b: b}
	t.list = newWrappedList(func() int { return len(t.diagnoses) }, t.newRow, t.updateRow)
	t.empty = mutedLabel(T("No diagnoses recorded."))
	t.empty.Hide()
	if b.can(app.PermWriteClinical) {
		t.add = widget.NewButtonWithIcon(T("Add diagnosis"), theme.ContentAddIcon(), func() { t.form = showDiagnosisForm(t) })
	}
	t.content = listTabContent(t.add, t.list, t.empty)
	return t
}

func (t *diagnosesTab) view() fyne.CanvasObject { return t.content }

func (t *diagnosesTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Diagnosis, error) {
		return b.u.svc.Diagnoses.FindDiagnoses(ctx, b.id)
	}, t.show)
}

func (t *diagnosesTab) show(ds []*app.Diagnosis) {
	t.diagnoses = ds
	t.empty.Hidden = len(ds) > 0
	t.empty.Refresh()
	t.list.refit()
}

// diagnosisParts are the widgets of a diagnosis's row.
type diagnosisParts struct {
	title, meta, removed *widget.Label
}

func (t *diagnosesTab) newRow() fyne.CanvasObject {
	p := &diagnosisParts{title: wrapLabel(""), meta: mutedLabel(""), removed: mutedLabel("")}
	r := newListRow(container.NewVBox(p.title, p.meta, p.removed), widget.NewButton(T("Remove…"), nil))
	r.parts = p
	return r
}

func (t *diagnosesTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(t.diagnoses) {
		return
	}
	d := t.diagnoses[id]
	p := r.parts.(*diagnosisParts)
	meta := formatTime(t.b.u, d.RecordedAt) + " · " + d.RecordedBy
	if d.System != "" && d.System != app.CodeSystemICD10CM {
		meta += " · " + d.System
	}
	if d.NoteID != "" {
		meta += T(" · in a note")
	}
	if d.Code == "" {
		meta += T(" · not coded")
	}
	p.meta.SetText(meta)
	removed := !d.RemovedAt.IsZero()
	p.title.TextStyle.Bold = !removed
	p.title.Importance = widget.MediumImportance
	p.removed.Hidden = !removed
	var remove func()
	if removed {
		p.title.Importance = widget.LowImportance
		p.removed.SetText(Tf("Removed %s: %s", formatTime(t.b.u, d.RemovedAt), d.RemovedReason))
	} else if t.add != nil {
		remove = func() { t.onRemove(d) }
	}
	p.title.SetText(d.Label())
	r.bind(d.ID, remove)
}

func (t *diagnosesTab) onRemove(d *app.Diagnosis) {
	b := t.b
	t.prompt = showPrompt(b.u, promptSpec{
		title: Tf("Remove diagnosis %s", d.Code),
		note:  T("The diagnosis stays in the history with the reason. Why is it removed?"),
		label: T("Reason"), field: "reason", ok: T("Remove"), danger: true,
		placeholder: T("e.g. entered in error, ruled out"),
		check: func(s string) error {
			_, err := app.ValidateReason(s, T("removing the diagnosis"))
			return err
		},
		submit: func(reason string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := b.u.svc.Diagnoses.RemoveDiagnosis(ctx, d.ID, reason)
				return err
			}
		},
		done: func() {
			t.prompt = nil
			t.load()
		},
	})
}

// diagnosisForm records a diagnosis: the search finds codes as the doctor
// types, a tap chooses one; free text goes beside it or alone.
type diagnosisForm struct {
	t *diagnosesTab

	search  *escEntry
	results *widget.List
	chosen  *widget.Label
	text    *escEntry
	note    *escSelect // the patient's clinical notes, newest first
	save    *escButton
	cancel  *escButton
	errs    fieldErrors
	dialog  dialog.Dialog

	found   []*app.DiagnosisCode
	code    *app.DiagnosisCode
	notes   []*app.Note
	pending int // the search in flight, so that an older answer does not overwrite a newer one
}

var noNote = i18n.N("Not in a note")

func showDiagnosisForm(t *diagnosesTab) *diagnosisForm {
	f := &diagnosisForm{t: t, errs: fieldErrors{}}
	f.search = entry(T("Code or words, e.g. J45 or asthma"))
	f.search.OnChanged = f.onSearch
	f.results = widget.NewList(func() int { return len(f.found) },
		func() fyne.CanvasObject { return widget.NewLabel(T("J45.909  Unspecified asthma, uncomplicated")) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(f.found[i].Code + "  " + f.found[i].Title)
		})
	f.results.OnSelected = func(i widget.ListItemID) {
		if i < len(f.found) {
			f.choose(f.found[i])
		}
	}
	f.chosen = widget.NewLabelWithStyle(T("No code chosen"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.chosen.Wrapping = fyne.TextWrapWord
	f.text = multiLineEntry()
	f.text.SetPlaceHolder(T("Free text: details, or the diagnosis when no code fits"))
	f.text.Wrapping = fyne.TextWrapWord
	f.text.SetMinRowsVisible(2)
	f.note = newSelect([]string{T(noNote)}, nil)
	f.note.SetSelected(T(noNote))
	f.save = newButton(T("Save diagnosis"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	results := container.NewGridWrap(fyne.NewSize(600, 220), f.results)
	form := widget.NewForm(
		widget.NewFormItem(T("Search"), f.search),
		widget.NewFormItem("", results),
		widget.NewFormItem(T("Code"), f.errs.add("code", f.chosen)),
		widget.NewFormItem(T("Description"), f.errs.add("text", f.text)),
		widget.NewFormItem(T("Note"), f.errs.add("note", f.note)),
	)
	content := container.NewVBox(form, general, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(t.b.u, T("Add diagnosis"), 680, content)
	t.b.u.win.Canvas().Focus(f.search)
	f.loadNotes()
	return f
}

func (f *diagnosisForm) loadNotes() {
	b := f.t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Note, error) {
		return b.u.svc.Clinical.FindNotes(ctx, b.id)
	}, func(ns []*app.Note) {
		f.notes = nil
		opts := []string{T(noNote)}
		for _, n := range ns {
			if n.Kind != app.NoteClinical || n.AddendumTo != "" {
				continue
			}
			f.notes = append(f.notes, n)
			opts = append(opts, f.noteLabel(n))
		}
		f.note.SetOptions(opts)
	})
}

func (f *diagnosisForm) noteLabel(n *app.Note) string {
	body := strings.ReplaceAll(noteBody(n), "\n", " ")
	if r := []rune(body); len(r) > 50 {
		body = string(r[:49]) + "…"
	}
	return formatTime(f.t.b.u, n.CreatedAt) + " · " + body
}

func (f *diagnosisForm) onSearch(q string) {
	b := f.t.b
	f.pending++
	mine := f.pending
	if strings.TrimSpace(q) == "" {
		f.found = nil
		f.results.Refresh()
		return
	}
	background(b.u, func(ctx context.Context) ([]*app.DiagnosisCode, error) {
		return b.u.svc.Diagnoses.SearchCodes(ctx, q, 50)
	}, func(found []*app.DiagnosisCode, err error) {
		if mine != f.pending {
			return
		}
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.found = found
		f.results.UnselectAll()
		f.results.Refresh()
	})
}

func (f *diagnosisForm) choose(c *app.DiagnosisCode) {
	f.code = c
	f.chosen.SetText(c.Code + " " + c.Title)
	f.errs.clear()
}

func (f *diagnosisForm) onSave() {
	f.errs.clear()
	b := f.t.b
	c := app.DiagnosisCreate{PatientID: b.id, Text: f.text.Text}
	if f.code != nil {
		c.System, c.Code = f.code.System, f.code.Code
	}
	for _, n := range f.notes {
		if f.note.Selected == f.noteLabel(n) {
			c.NoteID = n.ID
		}
	}
	if err := c.Validate(); err != nil {
		f.errs.show(err, b.u.win)
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Diagnosis, error) {
		return b.u.svc.Diagnoses.AddDiagnosis(ctx, c)
	}, func(_ *app.Diagnosis, err error) {
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
