package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// drillKind names one of the lists behind the dashboard's figures.
type drillKind int

// The lists behind the figures.
const (
	drillAppointments drillKind = iota
	drillNewPatients
	drillInvoices
	drillPayments
	drillOutstanding
)

// drillPageSize is how many rows one page of a list behind a figure holds.
const drillPageSize = 50

// drillSpec chooses the list behind a figure and its title.
type drillSpec struct {
	kind  drillKind
	title string
	req   app.DrillDown
}

// drillRow is one row of a list behind a figure.
type drillRow struct {
	cells     []string
	patientID string
	imp       widget.Importance
}

// drillPage is one page of rows and the cursor of the next ("" on the last).
type drillPage struct {
	rows []drillRow
	next string
}

// drillView is the list behind a dashboard figure, a page at a time. A
// row opens the patient's chart (appointments, new patients) or their
// statement (invoices, payments); Back returns to the figures.
type drillView struct {
	u      *UI
	screen *dashboardScreen
	spec   drillSpec
	cols   []listColumn

	rows []drillRow
	// cursors holds the cursor of each page shown so far, so "Previous"
	// can go back; the last one is the current page's.
	cursors []string
	next    string
	seq     int

	back     *widget.Button
	title    *widget.Label
	prev     *widget.Button
	nextPage *widget.Button
	info     *widget.Label
	list     *widget.List

	content fyne.CanvasObject
}

func newDrillView(u *UI, spec drillSpec, screen *dashboardScreen) *drillView {
	v := &drillView{u: u, screen: screen, spec: spec, cols: drillColumns(spec.kind), cursors: []string{""}}
	v.spec.req.Limit = drillPageSize
	v.buildUI()
	return v
}

func (v *drillView) buildUI() {
	v.back = widget.NewButtonWithIcon(T("Dashboard"), theme.NavigateBackIcon(), v.screen.closeDrill)
	v.title = widget.NewLabelWithStyle(v.spec.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.prev = widget.NewButtonWithIcon(T("Previous page"), theme.NavigateBackIcon(), v.onPrevious)
	v.nextPage = widget.NewButtonWithIcon(T("Next page"), theme.NavigateNextIcon(), v.onNext)
	v.prev.Disable()
	v.nextPage.Disable()
	v.info = widget.NewLabel(T("Loading…"))
	v.info.Importance = widget.LowImportance
	v.list = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject { return newColumnRow(v.cols) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(v.rows) {
				setColumnRow(o.(*fyne.Container), v.rows[id].imp, v.rows[id].cells...)
			}
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.rows) {
			v.open(v.rows[id])
		}
	}
	top := container.NewVBox(
		container.NewBorder(nil, nil, v.back, nil, v.title),
		mutedLabel(v.hint()),
		columnHeader(v.cols),
		widget.NewSeparator(),
	)
	bottom := container.NewHBox(v.info, layout.NewSpacer(), v.prev, v.nextPage)
	v.content = container.NewBorder(top, bottom, nil, nil, v.list)
}

// hint says what selecting a row does.
func (v *drillView) hint() string {
	switch v.spec.kind {
	case drillAppointments, drillNewPatients:
		return T("Select a row to open the patient's chart.")
	case drillOutstanding:
		return T("Oldest first, whatever the period. Select an invoice for the patient's statement.")
	}
	return T("Select a row for the patient's statement.")
}

// open shows what a row stands for: the patient's chart for appointments
// and new patients, the patient's statement for money.
func (v *drillView) open(r drillRow) {
	if r.patientID == "" {
		return
	}
	switch v.spec.kind {
	case drillAppointments, drillNewPatients:
		v.screen.openChart(r.patientID, T("Back to the list"), nil)
	default:
		showStatement(v.u, r.patientID)
	}
}

// load shows the first page.
func (v *drillView) load() {
	v.cursors = []string{""}
	v.fetch()
}

// onNext shows the next page.
func (v *drillView) onNext() {
	if v.next == "" {
		return
	}
	v.cursors = append(v.cursors, v.next)
	v.fetch()
}

// onPrevious goes back one page.
func (v *drillView) onPrevious() {
	if len(v.cursors) <= 1 {
		return
	}
	v.cursors = v.cursors[:len(v.cursors)-1]
	v.fetch()
}

// fetch reads the current page.
func (v *drillView) fetch() {
	v.seq++
	seq := v.seq
	d := v.spec.req
	d.Cursor = v.cursors[len(v.cursors)-1]
	v.prev.Disable()
	v.nextPage.Disable()
	background(v.u, func(ctx context.Context) (drillPage, error) {
		return v.query(ctx, d)
	}, func(p drillPage, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			v.cursors = v.cursors[:max(1, len(v.cursors)-1)]
			v.updatePaging()
			showError(err, v.u.win)
			return
		}
		v.rows, v.next = p.rows, p.next
		v.list.Refresh()
		v.list.ScrollToTop()
		v.updatePaging()
	})
}

// updatePaging enables the page buttons that lead somewhere and says
// which rows are shown.
func (v *drillView) updatePaging() {
	if len(v.cursors) > 1 {
		v.prev.Enable()
	}
	if v.next != "" {
		v.nextPage.Enable()
	}
	page := len(v.cursors)
	first := (page-1)*drillPageSize + 1
	switch {
	case len(v.rows) == 0 && page == 1:
		v.info.SetText(T("Nothing to list."))
	case len(v.rows) == 0:
		v.info.SetText(Tf("Page %d is empty.", page))
	default:
		v.info.SetText(Tf("Page %d · rows %s to %s", page, numberText(first), numberText(first+len(v.rows)-1)))
	}
}

// query reads one page of the list the view shows.
func (v *drillView) query(ctx context.Context, d app.DrillDown) (drillPage, error) {
	svc := v.u.svc.Dashboard
	switch v.spec.kind {
	case drillAppointments:
		p, err := svc.ListAppointments(ctx, d)
		if err != nil {
			return drillPage{}, err
		}
		return drillPage{mapRows(p.Appointments, v.appointmentRow), p.Next}, nil
	case drillNewPatients:
		p, err := svc.ListNewPatients(ctx, d)
		if err != nil {
			return drillPage{}, err
		}
		return drillPage{mapRows(p.Patients, v.patientRow), p.Next}, nil
	case drillInvoices:
		p, err := svc.ListInvoices(ctx, d)
		if err != nil {
			return drillPage{}, err
		}
		return drillPage{mapRows(p.Invoices, v.invoiceRow), p.Next}, nil
	case drillPayments:
		p, err := svc.ListPayments(ctx, d)
		if err != nil {
			return drillPage{}, err
		}
		return drillPage{mapRows(p.Payments, v.paymentRow), p.Next}, nil
	case drillOutstanding:
		p, err := svc.ListOutstanding(ctx, d)
		if err != nil {
			return drillPage{}, err
		}
		return drillPage{mapRows(p.Invoices, v.outstandingRow), p.Next}, nil
	}
	return drillPage{}, fmt.Errorf("dashboard: unknown list %d", v.spec.kind)
}

// mapRows turns each item of a page into its row.
func mapRows[T any](items []T, row func(T) drillRow) []drillRow {
	out := make([]drillRow, len(items))
	for i, it := range items {
		out[i] = row(it)
	}
	return out
}

// drillColumns are the columns of each list.
func drillColumns(k drillKind) []listColumn {
	switch k {
	case drillAppointments:
		return []listColumn{{T("When"), 160, false}, {T("Doctor"), 190, false}, {T("Patient"), 290, false},
			{T("Status"), 120, false}, {T("Reason"), 0, false}}
	case drillNewPatients:
		return []listColumn{{T("Record number"), 170, false}, {T("Name"), 270, false}, {T("Sex"), 90, false},
			{T("Born"), 120, false}, {T("Registered"), 160, false}, {T("Phone"), 0, false}}
	case drillInvoices:
		return []listColumn{{T("Invoice"), 200, false}, {T("Issued"), 110, false}, {T("Patient"), 290, false},
			{T("Total"), 120, true}, {T("Paid"), 120, true}, {T("Balance"), 120, true}, {"", 20, false}, {T("Status"), 0, false}}
	case drillPayments:
		return []listColumn{{T("Receipt"), 200, false}, {T("Taken"), 160, false}, {T("Patient"), 290, false},
			{T("Method"), 140, false}, {T("Amount"), 120, true}, {"", 20, false}, {T("Cashier"), 0, false}}
	}
	return []listColumn{{T("Invoice"), 200, false}, {T("Issued"), 110, false}, {T("Age (days)"), 100, true},
		{T("Total"), 120, true}, {T("Paid"), 120, true}, {T("Balance"), 120, true}, {"", 20, false}, {T("Patient"), 0, false}}
}

// patientText is a patient's name and record number: "Grace Hopper · P-D1-000001".
func patientText(name, mrn string) string {
	return strings.Trim(name+" · "+mrn, " ·")
}

// The rows of each list, in the columns of drillColumns.

func (v *drillView) appointmentRow(a *app.Appointment) drillRow {
	return drillRow{patientID: a.PatientID, cells: []string{
		formatTime(v.u, a.Start), a.DoctorName, patientText(a.PatientName, a.PatientMRN), T(a.Status.Label()), a.Reason}}
}

func (v *drillView) patientRow(p *app.Patient) drillRow {
	return drillRow{patientID: p.ID, cells: []string{
		p.MRN, p.FullName(), sexLabel(p.Sex), p.BirthDate, formatTime(v.u, p.CreatedAt), p.Phone}}
}

func (v *drillView) invoiceRow(inv *app.Invoice) drillRow {
	d := billingDigits(inv.Currency)
	return drillRow{patientID: inv.PatientID, imp: statusImportance(inv.Status), cells: []string{
		invoiceNumberText(inv), dayText(v.u, inv.IssuedAt), patientText(inv.PatientName, inv.PatientMRN),
		tr().Amount(int64(inv.Totals.Total), d), tr().Amount(int64(inv.Paid), d), tr().Amount(int64(inv.Balance), d), "",
		T(invoiceStatusLabel(inv.Status))}}
}

func (v *drillView) paymentRow(p *app.Payment) drillRow {
	amount, imp := p.Amount, widget.MediumImportance
	method := T(paymentMethodLabel(p.Method))
	if p.IsReversal() {
		amount, imp = -amount, widget.WarningImportance
		method = Tf("%s (refund)", method)
	}
	return drillRow{patientID: p.PatientID, imp: imp, cells: []string{
		p.ReceiptNumber, formatTime(v.u, p.TakenAt), patientText(p.PatientName, p.PatientMRN), method,
		tr().Amount(int64(amount), billingDigits(p.Currency)), "", p.CashierName}}
}

func (v *drillView) outstandingRow(o *app.OutstandingInvoice) drillRow {
	d := billingDigits(o.Currency)
	return drillRow{patientID: o.PatientID, imp: ageImportance(o.AgeDays), cells: []string{
		o.Number, dayText(v.u, o.IssuedAt), tr().Integer(int64(o.AgeDays)), tr().Amount(int64(o.Totals.Total), d),
		tr().Amount(int64(o.Paid), d), tr().Amount(int64(o.Balance), d), "", patientText(o.PatientName, o.PatientMRN)}}
}
