package app_test

import (
	"testing"
	"time"

	"hms/app"
)

func TestPeriodContaining(t *testing.T) {
	sunday := app.Day{Year: 2026, Month: time.March, Day: 29}
	for _, tc := range []struct {
		kind     app.PeriodKind
		day      app.Day
		from, to string
		days     int
	}{
		{app.PeriodToday, sunday, "2026-03-29", "2026-03-30", 1},
		{app.PeriodWeek, sunday, "2026-03-23", "2026-03-30", 7}, // Monday to Sunday
		{app.PeriodWeek, app.Day{Year: 2026, Month: time.March, Day: 23}, "2026-03-23", "2026-03-30", 7},
		{app.PeriodWeek, app.Day{Year: 2027, Month: time.January, Day: 1}, "2026-12-28", "2027-01-04", 7},
		{app.PeriodMonth, sunday, "2026-03-01", "2026-04-01", 31},
		{app.PeriodMonth, app.Day{Year: 2028, Month: time.February, Day: 10}, "2028-02-01", "2028-03-01", 29},
		{app.PeriodMonth, app.Day{Year: 2026, Month: time.December, Day: 31}, "2026-12-01", "2027-01-01", 31},
		{app.PeriodYear, sunday, "2026-01-01", "2027-01-01", 365},
	} {
		p, err := app.PeriodContaining(tc.kind, tc.day)
		if err != nil {
			t.Fatal(err)
		}
		if p.From.String() != tc.from || p.To.String() != tc.to || p.Days() != tc.days || p.Validate() != nil {
			t.Errorf("%s of %s: %s – %s (%d days), want %s – %s (%d)", tc.kind, tc.day, p.From, p.To, p.Days(), tc.from, tc.to, tc.days)
		}
	}
	if _, err := app.PeriodContaining(app.PeriodCustom, sunday); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("custom through PeriodContaining: %v", err)
	}
}

func TestCustomPeriod(t *testing.T) {
	a, b := app.Day{Year: 2026, Month: time.March, Day: 1}, app.Day{Year: 2026, Month: time.March, Day: 31}
	p, err := app.CustomPeriod(a, b)
	if err != nil || p.Days() != 31 || p.Last() != b || p.String() != "2026-03-01 – 2026-03-31" {
		t.Fatalf("%v %+v", err, p)
	}
	if p, _ := app.CustomPeriod(a, a); p.String() != "2026-03-01" {
		t.Fatalf("one day: %s", p)
	}
	if _, err := app.CustomPeriod(b, a); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("backwards: %v", err)
	}
	if _, err := app.CustomPeriod(a, a.AddDays(app.MaxPeriodDays)); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("too long: %v", err)
	}
}

// TestPeriodBounds: a period's edges are local midnights, so the day the
// clocks go forward is 23 hours long and the day they go back 25.
func TestPeriodBounds(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Skip("no time zone data")
	}
	for _, tc := range []struct {
		day        app.Day
		start, end string
		hours      float64
	}{
		{app.Day{Year: 2026, Month: time.March, Day: 29}, "2026-03-28T22:00:00Z", "2026-03-29T21:00:00Z", 23},
		{app.Day{Year: 2026, Month: time.October, Day: 25}, "2026-10-24T21:00:00Z", "2026-10-25T22:00:00Z", 25},
		{app.Day{Year: 2026, Month: time.November, Day: 25}, "2026-11-24T22:00:00Z", "2026-11-25T22:00:00Z", 24},
	} {
		p, _ := app.PeriodContaining(app.PeriodToday, tc.day)
		s, e := p.Bounds(athens)
		if s.UTC().Format(time.RFC3339) != tc.start || e.UTC().Format(time.RFC3339) != tc.end || e.Sub(s).Hours() != tc.hours {
			t.Errorf("%s: %s – %s", tc.day, s.UTC(), e.UTC())
		}
	}
}

func TestSeriesKindFinancial(t *testing.T) {
	for k, want := range map[app.SeriesKind]bool{app.SeriesAppointmentsPerDay: false, app.SeriesAppointmentsPerDoctor: false,
		app.SeriesRevenuePerMonth: true, app.SeriesRevenuePerDoctor: true, app.SeriesRevenuePerService: true} {
		if k.Financial() != want {
			t.Errorf("%s: financial %v", k, !want)
		}
	}
}
