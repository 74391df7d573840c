package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// invoicePageSize is how many invoices one page of the list holds.
const invoicePageSize = 50

// statusAny is the status filter's choice that keeps every status.
var statusAny = i18n.N("Any status")

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
	status   *escSelect
	number   *escEntry
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
	v.patient.query.SetPlaceHolder(T("Patient name, MRN or phone"))
	v.patient.result.PlaceHolder = T("All patients")
	v.patient.result.OnChanged = func(string) { v.load() }
	v.allPats = widget.NewButtonWithIcon("", theme.ContentClearIcon(), v.onAllPatients)
	v.status = newSelect(invoiceStatusOptions(), nil)
	v.status.SetSelected(T(statusAny))
	v.status.OnChanged = func(string) { v.load() }
	v.number = entry(T("Invoice number"))
	v.number.OnSubmitted = func(string) { v.load() }
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)

	var actions []fyne.CanvasObject
	if v.canManage() {
		v.visitBtn = widget.NewButtonWithIcon(T("Unbilled visits…"), theme.HistoryIcon(), v.onVisits)
		actions = append(actions, v.visitBtn)
	}
	if app.Can(v.u.session.User.Role, app.PermTakePayment) {
		v.payBtn = widget.NewButtonWithIcon(T("Take payment…"), theme.ConfirmIcon(), func() { v.onPay(nil) })
		actions = append(actions, v.payBtn)
	}
	if v.canManage() {
		v.newBtn = widget.NewButtonWithIcon(T("New invoice…"), theme.ContentAddIcon(), v.onNew)
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
		container.NewHBox(sectionTitle(T("Invoices")), layout.NewSpacer(), v.refresh, container.NewHBox(actions...)),
		filters,
		columnHeader(invoiceColumns),
		widget.NewSeparator(),
	)
	v.listView = container.NewBorder(top, v.info, nil, nil, container.NewStack(v.list, container.NewCenter(v.hint)))
	v.content = container.NewStack(v.listView)
}

// invoiceColumns are the columns of the invoice list.
var invoiceColumns = []listColumn{
	{i18n.N("Number"), 200, false}, {i18n.N("Date"), 140, false}, {i18n.N("Patient"), 230, false},
	{i18n.N("Total"), 115, true}, {i18n.N("Paid"), 115, true}, {i18n.N("Balance"), 115, true}, {i18n.N("Status"), 0, false},
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
		amountText(inv.Totals.Total, d), amountText(inv.Paid, d), amountText(inv.Balance, d),
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
		v.hint.SetText(T("No invoice matches these filters."))
		v.hint.Show()
	case v.more:
		v.info.SetText(Tf("%d invoices shown, newest first; scroll for older ones.", len(v.invoices)))
	case len(v.invoices) == 1:
		v.info.SetText(T("1 invoice."))
	default:
		v.info.SetText(Tf("%d invoices, newest first.", len(v.invoices)))
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
	create *escButton
	cancel *escButton
	errs   fieldErrors
	dialog dialog.Dialog
	done   func(*app.Invoice)
}

// showNewInvoiceForm opens the dialog; done gets the draft created.
func showNewInvoiceForm(u *UI, done func(*app.Invoice)) *newInvoiceForm {
	f := &newInvoiceForm{u: u, errs: fieldErrors{}, done: done}
	f.picker = newPatientPicker(u)
	f.create = newButton(T("Create draft"), f.onCreate)
	f.create.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(
		mutedLabel(T("A draft can be changed freely until it is issued.")),
		widget.NewForm(widget.NewFormItem(T("Patient"), f.errs.add("patient_id", f.picker.content))),
		general, buttonsRow(f.cancel, f.create))
	f.dialog = showFormDialog(u, T("New invoice"), 520, content)
	u.win.Canvas().Focus(f.picker.query)
	return f
}

// onCreate starts the draft for the patient chosen.
func (f *newInvoiceForm) onCreate() {
	f.errs.clear()
	patient := f.picker.patientID()
	if patient == "" {
		f.errs.set("patient_id", T("Find and choose the patient."))
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

// unbilledVisits lists the completed visits of a period, every doctor's,
// that have no invoice or only a draft, and bills the ones chosen in a
// batch: drafts, or issued invoices, one per visit; the visits refused are
// listed with the reason.
type unbilledVisits struct {
	u        *UI
	from     *escEntry
	to       *escEntry
	show     *escButton
	all      *escCheck
	list     *widget.List
	rows     []*app.UnbilledVisit
	chosen   map[string]bool // by appointment ID
	summary  *widget.Label
	result   *widget.Label // what the last batch did
	drafts   *escButton
	issue    *escButton
	closeBtn *escButton
	errs     fieldErrors
	dialog   dialog.Dialog
	seq      int
	done     func(*app.Invoice)
}

// showUnbilledVisits opens the dialog on this month up to today; done gets
// the invoice of a single visit billed as a draft, to edit it.
func showUnbilledVisits(u *UI, done func(*app.Invoice)) *unbilledVisits {
	d := &unbilledVisits{u: u, done: done, chosen: map[string]bool{}, errs: fieldErrors{}}
	today := u.now().In(u.location())
	d.from = entry(T("YYYY-MM-DD"))
	d.from.SetText(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location()).Format(app.DateLayout))
	d.to = entry(T("YYYY-MM-DD"))
	d.to.SetText(today.Format(app.DateLayout))
	d.from.OnSubmitted = func(string) { d.load() }
	d.to.OnSubmitted = func(string) { d.load() }
	d.show = newIconButton(T("Show"), theme.SearchIcon(), d.load)
	d.all = newCheck(T("All"), func(on bool) {
		for _, r := range d.rows {
			d.chosen[r.AppointmentID] = on
		}
		d.list.Refresh()
		d.updateButtons()
	})
	d.list = widget.NewList(
		func() int { return len(d.rows) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, newCheck("", nil), nil, newColumnRow(visitColumns))
		},
		d.updateRow,
	)
	d.list.OnSelected = func(id widget.ListItemID) {
		d.list.UnselectAll()
		if id >= 0 && id < len(d.rows) {
			a := d.rows[id].AppointmentID
			d.chosen[a] = !d.chosen[a]
			d.list.RefreshItem(id)
			d.updateButtons()
		}
	}
	d.summary = mutedLabel(T("Loading…"))
	d.result = wrapLabel("")
	d.drafts = newIconButton(T("Create drafts"), theme.DocumentCreateIcon(), func() { d.bill(false) })
	d.issue = newIconButton(T("Issue invoices"), theme.ConfirmIcon(), func() { d.bill(true) })
	d.issue.Importance = widget.HighImportance
	d.closeBtn = newButton(T("Close"), func() { d.dialog.Hide() })
	general := newErrorLabel()
	d.errs[""] = general
	d.errs.alias("visits", "")
	period := container.NewHBox(widget.NewLabel(T("From")), d.errs.add("from", container.New(widthLayout{130}, d.from)),
		widget.NewLabel("to"), d.errs.add("to", container.New(widthLayout{130}, d.to)), d.show)
	top := container.NewVBox(period, d.summary,
		container.NewBorder(nil, nil, d.all, nil, columnHeader(visitColumns)), widget.NewSeparator())
	bottom := container.NewVBox(general, d.result,
		container.NewHBox(d.closeBtn, layout.NewSpacer(), d.drafts, d.issue))
	list := container.NewStack(d.list)
	d.dialog = showFormDialog(u, T("Completed visits to bill"), 860,
		container.NewBorder(top, bottom, nil, nil, container.New(minHeightLayout{360}, list)))
	d.updateButtons()
	d.load()
	return d
}

// minHeightLayout gives its content at least a height.
type minHeightLayout struct{ h float32 }

func (l minHeightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.h)
	for _, o := range objs {
		s = s.Max(fyne.NewSize(o.MinSize().Width, l.h))
	}
	return s
}

func (l minHeightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// visitColumns are the columns of the unbilled visits.
var visitColumns = []listColumn{{i18n.N("Day"), 150, false}, {i18n.N("Doctor"), 170, false}, {i18n.N("Patient"), 230, false}, {i18n.N("Invoice"), 0, false}}

func (d *unbilledVisits) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(d.rows) {
		return
	}
	r := d.rows[id]
	box := o.(*fyne.Container)
	var check *escCheck
	var row *fyne.Container
	for _, c := range box.Objects {
		switch w := c.(type) {
		case *escCheck:
			check = w
		case *fyne.Container:
			row = w
		}
	}
	a := r.AppointmentID
	check.OnChanged = nil
	check.SetChecked(d.chosen[a])
	check.OnChanged = func(on bool) {
		d.chosen[a] = on
		d.updateButtons()
	}
	invoice := T("none")
	if r.DraftID != "" {
		invoice = T("draft")
	}
	setColumnRow(row, widget.MediumImportance, dayText(d.u, r.Start)+" "+clockOf(d.u, r.Start), r.DoctorName,
		strings.TrimSpace(r.PatientName+" · "+r.PatientMRN), invoice)
}

// picked are the visits chosen, in the list's order.
func (d *unbilledVisits) picked() []string {
	var out []string
	for _, r := range d.rows {
		if d.chosen[r.AppointmentID] {
			out = append(out, r.AppointmentID)
		}
	}
	return out
}

func (d *unbilledVisits) updateButtons() {
	n := len(d.picked())
	if n == 0 {
		d.drafts.Disable()
		d.issue.Disable()
		return
	}
	d.drafts.Enable()
	d.issue.Enable()
}

// load lists the period's unbilled visits.
func (d *unbilledVisits) load() {
	d.errs.clear()
	from, to := strings.TrimSpace(d.from.Text), strings.TrimSpace(d.to.Text)
	if _, err := time.Parse(app.DateLayout, from); err != nil {
		d.errs.set("from", T("Write the day as YYYY-MM-DD."))
		return
	}
	if _, err := time.Parse(app.DateLayout, to); err != nil {
		d.errs.set("to", T("Write the day as YYYY-MM-DD."))
		return
	}
	d.seq++
	seq := d.seq
	background(d.u, func(ctx context.Context) ([]*app.UnbilledVisit, error) {
		return d.u.svc.Billing.UnbilledVisits(ctx, from, to)
	}, func(rows []*app.UnbilledVisit, err error) {
		if seq != d.seq {
			return
		}
		if err != nil {
			d.errs.show(err, d.u.win)
			return
		}
		d.rows = rows
		d.chosen = map[string]bool{}
		d.all.SetChecked(false)
		d.list.Refresh()
		d.updateButtons()
		switch {
		case len(rows) == 0:
			d.summary.SetText(T("No completed visit of this period is waiting for an invoice."))
		case len(rows) >= app.MaxUnbilledVisits:
			d.summary.SetText(Tf("The first %d visits not billed; bill them, or choose a shorter period, for the rest.", len(rows)))
		default:
			d.summary.SetText(Tf("%s not billed yet. Choose the ones to bill.", countText(len(rows), T("completed visit"), T("completed visits"))))
		}
	})
}

// bill bills the visits chosen: drafts, or issued invoices.
func (d *unbilledVisits) bill(issue bool) {
	ids := d.picked()
	if len(ids) == 0 {
		return
	}
	d.errs.clear()
	d.drafts.Disable()
	d.issue.Disable()
	background(d.u, func(ctx context.Context) (*app.VisitBilling, error) {
		return d.u.svc.Billing.BillVisits(ctx, ids, issue)
	}, func(res *app.VisitBilling, err error) {
		d.updateButtons()
		if err != nil {
			d.errs.show(err, d.u.win)
			return
		}
		if !issue && len(ids) == 1 && len(res.Invoices) == 1 && d.done != nil {
			d.dialog.Hide()
			d.done(res.Invoices[0])
			return
		}
		done := countText(len(res.Invoices), T("draft made"), T("drafts made"))
		if issue {
			done = countText(len(res.Invoices), T("invoice issued"), T("invoices issued"))
		}
		lines := []string{done + "."}
		for _, f := range res.Failures {
			who := f.PatientName
			if who == "" {
				who = f.AppointmentID
			}
			lines = append(lines, Tf("Not billed: %s — %s", who, f.Message))
		}
		d.result.SetText(strings.Join(lines, "\n"))
		if len(res.Failures) > 0 {
			d.result.Importance = widget.WarningImportance
		} else {
			d.result.Importance = widget.SuccessImportance
		}
		d.result.Refresh()
		d.load()
	})
}
