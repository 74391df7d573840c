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

// paymentMethodLabel is how a method is shown: "Bank transfer".
func paymentMethodLabel(m app.PaymentMethod) string {
	switch m {
	case app.PayCash:
		return T("Cash")
	case app.PayCard:
		return T("Card")
	case app.PayBankTransfer:
		return T("Bank transfer")
	case app.PayInsurance:
		return T("Insurance")
	case app.PayOther:
		return T("Other")
	}
	return capitalize(strings.ReplaceAll(string(m), "_", " "))
}

// paymentMethodLabels are the methods as offered, in app.PaymentMethods order.
func paymentMethodLabels() []string {
	out := make([]string, len(app.PaymentMethods))
	for i, m := range app.PaymentMethods {
		out[i] = paymentMethodLabel(m)
	}
	return out
}

// paymentForm takes a payment from a patient against one or more of their
// unpaid invoices: each chosen invoice's part (its balance unless changed,
// so a part payment is one edit), the method and reference, and for cash
// what was handed over and the change. Once taken it shows the receipt
// number and offers to print the receipt.
type paymentForm struct {
	u       *UI
	deliver func(filename string, body []byte)
	// patientID is the payer; picked with picker when the form was opened
	// without an invoice.
	patientID string
	picker    *patientPicker
	preselect string // the invoice chosen when the form opened
	currency  string
	digits    int

	invoices []*app.Invoice // the patient's unpaid invoices
	rows     []*allocationRow
	rowsBox  *fyne.Container
	total    *widget.Label

	method    *escSelect
	reference *escEntry
	tendered  *escEntry // cash only
	change    *widget.Label

	save   *escButton
	cancel *escButton
	errs   fieldErrors

	payment  *app.Payment // the payment taken; nil until then
	receipt  *widget.Label
	printBtn *escButton
	doneBtn  *escButton

	body   *fyne.Container // the form, then the result
	dialog dialog.Dialog
	done   func()
}

// allocationRow is one unpaid invoice in the payment form.
type allocationRow struct {
	inv    *app.Invoice
	check  *escCheck
	amount *escEntry
}

// showPaymentForm opens the payment dialog for inv's patient with inv
// chosen, or with a patient search when inv is nil. done runs when the
// dialog closes after a payment.
func showPaymentForm(u *UI, inv *app.Invoice, deliver func(string, []byte), done func()) *paymentForm {
	f := &paymentForm{u: u, deliver: deliver, errs: fieldErrors{}, done: done}
	f.currency = "EUR" //i18n:ok a currency code
	if u.settings != nil && u.settings.Currency != "" {
		f.currency = u.settings.Currency
	}
	if inv != nil {
		f.patientID, f.preselect, f.currency = inv.PatientID, inv.ID, inv.Currency
	}
	f.digits = billingDigits(f.currency)
	f.body = container.NewStack(f.buildForm(inv))
	f.dialog = showFormDialog(u, T("Take payment"), 640, f.body)
	if inv == nil {
		u.win.Canvas().Focus(f.picker.query)
	} else {
		f.loadInvoices()
		u.win.Canvas().Focus(f.tendered)
	}
	return f
}

// buildForm builds the payment form; the patient is inv's, or found with
// a search when inv is nil.
func (f *paymentForm) buildForm(inv *app.Invoice) fyne.CanvasObject {
	var patient fyne.CanvasObject
	if inv == nil {
		f.picker = newPatientPicker(f.u)
		f.picker.result.OnChanged = func(string) {
			f.patientID = f.picker.patientID()
			f.loadInvoices()
		}
		patient = f.picker.content
	} else {
		patient = widget.NewLabel(inv.PatientName + " (" + inv.PatientMRN + ")")
	}
	f.rowsBox = container.NewVBox(mutedLabel(T("Choose the patient to see their unpaid invoices.")))
	f.total = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.method = newSelect(paymentMethodLabels(), func(string) { f.methodChanged() })
	f.reference = entry(T("Card slip, transfer or insurer's reference"))
	f.tendered = entry("")
	f.tendered.OnChanged = func(string) { f.updateTotals() }
	f.change = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.save = newIconButton(T("Take payment"), theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general

	form := widget.NewForm(
		widget.NewFormItem(T("Patient"), f.errs.add("patient_id", patient)),
		widget.NewFormItem(T("Invoices"), f.errs.add("invoices", f.rowsBox)),
		widget.NewFormItem(T("Amount"), f.errs.add("amount", f.total)),
		widget.NewFormItem(T("Method"), f.errs.add("method", f.method)),
		widget.NewFormItem(T("Reference"), f.errs.add("reference", f.reference)),
		widget.NewFormItem(T("Cash tendered"), container.NewVBox(f.errs.add("tendered", f.tendered), f.change)),
	)
	f.method.SetSelected(paymentMethodLabel(app.PayCash))
	f.updateTotals()
	return container.NewVBox(form, general, buttonsRow(f.cancel, f.save))
}

// loadInvoices reads the patient's unpaid invoices.
func (f *paymentForm) loadInvoices() {
	id := f.patientID
	if id == "" {
		f.showInvoices(nil)
		return
	}
	background(f.u, func(ctx context.Context) (*app.Statement, error) {
		return f.u.svc.Billing.PatientStatement(ctx, id)
	}, func(st *app.Statement, err error) {
		if id != f.patientID {
			return
		}
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		var unpaid []*app.Invoice
		for _, inv := range st.Invoices {
			if (inv.Status == app.InvoiceIssued || inv.Status == app.InvoicePartiallyPaid) && inv.Balance > 0 {
				unpaid = append(unpaid, inv)
			}
		}
		f.showInvoices(unpaid)
	})
}

// showInvoices lists the unpaid invoices, each with a box and its part.
func (f *paymentForm) showInvoices(invs []*app.Invoice) {
	f.invoices, f.rows = invs, nil
	var objs []fyne.CanvasObject
	for _, inv := range invs {
		r := &allocationRow{inv: inv}
		r.amount = entry(T("Amount"))
		r.amount.OnChanged = func(string) { f.updateTotals() }
		r.amount.Disable()
		label := Tf("%s of %s — balance %s", inv.Number, dayText(f.u, inv.IssuedAt), moneyText(inv.Balance, f.currency))
		r.check = newCheck(label, func(on bool) { f.toggle(r, on) })
		f.rows = append(f.rows, r)
		row := container.NewBorder(nil, nil, nil, container.New(widthLayout{130}, r.amount), r.check)
		objs = append(objs, f.errs.add("amount/"+inv.ID, row))
	}
	if len(objs) == 0 && f.patientID != "" {
		objs = append(objs, mutedLabel(T("This patient has no unpaid invoices.")))
	}
	f.rowsBox.Objects = objs
	f.rowsBox.Refresh()
	for _, r := range f.rows {
		if r.inv.ID == f.preselect || len(f.rows) == 1 {
			r.check.SetChecked(true)
		}
	}
	f.updateTotals()
}

// toggle chooses an invoice, for its whole balance, or leaves it out.
func (f *paymentForm) toggle(r *allocationRow, on bool) {
	if on {
		r.amount.SetText(app.FormatAmount(r.inv.Balance, f.digits))
		r.amount.Enable()
	} else {
		r.amount.SetText("")
		r.amount.Disable()
		f.errs.unset("amount/" + r.inv.ID)
	}
	f.updateTotals()
}

// methodOf is the method chosen, "" when none.
func (f *paymentForm) methodOf() app.PaymentMethod {
	if i := f.method.SelectedIndex(); i >= 0 {
		return app.PaymentMethods[i]
	}
	return ""
}

// methodChanged opens the cash tendered for cash only.
func (f *paymentForm) methodChanged() {
	if f.methodOf() == app.PayCash {
		f.tendered.SetPlaceHolder(T("What the patient handed over, for the change"))
		f.tendered.Enable()
	} else {
		f.tendered.SetText("")
		f.tendered.SetPlaceHolder(T("Cash payments only"))
		f.tendered.Disable()
	}
	f.updateTotals()
}

// allocations reads the chosen invoices' parts; with show, each problem is
// shown next to its invoice and ok is false.
func (f *paymentForm) allocations(show bool) (out []app.Allocation, sum app.Money, ok bool) {
	ok = true
	for _, r := range f.rows {
		if !r.check.Checked {
			continue
		}
		field := "amount/" + r.inv.ID
		m, err := app.ParseMoney(r.amount.Text, f.digits)
		switch {
		case err != nil:
			ok = false
			if show {
				f.errs.set(field, errText(err))
			}
		case m > r.inv.Balance:
			ok = false
			if show {
				f.errs.set(field, Tf("More than the balance of %s: an overpayment is not accepted.", moneyText(r.inv.Balance, f.currency)))
			}
		default:
			out = append(out, app.Allocation{InvoiceID: r.inv.ID, InvoiceNumber: r.inv.Number, Amount: m})
			sum += m
		}
	}
	return out, sum, ok
}

// updateTotals shows the amount of the payment and, for cash, the change.
func (f *paymentForm) updateTotals() {
	_, sum, ok := f.allocations(false)
	if !ok {
		f.total.SetText("—")
		f.change.SetText("")
		return
	}
	f.total.SetText(moneyText(sum, f.currency))
	f.change.SetText("")
	if t := strings.TrimSpace(f.tendered.Text); t != "" && sum > 0 {
		if given, err := app.ParseMoney(t, f.digits); err == nil && given >= sum {
			f.change.SetText(Tf("Change to give: %s", moneyText(given-sum, f.currency)))
		}
	}
}

// read builds the payment, showing what is wrong next to its field.
func (f *paymentForm) read() (app.PaymentInput, bool) {
	f.errs.clear()
	in := app.PaymentInput{Method: f.methodOf(), Reference: f.reference.Text}
	if f.patientID == "" {
		f.errs.set("patient_id", T("Find and choose the patient."))
		return in, false
	}
	var ok bool
	if in.Allocations, in.Amount, ok = f.allocations(true); !ok {
		return in, false
	}
	if t := strings.TrimSpace(f.tendered.Text); t != "" && in.Method == app.PayCash {
		m, err := app.ParseMoney(t, f.digits)
		if err != nil {
			f.errs.set("tendered", errText(err))
			return in, false
		}
		in.Tendered = m
	}
	if err := in.Validate(); err != nil {
		f.errs.show(err, f.u.win)
		return in, false
	}
	return in, true
}

// onSave takes the payment.
func (f *paymentForm) onSave() {
	in, ok := f.read()
	if !ok {
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Payment, error) {
		return f.u.svc.Billing.TakePayment(ctx, in)
	}, func(p *app.Payment, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.showResult(p)
	})
}

// showResult replaces the form with the payment taken: its receipt
// number, the change to give, and the receipt to print.
func (f *paymentForm) showResult(p *app.Payment) {
	f.payment = p
	f.receipt = widget.NewLabelWithStyle(Tf("Receipt %s", p.ReceiptNumber), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lines := []fyne.CanvasObject{
		widget.NewLabel(Tf("Payment taken: %s by %s.", moneyText(p.Amount, p.Currency), strings.ToLower(paymentMethodLabel(p.Method)))),
		f.receipt,
	}
	for _, a := range p.Allocations {
		lines = append(lines, mutedLabel(a.InvoiceNumber+": "+moneyText(a.Amount, p.Currency)))
	}
	if p.Method == app.PayCash && p.Tendered > 0 {
		change := widget.NewLabelWithStyle(Tf("Tendered %s — change to give %s", moneyText(p.Tendered, p.Currency),
			moneyText(p.Change, p.Currency)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		change.Importance = widget.HighImportance
		lines = append(lines, change)
	}
	f.printBtn = newIconButton(T("Print receipt"), theme.DocumentPrintIcon(), func() {
		printReceipt(f.u, f.deliver, p, false)
	})
	f.printBtn.Importance = widget.HighImportance
	f.doneBtn = newButton(T("Done"), func() {
		f.dialog.Hide()
		f.done()
	})
	lines = append(lines, container.NewHBox(f.doneBtn, layout.NewSpacer(), f.printBtn))
	f.body.Objects = []fyne.CanvasObject{container.NewVBox(lines...)}
	f.body.Refresh()
}
