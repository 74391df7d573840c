package sync_test

import (
	"fmt"
	"strings"
	stdsync "sync"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync/server/servertest"
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

// Two desks close the same cash-up at once (the clinic's one drawer, every
// desk's payments): the server gives the close to the first desk to claim
// it, which numbers it; the other is refused, saying so, and takes no
// number, so neither desk's series has a gap. After sync both desks show
// the one number; a reopened day closed again keeps it without a claim,
// on either desk; a desk that cannot reach the server closes nothing.
func TestTwoDesksCloseOneCashUp(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	const day, later = "2026-03-02", "2026-03-03"
	desks := []app.Services{first.svc, services(second)}
	clerk := first.users[app.RoleBilling]
	// Who may not close a day claims nothing.
	if _, err := desks[1].Billing.CloseCashUp(first.ctx(app.RoleNurse), app.CashUpInput{Desk: "*", Day: day}); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a nurse closing the day: %v", err)
	}
	if _, err := desks[1].Billing.CloseCashUp(first.ctx(app.RoleBilling), app.CashUpInput{Desk: "*", Day: "2026-02-30"}); code(err) != app.EINVALID {
		t.Fatalf("closing no day: %v", err)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.cashup_claims`); n != 0 {
		t.Fatalf("refused closes left %d claims", n)
	}
	type result struct {
		cu  *app.DeskCashUp
		err error
	}
	results := make([]result, len(desks))
	var wg stdsync.WaitGroup
	start := make(chan struct{})
	for i, svc := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			cu, err := svc.Billing.CloseCashUp(first.ctx(app.RoleBilling), app.CashUpInput{Desk: "*", Day: day, Note: fmt.Sprintf("desk %d", i)})
			results[i] = result{cu, err}
		}()
	}
	close(start)
	wg.Wait()
	won, lost := 0, 1
	if results[0].err != nil {
		won, lost = 1, 0
	}
	if results[won].err != nil {
		t.Fatalf("neither desk closed the day: %v; %v", results[0].err, results[1].err)
	}
	if code(results[lost].err) != app.ECONFLICT || !strings.Contains(results[lost].err.Error(), "another desk") ||
		!strings.Contains(results[lost].err.Error(), clerk.FullName) {
		t.Fatalf("the second desk to close: %v, want a refusal naming another desk", results[lost].err)
	}
	t.Logf("desk %d closed %s; desk %d: %v", won, results[won].cu.Number, lost, results[lost].err)
	number := results[won].cu.Number
	if !strings.HasSuffix(number, "-2026-000001") {
		t.Fatalf("the number %s", number)
	}
	dbs := []*data.DB{first.db, second}
	for i, d := range dbs {
		if n := count(t, d, `SELECT count(*) FROM series WHERE name LIKE 'CU-%'`); (i == won) != (n == 1) || n > 1 {
			t.Errorf("desk %d took %d cash-up series numbers", i, n)
		}
	}

	syncAll(t, first.db, second)
	for i, svc := range desks {
		cu, err := svc.Billing.DeskCashUp(system, "*", day)
		if err != nil {
			t.Fatal(err)
		}
		if cu.Status != app.CashUpClosed || cu.Number != number {
			t.Errorf("desk %d shows the day %s %s, want closed %s", i, cu.Status, cu.Number, number)
		}
	}
	// The desk that lost takes its own first number for the next day: no gap.
	next, err := desks[lost].Billing.CloseCashUp(system, app.CashUpInput{Desk: "*", Day: later})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(next.Number, "-2026-000001") || next.Number == number {
		t.Errorf("the next day on desk %d is %s", lost, next.Number)
	}

	// Reopened by an administrator on the desk that lost, and closed again
	// there: the day keeps its number, and the server is not asked.
	admin := first.ctx(app.RoleAdmin)
	if _, err := desks[lost].Billing.ReopenCashUp(admin, "*", day, "a late count"); err != nil {
		t.Fatal(err)
	}
	again, err := desks[lost].Billing.CloseCashUp(system, app.CashUpInput{Desk: "*", Day: day})
	if err != nil || again.Number != number {
		t.Fatalf("closed again: %+v, %v", again, err)
	}

	// A day not numbered yet on a desk that cannot reach the server: refused, nothing closed.
	if _, err := rawDB(t, dbs[lost]).Exec(`UPDATE sync_meta SET server_url = ?`,
		"postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err != nil {
		t.Fatal(err)
	}
	_, err = desks[lost].Billing.CloseCashUp(system, app.CashUpInput{Desk: "*", Day: "2026-03-04"})
	if code(err) != app.ECONFLICT || !strings.Contains(err.Error(), "needs the sync server") {
		t.Fatalf("closing without the server: %v", err)
	}
	if cu, err := desks[lost].Billing.DeskCashUp(system, "*", "2026-03-04"); err != nil || cu.Status == app.CashUpClosed {
		t.Fatalf("the day after a refused close: %+v, %v", cu, err)
	}
}
