package data_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/pdf/pdftest"
	"hms/data"
)

// billingClinic is the fixture with a price list and an accented patient.
type billingClinic struct {
	*clinic
	patientID string // Zoë Papadopoulou-Müller (the fixture's patient account is another)
	consult   *app.PriceItem
	lab       *app.PriceItem
}

func mustBilling(tb testing.TB) *billingClinic {
	tb.Helper()
	c := mustSetup(tb)
	b := &billingClinic{clinic: c}
	p, err := c.svc.Patients.CreatePatient(c.ctx(app.RoleAdmin), app.PatientCreate{GivenName: "Zoë",
		FamilyName: "Παπαδοπούλου-Müller", Sex: app.SexFemale, BirthDate: "1980-03-04"})
	if err != nil {
		tb.Fatal(err)
	}
	b.patientID = p.ID
	if b.consult, err = c.svc.Billing.CreatePriceItem(c.ctx(app.RoleAdmin), app.PriceItemInput{Code: "cons-gp",
		Name: "General consultation", Kind: app.PriceConsultation, Price: 4000, TaxRate: 0}); err != nil {
		tb.Fatal(err)
	}
	if b.lab, err = c.svc.Billing.CreatePriceItem(c.ctx(app.RoleAdmin), app.PriceItemInput{Code: "LAB-CBC",
		Name: "Full blood count", Kind: app.PriceLab, Price: 1999, TaxRate: 2400}); err != nil {
		tb.Fatal(err)
	}
	return b
}

func (b *billingClinic) billing() context.Context { return b.ctx(app.RoleBilling) }

// issued creates and issues an invoice of the given lines for the patient.
func (b *billingClinic) issued(tb testing.TB, lines ...app.LineInput) *app.Invoice {
	tb.Helper()
	inv, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: b.patientID, Lines: lines})
	if err != nil {
		tb.Fatal(err)
	}
	inv, err = b.svc.Billing.IssueInvoice(b.billing(), inv.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

func pay(invoiceID string, amount app.Money) app.PaymentInput {
	return app.PaymentInput{Method: app.PayCard, Amount: amount, Allocations: []app.Allocation{{InvoiceID: invoiceID, Amount: amount}}}
}

func TestInvoiceTotals(t *testing.T) {
	b := mustBilling(t)
	// 3 × 19.99 at 24 % = 59.97 + 14.39; a consultation of 40.00 with 10 %
	// off = 36.00; a free-text line 2 × 12.50 less 5.00 at 13 % = 20.00 + 2.60.
	inv := b.issued(t,
		app.LineInput{PriceItemID: b.lab.ID, Quantity: 3},
		app.LineInput{PriceItemID: b.consult.ID, Quantity: 1, DiscountRate: 1000},
		app.LineInput{Description: "Dressing", Quantity: 2, UnitPrice: 1250, DiscountAmount: 500, TaxRate: 1300})
	want := app.InvoiceTotals{Gross: 5997 + 4000 + 2500, Discount: 400 + 500, Net: 5997 + 3600 + 2000, Tax: 1439 + 260, Total: 7436 + 3600 + 2260}
	if inv.Totals != want {
		t.Fatalf("totals %+v, want %+v", inv.Totals, want)
	}
	if inv.Balance != want.Total || inv.Status != app.InvoiceIssued || !strings.HasPrefix(inv.Number, "INV-D1-2026-") {
		t.Fatalf("invoice %+v", inv)
	}
	if inv.Lines[0].Code != "LAB-CBC" || inv.Lines[0].UnitPrice != 1999 || inv.Lines[0].TaxRate != 2400 {
		t.Fatalf("price list not copied: %+v", inv.Lines[0])
	}
	if inv.Number != "INV-D1-2026-000001" {
		t.Fatalf("number %s", inv.Number)
	}
}

func TestPriceChangeKeepsIssuedInvoices(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	b.clock.Add(time.Minute)
	v2, err := b.svc.Billing.ChangePriceItem(b.ctx(app.RoleAdmin), app.PriceItemInput{Code: "LAB-CBC", Name: "Full blood count",
		Kind: app.PriceLab, Price: 2500, TaxRate: 2400})
	if err != nil || v2.Version != 2 {
		t.Fatalf("%+v %v", v2, err)
	}
	again, err := b.svc.Billing.FindInvoice(b.billing(), inv.ID)
	if err != nil || again.Totals != inv.Totals || again.Lines[0].UnitPrice != 1999 {
		t.Fatalf("issued invoice changed with the price: %+v %v", again, err)
	}
	// A new draft takes the new price, even when given the old version's id.
	d, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: b.patientID,
		Lines: []app.LineInput{{PriceItemID: b.lab.ID, Quantity: 1}}})
	if err != nil || d.Lines[0].UnitPrice != 2500 {
		t.Fatalf("new draft %+v %v", d, err)
	}
	items, err := b.svc.Billing.FindPriceItems(b.billing(), app.PriceFilter{Query: "blood"})
	if err != nil || len(items) != 1 || items[0].Price != 2500 {
		t.Fatalf("price list %+v %v", items, err)
	}
	if _, err := b.svc.Billing.RetirePriceItem(b.ctx(app.RoleAdmin), "LAB-CBC"); err != nil {
		t.Fatal(err)
	}
	if items, _ := b.svc.Billing.FindPriceItems(b.billing(), app.PriceFilter{Query: "blood"}); len(items) != 0 {
		t.Fatalf("retired item listed: %+v", items)
	}
	if _, err := b.svc.Billing.CreatePriceItem(b.ctx(app.RoleBilling), app.PriceItemInput{Code: "X", Name: "X",
		Kind: app.PriceOther, Price: 1}); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("billing clerk changed the price list: %v", err)
	}
}

func TestInvoiceLifecycle(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.svc.Billing.AddLine(ctx, d.ID, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.svc.Billing.AddLine(ctx, d.ID, app.LineInput{Description: "Bandage", Quantity: 1, UnitPrice: 300})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.svc.Billing.AddLine(ctx, d.ID, app.LineInput{Description: "Typo", Quantity: 1, UnitPrice: 1})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.svc.Billing.UpdateLine(ctx, d.Lines[1].ID, app.LineInput{Description: "Bandage", Quantity: 2, UnitPrice: 300})
	if err != nil || d.Totals.Total != 4600+1 {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = b.svc.Billing.RemoveLine(ctx, d.Lines[0].ID)
	if err != nil || len(d.Lines) != 2 || d.Lines[0].Position != 1 || d.Lines[1].Position != 2 || d.Totals.Total != 601 {
		t.Fatalf("%+v %v", d, err)
	}
	inv, err := b.svc.Billing.IssueInvoice(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.AddLine(ctx, inv.ID, app.LineInput{Description: "Late", Quantity: 1, UnitPrice: 1}); code(err) != app.ECONFLICT {
		t.Fatalf("line added to an issued invoice: %v", err)
	}
	if _, err := b.svc.Billing.RemoveLine(ctx, inv.Lines[0].ID); code(err) != app.ECONFLICT {
		t.Fatalf("line removed from an issued invoice: %v", err)
	}
	// Pay partly, then the rest in cash with change.
	p1, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), pay(inv.ID, 100))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := b.svc.Billing.FindInvoice(ctx, inv.ID); got.Status != app.InvoicePartiallyPaid || got.Balance != 501 {
		t.Fatalf("after part payment: %s %d", got.Status, got.Balance)
	}
	p2, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), app.PaymentInput{Method: app.PayCash, Amount: 501,
		Tendered: 1000, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 501}}})
	if err != nil || p2.Change != 499 || p2.ReceiptNumber != "R-D1-2026-000002" || p1.ReceiptNumber != "R-D1-2026-000001" {
		t.Fatalf("%+v %v", p2, err)
	}
	if got, _ := b.svc.Billing.FindInvoice(ctx, inv.ID); got.Status != app.InvoicePaid || got.Balance != 0 {
		t.Fatalf("after full payment: %s %d", got.Status, got.Balance)
	}
	// Reception cannot refund; billing can, and the balance comes back.
	if _, err := b.svc.Billing.RefundPayment(b.ctx(app.RoleReception), p2.ID, "wrong"); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("reception refunded: %v", err)
	}
	r, err := b.svc.Billing.RefundPayment(ctx, p2.ID, "paid twice by mistake")
	if err != nil || r.ReversalOf != p2.ID || r.Amount != 501 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := b.svc.Billing.RefundPayment(ctx, p2.ID, "again"); code(err) != app.ECONFLICT {
		t.Fatalf("refunded twice: %v", err)
	}
	if got, _ := b.svc.Billing.FindInvoice(ctx, inv.ID); got.Status != app.InvoicePartiallyPaid || got.Balance != 501 {
		t.Fatalf("after refund: %s %d", got.Status, got.Balance)
	}
	// Voiding needs the payments refunded first, then a reason.
	if _, err := b.svc.Billing.VoidInvoice(ctx, inv.ID, "wrong patient"); code(err) != app.ECONFLICT {
		t.Fatalf("void with payments: %v", err)
	}
	if _, err := b.svc.Billing.RefundPayment(ctx, p1.ID, "wrong patient"); err != nil {
		t.Fatal(err)
	}
	v, err := b.svc.Billing.VoidInvoice(ctx, inv.ID, "wrong patient")
	if err != nil || v.Status != app.InvoiceVoid || v.CreditNoteNumber != "CN-D1-2026-000001" || v.Balance != 0 {
		t.Fatalf("%+v %v", v, err)
	}
	st, err := b.svc.Billing.PatientStatement(ctx, b.patientID)
	if err != nil || len(st.Invoices) != 1 || len(st.Payments) != 4 || st.Balance != 0 || st.TotalPaid != 0 {
		t.Fatalf("statement %+v %v", st, err)
	}
	cu, err := b.svc.Billing.CashUp(ctx, b.users[app.RoleReception].ID, "2026-11-25")
	if err != nil || cu.Taken != 601 || len(cu.Receipts) != 2 || cu.CashInHand != 501 {
		t.Fatalf("cash-up %+v %v", cu, err)
	}
	cu, err = b.svc.Billing.CashUp(ctx, b.users[app.RoleBilling].ID, "2026-11-25")
	if err != nil || cu.Refunded != 601 || cu.Net != -601 {
		t.Fatalf("cash-up %+v %v", cu, err)
	}
	if _, err := b.svc.Billing.CashUp(b.ctx(app.RoleReception), b.users[app.RoleBilling].ID, "2026-11-25"); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("reception saw another cashier's day: %v", err)
	}
}

func TestMultiInvoicePaymentAndOutstanding(t *testing.T) {
	b := mustBilling(t)
	i1 := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	b.clock.Add(72 * time.Hour)
	i2 := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 2})
	out, err := b.svc.Billing.OutstandingInvoices(b.billing(), app.OutstandingFilter{})
	if err != nil || len(out) != 2 || out[0].ID != i1.ID || out[0].AgeDays != 3 || out[1].AgeDays != 0 {
		t.Fatalf("%+v %v", out, err)
	}
	p, err := b.svc.Billing.TakePayment(b.billing(), app.PaymentInput{Method: app.PayBankTransfer, Amount: 4000 + 3000,
		Reference: "TRX-1", Allocations: []app.Allocation{{InvoiceID: i1.ID, Amount: 4000}, {InvoiceID: i2.ID, Amount: 3000}}})
	if err != nil || len(p.Allocations) != 2 {
		t.Fatalf("%+v %v", p, err)
	}
	out, _ = b.svc.Billing.OutstandingInvoices(b.billing(), app.OutstandingFilter{})
	if len(out) != 1 || out[0].ID != i2.ID || out[0].Balance != 5000 || out[0].Status != app.InvoicePartiallyPaid {
		t.Fatalf("%+v", out)
	}
}

// TestRefusals: each bad input is a field error with a clear message, and
// nothing is saved.
func TestRefusals(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	void := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if _, err := b.svc.Billing.VoidInvoice(ctx, void.ID, "entered twice"); err != nil {
		t.Fatal(err)
	}
	draft, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID,
		Lines: []app.LineInput{{Description: "x", Quantity: 1, UnitPrice: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, field, msg string
		do               func() error
	}{
		{"overpayment", "amount", "overpayment", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, pay(inv.ID, 4001))
			return err
		}},
		{"negative", "amount", "more than zero", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, pay(inv.ID, -100))
			return err
		}},
		{"zero payment", "amount", "more than zero", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, pay(inv.ID, 0))
			return err
		}},
		{"void invoice", "invoices", "void", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, pay(void.ID, 100))
			return err
		}},
		{"draft invoice", "invoices", "draft", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, pay(draft.ID, 5))
			return err
		}},
		{"cash short", "tendered", "less", func() error {
			_, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: 100, Tendered: 50,
				Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 100}}})
			return err
		}},
		{"zero quantity", "quantity", "at least 1", func() error {
			_, err := b.svc.Billing.AddLine(ctx, draft.ID, app.LineInput{Description: "x", Quantity: 0, UnitPrice: 5})
			return err
		}},
		{"negative price", "unit_price", "negative", func() error {
			_, err := b.svc.Billing.AddLine(ctx, draft.ID, app.LineInput{Description: "x", Quantity: 1, UnitPrice: -5})
			return err
		}},
		{"zero quantity in a new draft", "quantity", "Line 2", func() error {
			_, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: []app.LineInput{
				{Description: "ok", Quantity: 1, UnitPrice: 5}, {Description: "bad", Quantity: 0, UnitPrice: 5}}})
			return err
		}},
		{"void without reason", "reason", "reason", func() error {
			_, err := b.svc.Billing.VoidInvoice(ctx, inv.ID, "   ")
			return err
		}},
		{"refund without reason", "reason", "reason", func() error {
			_, err := b.svc.Billing.RefundPayment(ctx, "01900000-0000-7000-8000-000000000000", "")
			return err
		}},
		{"empty draft", "lines", "at least one line", func() error {
			d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID})
			if err != nil {
				return err
			}
			snapAfter := snapshot(t, b.db)
			_, err = b.svc.Billing.IssueInvoice(ctx, d.ID)
			if snapshot(t, b.db) != snapAfter {
				t.Error("issuing an empty draft changed data")
			}
			return err
		}},
	}
	for _, c := range cases {
		before := snapshot(t, b.db)
		err := c.do()
		if app.ErrorField(err) != c.field || !strings.Contains(strings.ToLower(app.ErrorMessage(err)), strings.ToLower(c.msg)) {
			t.Errorf("%s: want field %s with %q, got %v", c.name, c.field, c.msg, err)
		}
		if c.name != "empty draft" && snapshot(t, b.db) != before {
			t.Errorf("%s: a refused call saved something", c.name)
		}
	}
}

// TestImmutable: issued invoices, their lines, credit notes, payments,
// allocations and receipts refuse UPDATE and DELETE, by the services and by
// raw SQL.
func TestImmutable(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	p, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, false); err != nil {
		t.Fatal(err)
	}
	v := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	if _, err := b.svc.Billing.VoidInvoice(b.billing(), v.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	draft, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: b.patientID,
		Lines: []app.LineInput{{Description: "x", Quantity: 1, UnitPrice: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, b.db)
	before := snapshot(t, b.db)
	for _, stmt := range []string{
		`UPDATE invoices SET notes = 'changed' WHERE id = '` + inv.ID + `'`,
		`UPDATE invoices SET patient_name = 'Someone Else' WHERE id = '` + inv.ID + `'`,
		`UPDATE invoices SET status = 'draft', number = NULL, issued_at = NULL WHERE id = '` + inv.ID + `'`,
		`UPDATE invoices SET status = 'void' WHERE id = '` + inv.ID + `'`, // no credit note
		`UPDATE invoices SET status = 'issued' WHERE id = '` + v.ID + `'`, // void is final
		`DELETE FROM invoices WHERE id = '` + inv.ID + `'`,
		`UPDATE invoice_lines SET unit_price = 1, gross = 1, net = 1, total = 1 WHERE invoice_id = '` + inv.ID + `'`,
		`DELETE FROM invoice_lines WHERE invoice_id = '` + inv.ID + `'`,
		`INSERT INTO invoice_lines (id, invoice_id, position, description, kind, quantity, unit_price, tax_rate, gross,
			discount, net, tax, total, created_at, updated_at) VALUES ('x', '` + inv.ID + `', 9, 'x', 'other', 1, 1, 0, 1, 0, 1, 0, 1, '', '')`,
		`UPDATE payments SET amount = 1 WHERE id = '` + p.ID + `'`,
		`DELETE FROM payments WHERE id = '` + p.ID + `'`,
		`UPDATE payment_allocations SET amount = 1`,
		`DELETE FROM payment_allocations`,
		`UPDATE receipts SET pdf = x'00'`,
		`DELETE FROM receipts`,
		`UPDATE credit_notes SET reason = 'other'`,
		`DELETE FROM credit_notes`,
		`UPDATE price_items SET price = 1`,
		`DELETE FROM price_items`,
		`INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ('` + p.ID + `', '` + draft.ID + `', 1)`,
		`INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES ('` + p.ID + `', '` + v.ID + `', 1)`,
		`INSERT INTO invoice_lines (id, invoice_id, position, description, kind, quantity, unit_price, tax_rate, gross,
			discount, net, tax, total, created_at, updated_at) VALUES ('y', '` + draft.ID + `', 9, 'x', 'other', 0, 1, 0, 0, 0, 0, 0, 0, '', '')`,
		`INSERT INTO invoice_lines (id, invoice_id, position, description, kind, quantity, unit_price, tax_rate, gross,
			discount, net, tax, total, created_at, updated_at) VALUES ('z', '` + draft.ID + `', 9, 'x', 'other', 1, 2.5, 0, 2.5, 0, 2.5, 0, 2.5, '', '')`,
	} {
		if _, err := raw.Exec(stmt); err == nil {
			t.Errorf("allowed: %s", stmt)
		}
	}
	if snapshot(t, b.db) != before {
		t.Fatal("raw SQL changed billing rows")
	}
	// A draft's lines stay editable until it is issued.
	if _, err := raw.Exec(`UPDATE invoice_lines SET description = 'edited' WHERE invoice_id = ?`, draft.ID); err != nil {
		t.Fatalf("draft line not editable: %v", err)
	}
}

// TestReceiptNumbersGapFree takes payments with random failures injected
// inside the transaction after the receipt number is taken: the numbers
// that exist are 1..N with no gap and no duplicate.
func TestReceiptNumbersGapFree(t *testing.T) {
	n := 10000
	if raceDetector {
		// Still hundreds of payments rolled back after taking their
		// number, in about a fifth of the time (CI runs -race).
		n = 2000
	}
	if testing.Short() {
		n = 1000
	}
	b := mustBilling(t)
	// Many invoices, so that no one invoice's balance sums thousands of
	// allocations.
	invs := make([]*app.Invoice, 100)
	for i := range invs {
		invs[i] = b.issued(t, app.LineInput{Description: "Long treatment", Quantity: 1, UnitPrice: app.Money(n/len(invs)) * 10})
	}
	rng := rand.New(rand.NewPCG(7, 7))
	fail := &app.Error{Code: app.ECONFLICT, Message: "injected"} // an app error: not logged
	var injected bool
	data.SetPaymentFault(func() error {
		if injected {
			return fail
		}
		return nil
	})
	defer data.SetPaymentFault(nil)
	ctx := b.billing()
	ok, failed := 0, 0
	for ok < n {
		injected = rng.IntN(4) == 0
		inv := invs[ok%len(invs)]
		_, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCard, Amount: 10,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 10}}})
		if injected {
			if !errors.Is(err, fail) {
				t.Fatalf("want the injected error, got %v", err)
			}
			failed++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ok++
	}
	rows, err := rawDB(t, b.db).Query(`SELECT receipt_number FROM payments ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var num string
		rows.Scan(&num)
		i++
		if want := fmt.Sprintf("R-D1-2026-%06d", i); num != want {
			t.Fatalf("receipt %d is %s, want %s", i, num, want)
		}
	}
	if i != n {
		t.Fatalf("%d receipts, want %d (%d failures)", i, n, failed)
	}
	for _, inv := range invs {
		if got, _ := b.svc.Billing.FindInvoice(ctx, inv.ID); got.Status != app.InvoicePaid || got.Balance != 0 {
			t.Fatalf("invoice %s balance %d", got.Status, got.Balance)
		}
	}
	t.Logf("%d payments, %d rolled back", n, failed)
}

// pdfToText is a document's text with its columns in place.
func pdfToText(t *testing.T, b []byte) string {
	t.Helper()
	return pdftest.Text(t, b, true)
}

func TestReceiptPDF(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3})
	p, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), app.PaymentInput{Method: app.PayCash, Amount: 5000,
		Tendered: 5000, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 5000}}})
	if err != nil {
		t.Fatal(err)
	}
	orig, err := b.svc.Billing.ReceiptPDF(b.ctx(app.RoleReception), p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	// The rest is paid later: the original still shows the balance after it.
	if _, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 7436-5000)); err != nil {
		t.Fatal(err)
	}
	again, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, false)
	if err != nil || !bytes.Equal(again, orig) {
		t.Fatalf("stored original differs: %v", err)
	}
	cp, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfToText(t, orig)
	for _, want := range []string{p.ReceiptNumber, "Zoë Παπαδοπούλου-Müller", "50.00 EUR", inv.Number, "24.36 EUR", "Riverside Clinic"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	copyText := pdfToText(t, cp)
	if strings.Contains(text, "COPY") || !strings.Contains(copyText, "COPY") {
		t.Fatalf("COPY mark: original %v, copy %v", strings.Contains(text, "COPY"), strings.Contains(copyText, "COPY"))
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "COPY", "")), " ") }
	if norm(text) != norm(copyText) {
		t.Fatalf("copy differs from the original:\n%s\n---\n%s", text, copyText)
	}
	// A patient prints their own receipt and invoice, never another's.
	own := b.issuedFor(t, b.users[app.RolePatient].PatientID)
	op, err := b.svc.Billing.TakePayment(b.billing(), pay(own.ID, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.ReceiptPDF(b.ctx(app.RolePatient), op.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.InvoicePDF(b.ctx(app.RolePatient), own.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.ReceiptPDF(b.ctx(app.RolePatient), p.ID, false); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("patient printed another's receipt: %v", err)
	}
	before := auditCount(t, b.db)
	invPDF, err := b.svc.Billing.InvoicePDF(b.billing(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := lastAudit(t, b.clinic); auditCount(t, b.db) != before+1 || a.Action != "invoice.print" || a.EntityID != inv.ID ||
		a.PatientID != inv.PatientID || !strings.Contains(a.Detail, inv.Number) {
		t.Errorf("the print is not audited: %+v", a)
	}
	if it := pdfToText(t, invPDF); !strings.Contains(it, inv.Number) || !strings.Contains(it, "74.36") || !strings.Contains(it, "Παπαδοπούλου") {
		t.Errorf("invoice text:\n%s", it)
	}
}

func (b *billingClinic) issuedFor(tb testing.TB, patientID string) *app.Invoice {
	tb.Helper()
	inv, err := b.svc.Billing.CreateDraftInvoice(b.billing(), app.DraftInvoice{PatientID: patientID,
		Lines: []app.LineInput{{PriceItemID: b.consult.ID, Quantity: 1}}})
	if err != nil {
		tb.Fatal(err)
	}
	if inv, err = b.svc.Billing.IssueInvoice(b.billing(), inv.ID); err != nil {
		tb.Fatal(err)
	}
	return inv
}

func TestBillingPermissions(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	own := b.issuedFor(t, b.users[app.RolePatient].PatientID)
	// Reception takes a payment but cannot void.
	if _, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), pay(inv.ID, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.VoidInvoice(b.ctx(app.RoleReception), inv.ID, "mistake"); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("reception voided: %v", err)
	}
	// A patient sees only their own bills.
	pc := b.ctx(app.RolePatient)
	list, err := b.svc.Billing.FindInvoices(pc, app.InvoiceFilter{})
	if err != nil || len(list) != 1 || list[0].ID != own.ID {
		t.Fatalf("patient's list %+v %v", list, err)
	}
	if _, err := b.svc.Billing.FindInvoices(pc, app.InvoiceFilter{PatientID: b.patientID}); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("patient listed another's invoices: %v", err)
	}
	if _, err := b.svc.Billing.FindInvoice(pc, inv.ID); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("patient read another's invoice: %v", err)
	}
	if _, err := b.svc.Billing.PatientStatement(pc, b.patientID); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("patient read another's statement: %v", err)
	}
	if st, err := b.svc.Billing.PatientStatement(pc, b.users[app.RolePatient].PatientID); err != nil || st.Balance != 4000 {
		t.Fatalf("own statement %+v %v", st, err)
	}
	for _, r := range []app.Role{app.RoleDoctor, app.RoleNurse} {
		if _, err := b.svc.Billing.FindInvoice(b.ctx(r), inv.ID); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("%s read an invoice: %v", r, err)
		}
	}
}

func TestDraftForAppointment(t *testing.T) {
	b := mustBilling(t)
	admin := b.ctx(app.RoleAdmin)
	doc := b.users[app.RoleDoctor].ID
	if _, err := b.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS-DR1", Name: "Consultation, Staff doctor",
		Kind: app.PriceConsultation, Price: 6000, DoctorID: doc}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Appointments.SetAvailability(admin, doc, []app.Availability{{Weekday: 3, Start: "08:00", End: "18:00", SlotMinutes: 15}}); err != nil {
		t.Fatal(err)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, athens)
	a, err := b.svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: b.patientID, DoctorID: doc, Start: start, Reason: "Cough"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.DraftForAppointment(b.billing(), a.ID); code(err) != app.ECONFLICT {
		t.Fatalf("draft for a visit not completed: %v", err)
	}
	if _, err := b.svc.Appointments.CheckIn(admin, a.ID); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(4 * time.Hour)
	if _, err := b.svc.Appointments.Complete(b.ctx(app.RoleDoctor), a.ID); err != nil {
		t.Fatal(err)
	}
	d, err := b.svc.Billing.DraftForAppointment(b.billing(), a.ID)
	if err != nil || d.Status != app.InvoiceDraft || len(d.Lines) != 1 || d.Lines[0].Code != "CONS-DR1" || d.Totals.Total != 6000 || d.AppointmentID != a.ID {
		t.Fatalf("%+v %v", d, err)
	}
	again, err := b.svc.Billing.DraftForAppointment(b.billing(), a.ID)
	if err != nil || again.ID != d.ID {
		t.Fatalf("second draft for the same visit: %+v %v", again, err)
	}
}

// TestDemoBilling: the demo has invoices in every state, numbered without
// gaps per year, each status agreeing with the computed balance, and the
// demo patient sees bills of their own.
func TestDemoBilling(t *testing.T) {
	db := sharedDemo(t, nil)
	raw := rawDB(t, db)
	for _, st := range []app.InvoiceStatus{app.InvoiceIssued, app.InvoicePartiallyPaid, app.InvoicePaid, app.InvoiceVoid} {
		var n int
		raw.QueryRow(`SELECT count(*) FROM invoices WHERE status = ?`, st).Scan(&n)
		if n == 0 {
			t.Errorf("no %s invoices", st)
		}
	}
	var refunds, wrong, gaps int
	raw.QueryRow(`SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL`).Scan(&refunds)
	// The derived status agrees with the balance computed from the rows.
	raw.QueryRow(`SELECT count(*) FROM (SELECT i.status, (SELECT coalesce(sum(total), 0) FROM invoice_lines WHERE invoice_id = i.id) AS total,
		(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id
			AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)) AS paid FROM invoices i) WHERE
		(status = 'paid' AND paid <> total) OR (status = 'issued' AND paid <> 0) OR (status = 'partially_paid' AND (paid = 0 OR paid >= total))
		OR (status = 'void' AND paid <> 0)`).Scan(&wrong)
	raw.QueryRow(`SELECT count(*) FROM (SELECT substr(number, 1, 11) AS y, count(*) AS n, max(cast(substr(number, 13) AS INTEGER)) AS m
		FROM invoices WHERE number IS NOT NULL GROUP BY y) WHERE n <> m`).Scan(&gaps)
	if refunds == 0 || wrong != 0 || gaps != 0 {
		t.Fatalf("refunds %d, statuses disagreeing %d, invoice series with gaps %d", refunds, wrong, gaps)
	}
	// Some invoices have an invoice discount, shared exactly over their
	// lines: the shares add up to the amount or to the rate of the net.
	var rated, amounted, unshared int
	raw.QueryRow(`SELECT count(*) FILTER (WHERE discount_rate > 0), count(*) FILTER (WHERE discount_amount > 0)
		FROM invoices`).Scan(&rated, &amounted)
	raw.QueryRow(`SELECT count(*) FROM invoices i WHERE (discount_rate > 0 OR discount_amount > 0)
		AND (SELECT sum(invoice_discount) FROM invoice_lines l WHERE l.invoice_id = i.id) IS NOT
			iif(i.discount_amount > 0, i.discount_amount, (SELECT (sum(l.gross - l.discount + l.invoice_discount) * i.discount_rate + 5000) / 10000
				FROM invoice_lines l WHERE l.invoice_id = i.id))`).Scan(&unshared)
	if rated == 0 || amounted == 0 || unshared != 0 {
		t.Fatalf("invoices with a discount rate %d, amount %d, not shared out exactly %d", rated, amounted, unshared)
	}
	svc := db.Services()
	s, err := svc.Users.Login(anon, "patient", "demo patient password")
	if err != nil {
		t.Fatal(err)
	}
	own, err := svc.Billing.FindInvoices(app.NewContextWithCaller(context.Background(), s.Caller()), app.InvoiceFilter{})
	if err != nil || len(own) < 3 {
		t.Fatalf("demo patient's invoices: %d %v", len(own), err)
	}
	if rep, err := db.Verify(anon); err != nil || !rep.OK() {
		t.Fatalf("demo database does not verify: %v %+v", err, rep)
	}
	demoConsultationFees(t, db)
}

// TestBillingQueryPlans: the hot billing lists walk an index in the order
// they return; no scan of a big table, no temporary B-tree.
func TestBillingQueryPlans(t *testing.T) {
	db := sharedDemo(t, nil)
	for name, q := range data.BillingPlanQueries() {
		plan := queryPlan(t, db, q)
		text := strings.Join(plan, "; ")
		// A walk of an index in the order returned ("SCAN i USING INDEX
		// invoices_created" under a LIMIT) is a page, not a scan. The
		// outstanding totals walk the whole partial index of unpaid
		// invoices, by design, and then their own materialized list.
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") && !strings.HasPrefix(step, "SCAN i USING INDEX") && step != "SCAN open_invoices" {
				t.Errorf("%s: plan scans a table: %s", name, text)
			}
		}
		if strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: plan sorts: %s", name, text)
		}
		t.Logf("%s: %s", name, text)
	}
}

// TestInvoiceDiscount: a draft's invoice discount, as an amount or a rate,
// shared over the lines before their tax and shared again on every change
// to the draft; refused with a message when it cannot be; frozen with the
// invoice when it is issued, even against SQL.
func TestInvoiceDiscount(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	svc := b.svc.Billing
	// The lines of TestInvoiceTotals: 59.97 at 24 %, 36.00 (40.00 less
	// 10 %) at 0 % and 20.00 (25.00 less 5.00) at 13 %, 115.97 of net.
	d, err := svc.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: []app.LineInput{
		{PriceItemID: b.lab.ID, Quantity: 3},
		{PriceItemID: b.consult.ID, Quantity: 1, DiscountRate: 1000},
		{Description: "Dressing", Quantity: 2, UnitPrice: 1250, DiscountAmount: 500, TaxRate: 1300}}})
	if err != nil {
		t.Fatal(err)
	}
	shares := func(inv *app.Invoice) []app.Money {
		var out []app.Money
		for _, l := range inv.Lines {
			out = append(out, l.InvoiceDiscount)
		}
		return out
	}

	t.Run("Amount", func(t *testing.T) {
		// 10.00 off 115.97: 5.1711…, 3.1042… and 1.7245… → 5.17, 3.10
		// and 1.73 (the largest remainder takes the cent). Tax 24 % of
		// 54.80 = 13.152 → 13.15; 13 % of 18.27 = 2.3751 → 2.38.
		inv, err := svc.SetInvoiceDiscount(ctx, d.ID, 0, 1000, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := app.InvoiceTotals{Gross: 12497, Discount: 900, InvoiceDiscount: 1000, Net: 10597, Tax: 1315 + 238, Total: 12150}
		if inv.Totals != want || inv.DiscountAmount != 1000 || inv.DiscountRate != 0 {
			t.Fatalf("totals %+v (%d, %d), want %+v", inv.Totals, inv.DiscountRate, inv.DiscountAmount, want)
		}
		if s := shares(inv); fmt.Sprint(s) != "[517 310 173]" {
			t.Fatalf("shares %v", s)
		}
		if l := inv.Lines[1]; l.Discount != 400 || l.Net != 3290 || l.Tax != 0 || l.Total != 3290 {
			t.Fatalf("line 2 %+v", l)
		}
		// Read back as the lists read it, the totals agree.
		list, err := svc.FindInvoices(ctx, app.InvoiceFilter{PatientID: b.patientID})
		if err != nil || len(list) != 1 || list[0].Totals != want || list[0].DiscountAmount != 1000 {
			t.Fatalf("listed %+v %v", list, err)
		}
		var detail string
		if err := rawDB(t, b.db).QueryRow(`SELECT detail FROM audit_log WHERE action = 'invoice.discount'
			AND entity_id = ? AND outcome = 'ok' ORDER BY seq DESC LIMIT 1`, d.ID).Scan(&detail); err != nil ||
			detail != "invoice discount 10.00 EUR" {
			t.Fatalf("audit %q %v", detail, err)
		}
	})

	t.Run("SharedAgainOnEveryChange", func(t *testing.T) {
		inv, err := svc.AddLine(ctx, d.ID, app.LineInput{Description: "Gauze", Quantity: 1, UnitPrice: 403, TaxRate: 600})
		if err != nil {
			t.Fatal(err)
		}
		// 120.00 of net now: 10.00 off it is 1/12 of each line.
		if s := shares(inv); fmt.Sprint(s) != "[500 300 167 33]" || inv.Totals.InvoiceDiscount != 1000 {
			t.Fatalf("after adding: shares %v, totals %+v", s, inv.Totals)
		}
		inv, err = svc.UpdateLine(ctx, inv.Lines[3].ID, app.LineInput{Description: "Gauze", Quantity: 1, UnitPrice: 403,
			DiscountAmount: 403, TaxRate: 600})
		if err != nil {
			t.Fatal(err)
		}
		if s := shares(inv); fmt.Sprint(s) != "[517 310 173 0]" || inv.Lines[3].Total != 0 {
			t.Fatalf("after a 100 %% line discount: shares %v, %+v", s, inv.Lines[3])
		}
		if inv, err = svc.RemoveLine(ctx, inv.Lines[3].ID); err != nil || fmt.Sprint(shares(inv)) != "[517 310 173]" {
			t.Fatalf("after removing: %v %v", shares(inv), err)
		}
	})

	t.Run("Rate", func(t *testing.T) {
		// 10 % of 115.97 = 11.597 → 11.60, rounded once for the invoice.
		inv, err := svc.SetInvoiceDiscount(ctx, d.ID, 1000, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Totals.InvoiceDiscount != 1160 || inv.DiscountRate != 1000 || inv.DiscountAmount != 0 ||
			fmt.Sprint(shares(inv)) != "[600 360 200]" {
			t.Fatalf("rate: %+v %v", inv.Totals, shares(inv))
		}
		// A rate follows the lines: removing the consultation leaves
		// 79.97, of which 10 % is 7.997 → 8.00.
		if inv, err = svc.RemoveLine(ctx, inv.Lines[1].ID); err != nil {
			t.Fatal(err)
		}
		if inv.Totals.InvoiceDiscount != 800 || fmt.Sprint(shares(inv)) != "[600 200]" {
			t.Fatalf("after removing: %+v %v", inv.Totals, shares(inv))
		}
		if inv, err = svc.AddLine(ctx, d.ID, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1, DiscountRate: 1000}); err != nil {
			t.Fatal(err)
		}
		if inv.Totals.InvoiceDiscount != 1160 {
			t.Fatalf("after adding back: %+v", inv.Totals)
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		before := snapshot(t, b.db)
		for _, c := range []struct {
			name   string
			rate   app.BasisPoints
			amount app.Money
		}{
			{"ErrNegativeRate", -1, 0}, {"ErrNegativeAmount", 0, -5}, {"ErrRateAbove100", 10001, 0},
			{"ErrBoth", 500, 100}, {"ErrAboveNet", 0, 11598},
		} {
			if _, err := svc.SetInvoiceDiscount(ctx, d.ID, c.rate, c.amount, nil); app.ErrorField(err) != "invoice_discount" {
				t.Errorf("%s: want a field error on invoice_discount, got %v", c.name, err)
			}
		}
		if _, err := svc.SetInvoiceDiscount(b.ctx(app.RoleReception), d.ID, 0, 0, nil); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("reception set a discount: %v", err)
		}
		if snapshot(t, b.db) != before {
			t.Fatal("a refused discount was saved")
		}
		// 50.00 off: removing the lab line leaves 56.00 of net, which
		// carries it; removing the consultation too would leave 20.00.
		if _, err := svc.SetInvoiceDiscount(ctx, d.ID, 0, 5000, nil); err != nil {
			t.Fatal(err)
		}
		inv, err := svc.RemoveLine(ctx, d.Lines[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		mid := snapshot(t, b.db)
		if _, err := svc.RemoveLine(ctx, inv.Lines[0].ID); app.ErrorField(err) != "invoice_discount" ||
			!strings.Contains(app.ErrorMessage(err), "50.00 EUR") {
			t.Fatalf("removing a line under the discount: %v", err)
		}
		if snapshot(t, b.db) != mid {
			t.Fatal("a refused change was saved")
		}
		// Back to the three lines, without a discount.
		if _, err := svc.SetInvoiceDiscount(ctx, d.ID, 0, 0, nil); err != nil {
			t.Fatal(err)
		}
		if inv, err = svc.AddLine(ctx, d.ID, app.LineInput{PriceItemID: b.lab.ID, Quantity: 3}); err != nil ||
			inv.Totals.InvoiceDiscount != 0 || inv.Totals.Total != 7436+3600+2260 {
			t.Fatalf("without a discount: %+v %v", inv.Totals, err)
		}
	})

	t.Run("IssuedIsFrozen", func(t *testing.T) {
		if _, err := svc.SetInvoiceDiscount(ctx, d.ID, 0, 1000, nil); err != nil {
			t.Fatal(err)
		}
		issued, err := svc.IssueInvoice(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if issued.Totals.InvoiceDiscount != 1000 || issued.Balance != issued.Totals.Total {
			t.Fatalf("issued %+v", issued.Totals)
		}
		if _, err := svc.SetInvoiceDiscount(ctx, d.ID, 0, 500, nil); code(err) != app.ECONFLICT {
			t.Fatalf("discount changed on an issued invoice: %v", err)
		}
		raw := rawDB(t, b.db)
		before := snapshot(t, b.db)
		for _, stmt := range []string{
			`UPDATE invoices SET discount_amount = 0 WHERE id = '` + d.ID + `'`,
			`UPDATE invoices SET discount_amount = 0, discount_rate = 1000 WHERE id = '` + d.ID + `'`,
			`UPDATE invoice_lines SET invoice_discount = 0, discount = discount - invoice_discount,
				net = net + invoice_discount, total = total + invoice_discount WHERE invoice_id = '` + d.ID + `'`,
		} {
			if _, err := raw.Exec(stmt); err == nil {
				t.Errorf("allowed: %s", stmt)
			}
		}
		if snapshot(t, b.db) != before {
			t.Fatal("raw SQL changed an issued invoice's discount")
		}
		again, err := svc.FindInvoice(ctx, d.ID)
		if err != nil || again.Totals != issued.Totals || fmt.Sprint(shares(again)) != fmt.Sprint(shares(issued)) {
			t.Fatalf("read back %+v %v", again, err)
		}
		if err := b.db.CheckDashboard(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The PDFs show it; the invoice prints the same every time.
		one, err := svc.InvoicePDF(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		two, _ := svc.InvoicePDF(ctx, d.ID)
		if !bytes.Equal(one, two) {
			t.Error("an issued invoice prints differently twice")
		}
		if text := pdfToText(t, one); !strings.Contains(text, "Invoice discount") || !strings.Contains(text, "-10.00") ||
			!strings.Contains(text, app.FormatAmount(issued.Totals.Total, 2)) {
			t.Errorf("invoice PDF:\n%s", text)
		}
		p, err := svc.TakePayment(ctx, pay(d.ID, issued.Totals.Total))
		if err != nil {
			t.Fatal(err)
		}
		receipt, err := svc.ReceiptPDF(ctx, p.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdfToText(t, receipt); !strings.Contains(text, "Invoice discount in "+issued.Number) ||
			!strings.Contains(text, "-10.00 EUR") {
			t.Errorf("receipt PDF:\n%s", text)
		}
	})

	t.Run("SQLChecks", func(t *testing.T) {
		draft, err := svc.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID,
			Lines: []app.LineInput{{Description: "x", Quantity: 1, UnitPrice: 500}}})
		if err != nil {
			t.Fatal(err)
		}
		raw := rawDB(t, b.db)
		for _, stmt := range []string{
			`UPDATE invoices SET discount_rate = 100, discount_amount = 100 WHERE id = '` + draft.ID + `'`,
			`UPDATE invoices SET discount_rate = 10001 WHERE id = '` + draft.ID + `'`,
			`UPDATE invoices SET discount_amount = -1 WHERE id = '` + draft.ID + `'`,
			`UPDATE invoice_lines SET invoice_discount = discount + 1 WHERE invoice_id = '` + draft.ID + `'`,
			`UPDATE invoice_lines SET invoice_discount = -1 WHERE invoice_id = '` + draft.ID + `'`,
		} {
			if _, err := raw.Exec(stmt); err == nil {
				t.Errorf("allowed: %s", stmt)
			}
		}
	})
}

// TestFindInvoicesKeepsPatientsApart: a patient account looking invoices up
// by number, status or page gets its own only, whatever number it tries.
func TestFindInvoicesKeepsPatientsApart(t *testing.T) {
	b := mustBilling(t)
	other := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	own := b.issuedFor(t, b.users[app.RolePatient].PatientID)
	pc := b.ctx(app.RolePatient)
	for name, f := range map[string]app.InvoiceFilter{
		"another's number":            {Number: other.Number},
		"another's number and status": {Number: other.Number, Status: app.InvoiceIssued},
		"status":                      {Status: app.InvoiceIssued},
		"page after another's":        {Before: other.ID},
	} {
		list, err := b.svc.Billing.FindInvoices(pc, f)
		if err != nil && code(err) != app.EUNAUTHORIZED {
			t.Fatalf("%s: %v", name, err)
		}
		for _, inv := range list {
			if inv.PatientID != own.PatientID {
				t.Errorf("%s: a patient got another patient's invoice %s", name, inv.Number)
			}
		}
	}
	if list, err := b.svc.Billing.FindInvoices(pc, app.InvoiceFilter{Number: own.Number}); err != nil || len(list) != 1 {
		t.Fatalf("own invoice by number: %v %v", list, err)
	}
}

// TestPatientSeesPriceList: a patient reads the price list in force (not
// its history, which is the clinic's).
func TestPatientSeesPriceList(t *testing.T) {
	b := mustBilling(t)
	items, err := b.svc.Billing.FindPriceItems(b.ctx(app.RolePatient), app.PriceFilter{})
	if err != nil || len(items) != 2 {
		t.Fatalf("patient's price list %v %v", items, err)
	}
}

// TestBillOpensAudited: opening another person's invoice, payment or
// statement writes an audit row naming it and the patient; a list writes
// none for its rows, and a patient opening their own bill is not another
// person's read.
func TestBillOpensAudited(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	p, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		action, entity, id string
		open               func() error
	}{
		{"invoice.view", "invoices", inv.ID, func() error { _, err := b.svc.Billing.FindInvoice(b.billing(), inv.ID); return err }},
		{"payment.view", "payments", p.ID, func() error { _, err := b.svc.Billing.FindPayment(b.ctx(app.RoleReception), p.ID); return err }},
		{"billing.statement", "patients", b.patientID, func() error {
			_, err := b.svc.Billing.PatientStatement(b.ctx(app.RoleAdmin), b.patientID)
			return err
		}},
	} {
		before := auditCount(t, b.db)
		if err := tc.open(); err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		if n := auditCount(t, b.db) - before; n != 1 {
			t.Fatalf("%s wrote %d audit rows, want 1", tc.action, n)
		}
		e := lastAudit(t, b.clinic)
		if e.Action != tc.action || e.Entity != tc.entity || e.EntityID != tc.id || e.PatientID != b.patientID ||
			e.Outcome != app.OutcomeOK {
			t.Errorf("%s: audit row %+v", tc.action, e)
		}
	}
	before := auditCount(t, b.db)
	if list, err := b.svc.Billing.FindInvoices(b.billing(), app.InvoiceFilter{}); err != nil || len(list) == 0 {
		t.Fatalf("list %v %v", list, err)
	}
	if n := auditCount(t, b.db) - before; n != 0 {
		t.Errorf("a list wrote %d audit rows", n)
	}
	own := b.issuedFor(t, b.users[app.RolePatient].PatientID)
	before = auditCount(t, b.db)
	if _, err := b.svc.Billing.FindInvoice(b.ctx(app.RolePatient), own.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.PatientStatement(b.ctx(app.RolePatient), own.PatientID); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, b.db) - before; n != 0 {
		t.Errorf("a patient's reads of their own bills wrote %d audit rows", n)
	}
}

// TestReceiptPDFWithEmoji: a name with an emoji prints, the emoji as a
// replacement character.
func TestReceiptPDFWithEmoji(t *testing.T) {
	b := mustBilling(t)
	p, err := b.svc.Patients.CreatePatient(b.ctx(app.RoleAdmin), app.PatientCreate{GivenName: "Ngozi 🌻", FamilyName: "Okafor 王",
		Sex: app.SexFemale, BirthDate: "1980-03-04"})
	if err != nil {
		t.Fatal(err)
	}
	inv := b.issuedFor(t, p.ID)
	pay, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	for name, render := range map[string]func() ([]byte, error){
		"receipt":   func() ([]byte, error) { return b.svc.Billing.ReceiptPDF(b.billing(), pay.ID, false) },
		"invoice":   func() ([]byte, error) { return b.svc.Billing.InvoicePDF(b.billing(), inv.ID) },
		"statement": func() ([]byte, error) { return b.svc.Billing.StatementPDF(b.billing(), p.ID) },
	} {
		doc, err := render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if text := pdfToText(t, doc); !strings.Contains(text, "Ngozi \uFFFD") {
			t.Errorf("%s text:\n%s", name, text)
		}
	}
}
