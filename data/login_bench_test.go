package data_test

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"hms/app"
	"hms/data"
)

// BenchmarkPayWhileLogins: issue an invoice and take its payment, as
// BenchmarkIssueAndPay, while three goroutines log in continuously with
// the production password parameters (argon2id, 64 MiB, t=3). A login
// checks the password outside the write transaction, so a payment waits
// at most for a login's short write (its audit row), not for its hash.
// Reports the payments' p50 and p99 and the logins made per second.
func BenchmarkPayWhileLogins(b *testing.B) {
	payWhile(b, func(svc app.Services, loggers []struct{ user, pw string }) []func() error {
		var work []func() error
		for _, l := range loggers[:3] {
			work = append(work, func() error {
				_, err := svc.Users.Login(anon, l.user, l.pw)
				return err
			})
		}
		return work
	})
}

// BenchmarkPayWhileRegistrations is BenchmarkPayWhileLogins with three
// goroutines registering patients instead: a registration hashes the
// password and seals the account's new signing key with it (two argon2id
// runs) before its write transaction, so a payment waits only for the
// registration's short write.
func BenchmarkPayWhileRegistrations(b *testing.B) {
	payWhile(b, func(svc app.Services, _ []struct{ user, pw string }) []func() error {
		var work []func() error
		var n atomic.Int64
		for range 3 {
			work = append(work, func() error {
				i := n.Add(1)
				_, err := svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: fmt.Sprintf("bench.reg%d", i),
					GivenName: "Bench", FamilyName: fmt.Sprintf("Registrant %d", i), Sex: app.SexFemale,
					BirthDate: "1990-01-02", Password: "a long bench password " + strconv.FormatInt(i, 10)})
				return err
			})
		}
		return work
	})
}

// payWhile times issuing an invoice and taking its payment while each of
// the functions others makes runs in a loop of its own, with the
// production password parameters; it reports the payments' p50 and p99
// and how many of the others' calls were made ("logins").
func payWhile(b *testing.B, others func(svc app.Services, loggers []struct{ user, pw string }) []func() error) {
	first, _, ctx, patientID, item := benchBilling(b)
	// The same database opened again with the production hash parameters:
	// the demo accounts' cheap hashes are redone with them at their first
	// login.
	db, err := data.Open(first.Path(), data.Options{HashParams: app.DefaultHashParams})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := db.Services()
	var loggers []struct{ user, pw string }
	for _, cr := range data.DemoCredentials {
		if cr.Role == app.RoleDoctor || cr.Role == app.RoleNurse || cr.Role == app.RoleReception {
			loggers = append(loggers, struct{ user, pw string }{cr.Username, cr.Password})
		}
	}
	for _, l := range loggers {
		if _, err := svc.Users.Login(anon, l.user, l.pw); err != nil {
			b.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var logins atomic.Int64
	for _, work := range others(svc, loggers) {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := work(); err != nil {
					b.Error(err)
					return
				}
				logins.Add(1)
			}
		})
	}
	var lat latencies
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		d, err := svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: patientID,
			Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 1}, {Description: "Dressing", Quantity: 1, UnitPrice: 700}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		lat.time(func() {
			inv, err := svc.Billing.IssueInvoice(ctx, d.ID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
				Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	lat.report(b)
	b.ReportMetric(float64(logins.Load()), "logins")
}
