package ui

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"hms/app"
)

// TestDashboardChartFollowsTheTheme draws a chart with app/charts in the
// light and then the dark theme (a theme change refreshes every widget)
// and checks that its ground is the theme's background each time.
func TestDashboardChartFollowsTheTheme(t *testing.T) {
	h := newDashHarness(t)
	c := newChartImage(h.u)
	c.Resize(fyne.NewSize(320, 200))
	c.setSeries(&app.Series{Kind: app.SeriesRevenuePerDoctor, Title: "Revenue per doctor", Period: period(t, app.PeriodWeek),
		Currency: "EUR", Points: []app.Point{{Label: "Dr Who", Key: "d-1", Value: 12345}}})
	for _, th := range []struct {
		name  string
		theme fyne.Theme
	}{{"light", variantTheme{theme.DefaultTheme(), theme.VariantLight}}, {"dark", variantTheme{theme.DefaultTheme(), theme.VariantDark}}} {
		fyne.CurrentApp().Settings().SetTheme(th.theme)
		c.Refresh()
		want := th.theme.Color(theme.ColorNameBackground, fyne.CurrentApp().Settings().ThemeVariant())
		var got color.Color
		h.waitFor("the chart on the "+th.name+" ground", func() bool {
			r := c.img.Resource
			if r == nil {
				return false
			}
			img, err := png.Decode(bytes.NewReader(r.Content()))
			if err != nil {
				return false
			}
			got = img.At(1, 1)
			return sameColor(got, want)
		})
	}
}

// variantTheme is a theme in one variant, whatever the settings say.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

func sameColor(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return ar>>8 == br>>8 && ag>>8 == bg>>8 && ab>>8 == bb>>8
}
