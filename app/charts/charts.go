// Package charts draws the dashboard's charts as PNG images with
// gonum.org/v1/plot, in the DejaVu font the PDFs embed, so that the screen
// and the printed reports show the same picture and every script a
// clinic's names are written in.
package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"hms/app"
	"hms/assets"
)

// DPI is the resolution the charts are drawn at: a pixel of the PNG is
// 72/DPI points of the plot.
const DPI = 96

// Size bounds, in pixels.
const (
	MinSize = 100
	MaxSize = 4000
)

// typeface is the name the DejaVu faces are registered under in plot's
// font cache.
const typeface = "DejaVu"

var registerOnce sync.Once
var registerErr error

// register adds DejaVu Sans (regular and bold) from assets to plot's font
// cache, once.
func register() error {
	registerOnce.Do(func() {
		var coll font.Collection
		for _, f := range []struct {
			body   []byte
			weight xfont.Weight
		}{{assets.FontRegular, xfont.WeightNormal}, {assets.FontBold, xfont.WeightBold}} {
			face, err := opentype.Parse(f.body)
			if err != nil {
				registerErr = fmt.Errorf("charts: font: %w", err)
				return
			}
			coll = append(coll, font.Face{Font: font.Font{Typeface: typeface, Weight: f.weight}, Face: face})
		}
		font.DefaultCache.Add(coll)
	})
	return registerErr
}

// barColor is the bars' fill: a calm blue that prints well in grey.
var barColor = color.RGBA{R: 0x3b, G: 0x6e, B: 0xa8, A: 0xff}

// maxTimeLabels is how many labels a time axis shows at most.
const maxTimeLabels = 12

// Bars draws a series as a bar chart of width × height pixels: vertical
// bars along time for a series per day or month, horizontal bars with
// their names for one per doctor or service (the longest names first
// shortened). Money is drawn in major units of the series' currency.
func Bars(s *app.Series, width, height int) ([]byte, error) {
	if width < MinSize || height < MinSize || width > MaxSize || height > MaxSize {
		return nil, fmt.Errorf("charts: size %d×%d is outside %d to %d pixels", width, height, MinSize, MaxSize)
	}
	if err := register(); err != nil {
		return nil, err
	}
	p := plot.New()
	style(p)
	p.Title.Text = s.Title
	if s.Period.Days() > 0 {
		p.Title.Text += " · " + s.Period.String()
	}
	scale := 1.0
	unit := "count"
	if s.Currency != "" {
		scale = math.Pow10(app.CurrencyDigits(s.Currency))
		unit = s.Currency
	}
	values := make(plotter.Values, len(s.Points))
	labels := make([]string, len(s.Points))
	for i, pt := range s.Points {
		values[i] = float64(pt.Value) / scale
		labels[i] = shorten(pt.Label, 28)
	}
	horizontal := s.Kind == app.SeriesAppointmentsPerDoctor || s.Kind == app.SeriesRevenuePerDoctor ||
		s.Kind == app.SeriesRevenuePerService
	if len(values) == 0 {
		// An empty period still draws its axes, with a word saying so.
		values, labels = plotter.Values{0}, []string{"no data"}
	}
	if horizontal {
		// The first point on top: plot's Y axis grows upwards.
		for i, j := 0, len(values)-1; i < j; i, j = i+1, j-1 {
			values[i], values[j] = values[j], values[i]
			labels[i], labels[j] = labels[j], labels[i]
		}
	}
	plotW, plotH := vg.Length(width)*72/DPI, vg.Length(height)*72/DPI
	span := plotW
	if horizontal {
		span = plotH
	}
	barW := max(span*0.7/vg.Length(len(values)+1), 0.5)
	bars, err := plotter.NewBarChart(values, barW)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	bars.Color = barColor
	bars.LineStyle.Width = 0
	bars.Horizontal = horizontal
	p.Add(bars)
	if horizontal {
		p.NominalY(labels...)
		p.X.Label.Text = unit
		p.X.Min = 0
		p.Add(plotter.NewGrid())
	} else {
		p.X.Tick.Marker = timeTicks(labels)
		p.Y.Label.Text = unit
		p.Y.Min = 0
		grid := plotter.NewGrid()
		grid.Vertical.Width = 0
		p.Add(grid)
	}
	c := vgimg.NewWith(vgimg.UseWH(plotW, plotH), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("charts: png: %w", err)
	}
	return buf.Bytes(), nil
}

// style sets every text of the plot in DejaVu.
func style(p *plot.Plot) {
	regular := font.Font{Typeface: typeface}
	bold := font.Font{Typeface: typeface, Weight: xfont.WeightBold}
	p.Title.TextStyle.Font = font.From(bold, 12)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(regular, 10)
		a.Tick.Label.Font = font.From(regular, 9)
	}
	p.Legend.TextStyle.Font = font.From(regular, 9)
}

// timeTicks labels at most maxTimeLabels evenly spaced bars of a time
// axis, so that a year of days stays readable.
func timeTicks(labels []string) plot.Ticker {
	step := max(1, (len(labels)+maxTimeLabels-1)/maxTimeLabels)
	return plot.TickerFunc(func(_, _ float64) []plot.Tick {
		ticks := make([]plot.Tick, 0, len(labels))
		for i, l := range labels {
			if i%step != 0 {
				l = ""
			}
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: l})
		}
		return ticks
	})
}

// shorten cuts a label to at most n characters, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
