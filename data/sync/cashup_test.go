package sync_test

import (
	"testing"

	"hms/app"
)

// A payment taken on a desk apart reaches, after sync, a day another desk
// closed meanwhile: on both desks it is listed as late on that day's
// cash-up, whose figures stay as closed, and counted in the next day.
func TestLatePaymentOnClosedDay(t *testing.T) {
	t.Parallel()
	_, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Late Payer")
	inv := issueInvoice(t, first.svc, p.ID, 9000)
	syncAll(t, first.db, second)
	cash := func(svc app.Services, amount app.Money) *app.Payment {
		t.Helper()
		pay, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCash, Amount: amount, Tendered: amount,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}})
		if err != nil {
			t.Fatal(err)
		}
		return pay
	}
	settings, err := first.svc.Settings.GetSettings(system)
	if err != nil {
		t.Fatal(err)
	}
	loc := settings.Location()
	a := cash(first.svc, 3000)
	day := a.TakenAt.In(loc).Format(app.DateLayout)
	closed, err := first.svc.Billing.CloseCashUp(system, app.CashUpInput{Desk: "*", Day: day,
		Counts: []app.CashCount{{Denomination: 2000, Count: 1}, {Denomination: 1000, Count: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Variance != 0 || len(closed.Payments) != 1 {
		t.Fatalf("closed: %+v", closed)
	}
	b := cash(services(second), 500) // the second desk, apart
	if b.TakenAt.In(loc).Format(app.DateLayout) != day {
		t.Skip("the day ended during the test")
	}
	syncAll(t, first.db, second)
	next := a.TakenAt.In(loc).AddDate(0, 0, 1).Format(app.DateLayout)
	for name, svc := range map[string]app.Services{"first": first.svc, "second": services(second)} {
		cu, err := svc.Billing.DeskCashUp(system, "*", day)
		if err != nil {
			t.Fatal(err)
		}
		if cu.Status != app.CashUpClosed || cu.Number != closed.Number || cu.ExpectedCash != 3000 ||
			len(cu.Late) != 1 || cu.Late[0].ID != b.ID {
			t.Errorf("%s desk: the closed day %+v, late %v", name, cu, cu.Late)
		}
		carried, err := svc.Billing.DeskCashUp(system, "*", next)
		if err != nil {
			t.Fatal(err)
		}
		if len(carried.CarriedIn) != 1 || carried.CarriedIn[0].ID != b.ID || carried.CashNet != 500 {
			t.Errorf("%s desk: the next day carries %v", name, carried.CarriedIn)
		}
	}
}
