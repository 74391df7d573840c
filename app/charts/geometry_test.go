package charts

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"hms/app"
)

// dark is a palette like the dark theme's: light text on a dark ground.
var dark = Palette{
	Background: color.NRGBA{R: 0x17, G: 0x17, B: 0x18, A: 0xff},
	Foreground: color.NRGBA{R: 0xf3, G: 0xf3, B: 0xf3, A: 0xff},
	Grid:       color.NRGBA{R: 0x3a, G: 0x3a, B: 0x3e, A: 0xff},
	Bar:        color.NRGBA{R: 0x6c, G: 0xa6, B: 0xe8, A: 0xff},
}

func near(a, b color.Color, tol int) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) bool { return abs(int(x>>8)-int(y>>8)) <= tol }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestBarsStayInsideTheirAxes draws series along time and per name, with
// few and many points, large and negative values, in the light and the
// dark palette, and checks that every pixel of a bar's colour lies inside
// the plot rectangle, that the ground is the palette's, and that the
// text is drawn in the palette's foreground.
func TestBarsStayInsideTheirAxes(t *testing.T) {
	p, err := app.PeriodContaining(app.PeriodYear, app.Day{Year: 2026, Month: 11, Day: 25})
	if err != nil {
		t.Fatal(err)
	}
	perDay := func(n int, f func(i int) int64) *app.Series {
		s := &app.Series{Kind: app.SeriesAppointmentsPerDay, Title: "Appointments per day", Period: p}
		for i := 0; i < n; i++ {
			s.Points = append(s.Points, app.Point{Label: fmt.Sprintf("d%03d", i), Value: f(i)})
		}
		return s
	}
	perMonth := &app.Series{Kind: app.SeriesRevenuePerMonth, Title: "Revenue per month", Period: p, Currency: "EUR"}
	for m := 1; m <= 12; m++ {
		perMonth.Points = append(perMonth.Points, app.Point{Label: fmt.Sprintf("2026-%02d", m), Value: int64(m-3) * 987654321})
	}
	perService := &app.Series{Kind: app.SeriesRevenuePerService, Title: "Revenue per service", Period: p, Currency: "EUR",
		Points: []app.Point{{Label: "CONS-GP · General consultation", Value: 99999999}, {Label: "LAB", Value: -5000},
			{Label: "XRAY · Chest X-ray, two views", Value: 1}}}
	perDoctor := &app.Series{Kind: app.SeriesAppointmentsPerDoctor, Title: "Appointments per doctor", Period: p}
	for i := 0; i < 40; i++ {
		perDoctor.Points = append(perDoctor.Points, app.Point{Label: fmt.Sprintf("Dr. Doctor Number %d", i), Value: int64(1000 + i*37)})
	}
	series := map[string]*app.Series{
		"one day":     perDay(1, func(int) int64 { return 7 }),
		"a year":      perDay(365, func(i int) int64 { return int64(i%31) * 11 }),
		"all zero":    perDay(30, func(int) int64 { return 0 }),
		"per month":   perMonth,
		"per service": perService,
		"per doctor":  perDoctor,
		"empty":       {Kind: app.SeriesRevenuePerMonth, Title: "Revenue per month", Currency: "JPY"},
	}
	for _, pal := range []struct {
		name string
		p    Palette
	}{{"light", Light}, {"dark", dark}} {
		for name, s := range series {
			for _, size := range [][2]int{{900, 300}, {420, 300}, {200, 100}} {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", pal.name, name, size[0], size[1]), func(t *testing.T) {
					img, plotRect, err := render(s, size[0], size[1], pal.p, Words{})
					if err != nil {
						t.Fatal(err)
					}
					if got := img.At(1, 1); !near(got, pal.p.Background, 2) {
						t.Fatalf("the ground is %v, want the palette's %v", got, pal.p.Background)
					}
					// Anti-aliasing may colour the pixel next to an edge.
					inside := plotRect.Inset(-1)
					bars, text := 0, 0
					b := img.Bounds()
					for y := b.Min.Y; y < b.Max.Y; y++ {
						for x := b.Min.X; x < b.Max.X; x++ {
							c := img.At(x, y)
							if near(c, pal.p.Foreground, 8) {
								text++
							}
							if !near(c, pal.p.Bar, 6) {
								continue
							}
							bars++
							if !(image.Point{X: x, Y: y}).In(inside) {
								t.Fatalf("a bar's pixel at %d,%d is outside the plot %v", x, y, plotRect)
							}
						}
					}
					// A year of days in a small chart is drawn in bars
					// thinner than a pixel, blended into the ground.
					if name != "all zero" && name != "empty" && size[0] == 900 && bars == 0 {
						t.Error("no bar is drawn")
					}
					if text == 0 {
						t.Error("no text is drawn in the palette's foreground")
					}
				})
			}
		}
	}
}
