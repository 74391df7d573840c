package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// statementView is a patient's statement: their invoices and payments,
// newest first, what was invoiced and paid, and the balance due, with a
// button that prints it. Staff open it from the chart or an invoice; a
// patient's Bills tab builds on it.
type statementView struct {
	u         *UI
	patientID string
	// actionText, when set before the lists show, gives each invoice and
	// payment row a button at its end (the Bills tab's "Save as PDF"),
	// which runs invoiceAction or paymentAction with the button and the
	// row's item.
	actionText    string
	actionIcon    fyne.Resource
	invoiceAction func(*widget.Button, *app.Invoice)
	paymentAction func(*widget.Button, *app.Payment)

	st *app.Statement

	heading  *widget.Label
	balance  *widget.Label
	totals   *widget.Label
	message  *widget.Label // loading, or why there is nothing
	print    *escButton
	invoiceL *widget.List
	paymentL *widget.List
	noInv    *widget.Label
	noPay    *widget.Label
	// sections are the invoices and the payments, sharing the height; a
	// screen building on the statement adds its own (addSection).
	sections *fyne.Container

	content fyne.CanvasObject
}

// newStatementView builds the statement of a patient; load fills it.
func newStatementView(u *UI, patientID string) *statementView {
	v := &statementView{u: u, patientID: patientID}
	v.heading = widget.NewLabelWithStyle(T("Statement"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.balance = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.totals = widget.NewLabel("")
	v.message = mutedLabel(T("Loading…"))
	v.print = newIconButton(T("Print statement"), theme.DocumentPrintIcon(), v.onPrint)
	v.print.Importance = widget.HighImportance
	v.print.Disable()
	v.invoiceL = widget.NewList(func() int { return v.invoiceCount() },
		func() fyne.CanvasObject { return v.newRow(statementInvoiceColumns) }, v.updateInvoiceRow)
	v.paymentL = widget.NewList(func() int { return v.paymentCount() },
		func() fyne.CanvasObject { return v.newRow(statementPaymentColumns) }, v.updatePaymentRow)
	v.noInv = mutedLabel(T("No invoices."))
	v.noInv.Hide()
	v.noPay = mutedLabel(T("No payments."))
	v.noPay.Hide()
	v.sections = container.NewGridWithRows(2,
		statementSection(T("Invoices"), statementInvoiceColumns, v.invoiceL, v.noInv),
		statementSection(T("Payments and receipts"), statementPaymentColumns, v.paymentL, v.noPay))
	v.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, v.print, v.heading), v.balance, v.totals, v.message,
			widget.NewSeparator()),
		nil, nil, nil, v.sections)
	return v
}

// statementSection is a list of the statement under its title and
// column header, with the words shown in its place while it is empty.
func statementSection(title string, cols []listColumn, list *widget.List, empty *widget.Label) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(sectionTitle(title), columnHeader(cols), widget.NewSeparator()),
		nil, nil, nil, container.NewStack(list, container.NewVBox(empty)))
}

// addSection adds a section below the payments, e.g. the Bills tab's
// price list; the sections share the height.
func (v *statementView) addSection(title string, body fyne.CanvasObject) {
	v.sections.Add(container.NewBorder(container.NewVBox(widget.NewSeparator(), sectionTitle(title)), nil, nil, nil, body))
	v.sections.Layout = layout.NewGridLayoutWithRows(len(v.sections.Objects))
	v.sections.Refresh()
}

func (v *statementView) view() fyne.CanvasObject { return v.content }

// load reads the statement.
func (v *statementView) load() {
	background(v.u, func(ctx context.Context) (*app.Statement, error) {
		return v.u.svc.Billing.PatientStatement(ctx, v.patientID)
	}, func(st *app.Statement, err error) {
		if err != nil {
			v.message.SetText(errText(err))
			showError(err, v.u.win)
			return
		}
		v.show(st)
	})
}

// statementInvoiceColumns are the columns of the statement's invoices.
var statementInvoiceColumns = []listColumn{
	{i18n.N("Invoice"), 190, false}, {i18n.N("Issued"), 140, false}, {i18n.N("Status"), 110, false},
	{i18n.N("Total"), 115, true}, {i18n.N("Paid"), 115, true}, {i18n.N("Balance"), 115, true}, {"", 0, false},
}

// statementPaymentColumns are the columns of the statement's payments.
var statementPaymentColumns = []listColumn{
	{i18n.N("Receipt"), 190, false}, {i18n.N("Taken"), 180, false}, {i18n.N("Method"), 170, false},
	{i18n.N("Amount"), 115, true}, {"", 20, false}, {i18n.N("Cashier"), 200, false}, {"", 0, false},
}

func (v *statementView) show(st *app.Statement) {
	v.st = st
	v.heading.SetText(strings.TrimSpace(st.PatientName + " · " + st.PatientMRN))
	v.balance.Importance, v.balance.Text = balanceText(st.Balance, st.Currency)
	v.balance.Refresh()
	v.totals.SetText(Tf("Invoiced %s · paid %s", moneyText(st.TotalInvoiced, st.Currency), moneyText(st.TotalPaid, st.Currency)))
	v.message.Hide()
	v.print.Enable()
	v.noInv.Hidden = len(st.Invoices) > 0
	v.noInv.Refresh()
	v.noPay.Hidden = len(st.Payments) > 0
	v.noPay.Refresh()
	v.invoiceL.Refresh()
	v.paymentL.Refresh()
}

func (v *statementView) invoiceCount() int {
	if v.st == nil {
		return 0
	}
	return len(v.st.Invoices)
}

func (v *statementView) paymentCount() int {
	if v.st == nil {
		return 0
	}
	return len(v.st.Payments)
}

// balanceText is a balance as the desk says it: due, settled or in credit.
func balanceText(balance app.Money, currency string) (widget.Importance, string) {
	switch {
	case balance > 0:
		return widget.WarningImportance, Tf("Balance due: %s", moneyText(balance, currency))
	case balance < 0:
		return widget.SuccessImportance, Tf("In credit: %s", moneyText(-balance, currency))
	}
	return widget.SuccessImportance, T("Nothing owed")
}

// newRow is a row of cols, with the statement's action at its end when
// it has one.
func (v *statementView) newRow(cols []listColumn) fyne.CanvasObject {
	if v.actionText == "" {
		return newListRow(newColumnRow(cols))
	}
	return newListRow(newColumnRow(cols), widget.NewButtonWithIcon(v.actionText, v.actionIcon, nil))
}

func (v *statementView) updateInvoiceRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= v.invoiceCount() {
		return
	}
	inv := v.st.Invoices[id]
	d := billingDigits(v.st.Currency)
	imp := widget.MediumImportance
	if inv.Status == app.InvoiceVoid {
		imp = widget.LowImportance
	}
	setColumnRow(r.columns(), imp, inv.Number, dayText(v.u, inv.IssuedAt), invoiceStatusLabel(inv.Status),
		amountText(inv.Totals.Total, d), amountText(inv.Paid, d), amountText(inv.Balance, d), "")
	var act func()
	if v.invoiceAction != nil && len(r.actions) > 0 {
		b := r.actions[0]
		act = func() { v.invoiceAction(b, inv) }
	}
	r.bind(inv.ID, act)
}

func (v *statementView) updatePaymentRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= v.paymentCount() {
		return
	}
	p := v.st.Payments[id]
	amount := amountText(p.Amount, billingDigits(v.st.Currency))
	method := paymentMethodLabel(p.Method)
	imp := widget.MediumImportance
	switch {
	case p.IsReversal():
		amount, method, imp = "−"+amount, Tf("Refund: %s", method), widget.DangerImportance
	case p.ReversedBy != "":
		method, imp = Tf("%s (refunded)", method), widget.LowImportance
	}
	setColumnRow(r.columns(), imp, p.ReceiptNumber, formatTime(v.u, p.TakenAt), method, amount, "", p.CashierName, "")
	var act func()
	if v.paymentAction != nil && len(r.actions) > 0 {
		b := r.actions[0]
		act = func() { v.paymentAction(b, p) }
	}
	r.bind(p.ID, act)
}

func (v *statementView) onPrint() {
	name := "statement"
	if v.st != nil && v.st.PatientMRN != "" {
		name += "-" + v.st.PatientMRN
	}
	name += "-" + v.u.now().In(v.u.location()).Format(app.DateLayout) + ".pdf"
	id := v.patientID
	v.u.printDocument(v.print, name, func(ctx context.Context) ([]byte, error) {
		return v.u.svc.Billing.StatementPDF(ctx, id)
	})
}

// showStatement opens a patient's statement in a dialog over the window.
func showStatement(u *UI, patientID string) *statementView {
	v := newStatementView(u, patientID)
	d := newInfoDialog(T("Patient statement"), T("Close"), v.view(), u.win)
	d.Resize(fyne.NewSize(1000, 640))
	d.Show()
	v.load()
	return v
}

// canOpenStatement reports whether the user may open the statement from a
// patient's chart: billing staff and reception.
func (b *chartBase) canOpenStatement() bool {
	return b.u.svc.Billing != nil && (b.can(app.PermManageBilling) || b.can(app.PermTakePayment))
}

// openStatement opens the statement of the chart's patient.
func (b *chartBase) openStatement() *statementView { return showStatement(b.u, b.id) }
