package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// topDiagnosesColumns are the columns of the dashboard's top diagnoses.
var topDiagnosesColumns = []listColumn{{i18n.N("Code"), 90, false}, {i18n.N("Diagnosis"), 0, false}, {i18n.N("Count"), 80, true}}

// topDiagnosesShown is how many codes the dashboard lists.
const topDiagnosesShown = 10

// topDiagnoses is the dashboard's list of the period's most frequent
// coded diagnoses (the morbidity report's totals by code).
type topDiagnoses struct {
	u    *UI
	list *figureList
	rep  *app.MorbidityReport // the figures shown
	rows []app.MorbidityCount // the codes listed, at most topDiagnosesShown
}

func newTopDiagnoses(u *UI) *topDiagnoses {
	t := &topDiagnoses{u: u}
	t.list = newFigureList(topDiagnosesColumns, func() int { return len(t.rows) }, t.update, nil)
	return t
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
			t.rows = nil
			t.list.show(T("Top diagnoses"), 0, errText(err))
			return
		}
		t.show(r)
	})
}

func (t *topDiagnoses) show(r *app.MorbidityReport) {
	t.rep = r
	t.rows = r.ByCode[:min(len(r.ByCode), topDiagnosesShown)]
	t.list.show(T("Top diagnoses (coded, not removed)"), len(t.rows), T("No coded diagnoses in this period."))
}

// update shows a code's count in a row.
func (t *topDiagnoses) update(id int, row *fyne.Container) {
	c := t.rows[id]
	setColumnRow(row, widget.MediumImportance, c.Key, c.Title, numberText(c.Count))
}
