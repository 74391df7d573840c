package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/charts"
	"hms/app/i18n"
)

// chartHeight is the height of a dashboard chart on screen.
const chartHeight = 300

// chartsView shows the dashboard's charts: the PNGs app/charts draws, the
// same pictures the PDF reports print. Charts along time take a whole row,
// so that their dates stay readable; the others share one.
type chartsView struct {
	u      *UI
	rows   [][]app.SeriesKind
	charts map[app.SeriesKind]*chartImage

	note *widget.Label

	content fyne.CanvasObject
}

func newChartsView(u *UI, clinical, financial bool) *chartsView {
	c := &chartsView{u: u, rows: chartRows(clinical, financial), charts: map[app.SeriesKind]*chartImage{}}
	c.note = mutedLabel("")
	box := container.NewVBox(sectionTitle(T("Charts")), c.note)
	for _, row := range c.rows {
		cells := make([]fyne.CanvasObject, len(row))
		for i, k := range row {
			c.charts[k] = newChartImage(u)
			cells[i] = c.charts[k]
		}
		box.Add(container.NewGridWithColumns(len(row), cells...))
	}
	c.content = box
	return c
}

// chartRows lays out the charts a role may see.
func chartRows(clinical, financial bool) [][]app.SeriesKind {
	var rows [][]app.SeriesKind
	var perDoctor []app.SeriesKind
	if clinical {
		rows = append(rows, []app.SeriesKind{app.SeriesAppointmentsPerDay})
		perDoctor = append(perDoctor, app.SeriesAppointmentsPerDoctor)
	}
	if financial {
		perDoctor = append(perDoctor, app.SeriesRevenuePerDoctor)
	}
	if len(perDoctor) > 0 {
		rows = append(rows, perDoctor)
	}
	if financial {
		rows = append(rows, []app.SeriesKind{app.SeriesRevenuePerMonth}, []app.SeriesKind{app.SeriesRevenuePerService})
	}
	return rows
}

// load reads each chart's series for period p, off the UI goroutine, and
// has the charts drawn; current says whether the answer is still wanted.
func (c *chartsView) load(p app.Period, current func() bool) {
	var kinds []app.SeriesKind
	for _, row := range c.rows {
		kinds = append(kinds, row...)
	}
	c.note.SetText(T("Drawing the charts…"))
	c.note.Show()
	background(c.u, func(ctx context.Context) ([]*app.Series, error) {
		out := make([]*app.Series, len(kinds))
		for i, k := range kinds {
			s, err := c.u.svc.Dashboard.Series(ctx, k, p)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}, func(ss []*app.Series, err error) {
		if !current() {
			return
		}
		if err != nil {
			c.note.SetText(T("The charts could not be drawn."))
			showError(err, c.u.win)
			return
		}
		c.note.Hide()
		for i, s := range ss {
			c.charts[kinds[i]].setSeries(s)
		}
	})
}

// chartImage is one chart, drawn off the UI goroutine for the size it has
// on screen times the screen's scale, so that its text is as sharp and as
// big as the program's own, in the current theme's colours; it is drawn
// again when it is resized or the theme changes.
type chartImage struct {
	widget.BaseWidget
	u      *UI
	img    *canvas.Image
	series *app.Series
	// draw draws a series as a PNG of w × h pixels in the colours of
	// pal, with its words in the screen's language: charts.BarsWith,
	// which tests replace.
	draw func(s *app.Series, w, h int, pal charts.Palette) ([]byte, error)
	// drawn and drawnIn are the size and the colours the image was drawn
	// for; busy is set while a drawing is under way: the next waits for
	// it, so resizing the window draws at most one chart at a time and
	// ends at the final size.
	drawn   fyne.Size
	drawnIn charts.Palette
	busy    bool
}

func newChartImage(u *UI) *chartImage {
	c := &chartImage{u: u, img: canvas.NewImageFromResource(nil), draw: drawChart}
	c.img.FillMode = canvas.ImageFillContain
	c.img.SetMinSize(fyne.NewSize(charts.MinSize, chartHeight))
	c.ExtendBaseWidget(c)
	return c
}

// chartTitles are the charts' titles, by kind, translated when drawn.
var chartTitles = map[app.SeriesKind]string{
	app.SeriesAppointmentsPerDay:    i18n.N("Appointments per day"),
	app.SeriesAppointmentsPerDoctor: i18n.N("Appointments per doctor"),
	app.SeriesRevenuePerMonth:       i18n.N("Revenue per month"),
	app.SeriesRevenuePerDoctor:      i18n.N("Revenue per doctor"),
	app.SeriesRevenuePerService:     i18n.N("Revenue per service"),
}

// chartWords are a chart's words in the screen's language.
func chartWords(s *app.Series) charts.Words {
	w := charts.Words{Count: T("count"), NoData: T("no data")}
	if title, ok := chartTitles[s.Kind]; ok {
		w.Title = T(title)
	}
	return w
}

// drawChart draws a series with its words in the screen's language.
func drawChart(s *app.Series, w, h int, pal charts.Palette) ([]byte, error) {
	return charts.BarsWith(s, w, h, pal, chartWords(s))
}

func (c *chartImage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(c.img)
}

// Resize lays the chart out and draws it for its new size.
func (c *chartImage) Resize(size fyne.Size) {
	c.BaseWidget.Resize(size)
	c.redraw()
}

// Refresh draws the chart again if the theme's colours changed (a theme
// change refreshes every widget).
func (c *chartImage) Refresh() {
	c.BaseWidget.Refresh()
	c.redraw()
}

// chartPalette is the current theme's colours for a chart.
func chartPalette() charts.Palette {
	th := theme.Current()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	return charts.Palette{
		Background: th.Color(theme.ColorNameBackground, v),
		Foreground: th.Color(theme.ColorNameForeground, v),
		Grid:       th.Color(theme.ColorNameSeparator, v),
		Bar:        th.Color(theme.ColorNamePrimary, v),
	}
}

// setSeries draws the chart of s.
func (c *chartImage) setSeries(s *app.Series) {
	c.series = s
	c.drawn = fyne.Size{}
	c.redraw()
}

// redraw draws the chart for its size and the theme's colours, unless it
// is drawn already or a drawing is under way (which calls redraw again
// when it ends).
func (c *chartImage) redraw() {
	size, pal := c.Size(), chartPalette()
	if c.busy || c.series == nil || (size == c.drawn && pal == c.drawnIn) ||
		size.Width < charts.MinSize || size.Height < charts.MinSize {
		return
	}
	scale := c.u.win.Canvas().Scale()
	w, h := int(size.Width*scale), int(size.Height*scale)
	s, draw := c.series, c.draw
	c.busy, c.drawn, c.drawnIn = true, size, pal
	background(c.u, func(context.Context) ([]byte, error) {
		return draw(s, min(w, charts.MaxSize), min(h, charts.MaxSize), pal)
	}, func(png []byte, err error) {
		c.busy = false
		switch {
		case err != nil:
			showError(fmt.Errorf("draw the chart %s: %w", s.Kind, err), c.u.win)
			return
		case s == c.series:
			name := fmt.Sprintf("%s-%s-%s-%dx%d.png", s.Kind, s.Period.From, s.Period.Last(), w, h)
			c.img.Resource = fyne.NewStaticResource(name, png)
			c.img.Refresh()
		}
		c.redraw()
	})
}
