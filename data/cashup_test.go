package data_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// fieldOf is the field an *app.Error names.
func fieldOf(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func paymentIDs(ps []*app.Payment) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestDeskCashUp counts a desk's day, shows the variance, closes it (a CU
// number, frozen), lists a payment that reaches the closed day afterwards
// as late there and counts it in the next day closed, and reopens the day
// as an administrator with a reason.
func TestDeskCashUp(t *testing.T) {
	b := mustBilling(t)
	const day = "2026-11-25"
	a := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 2})
	cash := func(amount app.Money) app.PaymentInput {
		return app.PaymentInput{Method: app.PayCash, Amount: amount, Tendered: amount,
			Allocations: []app.Allocation{{InvoiceID: a.ID, Amount: amount}}}
	}
	p1, err := b.svc.Billing.TakePayment(b.billing(), cash(3000))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := b.svc.Billing.TakePayment(b.billing(), pay(a.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	cu, err := b.svc.Billing.DeskCashUp(b.billing(), "", day)
	if err != nil {
		t.Fatal(err)
	}
	if cu.Desk != "D1" || cu.Status != app.CashUpOpen || cu.CashNet != 3000 || cu.Card != 1000 || cu.Other != 0 ||
		!slices.Equal(paymentIDs(cu.Payments), []string{p1.ID, p2.ID}) {
		t.Fatalf("open day: %+v", cu)
	}
	if len(cu.Counts) != len(app.DefaultDenominations("EUR")) || cu.Counts[0].Denomination != 50000 {
		t.Errorf("counts offered: %+v", cu.Counts)
	}

	// Bad input: the message names the field, and nothing is saved.
	in := app.CashUpInput{Day: day, OpeningFloat: 10000, Note: "till 1",
		Counts: []app.CashCount{{Denomination: 5000, Count: 2}, {Denomination: 2000, Count: 1}, {Denomination: 500, Count: 1}}}
	bad := in
	bad.Counts = []app.CashCount{{Denomination: 300, Count: 1}}
	if _, err := b.svc.Billing.SaveCashUp(b.billing(), bad); code(err) != app.EINVALID || fieldOf(err) != "count_300" {
		t.Errorf("a 3.00 note: %v", err)
	}
	bad = in
	bad.OpeningFloat = -1
	if _, err := b.svc.Billing.SaveCashUp(b.billing(), bad); fieldOf(err) != "float" {
		t.Errorf("a negative float: %v", err)
	}
	bad = in
	bad.Counts = []app.CashCount{{Denomination: 5000, Count: -2}}
	if _, err := b.svc.Billing.SaveCashUp(b.billing(), bad); fieldOf(err) != "count_5000" {
		t.Errorf("a negative count: %v", err)
	}
	if cu, _ := b.svc.Billing.DeskCashUp(b.billing(), "", day); cu.ID != "" {
		t.Errorf("refused input saved: %+v", cu)
	}
	for _, r := range []app.Role{app.RoleReception, app.RoleDoctor, app.RoleNurse, app.RolePatient} {
		if _, err := b.svc.Billing.SaveCashUp(b.ctx(r), in); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s saved a cash-up: %v", r, err)
		}
		if _, err := b.svc.Billing.DeskCashUp(b.ctx(r), "", day); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s read a cash-up: %v", r, err)
		}
	}

	cu, err = b.svc.Billing.SaveCashUp(b.billing(), in)
	if err != nil {
		t.Fatal(err)
	}
	// 100.00 float + 30.00 cash expected; 100 + 20 + 5 = 125.00 counted.
	if cu.ExpectedCash != 13000 || cu.Counted != 12500 || cu.Variance != -500 || cu.Note != "till 1" {
		t.Errorf("saved: expected %d counted %d variance %d", cu.ExpectedCash, cu.Counted, cu.Variance)
	}

	b.clock.Add(8 * time.Hour) // 19:00 in Athens
	closed, err := b.svc.Billing.CloseCashUp(b.billing(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^CU-D1-2026-\d{6}$`).MatchString(closed.Number) || closed.Status != app.CashUpClosed ||
		closed.Variance != -500 || closed.ClosedByName != b.users[app.RoleBilling].FullName || len(closed.Late) != 0 {
		t.Fatalf("closed: %+v", closed)
	}
	if _, err := b.svc.Billing.SaveCashUp(b.billing(), in); code(err) != app.ECONFLICT {
		t.Errorf("saving a closed day: %v", err)
	}
	if rows := auditRows(t, b.clinic, "cashup.close"); len(rows) != 1 || !strings.Contains(rows[0], closed.Number) ||
		!strings.Contains(rows[0], "variance -5.00") {
		t.Errorf("close audit: %q", rows)
	}

	// A payment of the closed day that reaches the desk after the close (an
	// offline desk's, after sync; here taken with the clock set back).
	b.clock.Add(-6 * time.Hour)
	late, err := b.svc.Billing.TakePayment(b.billing(), cash(700))
	if err != nil {
		t.Fatal(err)
	}
	b.clock.Add(24 * time.Hour) // the next day
	again, err := b.svc.Billing.DeskCashUp(b.billing(), "", day)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paymentIDs(again.Late), []string{late.ID}) || again.ExpectedCash != 13000 || again.Variance != -500 ||
		len(again.Payments) != 2 {
		t.Errorf("the closed day after a late payment: late %v expected %d", paymentIDs(again.Late), again.ExpectedCash)
	}
	next, err := b.svc.Billing.DeskCashUp(b.billing(), "", "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paymentIDs(next.CarriedIn), []string{late.ID}) || next.CashNet != 700 || len(next.Payments) != 0 {
		t.Errorf("the next open day: carried %v cash %d", paymentIDs(next.CarriedIn), next.CashNet)
	}
	if _, err := b.svc.Billing.CloseCashUp(b.billing(), app.CashUpInput{Day: "2026-11-26", Counts: []app.CashCount{{Denomination: 500, Count: 1}, {Denomination: 200, Count: 1}}}); err != nil {
		t.Fatal(err)
	}
	if later, _ := b.svc.Billing.DeskCashUp(b.billing(), "", "2026-11-27"); len(later.CarriedIn) != 0 {
		t.Errorf("a late payment counted twice: %v", paymentIDs(later.CarriedIn))
	}
	if again, _ := b.svc.Billing.DeskCashUp(b.billing(), "", day); len(again.Late) != 1 {
		t.Errorf("the late payment no longer listed on its day: %+v", again.Late)
	}

	// The PDF and the number.
	found, err := b.svc.Billing.FindCashUp(b.billing(), closed.Number)
	if err != nil || found.Day != day {
		t.Fatalf("find %s: %v %+v", closed.Number, err, found)
	}
	out, err := b.svc.Billing.DeskCashUpPDF(b.billing(), "", day)
	if err != nil {
		t.Fatal(err)
	}
	hasAll(t, "cash-up PDF", pdfToText(t, out), closed.Number, "Desk D1", `~Expected cash\s+130\.00`, `~Counted cash\s+125\.00`,
		`~Variance EUR\s+-5\.00 \(short\)`, `~Card\s+10\.00`, p1.ReceiptNumber, late.ReceiptNumber, "Late", "till 1")

	// Reopening: an administrator's, with a reason.
	if _, err := b.svc.Billing.ReopenCashUp(b.billing(), "", day, "miscount"); code(err) != app.EUNAUTHORIZED {
		t.Errorf("billing reopened a day: %v", err)
	}
	if _, err := b.svc.Billing.ReopenCashUp(b.ctx(app.RoleAdmin), "", day, " "); fieldOf(err) != "reason" {
		t.Errorf("reopened without a reason: %v", err)
	}
	open, err := b.svc.Billing.ReopenCashUp(b.ctx(app.RoleAdmin), "", day, "a 5.00 note found under the drawer")
	if err != nil {
		t.Fatal(err)
	}
	if open.Status != app.CashUpOpen || open.Number != closed.Number || open.ReopenReason == "" {
		t.Errorf("reopened: %+v", open)
	}
	// The late payment stays counted by the day that counted it.
	if len(open.Payments) != 2 || open.CashNet != 3000 {
		t.Errorf("reopened day counts the late payment again: %v", paymentIDs(open.Payments))
	}
	if rows := auditRows(t, b.clinic, "cashup.reopen"); len(rows) != 2 || !strings.HasPrefix(rows[0], "denied billing") ||
		!strings.HasPrefix(rows[1], "ok admin") || !strings.Contains(rows[1], "under the drawer") {
		t.Errorf("reopen audit: %q", rows)
	}
	reclosed, err := b.svc.Billing.CloseCashUp(b.billing(), in)
	if err != nil || reclosed.Number != closed.Number {
		t.Errorf("closed again: %v %+v", err, reclosed)
	}
}

// TestCashUpDenominationsSetting: the clinic's own notes and coins replace
// the currency's in the count, and a count of another is refused.
func TestCashUpDenominationsSetting(t *testing.T) {
	b := mustBilling(t)
	admin := b.ctx(app.RoleAdmin)
	st, err := b.svc.Settings.GetSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	st.CashDenominations = []app.Money{5000, 1000, 100}
	if _, err := b.svc.Settings.UpdateSettings(admin, *st, nil); err != nil {
		t.Fatal(err)
	}
	cu, err := b.svc.Billing.DeskCashUp(b.billing(), "", "2026-11-25")
	if err != nil {
		t.Fatal(err)
	}
	var dens []app.Money
	for _, c := range cu.Counts {
		dens = append(dens, c.Denomination)
	}
	if !slices.Equal(dens, []app.Money{5000, 1000, 100}) {
		t.Errorf("denominations %v", dens)
	}
	_, err = b.svc.Billing.SaveCashUp(b.billing(), app.CashUpInput{Day: "2026-11-25",
		Counts: []app.CashCount{{Denomination: 2000, Count: 1}}})
	if fieldOf(err) != "count_2000" {
		t.Errorf("a 20.00 note the clinic does not list: %v", err)
	}
	if rows := auditRows(t, b.clinic, "settings.update"); len(rows) != 1 || !strings.Contains(rows[0], "cash_denominations") {
		t.Errorf("settings audit %q", rows)
	}
}

// TestCashUpDesks lists this desk first, then the other desks whose
// payments or cash-ups reached it (here desk D2's and D10's receipts, and
// a cash-up of D7's), once each and in order, and the cash-up of another
// desk reads only that desk's payments. Only billing staff and
// administrators see the list.
func TestCashUpDesks(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	a := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 5})
	desks, err := b.svc.Billing.CashUpDesks(ctx)
	if err != nil || !slices.Equal(desks, []string{"D1"}) {
		t.Fatalf("a desk with no payments: %v %v", desks, err)
	}
	take := func(desk string) *app.Payment {
		t.Helper()
		if err := b.db.SetDeskCode(ctx, desk); err != nil {
			t.Fatal(err)
		}
		p, err := b.svc.Billing.TakePayment(ctx, pay(a.ID, 500))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	take("D2")
	own := take("D1")
	d10 := take("D10")
	take("D2")
	if err := b.db.SetDeskCode(ctx, "D1"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d10.ReceiptNumber, "R-D10-") {
		t.Fatalf("receipt %s", d10.ReceiptNumber)
	}
	if _, err := b.svc.Billing.SaveCashUp(ctx, app.CashUpInput{Desk: "D7", Day: "2026-11-25", OpeningFloat: 2000}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.SaveCashUp(ctx, app.CashUpInput{Desk: "*", Day: "2026-11-25", OpeningFloat: 2000}); err != nil {
		t.Fatal(err)
	}
	desks, err = b.svc.Billing.CashUpDesks(ctx)
	if err != nil || !slices.Equal(desks, []string{"D1", "D10", "D2", "D7"}) {
		t.Errorf("desks %v %v", desks, err)
	}
	cu, err := b.svc.Billing.DeskCashUp(ctx, "D10", "2026-11-25")
	if err != nil || cu.Desk != "D10" || !slices.Equal(paymentIDs(cu.Payments), []string{d10.ID}) {
		t.Errorf("desk D10's day: %v %+v", err, cu)
	}
	if mine, _ := b.svc.Billing.DeskCashUp(ctx, "", "2026-11-25"); !slices.Equal(paymentIDs(mine.Payments), []string{own.ID}) {
		t.Errorf("this desk's day: %v", paymentIDs(mine.Payments))
	}
	for _, r := range []app.Role{app.RoleReception, app.RoleDoctor, app.RoleNurse, app.RolePatient} {
		if _, err := b.svc.Billing.CashUpDesks(b.ctx(r)); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s listed the desks: %v", r, err)
		}
	}
	if rows := auditRows(t, b.clinic, "cashup.view"); len(rows) != 4 || !strings.HasPrefix(rows[0], "denied reception") {
		t.Errorf("refusals audited: %q", rows)
	}
}

// TestCashUpLateLookback: a late payment is carried into open days up to
// 366 days after its own day, and not into a later one (a desk offline
// for more than a year: README says to count it by hand); its own closed
// day lists it as late however late it arrived.
func TestCashUpLateLookback(t *testing.T) {
	b := mustBilling(t)
	const day = "2026-11-25"
	a := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	b.clock.Add(8 * time.Hour)
	if _, err := b.svc.Billing.CloseCashUp(b.billing(), app.CashUpInput{Day: day}); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(-6 * time.Hour) // the day's payment reaches the desk after the close
	late, err := b.svc.Billing.TakePayment(b.billing(), pay(a.ID, 1500))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day     string
		carried bool
	}{{"2026-11-26", true}, {"2027-11-26", true}, {"2027-11-27", false}} {
		cu, err := b.svc.Billing.DeskCashUp(b.billing(), "", c.day)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Equal(paymentIDs(cu.CarriedIn), []string{late.ID}); got != c.carried {
			t.Errorf("%s carries the late payment of %s: %v, want %v", c.day, day, got, c.carried)
		}
	}
	own, err := b.svc.Billing.DeskCashUp(b.billing(), "", day)
	if err != nil || !slices.Equal(paymentIDs(own.Late), []string{late.ID}) {
		t.Errorf("its own day: %v %+v", err, own)
	}
}
