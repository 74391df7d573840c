package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// listColumn is a column of a list laid out by columnsLayout: amounts
// align right.
type listColumn struct {
	title  string
	width  float32
	amount bool
}

// newColumnRow is a row of truncating labels laid out in cols.
func newColumnRow(cols []listColumn) *fyne.Container {
	cells := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		if c.amount {
			l.Alignment = fyne.TextAlignTrailing
		}
		cells[i] = l
	}
	return container.New(&columnsLayout{widths: columnWidths(cols)}, cells...)
}

// setColumnRow writes texts into a row built by newColumnRow.
func setColumnRow(row *fyne.Container, imp widget.Importance, texts ...string) {
	for i, o := range row.Objects {
		l := o.(*widget.Label)
		l.Importance = imp
		l.SetText(texts[i])
	}
}

// newFittedRow is a row of cols whose labels do not truncate: the screen
// writes each text through fitText. Fyne's own truncation shapes the text
// anew, uncached, every time a label changes, which was most of the time
// from a keystroke to the redrawn results; a measurement through
// fyne.MeasureText is cached per text.
func newFittedRow(cols []listColumn) *fyne.Container {
	row := newColumnRow(cols)
	for _, o := range row.Objects {
		o.(*widget.Label).Truncation = fyne.TextTruncateOff
	}
	return row
}

// setFittedRow writes texts into a row built by newFittedRow, each cut to
// its column's width with an ellipsis when it does not fit.
func setFittedRow(row *fyne.Container, cols []listColumn, imp widget.Importance, texts ...string) {
	for i, o := range row.Objects {
		l := o.(*widget.Label)
		text := fitText(texts[i], cols[i].width-2*theme.InnerPadding(), l.TextStyle)
		if l.Text == text && l.Importance == imp {
			continue
		}
		l.Importance = imp
		l.SetText(text)
	}
}

// fitText is s, or its longest beginning that fits width with "…" after it.
func fitText(s string, width float32, style fyne.TextStyle) string {
	size := theme.TextSize()
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	runes := []rune(s)
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo]) + "…"
}

// columnHeader is the bold header of cols.
func columnHeader(cols []listColumn) fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		l := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		if c.amount {
			l.Alignment = fyne.TextAlignTrailing
		}
		cells[i] = l
	}
	return container.New(&columnsLayout{widths: columnWidths(cols)}, cells...)
}

// columnWidths are the widths of cols, for a columnsLayout.
func columnWidths(cols []listColumn) []float32 {
	w := make([]float32, len(cols))
	for i, c := range cols {
		w[i] = c.width
	}
	return w
}

// columnsLayout lays objects out in a row of columns of fixed widths, the
// last one taking what is left, so a list row lines up with its header.
type columnsLayout struct{ widths []float32 }

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		m := o.MinSize()
		if i < len(l.widths) {
			w += l.widths[i]
		} else {
			w += m.Width
		}
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var x float32
	for i, o := range objs {
		w := size.Width - x
		if i < len(l.widths) && i < len(objs)-1 {
			w = min(l.widths[i], w)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(max(w, 0), size.Height))
		x += w
	}
}
