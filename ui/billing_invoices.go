package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// invoicePageSize is how many invoices one page of the list holds.
const invoicePageSize = 50

// statusAny is the status filter's choice that keeps every status.
const statusAny = "Any status"

// invoicesView is the Invoices tab of the Billing area: the invoices,
// newest first, filtered by patient, status or number and paged from the
// service as the list scrolls. An invoice opens in place of the list, where
// a draft is edited, issued, paid and voided. Billing staff start drafts,
// by hand or from a completed visit; reception takes payments.
type invoicesView struct {
	u *UI
	// deliver hands a printed document to the person at the desk:
	// u.deliverPDF, replaced in tests.
	deliver func(filename string, body []byte)

	invoices []*app.Invoice
	more     bool // the last page fetched was full: there may be older ones
	loading  bool
	// seq numbers list fetches; an answer to an older one is dropped.
	seq int

	patient  *patientPicker
	allPats  *widget.Button // clears the patient filter
	status   *widget.Select
	number   *widget.Entry
	refresh  *widget.Button
	newBtn   *widget.Button // billing staff only
	payBtn   *widget.Button // whoever takes payments
	visitBtn *widget.Button // billing staff only: unbilled visits
	list     *widget.List
	info     *widget.Label // counts, under the list
	hint     *widget.Label // over an empty list

	draft   *newInvoiceForm // the open "New invoice" dialog
	pay     *paymentForm    // the open payment dialog
	visits  *unbilledVisits // the open unbilled visits dialog
	invoice *invoiceScreen  // the open invoice; nil while the list is shown

	listView fyne.CanvasObject
	content  *fyne.Container // the list or an invoice
}

func newInvoicesView(u *UI) *invoicesView {
	v := &invoicesView{u: u, deliver: u.deliverPDF}
	v.buildUI()
	return v
}

func (v *invoicesView) view() fyne.CanvasObject { return v.content }

// canManage reports whether the user may draft, void and refund.
func (v *invoicesView) canManage() bool { return app.Can(v.u.session.User.Role, app.PermManageBilling) }

func (v *invoicesView) buildUI() {
	v.patient = newPatientPicker(v.u)
	v.patient.query.SetPlaceHolder("Patient name, MRN or phone")
	v.patient.result.PlaceHolder = "All patients"
	v.patient.result.OnChanged = func(string) { v.load() }
	v.allPats = widget.NewButtonWithIcon("", theme.ContentClearIcon(), v.onAllPatients)
	v.status = widget.NewSelect(invoiceStatusOptions(), nil)
	v.status.SetSelected(statusAny)
	v.status.OnChanged = func(string) { v.load() }
	v.number = entry("Invoice number")
	v.number.OnSubmitted = func(string) { v.load() }
	v.refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.load)

	var actions []fyne.CanvasObject
	if v.canManage() {
		v.visitBtn = widget.NewButtonWithIcon("Unbilled visits…", theme.HistoryIcon(), v.onVisits)
		actions = append(actions, v.visitBtn)
	}
	if app.Can(v.u.session.User.Role, app.PermTakePayment) {
		v.payBtn = widget.NewButtonWithIcon("Take payment…", theme.ConfirmIcon(), func() { v.onPay(nil) })
		actions = append(actions, v.payBtn)
	}
	if v.canManage() {
		v.newBtn = widget.NewButtonWithIcon("New invoice…", theme.ContentAddIcon(), v.onNew)
		v.newBtn.Importance = widget.HighImportance
		actions = append(actions, v.newBtn)
	}

	v.list = widget.NewList(
		func() int { return len(v.invoices) },
		func() fyne.CanvasObject { return newColumnRow(invoiceColumns) },
		v.updateRow,
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.invoices) {
			v.open(v.invoices[id].ID)
		}
	}
	v.info = widget.NewLabel("")
	v.info.Importance = widget.LowImportance
	v.hint = widget.NewLabel("")
	v.hint.Importance = widget.LowImportance
	v.hint.Hide()

	filters := container.NewGridWithColumns(4,
		container.NewBorder(nil, nil, nil, v.allPats, v.patient.query),
		v.patient.result, v.status, v.number)
	top := container.NewVBox(
		container.NewHBox(sectionTitle("Invoices"), layout.NewSpacer(), v.refresh, container.NewHBox(actions...)),
		filters,
		columnHeader(invoiceColumns),
		widget.NewSeparator(),
	)
	v.listView = container.NewBorder(top, v.info, nil, nil, container.NewStack(v.list, container.NewCenter(v.hint)))
	v.content = container.NewStack(v.listView)
}

// invoiceColumns are the columns of the invoice list.
var invoiceColumns = []listColumn{
	{"Number", 200, false}, {"Date", 140, false}, {"Patient", 230, false},
	{"Total", 115, true}, {"Paid", 115, true}, {"Balance", 115, true}, {"Status", 0, false},
}

// updateRow shows invoice id in a row, and fetches the next page when the
// row is near the end of the list.
func (v *invoicesView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(v.invoices) {
		return
	}
	inv := v.invoices[id]
	d := billingDigits(inv.Currency)
	imp := widget.MediumImportance
	if inv.Status == app.InvoiceVoid || inv.Status == app.InvoiceDraft {
		imp = widget.LowImportance
	}
	setColumnRow(o.(*fyne.Container), imp,
		invoiceNumberText(inv), dayText(v.u, invoiceDate(inv)), inv.PatientName,
		app.FormatAmount(inv.Totals.Total, d), app.FormatAmount(inv.Paid, d), app.FormatAmount(inv.Balance, d),
		invoiceStatusText(inv))
	if id >= len(v.invoices)-pageAhead {
		v.loadMore()
	}
}

// filter reads the filter fields into the first page's filter.
func (v *invoicesView) filter() app.InvoiceFilter {
	f := app.InvoiceFilter{PatientID: v.patient.patientID(), Number: strings.ToUpper(strings.TrimSpace(v.number.Text)),
		Limit: invoicePageSize}
	if i := slices.Index(invoiceStatusOptions(), v.status.Selected); i > 0 {
		f.Status = invoiceStatuses[i-1]
	}
	return f
}

// load shows the first page of the invoices the filters select.
func (v *invoicesView) load() {
	v.seq++
	seq := v.seq
	f := v.filter()
	v.loading = true
	v.refresh.Disable()
	background(v.u, func(ctx context.Context) ([]*app.Invoice, error) {
		return v.u.svc.Billing.FindInvoices(ctx, f)
	}, func(invs []*app.Invoice, err error) {
		if seq != v.seq {
			return
		}
		v.loading = false
		v.refresh.Enable()
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.invoices, v.more = invs, len(invs) == f.Limit
		v.list.ScrollToTop() // first, so the refresh does not fetch the next page of a list scrolled down
		v.list.Refresh()
		v.updateInfo()
	})
}

// loadMore fetches the next page of older invoices, once.
func (v *invoicesView) loadMore() {
	if !v.more || v.loading || len(v.invoices) == 0 {
		return
	}
	seq := v.seq
	f := v.filter()
	f.Before = v.invoices[len(v.invoices)-1].ID
	v.loading = true
	background(v.u, func(ctx context.Context) ([]*app.Invoice, error) {
		return v.u.svc.Billing.FindInvoices(ctx, f)
	}, func(invs []*app.Invoice, err error) {
		if seq != v.seq {
			return
		}
		v.loading = false
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.invoices, v.more = append(v.invoices, invs...), len(invs) == f.Limit
		v.list.Refresh()
		v.updateInfo()
	})
}

// updateInfo shows how many invoices are listed, or why none are.
func (v *invoicesView) updateInfo() {
	v.hint.Hide()
	switch {
	case len(v.invoices) == 0:
		v.info.SetText("")
		v.hint.SetText("No invoice matches these filters.")
		v.hint.Show()
	case v.more:
		v.info.SetText(fmt.Sprintf("%d invoices shown, newest first; scroll for older ones.", len(v.invoices)))
	case len(v.invoices) == 1:
		v.info.SetText("1 invoice.")
	default:
		v.info.SetText(fmt.Sprintf("%d invoices, newest first.", len(v.invoices)))
	}
}

// onAllPatients clears the patient filter.
func (v *invoicesView) onAllPatients() {
	v.patient.query.SetText("")
	v.patient.patients = nil
	v.patient.result.SetOptions(nil)
	v.patient.result.ClearSelected() // reloads, through the select's OnChanged
}

// open shows invoice id in place of the list.
func (v *invoicesView) open(id string) { v.openKeeping(id, nil) }

// openKeeping shows invoice id and, once it is read, puts back the text of
// draft d (nil: none) kept when a session ended.
func (v *invoicesView) openKeeping(id string, d *app.Draft) {
	v.u.touch()
	v.invoice = newInvoiceScreen(v, id)
	v.invoice.restore = d
	v.content.Objects = []fyne.CanvasObject{v.invoice.content}
	v.content.Refresh()
	v.invoice.load()
}

// closeInvoice goes back to the list and reloads it.
func (v *invoicesView) closeInvoice() {
	v.u.touch()
	v.invoice = nil
	v.content.Objects = []fyne.CanvasObject{v.listView}
	v.content.Refresh()
	v.load()
}

// onNew asks for the patient of a new draft.
func (v *invoicesView) onNew() {
	v.draft = showNewInvoiceForm(v.u, func(inv *app.Invoice) {
		v.draft = nil
		v.open(inv.ID)
	})
}

// onPay opens the payment dialog: for inv's patient with inv chosen, or
// for a patient to find when inv is nil.
func (v *invoicesView) onPay(inv *app.Invoice) {
	v.pay = showPaymentForm(v.u, inv, v.deliver, func() {
		v.pay = nil
		if v.invoice != nil {
			v.invoice.load()
		} else {
			v.load()
		}
	})
}

// onVisits lists the day's completed visits that have no invoice yet.
func (v *invoicesView) onVisits() {
	v.visits = showUnbilledVisits(v.u, func(inv *app.Invoice) {
		v.visits = nil
		v.open(inv.ID)
	})
}

// billVisit opens the invoice of a completed visit: a proposed draft with
// its consultation charge, or the invoice it already has.
func (v *invoicesView) billVisit(appointmentID string) {
	background(v.u, func(ctx context.Context) (*app.Invoice, error) {
		return v.u.svc.Billing.DraftForAppointment(ctx, appointmentID)
	}, func(inv *app.Invoice, err error) {
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.open(inv.ID)
	})
}

// billVisit goes to the Billing area and opens the invoice of a completed
// visit, for the "Bill…" button of the reception board.
func (u *UI) billVisit(appointmentID string) {
	m := u.main
	i := slices.Index(m.areas, app.AreaBilling)
	if i < 0 {
		return
	}
	m.nav.Select(i)
	if m.billing != nil {
		m.billing.invoices.billVisit(appointmentID)
	}
}

// newInvoiceForm starts a draft for a patient found by name, record number
// or phone.
type newInvoiceForm struct {
	u      *UI
	picker *patientPicker
	create *widget.Button
	cancel *widget.Button
	errs   fieldErrors
	dialog dialog.Dialog
	done   func(*app.Invoice)
}

// showNewInvoiceForm opens the dialog; done gets the draft created.
func showNewInvoiceForm(u *UI, done func(*app.Invoice)) *newInvoiceForm {
	f := &newInvoiceForm{u: u, errs: fieldErrors{}, done: done}
	f.picker = newPatientPicker(u)
	f.create = widget.NewButton("Create draft", f.onCreate)
	f.create.Importance = widget.HighImportance
	f.cancel = widget.NewButton("Cancel", func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(
		mutedLabel("A draft can be changed freely until it is issued."),
		widget.NewForm(widget.NewFormItem("Patient", f.errs.add("patient_id", f.picker.content))),
		general, buttonsRow(f.cancel, f.create))
	f.dialog = showFormDialog(u, "New invoice", 520, content)
	u.win.Canvas().Focus(f.picker.query)
	return f
}

// onCreate starts the draft for the patient chosen.
func (f *newInvoiceForm) onCreate() {
	f.errs.clear()
	patient := f.picker.patientID()
	if patient == "" {
		f.errs.set("patient_id", "Find and choose the patient.")
		return
	}
	f.create.Disable()
	background(f.u, func(ctx context.Context) (*app.Invoice, error) {
		return f.u.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: patient})
	}, func(inv *app.Invoice, err error) {
		f.create.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.dialog.Hide()
		f.done(inv)
	})
}

// unbilledVisits lists a day's completed visits with the invoice each has,
// and bills those that have none.
type unbilledVisits struct {
	u        *UI
	day      *dayPicker
	rows     *fyne.Container
	summary  *widget.Label
	bill     map[string]*widget.Button // "Bill" by appointment ID
	closeBtn *widget.Button
	dialog   dialog.Dialog
	seq      int
	done     func(*app.Invoice)
}

// visitRow is a completed visit and its invoice, nil when it has none.
type visitRow struct {
	appt    *app.Appointment
	invoice *app.Invoice
}

// showUnbilledVisits opens the dialog on today; done gets the invoice of
// the visit billed.
func showUnbilledVisits(u *UI, done func(*app.Invoice)) *unbilledVisits {
	d := &unbilledVisits{u: u, done: done, bill: map[string]*widget.Button{}}
	d.day = newDayPicker(todayOf(u), d.load)
	d.rows = container.NewVBox()
	d.summary = mutedLabel("Loading…")
	d.closeBtn = widget.NewButton("Close", func() { d.dialog.Hide() })
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Day"), nil, d.day.content),
		d.summary, columnHeader(visitColumns), widget.NewSeparator())
	scroll := container.NewVScroll(d.rows)
	scroll.SetMinSize(fyne.NewSize(0, 320))
	d.dialog = showFormDialog(u, "Completed visits to bill", 760,
		container.NewBorder(top, container.NewHBox(layout.NewSpacer(), d.closeBtn), nil, nil, scroll))
	d.load()
	return d
}

// visitColumns are the columns of the completed visits.
var visitColumns = []listColumn{{"Time", 70, false}, {"Doctor", 170, false}, {"Patient", 220, false}, {"Invoice", 0, false}}

// load reads the day's completed visits and the invoices of their patients.
func (d *unbilledVisits) load() {
	day, err := d.day.day()
	if err != nil {
		d.summary.SetText("Write the day as YYYY-MM-DD.")
		return
	}
	d.seq++
	seq := d.seq
	background(d.u, func(ctx context.Context) ([]visitRow, error) {
		return completedVisits(ctx, d.u.svc, day.String())
	}, func(rows []visitRow, err error) {
		if seq != d.seq {
			return
		}
		if err != nil {
			showError(err, d.u.win)
			return
		}
		d.show(rows)
	})
}

// completedVisits lists the completed visits of day, each with its invoice
// (not void) when it has one. The appointment service does not say which
// visits are billed, so each patient's invoices are read once.
func completedVisits(ctx context.Context, svc app.Services, day string) ([]visitRow, error) {
	b, err := svc.Appointments.ReceptionBoard(ctx, day)
	if err != nil {
		return nil, err
	}
	byPatient := map[string]map[string]*app.Invoice{} // patient → appointment → invoice
	var rows []visitRow
	for _, e := range b.Entries {
		a := e.Appointment
		if a.Status != app.AppointmentCompleted {
			continue
		}
		invs, ok := byPatient[a.PatientID]
		if !ok {
			list, err := svc.Billing.FindInvoices(ctx, app.InvoiceFilter{PatientID: a.PatientID, Limit: 500})
			if err != nil {
				return nil, err
			}
			invs = map[string]*app.Invoice{}
			for _, inv := range list {
				if inv.AppointmentID != "" && inv.Status != app.InvoiceVoid {
					invs[inv.AppointmentID] = inv
				}
			}
			byPatient[a.PatientID] = invs
		}
		rows = append(rows, visitRow{appt: a, invoice: invs[a.ID]})
	}
	return rows, nil
}

// show lists the visits: the invoice of those billed, a "Bill" button for
// the others.
func (d *unbilledVisits) show(rows []visitRow) {
	d.bill = map[string]*widget.Button{}
	unbilled := 0
	var objs []fyne.CanvasObject
	for _, r := range rows {
		var last fyne.CanvasObject
		if r.invoice != nil {
			l := widget.NewLabel(invoiceNumberText(r.invoice) + " — " + invoiceStatusLabel(r.invoice.Status))
			l.Importance = widget.LowImportance
			last = l
		} else {
			unbilled++
			b := widget.NewButtonWithIcon("Bill", theme.DocumentCreateIcon(), d.onBill(r.appt.ID))
			b.Importance = widget.HighImportance
			d.bill[r.appt.ID] = b
			last = container.NewHBox(b)
		}
		cells := []fyne.CanvasObject{}
		for _, text := range []string{clockOf(d.u, r.appt.Start), r.appt.DoctorName, r.appt.PatientName} {
			l := widget.NewLabel(text)
			l.Truncation = fyne.TextTruncateEllipsis
			cells = append(cells, l)
		}
		objs = append(objs, container.New(&columnsLayout{widths: columnWidths(visitColumns)}, append(cells, last)...))
	}
	switch {
	case len(rows) == 0:
		d.summary.SetText("No completed visits on this day.")
	case unbilled == 0:
		d.summary.SetText(fmt.Sprintf("%d completed visits, all billed.", len(rows)))
	default:
		d.summary.SetText(fmt.Sprintf("%d completed visits, %d not billed yet.", len(rows), unbilled))
	}
	d.rows.Objects = objs
	d.rows.Refresh()
}

// onBill proposes the draft of a visit and opens it.
func (d *unbilledVisits) onBill(appointmentID string) func() {
	return func() {
		b := d.bill[appointmentID]
		b.Disable()
		background(d.u, func(ctx context.Context) (*app.Invoice, error) {
			return d.u.svc.Billing.DraftForAppointment(ctx, appointmentID)
		}, func(inv *app.Invoice, err error) {
			b.Enable()
			if err != nil {
				showError(err, d.u.win)
				return
			}
			d.dialog.Hide()
			d.done(inv)
		})
	}
}
