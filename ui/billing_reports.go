package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// outstandingPageSize is how many outstanding invoices one page holds.
const outstandingPageSize = 100

// Ages from which an outstanding invoice is shown as late and as overdue.
const (
	lateDays    = 30
	overdueDays = 90
)

// outstandingView is the Outstanding tab of the Billing area: the issued,
// unpaid invoices, oldest first, with their age and balance, paged from the
// service as the list scrolls, and their total. Selecting one opens the
// patient's statement; Print prints the whole list.
type outstandingView struct {
	u *UI

	rows    []*app.OutstandingInvoice
	more    bool // the last page fetched was full: there may be newer ones
	loading bool
	// seq numbers list fetches; an answer to an older one is dropped.
	seq int

	refresh   *widget.Button
	print     *widget.Button
	list      *widget.List
	total     *widget.Label // the sum of the balances loaded
	info      *widget.Label // counts, under the list
	statement *statementView

	content fyne.CanvasObject
}

func newOutstandingView(u *UI) *outstandingView {
	v := &outstandingView{u: u}
	v.buildUI()
	return v
}

func (v *outstandingView) view() fyne.CanvasObject { return v.content }

// outstandingColumns are the columns of the outstanding list.
var outstandingColumns = []listColumn{
	{i18n.N("Invoice"), 190, false}, {i18n.N("Issued"), 140, false}, {i18n.N("Age (days)"), 100, true}, {i18n.N("Total"), 115, true},
	{i18n.N("Paid"), 115, true}, {i18n.N("Balance"), 115, true}, {"", 20, false}, {i18n.N("Patient"), 0, false},
}

func (v *outstandingView) buildUI() {
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	v.print = widget.NewButtonWithIcon(T("Print"), theme.DocumentPrintIcon(), v.onPrint)
	v.print.Importance = widget.HighImportance
	v.list = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject { return newColumnRow(outstandingColumns) },
		v.updateRow,
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.rows) {
			v.statement = showStatement(v.u, v.rows[id].PatientID)
		}
	}
	v.total = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.info = mutedLabel("")
	top := container.NewVBox(
		container.NewHBox(sectionTitle(T("Outstanding invoices")), layout.NewSpacer(), v.refresh, v.print),
		v.total,
		mutedLabel(Tf("Oldest first. Over %d days in amber, over %d in red. Select an invoice for the patient's statement.",
			lateDays, overdueDays)),
		columnHeader(outstandingColumns),
		widget.NewSeparator(),
	)
	v.content = container.NewBorder(top, v.info, nil, nil, v.list)
}

func (v *outstandingView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(v.rows) {
		return
	}
	r := v.rows[id]
	d := billingDigits(r.Currency)
	row := o.(*fyne.Container)
	setColumnRow(row, widget.MediumImportance, r.Number, dayText(v.u, r.IssuedAt), fmt.Sprint(r.AgeDays),
		amountText(r.Totals.Total, d), amountText(r.Paid, d), amountText(r.Balance, d), "",
		strings.TrimSpace(r.PatientName+" · "+r.PatientMRN))
	age := row.Objects[2].(*widget.Label)
	age.Importance = ageImportance(r.AgeDays)
	age.Refresh()
	if id >= len(v.rows)-pageAhead {
		v.loadMore()
	}
}

// ageImportance colours an outstanding invoice's age.
func ageImportance(days int) widget.Importance {
	switch {
	case days > overdueDays:
		return widget.DangerImportance
	case days > lateDays:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// load shows the first page.
func (v *outstandingView) load() {
	v.seq++
	v.rows, v.more = nil, true
	v.loading = false
	v.list.Refresh()
	v.loadMore()
}

// loadMore fetches the next page of newer invoices, once.
func (v *outstandingView) loadMore() {
	if !v.more || v.loading {
		return
	}
	seq := v.seq
	f := app.OutstandingFilter{Limit: outstandingPageSize}
	if n := len(v.rows); n > 0 {
		f.After = v.rows[n-1].ID
	}
	v.loading = true
	v.refresh.Disable()
	background(v.u, func(ctx context.Context) ([]*app.OutstandingInvoice, error) {
		return v.u.svc.Billing.OutstandingInvoices(ctx, f)
	}, func(rows []*app.OutstandingInvoice, err error) {
		if seq != v.seq {
			return
		}
		v.loading = false
		v.refresh.Enable()
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.rows, v.more = append(v.rows, rows...), len(rows) == f.Limit
		v.list.Refresh()
		v.updateTotals()
	})
}

// updateTotals sums the balances loaded and says whether that is all.
func (v *outstandingView) updateTotals() {
	if len(v.rows) == 0 {
		v.total.SetText(T("Nothing outstanding: every issued invoice is paid."))
		v.info.SetText("")
		return
	}
	var sum app.Money
	for _, r := range v.rows {
		sum += r.Balance
	}
	total := moneyText(sum, v.rows[0].Currency)
	n := countText(len(v.rows), T("invoice"), T("invoices"))
	if v.more {
		v.total.SetText(Tf("Outstanding on the %s shown: %s", n, total))
		v.info.SetText(T("Scroll for newer invoices; the printed list has them all."))
		return
	}
	v.total.SetText(Tf("Total outstanding: %s on %s", total, n))
	v.info.SetText("")
}

func (v *outstandingView) onPrint() {
	name := "outstanding-" + v.u.now().In(v.u.location()).Format(app.DateLayout) + ".pdf"
	v.u.printDocument(v.print, name, v.u.svc.Billing.OutstandingPDF)
}

// cashUpView is the Cashier's day tab of the Billing area: one cashier's day,
// with the totals per payment method, the cash that should be in the
// drawer and every receipt, printable. Billing staff choose any cashier;
// reception sees their own day.
type cashUpView struct {
	u *UI

	cashiers []*app.Cashier // the choices of the cashier select
	cashUp   *app.CashUp
	// seq numbers fetches; an answer to an older one is dropped.
	seq int

	cashier    *escSelect
	day        *escEntry
	prevDay    *widget.Button
	nextDay    *widget.Button
	show       *widget.Button
	print      *widget.Button
	errs       fieldErrors
	heading    *widget.Label
	methods    *widget.List    // the totals per method
	total      *fyne.Container // the day's total, under them
	cashInHand *widget.Label
	receipts   *widget.List
	noReceipts *widget.Label // over the empty list

	content fyne.CanvasObject
}

func newCashUpView(u *UI) *cashUpView {
	v := &cashUpView{u: u, errs: fieldErrors{}}
	v.buildUI()
	return v
}

func (v *cashUpView) view() fyne.CanvasObject { return v.content }

// anyCashier reports whether the user may see every cashier's day.
func (v *cashUpView) anyCashier() bool { return app.Can(v.u.session.User.Role, app.PermManageBilling) }

// cashUpMethodColumns are the columns of the totals per method.
var cashUpMethodColumns = []listColumn{
	{i18n.N("Method"), 170, false}, {i18n.N("Payments"), 90, true}, {i18n.N("Taken"), 130, true}, {i18n.N("Refunded"), 130, true},
	{i18n.N("Net"), 130, true}, {"", 0, false},
}

// cashUpReceiptColumns are the columns of the day's receipts.
var cashUpReceiptColumns = []listColumn{
	{i18n.N("Time"), 70, false}, {i18n.N("Receipt"), 190, false}, {i18n.N("Method"), 170, false}, {i18n.N("Amount"), 115, true},
	{"", 20, false}, {i18n.N("Patient"), 0, false},
}

func (v *cashUpView) buildUI() {
	v.cashier = newSelect(nil, func(string) { v.load() })
	v.cashier.PlaceHolder = T("Choose the cashier")
	v.day = entry(T("YYYY-MM-DD"))
	v.day.SetText(v.today().Format(app.DateLayout))
	v.day.OnSubmitted = func(string) { v.load() }
	v.prevDay = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { v.moveDay(-1) })
	v.nextDay = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { v.moveDay(1) })
	v.show = widget.NewButtonWithIcon(T("Show"), theme.SearchIcon(), v.load)
	v.print = widget.NewButtonWithIcon(T("Print"), theme.DocumentPrintIcon(), v.onPrint)
	v.print.Importance = widget.HighImportance
	v.print.Disable()
	v.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.methods = widget.NewList(func() int {
		if v.cashUp == nil {
			return 0
		}
		return len(v.cashUp.Methods)
	}, func() fyne.CanvasObject { return newColumnRow(cashUpMethodColumns) }, v.updateMethod)
	v.methods.OnSelected = func(widget.ListItemID) { v.methods.UnselectAll() }
	v.total = newColumnRow(cashUpMethodColumns)
	for _, o := range v.total.Objects {
		o.(*widget.Label).TextStyle.Bold = true
	}
	v.cashInHand = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.receipts = widget.NewList(
		func() int { return len(v.receiptRows()) },
		func() fyne.CanvasObject { return newColumnRow(cashUpReceiptColumns) },
		v.updateReceipt,
	)
	v.receipts.OnSelected = func(widget.ListItemID) { v.receipts.UnselectAll() }
	v.noReceipts = mutedLabel(T("No receipts on this day."))
	v.noReceipts.Hide()

	dayBox := v.errs.add("day", container.NewHBox(v.prevDay, container.New(widthLayout{130}, v.day), v.nextDay))
	filters := container.NewHBox(
		widget.NewLabel(T("Cashier")), container.New(widthLayout{260}, v.cashier),
		widget.NewLabel(T("Day")), dayBox, v.show, layout.NewSpacer(), v.print)
	top := container.NewVBox(
		sectionTitle(T("Cashier's day")),
		filters,
		widget.NewSeparator(),
		v.heading,
	)
	// The totals per method and the receipts share the height, each
	// list scrolling on its own.
	methods := container.NewBorder(columnHeader(cashUpMethodColumns),
		container.NewVBox(widget.NewSeparator(), v.total, v.cashInHand), nil, nil, v.methods)
	receipts := container.NewBorder(container.NewVBox(widget.NewSeparator(), sectionTitle(T("Receipts")),
		columnHeader(cashUpReceiptColumns)), nil, nil, nil, container.NewStack(v.receipts, container.NewVBox(v.noReceipts)))
	split := container.NewVSplit(methods, receipts)
	split.Offset = 0.4
	v.content = container.NewBorder(top, nil, nil, nil, split)
}

// updateMethod shows a method's totals in a row.
func (v *cashUpView) updateMethod(id widget.ListItemID, o fyne.CanvasObject) {
	if v.cashUp == nil || id < 0 || id >= len(v.cashUp.Methods) {
		return
	}
	m, d := v.cashUp.Methods[id], billingDigits(v.cashUp.Currency)
	imp := widget.MediumImportance
	if m.Count == 0 {
		imp = widget.LowImportance
	}
	setColumnRow(o.(*fyne.Container), imp, paymentMethodLabel(m.Method), fmt.Sprint(m.Count), amountText(m.Taken, d),
		amountText(m.Refunded, d), amountText(m.Taken-m.Refunded, d), "")
}

func (v *cashUpView) today() time.Time { return v.u.now().In(v.u.location()) }

// moveDay shows the day before or after the one shown.
func (v *cashUpView) moveDay(days int) {
	d, err := time.ParseInLocation(app.DateLayout, strings.TrimSpace(v.day.Text), v.u.location())
	if err != nil {
		d = v.today()
	}
	v.day.SetText(d.AddDate(0, 0, days).Format(app.DateLayout))
	v.load()
}

// load shows the chosen cashier's day, after filling the cashier choices
// the first time.
func (v *cashUpView) load() {
	if v.cashiers == nil {
		v.loadCashiers()
		return
	}
	v.errs.clear()
	i := v.cashier.SelectedIndex()
	if i < 0 || i >= len(v.cashiers) {
		return
	}
	day := strings.TrimSpace(v.day.Text)
	if _, err := time.Parse(app.DateLayout, day); err != nil {
		v.errs.set("day", T("Write the day as YYYY-MM-DD."))
		return
	}
	v.seq++
	seq, id := v.seq, v.cashiers[i].ID
	background(v.u, func(ctx context.Context) (*app.CashUp, error) {
		return v.u.svc.Billing.CashUp(ctx, id, day)
	}, func(cu *app.CashUp, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			v.errs.show(err, v.u.win)
			return
		}
		v.showCashUp(cu)
	})
}

// loadCashiers offers billing staff everyone whose day they may see, the
// user first, and everyone else themself; then it shows the user's own day.
func (v *cashUpView) loadCashiers() {
	me := v.u.session.User
	self := &app.Cashier{ID: me.ID, Username: me.Username, FullName: me.FullName, Active: true}
	if !v.anyCashier() {
		v.setCashiers([]*app.Cashier{self})
		return
	}
	background(v.u, func(ctx context.Context) ([]*app.Cashier, error) {
		return v.u.svc.Billing.Cashiers(ctx)
	}, func(cs []*app.Cashier, err error) {
		if err != nil {
			showError(err, v.u.win)
		}
		cashiers := []*app.Cashier{self}
		for _, c := range cs {
			if c.ID != me.ID {
				cashiers = append(cashiers, c)
			}
		}
		v.setCashiers(cashiers)
	})
}

// setCashiers fills the cashier select, the user first and chosen.
func (v *cashUpView) setCashiers(cs []*app.Cashier) {
	v.cashiers = cs
	opts := make([]string, len(cs))
	named := map[string]int{}
	for _, c := range cs {
		named[c.FullName]++
	}
	for i, c := range cs {
		// A person by their name; the username only tells apart two
		// people of one name, or names an account without one.
		opts[i] = c.FullName
		if c.FullName == "" {
			opts[i] = c.Username
		} else if named[c.FullName] > 1 {
			opts[i] += " (" + c.Username + ")"
		}
		if !c.Active {
			opts[i] += T(", deactivated")
		}
	}
	v.cashier.SetOptions(opts)
	v.cashier.SetSelectedIndex(0) // loads the day
}

func (v *cashUpView) showCashUp(cu *app.CashUp) {
	v.cashUp = cu
	d := billingDigits(cu.Currency)
	when := cu.Day
	if t, err := time.Parse(app.DateLayout, cu.Day); err == nil {
		when = tr().LongDate(t)
	}
	v.heading.SetText(cu.CashierName + " — " + when + " — " + cu.Currency)
	setColumnRow(v.total, widget.MediumImportance, T("Total"), fmt.Sprint(len(cu.Receipts)), amountText(cu.Taken, d),
		amountText(cu.Refunded, d), amountText(cu.Net, d), "")
	v.methods.Refresh()
	v.cashInHand.SetText(Tf("Cash in hand: %s", moneyText(cu.CashInHand, cu.Currency)))
	v.receipts.Refresh()
	v.receipts.ScrollToTop()
	if len(cu.Receipts) == 0 {
		v.noReceipts.Show()
	} else {
		v.noReceipts.Hide()
	}
	v.print.Enable()
}

// receiptRows are the receipts of the day shown.
func (v *cashUpView) receiptRows() []*app.Payment {
	if v.cashUp == nil {
		return nil
	}
	return v.cashUp.Receipts
}

func (v *cashUpView) updateReceipt(id widget.ListItemID, o fyne.CanvasObject) {
	ps := v.receiptRows()
	if id < 0 || id >= len(ps) {
		return
	}
	p := ps[id]
	amount := amountText(p.Amount, billingDigits(p.Currency))
	method := paymentMethodLabel(p.Method)
	imp := widget.MediumImportance
	if p.IsReversal() {
		amount, method, imp = "−"+amount, Tf("Refund: %s", method), widget.DangerImportance
	}
	setColumnRow(o.(*fyne.Container), imp, p.TakenAt.In(v.u.location()).Format("15:04"), p.ReceiptNumber, method,
		amount, "", strings.TrimSpace(p.PatientName+" · "+p.PatientMRN))
}

func (v *cashUpView) onPrint() {
	cu := v.cashUp
	if cu == nil {
		return
	}
	name := "cash-up-" + cu.Day + "-" + cu.CashierName + ".pdf"
	v.u.printDocument(v.print, name, func(ctx context.Context) ([]byte, error) {
		return v.u.svc.Billing.CashUpPDF(ctx, cu.CashierID, cu.Day)
	})
}
