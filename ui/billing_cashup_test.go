package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// cashUpDay is an open day of desk D1: a cash payment of 30.00 and a card
// payment of 10.00, counted with EUR notes and coins.
func cashUpDay(day string) *app.DeskCashUp {
	taken := time.Date(2026, 3, 2, 8, 15, 0, 0, time.UTC)
	var counts []app.CashCount
	for _, d := range app.DefaultDenominations("EUR") {
		counts = append(counts, app.CashCount{Denomination: d})
	}
	return &app.DeskCashUp{Desk: "D1", Day: day, Currency: "EUR", Status: app.CashUpOpen, Counts: counts,
		CashNet: 3000, Card: 1000, ExpectedCash: 3000, Variance: -3000,
		Payments: []*app.Payment{
			{ID: "pay-1", ReceiptNumber: "R-D1-2026-000001", Method: app.PayCash, Amount: 3000, Currency: "EUR", TakenAt: taken,
				PatientName: "Grace Hopper", CashierName: "Test Billing clerk"},
			{ID: "pay-2", ReceiptNumber: "R-D1-2026-000002", Method: app.PayCard, Amount: 1000, Currency: "EUR", TakenAt: taken},
		}}
}

// TestDeskCashUpCountVarianceClose: the clerk types the float and the
// count, sees the variance at once, a count that is not a number is
// refused next to its denomination, and Close day (after the question)
// closes the day with what was typed.
func TestDeskCashUpCountVarianceClose(t *testing.T) {
	d := newDeskHarness(t)
	var closedWith []app.CashUpInput
	d.billing.DeskCashUpFn = func(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
		d.record("DeskCashUp", ctx, desk+" "+day)
		return cashUpDay(day), nil
	}
	d.billing.CloseCashUpFn = func(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
		d.record("CloseCashUp", ctx, in)
		closedWith = append(closedWith, in)
		cu := cashUpDay(in.Day)
		cu.Status, cu.Number, cu.ClosedByName = app.CashUpClosed, "CU-D1-2026-000001", "Test Billing clerk"
		cu.ClosedAt = time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
		cu.OpeningFloat, cu.ExpectedCash, cu.Counts = in.OpeningFloat, in.OpeningFloat+cu.CashNet, in.Counts
		cu.Counted = app.CountedTotal(in.Counts)
		cu.Variance = cu.Counted - cu.ExpectedCash
		cu.Late = []*app.Payment{{ID: "pay-9", ReceiptNumber: "R-D2-2026-000007", Method: app.PayCash, Amount: 500,
			Currency: "EUR", TakenAt: cu.ClosedAt.Add(-time.Hour)}}
		return cu, nil
	}
	v := d.openBillingTab(app.RoleBilling, "Cash-up").deskCashUp
	d.waitFor("the day", func() bool { return v.cu != nil })
	if got := d.callsOf("DeskCashUp"); !slices.Equal(got, []any{" 2026-03-02"}) {
		t.Errorf("DeskCashUp calls = %v", got)
	}
	if len(v.counts) != 15 || !v.reopen.Hidden || len(v.rows) != 2 {
		t.Fatalf("%d counts, reopen hidden %v, %d rows", len(v.counts), v.reopen.Hidden, len(v.rows))
	}
	// 50.00 float; two 20.00 notes, one 10.00 note, three 0.50 coins: 51.50
	// counted against 80.00 expected.
	v.float.SetText("50.00")
	index := func(den app.Money) int {
		return slices.IndexFunc(v.cu.Counts, func(c app.CashCount) bool { return c.Denomination == den })
	}
	test.Type(v.counts[index(2000)], "2")
	test.Type(v.counts[index(1000)], "1")
	test.Type(v.counts[index(50)], "3")
	if v.counted.Text != "51.50" || v.expected.Text != "80.00" || v.variance.Text != "-28.50 short" {
		t.Errorf("counted %q expected %q variance %q", v.counted.Text, v.expected.Text, v.variance.Text)
	}
	if !d.shows("40.00") || !d.shows("R-D1-2026-000001") {
		t.Errorf("window: %q", d.texts())
	}

	test.Type(v.counts[index(500)], "x")
	test.Tap(v.closeDay)
	if msg := v.errs.text(app.CountField(500)); msg != "Enter how many, a whole number." {
		t.Errorf("a count of x: %q", msg)
	}
	if v.confirm != nil || d.called("CloseCashUp") != 0 {
		t.Fatal("closed with a count that is not a number")
	}
	v.counts[index(500)].SetText("")

	test.Tap(v.closeDay)
	d.tapButton("Close day")
	d.waitFor("the close", func() bool { return v.cu.Status == app.CashUpClosed })
	if len(closedWith) != 1 || closedWith[0].OpeningFloat != 5000 || app.CountedTotal(closedWith[0].Counts) != 5150 ||
		closedWith[0].Day != "2026-03-02" || closedWith[0].Desk != "" {
		t.Errorf("closed with %+v", closedWith)
	}
	if !strings.Contains(v.status.Text, "Closed: CU-D1-2026-000001 by Test Billing clerk") || !strings.Contains(v.status.Text, "1 late payment") {
		t.Errorf("status %q", v.status.Text)
	}
	if v.variance.Text != "-28.50 short" || !v.save.Disabled() || !v.closeDay.Disabled() || !v.float.Disabled() {
		t.Errorf("after the close: variance %q, save disabled %v", v.variance.Text, v.save.Disabled())
	}
	if len(v.rows) != 3 || v.rows[2].mark != "late" || !d.shows("late") {
		t.Errorf("late payment not listed: %+v", v.rows)
	}
}

// TestDeskCashUpReopenByAdmin: an administrator reopens a closed day with
// a reason; the reason is asked for.
func TestDeskCashUpReopenByAdmin(t *testing.T) {
	d := newDeskHarness(t)
	closed := true
	d.billing.DeskCashUpFn = func(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
		cu := cashUpDay(day)
		if closed {
			cu.Status, cu.Number, cu.ClosedByName = app.CashUpClosed, "CU-D1-2026-000004", "Test Billing clerk"
		}
		return cu, nil
	}
	d.billing.ReopenCashUpFn = func(ctx context.Context, desk, day, reason string) (*app.DeskCashUp, error) {
		d.record("ReopenCashUp", ctx, desk+" "+day+" "+reason)
		closed = false
		return cashUpDay(day), nil
	}
	v := d.openBillingTab(app.RoleAdmin, "Cash-up").deskCashUp
	d.waitFor("the closed day", func() bool { return v.cu != nil })
	if v.reopen.Hidden || v.reopen.Disabled() {
		t.Fatal("an administrator cannot reopen the closed day")
	}
	test.Tap(v.reopen)
	test.Tap(v.prompt.ok)
	if v.prompt.errs.text("reason") == "" || d.called("ReopenCashUp") != 0 {
		t.Fatal("reopened without a reason")
	}
	v.prompt.entry.SetText("miscounted the coins")
	test.Tap(v.prompt.ok)
	d.waitFor("the reopened day", func() bool { return v.cu.Status == app.CashUpOpen })
	if got := d.callsOf("ReopenCashUp"); !slices.Equal(got, []any{" 2026-03-02 miscounted the coins"}) {
		t.Errorf("ReopenCashUp calls = %v", got)
	}
}

// TestDeskCashUpOtherDesk: the desk select lists this desk, the other
// desks the service knows and all desks; choosing desk D2 shows, closes
// and prints D2's day, and the choice is kept when the day changes.
func TestDeskCashUpOtherDesk(t *testing.T) {
	d := newDeskHarness(t)
	d.billing.CashUpDesksFn = func(ctx context.Context) ([]string, error) {
		return []string{"D1", "D2", "D7"}, nil
	}
	d.billing.DeskCashUpFn = func(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
		d.record("DeskCashUp", ctx, desk+" "+day)
		cu := cashUpDay(day)
		if desk != "" {
			cu.Desk = desk
		}
		return cu, nil
	}
	d.billing.CloseCashUpFn = func(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
		d.record("CloseCashUp", ctx, in.Desk+" "+in.Day)
		cu := cashUpDay(in.Day)
		cu.Desk, cu.Status, cu.Number, cu.ClosedByName = in.Desk, app.CashUpClosed, "CU-D1-2026-000002", "Test Billing clerk"
		return cu, nil
	}
	d.billing.DeskCashUpPDFFn = func(ctx context.Context, desk, day string) ([]byte, error) {
		return d.printed(ctx, "DeskCashUpPDF", desk+" "+day)
	}
	v := d.openBillingTab(app.RoleBilling, "Cash-up").deskCashUp
	d.waitFor("the desks", func() bool { return len(v.desk.Options) == 4 })
	if want := []string{"This desk (D1)", "Desk D2", "Desk D7", "All desks"}; !slices.Equal(v.desk.Options, want) ||
		v.desk.Selected != "This desk (D1)" {
		t.Fatalf("desk options %q, chosen %q", v.desk.Options, v.desk.Selected)
	}
	v.desk.SetSelected("Desk D2")
	d.waitFor("desk D2's day", func() bool { return v.cu != nil && v.cu.Desk == "D2" })
	if !strings.HasPrefix(v.status.Text, "Desk D2 — 2026-03-02") {
		t.Errorf("status %q", v.status.Text)
	}
	test.Tap(v.nextDay)
	d.waitFor("the next day", func() bool { return v.cu.Day == "2026-03-03" })
	if v.desk.Selected != "Desk D2" {
		t.Errorf("the desk chosen became %q", v.desk.Selected)
	}
	test.Tap(v.closeDay)
	d.tapButton("Close day")
	d.waitFor("the close", func() bool { return v.cu.Status == app.CashUpClosed })
	test.Tap(v.print)
	d.waitFor("the print", func() bool { return d.called("DeskCashUpPDF") == 1 })
	v.desk.SetSelected("All desks")
	d.waitFor("every desk's day", func() bool { return d.called("DeskCashUp") == 4 })
	want := []any{" 2026-03-02", "D2 2026-03-02", "D2 2026-03-03", "* 2026-03-03"}
	if got := d.callsOf("DeskCashUp"); !slices.Equal(got, want) {
		t.Errorf("DeskCashUp calls = %v, want %v", got, want)
	}
	if got := d.callsOf("CloseCashUp"); !slices.Equal(got, []any{"D2 2026-03-03"}) {
		t.Errorf("CloseCashUp calls = %v", got)
	}
	if got := d.callsOf("DeskCashUpPDF"); !slices.Equal(got, []any{"D2 2026-03-03"}) {
		t.Errorf("DeskCashUpPDF calls = %v", got)
	}
}
