package ui

import (
	"context"
	"image/color"
	"maps"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// invoiceStatuses are the statuses the list filters by, in the order
// offered.
var invoiceStatuses = []app.InvoiceStatus{
	app.InvoiceDraft, app.InvoiceIssued, app.InvoicePartiallyPaid, app.InvoicePaid, app.InvoiceVoid,
}

// invoiceStatusOptions are the status filter's choices: any, then each.
func invoiceStatusOptions() []string {
	out := []string{T(statusAny)}
	for _, s := range invoiceStatuses {
		out = append(out, invoiceStatusLabel(s))
	}
	return out
}

// invoiceStatusText is how an invoice's status is shown: an invoice paid
// more than its total (on two desks that were apart) says so, never a
// silent negative balance.
func invoiceStatusText(inv *app.Invoice) string {
	if inv.Balance < 0 && inv.Status != app.InvoiceVoid {
		return T("Overpaid")
	}
	return invoiceStatusLabel(inv.Status)
}

// invoiceStatusLabel is how a status is shown: "Partly paid".
func invoiceStatusLabel(s app.InvoiceStatus) string {
	switch s {
	case app.InvoiceDraft:
		return T("Draft")
	case app.InvoiceIssued:
		return T("Issued")
	case app.InvoicePartiallyPaid:
		return T("Partly paid")
	case app.InvoicePaid:
		return T("Paid")
	case app.InvoiceVoid:
		return T("Void")
	}
	return string(s)
}

// invoiceNumberText is an invoice's number, or "Draft" before it has one.
func invoiceNumberText(inv *app.Invoice) string {
	if inv.Number == "" {
		return T("Draft")
	}
	return inv.Number
}

// invoiceDate is when an invoice was issued, or started while a draft.
func invoiceDate(inv *app.Invoice) time.Time {
	if !inv.IssuedAt.IsZero() {
		return inv.IssuedAt
	}
	return inv.CreatedAt
}

// invoiceScreen is one invoice: its lines and totals as the service
// computed them, and its payments. A draft's lines are added, changed and
// removed here until it is issued; an issued invoice is paid, printed or
// voided.
type invoiceScreen struct {
	v  *invoicesView
	u  *UI
	id string

	inv      *app.Invoice
	payments []*app.Payment // the payments and refunds of this invoice, newest first

	back     *widget.Button
	title    *widget.Label
	status   *widget.Label
	patient  *widget.Label
	details  *widget.Label
	voidNote *widget.Label
	actions  *fyne.Container
	// lineL lists the lines, with an edit and a remove button while a draft
	// billing staff may change; the totals stand beside it, so the lines
	// have the screen's height. payL lists the payments and refunds, each
	// with "Reprint" and, for billing staff, "Refund…", under the lines:
	// as tall as its rows up to paymentsShown, then it scrolls.
	lineL     *widget.List
	lineEmpty *widget.Label
	headPad   *canvas.Rectangle // the width of a draft's buttons at the end of the header
	totals    *fyne.Container
	payL      *widget.List
	payPane   *fyne.Container // hidden while there are no payments
	body      *fyne.Container // the lines, totals and payments, laid out again when they change

	addLine *widget.Button // a draft's, for billing staff
	issue   *widget.Button // a draft's, for billing staff
	pay     *widget.Button // an unpaid issued invoice's, for whoever takes payments
	voidBtn *widget.Button // an issued invoice's, for billing staff
	pdf     *widget.Button // an issued invoice's

	// A draft's invoice discount, for billing staff: a percentage or an
	// amount, which the service shares over the lines.
	discRate   *escEntry
	discAmount *escEntry
	applyDisc  *widget.Button
	discErrs   fieldErrors
	discBox    *fyne.Container

	lineForm *lineForm    // the open line dialog
	restore  *app.Draft   // a kept draft to put back once the invoice is read
	confirm  *confirmForm // the open "Issue" confirmation
	prompt   *promptForm  // the open void or refund prompt

	content fyne.CanvasObject
}

func newInvoiceScreen(v *invoicesView, id string) *invoiceScreen {
	s := &invoiceScreen{v: v, u: v.u, id: id}
	s.buildUI()
	return s
}

// can reports whether the user's role has p.
func (s *invoiceScreen) can(p app.Permission) bool { return app.Can(s.u.session.User.Role, p) }

func (s *invoiceScreen) buildUI() {
	s.back = widget.NewButtonWithIcon(T("Invoices"), theme.NavigateBackIcon(), s.v.closeInvoice)
	s.title = widget.NewLabelWithStyle(T("Invoice"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.status = widget.NewLabel("")
	s.patient = widget.NewLabel("")
	s.details = widget.NewLabel("")
	s.details.Importance = widget.LowImportance
	s.details.Truncation = fyne.TextTruncateEllipsis
	s.voidNote = wrapLabel("")
	s.voidNote.Importance = widget.DangerImportance
	s.voidNote.Hide()
	s.addLine = widget.NewButtonWithIcon(T("Add line…"), theme.ContentAddIcon(), func() { s.openLineForm(nil) })
	s.issue = widget.NewButtonWithIcon(T("Issue…"), theme.ConfirmIcon(), s.onIssue)
	s.issue.Importance = widget.HighImportance
	s.pay = widget.NewButtonWithIcon(T("Take payment…"), theme.ConfirmIcon(), func() { s.v.onPay(s.inv) })
	s.pay.Importance = widget.HighImportance
	s.voidBtn = widget.NewButtonWithIcon(T("Void…"), theme.CancelIcon(), s.onVoid)
	s.voidBtn.Importance = widget.DangerImportance
	s.pdf = widget.NewButtonWithIcon(T("Invoice PDF"), theme.DocumentPrintIcon(), s.onPDF)
	s.discRate = entry("%")
	s.discAmount = entry(T("or amount"))
	for _, e := range []*escEntry{s.discRate, s.discAmount} {
		e.OnSubmitted = func(string) { s.onDiscount() }
	}
	s.applyDisc = widget.NewButton(T("Apply"), s.onDiscount)
	s.discErrs = fieldErrors{}
	s.discBox = container.NewVBox(widget.NewLabel(T("Invoice discount")), s.discErrs.add("invoice_discount",
		container.NewBorder(nil, nil, nil, s.applyDisc, container.NewGridWithColumns(2, s.discRate, s.discAmount))),
		widget.NewSeparator())
	s.discErrs.alias("rate", "invoice_discount")
	s.discErrs.alias("amount", "invoice_discount")
	s.discBox.Hide()
	s.actions = container.NewHBox()
	s.lineL = widget.NewList(func() int {
		if s.inv == nil {
			return 0
		}
		return len(s.inv.Lines)
	}, func() fyne.CanvasObject { return newLineRow() }, func(id widget.ListItemID, o fyne.CanvasObject) {
		if s.inv != nil && id >= 0 && id < len(s.inv.Lines) {
			s.updateLine(s.inv.Lines[id], o.(*listRow))
		}
	})
	s.lineL.OnSelected = func(id widget.ListItemID) {
		s.lineL.UnselectAll()
		if s.inv != nil && id >= 0 && id < len(s.inv.Lines) && s.editable() {
			s.openLineForm(s.inv.Lines[id])
		}
	}
	s.lineEmpty = mutedLabel(T("No lines yet: add one from the price list or as free text."))
	s.lineEmpty.Hide()
	s.totals = container.NewVBox()
	s.payL = widget.NewList(func() int { return len(s.payments) }, func() fyne.CanvasObject { return newPaymentRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(s.payments) {
				s.updatePayment(s.payments[id], o.(*listRow))
			}
		})
	s.payL.OnSelected = func(widget.ListItemID) {
		s.payL.UnselectAll() // a payment opens nothing more than its row shows
	}

	head := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(s.back, s.title, s.status), s.actions),
		container.NewBorder(nil, nil, s.patient, nil, s.details),
		s.voidNote,
		widget.NewSeparator(),
	)
	// A draft's rows end with their buttons: the header leaves their width.
	probe := newLineRow()
	s.headPad = canvas.NewRectangle(color.Transparent)
	s.headPad.SetMinSize(fyne.NewSize(container.NewHBox(probe.actions[0], probe.actions[1]).MinSize().Width, 1))
	s.headPad.Hide()
	lines := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, s.headPad, columnHeader(lineColumns)),
		widget.NewSeparator()), nil, nil, nil,
		container.NewStack(s.lineL, container.NewVBox(s.lineEmpty)))
	side := container.NewHBox(widget.NewSeparator(),
		container.New(widthLayout{300}, container.NewVBox(s.discBox, s.totals)))
	payRows := container.New(&allRowsLayout{length: func() int { return min(len(s.payments), paymentsShown) },
		row: newPaymentRow().MinSize().Height}, s.payL)
	s.payPane = container.NewVBox(widget.NewSeparator(), sectionTitle(T("Payments")), columnHeader(paymentColumns),
		widget.NewSeparator(), payRows)
	s.payPane.Hide()
	s.body = container.NewBorder(nil, s.payPane, nil, side, lines)
	s.content = container.NewBorder(head, nil, nil, nil, s.body)
}

// paymentsShown is how many payments an invoice shows before their list
// scrolls.
const paymentsShown = 3

// newLineRow is a row of the lines: their columns, then a draft's buttons.
func newLineRow() *listRow {
	return newListRow(newColumnRow(lineColumns),
		widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), nil),
		widget.NewButtonWithIcon("", theme.DeleteIcon(), nil))
}

// newPaymentRow is a row of the payments: their columns, then "Reprint"
// and "Refund…".
func newPaymentRow() *listRow {
	return newListRow(newColumnRow(paymentColumns),
		widget.NewButtonWithIcon(T("Reprint"), theme.DocumentPrintIcon(), nil),
		widget.NewButtonWithIcon(T("Refund…"), theme.ContentUndoIcon(), nil))
}

// lineColumns are the columns of an invoice's lines, before a draft's
// buttons; the description takes the width the others leave.
var lineColumns = []listColumn{
	{i18n.N("Code"), 100, false}, {i18n.N("Description"), 0, false}, {i18n.N("Qty"), 55, true}, {i18n.N("Unit price"), 100, true},
	{i18n.N("Discount"), 90, true}, {i18n.N("Tax"), 85, true}, {i18n.N("Total"), 100, true},
}

// invoiceView is what the screen reads: the invoice and its payments.
type invoiceView struct {
	inv      *app.Invoice
	payments []*app.Payment
}

// load reads the invoice and, once issued, its payments.
func (s *invoiceScreen) load() {
	id := s.id
	background(s.u, func(ctx context.Context) (invoiceView, error) {
		inv, err := s.u.svc.Billing.FindInvoice(ctx, id)
		if err != nil || inv.Status == app.InvoiceDraft {
			return invoiceView{inv: inv}, err
		}
		pays, err := invoicePayments(ctx, s.u.svc.Billing, inv)
		return invoiceView{inv: inv, payments: pays}, err
	}, func(r invoiceView, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.payments = r.payments
		s.show(r.inv)
		if d := s.restore; d != nil {
			s.restore = nil
			s.restoreDraft(d)
		}
	})
}

// invoicePayments lists the payments and refunds with a part for inv,
// newest first. The patient's statement lists payments without the
// invoices they pay, so each one taken since inv was issued is read whole.
func invoicePayments(ctx context.Context, svc app.BillingService, inv *app.Invoice) ([]*app.Payment, error) {
	st, err := svc.PatientStatement(ctx, inv.PatientID)
	if err != nil {
		return nil, err
	}
	var out []*app.Payment
	for _, p := range st.Payments {
		if p.TakenAt.Before(inv.IssuedAt) {
			continue
		}
		if len(p.Allocations) == 0 {
			if p, err = svc.FindPayment(ctx, p.ID); err != nil {
				return nil, err
			}
		}
		for _, a := range p.Allocations {
			if a.InvoiceID == inv.ID {
				out = append(out, p)
				break
			}
		}
	}
	return out, nil
}

// show fills the screen with inv.
func (s *invoiceScreen) show(inv *app.Invoice) {
	s.inv = inv
	if inv.Number != "" {
		s.title.SetText(Tf("Invoice %s", inv.Number))
	} else {
		s.title.SetText(T("Draft invoice"))
	}
	status := invoiceStatusText(inv)
	if inv.Balance < 0 && inv.Status != app.InvoiceVoid {
		status += T(": settle it under Billing → Overpaid")
	}
	s.status.SetText(status)
	s.status.Importance = statusImportance(inv.Status)
	s.status.Refresh()
	s.patient.SetText(inv.PatientName + " (" + inv.PatientMRN + ")")
	s.details.SetText(s.detailText())
	if inv.Status == app.InvoiceVoid {
		s.voidNote.SetText(Tf("Voided %s by credit note %s: %s", formatTime(s.u, inv.VoidedAt), inv.CreditNoteNumber, inv.VoidReason))
		s.voidNote.Show()
	} else {
		s.voidNote.Hide()
	}
	s.showActions()
	s.showLines()
	s.showDiscount()
	s.showTotals()
	s.showPayments()
	s.body.Refresh()
}

// statusImportance colours a status: paid green, void red, owed orange.
func statusImportance(st app.InvoiceStatus) widget.Importance {
	switch st {
	case app.InvoicePaid:
		return widget.SuccessImportance
	case app.InvoiceVoid:
		return widget.DangerImportance
	case app.InvoiceIssued, app.InvoicePartiallyPaid:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

// detailText is the line under the patient: when the invoice was issued
// (or started) and its notes.
func (s *invoiceScreen) detailText() string {
	inv := s.inv
	var parts []string
	if inv.IssuedAt.IsZero() {
		parts = append(parts, Tf("started %s", formatTime(s.u, inv.CreatedAt)))
	} else {
		parts = append(parts, Tf("issued %s by %s", formatTime(s.u, inv.IssuedAt), inv.IssuedBy))
	}
	if inv.Notes != "" {
		parts = append(parts, inv.Notes)
	}
	return "· " + strings.Join(parts, " · ")
}

// showActions shows the buttons the invoice's status and the role allow.
func (s *invoiceScreen) showActions() {
	var objs []fyne.CanvasObject
	switch st := s.inv.Status; {
	case st == app.InvoiceDraft:
		if s.can(app.PermManageBilling) {
			objs = append(objs, s.addLine, s.issue)
		}
		if len(s.inv.Lines) == 0 {
			s.issue.Disable() // the service refuses to issue an empty invoice
		} else {
			s.issue.Enable()
		}
	default:
		objs = append(objs, s.pdf)
		if st == app.InvoiceIssued && s.can(app.PermManageBilling) {
			objs = append(objs, s.voidBtn)
		}
		if (st == app.InvoiceIssued || st == app.InvoicePartiallyPaid) && s.can(app.PermTakePayment) {
			objs = append(objs, s.pay)
		}
	}
	s.actions.Objects = objs
	s.actions.Refresh()
}

// editable reports whether the user may change the invoice's lines.
func (s *invoiceScreen) editable() bool {
	return s.inv != nil && s.inv.Status == app.InvoiceDraft && s.can(app.PermManageBilling)
}

// showLines lists the lines, with an edit and a remove button while a
// draft.
func (s *invoiceScreen) showLines() {
	s.headPad.Hidden = !s.editable()
	s.lineEmpty.Hidden = len(s.inv.Lines) > 0
	s.lineEmpty.Refresh()
	s.lineL.Refresh()
}

// updateLine shows a line in a row.
func (s *invoiceScreen) updateLine(l *app.InvoiceLine, r *listRow) {
	d := billingDigits(s.inv.Currency)
	setColumnRow(r.columns(), widget.MediumImportance, l.Code, l.Description, strconv.FormatInt(l.Quantity, 10),
		amountText(l.UnitPrice, d), discountText(l, d), app.FormatRate(l.TaxRate), amountText(l.Total, d))
	if !s.editable() {
		r.bind(l.ID)
		return
	}
	r.bind(l.ID, func() { s.openLineForm(l) }, func() { s.onRemove(l, rowBusy(r, l.ID)) })
}

// discountText is a line's discount: the amount, with the rate when it was
// given as one.
func discountText(l *app.InvoiceLine, digits int) string {
	if l.Discount == 0 {
		return ""
	}
	s := amountText(l.Discount, digits)
	if l.DiscountRate > 0 {
		s = app.FormatRate(l.DiscountRate) + " " + s
	}
	return s
}

// showDiscount shows a draft's invoice discount as the service holds it,
// for billing staff to change; other invoices show it in the totals only.
func (s *invoiceScreen) showDiscount() {
	inv := s.inv
	s.discErrs.clear()
	if inv.Status != app.InvoiceDraft || !s.can(app.PermManageBilling) {
		s.discBox.Hide()
		return
	}
	rate, amount := savedDiscount(inv)
	s.discRate.SetText(rate)
	s.discAmount.SetText(amount)
	s.discBox.Show()
}

// savedDiscount is a draft's invoice discount as the discount entries show
// it: a percentage or an amount.
func savedDiscount(inv *app.Invoice) (rate, amount string) {
	if inv.DiscountRate > 0 {
		rate = strings.TrimSuffix(app.FormatRate(inv.DiscountRate), "%")
	} else if inv.DiscountAmount > 0 {
		amount = app.FormatAmount(inv.DiscountAmount, billingDigits(inv.Currency))
	}
	return rate, amount
}

// draft is what the screen holds that the invoice does not yet: the line
// being added or changed, and the invoice discount typed but not applied.
// Nil when there is nothing, or the invoice is not a draft the user may
// change.
func (s *invoiceScreen) draft() *app.Draft {
	inv := s.inv
	if inv == nil || inv.Status != app.InvoiceDraft || !s.can(app.PermManageBilling) {
		return nil
	}
	fields := map[string]string{}
	if f := s.lineForm; f != nil && f.unsaved() {
		maps.Copy(fields, f.draftFields())
	}
	if rate, amount := savedDiscount(inv); s.discRate.Text != rate || s.discAmount.Text != amount {
		fields["discount_rate"], fields["discount_amount"] = s.discRate.Text, s.discAmount.Text
	}
	if len(fields) == 0 {
		return nil
	}
	fields["invoice_id"] = inv.ID
	return &app.Draft{Kind: app.DraftOfInvoice, PatientID: inv.PatientID, Title: Tf("Draft invoice for %s", inv.PatientName),
		Fields: fields}
}

// restoreDraft puts a kept draft's text back: the invoice discount typed,
// and the line form as it was.
func (s *invoiceScreen) restoreDraft(d *app.Draft) {
	if s.inv == nil || s.inv.Status != app.InvoiceDraft || !s.can(app.PermManageBilling) {
		return
	}
	if _, ok := d.Fields["discount_rate"]; ok {
		s.discRate.SetText(d.Fields["discount_rate"])
		s.discAmount.SetText(d.Fields["discount_amount"])
	}
	if _, ok := d.Fields["line.description"]; !ok {
		return
	}
	var line *app.InvoiceLine
	if id := d.Fields["line.line_id"]; id != "" {
		for _, l := range s.inv.Lines {
			if l.ID == id {
				line = l
			}
		}
		if line == nil {
			return // removed since; the text is the draft's alone
		}
	}
	s.openLineForm(line)
	s.lineForm.restoreDraft(d.Fields)
}

// onDiscount gives the draft the invoice discount typed: a percentage or
// an amount; both empty remove it. The service shares it over the lines.
func (s *invoiceScreen) onDiscount() {
	inv := s.inv
	s.discErrs.clear()
	var rate app.BasisPoints
	var amount app.Money
	var err error
	if t := strings.TrimSpace(s.discRate.Text); t != "" {
		if rate, err = app.ParseRate(t); err != nil {
			s.discErrs.set("invoice_discount", errText(err))
			return
		}
	}
	if t := strings.TrimSpace(s.discAmount.Text); t != "" {
		if amount, err = app.ParseMoney(t, billingDigits(inv.Currency)); err != nil {
			s.discErrs.set("invoice_discount", errText(err))
			return
		}
	}
	if _, err := app.InvoiceDiscountAmount(rate, amount, inv.Totals.Gross-inv.Totals.Discount); err != nil {
		s.discErrs.show(err, s.u.win)
		return
	}
	s.applyDisc.Disable()
	background(s.u, func(ctx context.Context) (*app.Invoice, error) {
		return s.u.svc.Billing.SetInvoiceDiscount(ctx, inv.ID, rate, amount, inv)
	}, func(changed *app.Invoice, err error) {
		s.applyDisc.Enable()
		if err != nil {
			s.discErrs.show(err, s.u.win)
			return
		}
		s.changed(changed)
	})
}

// invoiceDiscountLabel names an invoice's discount in its totals, with the
// rate when it was given as one: "Invoice discount 10%".
func invoiceDiscountLabel(inv *app.Invoice) string {
	if inv.DiscountRate > 0 {
		return Tf("Invoice discount %s", app.FormatRate(inv.DiscountRate))
	}
	return T("Invoice discount")
}

// showTotals shows the totals as the service computed them.
func (s *invoiceScreen) showTotals() {
	inv, cur := s.inv, s.inv.Currency
	t := inv.Totals
	rows := [][2]string{{T("Subtotal"), moneyText(t.Gross, cur)}}
	if t.Discount != 0 {
		rows = append(rows, [2]string{T("Discount"), moneyText(-t.Discount, cur)})
	}
	if t.InvoiceDiscount != 0 {
		rows = append(rows, [2]string{invoiceDiscountLabel(inv), moneyText(-t.InvoiceDiscount, cur)})
	}
	if t.Discount != 0 || t.InvoiceDiscount != 0 {
		rows = append(rows, [2]string{T("Net"), moneyText(t.Net, cur)})
	}
	rows = append(rows, [2]string{T("Tax"), moneyText(t.Tax, cur)}, [2]string{T("Total"), moneyText(t.Total, cur)})
	if inv.Status != app.InvoiceDraft {
		rows = append(rows, [2]string{T("Paid"), moneyText(inv.Paid, cur)}, [2]string{T("Balance due"), moneyText(inv.Balance, cur)})
	}
	var objs []fyne.CanvasObject
	for _, r := range rows {
		bold := r[0] == T("Total") || r[0] == T("Balance due")
		name := widget.NewLabelWithStyle(r[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
		value := widget.NewLabelWithStyle(r[1], fyne.TextAlignTrailing, fyne.TextStyle{Bold: bold})
		objs = append(objs, container.NewBorder(nil, nil, name, nil, value))
	}
	s.totals.Objects = objs
	s.totals.Refresh()
}

// paymentColumns are the columns of an invoice's payments; the last,
// empty, takes the width the others leave, before the buttons.
var paymentColumns = []listColumn{
	{i18n.N("Receipt"), 200, false}, {i18n.N("Taken"), 180, false}, {i18n.N("Method"), 160, false}, {i18n.N("Amount"), 115, true},
	{i18n.N("Cashier"), 160, false}, {"", 0, false},
}

// showPayments lists the payments and refunds of the invoice, each with
// its receipt and, for billing staff, a refund.
func (s *invoiceScreen) showPayments() {
	s.payPane.Hidden = len(s.payments) == 0
	s.payL.Refresh()
}

// updatePayment shows a payment or refund in a row, with its buttons.
func (s *invoiceScreen) updatePayment(p *app.Payment, r *listRow) {
	amount := amountText(p.Amount, billingDigits(p.Currency))
	method := paymentMethodLabel(p.Method)
	imp := widget.MediumImportance
	switch {
	case p.IsReversal():
		amount, method = "−"+amount, Tf("Refund: %s", method)
		imp = widget.DangerImportance
	case p.ReversedBy != "":
		method = Tf("%s (refunded)", method)
		imp = widget.LowImportance
	}
	setColumnRow(r.columns(), imp, p.ReceiptNumber, formatTime(s.u, p.TakenAt), method, amount, p.CashierName, "")
	var refund func()
	if !p.IsReversal() && p.ReversedBy == "" && s.can(app.PermManageBilling) {
		refund = func() { s.onRefund(p) }
	}
	r.bind(p.ID, func() { s.onReceipt(p) }, refund)
}

// changed shows the invoice a service call returned.
func (s *invoiceScreen) changed(inv *app.Invoice) {
	if s.v.invoice == s {
		s.show(inv)
	}
}

// openLineForm opens the dialog that adds a line (l nil) or changes l.
func (s *invoiceScreen) openLineForm(l *app.InvoiceLine) {
	s.lineForm = showLineForm(s.u, s.inv, l, func(inv *app.Invoice) {
		s.lineForm = nil
		s.changed(inv)
	})
}

// onRemove removes a draft's line.
func (s *invoiceScreen) onRemove(l *app.InvoiceLine, busy func(bool)) {
	busy(true)
	background(s.u, func(ctx context.Context) (*app.Invoice, error) {
		return s.u.svc.Billing.RemoveLine(ctx, l.ID)
	}, func(inv *app.Invoice, err error) {
		if err != nil {
			busy(false)
			showError(err, s.u.win)
			return
		}
		s.changed(inv)
	})
}

// onIssue asks for confirmation, then numbers and freezes the draft.
func (s *invoiceScreen) onIssue() {
	inv := s.inv
	msg := Tf("Issue this invoice of %s to %s? It gets its number now and cannot be changed after: a mistake is corrected only by voiding it with a credit note.",
		moneyText(inv.Totals.Total, inv.Currency), inv.PatientName)
	s.confirm = showConfirm(s.u, T("Issue invoice"), msg, T("Issue invoice"), func(ctx context.Context) (*app.Invoice, error) {
		return s.u.svc.Billing.IssueInvoice(ctx, inv.ID)
	}, func(issued *app.Invoice) {
		s.confirm = nil
		s.changed(issued)
		showMessage(T("Invoice issued"), Tf("The invoice is issued as %s.", issued.Number), s.u.win)
	})
}

// onVoid asks for the reason and voids the invoice by a credit note.
func (s *invoiceScreen) onVoid() {
	inv := s.inv
	s.prompt = showPrompt(s.u, promptSpec{
		title: T("Void invoice"),
		note: Tf("Void invoice %s of %s for %s? A credit note with the reason cancels it; the invoice itself stays on record.",
			inv.Number, moneyText(inv.Totals.Total, inv.Currency), inv.PatientName),
		label: T("Reason"), field: "reason", ok: T("Void invoice"), danger: true,
		placeholder: T("Why the invoice is voided"),
		check:       func(text string) error { _, err := app.ValidateBillingReason(text); return err },
		submit: func(text string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := s.u.svc.Billing.VoidInvoice(ctx, inv.ID, text)
				return err
			}
		},
		done: func() { s.prompt = nil; s.load() },
	})
}

// onRefund asks for the reason and reverses payment p.
func (s *invoiceScreen) onRefund(p *app.Payment) {
	s.prompt = showPrompt(s.u, promptSpec{
		title: T("Refund payment"),
		note:  Tf("Refund %s of receipt %s? The refund gets its own receipt; the payment stays on record.", moneyText(p.Amount, p.Currency), p.ReceiptNumber),
		label: T("Reason"), field: "reason", ok: T("Refund"), danger: true,
		placeholder: T("Why the money is given back"),
		check:       func(text string) error { _, err := app.ValidateBillingReason(text); return err },
		submit: func(text string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := s.u.svc.Billing.RefundPayment(ctx, p.ID, text)
				return err
			}
		},
		done: func() { s.prompt = nil; s.load() },
	})
}

// onReceipt prints a copy of p's receipt, marked COPY.
func (s *invoiceScreen) onReceipt(p *app.Payment) {
	printReceipt(s.u, s.v.deliver, p, true)
}

// onPDF prints the invoice.
func (s *invoiceScreen) onPDF() {
	inv := s.inv
	s.pdf.Disable()
	background(s.u, func(ctx context.Context) ([]byte, error) {
		return s.u.svc.Billing.InvoicePDF(ctx, inv.ID)
	}, func(body []byte, err error) {
		s.pdf.Enable()
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.v.deliver("invoice-"+inv.Number+".pdf", body)
	})
}

// confirmForm asks to confirm a step that cannot be undone, then runs it.
type confirmForm struct {
	ok     *escButton
	cancel *escButton
	errs   fieldErrors
	dialog dialog.Dialog
}

// showConfirm asks to confirm message; okLabel runs call, and done gets
// its result. A refusal is shown in the dialog.
func showConfirm(u *UI, title, message, okLabel string, call func(context.Context) (*app.Invoice, error),
	done func(*app.Invoice)) *confirmForm {
	f := &confirmForm{errs: fieldErrors{}}
	general := newErrorLabel()
	f.errs[""] = general
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	f.ok = newButton(okLabel, func() {
		f.errs.clear()
		f.ok.Disable()
		background(u, call, func(inv *app.Invoice, err error) {
			f.ok.Enable()
			if err != nil {
				f.errs.show(err, u.win)
				return
			}
			f.dialog.Hide()
			done(inv)
		})
	})
	f.ok.Importance = widget.HighImportance
	f.dialog = showFormDialog(u, title, 480, container.NewVBox(wrapLabel(message), general, buttonsRow(f.cancel, f.ok)))
	return f
}
