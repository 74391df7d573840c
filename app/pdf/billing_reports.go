package pdf

import (
	"fmt"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// The billing area's reports: a patient's statement, the outstanding
// invoices and a cashier's cash-up. Each prints the clinic's header with
// the time it was printed in the clinic's time zone, tables that repeat
// their column titles on every page, and "page n of m" in the footer.

// printedLine is the header line that says when a report was printed,
// with the clinic's time zone.
func printedLine(tr *i18n.Tr, at time.Time, loc *time.Location) string {
	t := at.In(loc)
	return tr.F("Printed %s", tr.DayTime(t)+" "+t.Format("MST"))
}

// Statement renders a patient's statement in lang (the patient's): every invoice (with what is
// paid and due on each), every payment and refund, and the totals. Dates
// print in loc; printedAt heads the page and is the document's date.
func Statement(clinic *app.Settings, st *app.Statement, loc *time.Location, printedAt time.Time, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || st == nil {
		return nil, fmt.Errorf("pdf: statement: clinic and statement are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	money := amounts(tr, st.Currency)
	ref := tr.F("Statement %s", st.PatientMRN)
	d := newDoc(tr, ref, printedAt)
	d.SetSubject(st.PatientName, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	d.clinicHeader(clinic, tr.T("Statement"), []string{tr.F("Record no. %s", st.PatientMRN), printedLine(tr, printedAt, loc),
		tr.F("Currency %s", st.Currency)})
	d.font(true, 11, colorText)
	d.text(contentW, st.PatientName)
	d.Ln(3)

	d.section(tr.T("Invoices"))
	invoices := d.newTable(
		column{tr.T("Invoice"), 40, alignL}, column{tr.T("Issued"), 22, alignL}, column{tr.T("Status"), 38, alignL},
		column{tr.T("Total"), 26, alignR}, column{tr.T("Paid"), 26, alignR}, column{tr.T("Balance"), contentW - 152, alignR})
	if len(st.Invoices) == 0 {
		d.none(tr.T("No invoices."))
	}
	for _, inv := range st.Invoices {
		balance := money(inv.Balance)
		if inv.Status == app.InvoiceVoid {
			balance = tr.T("void")
		}
		invoices.row(inv.Number, day(inv.IssuedAt, loc), statusLabel(tr, inv.Status), money(inv.Totals.Total),
			money(inv.Paid), balance)
	}
	d.Ln(4)

	d.section(tr.T("Payments"))
	payments := d.newTable(
		column{tr.T("Receipt"), 44, alignL}, column{tr.T("Date"), 24, alignL}, column{tr.T("Method"), 30, alignL},
		column{tr.T("Reference"), contentW - 128, alignL}, column{tr.T("Amount"), 30, alignR})
	if len(st.Payments) == 0 {
		d.none(tr.T("No payments."))
	}
	for _, p := range st.Payments {
		ref := p.Reference
		amount := money(p.Amount)
		switch {
		case p.IsReversal():
			amount = money(-p.Amount)
			ref = joinNonEmpty(tr.T("refund"), p.Reason)
		case p.ReversedBy != "":
			ref = joinNonEmpty(ref, tr.T("refunded"))
		}
		payments.row(p.ReceiptNumber, day(p.TakenAt, loc), methodLabel(tr, p.Method), ref, amount)
	}
	d.Ln(4)

	d.totals([]total{
		{tr.T("Total invoiced"), money(st.TotalInvoiced), false},
		{tr.T("Total paid"), money(st.TotalPaid), false},
		{tr.F("Balance due %s", st.Currency), money(st.Balance), true},
	})
	d.font(false, 8, colorMuted)
	d.text(contentW, tr.T("Void invoices and refunded payments are listed but not counted in the totals."))
	return d.bytes()
}

// OutstandingReport is what the outstanding invoices report prints. The
// list may be the oldest part of a longer one; the totals are always of
// every outstanding invoice.
type OutstandingReport struct {
	Currency  string
	PrintedAt time.Time
	Invoices  []*app.OutstandingInvoice // oldest first
	Count     int                       // of every outstanding invoice, listed or not
	Invoiced  app.Money
	Paid      app.Money
	Balance   app.Money
	ByAge     []app.Money // the balance in each of app.AgeBands
}

// Outstanding renders the issued, unpaid invoices with each one's age in
// days, then the totals: the count, what was invoiced, paid and is due,
// and the balance by age band. Dates print in loc; the words in lang (the
// reader's).
func Outstanding(clinic *app.Settings, r *OutstandingReport, loc *time.Location, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || r == nil {
		return nil, fmt.Errorf("pdf: outstanding: clinic and report are required")
	}
	if len(r.ByAge) != len(app.AgeBands) {
		return nil, fmt.Errorf("pdf: outstanding: %d age bands, want %d", len(r.ByAge), len(app.AgeBands))
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	money := amounts(tr, r.Currency)
	ref := tr.F("Outstanding invoices %s", r.PrintedAt.In(loc).Format(app.DateLayout))
	d := newLandscapeDoc(tr, ref, r.PrintedAt)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	d.clinicHeader(clinic, tr.T("Outstanding invoices"), []string{printedLine(tr, r.PrintedAt, loc), tr.F("Currency %s", r.Currency)})

	t := d.newTable(
		column{tr.T("Invoice"), 36, alignL}, column{tr.T("Issued"), 21, alignL}, column{tr.T("Days"), 12, alignR},
		column{tr.T("Patient"), d.width() - 173, alignL}, column{tr.T("Record no."), 26, alignL},
		column{tr.T("Total"), 26, alignR}, column{tr.T("Paid"), 26, alignR}, column{tr.T("Balance"), 26, alignR})
	if len(r.Invoices) == 0 {
		d.none(tr.T("No invoices are outstanding."))
	}
	for _, inv := range r.Invoices {
		t.row(inv.Number, day(inv.IssuedAt, loc), tr.Integer(int64(inv.AgeDays)), inv.PatientName, inv.PatientMRN,
			money(inv.Totals.Total), money(inv.Paid), money(inv.Balance))
	}
	if len(r.Invoices) < r.Count {
		d.font(false, 9, colorMuted)
		d.text(d.width(), tr.F("The %[1]d oldest of %[2]d outstanding invoices are listed; the totals are of all %[2]d.",
			len(r.Invoices), r.Count))
	}
	d.Ln(4)
	rows := []total{
		{tr.T("Outstanding invoices"), tr.Integer(int64(r.Count)), false},
		{tr.T("Invoiced"), money(r.Invoiced), false},
		{tr.T("Paid"), money(r.Paid), false},
	}
	for i, b := range app.AgeBands {
		rows = append(rows, total{tr.F("Due %s", ageBandLabel(tr, b)), money(r.ByAge[i]), false})
	}
	rows = append(rows, total{tr.F("Total outstanding %s", r.Currency), money(r.Balance), true})
	d.totals(rows)
	return d.bytes()
}

// CashUp renders a cashier's day: the totals per payment method, what was
// taken, refunded and the cash in hand, then every receipt in the order it
// was taken. Times print in loc; printedAt heads the page; the words are
// in lang (the reader's).
func CashUp(clinic *app.Settings, cu *app.CashUp, loc *time.Location, printedAt time.Time, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || cu == nil {
		return nil, fmt.Errorf("pdf: cash-up: clinic and cash-up are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	money := amounts(tr, cu.Currency)
	ref := tr.F("Cash-up %[1]s %[2]s", cu.Day, cu.CashierName)
	d := newDoc(tr, ref, printedAt)
	d.SetSubject(cu.CashierName, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	d.clinicHeader(clinic, tr.T("Cash-up"), []string{tr.F("Day %s", cu.Day), tr.F("Cashier %s", cu.CashierName),
		printedLine(tr, printedAt, loc), tr.F("Currency %s", cu.Currency)})

	d.section(tr.T("By payment method"))
	methods := d.newTable(
		column{tr.T("Method"), contentW - 122, alignL}, column{tr.T("Receipts"), 20, alignR}, column{tr.T("Taken"), 34, alignR},
		column{tr.T("Refunded"), 34, alignR}, column{tr.T("Net"), 34, alignR})
	count := 0
	for _, m := range cu.Methods {
		methods.row(methodLabel(tr, m.Method), tr.Integer(int64(m.Count)), money(m.Taken), money(m.Refunded), money(m.Taken-m.Refunded))
		count += m.Count
	}
	methods.bold = true
	methods.row(tr.T("All methods"), tr.Integer(int64(count)), money(cu.Taken), money(cu.Refunded), money(cu.Net))
	d.Ln(4)
	d.totals([]total{
		{tr.T("Net taken"), money(cu.Net), false},
		{tr.F("Cash in hand %s", cu.Currency), money(cu.CashInHand), true},
	})
	d.Ln(4)

	d.section(tr.T("Receipts"))
	receipts := d.newTable(
		column{tr.T("Receipt"), 36, alignL}, column{tr.T("Time"), 12, alignL}, column{tr.T("Patient"), contentW - 122, alignL},
		column{tr.T("Method"), 24, alignL}, column{tr.T("Reference"), 26, alignL}, column{tr.T("Amount"), 24, alignR})
	if len(cu.Receipts) == 0 {
		d.none(tr.T("No payments were taken."))
	}
	for _, p := range cu.Receipts {
		amount := money(p.Amount)
		if p.IsReversal() {
			amount = money(-p.Amount)
		}
		receipts.row(p.ReceiptNumber, tr.Clock(p.TakenAt.In(loc)), p.PatientName, methodLabel(tr, p.Method),
			p.Reference, amount)
	}
	return d.bytes()
}

// amounts formats money in a currency's minor digits with the language's
// separators, without its code (tables name the currency once, in the
// header).
func amounts(tr *i18n.Tr, currency string) func(app.Money) string {
	digits := app.CurrencyDigits(currency)
	return func(m app.Money) string { return tr.Amount(int64(m), digits) }
}

// ageBandLabel names an age band of the outstanding invoices: "0–30
// days", "over 90 days".
func ageBandLabel(tr *i18n.Tr, b app.AgeBand) string {
	if b.MaxDays < 0 {
		return tr.F("over %d days", b.MinDays-1)
	}
	return tr.F("%[1]d–%[2]d days", b.MinDays, b.MaxDays)
}

// day is t's date in loc, or "" for a zero time.
func day(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(app.DateLayout)
}

// statusLabel is an invoice's status as a statement prints it.
func statusLabel(tr *i18n.Tr, s app.InvoiceStatus) string {
	switch s {
	case app.InvoicePartiallyPaid:
		return tr.T("Partly paid")
	case app.InvoiceIssued:
		return tr.T("Issued")
	case app.InvoicePaid:
		return tr.T("Paid")
	case app.InvoiceVoid:
		return tr.T("Void")
	case app.InvoiceDraft:
		return tr.T("Draft")
	}
	return string(s)
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// section prints a report section's title, wrapped when it is longer
// than the page is wide.
func (d *doc) section(title string) {
	d.font(true, 11, colorText)
	d.MultiCell(d.width(), 6, title, "", alignL, false)
	d.Ln(1)
}

// none prints the muted line that stands for an empty table.
func (d *doc) none(s string) {
	d.font(false, 9, colorMuted)
	d.CellFormat(d.width(), 6, s, "", 1, alignL, false, 0, "")
}

// total is one line of a report's totals block.
type total struct {
	label, value string
	bold         bool
}

// totals prints label–value lines aligned right, keeping the block on one
// page.
func (d *doc) totals(rows []total) {
	const h = 6.0
	if d.GetY()+h*float64(len(rows)) > d.bottom() {
		d.AddPage()
	}
	for _, r := range rows {
		d.font(r.bold, 10, colorText)
		d.CellFormat(d.width()-60, h, r.label, "", 0, alignR, false, 0, "")
		d.CellFormat(60, h, r.value, "", 1, alignR, false, 0, "")
	}
}

// column is one column of a table.
type column struct {
	title string
	w     float64
	align string
}

// table prints rows of cells under a title row that is repeated at the top
// of every page the table runs onto. A cell too wide for its column is
// shortened with an ellipsis rather than spilling into the next.
type table struct {
	d    *doc
	cols []column
	bold bool // the next rows' face
}

const tableRowH = 6.0

func (d *doc) newTable(cols ...column) *table {
	t := &table{d: d, cols: cols}
	if d.GetY()+2*tableRowH > d.bottom() {
		d.AddPage()
	}
	t.titles()
	return t
}

func (t *table) titles() {
	d := t.d
	d.font(true, 8.5, colorText)
	d.SetFillColor(235, 238, 240)
	for _, c := range t.cols {
		d.CellFormat(c.w, tableRowH, c.title, borderB, 0, c.align, true, 0, "")
	}
	d.Ln(-1)
}

// row prints one row; vals are in column order.
func (t *table) row(vals ...string) {
	d := t.d
	if d.GetY()+tableRowH > d.bottom() {
		d.AddPage()
		t.titles()
	}
	d.font(t.bold, 8.5, colorText)
	for i, c := range t.cols {
		d.CellFormat(c.w, tableRowH, d.fit(vals[i], c.w-1), "", 0, c.align, false, 0, "")
	}
	d.Ln(-1)
}

// fit shortens s with an ellipsis until it is at most w wide in the
// current font.
func (d *doc) fit(s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && d.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// DeskCashUp renders a desk's cash-up of a day: the count by
// denomination, the expected cash and the variance, the totals by method,
// the payments counted (and those carried in from earlier closed days),
// the late payments of a closed day, and the note. An open day is marked
// DRAFT; a closed one carries its number and who closed it. The words are
// in lang (the reader's).
func DeskCashUp(clinic *app.Settings, cu *app.DeskCashUp, loc *time.Location, printedAt time.Time, lang i18n.Lang) ([]byte, error) {
	if clinic == nil || cu == nil {
		return nil, fmt.Errorf("pdf: cash-up: clinic and cash-up are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	tr := i18n.For(lang)
	money := amounts(tr, cu.Currency)
	desk := tr.F("Desk %s", cu.Desk)
	if cu.Desk == "*" {
		desk = tr.T("All desks")
	}
	ref := tr.F("Cash-up %[1]s %[2]s", desk, cu.Day)
	right := []string{tr.F("Day %s", cu.Day), desk}
	if cu.Status == app.CashUpClosed {
		ref = cu.Number
		right = append(right, tr.F("Number %s", cu.Number),
			tr.F("Closed %[1]s by %[2]s", tr.DayTime(cu.ClosedAt.In(loc)), cu.ClosedByName))
	} else {
		right = append(right, tr.T("Open: not closed yet"))
	}
	right = append(right, printedLine(tr, printedAt, loc), tr.F("Currency %s", cu.Currency))
	d := newDoc(tr, ref, printedAt)
	d.SetSubject(ref, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	if cu.Status != app.CashUpClosed {
		d.watermark(tr.T("DRAFT"))
	}
	d.clinicHeader(clinic, tr.T("Cash-up"), right)

	d.section(tr.T("Cash counted"))
	digits := app.CurrencyDigits(cu.Currency)
	counts := d.newTable(column{tr.T("Denomination"), contentW - 68, alignL}, column{tr.T("Count"), 34, alignR}, column{tr.T("Amount"), 34, alignR})
	for _, c := range cu.Counts {
		if c.Count == 0 {
			continue
		}
		counts.row(tr.Amount(int64(c.Denomination), digits), tr.Integer(c.Count), money(c.Denomination*app.Money(c.Count)))
	}
	counts.bold = true
	counts.row(tr.T("Counted"), "", money(cu.Counted))
	d.Ln(4)
	variance := money(cu.Variance)
	switch {
	case cu.Variance < 0:
		variance = tr.F("%s (short)", variance)
	case cu.Variance > 0:
		variance = tr.F("%s (over)", variance)
	}
	d.totals([]total{
		{tr.T("Opening float"), money(cu.OpeningFloat), false},
		{tr.T("Cash taken less refunds"), money(cu.CashNet), false},
		{tr.T("Expected cash"), money(cu.ExpectedCash), false},
		{tr.T("Counted cash"), money(cu.Counted), false},
		{tr.F("Variance %s", cu.Currency), variance, true},
		{tr.T("Card"), money(cu.Card), false},
		{tr.T("Other methods"), money(cu.Other), false},
	})
	d.Ln(4)

	d.section(tr.T("By payment method"))
	methods := d.newTable(
		column{tr.T("Method"), contentW - 122, alignL}, column{tr.T("Receipts"), 20, alignR}, column{tr.T("Taken"), 34, alignR},
		column{tr.T("Refunded"), 34, alignR}, column{tr.T("Net"), 34, alignR})
	for _, m := range cu.Methods {
		methods.row(methodLabel(tr, m.Method), tr.Integer(int64(m.Count)), money(m.Taken), money(m.Refunded), money(m.Taken-m.Refunded))
	}
	d.Ln(4)
	payments := func(title, empty string, ps []*app.Payment) {
		d.section(title)
		t := d.newTable(
			column{tr.T("Receipt"), 36, alignL}, column{tr.T("Taken"), 26, alignL}, column{tr.T("Patient"), contentW - 136, alignL},
			column{tr.T("Method"), 24, alignL}, column{tr.T("Cashier"), 26, alignL}, column{tr.T("Amount"), 24, alignR})
		if len(ps) == 0 && empty != "" {
			d.none(empty)
		}
		for _, p := range ps {
			amount := money(p.Amount)
			if p.IsReversal() {
				amount = money(-p.Amount)
			}
			t.row(p.ReceiptNumber, p.TakenAt.In(loc).Format("01-02 15:04"), p.PatientName, methodLabel(tr, p.Method),
				p.CashierName, amount)
		}
		d.Ln(2)
	}
	payments(tr.T("Payments of the day"), tr.T("No payments were taken."), cu.Payments)
	if len(cu.CarriedIn) > 0 {
		payments(tr.T("Late payments of earlier closed days, counted here"), "", cu.CarriedIn)
	}
	if len(cu.Late) > 0 {
		payments(tr.T("Late: reached the desk after this day closed, counted in the next day closed"), "", cu.Late)
	}
	if cu.Note != "" {
		d.section(tr.T("Note"))
		d.font(false, 10, colorText)
		d.MultiCell(d.width(), 5, cu.Note, "", alignL, false)
	}
	if cu.ReopenReason != "" {
		d.section(tr.T("Reopened"))
		d.font(false, 10, colorText)
		d.MultiCell(d.width(), 5, tr.F("%[1]s by %[2]s: %[3]s", tr.DayTime(cu.ReopenedAt.In(loc)), cu.ReopenedByName, cu.ReopenReason),
			"", alignL, false)
	}
	return d.bytes()
}
