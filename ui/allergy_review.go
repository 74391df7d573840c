package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// allergyReview lists the allergies in force that the prescribing check
// cannot match to the drug catalogue unambiguously, for a clinician to
// record again against the catalogue; a row opens the patient's chart.
type allergyReview struct {
	s      *dashboardScreen
	items  []*app.AllergyReviewItem
	rows   []*tapArea
	list   *fyne.Container
	dialog dialog.Dialog
}

func showAllergyReview(s *dashboardScreen) *allergyReview {
	r := &allergyReview{s: s, list: container.NewVBox(mutedLabel("Loading…"))}
	scroll := container.NewVScroll(r.list)
	scroll.SetMinSize(fyne.NewSize(760, 420))
	note := wrapLabel("These allergies are free text the prescribing check cannot match to one substance or class of the " +
		"drug catalogue: it cannot warn about them. Open the chart, record the allergy against the catalogue, and " +
		"remove the free-text one.")
	r.dialog = dialog.NewCustom("Allergies to review", "Close", container.NewBorder(note, nil, nil, nil, scroll), s.u.win)
	r.dialog.Show()
	callThen(s.u, func(ctx context.Context) ([]*app.AllergyReviewItem, error) {
		return s.u.svc.Clinical.AllergyReview(ctx)
	}, r.show)
	return r
}

func (r *allergyReview) show(items []*app.AllergyReviewItem) {
	r.items, r.rows = items, nil
	var objs []fyne.CanvasObject
	for _, it := range items {
		why := "not checkable"
		if len(it.Matches) > 1 {
			why = "names several: " + strings.Join(it.Matches, ", ")
		}
		pid := it.Allergy.PatientID
		row := newTapArea(container.NewVBox(
			widget.NewLabelWithStyle(it.PatientName+" · "+it.PatientMRN, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			wrapLabel(it.Allergy.Substance+" ("+string(it.Allergy.Severity)+") — "+why)), func() {
			r.dialog.Hide()
			r.s.openChart(pid, "Dashboard", nil)
		})
		r.rows = append(r.rows, row)
		objs = append(objs, row, widget.NewSeparator())
	}
	if len(objs) == 0 {
		objs = []fyne.CanvasObject{mutedLabel("Every allergy in force is matched to the drug catalogue.")}
	}
	r.list.Objects = objs
	r.list.Refresh()
}
