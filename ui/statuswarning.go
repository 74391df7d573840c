package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// statusWarning is a warning of the status bar (the backups'): an icon and
// its text in red, which a tap follows to where it is put right. The text
// takes the room the status bar has left and is cut with an ellipsis when
// it needs more, so that a long warning (Greek and Spanish run a third
// longer than English) never widens the window past a small screen; the
// screen the tap opens shows it whole.
type statusWarning struct {
	widget.BaseWidget
	Text     string
	label    *widget.Label
	onTapped func()
}

var (
	_ fyne.Tappable      = (*statusWarning)(nil)
	_ desktop.Cursorable = (*statusWarning)(nil)
)

func newStatusWarning(onTapped func()) *statusWarning {
	w := &statusWarning{label: widget.NewLabel(""), onTapped: onTapped}
	w.label.Truncation = fyne.TextTruncateEllipsis
	w.label.Importance = widget.DangerImportance
	w.ExtendBaseWidget(w)
	return w
}

// SetText shows text.
func (w *statusWarning) SetText(text string) {
	w.Text = text
	w.label.SetText(text)
}

// Tapped follows the warning.
func (w *statusWarning) Tapped(*fyne.PointEvent) {
	if w.onTapped != nil {
		w.onTapped()
	}
}

// Cursor is the hand a link shows.
func (w *statusWarning) Cursor() desktop.Cursor { return desktop.PointerCursor }

// FullWidth is the width the whole text needs, icon included.
func (w *statusWarning) FullWidth() float32 {
	return theme.IconInlineSize() + theme.Padding() + widget.NewLabel(w.Text).MinSize().Width
}

func (w *statusWarning) CreateRenderer() fyne.WidgetRenderer {
	icon := widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon()))
	return widget.NewSimpleRenderer(container.New(&trailingLayout{w: w}, icon, w.label))
}

// trailingLayout puts the icon right before the text, both against the
// trailing edge; the text gets the width it needs, or what there is.
type trailingLayout struct{ w *statusWarning }

func (l *trailingLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	icon, label := objs[0], objs[1]
	side := theme.IconInlineSize()
	text := min(l.w.FullWidth()-side-theme.Padding(), size.Width-side-theme.Padding())
	x := size.Width - text - side - theme.Padding()
	icon.Resize(fyne.NewSquareSize(side))
	icon.Move(fyne.NewPos(x, (size.Height-side)/2))
	label.Resize(fyne.NewSize(max(text, 0), size.Height))
	label.Move(fyne.NewPos(x+side+theme.Padding(), 0))
}

func (l *trailingLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[1].MinSize()
	return fyne.NewSize(theme.IconInlineSize()+theme.Padding()+m.Width, max(m.Height, theme.IconInlineSize()))
}
