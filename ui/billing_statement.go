package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// statementView is a patient's statement: their invoices and payments,
// newest first, what was invoiced and paid, and the balance due, with a
// button that prints it. Staff open it from the chart or an invoice; a
// patient's Bills tab builds on it.
type statementView struct {
	u         *UI
	patientID string
	// invoiceAction and paymentAction, when set, give each row a button
	// at its end (the Bills tab's "Save as PDF").
	invoiceAction func(*app.Invoice) *widget.Button
	paymentAction func(*app.Payment) *widget.Button

	st *app.Statement

	heading  *widget.Label
	balance  *widget.Label
	totals   *widget.Label
	message  *widget.Label // loading, or why there is nothing
	print    *widget.Button
	invoices *fyne.Container
	payments *fyne.Container
	// more is an empty box below the payments that a screen building on
	// the statement fills (the Bills tab's price list).
	more *fyne.Container

	content fyne.CanvasObject
}

// newStatementView builds the statement of a patient; load fills it.
func newStatementView(u *UI, patientID string) *statementView {
	v := &statementView{u: u, patientID: patientID}
	v.heading = widget.NewLabelWithStyle("Statement", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.balance = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.totals = widget.NewLabel("")
	v.message = mutedLabel("Loading…")
	v.print = widget.NewButtonWithIcon("Print statement", theme.DocumentPrintIcon(), v.onPrint)
	v.print.Importance = widget.HighImportance
	v.print.Disable()
	v.invoices = container.NewVBox()
	v.payments = container.NewVBox()
	v.more = container.NewVBox()
	v.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, v.print, v.heading), v.balance, v.totals, v.message,
			widget.NewSeparator()),
		nil, nil, nil,
		container.NewVScroll(container.NewVBox(
			sectionTitle("Invoices"), v.invoices, widget.NewSeparator(),
			sectionTitle("Payments and receipts"), v.payments, v.more)))
	return v
}

func (v *statementView) view() fyne.CanvasObject { return v.content }

// load reads the statement.
func (v *statementView) load() {
	background(v.u, func(ctx context.Context) (*app.Statement, error) {
		return v.u.svc.Billing.PatientStatement(ctx, v.patientID)
	}, func(st *app.Statement, err error) {
		if err != nil {
			v.message.SetText(app.ErrorMessage(err))
			showError(err, v.u.win)
			return
		}
		v.show(st)
	})
}

// statementInvoiceColumns are the columns of the statement's invoices.
var statementInvoiceColumns = []listColumn{
	{"Invoice", 190, false}, {"Issued", 140, false}, {"Status", 110, false},
	{"Total", 115, true}, {"Paid", 115, true}, {"Balance", 115, true}, {"", 0, false},
}

// statementPaymentColumns are the columns of the statement's payments.
var statementPaymentColumns = []listColumn{
	{"Receipt", 190, false}, {"Taken", 180, false}, {"Method", 170, false},
	{"Amount", 115, true}, {"", 20, false}, {"Cashier", 200, false}, {"", 0, false},
}

func (v *statementView) show(st *app.Statement) {
	v.st = st
	d := billingDigits(st.Currency)
	v.heading.SetText(strings.TrimSpace(st.PatientName + " · " + st.PatientMRN))
	v.balance.Importance, v.balance.Text = balanceText(st.Balance, st.Currency)
	v.balance.Refresh()
	v.totals.SetText("Invoiced " + app.Format(st.TotalInvoiced, st.Currency) + " · paid " + app.Format(st.TotalPaid, st.Currency))
	v.message.Hide()
	v.print.Enable()

	rows := []fyne.CanvasObject{columnHeader(statementInvoiceColumns)}
	for _, inv := range st.Invoices {
		rows = append(rows, v.invoiceRow(inv, d))
	}
	if len(st.Invoices) == 0 {
		rows = []fyne.CanvasObject{mutedLabel("No invoices.")}
	}
	v.invoices.Objects = rows
	v.invoices.Refresh()

	rows = []fyne.CanvasObject{columnHeader(statementPaymentColumns)}
	for _, p := range st.Payments {
		rows = append(rows, v.paymentRow(p, d))
	}
	if len(st.Payments) == 0 {
		rows = []fyne.CanvasObject{mutedLabel("No payments.")}
	}
	v.payments.Objects = rows
	v.payments.Refresh()
}

// balanceText is a balance as the desk says it: due, settled or in credit.
func balanceText(balance app.Money, currency string) (widget.Importance, string) {
	switch {
	case balance > 0:
		return widget.WarningImportance, "Balance due: " + app.Format(balance, currency)
	case balance < 0:
		return widget.SuccessImportance, "In credit: " + app.Format(-balance, currency)
	}
	return widget.SuccessImportance, "Nothing owed"
}

func (v *statementView) invoiceRow(inv *app.Invoice, d int) fyne.CanvasObject {
	cols := statementInvoiceColumns
	row := newColumnRow(cols[:len(cols)-1])
	imp := widget.MediumImportance
	if inv.Status == app.InvoiceVoid {
		imp = widget.LowImportance
	}
	setColumnRow(row, imp, inv.Number, dayText(v.u, inv.IssuedAt), invoiceStatusLabel(inv.Status),
		app.FormatAmount(inv.Totals.Total, d), app.FormatAmount(inv.Paid, d), app.FormatAmount(inv.Balance, d))
	row.Objects = append(row.Objects, rowAction(v.invoiceAction, inv))
	return row
}

func (v *statementView) paymentRow(p *app.Payment, d int) fyne.CanvasObject {
	cols := statementPaymentColumns
	row := newColumnRow(cols[:len(cols)-1])
	amount := app.FormatAmount(p.Amount, d)
	method := paymentMethodLabel(p.Method)
	imp := widget.MediumImportance
	switch {
	case p.IsReversal():
		amount, method, imp = "−"+amount, "Refund: "+method, widget.DangerImportance
	case p.ReversedBy != "":
		method, imp = method+" (refunded)", widget.LowImportance
	}
	setColumnRow(row, imp, p.ReceiptNumber, formatTime(v.u, p.TakenAt), method, amount, "", p.CashierName)
	row.Objects = append(row.Objects, rowAction(v.paymentAction, p))
	return row
}

// rowAction is the button action gives a row, right-aligned, or nothing.
func rowAction[T any](action func(T) *widget.Button, x T) fyne.CanvasObject {
	if action == nil {
		return layout.NewSpacer()
	}
	return container.NewHBox(layout.NewSpacer(), action(x))
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
	d := dialog.NewCustom("Patient statement", "Close", v.view(), u.win)
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
