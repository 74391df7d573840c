package data_test

import (
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// BenchmarkDashboard is every figure of the admin dashboard (patients,
// appointments by status, no-show rate, per-doctor utilization, revenue,
// payments by method, the outstanding balance, top services) for this
// month and this year, as an admin opens it; and the same with its five
// charts' series. DESIGN.md's budget: p99 ≤ 50 ms.
func BenchmarkDashboard(b *testing.B) {
	db := benchDB(b)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "admin", data.DemoCredentials[0].Password)
	if err != nil {
		b.Fatal(err)
	}
	ctx := as(s.Caller())
	settings, err := svc.Settings.GetSettings(ctx)
	if err != nil {
		b.Fatal(err)
	}
	today := app.DayOf(time.Now(), settings.Location())
	// The first read after opening may rebuild the summaries for the
	// clinic's zone; the demo builds them in it already.
	if err := db.RefreshDashboard(ctx); err != nil {
		b.Fatal(err)
	}
	for _, kind := range []app.PeriodKind{app.PeriodMonth, app.PeriodYear} {
		p, err := app.PeriodContaining(kind, today)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(kind), func(b *testing.B) {
			var l latencies
			for b.Loop() {
				l.time(func() {
					d, err := svc.Dashboard.Dashboard(ctx, p)
					if err != nil || d.Clinical == nil || d.Financial == nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
		b.Run(string(kind)+"+charts", func(b *testing.B) {
			var l latencies
			for b.Loop() {
				l.time(func() {
					if _, err := svc.Dashboard.Dashboard(ctx, p); err != nil {
						b.Fatal(err)
					}
					for _, sk := range []app.SeriesKind{app.SeriesAppointmentsPerDay, app.SeriesAppointmentsPerDoctor,
						app.SeriesRevenuePerMonth, app.SeriesRevenuePerDoctor, app.SeriesRevenuePerService} {
						if _, err := svc.Dashboard.Series(ctx, sk, p); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			l.report(b)
		})
	}
}
