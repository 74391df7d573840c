package charts_test

import (
	"bytes"
	"fmt"
	"image/png"
	"testing"

	"hms/app"
	"hms/app/charts"
)

func period(t *testing.T) app.Period {
	t.Helper()
	p, err := app.PeriodContaining(app.PeriodMonth, app.Day{Year: 2026, Month: 11, Day: 25})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBars draws every kind of series, with names in other scripts and an
// empty one, and checks the PNG decodes at the size asked for and is not
// blank.
func TestBars(t *testing.T) {
	perDay := &app.Series{Kind: app.SeriesAppointmentsPerDay, Title: "Appointments per day", Period: period(t)}
	for d := 1; d <= 30; d++ {
		perDay.Points = append(perDay.Points, app.Point{Label: fmt.Sprintf("2026-11-%02d", d), Value: int64(d % 7)})
	}
	perDoctor := &app.Series{Kind: app.SeriesRevenuePerDoctor, Title: "Revenue per doctor", Period: period(t), Currency: "EUR",
		Points: []app.Point{{Label: "Dr. Анна Иванова", Value: 123456}, {Label: "Dr. Helena Papadaki", Value: 98700},
			{Label: "Γιώργος Παπαδόπουλος, a very long name for a doctor", Value: 5}}}
	empty := &app.Series{Kind: app.SeriesRevenuePerMonth, Title: "Revenue per month", Currency: "JPY"}
	for _, tc := range []struct {
		name string
		s    *app.Series
		w, h int
	}{{"per day", perDay, 800, 300}, {"per doctor", perDoctor, 640, 480}, {"empty", empty, 200, 100}} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := charts.Bars(tc.s, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Size(); got.X != tc.w || got.Y != tc.h {
				t.Fatalf("size %v, want %dx%d", got, tc.w, tc.h)
			}
			colors := map[uint32]bool{}
			for y := 0; y < tc.h; y += 3 {
				for x := 0; x < tc.w; x += 3 {
					r, g, b, _ := img.At(x, y).RGBA()
					colors[r>>8<<16|g>>8<<8|b>>8] = true
				}
			}
			if len(colors) < 3 {
				t.Fatalf("the chart looks blank: %d colours", len(colors))
			}
		})
	}
}

func TestBarsRefusesBadSize(t *testing.T) {
	for _, wh := range [][2]int{{0, 100}, {100, 99}, {5000, 300}} {
		if _, err := charts.Bars(&app.Series{Title: "x"}, wh[0], wh[1]); err == nil {
			t.Errorf("%v: want an error", wh)
		}
	}
}
