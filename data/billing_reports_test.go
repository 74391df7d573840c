package data_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// hasAll fails the test for each of want that text lacks; a want starting
// with "~" is a regular expression (with -layout, a label and its value
// are on one line, apart).
func hasAll(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if re, ok := strings.CutPrefix(w, "~"); ok {
			if !regexp.MustCompile(re).MatchString(text) {
				t.Errorf("%s does not match %q:\n%s", what, re, text)
			}
		} else if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// audited counts the audit rows of an action with an outcome.
func (b *billingClinic) audited(t *testing.T, action string, outcome app.Outcome) int {
	t.Helper()
	var n int
	if err := rawDB(t, b.db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = ? AND outcome = ?`,
		action, outcome).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStatementPDF prints a statement of two open invoices, one void, and
// payments with a refund, and checks the hand-computed totals: invoiced
// 74.36 + 40.00 = 114.36 (the void 40.00 is not counted), paid 50.00 +
// 40.00 = 90.00 (the refunded 10.00 is not), balance 24.36.
func TestStatementPDF(t *testing.T) {
	b := mustBilling(t)
	lab := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3}) // 3 × 19.99 + 24 % = 74.36
	cons := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	void := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if _, err := b.svc.Billing.VoidInvoice(b.billing(), void.ID, "billed twice"); err != nil {
		t.Fatal(err)
	}
	p1, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), app.PaymentInput{Method: app.PayCash, Amount: 5000,
		Tendered: 6000, Allocations: []app.Allocation{{InvoiceID: lab.ID, Amount: 5000}}})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := b.svc.Billing.TakePayment(b.billing(), pay(cons.ID, 4000))
	if err != nil {
		t.Fatal(err)
	}
	p3, err := b.svc.Billing.TakePayment(b.billing(), pay(lab.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	r3, err := b.svc.Billing.RefundPayment(b.billing(), p3.ID, "card charged in error")
	if err != nil {
		t.Fatal(err)
	}

	out, err := b.svc.Billing.StatementPDF(b.billing(), b.patientID)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, out)
	hasAll(t, "statement", text, "Riverside Clinic", "Statement", "Zoë Παπαδοπούλου-Müller",
		lab.Number, cons.Number, void.Number, p1.ReceiptNumber, p2.ReceiptNumber, p3.ReceiptNumber, r3.ReceiptNumber,
		"card charged in error",
		// The clock is 09:00 UTC: 11:00 in Athens.
		"Printed Wed 2026-11-25 11:00 EET",
		`~`+regexp.QuoteMeta(lab.Number)+`\s+2026-11-25\s+Partly paid\s+74\.36\s+50\.00\s+24\.36`,
		`~`+regexp.QuoteMeta(void.Number)+`.*Void.*void`,
		`~Total invoiced\s+114\.36`, `~Total paid\s+90\.00`, `~Balance due EUR\s+24\.36`,
		"page 1 of 1")
	if n := b.audited(t, "statement.print", app.OutcomeOK); n != 1 {
		t.Fatalf("%d audit rows of the print", n)
	}

	// The balance on the chart is the statement's.
	chart, err := b.svc.Clinical.GetChart(b.ctx(app.RoleAdmin), b.patientID)
	if err != nil || chart.BalanceDue == nil || *chart.BalanceDue != 2436 {
		t.Fatalf("chart balance %v, %v; want 24.36", chart.BalanceDue, err)
	}
}

// TestStatementPDFPermissions: staff who see bills print any statement, a
// patient only their own, doctors and nurses none; each refusal is
// audited and nothing is printed.
func TestStatementPDFPermissions(t *testing.T) {
	b := mustBilling(t)
	own := b.users[app.RolePatient].PatientID
	inv := b.issuedFor(t, own)
	for _, r := range []app.Role{app.RoleAdmin, app.RoleBilling, app.RoleReception} {
		if _, err := b.svc.Billing.StatementPDF(b.ctx(r), b.patientID); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	mine, err := b.svc.Billing.StatementPDF(b.ctx(app.RolePatient), own)
	if err != nil {
		t.Fatal(err)
	}
	hasAll(t, "own statement", pdfToText(t, mine), inv.Number, `~Balance due EUR\s+40\.00`)
	for _, r := range []app.Role{app.RolePatient, app.RoleDoctor, app.RoleNurse} {
		if out, err := b.svc.Billing.StatementPDF(b.ctx(r), b.patientID); code(err) != app.EUNAUTHORIZED || out != nil {
			t.Errorf("%s printed another's statement: %v", r, err)
		}
	}
	if ok, denied := b.audited(t, "statement.print", app.OutcomeOK), b.audited(t, "billing.statement", app.OutcomeDenied); ok != 4 || denied != 3 {
		t.Fatalf("audit: %d prints, %d denials; want 4 and 3", ok, denied)
	}
	if _, err := b.svc.Billing.StatementPDF(b.billing(), "no-such-patient"); code(err) != app.ENOTFOUND {
		t.Fatalf("unknown patient: %v", err)
	}
}

// TestOutstandingPDF issues invoices 95, 50 and 0 days before the print
// and checks each one's age and the hand-computed totals by age band; a
// paid and a void invoice are not outstanding.
func TestOutstandingPDF(t *testing.T) {
	b := mustBilling(t)
	old := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3}) // 74.36, 50.00 paid: 24.36 due
	if _, err := b.svc.Billing.TakePayment(b.billing(), pay(old.ID, 5000)); err != nil {
		t.Fatal(err)
	}
	paid := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if _, err := b.svc.Billing.TakePayment(b.billing(), pay(paid.ID, 4000)); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(45 * 24 * time.Hour)
	mid := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1}) // 40.00 due
	void := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if _, err := b.svc.Billing.VoidInvoice(b.billing(), void.ID, "wrong patient"); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(50 * 24 * time.Hour)
	other := b.issuedFor(t, b.users[app.RolePatient].PatientID)                                      // 40.00 due
	recent := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1, DiscountRate: 1000}) // 36.00 due

	out, err := b.svc.Billing.OutstandingPDF(b.ctx(app.RoleReception))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, out)
	num := func(inv *app.Invoice) string { return regexp.QuoteMeta(inv.Number) }
	hasAll(t, "outstanding", text, "Outstanding invoices", "Zoë Παπαδοπούλου-Müller", "Printed Sun 2027-02-28 11:00 EET",
		`~`+num(old)+`\s+2026-11-25\s+95\s+.*74\.36\s+50\.00\s+24\.36`,
		`~`+num(mid)+`\s+2027-01-09\s+50\s+.*40\.00\s+0\.00\s+40\.00`,
		`~`+num(other)+`\s+2027-02-28\s+0\s+`,
		`~`+num(recent)+`\s+2027-02-28\s+0\s+.*36\.00\s+0\.00\s+36\.00`,
		`~Outstanding invoices\s+4\n`, `~Invoiced\s+190\.36`, `~Paid\s+50\.00`,
		`~Due 0–30 days\s+76\.00`, `~Due 31–60 days\s+40\.00`, `~Due 61–90 days\s+0\.00`, `~Due over 90 days\s+24\.36`,
		`~Total outstanding EUR\s+140\.36`)
	for _, inv := range []*app.Invoice{paid, void} {
		if strings.Contains(text, inv.Number) {
			t.Errorf("%s (%s) listed as outstanding", inv.Number, inv.Status)
		}
	}
	if strings.Contains(text, "oldest of") {
		t.Errorf("a complete list says it is cut short:\n%s", text)
	}

	// A long list prints its oldest part; the totals stay those of all.
	defer data.SetOutstandingPDFLimit(2)()
	out, err = b.svc.Billing.OutstandingPDF(b.billing())
	if err != nil {
		t.Fatal(err)
	}
	text = pdfToText(t, out)
	hasAll(t, "cut list", text, old.Number, mid.Number, "The 2 oldest of 4 outstanding invoices are listed",
		`~Total outstanding EUR\s+140\.36`, `~Due 0–30 days\s+76\.00`)
	if strings.Contains(text, recent.Number) {
		t.Errorf("the list is not cut at 2:\n%s", text)
	}

	for _, r := range []app.Role{app.RolePatient, app.RoleDoctor, app.RoleNurse} {
		if out, err := b.svc.Billing.OutstandingPDF(b.ctx(r)); code(err) != app.EUNAUTHORIZED || out != nil {
			t.Errorf("%s printed the outstanding invoices: %v", r, err)
		}
	}
	if ok, denied := b.audited(t, "outstanding.print", app.OutcomeOK), b.audited(t, "outstanding.print", app.OutcomeDenied); ok != 2 || denied != 3 {
		t.Fatalf("audit: %d prints, %d denials; want 2 and 3", ok, denied)
	}
}

// TestCashUpPDF checks a billing clerk's day against hand-computed totals:
// cash 50.00 and 10.00 taken and the 10.00 refunded, card 40.00; so 100.00
// taken, 10.00 refunded, 90.00 net and 50.00 cash in hand. A payment
// reception took is in reception's cash-up, not the clerk's.
func TestCashUpPDF(t *testing.T) {
	b := mustBilling(t)
	a := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3})
	c := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	cash := func(inv *app.Invoice, amount app.Money) app.PaymentInput {
		return app.PaymentInput{Method: app.PayCash, Amount: amount, Tendered: amount,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}}
	}
	p1, err := b.svc.Billing.TakePayment(b.billing(), cash(a, 5000))
	if err != nil {
		t.Fatal(err)
	}
	b.clock.Add(time.Hour)
	p2, err := b.svc.Billing.TakePayment(b.billing(), pay(c.ID, 4000))
	if err != nil {
		t.Fatal(err)
	}
	p3, err := b.svc.Billing.TakePayment(b.billing(), cash(a, 1000))
	if err != nil {
		t.Fatal(err)
	}
	r3, err := b.svc.Billing.RefundPayment(b.billing(), p3.ID, "paid twice")
	if err != nil {
		t.Fatal(err)
	}
	byDesk, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), cash(a, 700))
	if err != nil {
		t.Fatal(err)
	}

	clerk := b.users[app.RoleBilling]
	out, err := b.svc.Billing.CashUpPDF(b.billing(), clerk.ID, "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, out)
	hasAll(t, "cash-up", text, "Cash-up", "Day 2026-11-25", "Cashier "+clerk.FullName, "Printed Wed 2026-11-25 12:00 EET",
		p1.ReceiptNumber, p2.ReceiptNumber, p3.ReceiptNumber, r3.ReceiptNumber, "Zoë Παπαδοπούλου-Müller",
		`~`+regexp.QuoteMeta(p1.ReceiptNumber)+`\s+11:00\s`,
		`~`+regexp.QuoteMeta(r3.ReceiptNumber)+`\s+12:00\s.*-10\.00`,
		`~Cash\s+3\s+60\.00\s+10\.00\s+50\.00`, `~Card\s+1\s+40\.00\s+0\.00\s+40\.00`, `~Insurance\s+0\s+0\.00`,
		`~All methods\s+4\s+100\.00\s+10\.00\s+90\.00`, `~Net taken\s+90\.00`, `~Cash in hand EUR\s+50\.00`)
	if strings.Contains(text, byDesk.ReceiptNumber) {
		t.Errorf("reception's payment in the clerk's cash-up:\n%s", text)
	}

	// Reception prints its own day, not another cashier's; billing any.
	desk := b.users[app.RoleReception]
	own, err := b.svc.Billing.CashUpPDF(b.ctx(app.RoleReception), desk.ID, "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	hasAll(t, "reception's cash-up", pdfToText(t, own), byDesk.ReceiptNumber, `~Cash in hand EUR\s+7\.00`)
	if _, err := b.svc.Billing.CashUpPDF(b.billing(), desk.ID, "2026-11-25"); err != nil {
		t.Fatalf("billing printing reception's day: %v", err)
	}
	for _, r := range []app.Role{app.RoleReception, app.RolePatient, app.RoleDoctor, app.RoleNurse} {
		if out, err := b.svc.Billing.CashUpPDF(b.ctx(r), clerk.ID, "2026-11-25"); code(err) != app.EUNAUTHORIZED || out != nil {
			t.Errorf("%s printed the clerk's cash-up: %v", r, err)
		}
	}
	if _, err := b.svc.Billing.CashUpPDF(b.billing(), clerk.ID, "25/11/2026"); code(err) != app.EINVALID {
		t.Fatalf("a day that is not a date: %v", err)
	}
	if ok, denied := b.audited(t, "cashup.print", app.OutcomeOK), b.audited(t, "billing.cashup", app.OutcomeDenied); ok != 3 || denied != 4 {
		t.Fatalf("audit: %d prints, %d denials; want 3 and 4", ok, denied)
	}
}

// TestChartBalanceDue: the chart shows what the patient owes to the
// patient themself and to staff who see bills; doctors and nurses see no
// billing figure; a patient without bills owes zero, not nothing.
func TestChartBalanceDue(t *testing.T) {
	b := mustBilling(t)
	own := b.users[app.RolePatient].PatientID
	first := b.issuedFor(t, own)
	b.issuedFor(t, own)
	if _, err := b.svc.Billing.TakePayment(b.billing(), pay(first.ID, 1500)); err != nil {
		t.Fatal(err)
	}
	draft, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: own,
		Lines: []app.LineInput{{Description: "Not issued yet", Quantity: 1, UnitPrice: 99900}}})
	if err != nil || draft.Status != app.InvoiceDraft {
		t.Fatal(err)
	}
	// 40.00 + 40.00 issued, 15.00 paid; the draft is not owed yet.
	for _, r := range []app.Role{app.RolePatient, app.RoleAdmin} {
		chart, err := b.svc.Clinical.GetChart(b.ctx(r), own)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if chart.BalanceDue == nil || *chart.BalanceDue != 6500 {
			t.Errorf("%s sees balance %v, want 65.00", r, chart.BalanceDue)
		}
	}
	for _, r := range []app.Role{app.RoleDoctor, app.RoleNurse} {
		chart, err := b.svc.Clinical.GetChart(b.ctx(r), own)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if chart.BalanceDue != nil {
			t.Errorf("%s sees a balance of %d", r, *chart.BalanceDue)
		}
	}
	chart, err := b.svc.Clinical.GetChart(b.ctx(app.RoleAdmin), b.patient2.PatientID)
	if err != nil || chart.BalanceDue == nil || *chart.BalanceDue != 0 {
		t.Fatalf("a patient without bills: %v, %v", chart.BalanceDue, err)
	}
}

// TestCashiers: billing staff choose among everyone who takes payments and
// anyone who has taken one, even since deactivated; reception sees itself.
func TestCashiers(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	desk := b.users[app.RoleReception]
	if _, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), pay(inv.ID, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Users.DeactivateUser(b.ctx(app.RoleAdmin), desk.ID, nil); err != nil {
		t.Fatal(err)
	}
	names := func(cs []*app.Cashier) map[string]bool {
		out := map[string]bool{}
		for _, c := range cs {
			out[c.Username] = c.Active
		}
		return out
	}
	all, err := b.svc.Billing.Cashiers(b.billing())
	if err != nil {
		t.Fatal(err)
	}
	got := names(all)
	want := map[string]bool{b.users[app.RoleAdmin].Username: true, b.users[app.RoleBilling].Username: true, desk.Username: false}
	if len(got) != len(want) {
		t.Errorf("cashiers %v, want %v", got, want)
	}
	for name, active := range want {
		if a, ok := got[name]; !ok || a != active {
			t.Errorf("cashier %s: listed %v, active %v; want active %v", name, ok, a, active)
		}
	}
	for _, role := range []app.Role{app.RoleDoctor, app.RoleNurse, app.RolePatient} {
		if _, ok := got[b.users[role].Username]; ok {
			t.Errorf("%s listed as a cashier", role)
		}
	}
	// A reception account that is still active sees only itself.
	other, err := b.svc.Users.CreateUser(b.ctx(app.RoleAdmin), app.UserCreate{Username: "desk2", FullName: "Second Desk",
		Role: app.RoleReception, Password: "a long staff password desk2"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := b.svc.Billing.Cashiers(app.NewContextWithCaller(context.Background(),
		app.Caller{UserID: other.ID, Username: other.Username, Role: app.RoleReception}))
	if err != nil || len(mine) != 1 || mine[0].ID != other.ID {
		t.Fatalf("reception's cashiers: %v %+v", err, mine)
	}
}
