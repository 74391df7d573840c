package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// topDiagnosesColumns are the columns of the dashboard's top diagnoses.
var topDiagnosesColumns = []listColumn{{"Code", 90, false}, {"Diagnosis", 0, false}, {"Count", 80, true}}

// topDiagnosesShown is how many codes the dashboard lists.
const topDiagnosesShown = 10

// topDiagnoses is the dashboard's list of the period's most frequent
// coded diagnoses (the morbidity report's totals by code).
type topDiagnoses struct {
	u   *UI
	box *fyne.Container
	rep *app.MorbidityReport // the figures shown
}

func newTopDiagnoses(u *UI) *topDiagnoses {
	return &topDiagnoses{u: u, box: container.NewVBox()}
}

// load reads the period's report; current says whether the answer is
// still wanted.
func (t *topDiagnoses) load(p app.Period, current func() bool) {
	if t.u.svc.Diagnoses == nil {
		return
	}
	from, to := p.Bounds(t.u.location())
	background(t.u, func(ctx context.Context) (*app.MorbidityReport, error) {
		return t.u.svc.Diagnoses.MorbidityReport(ctx, app.MorbidityFilter{From: from, To: to})
	}, func(r *app.MorbidityReport, err error) {
		if !current() {
			return
		}
		if err != nil {
			setTable(t.box, "Top diagnoses", topDiagnosesColumns, nil, app.ErrorMessage(err))
			return
		}
		t.show(r)
	})
}

func (t *topDiagnoses) show(r *app.MorbidityReport) {
	t.rep = r
	var rows []fyne.CanvasObject
	for i, c := range r.ByCode {
		if i == topDiagnosesShown {
			break
		}
		row := tableRow(topDiagnosesColumns, false)
		setColumnRow(row, widget.MediumImportance, c.Key, c.Title, numberText(c.Count))
		rows = append(rows, row)
	}
	setTable(t.box, "Top diagnoses (coded, not removed)", topDiagnosesColumns, rows, "No coded diagnoses in this period.")
}
