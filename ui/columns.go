package ui

import (
	"cmp"
	"slices"

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

// wrapColumns makes the columns at idx of a row built by newColumnRow wrap
// their text at the column's width, the row growing to hold it, rather
// than cut it (rows in a wrappedList); it returns the row.
func wrapColumns(row *fyne.Container, idx ...int) *fyne.Container {
	for _, i := range idx {
		l := row.Objects[i].(*widget.Label)
		l.Truncation, l.Wrapping = fyne.TextTruncateOff, fyne.TextWrapWord
	}
	return row
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
		l := widget.NewLabelWithStyle(T(c.title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
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
// first of width 0 (or else the last) taking what is left, so a list row
// lines up with its header.
type columnsLayout struct{ widths []float32 }

// flex is the index of the column that takes what the others leave.
func (l *columnsLayout) flex(n int) int {
	for i, w := range l.widths[:min(n, len(l.widths))] {
		if w == 0 {
			return i
		}
	}
	return n - 1
}

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
	flex := l.flex(len(objs))
	var fixed float32
	for i := range objs {
		if i != flex && i < len(l.widths) {
			fixed += l.widths[i]
		}
	}
	var x float32
	for i, o := range objs {
		w := size.Width - x
		switch {
		case i == flex:
			w = min(max(size.Width-fixed, 0), w)
		case i < len(l.widths):
			w = min(l.widths[i], w)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(max(w, 0), size.Height))
		x += w
	}
}

// Lists in the UI: every list of records is a widget.List over the slice
// the screen holds, so only the rows on screen are built, whatever its
// length. Rows of columns use newColumnRow or newFittedRow under a
// columnHeader. A row with actions is a listRow: its buttons sit at its
// end and are bound to the item the row shows each time the list updates
// the row; those the item does not allow are hidden. Rows that wrap text,
// and so differ in height, are in a wrappedList.

// listRow is a row of a widget.List: a body (columns, or labels one above
// the other) and, at its end, the buttons that act on the item it shows.
type listRow struct {
	widget.BaseWidget
	// key is the ID of the item the row shows, set by bind.
	key     string
	body    fyne.CanvasObject
	actions []*widget.Button
	// parts are the widgets of the body the update writes, for a body
	// other than columns.
	parts   any
	content fyne.CanvasObject
}

// newListRow is a row of body with actions at its end; the list's update
// binds it to an item. Each action is drawn as an escButton with the
// button's label, icon, importance, alignment and state, so that Escape on
// a row's focused button closes the dialog the list is in (the drafts
// offered at login, the possible duplicates of a new patient, …); the
// row's actions are the drawn buttons, not the ones given.
func newListRow(body fyne.CanvasObject, actions ...*widget.Button) *listRow {
	r := &listRow{body: body, actions: make([]*widget.Button, len(actions))}
	var end fyne.CanvasObject
	if len(actions) > 0 {
		objs := make([]fyne.CanvasObject, len(actions))
		for i, b := range actions {
			e := keyAwareButton(b)
			r.actions[i] = &e.Button
			objs[i] = e
		}
		end = container.NewCenter(container.NewHBox(objs...))
	}
	r.content = container.NewBorder(nil, nil, nil, end, body)
	r.ExtendBaseWidget(r)
	return r
}

// keyAwareButton is b drawn as an escButton: its label, icon, importance,
// alignment, icon placement, action and whether it is shown and enabled.
func keyAwareButton(b *widget.Button) *escButton {
	e := newIconButton(b.Text, b.Icon, b.OnTapped)
	e.Importance, e.Alignment, e.IconPlacement = b.Importance, b.Alignment, b.IconPlacement
	if !b.Visible() {
		e.Hide()
	}
	if b.Disabled() {
		e.Disable()
	}
	return e
}

func (r *listRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// bind makes the row show the item key, and each of its buttons, in order,
// run the matching function of do; a nil function hides its button.
func (r *listRow) bind(key string, do ...func()) {
	r.key = key
	for i, b := range r.actions {
		var fn func()
		if i < len(do) {
			fn = do[i]
		}
		b.OnTapped = fn
		if fn == nil {
			b.Hide()
		} else {
			b.Show()
			b.Enable()
		}
	}
	// What the item hides or shows moves the rest of the row.
	r.Refresh()
}

// columns is the body of a row built with newColumnRow.
func (r *listRow) columns() *fyne.Container { return r.body.(*fyne.Container) }

// wrappedList is a widget.List whose rows wrap text, so each item has a
// height of its own. On refit, and whenever the list's width changes,
// every item is bound in turn to one spare row of the template, laid out
// at the list's width and measured; the list still builds only the rows
// on screen.
type wrappedList struct {
	widget.List
	length  func() int
	probe   fyne.CanvasObject
	width   float32
	fitting bool // while measuring, the list shows nothing, so that each new height does not redraw it
	// tall is the height of all the items as last measured, separators
	// included.
	tall float32
	// onFit, when set, runs after each measuring, for a layout that sizes
	// the list by its items.
	onFit func()
}

func newWrappedList(length func() int, create func() fyne.CanvasObject,
	update func(widget.ListItemID, fyne.CanvasObject)) *wrappedList {
	l := &wrappedList{length: length}
	l.Length = func() int {
		if l.fitting {
			return 0
		}
		return l.length()
	}
	l.CreateItem = create
	l.UpdateItem = update
	l.ExtendBaseWidget(l)
	return l
}

func (l *wrappedList) Resize(s fyne.Size) {
	l.List.Resize(s)
	if s.Width != l.width {
		l.width = s.Width
		l.refit()
	}
}

// refit measures every item at the list's width, then redraws the list;
// the screen calls it when its slice changes.
func (l *wrappedList) refit() {
	if l.width > 0 {
		if l.probe == nil {
			l.probe = l.CreateItem()
		}
		n := l.length()
		l.fitting = true
		l.tall = 0
		for i := range n {
			l.UpdateItem(i, l.probe)
			// Laid out at the width first: a wrapped label's height
			// follows the width it last had.
			l.probe.Resize(fyne.NewSize(l.width, 0))
			l.probe.Resize(fyne.NewSize(l.width, l.probe.MinSize().Height))
			h := l.probe.MinSize().Height
			l.SetItemHeight(i, h)
			l.tall += h
		}
		if n > 1 {
			l.tall += float32(n-1) * theme.Padding()
		}
		l.fitting = false
	}
	l.Refresh()
	if l.onFit != nil {
		l.onFit()
	}
}

// sharedLayout lays its objects out one above the other in the height it
// is given, for a screen with several lists that share its height. An
// object with a want function is a list (with its heading): it asks for
// the height that shows all of it, and gets it when the lists' share
// allows; the lists that want more share what is left equally, each
// scrolling on its own, never below their own minimum. The other objects
// take their minimum height. What is left over stays at the bottom.
type sharedLayout struct {
	want map[fyne.CanvasObject]func() float32
	// laying is set while Layout runs: a list measured then is laid out
	// by this pass, not by another.
	laying bool
}

func (l *sharedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
		n++
	}
	if n > 1 {
		h += float32(n-1) * theme.Padding()
	}
	return fyne.NewSize(w, h)
}

func (l *sharedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.laying = true
	defer func() { l.laying = false }()
	// A list's items are measured at its width: give the lists the width
	// first, then ask what they want.
	for _, o := range objs {
		if l.want[o] != nil && o.Visible() && o.Size().Width != size.Width {
			o.Resize(fyne.NewSize(size.Width, max(o.Size().Height, o.MinSize().Height)))
		}
	}
	heights := make([]float32, len(objs))
	type wanting struct {
		i         int
		want, min float32
	}
	var lists []wanting
	left := size.Height
	n := 0
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		n++
		m := o.MinSize().Height
		if want := l.want[o]; want != nil {
			lists = append(lists, wanting{i, max(want(), m), m})
			left -= m
			continue
		}
		heights[i] = m
		left -= m
	}
	if n > 1 {
		left -= float32(n-1) * theme.Padding()
	}
	// Each list has its minimum; what is left goes first to the lists
	// that want least, each taking at most an equal part of it.
	slices.SortStableFunc(lists, func(a, b wanting) int { return cmp.Compare(a.want-a.min, b.want-b.min) })
	for k, w := range lists {
		extra := max(min(w.want-w.min, left/float32(len(lists)-k)), 0)
		heights[w.i] = w.min + extra
		left -= extra
	}
	var y float32
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, heights[i]))
		y += heights[i] + theme.Padding()
	}
}
