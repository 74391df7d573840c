// Package charts draws the dashboard's charts as PNG images with
// gonum.org/v1/plot, in the DejaVu font the PDFs embed, so that the screen
// and the printed reports show the same picture and every script a
// clinic's names are written in.
package charts

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
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

// Palette is the colours a chart is drawn in: the screen passes its
// theme's, the printed reports Light.
type Palette struct {
	Background, Foreground, Grid, Bar color.Color
}

// Light is black on white with a calm blue for the bars that prints well
// in grey: the printed reports' palette.
var Light = Palette{
	Background: color.White,
	Foreground: color.Black,
	Grid:       color.Gray{Y: 0xc0},
	Bar:        color.RGBA{R: 0x3b, G: 0x6e, B: 0xa8, A: 0xff},
}

// maxTimeLabels is how many labels a time axis shows at most.
const maxTimeLabels = 12

// Bars draws a series as a bar chart of width × height pixels in the
// Light palette: vertical bars along time for a series per day or month,
// horizontal bars with their names for one per doctor or service (the
// longest names first shortened). Money is drawn in major units of the
// series' currency.
func Bars(s *app.Series, width, height int) ([]byte, error) {
	return BarsIn(s, width, height, Light)
}

// Words are the words a chart writes besides its data, in the reader's
// language: the package knows no language, the caller translates. An
// empty word stays English.
type Words struct {
	Title  string // the chart's title, before its period; the series' own when empty
	Count  string // the value axis of counts: "count"
	NoData string // the one bar's label of an empty chart: "no data"
}

// english fills in the words w leaves empty.
func (w Words) english(s *app.Series) Words {
	if w.Title == "" {
		w.Title = s.Title
	}
	if w.Count == "" {
		w.Count = "count"
	}
	if w.NoData == "" {
		w.NoData = "no data"
	}
	return w
}

// BarsIn is Bars in the colours of pal.
func BarsIn(s *app.Series, width, height int, pal Palette) ([]byte, error) {
	return BarsWith(s, width, height, pal, Words{})
}

// BarsWith is BarsIn with the chart's own words in words.
func BarsWith(s *app.Series, width, height int, pal Palette, words Words) ([]byte, error) {
	img, _, err := render(s, width, height, pal, words)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("charts: png: %w", err)
	}
	return buf.Bytes(), nil
}

// render draws the chart and says where, in pixels of the image, its plot
// rectangle (the area inside the axes) lies.
func render(s *app.Series, width, height int, pal Palette, words Words) (image.Image, image.Rectangle, error) {
	if width < MinSize || height < MinSize || width > MaxSize || height > MaxSize {
		return nil, image.Rectangle{}, fmt.Errorf("charts: size %d×%d is outside %d to %d pixels", width, height, MinSize, MaxSize)
	}
	if err := register(); err != nil {
		return nil, image.Rectangle{}, err
	}
	words = words.english(s)
	p := plot.New()
	style(p, pal)
	p.Title.Text = words.Title
	if s.Period.Days() > 0 {
		p.Title.Text += " · " + s.Period.String()
	}
	scale := 1.0
	unit := words.Count
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
		values, labels = plotter.Values{0}, []string{words.NoData}
	}
	if horizontal {
		// The first point on top: plot's Y axis grows upwards.
		for i, j := 0, len(values)-1; i < j; i, j = i+1, j-1 {
			values[i], values[j] = values[j], values[i]
			labels[i], labels[j] = labels[j], labels[i]
		}
	}
	plotW, plotH := vg.Length(width)*72/DPI, vg.Length(height)*72/DPI
	// The bars are first added almost without width, so that they do not widen
	// the plot; their width is set once the plot rectangle is known.
	bars, err := plotter.NewBarChart(values, vg.Length(1e-3))
	if err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("charts: %w", err)
	}
	bars.Color = pal.Bar
	bars.LineStyle.Width = 0
	bars.Horizontal = horizontal
	// Each bar has a slot of one unit around its place on the category
	// axis, so that the first and the last stay inside the axes; the value
	// axis starts at zero or below, where money was refunded.
	catMin, catMax := -0.5, float64(len(values))-0.5
	if horizontal {
		p.NominalY(labels...)
		p.X.Label.Text = unit
		p.Y.Min, p.Y.Max = catMin, catMax
		p.Add(grid(pal))
	} else {
		p.X.Tick.Marker = timeTicks(labels)
		p.Y.Label.Text = unit
		p.X.Min, p.X.Max = catMin, catMax
		g := grid(pal)
		g.Vertical.Width = 0
		p.Add(g)
	}
	// Over the grid, and with a twentieth of headroom on the value axis,
	// so that the longest bar ends before the axis does.
	p.Add(bars)
	if horizontal {
		p.X.Max += (p.X.Max - p.X.Min) / 20
	} else {
		p.Y.Max += (p.Y.Max - p.Y.Min) / 20
	}
	c := vgimg.NewWith(vgimg.UseWH(plotW, plotH), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(pal.Background))
	dc := draw.New(c)
	data := p.DataCanvas(dc).Rectangle
	span := data.Size().X
	if horizontal {
		span = data.Size().Y
	}
	// Seven tenths of a slot, at least half a point so that a year of days
	// still shows; the slot's rest is the gap between bars.
	bars.Width = max(span*0.7/vg.Length(len(values)), 0.5)
	p.Draw(dc)
	return c.Image(), pixels(data, height), nil
}

// pixels turns a rectangle in points, from the bottom left, into pixels of
// an image height pixels high, from the top left.
func pixels(r vg.Rectangle, height int) image.Rectangle {
	px := func(l vg.Length) float64 { return float64(l) * DPI / 72 }
	return image.Rect(int(math.Floor(px(r.Min.X))), height-int(math.Ceil(px(r.Max.Y))),
		int(math.Ceil(px(r.Max.X))), height-int(math.Floor(px(r.Min.Y))))
}

// grid is a grid in the palette's colour.
func grid(pal Palette) *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = pal.Grid
	g.Horizontal.Color = pal.Grid
	return g
}

// style sets every text of the plot in DejaVu, and every text and line in
// the palette's colours.
func style(p *plot.Plot, pal Palette) {
	regular := font.Font{Typeface: typeface}
	bold := font.Font{Typeface: typeface, Weight: xfont.WeightBold}
	p.BackgroundColor = pal.Background
	p.Title.TextStyle.Font = font.From(bold, 12)
	p.Title.TextStyle.Color = pal.Foreground
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(regular, 10)
		a.Label.TextStyle.Color = pal.Foreground
		a.Tick.Label.Font = font.From(regular, 9)
		a.Tick.Label.Color = pal.Foreground
		a.Color = pal.Foreground
		a.LineStyle.Color = pal.Foreground
		a.Tick.LineStyle.Color = pal.Foreground
	}
	p.Legend.TextStyle.Font = font.From(regular, 9)
	p.Legend.TextStyle.Color = pal.Foreground
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
