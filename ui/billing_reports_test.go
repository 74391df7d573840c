package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/mock"
)

// deskPDF is what the billing mock of these tests prints.
var deskPDF = []byte("%PDF-1.7 desk")

// deskHarness is a clinic harness with a billing mock (each test sets the
// calls it expects; the invoice list is empty) and a fake printer.
type deskHarness struct {
	*clinicHarness
	billing *mock.BillingService
	printer *printer
}

func newDeskHarness(t *testing.T) *deskHarness {
	t.Helper()
	h := newClinicHarness(t)
	d := &deskHarness{clinicHarness: h, billing: &mock.BillingService{}, printer: fakePrinter(h.harness)}
	d.billing.FindInvoicesFn = func(context.Context, app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil }
	d.billing.CashUpDesksFn = func(context.Context) ([]string, error) { return []string{"D1"}, nil }
	h.u.svc.Billing = d.billing
	return d
}

// openBillingTab logs in as role and opens the Billing area's tab title.
func (d *deskHarness) openBillingTab(role app.Role, title string) *billingScreen {
	d.t.Helper()
	d.loginAs(user(role))
	d.openArea(app.AreaBilling)
	s := d.u.main.billing
	selectTab(d.t, s.tabs, title)
	return s
}

// printed records a print call of method with its arguments as arg and
// answers with deskPDF.
func (d *deskHarness) printed(ctx context.Context, method, arg string) ([]byte, error) {
	d.record(method, ctx, arg)
	return deskPDF, nil
}

// expectSaved waits for the next saved document and checks its name and
// bytes.
func (d *deskHarness) expectSaved(name string) *savedDialog {
	d.t.Helper()
	s := d.awaitSaved()
	if filepath.Base(s.path) != name {
		d.t.Errorf("saved as %s, want %s", filepath.Base(s.path), name)
	}
	if got := readSaved(d.t, s); string(got) != string(deskPDF) {
		d.t.Errorf("saved %q, want the printed document", got)
	}
	return s
}

var athens, _ = time.LoadLocation("Europe/Athens")

func priceItems() []*app.PriceItem {
	return []*app.PriceItem{
		{ID: "pi-1", Code: "CONS-GP", Version: 2, Name: "General consultation", Kind: app.PriceConsultation,
			Price: 4500, TaxRate: 2400, Active: true, ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, athens)},
		{ID: "pi-2", Code: "LAB-CBC", Version: 1, Name: "Full blood count", Kind: app.PriceLab,
			Price: 1850, Active: true, ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, athens)},
	}
}

// servePrices answers the price list and CONS-GP's history.
func (d *deskHarness) servePrices() {
	d.billing.FindPriceItemsFn = func(ctx context.Context, f app.PriceFilter) ([]*app.PriceItem, error) {
		d.record("FindPriceItems", ctx, f)
		var out []*app.PriceItem
		for _, p := range priceItems() {
			if strings.Contains(strings.ToLower(p.Code+" "+p.Name), strings.ToLower(f.Query)) {
				out = append(out, p)
			}
		}
		return out, nil
	}
	d.billing.PriceItemHistoryFn = func(ctx context.Context, code string) ([]*app.PriceItem, error) {
		d.record("PriceItemHistory", ctx, code)
		v1 := *priceItems()[0]
		v1.Version, v1.Price, v1.ValidFrom = 1, 4000, time.Date(2025, 1, 1, 0, 0, 0, 0, athens)
		return []*app.PriceItem{&v1, priceItems()[0]}, nil
	}
}

func TestPriceListAdminChangesPriceFromADay(t *testing.T) {
	d := newDeskHarness(t)
	d.servePrices()
	d.billing.ChangePriceItemFn = func(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
		d.record("ChangePriceItem", ctx, in)
		return &app.PriceItem{ID: "pi-3", Code: in.Code, Version: 3, Name: in.Name, Kind: in.Kind, Price: in.Price,
			TaxRate: in.TaxRate, Active: true, ValidFrom: in.ValidFrom}, nil
	}
	v := d.openBillingTab(app.RoleAdmin, "Price list").prices
	d.waitFor("the price list", func() bool { return len(v.items) == 2 })
	if v.add == nil {
		t.Fatal("an admin has no Add item button")
	}
	test.Type(v.query, "blood")
	d.waitFor("the filtered list", func() bool { return len(v.items) == 1 && v.items[0].Code == "LAB-CBC" })
	v.query.SetText("")
	d.waitFor("the whole list", func() bool { return len(v.items) == 2 })

	v.list.Select(0)
	item := v.detail
	d.waitFor("the history", func() bool { return len(item.versions) == 2 })
	if item.change == nil || item.retire == nil {
		t.Fatal("an admin cannot change or retire an item")
	}
	test.Tap(item.change)
	f := v.form
	if f.code.Text != "CONS-GP" || !f.code.Disabled() || f.price.Text != "45.00" || f.validFrom.Text != "2026-03-03" {
		t.Fatalf("form starts with code %q (disabled %v), price %q, from %q",
			f.code.Text, f.code.Disabled(), f.price.Text, f.validFrom.Text)
	}

	f.price.SetText("45,50")
	f.validFrom.SetText("2026-03-01")
	test.Tap(f.save)
	if f.errs.text("price") == "" || !strings.Contains(f.errs.text("valid_from"), "never in the past") {
		t.Errorf("messages: price %q, valid from %q", f.errs.text("price"), f.errs.text("valid_from"))
	}
	d.settle()
	if d.called("ChangePriceItem") != 0 {
		t.Fatal("a bad form was sent")
	}

	f.price.SetText("50.00")
	f.validFrom.SetText("2026-04-01")
	lists := d.called("FindPriceItems")
	test.Tap(f.save)
	d.waitFor("the change", func() bool { return d.called("ChangePriceItem") == 1 && v.form == nil })
	in := d.callsOf("ChangePriceItem")[0].(app.PriceItemInput)
	if in.Code != "CONS-GP" || in.Price != 5000 || in.TaxRate != 2400 || in.Kind != app.PriceConsultation ||
		!in.ValidFrom.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, athens)) {
		t.Errorf("change = %+v", in)
	}
	d.waitFor("the confirmation", func() bool {
		return d.shows("CONS-GP General consultation costs 50.00 EUR (tax 24%) from Wed 2026-04-01.")
	})
	// The list reloads in the background after the change.
	d.waitFor("the list reloaded after the change", func() bool { return d.called("FindPriceItems") > lists })
}

func TestPriceListAdminAddsItemWithMessagesNextToFields(t *testing.T) {
	d := newDeskHarness(t)
	d.servePrices()
	d.billing.CreatePriceItemFn = func(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
		d.record("CreatePriceItem", ctx, in)
		if in.Code == "CONS-GP" {
			return nil, app.FieldErrorf("code", "There is already an item with the code CONS-GP: change its price instead.")
		}
		return &app.PriceItem{Code: in.Code, Name: in.Name, Kind: in.Kind, Price: in.Price, Active: true,
			ValidFrom: d.clock()}, nil
	}
	v := d.openBillingTab(app.RoleAdmin, "Price list").prices
	d.waitFor("the price list", func() bool { return len(v.items) == 2 })
	test.Tap(v.add)
	f := v.form
	test.Tap(f.save)
	if f.errs.text("price") == "" || f.errs.text("tax_rate") == "" {
		t.Errorf("empty price and tax rate not flagged: %q %q", f.errs.text("price"), f.errs.text("tax_rate"))
	}
	test.Type(f.code, "cons-gp")
	test.Type(f.name, "Consultation")
	f.kind.SetSelected("Consultation")
	test.Type(f.price, "30")
	test.Type(f.taxRate, "0")
	test.Tap(f.save)
	d.waitFor("the duplicate code message", func() bool { return strings.Contains(f.errs.text("code"), "already") })
	f.code.SetText("XRAY-CHEST")
	f.kind.SetSelected("Procedure")
	test.Tap(f.save)
	d.waitFor("the new item", func() bool { return v.form == nil })
	in := d.callsOf("CreatePriceItem")[1].(app.PriceItemInput)
	if in.Code != "XRAY-CHEST" || in.Kind != app.PriceProcedure || in.Price != 3000 || !in.ValidFrom.IsZero() {
		t.Errorf("create = %+v", in)
	}
}

func TestPriceListReadOnlyForBillingClerk(t *testing.T) {
	d := newDeskHarness(t)
	d.servePrices()
	v := d.openBillingTab(app.RoleBilling, "Price list").prices
	d.waitFor("the price list", func() bool { return len(v.items) == 2 })
	if v.add != nil {
		t.Error("a billing clerk may add items")
	}
	v.list.Select(0)
	item := v.detail
	d.waitFor("the history", func() bool { return len(item.versions) == 2 })
	if item.change != nil || item.retire != nil {
		t.Error("a billing clerk may change or retire items")
	}
	if !d.shows("2026-01-01") || !d.shows("40.00") {
		t.Errorf("history not shown: %q", d.texts())
	}
}

func TestPriceListAdminRetiresItem(t *testing.T) {
	d := newDeskHarness(t)
	d.servePrices()
	d.billing.RetirePriceItemFn = func(ctx context.Context, code string) (*app.PriceItem, error) {
		d.record("RetirePriceItem", ctx, code)
		p := priceItems()[0]
		p.Version, p.Active, p.ValidFrom = 3, false, d.clock()
		return p, nil
	}
	v := d.openBillingTab(app.RoleAdmin, "Price list").prices
	d.waitFor("the price list", func() bool { return len(v.items) == 2 })
	v.list.Select(0)
	test.Tap(v.detail.retire)
	d.tapButton("Retire")
	d.waitFor("the retirement", func() bool { return d.shows("CONS-GP General consultation is retired from Mon 2026-03-02.") })
	if got := d.callsOf("RetirePriceItem"); !slices.Equal(got, []any{"CONS-GP"}) {
		t.Errorf("RetirePriceItem calls = %v", got)
	}
}

// tapButton taps the button labelled text on the window's dialogs.
func (d *deskHarness) tapButton(text string) {
	d.t.Helper()
	var found *widget.Button
	for _, o := range d.u.win.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if b, ok := asButton(o); ok && b.Text == text {
				found = b
			}
		})
	}
	if found == nil {
		d.t.Fatalf("no %q button on the dialogs", text)
	}
	test.Tap(found)
}

// outstanding is n unpaid invoices of 10.00 EUR, oldest first.
func outstanding(n int) []*app.OutstandingInvoice {
	out := make([]*app.OutstandingInvoice, n)
	for i := range out {
		out[i] = &app.OutstandingInvoice{AgeDays: 200 - i, Invoice: &app.Invoice{
			ID: fmt.Sprintf("inv-%03d", i), Number: fmt.Sprintf("INV-D1-2025-%06d", i), PatientID: "p-1",
			PatientName: "Grace Hopper", PatientMRN: "P-D1-000001", Status: app.InvoiceIssued, Currency: "EUR",
			Totals: app.InvoiceTotals{Total: 1000}, Balance: 1000}}
	}
	return out
}

func TestOutstandingPagesTotalsAndPrint(t *testing.T) {
	d := newDeskHarness(t)
	all := outstanding(105)
	d.billing.OutstandingInvoicesFn = func(ctx context.Context, f app.OutstandingFilter) ([]*app.OutstandingInvoice, error) {
		d.record("OutstandingInvoices", ctx, f)
		start := 0
		if f.After != "" {
			start = slices.IndexFunc(all, func(o *app.OutstandingInvoice) bool { return o.ID == f.After }) + 1
		}
		return all[start:min(start+f.Limit, len(all))], nil
	}
	d.billing.OutstandingPDFFn = func(ctx context.Context) ([]byte, error) { return d.printed(ctx, "OutstandingPDF", "") }
	d.billing.PatientStatementFn = func(ctx context.Context, id string) (*app.Statement, error) {
		d.record("PatientStatement", ctx, id)
		return graceStatement(), nil
	}
	v := d.openBillingTab(app.RoleBilling, "Outstanding").outstanding
	d.waitFor("the first page", func() bool { return len(v.rows) == 100 })
	if want := "Outstanding on the 100 invoices shown: 1,000.00 EUR"; v.total.Text != want {
		t.Errorf("total = %q, want %q", v.total.Text, want)
	}
	v.loadMore() // as scrolling to the end does
	d.waitFor("the last page", func() bool { return len(v.rows) == 105 })
	if f := d.callsOf("OutstandingInvoices")[1].(app.OutstandingFilter); f.After != "inv-099" {
		t.Errorf("second page after %q, want inv-099", f.After)
	}
	if want := "Total outstanding: 1,050.00 EUR on 105 invoices"; v.total.Text != want {
		t.Errorf("total = %q, want %q", v.total.Text, want)
	}

	test.Tap(v.print)
	saved := d.expectSaved("outstanding-2026-03-02.pdf")
	test.Tap(saved.print)
	d.waitFor("the print", func() bool { return len(d.printer.ran()) == 1 })
	if got := d.printer.ran()[0]; !slices.Equal(got, []string{"lp", saved.path}) {
		t.Errorf("print command = %q", got)
	}

	v.list.Select(0)
	d.waitFor("the patient's statement", func() bool { return v.statement != nil && v.statement.st != nil })
}

// cashUpOf is a day of one cash payment of 70.00 and one card payment of
// 30.00 refunded.
func cashUpOf(cashierID, name, day string) *app.CashUp {
	taken := time.Date(2026, 3, 2, 8, 15, 0, 0, time.UTC)
	return &app.CashUp{CashierID: cashierID, CashierName: name, Day: day, Currency: "EUR",
		Methods: []app.MethodTotal{{Method: app.PayCash, Count: 1, Taken: 7000}, {Method: app.PayCard, Count: 2, Taken: 3000, Refunded: 3000}},
		Taken:   10000, Refunded: 3000, Net: 7000, CashInHand: 7000,
		Receipts: []*app.Payment{
			{ID: "pay-1", ReceiptNumber: "R-D1-2026-000001", Method: app.PayCash, Amount: 7000, Currency: "EUR", TakenAt: taken, PatientName: "Grace Hopper"},
			{ID: "pay-2", ReceiptNumber: "R-D1-2026-000002", Method: app.PayCard, Amount: 3000, Currency: "EUR", TakenAt: taken},
			{ID: "pay-3", ReceiptNumber: "R-D1-2026-000003", Method: app.PayCard, Amount: 3000, Currency: "EUR", TakenAt: taken, ReversalOf: "pay-2"},
		}}
}

func (d *deskHarness) serveCashUps() {
	d.billing.CashUpFn = func(ctx context.Context, cashierID, day string) (*app.CashUp, error) {
		d.record("CashUp", ctx, cashierID+" "+day)
		return cashUpOf(cashierID, "Cashier "+cashierID, day), nil
	}
	d.billing.CashUpPDFFn = func(ctx context.Context, cashierID, day string) ([]byte, error) {
		return d.printed(ctx, "CashUpPDF", cashierID+" "+day)
	}
}

func TestCashUpAnyCashierAndPrint(t *testing.T) {
	d := newDeskHarness(t)
	d.serveCashUps()
	var cashiers []*app.Cashier
	for _, u := range []*app.User{user(app.RoleAdmin), user(app.RoleReception), user(app.RoleBilling)} {
		cashiers = append(cashiers, &app.Cashier{ID: u.ID, Username: u.Username, FullName: u.FullName, Active: u.Role != app.RoleBilling})
	}
	// Two people of one name are told apart by their usernames.
	cashiers = append(cashiers, &app.Cashier{ID: "u-reception2", Username: "reception2", FullName: "Test Receptionist", Active: true})
	d.billing.CashiersFn = func(ctx context.Context) ([]*app.Cashier, error) {
		d.record("Cashiers", ctx, nil)
		return cashiers, nil
	}
	v := d.openBillingTab(app.RoleAdmin, "Cashier's day").cashUp
	d.waitFor("the admin's own day", func() bool { return v.cashUp != nil })
	want := []string{"Test Administrator", "Test Receptionist (reception1)", "Test Billing clerk, deactivated",
		"Test Receptionist (reception2)"}
	if !slices.Equal(v.cashier.Options, want) {
		t.Errorf("cashiers = %q, want %q", v.cashier.Options, want)
	}
	if got := d.callsOf("CashUp"); !slices.Equal(got, []any{"u-admin 2026-03-02"}) {
		t.Errorf("CashUp calls = %v", got)
	}
	if v.cashInHand.Text != "Cash in hand: 70.00 EUR" || !d.shows("−30.00") || !d.shows("Refund: Card") {
		t.Errorf("cash in hand %q; window: %q", v.cashInHand.Text, d.texts())
	}

	v.cashier.SetSelectedIndex(1)
	test.Tap(v.prevDay)
	d.waitFor("the receptionist's day before", func() bool {
		return v.cashUp != nil && v.cashUp.CashierID == "u-reception" && v.cashUp.Day == "2026-03-01"
	})
	test.Tap(v.print)
	d.expectSaved("cash-up-2026-03-01-Cashier u-reception.pdf")
	if got := d.callsOf("CashUpPDF"); !slices.Equal(got, []any{"u-reception 2026-03-01"}) {
		t.Errorf("CashUpPDF calls = %v", got)
	}
}

func TestCashUpReceptionSeesOwnDayOnly(t *testing.T) {
	d := newDeskHarness(t)
	d.serveCashUps()
	v := d.openBillingTab(app.RoleReception, "Cashier's day").cashUp
	d.waitFor("the own day", func() bool { return v.cashUp != nil })
	if len(v.cashier.Options) != 1 || d.called("Cashiers") != 0 {
		t.Errorf("reception may choose among %q", v.cashier.Options)
	}
	v.day.SetText("2026-3-1")
	test.Tap(v.show)
	if v.errs.text("day") != "Write the day as YYYY-MM-DD." {
		t.Errorf("day message = %q", v.errs.text("day"))
	}
	d.settle()
	if got := d.callsOf("CashUp"); !slices.Equal(got, []any{"u-reception 2026-03-02"}) {
		t.Errorf("CashUp calls = %v", got)
	}
}

// graceStatement is a statement of one invoice partly paid and a receipt.
func graceStatement() *app.Statement {
	return &app.Statement{PatientID: "p-1", PatientName: "Grace Hopper", PatientMRN: "P-D1-000001", Currency: "EUR",
		Invoices: []*app.Invoice{{ID: "inv-1", Number: "INV-D1-2026-000001", Status: app.InvoicePartiallyPaid, Currency: "EUR",
			Totals: app.InvoiceTotals{Total: 15000}, Paid: 3000, Balance: 12000, IssuedAt: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)}},
		Payments: []*app.Payment{{ID: "pay-1", ReceiptNumber: "R-D1-2026-000001", Method: app.PayCash, Amount: 3000, Currency: "EUR",
			Allocations: []app.Allocation{{InvoiceID: "inv-1", InvoiceNumber: "INV-D1-2026-000001", Amount: 3000}}}},
		TotalInvoiced: 15000, TotalPaid: 3000, Balance: 12000}
}

func (d *deskHarness) serveStatement() {
	d.billing.PatientStatementFn = func(ctx context.Context, id string) (*app.Statement, error) {
		d.record("PatientStatement", ctx, id)
		return graceStatement(), nil
	}
	d.billing.StatementPDFFn = func(ctx context.Context, id string) ([]byte, error) { return d.printed(ctx, "StatementPDF", id) }
}

func TestBillsPatientSavesInvoiceAndReceipt(t *testing.T) {
	d := newDeskHarness(t)
	d.serveStatement()
	d.servePrices()
	d.billing.InvoicePDFFn = func(ctx context.Context, id string) ([]byte, error) { return d.printed(ctx, "InvoicePDF", id) }
	d.billing.ReceiptPDFFn = func(ctx context.Context, id string, reprint bool) ([]byte, error) {
		return d.printed(ctx, "ReceiptPDF", fmt.Sprint(id, " reprint=", reprint))
	}
	d.patients.FindPatientByIDFn = func(context.Context, string) (*app.Patient, error) { return grace(), nil }
	d.loginAs(user(app.RolePatient))
	d.openArea(app.AreaMyRecord)
	selectTab(t, d.u.main.record.tabs, "Bills")
	b := d.u.main.myBills
	d.waitFor("the bills", func() bool { return b.st != nil })
	if got := d.callsOf("PatientStatement"); !slices.Equal(got, []any{"p-42"}) {
		t.Errorf("statement of %v, want the patient's own", got)
	}
	if b.balance.Text != "Balance due: 120.00 EUR" {
		t.Errorf("balance = %q", b.balance.Text)
	}
	// The price list is shown below the bills.
	d.waitFor("the price list", func() bool { return d.shows("General consultation (CONS-GP): 45.00 + 24% tax") })

	test.Tap(rowButton(b.invoiceL, "inv-1", "Save as PDF"))
	d.expectSaved("invoice-INV-D1-2026-000001.pdf")
	test.Tap(rowButton(b.paymentL, "pay-1", "Save as PDF"))
	d.expectSaved("receipt-R-D1-2026-000001-copy.pdf")
	if got := d.callsOf("ReceiptPDF"); !slices.Equal(got, []any{"pay-1 reprint=true"}) {
		t.Errorf("ReceiptPDF calls = %v, want the patient's copy", got)
	}
	if got := d.callsOf("InvoicePDF"); !slices.Equal(got, []any{"inv-1"}) {
		t.Errorf("InvoicePDF calls = %v", got)
	}
}

func TestStatementFromChart(t *testing.T) {
	t.Run("BillingClerkPrints", func(t *testing.T) {
		d := newDeskHarness(t)
		d.serveStatement()
		c := d.openChartOf(app.RoleBilling)
		if c.details.statement == nil {
			t.Fatal("no Statement button for a billing clerk")
		}
		test.Tap(c.details.statement)
		v := c.details.statementV
		d.waitFor("the statement", func() bool { return v.st != nil })
		if v.balance.Text != "Balance due: 120.00 EUR" || !d.shows("INV-D1-2026-000001") || !d.shows("R-D1-2026-000001") {
			t.Errorf("statement shows %q", d.texts())
		}
		test.Tap(v.print)
		d.expectSaved("statement-P-D1-000001-2026-03-02.pdf")
		if got := d.callsOf("StatementPDF"); !slices.Equal(got, []any{"p-1"}) {
			t.Errorf("StatementPDF calls = %v", got)
		}
	})

	t.Run("AdminSeesBalanceDue", func(t *testing.T) {
		d := newDeskHarness(t)
		d.serveStatement()
		c := d.openChartOf(app.RoleAdmin)
		d.clinical.GetChartFn = func(context.Context, string) (*app.Chart, error) {
			ch, due := graceChart(), app.Money(12000)
			ch.BalanceDue = &due
			return ch, nil
		}
		c.summary.load()
		d.waitFor("the balance", func() bool { return c.summary.balance.Visible() })
		if c.summary.balance.Text != "Balance due: 120.00 EUR" || !c.summary.billing.Visible() || c.summary.statement == nil {
			t.Errorf("balance %q, section shown %v", c.summary.balance.Text, c.summary.billing.Visible())
		}
		test.Tap(c.summary.statement)
		d.waitFor("the statement", func() bool { return c.summary.statementV.st != nil })
	})

	t.Run("DoctorSeesNoBilling", func(t *testing.T) {
		d := newDeskHarness(t)
		c := d.openChartOf(app.RoleDoctor)
		if c.summary.statement != nil || c.summary.billing.Visible() {
			t.Error("a doctor sees the billing section")
		}
	})
}
