package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// lettersTab lists a patient's letters (sick notes, referral letters),
// newest first, each printed again (marked COPY) the way every document
// goes. My record shows a patient their own, as it shows their
// prescriptions.
type lettersTab struct {
	b       *chartBase
	letters []*app.Letter
	list    *wrappedList
	empty   *widget.Label
	content fyne.CanvasObject
}

func newLettersTab(b *chartBase) *lettersTab {
	t := &lettersTab{b: b}
	t.list = newWrappedList(func() int { return len(t.letters) }, t.newRow, t.updateRow)
	t.empty = mutedLabel(T("No letters."))
	t.empty.Hide()
	t.content = listTabContent(nil, t.list, t.empty)
	return t
}

func (t *lettersTab) view() fyne.CanvasObject { return t.content }

func (t *lettersTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Letter, error) {
		return b.u.svc.Visits.FindLetters(ctx, b.id)
	}, func(ls []*app.Letter) {
		t.letters = ls
		t.empty.Hidden = len(ls) > 0
		t.empty.Refresh()
		t.list.refit()
	})
}

func (t *lettersTab) newRow() fyne.CanvasObject {
	l := wrapLabel("")
	r := newListRow(l, widget.NewButtonWithIcon(T("Print / Save PDF"), theme.DocumentPrintIcon(), nil))
	r.parts = l
	return r
}

func (t *lettersTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(t.letters) {
		return
	}
	l := t.letters[id]
	r.parts.(*widget.Label).SetText(l.IssuedOn + " · " + l.Summary() + " · " + l.DoctorName)
	u := t.b.u
	r.bind(l.ID, func() {
		u.printDocument(nil, l.FileName(), func(ctx context.Context) ([]byte, error) {
			return u.svc.Visits.ReprintLetter(ctx, l.ID)
		})
	})
}
