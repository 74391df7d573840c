package ui

import (
	"context"
	"strconv"
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

// deskCashUpView is the Cash-up tab of the Billing area (billing staff and
// administrators): a desk's day, with the opening float, the cash counted
// by denomination, the expected cash and the variance as the counts are
// typed, the card and other totals, a note, and the payments counted
// (late ones marked). Save keeps the count; Close day numbers and freezes
// it; an administrator reopens a closed day with a reason.
type deskCashUpView struct {
	u *UI

	cu *app.DeskCashUp
	// seq numbers fetches; an answer to an older one is dropped.
	seq int

	desk     *escSelect
	day      *escEntry
	prevDay  *widget.Button
	nextDay  *widget.Button
	show     *widget.Button
	print    *widget.Button
	save     *widget.Button
	closeDay *widget.Button
	reopen   *widget.Button
	errs     fieldErrors
	// deskCodes maps the desk select's options to desk codes: "" this
	// desk, "*" all desks, else another desk of the clinic (D2).
	deskCodes map[string]string

	status   *widget.Label
	float    *escEntry
	countBox *fyne.Container
	counts   []*escEntry // one per cu.Counts, in its order
	amounts  []*widget.Label
	counted  *widget.Label
	expected *widget.Label
	variance *widget.Label
	card     *widget.Label
	other    *widget.Label
	note     *escEntry
	payments *widget.List
	rows     []cashUpRow
	prompt   *promptForm
	confirm  dialog.Dialog

	content fyne.CanvasObject
}

// cashUpRow is one payment of the list, with what it is to the day.
type cashUpRow struct {
	p    *app.Payment
	mark string // "", "late", "carried in"
}

// deskCashUpColumns are the columns of the payments list.
var deskCashUpColumns = []listColumn{
	{i18n.N("Taken"), 110, false}, {i18n.N("Receipt"), 190, false}, {i18n.N("Method"), 150, false}, {i18n.N("Amount"), 110, true},
	{"", 110, false}, {i18n.N("Patient"), 0, false},
}

// Choices of the desk select: this desk, every other desk whose payments
// or cash-ups sync brought here ("Desk D2"), and all desks together.
var (
	cashUpThisDesk = i18n.N("This desk")
	cashUpAllDesks = i18n.N("All desks")
)

func newDeskCashUpView(u *UI) *deskCashUpView {
	v := &deskCashUpView{u: u, errs: fieldErrors{}}
	v.buildUI()
	return v
}

func (v *deskCashUpView) view() fyne.CanvasObject { return v.content }

func (v *deskCashUpView) buildUI() {
	v.desk = newSelect([]string{T(cashUpThisDesk), T(cashUpAllDesks)}, func(string) { v.load() })
	v.desk.Selected = T(cashUpThisDesk)
	v.deskCodes = map[string]string{T(cashUpThisDesk): "", T(cashUpAllDesks): allDesksCode}
	v.day = entry(T("YYYY-MM-DD"))
	v.day.SetText(v.u.now().In(v.u.location()).Format(app.DateLayout))
	v.day.OnSubmitted = func(string) { v.load() }
	v.prevDay = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { v.moveDay(-1) })
	v.nextDay = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { v.moveDay(1) })
	v.show = widget.NewButtonWithIcon(T("Show"), theme.SearchIcon(), v.load)
	v.print = widget.NewButtonWithIcon(T("Print"), theme.DocumentPrintIcon(), v.onPrint)
	v.save = widget.NewButtonWithIcon(T("Save count"), theme.DocumentSaveIcon(), func() { v.submit(false) })
	v.closeDay = widget.NewButtonWithIcon(T("Close day"), theme.ConfirmIcon(), v.onClose)
	v.closeDay.Importance = widget.HighImportance
	v.reopen = widget.NewButtonWithIcon(T("Reopen…"), theme.ContentUndoIcon(), v.onReopen)
	if !app.Can(v.u.session.User.Role, app.PermManageSettings) {
		v.reopen.Hide()
	}
	for _, b := range []*widget.Button{v.print, v.save, v.closeDay, v.reopen} {
		b.Disable()
	}
	v.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.status.Wrapping = fyne.TextWrapWord
	v.float = entry("0.00")
	v.float.OnChanged = func(string) { v.recompute() }
	v.countBox = container.NewVBox()
	bold := func() *widget.Label {
		return widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	v.counted, v.expected, v.variance, v.card, v.other = bold(), bold(), bold(), bold(), bold()
	v.note = multiLineEntry()
	v.note.SetPlaceHolder(T("A note on the day, e.g. why the drawer is short"))
	v.note.SetMinRowsVisible(3)
	v.payments = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject { return newColumnRow(deskCashUpColumns) },
		v.updateRow,
	)
	v.payments.OnSelected = func(widget.ListItemID) { v.payments.UnselectAll() }

	dayBox := v.errs.add("day", container.NewHBox(v.prevDay, container.New(widthLayout{130}, v.day), v.nextDay))
	filters := container.NewHBox(widget.NewLabel(T("Desk")), v.errs.add("desk", container.New(widthLayout{190}, v.desk)),
		widget.NewLabel(T("Day")), dayBox, v.show, layout.NewSpacer(), v.print)
	figures := widget.NewForm(
		widget.NewFormItem(T("Opening float"), v.errs.add("float", container.New(widthLayout{140}, v.float))),
		widget.NewFormItem(T("Counted cash"), v.counted),
		widget.NewFormItem(T("Expected cash"), v.expected),
		widget.NewFormItem(T("Variance"), v.variance),
		widget.NewFormItem(T("Card"), v.card),
		widget.NewFormItem(T("Other methods"), v.other),
		widget.NewFormItem(T("Note"), v.errs.add("note", v.note)),
	)
	general := newErrorLabel()
	v.errs[""] = general
	left := container.NewVBox(sectionTitle(T("Cash counted")), v.countBox)
	right := container.NewVBox(figures, general, container.NewHBox(v.save, v.closeDay, layout.NewSpacer(), v.reopen))
	// The figures take the width the counts leave, so that the note is
	// wide enough to read.
	count := container.NewVScroll(container.NewBorder(nil, nil,
		container.NewHBox(container.New(widthLayout{330}, left), widget.NewSeparator()), nil, right))
	count.SetMinSize(fyne.NewSize(0, 300))
	top := container.NewVBox(sectionTitle(T("Cash-up")), filters, widget.NewSeparator(), v.status, count,
		widget.NewSeparator(), sectionTitle(T("Payments")), columnHeader(deskCashUpColumns))
	v.content = container.NewBorder(top, nil, nil, nil, v.payments)
}

// allDesksCode is the desk code of the cash-up of every desk's payments.
const allDesksCode = "*"

// deskCode is the desk chosen: "" this desk, "*" all desks, else a desk's
// code.
func (v *deskCashUpView) deskCode() string { return v.deskCodes[v.desk.Selected] }

// setDesks offers the desks the service lists (this desk's code first),
// keeping the desk chosen.
func (v *deskCashUpView) setDesks(desks []string) {
	if len(desks) == 0 {
		return
	}
	chosen := v.deskCode()
	thisDesk := Tf("This desk (%s)", desks[0])
	options := []string{thisDesk}
	codes := map[string]string{thisDesk: "", T(cashUpAllDesks): allDesksCode}
	for _, d := range desks[1:] {
		label := Tf("Desk %s", d)
		options = append(options, label)
		codes[label] = d
	}
	options = append(options, T(cashUpAllDesks))
	selected := thisDesk
	for label, code := range codes {
		if code == chosen {
			selected = label
		}
	}
	v.deskCodes = codes
	// Set directly: SetSelected would load the day again.
	v.desk.Options, v.desk.Selected = options, selected
	v.desk.Refresh()
}

func (v *deskCashUpView) moveDay(days int) {
	d, err := time.ParseInLocation(app.DateLayout, strings.TrimSpace(v.day.Text), v.u.location())
	if err != nil {
		d = v.u.now().In(v.u.location())
	}
	v.day.SetText(d.AddDate(0, 0, days).Format(app.DateLayout))
	v.load()
}

// load shows the chosen desk's day.
func (v *deskCashUpView) load() {
	v.errs.clear()
	day := strings.TrimSpace(v.day.Text)
	if _, err := time.Parse(app.DateLayout, day); err != nil {
		v.errs.set("day", T("Write the day as YYYY-MM-DD."))
		return
	}
	v.seq++
	seq, desk := v.seq, v.deskCode()
	var desks []string
	background(v.u, func(ctx context.Context) (*app.DeskCashUp, error) {
		cu, err := v.u.svc.Billing.DeskCashUp(ctx, desk, day)
		if err == nil {
			// The list of desks is a convenience: without it the
			// desk select offers this desk and all desks.
			desks, _ = v.u.svc.Billing.CashUpDesks(ctx)
		}
		return cu, err
	}, func(cu *app.DeskCashUp, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			v.errs.show(err, v.u.win)
			return
		}
		v.setDesks(desks)
		v.showCashUp(cu)
	})
}

func (v *deskCashUpView) digits() int { return billingDigits(v.cu.Currency) }

// showCashUp fills the form from a cash-up read or written.
func (v *deskCashUpView) showCashUp(cu *app.DeskCashUp) {
	v.cu = cu
	d := v.digits()
	closed := cu.Status == app.CashUpClosed
	v.status.SetText(cashUpStatusText(v.u, cu))
	v.float.SetText(app.FormatAmount(cu.OpeningFloat, d))
	v.counts, v.amounts = nil, nil
	rows := make([]fyne.CanvasObject, 0, len(cu.Counts))
	for _, c := range cu.Counts {
		e := entry("0")
		if c.Count != 0 {
			e.SetText(strconv.FormatInt(c.Count, 10))
		}
		e.OnChanged = func(string) { v.recompute() }
		amount := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
		v.counts, v.amounts = append(v.counts, e), append(v.amounts, amount)
		label := widget.NewLabelWithStyle(amountText(c.Denomination, d)+" ×", fyne.TextAlignTrailing, fyne.TextStyle{})
		rows = append(rows, v.errs.add(app.CountField(c.Denomination), container.NewGridWithColumns(3, label,
			container.New(widthLayout{90}, e), amount)))
		if closed {
			e.Disable()
		}
	}
	v.countBox.Objects = rows
	v.countBox.Refresh()
	v.note.SetText(cu.Note)
	for _, w := range []fyne.Disableable{v.float, v.note, v.save, v.closeDay} {
		if closed {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if closed {
		v.reopen.Enable()
	} else {
		v.reopen.Disable()
	}
	v.print.Enable()
	v.rows = v.rows[:0]
	for _, p := range cu.Payments {
		v.rows = append(v.rows, cashUpRow{p: p})
	}
	for _, p := range cu.CarriedIn {
		v.rows = append(v.rows, cashUpRow{p: p, mark: T("carried in")})
	}
	for _, p := range cu.Late {
		v.rows = append(v.rows, cashUpRow{p: p, mark: T("late")})
	}
	v.payments.Refresh()
	v.recompute()
	v.card.SetText(amountText(cu.Card, d))
	v.other.SetText(amountText(cu.Other, d))
}

// cashUpStatusText says where the day stands.
func cashUpStatusText(u *UI, cu *app.DeskCashUp) string {
	desk := Tf("Desk %s", cu.Desk)
	if cu.Desk == "*" {
		desk = T("All desks")
	}
	s := desk + " — " + cu.Day + " — "
	if cu.Status == app.CashUpClosed {
		s += Tf("Closed: %s by %s at %s", cu.Number, cu.ClosedByName, cu.ClosedAt.In(u.location()).Format("2006-01-02 15:04"))
		if n := len(cu.Late); n > 0 {
			s += Tf(". %s reached the desk after the close: counted in the next day closed", countText(n, T("late payment"), T("late payments")))
		}
		return s
	}
	s += T("Open, not closed yet")
	if cu.ReopenReason != "" {
		s += Tf(" (reopened by %s: %s)", cu.ReopenedByName, cu.ReopenReason)
	}
	if n := len(cu.CarriedIn); n > 0 {
		s += Tf(". %s of earlier closed days counted here", countText(n, T("late payment"), T("late payments")))
	}
	return s
}

// readCounts reads the counts typed; ok is false when one is not a whole
// number (then its message is shown next to it).
func (v *deskCashUpView) readCounts(show bool) ([]app.CashCount, bool) {
	out := make([]app.CashCount, 0, len(v.counts))
	ok := true
	for i, e := range v.counts {
		den := v.cu.Counts[i].Denomination
		text := strings.TrimSpace(e.Text)
		if text == "" {
			out = append(out, app.CashCount{Denomination: den})
			continue
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 0 {
			ok = false
			if show {
				v.errs.set(app.CountField(den), T("Enter how many, a whole number."))
			}
			continue
		}
		out = append(out, app.CashCount{Denomination: den, Count: n})
	}
	return out, ok
}

// recompute shows the counted cash and the variance as they are typed.
func (v *deskCashUpView) recompute() {
	if v.cu == nil {
		return
	}
	d := v.digits()
	counts, _ := v.readCounts(false)
	for i, c := range counts {
		if i < len(v.amounts) {
			v.amounts[i].SetText(amountText(c.Denomination*app.Money(c.Count), d))
		}
	}
	counted := app.CountedTotal(counts)
	float, err := app.ParseMoney(v.float.Text, d)
	if err != nil {
		float = 0
	}
	expected, variance := v.cu.ExpectedCash, v.cu.Variance
	if v.cu.Status != app.CashUpClosed {
		expected = float + v.cu.CashNet
		variance = counted - expected
	} else {
		counted = v.cu.Counted
	}
	v.counted.SetText(amountText(counted, d))
	v.expected.SetText(amountText(expected, d))
	text, imp := amountText(variance, d), widget.SuccessImportance
	switch {
	case variance < 0:
		text, imp = Tf("%s short", text), widget.DangerImportance
	case variance > 0:
		text, imp = Tf("+%s over", text), widget.WarningImportance
	}
	v.variance.SetText(text)
	v.variance.Importance = imp
	v.variance.Refresh()
}

// input reads the form; ok is false when a field is refused here.
func (v *deskCashUpView) input() (app.CashUpInput, bool) {
	v.errs.clear()
	in := app.CashUpInput{Desk: v.deskCode(), Day: v.cu.Day, Note: v.note.Text}
	float, err := app.ParseMoney(v.float.Text, v.digits())
	if strings.TrimSpace(v.float.Text) == "" {
		float, err = 0, nil
	}
	ok := true
	if err != nil {
		v.errs.set("float", errText(err))
		ok = false
	}
	in.OpeningFloat = float
	counts, countsOK := v.readCounts(true)
	in.Counts = counts
	return in, ok && countsOK
}

// submit saves the count, or closes the day.
func (v *deskCashUpView) submit(closeDay bool) {
	if v.cu == nil {
		return
	}
	in, ok := v.input()
	if !ok {
		return
	}
	call := v.u.svc.Billing.SaveCashUp
	if closeDay {
		call = v.u.svc.Billing.CloseCashUp
	}
	v.save.Disable()
	v.closeDay.Disable()
	background(v.u, func(ctx context.Context) (*app.DeskCashUp, error) {
		return call(ctx, in)
	}, func(cu *app.DeskCashUp, err error) {
		if err != nil {
			v.save.Enable()
			v.closeDay.Enable()
			v.errs.show(err, v.u.win)
			return
		}
		v.showCashUp(cu)
	})
}

// onClose asks before closing: a closed day is frozen.
func (v *deskCashUpView) onClose() {
	if _, ok := v.input(); !ok {
		return
	}
	v.confirm = newYesNo(T("Close the day"),
		Tf("Close %s with a variance of %s? The cash-up is numbered and frozen; only an administrator can reopen it.", v.cu.Day, v.variance.Text),
		func(yes bool) {
			if yes {
				v.submit(true)
			}
		}, v.u.win)
	v.confirm.(*confirmDialog).SetConfirmText(T("Close day"))
	v.confirm.Show()
}

// onReopen asks an administrator for the reason.
func (v *deskCashUpView) onReopen() {
	cu := v.cu
	if cu == nil {
		return
	}
	desk := v.deskCode()
	v.prompt = showPrompt(v.u, promptSpec{
		title: Tf("Reopen %s", cu.Number), note: T("The day's cash-up can be counted and closed again; the reason is kept for the audit."),
		label: T("Reason"), field: "reason", ok: T("Reopen"), danger: true,
		check: func(s string) error { _, err := app.ValidateCashUpReason(s); return err },
		submit: func(reason string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := v.u.svc.Billing.ReopenCashUp(ctx, desk, cu.Day, reason)
				return err
			}
		},
		done: v.load,
	})
}

func (v *deskCashUpView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(v.rows) {
		return
	}
	r := v.rows[id]
	p := r.p
	amount := amountText(p.Amount, billingDigits(p.Currency))
	method := paymentMethodLabel(p.Method)
	imp := widget.MediumImportance
	if p.IsReversal() {
		amount, method = "−"+amount, Tf("Refund: %s", method)
	}
	if r.mark != "" {
		imp = widget.WarningImportance
	}
	setColumnRow(o.(*fyne.Container), imp, p.TakenAt.In(v.u.location()).Format("01-02 15:04"), p.ReceiptNumber, method,
		amount, r.mark, strings.TrimSpace(p.PatientName+" · "+p.CashierName))
}

func (v *deskCashUpView) onPrint() {
	cu := v.cu
	if cu == nil {
		return
	}
	name := "cash-up-" + cu.Day + ".pdf"
	if cu.Status == app.CashUpClosed {
		name = "cash-up-" + cu.Number + ".pdf"
	}
	desk := v.deskCode()
	v.u.printDocument(v.print, name, func(ctx context.Context) ([]byte, error) {
		return v.u.svc.Billing.DeskCashUpPDF(ctx, desk, cu.Day)
	})
}
