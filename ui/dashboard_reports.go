package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// everyDoctor is the doctor select's "no filter" choice.
var everyDoctor = i18n.N("Every doctor")

// Bounds of a preview column's width, and how many rows are measured to
// choose it.
const (
	minReportColumn    = 70
	maxReportColumn    = 360
	measuredReportRows = 200
)

// reportChoice is a report a role may export, and what it needs.
type reportChoice struct {
	kind  app.ReportKind
	label string
	perm  app.Permission
}

// reportChoices are the reports, in the order the select offers them.
var reportChoices = []reportChoice{
	{app.ReportAppointments, i18n.N("Appointments by period and doctor"), app.PermViewStatistics},
	{app.ReportRevenue, i18n.N("Revenue by day, service and doctor"), app.PermViewFinancial},
	{app.ReportOutstanding, i18n.N("Outstanding invoices (now)"), app.PermViewFinancial},
	{app.ReportNewPatients, i18n.N("New patients"), app.PermViewStatistics},
	{app.ReportAuditLog, i18n.N("Audit log"), app.PermViewAudit},
	{app.ReportMorbidity, i18n.N("Morbidity: diagnoses by chapter, code, age and sex"), app.PermViewOwnStats},
}

// reportsView is the Reports tab of the Dashboard area: a report and its
// filters (the period; the doctor for appointments and revenue; the user
// and patient for the audit log), a preview of its table, and exports as
// CSV (to a file the user chooses) and as PDF (into the documents folder,
// to open or print).
type reportsView struct {
	u *UI

	choices []reportChoice // those the role may export
	doctors []*app.DoctorProfile
	table   *app.Table // the preview shown; nil before one
	numeric []bool     // columns whose cells are numbers, aligned right
	// seq numbers previews; answers to an older one are dropped.
	seq int
	// saveFile asks where to save a file named name and calls done with
	// it, or with nil when the user cancels; tests replace it.
	saveFile func(name string, done func(fyne.URIWriteCloser, error))

	kind      *escSelect
	period    *periodPicker
	doctor    *escSelect
	username  *escEntry
	patient   *patientPicker
	periodBox *fyne.Container
	doctorBox *fyne.Container
	auditBox  *fyne.Container
	preview   *widget.Button
	exportCSV *widget.Button
	exportPDF *widget.Button
	title     *widget.Label
	subtitle  *widget.Label
	note      *widget.Label // rows, and whether the PDF prints them all
	grid      *widget.Table
	errs      fieldErrors

	content fyne.CanvasObject
}

func newReportsView(u *UI) *reportsView {
	v := &reportsView{u: u, errs: fieldErrors{}}
	v.saveFile = v.saveFileDialog
	for _, c := range reportChoices {
		if app.Can(u.session.User.Role, c.perm) {
			v.choices = append(v.choices, c)
		}
	}
	v.buildUI()
	return v
}

func (v *reportsView) view() fyne.CanvasObject { return v.content }

func (v *reportsView) buildUI() {
	labels := make([]string, len(v.choices))
	for i, c := range v.choices {
		labels[i] = T(c.label)
	}
	v.kind = newSelect(labels, nil)
	v.period = newPeriodPicker(v.u, app.PeriodMonth, v.onPreview)
	v.doctor = newSelect([]string{T(everyDoctor)}, nil)
	v.doctor.SetSelectedIndex(0)
	v.doctor.OnChanged = func(string) { v.onPreview() }
	v.username = entry(T("Every user"))
	v.username.OnSubmitted = func(string) { v.onPreview() }
	v.patient = newPatientPicker(v.u)
	v.preview = widget.NewButtonWithIcon(T("Preview"), theme.SearchIcon(), v.onPreview)
	v.exportCSV = widget.NewButtonWithIcon(T("Export CSV…"), theme.DownloadIcon(), v.onExportCSV)
	v.exportPDF = widget.NewButtonWithIcon(T("Export PDF"), theme.DocumentPrintIcon(), v.onExportPDF)
	v.exportPDF.Importance = widget.HighImportance
	v.title = sectionTitle("")
	v.subtitle = mutedLabel("")
	v.note = mutedLabel("")
	v.errs[""] = newErrorLabel()
	v.grid = widget.NewTable(v.size, v.newCell, v.updateCell)
	v.grid.ShowHeaderRow = true
	v.grid.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.grid.UpdateHeader = v.updateHeader

	v.periodBox = container.NewHBox(filterLabel(T("Period")), v.period.content)
	v.doctorBox = container.NewHBox(filterLabel(T("Doctor")), container.New(widthLayout{320}, v.doctor))
	v.auditBox = container.NewHBox(
		filterLabel(T("User")), container.NewVBox(container.New(widthLayout{200}, v.username)),
		filterLabel(T("Patient")), container.New(widthLayout{320}, v.patient.content))
	top := container.NewVBox(
		container.NewHBox(filterLabel(T("Report")), container.New(widthLayout{340}, v.kind),
			v.preview, v.exportCSV, v.exportPDF),
		v.periodBox, v.doctorBox, v.auditBox, v.errs[""],
		widget.NewSeparator(),
		v.title, v.subtitle,
	)
	v.content = container.NewBorder(top, v.note, nil, nil, v.grid)
	if len(labels) > 0 {
		v.kind.SetSelectedIndex(0)
	}
	v.showFilters()
	v.kind.OnChanged = func(string) { v.onKind() }
}

// filterLabel names a filter in front of its field, all of them the same
// width so that the fields line up.
func filterLabel(text string) fyne.CanvasObject {
	return container.New(widthLayout{80}, widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
}

// load reads the doctors for the doctor filter, once, and previews the
// report chosen.
func (v *reportsView) load() {
	if len(v.doctors) == 0 {
		background(v.u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
			return findDoctors(ctx, v.u, "")
		}, func(ds []*app.DoctorProfile, err error) {
			if err != nil {
				showError(err, v.u.win)
				return
			}
			v.setDoctors(ds)
		})
	}
	v.onPreview()
}

// setDoctors offers ds in the doctor filter, after "Every doctor".
func (v *reportsView) setDoctors(ds []*app.DoctorProfile) {
	v.doctors = ds
	opts := []string{T(everyDoctor)}
	for _, d := range ds {
		opts = append(opts, doctorLabel(d))
	}
	v.doctor.SetOptions(opts)
}

// choice is the report chosen.
func (v *reportsView) choice() app.ReportKind {
	if i := v.kind.SelectedIndex(); i >= 0 && i < len(v.choices) {
		return v.choices[i].kind
	}
	return ""
}

// onKind shows the filters the report chosen takes and previews it.
func (v *reportsView) onKind() {
	v.showFilters()
	v.onPreview()
}

// showFilters shows the filters the report chosen takes.
func (v *reportsView) showFilters() {
	k := v.choice()
	v.periodBox.Hidden = k == app.ReportOutstanding
	v.doctorBox.Hidden = k != app.ReportAppointments && k != app.ReportRevenue
	v.auditBox.Hidden = k != app.ReportAuditLog
	v.content.Refresh()
}

// request reads the report and its filters; ok is false, with the reason
// next to the field, when one is wrong.
func (v *reportsView) request() (r app.ReportRequest, ok bool) {
	v.errs.clear()
	r.Kind = v.choice()
	if r.Kind == "" {
		v.errs.set("", T("Choose a report."))
		return r, false
	}
	if r.Kind != app.ReportOutstanding {
		if r.Period, ok = v.period.period(); !ok {
			return r, false
		}
	}
	if !v.doctorBox.Hidden {
		if i := v.doctor.SelectedIndex(); i > 0 && i <= len(v.doctors) {
			r.DoctorID = v.doctors[i-1].UserID
		}
	}
	if !v.auditBox.Hidden {
		r.Username = strings.TrimSpace(v.username.Text)
		r.PatientID = v.patient.patientID()
	}
	return r, true
}

// showErr shows a refused request next to the period when it is about
// the period, else on the view's message line.
func (v *reportsView) showErr(err error) {
	if app.ErrorField(err) == "period" {
		v.period.errs.show(err, v.u.win)
		return
	}
	v.errs.show(err, v.u.win)
}

// onPreview reads the report's table and shows it.
func (v *reportsView) onPreview() {
	r, ok := v.request()
	if !ok {
		return
	}
	v.seq++
	seq := v.seq
	v.preview.Disable()
	v.note.SetText(T("Loading…"))
	background(v.u, func(ctx context.Context) (*app.Table, error) {
		return v.u.svc.Dashboard.ReportTable(ctx, r)
	}, func(t *app.Table, err error) {
		if seq != v.seq {
			return
		}
		v.preview.Enable()
		if err != nil {
			v.show(&app.Table{}) // not the table of other filters
			v.note.SetText("")
			v.showErr(err)
			return
		}
		v.show(t)
	})
}

// show puts a report's table on screen, its columns as wide as their
// texts and numbers aligned right.
func (v *reportsView) show(t *app.Table) {
	t = localTable(t)
	v.table = t
	v.title.SetText(t.Title)
	v.subtitle.SetText(t.Subtitle)
	widths, numeric := measureColumns(t)
	v.numeric = numeric
	for i, w := range widths {
		v.grid.SetColumnWidth(i, w)
	}
	note := Tf("%s rows.", numberText(len(t.Rows)))
	switch len(t.Rows) {
	case 0:
		note = T("Nothing to report for these filters.")
	case 1:
		note = T("1 row.")
	}
	if len(t.Rows) > app.MaxPDFRows {
		note += Tf(" The PDF prints the first %s rows; the CSV has them all.", numberText(app.MaxPDFRows))
	}
	v.note.SetText(note)
	v.grid.Refresh()
	v.grid.ScrollToTop()
}

// localTable is t with its title, subtitle, columns and footer in the
// screens' language (app.Table.In).
func localTable(t *app.Table) *app.Table { return t.In(Tx) }

// measureColumns chooses each column's width from its header and its
// first rows, and finds the columns of numbers.
func measureColumns(t *app.Table) (widths []float32, numeric []bool) {
	pad := 2*theme.InnerPadding() + 2*theme.Padding()
	bold := fyne.TextStyle{Bold: true}
	widths = make([]float32, len(t.Columns))
	numeric = make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = fyne.MeasureText(c, theme.TextSize(), bold).Width
		numeric[i] = len(t.Rows) > 0
	}
	rows := t.Rows[:min(len(t.Rows), measuredReportRows)]
	if len(t.Footer) > 0 {
		rows = append(rows[:len(rows):len(rows)], t.Footer)
	}
	for _, row := range rows {
		for i := range min(len(row), len(widths)) {
			widths[i] = max(widths[i], fyne.MeasureText(row[i], theme.TextSize(), bold).Width)
			numeric[i] = numeric[i] && isNumber(row[i])
		}
	}
	for i := range widths {
		widths[i] = min(max(widths[i]+pad, minReportColumn), maxReportColumn)
	}
	return widths, numeric
}

// isNumber reports whether a cell holds a count, an amount or a rate (or
// nothing), which read best aligned right.
func isNumber(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "-")
	return strings.Trim(s, "0123456789,.% ") == ""
}

// size is the preview's rows (its footer last) and columns.
func (v *reportsView) size() (int, int) {
	if v.table == nil {
		return 0, 0
	}
	rows := len(v.table.Rows)
	if len(v.table.Footer) > 0 {
		rows++
	}
	return rows, len(v.table.Columns)
}

func (v *reportsView) newCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (v *reportsView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	text, footer := v.cell(id.Row, id.Col)
	l.TextStyle.Bold = footer
	l.Alignment = fyne.TextAlignLeading
	if id.Col < len(v.numeric) && v.numeric[id.Col] {
		l.Alignment = fyne.TextAlignTrailing
	}
	l.SetText(text)
}

// cell is the text at row, col of the preview, and whether it is in the
// footer.
func (v *reportsView) cell(row, col int) (text string, footer bool) {
	if v.table == nil {
		return "", false
	}
	r := v.table.Footer
	footer = true
	if row < len(v.table.Rows) {
		r, footer = v.table.Rows[row], false
	}
	if col < 0 || col >= len(r) {
		return "", footer
	}
	return r[col], footer
}

func (v *reportsView) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if v.table == nil || id.Col < 0 || id.Col >= len(v.table.Columns) {
		l.SetText("")
		return
	}
	l.Alignment = fyne.TextAlignLeading
	if v.numeric[id.Col] {
		l.Alignment = fyne.TextAlignTrailing
	}
	l.SetText(v.table.Columns[id.Col])
}

// fileName names an export of r: "report-revenue-2026-11-01-2026-11-30.csv".
func (v *reportsView) fileName(r app.ReportRequest, ext string) string {
	span := todayOf(v.u).String()
	if r.Kind != app.ReportOutstanding {
		span = r.Period.From.String() + "-" + r.Period.Last().String()
	}
	return "report-" + strings.ReplaceAll(string(r.Kind), "_", "-") + "-" + span + "." + ext
}

// onExportCSV asks where to save the report as CSV, then writes it there.
func (v *reportsView) onExportCSV() {
	r, ok := v.request()
	if !ok {
		return
	}
	v.saveFile(v.fileName(r, "csv"), func(w fyne.URIWriteCloser, err error) { v.writeCSV(r, w, err) })
}

// saveFileDialog is the save dialog for a CSV file.
func (v *reportsView) saveFileDialog(name string, done func(fyne.URIWriteCloser, error)) {
	saveDialog(v.u.win, name, []string{".csv"}, done)
}

// writeCSV exports r as CSV into the file the user chose (nothing when
// they cancelled) and says where it went.
func (v *reportsView) writeCSV(r app.ReportRequest, w fyne.URIWriteCloser, err error) {
	if err != nil {
		showError(err, v.u.win)
		return
	}
	if w == nil {
		return
	}
	name := w.URI().Name()
	v.exportCSV.Disable()
	background(v.u, func(ctx context.Context) (struct{}, error) {
		err := v.u.svc.Dashboard.ExportCSV(ctx, r, w)
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", name, cerr)
		}
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		v.exportCSV.Enable()
		if err != nil {
			v.showErr(err)
			return
		}
		showMessage(T("Report exported"), Tf("Saved the report as %s.", name), v.u.win)
	})
}

// onExportPDF prints the report as PDF into the documents folder.
func (v *reportsView) onExportPDF() {
	r, ok := v.request()
	if !ok {
		return
	}
	v.u.printDocument(v.exportPDF, v.fileName(r, "pdf"), func(ctx context.Context) ([]byte, error) {
		return v.u.svc.Dashboard.ExportPDF(ctx, r)
	})
}
