package pdf

//i18n:todo

import (
	"fmt"
	"strconv"
	"time"

	"hms/app"
)

// The billing area's reports: a patient's statement, the outstanding
// invoices and a cashier's cash-up. Each prints the clinic's header with
// the time it was printed in the clinic's time zone, tables that repeat
// their column titles on every page, and "page n of m" in the footer.

// printedLine is the header line that says when a report was printed.
func printedLine(at time.Time, loc *time.Location) string {
	return "Printed " + at.In(loc).Format("2006-01-02 15:04 MST")
}

// Statement renders a patient's statement: every invoice (with what is
// paid and due on each), every payment and refund, and the totals. Dates
// print in loc; printedAt heads the page and is the document's date.
func Statement(clinic *app.Settings, st *app.Statement, loc *time.Location, printedAt time.Time) ([]byte, error) {
	if clinic == nil || st == nil {
		return nil, fmt.Errorf("pdf: statement: clinic and statement are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	money := amounts(st.Currency)
	d := newDoc("Statement "+st.PatientMRN, printedAt)
	d.SetSubject(st.PatientName, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer("Statement " + st.PatientMRN) })
	d.AddPage()
	d.clinicHeader(clinic, "Statement", []string{"Record no. " + st.PatientMRN, printedLine(printedAt, loc),
		"Currency " + st.Currency})
	d.font(true, 11, colorText)
	d.text(contentW, st.PatientName)
	d.Ln(3)

	d.section("Invoices")
	invoices := d.newTable(
		column{"Invoice", 44, "L"}, column{"Issued", 24, "L"}, column{"Status", 32, "L"},
		column{"Total", 26, "R"}, column{"Paid", 26, "R"}, column{"Balance", contentW - 152, "R"})
	if len(st.Invoices) == 0 {
		d.none("No invoices.")
	}
	for _, inv := range st.Invoices {
		balance := money(inv.Balance)
		if inv.Status == app.InvoiceVoid {
			balance = "void"
		}
		invoices.row(inv.Number, day(inv.IssuedAt, loc), statusLabel(inv.Status), money(inv.Totals.Total),
			money(inv.Paid), balance)
	}
	d.Ln(4)

	d.section("Payments")
	payments := d.newTable(
		column{"Receipt", 44, "L"}, column{"Date", 24, "L"}, column{"Method", 30, "L"},
		column{"Reference", contentW - 128, "L"}, column{"Amount", 30, "R"})
	if len(st.Payments) == 0 {
		d.none("No payments.")
	}
	for _, p := range st.Payments {
		ref := p.Reference
		amount := money(p.Amount)
		switch {
		case p.IsReversal():
			amount = money(-p.Amount)
			ref = joinNonEmpty("refund", p.Reason)
		case p.ReversedBy != "":
			ref = joinNonEmpty(ref, "refunded")
		}
		payments.row(p.ReceiptNumber, day(p.TakenAt, loc), methodLabel(p.Method), ref, amount)
	}
	d.Ln(4)

	d.totals([]total{
		{"Total invoiced", money(st.TotalInvoiced), false},
		{"Total paid", money(st.TotalPaid), false},
		{"Balance due " + st.Currency, money(st.Balance), true},
	})
	d.font(false, 8, colorMuted)
	d.text(contentW, "Void invoices and refunded payments are listed but not counted in the totals.")
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
// and the balance by age band. Dates print in loc.
func Outstanding(clinic *app.Settings, r *OutstandingReport, loc *time.Location) ([]byte, error) {
	if clinic == nil || r == nil {
		return nil, fmt.Errorf("pdf: outstanding: clinic and report are required")
	}
	if len(r.ByAge) != len(app.AgeBands) {
		return nil, fmt.Errorf("pdf: outstanding: %d age bands, want %d", len(r.ByAge), len(app.AgeBands))
	}
	if loc == nil {
		loc = time.UTC
	}
	money := amounts(r.Currency)
	ref := "Outstanding invoices " + r.PrintedAt.In(loc).Format(app.DateLayout)
	d := newLandscapeDoc(ref, r.PrintedAt)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	d.clinicHeader(clinic, "Outstanding invoices", []string{printedLine(r.PrintedAt, loc), "Currency " + r.Currency})

	t := d.newTable(
		column{"Invoice", 36, "L"}, column{"Issued", 21, "L"}, column{"Days", 12, "R"},
		column{"Patient", d.width() - 173, "L"}, column{"Record no.", 26, "L"},
		column{"Total", 26, "R"}, column{"Paid", 26, "R"}, column{"Balance", 26, "R"})
	if len(r.Invoices) == 0 {
		d.none("No invoices are outstanding.")
	}
	for _, inv := range r.Invoices {
		t.row(inv.Number, day(inv.IssuedAt, loc), strconv.Itoa(inv.AgeDays), inv.PatientName, inv.PatientMRN,
			money(inv.Totals.Total), money(inv.Paid), money(inv.Balance))
	}
	if len(r.Invoices) < r.Count {
		d.font(false, 9, colorMuted)
		d.text(d.width(), fmt.Sprintf("The %d oldest of %d outstanding invoices are listed; the totals are of all %d.",
			len(r.Invoices), r.Count, r.Count))
	}
	d.Ln(4)
	rows := []total{
		{"Outstanding invoices", strconv.Itoa(r.Count), false},
		{"Invoiced", money(r.Invoiced), false},
		{"Paid", money(r.Paid), false},
	}
	for i, b := range app.AgeBands {
		rows = append(rows, total{"Due " + b.Label, money(r.ByAge[i]), false})
	}
	rows = append(rows, total{"Total outstanding " + r.Currency, money(r.Balance), true})
	d.totals(rows)
	return d.bytes()
}

// CashUp renders a cashier's day: the totals per payment method, what was
// taken, refunded and the cash in hand, then every receipt in the order it
// was taken. Times print in loc; printedAt heads the page.
func CashUp(clinic *app.Settings, cu *app.CashUp, loc *time.Location, printedAt time.Time) ([]byte, error) {
	if clinic == nil || cu == nil {
		return nil, fmt.Errorf("pdf: cash-up: clinic and cash-up are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	money := amounts(cu.Currency)
	ref := "Cash-up " + cu.Day + " " + cu.CashierName
	d := newDoc(ref, printedAt)
	d.SetSubject(cu.CashierName, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	d.clinicHeader(clinic, "Cash-up", []string{"Day " + cu.Day, "Cashier " + cu.CashierName,
		printedLine(printedAt, loc), "Currency " + cu.Currency})

	d.section("By payment method")
	methods := d.newTable(
		column{"Method", contentW - 122, "L"}, column{"Receipts", 20, "R"}, column{"Taken", 34, "R"},
		column{"Refunded", 34, "R"}, column{"Net", 34, "R"})
	count := 0
	for _, m := range cu.Methods {
		methods.row(methodLabel(m.Method), strconv.Itoa(m.Count), money(m.Taken), money(m.Refunded), money(m.Taken-m.Refunded))
		count += m.Count
	}
	methods.bold = true
	methods.row("All methods", strconv.Itoa(count), money(cu.Taken), money(cu.Refunded), money(cu.Net))
	d.Ln(4)
	d.totals([]total{
		{"Net taken", money(cu.Net), false},
		{"Cash in hand " + cu.Currency, money(cu.CashInHand), true},
	})
	d.Ln(4)

	d.section("Receipts")
	receipts := d.newTable(
		column{"Receipt", 36, "L"}, column{"Time", 12, "L"}, column{"Patient", contentW - 122, "L"},
		column{"Method", 24, "L"}, column{"Reference", 26, "L"}, column{"Amount", 24, "R"})
	if len(cu.Receipts) == 0 {
		d.none("No payments were taken.")
	}
	for _, p := range cu.Receipts {
		amount := money(p.Amount)
		if p.IsReversal() {
			amount = money(-p.Amount)
		}
		receipts.row(p.ReceiptNumber, p.TakenAt.In(loc).Format("15:04"), p.PatientName, methodLabel(p.Method),
			p.Reference, amount)
	}
	return d.bytes()
}

// amounts formats money in a currency's minor digits, without its code
// (tables name the currency once, in the header).
func amounts(currency string) func(app.Money) string {
	digits := app.CurrencyDigits(currency)
	return func(m app.Money) string { return app.FormatAmount(m, digits) }
}

// day is t's date in loc, or "" for a zero time.
func day(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(app.DateLayout)
}

func statusLabel(s app.InvoiceStatus) string {
	switch s {
	case app.InvoicePartiallyPaid:
		return "Partly paid"
	case app.InvoiceIssued:
		return "Issued"
	case app.InvoicePaid:
		return "Paid"
	case app.InvoiceVoid:
		return "Void"
	case app.InvoiceDraft:
		return "Draft"
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

// section prints a report section's title.
func (d *doc) section(title string) {
	d.font(true, 11, colorText)
	d.CellFormat(d.width(), 7, title, "", 1, "L", false, 0, "")
}

// none prints the muted line that stands for an empty table.
func (d *doc) none(s string) {
	d.font(false, 9, colorMuted)
	d.CellFormat(d.width(), 6, s, "", 1, "L", false, 0, "")
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
		d.CellFormat(d.width()-60, h, r.label, "", 0, "R", false, 0, "")
		d.CellFormat(60, h, r.value, "", 1, "R", false, 0, "")
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
		d.CellFormat(c.w, tableRowH, c.title, "B", 0, c.align, true, 0, "")
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
// DRAFT; a closed one carries its number and who closed it.
func DeskCashUp(clinic *app.Settings, cu *app.DeskCashUp, loc *time.Location, printedAt time.Time) ([]byte, error) {
	if clinic == nil || cu == nil {
		return nil, fmt.Errorf("pdf: cash-up: clinic and cash-up are required")
	}
	if loc == nil {
		loc = time.UTC
	}
	money := amounts(cu.Currency)
	desk := "Desk " + cu.Desk
	if cu.Desk == "*" {
		desk = "All desks"
	}
	ref := "Cash-up " + desk + " " + cu.Day
	right := []string{"Day " + cu.Day, desk}
	if cu.Status == app.CashUpClosed {
		ref = cu.Number
		right = append(right, "Number "+cu.Number, "Closed "+cu.ClosedAt.In(loc).Format("2006-01-02 15:04")+" by "+cu.ClosedByName)
	} else {
		right = append(right, "Open: not closed yet")
	}
	right = append(right, printedLine(printedAt, loc), "Currency "+cu.Currency)
	d := newDoc(ref, printedAt)
	d.SetSubject(ref, true)
	d.SetAuthor(clinic.ClinicName, true)
	d.SetFooterFunc(func() { d.footer(ref) })
	d.AddPage()
	if cu.Status != app.CashUpClosed {
		d.watermark("DRAFT")
	}
	d.clinicHeader(clinic, "Cash-up", right)

	d.section("Cash counted")
	digits := app.CurrencyDigits(cu.Currency)
	counts := d.newTable(column{"Denomination", contentW - 68, "L"}, column{"Count", 34, "R"}, column{"Amount", 34, "R"})
	for _, c := range cu.Counts {
		if c.Count == 0 {
			continue
		}
		counts.row(app.FormatAmount(c.Denomination, digits), strconv.FormatInt(c.Count, 10), money(c.Denomination*app.Money(c.Count)))
	}
	counts.bold = true
	counts.row("Counted", "", money(cu.Counted))
	d.Ln(4)
	variance := money(cu.Variance)
	switch {
	case cu.Variance < 0:
		variance += " (short)"
	case cu.Variance > 0:
		variance += " (over)"
	}
	d.totals([]total{
		{"Opening float", money(cu.OpeningFloat), false},
		{"Cash taken less refunds", money(cu.CashNet), false},
		{"Expected cash", money(cu.ExpectedCash), false},
		{"Counted cash", money(cu.Counted), false},
		{"Variance " + cu.Currency, variance, true},
		{"Card", money(cu.Card), false},
		{"Other methods", money(cu.Other), false},
	})
	d.Ln(4)

	d.section("By payment method")
	methods := d.newTable(
		column{"Method", contentW - 122, "L"}, column{"Receipts", 20, "R"}, column{"Taken", 34, "R"},
		column{"Refunded", 34, "R"}, column{"Net", 34, "R"})
	for _, m := range cu.Methods {
		methods.row(methodLabel(m.Method), strconv.Itoa(m.Count), money(m.Taken), money(m.Refunded), money(m.Taken-m.Refunded))
	}
	d.Ln(4)
	payments := func(title, empty string, ps []*app.Payment) {
		d.section(title)
		t := d.newTable(
			column{"Receipt", 36, "L"}, column{"Taken", 26, "L"}, column{"Patient", contentW - 136, "L"},
			column{"Method", 24, "L"}, column{"Cashier", 26, "L"}, column{"Amount", 24, "R"})
		if len(ps) == 0 && empty != "" {
			d.none(empty)
		}
		for _, p := range ps {
			amount := money(p.Amount)
			if p.IsReversal() {
				amount = money(-p.Amount)
			}
			t.row(p.ReceiptNumber, p.TakenAt.In(loc).Format("01-02 15:04"), p.PatientName, methodLabel(p.Method),
				p.CashierName, amount)
		}
		d.Ln(2)
	}
	payments("Payments of the day", "No payments were taken.", cu.Payments)
	if len(cu.CarriedIn) > 0 {
		payments("Late payments of earlier closed days, counted here", "", cu.CarriedIn)
	}
	if len(cu.Late) > 0 {
		payments("Late: reached the desk after this day closed, counted in the next day closed", "", cu.Late)
	}
	if cu.Note != "" {
		d.section("Note")
		d.font(false, 10, colorText)
		d.MultiCell(d.width(), 5, cu.Note, "", "L", false)
	}
	if cu.ReopenReason != "" {
		d.section("Reopened")
		d.font(false, 10, colorText)
		d.MultiCell(d.width(), 5, cu.ReopenedAt.In(loc).Format("2006-01-02 15:04")+" by "+cu.ReopenedByName+": "+cu.ReopenReason, "", "L", false)
	}
	return d.bytes()
}
