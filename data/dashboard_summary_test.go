package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// TestDashboardSummariesMatchRecomputation builds a small demo (the bulk
// loaders), then makes a random mix of writes through the services —
// registrations, archives and restores, bookings, every status change,
// reschedules, invoices with and without an invoice discount issued and
// voided, payments and refunds — with the clock moving on, and checks
// after each stretch that every summary table equals a recomputation from
// the rows it summarizes.
func TestDashboardSummariesMatchRecomputation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo database")
	}
	clock := newFakeClock()
	db := MustOpenDB(t, clock)
	ctx := context.Background()
	if err := data.GenerateDemo(ctx, db, data.DemoOptions{Patients: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckDashboard(ctx); err != nil {
		t.Fatalf("after the demo: %v", err)
	}
	svc := db.Services()
	s, err := svc.Users.Login(anon, "admin", data.DemoCredentials[0].Password)
	if err != nil {
		t.Fatal(err)
	}
	admin := as(s.Caller())
	raw := rawDB(t, db)
	ids := func(query string, args ...any) []string {
		t.Helper()
		rows, err := raw.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	rng := rand.New(rand.NewPCG(42, 6))
	pick := func(list []string) string {
		if len(list) == 0 {
			return "00000000-0000-7000-8000-000000000000"
		}
		return list[rng.IntN(len(list))]
	}
	doctors := ids(`SELECT id FROM users WHERE role = 'doctor'`)
	near := func() []string { // appointments from a day and a half before the clock to as long after
		now := clock.Now()
		return ids(`SELECT id FROM appointments WHERE start_at BETWEEN ? AND ? ORDER BY id`,
			now.Add(-36*time.Hour).Format(data.TimeLayout), now.Add(36*time.Hour).Format(data.TimeLayout))
	}
	done := map[string]int{}
	record := func(op string, err error) {
		t.Helper()
		switch code(err) {
		case "":
			done[op]++
		case app.ECONFLICT, app.EINVALID, app.ENOTFOUND:
			// A refusal the workflow makes (a past time, a paid invoice): nothing written.
		default:
			t.Fatalf("%s: %v", op, err)
		}
	}
	for i := range 600 {
		switch rng.IntN(13) {
		case 0:
			_, err := svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: fmt.Sprintf("Random%d", i),
				FamilyName: "Mixtest", Sex: app.SexOther, BirthDate: "1985-05-05"})
			record("register", err)
		case 1:
			p := pick(ids(`SELECT id FROM patients WHERE family_name = 'Mixtest' ORDER BY id`))
			if rng.IntN(2) == 0 {
				_, err := svc.Patients.ArchivePatient(admin, p, "registered twice")
				record("archive", err)
			} else {
				_, err := svc.Patients.RestorePatient(admin, p)
				record("restore", err)
			}
		case 2, 3:
			start := clock.Now().Truncate(time.Hour).Add(time.Duration(rng.IntN(72*4)) * 15 * time.Minute)
			_, err := svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: pick(ids(`SELECT id FROM patients
				WHERE deleted_at IS NULL ORDER BY id LIMIT 200`)), DoctorID: pick(doctors), Start: start,
				Minutes: 15 * (1 + rng.IntN(2)), OverrideReason: "random mix"})
			record("book", err)
		case 4, 5:
			id := pick(near())
			var err error
			op := []string{"confirm", "check in", "complete", "cancel", "no-show"}[rng.IntN(5)]
			switch op {
			case "confirm": // patients' requests: staff bookings are confirmed already
				_, err = svc.Appointments.Confirm(admin, pick(ids(`SELECT id FROM appointments WHERE status = 'pending'
					AND start_at > ? ORDER BY id`, clock.Now().Format(data.TimeLayout))))
			case "check in":
				_, err = svc.Appointments.CheckIn(admin, id)
			case "complete": // of those waiting, or random ones would rarely be checked in
				_, err = svc.Appointments.Complete(admin, pick(ids(`SELECT id FROM appointments WHERE status = 'checked_in' ORDER BY id`)))
			case "cancel":
				_, err = svc.Appointments.Cancel(admin, id, "random mix")
			case "no-show":
				_, err = svc.Appointments.MarkNoShow(admin, id)
			}
			record(op, err)
		case 6:
			_, err := svc.Appointments.Reschedule(admin, pick(near()), clock.Now().Truncate(time.Hour).Add(time.Duration(24+rng.IntN(48))*time.Hour), "random mix")
			record("reschedule", err)
		case 7:
			inv, err := svc.Billing.DraftForAppointment(admin, pick(near()))
			record("draft", err)
			if err == nil && inv.Status == app.InvoiceDraft { // the appointment's invoice may be issued already
				_, err = svc.Billing.AddLine(admin, inv.ID, app.LineInput{Description: "Dressing", Kind: app.PriceProcedure,
					Quantity: int64(1 + rng.IntN(3)), UnitPrice: 1500, TaxRate: 600})
				record("add line", err)
				_, err = svc.Billing.IssueInvoice(admin, inv.ID)
				record("issue", err)
			}
		case 8:
			out, err := svc.Billing.OutstandingInvoices(admin, app.OutstandingFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 {
				continue
			}
			inv := out[len(out)-1-rng.IntN(min(len(out), 20))]
			amount := inv.Totals.Total - inv.Paid
			if rng.IntN(2) == 0 && amount > 1 {
				amount /= 2
			}
			method := app.PaymentMethods[1+rng.IntN(len(app.PaymentMethods)-1)] // not cash: no change to give
			_, err = svc.Billing.TakePayment(admin, app.PaymentInput{Method: method, Amount: amount,
				Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}})
			record("pay", err)
		case 9:
			_, err := svc.Billing.RefundPayment(admin, pick(ids(`SELECT id FROM payments WHERE reversal_of IS NULL
				AND taken_at >= ? ORDER BY id`, clock.Now().Add(-72*time.Hour).Format(data.TimeLayout))), "random mix")
			record("refund", err)
		case 10:
			_, err := svc.Billing.VoidInvoice(admin, pick(ids(`SELECT id FROM invoices WHERE status = 'issued'
				AND issued_at >= ? ORDER BY id`, clock.Now().Add(-72*time.Hour).Format(data.TimeLayout))), "random mix")
			record("void", err)
		case 11:
			clock.Add(time.Duration(1+rng.IntN(12)) * time.Hour)
		case 12: // an invoice without a visit, most with an invoice discount: revenue counts what is left
			var lines []app.LineInput
			for range 1 + rng.IntN(3) {
				lines = append(lines, app.LineInput{Description: "Procedure", Kind: app.PriceProcedure,
					Quantity: int64(1 + rng.IntN(3)), UnitPrice: app.Money(100 + rng.IntN(9900)),
					TaxRate: app.BasisPoints([]int{0, 600, 2400}[rng.IntN(3)])})
			}
			inv, err := svc.Billing.CreateDraftInvoice(admin, app.DraftInvoice{PatientID: pick(ids(`SELECT id FROM patients
				WHERE deleted_at IS NULL ORDER BY id LIMIT 200`)), Lines: lines})
			record("draft", err)
			if err != nil {
				continue
			}
			switch rng.IntN(3) {
			case 0:
				_, err = svc.Billing.SetInvoiceDiscount(admin, inv.ID, app.BasisPoints(1+rng.IntN(10000)), 0, nil)
				record("discount", err)
			case 1:
				_, err = svc.Billing.SetInvoiceDiscount(admin, inv.ID, 0, app.Money(1+rng.Int64N(int64(inv.Totals.Net))), nil)
				record("discount", err)
			}
			_, err = svc.Billing.IssueInvoice(admin, inv.ID)
			record("issue", err)
		}
		if i%150 == 149 {
			if err := db.CheckDashboard(ctx); err != nil {
				t.Fatalf("after %d writes (%v): %v", i+1, done, err)
			}
		}
	}
	for _, op := range []string{"register", "archive", "restore", "book", "confirm", "check in", "complete", "cancel",
		"no-show", "reschedule", "discount", "issue", "pay", "refund", "void"} {
		if done[op] == 0 {
			t.Errorf("the random mix never managed to %s: %v", op, done)
		}
	}
	t.Logf("writes: %v", done)

	// The check sees a summary that drifted.
	if _, err := raw.Exec(`UPDATE dash_payments SET taken = taken + 1 WHERE day = (SELECT max(day) FROM dash_payments)`); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckDashboard(ctx); err == nil {
		t.Fatal("a tampered summary passes the check")
	}
}
