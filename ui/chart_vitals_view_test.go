package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestEmptyTrendOneLine: a trend chart without readings says so on one
// line inside its box, not one letter per line over the next row.
func TestEmptyTrendOneLine(t *testing.T) {
	test.NewTempApp(t)
	chart := newTrendChart(trendSpec{title: "Pulse", unit: "/min"}, []trendSeries{{values: []float64{0, 0}}})
	w := test.NewWindow(chart)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 300))
	var empty *widget.Label
	walk(chart, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == "no readings" {
			empty = l
		}
	})
	if empty == nil {
		t.Fatal("no \"no readings\" label")
	}
	line := widget.NewLabel("no readings").MinSize()
	if s := empty.Size(); s.Height > line.Height*1.5 || s.Width < line.Width || s.Width > trendWidth {
		t.Errorf("\"no readings\" laid out %v; one line is %v and the box %d wide", s, line, trendWidth)
	}
}
