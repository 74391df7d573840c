package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// dashboardView is one tab of the Dashboard area; it loads when shown.
type dashboardView interface {
	load()
	view() fyne.CanvasObject
}

// dashboardScreen is the Dashboard area: the clinic's figures (admins) or
// their financial part (billing clerks), the reports to export, and a
// doctor's own day and month. The list behind a figure and a patient's
// chart open over the tabs, each with a way back to what was under it.
type dashboardScreen struct {
	u *UI

	clinic  *adminView   // the clinic's figures; nil for doctors
	doctor  *doctorView  // a doctor's own dashboard; nil for the other roles
	reports *reportsView // a doctor's has the morbidity report only
	tabs    *container.AppTabs
	byItem  map[*container.TabItem]dashboardView

	drill *drillView   // the open list behind a figure; nil when none
	chart *chartScreen // the open chart; nil when none
	// stack holds what is shown: the tabs first, then each view opened
	// over them; the last one is on screen.
	stack []fyne.CanvasObject
	views *fyne.Container

	content fyne.CanvasObject
}

func newDashboardScreen(u *UI) *dashboardScreen {
	s := &dashboardScreen{u: u, byItem: map[*container.TabItem]dashboardView{}}
	s.buildUI()
	return s
}

func (s *dashboardScreen) can(p app.Permission) bool { return app.Can(s.u.session.User.Role, p) }

func (s *dashboardScreen) buildUI() {
	s.tabs = container.NewAppTabs()
	add := func(title string, icon fyne.Resource, v dashboardView) {
		item := container.NewTabItemWithIcon(title, icon, v.view())
		s.byItem[item] = v
		s.tabs.Append(item)
	}
	switch {
	case s.can(app.PermViewStatistics):
		s.clinic = newAdminView(s.u, s)
		add(T("Clinic"), theme.GridIcon(), s.clinic)
	case s.can(app.PermViewFinancial):
		s.clinic = newAdminView(s.u, s)
		add(T("Finances"), theme.GridIcon(), s.clinic)
	case s.can(app.PermViewOwnStats):
		s.doctor = newDoctorView(s.u, s)
		add(T("My dashboard"), theme.HomeIcon(), s.doctor)
	}
	if s.can(app.PermViewStatistics) && s.u.svc.Appointments != nil {
		s.doctor = newDoctorView(s.u, s)
		add(T("Doctors"), theme.AccountIcon(), s.doctor)
	}
	if s.clinic != nil || s.can(app.PermViewOwnStats) {
		// A doctor's reports: the morbidity of their own patients.
		s.reports = newReportsView(s.u)
		add(T("Reports"), theme.DocumentIcon(), s.reports)
	}
	s.tabs.OnSelected = func(item *container.TabItem) {
		s.u.touch()
		if v := s.byItem[item]; v != nil {
			v.load()
		}
	}
	s.stack = []fyne.CanvasObject{s.tabs}
	s.views = container.NewStack(s.tabs)
	s.content = s.views
}

// load fetches what the selected tab shows.
func (s *dashboardScreen) load() {
	if v := s.byItem[s.tabs.Selected()]; v != nil {
		v.load()
	}
}

// push shows o over what is on screen.
func (s *dashboardScreen) push(o fyne.CanvasObject) {
	s.u.touch()
	s.stack = append(s.stack, o)
	s.showTop()
}

// pop goes back to what was under the view on screen.
func (s *dashboardScreen) pop() {
	s.u.touch()
	if len(s.stack) > 1 {
		s.stack = s.stack[:len(s.stack)-1]
	}
	s.showTop()
}

// showTop shows the view on top of the stack.
func (s *dashboardScreen) showTop() {
	s.views.Objects = []fyne.CanvasObject{s.stack[len(s.stack)-1]}
	s.views.Refresh()
}

// openDrill shows the list behind a figure.
func (s *dashboardScreen) openDrill(spec drillSpec) {
	s.drill = newDrillView(s.u, spec, s)
	s.push(s.drill.content)
	s.drill.load()
}

// closeDrill goes back from the list to the figures.
func (s *dashboardScreen) closeDrill() {
	s.drill = nil
	s.pop()
}

// openChart shows a patient's chart over what is on screen; its back
// button, labelled back, returns there and then calls closed, when set.
func (s *dashboardScreen) openChart(patientID, back string, closed func()) *chartScreen {
	c := newChartScreen(s.u, patientID, func() {
		s.chart = nil
		s.pop()
		if closed != nil {
			closed()
		}
	}, nil)
	c.back.SetText(back)
	s.chart = c
	s.push(c.content)
	c.load()
	return c
}

// selectChartTab shows tab t of chart c, when the chart has it.
func selectChartTab(c *chartScreen, t chartTab) {
	for _, item := range c.tabs.Items {
		if c.byItem[item] == t {
			c.tabs.Select(item)
			return
		}
	}
}

// periodChoices are the periods the period switch offers, in order.
var periodChoices = []struct {
	kind  app.PeriodKind
	label string
}{
	{app.PeriodToday, i18n.N("Today")},
	{app.PeriodWeek, i18n.N("This week")},
	{app.PeriodMonth, i18n.N("This month")},
	{app.PeriodYear, i18n.N("This year")},
	{app.PeriodCustom, i18n.N("Custom")},
}

// periodLabel is how the period switch names a kind of period: "This week".
func periodLabel(k app.PeriodKind) string {
	for _, c := range periodChoices {
		if c.kind == k {
			return T(c.label)
		}
	}
	return string(k)
}

// periodPicker chooses a dashboard period: today, this week, month or
// year in the clinic's time zone, or a custom range of days typed as
// YYYY-MM-DD, which "Show" applies.
type periodPicker struct {
	u *UI

	kind     *widget.RadioGroup
	from     *escEntry
	to       *escEntry
	apply    *widget.Button
	custom   *fyne.Container // the range fields, shown for a custom period
	errs     fieldErrors
	onChange func()

	content fyne.CanvasObject
}

// newPeriodPicker starts on kind; onChange runs when the choice changes
// (for a custom range, when it is applied).
func newPeriodPicker(u *UI, kind app.PeriodKind, onChange func()) *periodPicker {
	p := &periodPicker{u: u, errs: fieldErrors{}, onChange: onChange}
	labels := make([]string, len(periodChoices))
	for i, c := range periodChoices {
		labels[i] = T(c.label)
	}
	p.kind = widget.NewRadioGroup(labels, nil)
	p.kind.Horizontal = true
	p.kind.Required = true
	p.kind.SetSelected(periodLabel(kind))
	p.kind.OnChanged = func(string) { p.onKind() }
	p.from = entry(T("From YYYY-MM-DD"))
	p.to = entry(T("To YYYY-MM-DD"))
	p.apply = widget.NewButtonWithIcon(T("Show"), theme.ConfirmIcon(), p.changed)
	for _, e := range []*escEntry{p.from, p.to} {
		e.OnSubmitted = func(string) { p.changed() }
	}
	p.errs[""] = newErrorLabel()
	p.custom = container.NewHBox(
		container.New(widthLayout{150}, p.errs.add("from", p.from)),
		container.New(widthLayout{150}, p.errs.add("to", p.to)),
		p.apply)
	p.errs.alias("period", "to")
	p.custom.Hide()
	p.content = container.NewVBox(container.NewHBox(p.kind, p.custom), p.errs[""])
	return p
}

// onKind follows the radio: a fixed period applies at once; a custom one
// shows its fields, which start as this month when they are empty.
func (p *periodPicker) onKind() {
	if p.choice() != app.PeriodCustom {
		p.custom.Hide()
		p.changed()
		return
	}
	if strings.TrimSpace(p.from.Text) == "" && strings.TrimSpace(p.to.Text) == "" {
		month, _ := app.PeriodContaining(app.PeriodMonth, todayOf(p.u))
		p.from.SetText(month.From.String())
		p.to.SetText(month.Last().String())
	}
	p.custom.Show()
	p.u.win.Canvas().Focus(p.from)
}

// choice is the kind of period the radio shows.
func (p *periodPicker) choice() app.PeriodKind {
	for _, c := range periodChoices {
		if T(c.label) == p.kind.Selected {
			return c.kind
		}
	}
	return app.PeriodMonth
}

// changed tells the screen the period changed.
func (p *periodPicker) changed() {
	if p.onChange != nil {
		p.onChange()
	}
}

// period is the period chosen; ok is false, with the reason under the
// fields, when a custom range is wrong.
func (p *periodPicker) period() (app.Period, bool) {
	p.errs.clear()
	kind := p.choice()
	if kind != app.PeriodCustom {
		per, err := app.PeriodContaining(kind, todayOf(p.u))
		if err != nil {
			p.errs.show(err, p.u.win)
			return app.Period{}, false
		}
		return per, true
	}
	loc := p.u.location()
	from, to, ok := readDateRange(p.errs, loc, p.from.Text, p.to.Text)
	if !ok {
		return app.Period{}, false
	}
	switch {
	case from.IsZero():
		p.errs.set("from", T("Write the first day as YYYY-MM-DD."))
		return app.Period{}, false
	case to.IsZero():
		p.errs.set("to", T("Write the last day as YYYY-MM-DD."))
		return app.Period{}, false
	}
	per, err := app.CustomPeriod(app.DayOf(from, loc), app.DayOf(to, loc).AddDays(-1))
	if err != nil {
		p.errs.show(err, p.u.win)
		return app.Period{}, false
	}
	return per, true
}

// tapArea makes its content clickable: the pointer turns into a hand and
// the area lights up under the mouse. It is how a figure opens the list
// behind it.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
	bg      *canvas.Rectangle
}

var (
	_ fyne.Tappable      = (*tapArea)(nil)
	_ desktop.Hoverable  = (*tapArea)(nil)
	_ desktop.Cursorable = (*tapArea)(nil)
)

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap, bg: canvas.NewRectangle(color.Transparent)}
	t.bg.CornerRadius = theme.InputRadiusSize()
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.bg, t.content))
}

// Tapped runs the action.
func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor is the hand that says "click me".
func (t *tapArea) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn lights the area up.
func (t *tapArea) MouseIn(*desktop.MouseEvent) {
	t.bg.FillColor = theme.Color(theme.ColorNameHover)
	t.bg.Refresh()
}

// MouseMoved does nothing: the light stays on until the mouse leaves.
func (t *tapArea) MouseMoved(*desktop.MouseEvent) {}

// MouseOut turns the light off.
func (t *tapArea) MouseOut() {
	t.bg.FillColor = color.Transparent
	t.bg.Refresh()
}

// figureTile is one figure: a number over what it counts, on a card. A
// tile that opens a list has tap set.
type figureTile struct {
	value   *widget.Label
	caption *widget.Label
	tap     *tapArea // nil when the figure opens nothing

	content fyne.CanvasObject
}

// newFigureTile builds a headline figure's tile; onTap, when not nil,
// opens the list behind the figure.
func newFigureTile(caption string, onTap func()) *figureTile {
	return newTile(theme.SizeNameHeadingText, caption, onTap)
}

// newSmallTile builds the tile of a figure that details a headline one,
// such as the appointments in one status; set gives its caption.
func newSmallTile(onTap func()) *figureTile {
	return newTile(theme.SizeNameSubHeadingText, "", onTap)
}

func newTile(size fyne.ThemeSizeName, caption string, onTap func()) *figureTile {
	t := &figureTile{}
	t.value = widget.NewLabelWithStyle("–", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.value.SizeName = size
	t.value.Truncation = fyne.TextTruncateEllipsis
	t.caption = widget.NewLabel(caption)
	t.caption.Truncation = fyne.TextTruncateEllipsis
	card := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	card.CornerRadius = theme.InputRadiusSize()
	body := container.NewVBox(t.value, t.caption)
	t.content = container.NewStack(card, body)
	if onTap != nil {
		t.tap = newTapArea(body, onTap)
		t.content = container.NewStack(card, t.tap)
	}
	return t
}

// setValue shows a figure, coloured by imp.
func (t *figureTile) setValue(value string, imp widget.Importance) {
	t.value.Importance = imp
	t.value.SetText(value)
}

// set shows a figure, coloured by imp, and under it what it counts.
func (t *figureTile) set(value, caption string, imp widget.Importance) {
	t.setValue(value, imp)
	t.caption.SetText(caption)
}

// tileRow lays tiles out side by side, each the same width.
func tileRow(tiles ...*figureTile) *fyne.Container {
	row := container.NewWithoutLayout()
	setTiles(row, tiles)
	return row
}

// setTiles replaces the tiles of a row built by tileRow.
func setTiles(row *fyne.Container, tiles []*figureTile) {
	row.Objects = make([]fyne.CanvasObject, len(tiles))
	for i, t := range tiles {
		row.Objects[i] = t.content
	}
	row.Layout = layout.NewGridLayoutWithColumns(max(1, len(tiles)))
	row.Refresh()
}

// minNameWidth is the least width of a dashboard table's name column.
const minNameWidth = 200

// figureTable lays out a row of a dashboard table: every column at its
// width but the one of width 0, the name, which takes what the others
// leave (at least minNameWidth), so that the numbers line up along the
// table's right edge.
type figureTable struct{ widths []float32 }

func (l figureTable) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(minNameWidth)
	var h float32
	for i, o := range objs {
		if i < len(l.widths) {
			w += l.widths[i]
		}
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w, h)
}

func (l figureTable) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var fixed float32
	for _, w := range l.widths {
		fixed += w
	}
	x := float32(0)
	for i, o := range objs {
		w := float32(0)
		if i < len(l.widths) {
			w = l.widths[i]
		}
		if w == 0 {
			w = max(size.Width-fixed, minNameWidth)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

// tableRow is a row of truncating labels in cols, bold with the columns'
// titles for the header.
func tableRow(cols []listColumn, header bool) *fyne.Container {
	cells := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		l := widget.NewLabel("")
		if header {
			l.SetText(T(c.title))
			l.TextStyle.Bold = true
		}
		l.Truncation = fyne.TextTruncateEllipsis
		if c.amount {
			l.Alignment = fyne.TextAlignTrailing
		}
		cells[i] = l
	}
	return container.New(figureTable{columnWidths(cols)}, cells...)
}

// figureList is a table of the dashboard as a list: a widget.List of rows
// of cols under its title and header. The figures page scrolls as a whole
// with its tiles and charts, and its tables have a few rows each (the
// doctors' load and revenue, the top diagnoses and services), so the list
// is as tall as all its rows rather than scrolling inside the page.
// Selecting a row runs open with its index (which may open nothing for
// that row); a nil open opens nothing.
type figureList struct {
	box   *fyne.Container
	title *widget.Label
	empty *widget.Label
	list  *widget.List
	wheel *passWheel
}

func newFigureList(cols []listColumn, length func() int, update func(int, *fyne.Container), open func(int)) *figureList {
	f := &figureList{title: widget.NewLabel(""), empty: mutedLabel("")}
	f.list = widget.NewList(length, func() fyne.CanvasObject { return tableRow(cols, false) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < length() {
				update(id, o.(*fyne.Container))
			}
		})
	f.list.OnSelected = func(id widget.ListItemID) {
		f.list.UnselectAll()
		if open != nil && id >= 0 && id < length() {
			open(id)
		}
	}
	f.empty.Hide()
	f.wheel = &passWheel{}
	f.wheel.ExtendBaseWidget(f.wheel)
	rows := container.New(&allRowsLayout{length: length, row: tableRow(cols, false).MinSize().Height}, f.list, f.wheel)
	f.box = container.NewVBox(f.title, tableRow(cols, true), widget.NewSeparator(), f.empty, rows)
	return f
}

// show redraws the list under title, or says empty when it has no rows.
func (f *figureList) show(title string, n int, empty string) {
	f.title.SetText(title)
	f.empty.SetText(empty)
	if n == 0 {
		f.empty.Show()
	} else {
		f.empty.Hide()
	}
	f.list.Refresh()
	f.box.Refresh()
}

// passWheel lies over a list that shows all its rows and hands the mouse
// wheel to the page's scroll (the list's own scroller would take it and
// not move); taps and hovers go through to the rows beneath.
type passWheel struct {
	widget.BaseWidget
	page fyne.Scrollable
}

func (w *passWheel) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (w *passWheel) Scrolled(e *fyne.ScrollEvent) {
	if w.page != nil {
		w.page.Scrolled(e)
	}
}

// allRowsLayout makes a list as tall as all its rows of height row.
type allRowsLayout struct {
	length func() int
	row    float32
}

func (l *allRowsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n := float32(l.length())
	if n == 0 {
		return fyne.NewSize(0, 0)
	}
	return fyne.NewSize(0, n*l.row+(n-1)*theme.Padding())
}

func (l *allRowsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
