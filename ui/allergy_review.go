package ui

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// allergyReview lists the allergies in force that the prescribing check
// cannot match to the drug catalogue unambiguously, for a clinician to
// record again against the catalogue; selecting a row opens the patient's
// chart.
type allergyReview struct {
	s      *dashboardScreen
	items  []*app.AllergyReviewItem
	list   *wrappedList
	empty  *widget.Label
	dialog dialog.Dialog
}

func showAllergyReview(s *dashboardScreen) *allergyReview {
	r := &allergyReview{s: s, empty: mutedLabel(T("Loading…"))}
	r.list = newWrappedList(func() int { return len(r.items) }, r.newRow, r.updateRow)
	r.list.OnSelected = func(id widget.ListItemID) {
		r.list.UnselectAll()
		if id >= 0 && id < len(r.items) {
			r.dialog.Hide()
			r.s.openChart(r.items[id].Allergy.PatientID, T("Dashboard"), nil)
		}
	}
	size := canvas.NewRectangle(color.Transparent) // the list's room: a list asks for one row
	size.SetMinSize(fyne.NewSize(760, 420))
	body := container.NewStack(size, r.list, container.NewVBox(r.empty))
	note := wrapLabel(T("These allergies are free text the prescribing check cannot match to one substance or class of the " +
		"drug catalogue: it cannot warn about them. Open the chart, record the allergy against the catalogue, and " +
		"remove the free-text one."))
	r.dialog = newInfoDialog(T("Allergies to review"), T("Close"), container.NewBorder(note, nil, nil, nil, body), s.u.win)
	r.dialog.Show()
	callThen(s.u, func(ctx context.Context) ([]*app.AllergyReviewItem, error) {
		return s.u.svc.Clinical.AllergyReview(ctx)
	}, r.show)
	return r
}

func (r *allergyReview) show(items []*app.AllergyReviewItem) {
	r.items = items
	r.empty.SetText(T("Every allergy in force is matched to the drug catalogue."))
	r.empty.Hidden = len(items) > 0
	r.empty.Refresh()
	r.list.refit()
}

// allergyParts are the widgets of a row of the review.
type allergyParts struct{ who, what *widget.Label }

func (r *allergyReview) newRow() fyne.CanvasObject {
	p := &allergyParts{who: sectionTitle(""), what: wrapLabel("")}
	row := newListRow(container.NewVBox(p.who, p.what))
	row.parts = p
	return row
}

func (r *allergyReview) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	row, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(r.items) {
		return
	}
	it := r.items[id]
	why := T("not checkable")
	if len(it.Matches) > 1 {
		why = Tf("names several: %s", strings.Join(it.Matches, ", "))
	}
	p := row.parts.(*allergyParts)
	p.who.SetText(it.PatientName + " · " + it.PatientMRN)
	p.what.SetText(it.Allergy.Substance + " (" + string(it.Allergy.Severity) + ") — " + why)
	row.bind(it.Allergy.ID)
}
