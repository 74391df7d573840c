package ui

import (
	"context"
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

const (
	// vitalsShown is how many readings the tab fetches and lists.
	vitalsShown = 50
	// trendReadings is how many of them the trend charts draw.
	trendReadings = 20
)

// vitalsColumns are the columns of the readings table; keys are the names
// of the measurements in the domain's errors and abnormal-value maps.
var vitalsColumns = []struct {
	title string
	width float32
	keys  []string
}{
	{i18n.N("Measured"), 150, nil},
	{i18n.N("BP mmHg"), 100, []string{"systolic", "diastolic"}},
	{i18n.N("Pulse"), 70, []string{"pulse"}},
	{i18n.N("Temp °C"), 80, []string{"temperature"}},
	{i18n.N("Resp"), 60, []string{"resp_rate"}},
	{i18n.N("SpO2 %"), 70, []string{"spo2"}},
	{i18n.N("Weight kg"), 90, []string{"weight"}},
	{i18n.N("Height cm"), 90, []string{"height"}},
	{i18n.N("BMI"), 60, []string{"bmi"}},
	{i18n.N("By"), 160, nil},
}

// vitalsTab records vitals and lists readings, abnormal values highlighted,
// with a small trend chart per vital.
type vitalsTab struct {
	b        *chartBase
	readings []*app.Vitals // newest first

	// The form, for those who record vitals; nil otherwise.
	systolic, diastolic, pulse, temperature *escEntry
	respRate, spo2, weight, height          *escEntry
	bmi                                     *widget.Label
	record                                  *widget.Button
	saved                                   *widget.Label
	errs                                    fieldErrors

	table  *widget.Table
	trends *fyne.Container

	content fyne.CanvasObject
}

func newVitalsTab(b *chartBase) *vitalsTab {
	t := &vitalsTab{b: b, errs: fieldErrors{}}
	t.table = widget.NewTable(
		func() (int, int) { return len(t.readings), len(vitalsColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			text, abnormal := t.cell(id.Row, id.Col)
			l.Importance = widget.MediumImportance
			l.TextStyle.Bold = false
			if abnormal {
				l.Importance = widget.DangerImportance
				l.TextStyle.Bold = true
			}
			l.SetText(text)
		},
	)
	t.table.ShowHeaderRow = true
	t.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(vitalsColumns) {
			o.(*widget.Label).SetText(T(vitalsColumns[id.Col].title))
		}
	}
	for i, c := range vitalsColumns {
		t.table.SetColumnWidth(i, c.width)
	}
	t.trends = container.NewGridWrap(fyne.NewSize(trendWidth+16, trendHeight+44))

	var top fyne.CanvasObject
	if b.can(app.PermWriteNursing) {
		top = t.buildForm()
	}
	body := container.NewVSplit(t.table, container.NewVScroll(t.trends))
	body.Offset = 0.55
	t.content = container.NewBorder(top, nil, nil, nil, body)
	return t
}

func (t *vitalsTab) buildForm() fyne.CanvasObject {
	num := func(ph string) *escEntry {
		e := entry(ph)
		e.OnSubmitted = func(string) { t.onRecord() }
		return e
	}
	t.systolic, t.diastolic, t.pulse = num("mmHg"), num("mmHg"), num("/min")
	t.temperature, t.respRate, t.spo2 = num(T("°C")), num("/min"), num("%")
	t.weight, t.height = num("kg"), num("cm")
	t.bmi = widget.NewLabel(T("BMI —"))
	t.weight.OnChanged = func(string) { t.updateBMI() }
	t.height.OnChanged = func(string) { t.updateBMI() }
	t.record = widget.NewButtonWithIcon(T("Record vitals"), theme.ConfirmIcon(), t.onRecord)
	t.record.Importance = widget.HighImportance
	t.saved = widget.NewLabel("")
	t.saved.Importance = widget.SuccessImportance
	t.saved.Hide()
	general := newErrorLabel()
	t.errs[""] = general
	field := func(label, name string, e *escEntry) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabel(label), t.errs.add(name, e))
	}
	grid := container.NewGridWithColumns(8,
		field(T("BP systolic"), "systolic", t.systolic),
		field(T("BP diastolic"), "diastolic", t.diastolic),
		field(T("Pulse"), "pulse", t.pulse),
		field(T("Temperature"), "temperature", t.temperature),
		field(T("Resp. rate"), "resp_rate", t.respRate),
		field(T("SpO2"), "spo2", t.spo2),
		field(T("Weight"), "weight", t.weight),
		field(T("Height"), "height", t.height),
	)
	t.errs.alias("vitals", "") // "Enter at least one measurement"
	t.errs.alias("taken_at", "")
	return container.NewVBox(grid, general,
		container.NewHBox(t.record, t.bmi, t.saved), widget.NewSeparator())
}

func (t *vitalsTab) view() fyne.CanvasObject { return t.content }

// parseNumber reads a decimal number, with a point or a comma; "" is 0.
func parseNumber(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

// updateBMI shows the BMI of the weight and height typed so far.
func (t *vitalsTab) updateBMI() {
	w, err1 := parseNumber(t.weight.Text)
	h, err2 := parseNumber(t.height.Text)
	v := app.Vitals{WeightKg: w, HeightCm: h}
	if err1 != nil || err2 != nil || v.BMI() <= 0 {
		t.bmi.SetText(T("BMI —"))
		return
	}
	t.bmi.SetText(Tf("BMI %.1f", v.BMI()))
}

// readForm reads the form; ok is false when a field is not a number.
func (t *vitalsTab) readForm() (v app.Vitals, ok bool) {
	ok = true
	whole := func(name string, e *escEntry, dst *int) {
		s := strings.TrimSpace(e.Text)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			t.errs.set(name, T("Enter a whole number."))
			ok = false
			return
		}
		*dst = n
	}
	decimal := func(name string, e *escEntry, dst *float64) {
		n, err := parseNumber(e.Text)
		if err != nil {
			t.errs.set(name, T("Enter a number, e.g. 37.2."))
			ok = false
			return
		}
		*dst = n
	}
	whole("systolic", t.systolic, &v.Systolic)
	whole("diastolic", t.diastolic, &v.Diastolic)
	whole("pulse", t.pulse, &v.Pulse)
	decimal("temperature", t.temperature, &v.TemperatureC)
	whole("resp_rate", t.respRate, &v.RespRate)
	whole("spo2", t.spo2, &v.SpO2)
	decimal("weight", t.weight, &v.WeightKg)
	decimal("height", t.height, &v.HeightCm)
	return v, ok
}

func (t *vitalsTab) onRecord() {
	t.errs.clear()
	t.saved.Hide()
	v, ok := t.readForm()
	if !ok {
		return
	}
	b := t.b
	v.PatientID = b.id
	v.TakenAt = b.u.now()
	// The service's own checks first: an impossible value is shown next
	// to its field at once.
	if err := v.Validate(b.u.now()); err != nil {
		t.errs.show(err, b.u.win)
		return
	}
	t.record.Disable()
	background(b.u, func(ctx context.Context) (*app.Vitals, error) {
		return b.u.svc.Clinical.RecordVitals(ctx, v)
	}, func(_ *app.Vitals, err error) {
		t.record.Enable()
		if err != nil {
			t.errs.show(err, b.u.win)
			return
		}
		for _, e := range []*escEntry{t.systolic, t.diastolic, t.pulse, t.temperature, t.respRate, t.spo2, t.weight, t.height} {
			e.SetText("")
		}
		t.saved.SetText(T("Recorded."))
		t.saved.Show()
		t.load()
	})
}

func (t *vitalsTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Vitals, error) {
		return b.u.svc.Clinical.FindVitals(ctx, b.id, vitalsShown)
	}, func(vs []*app.Vitals) {
		t.readings = vs
		t.table.Refresh()
		t.drawTrends()
	})
}

// cell is the text of a table cell and whether it is abnormal.
func (t *vitalsTab) cell(row, col int) (string, bool) {
	if row < 0 || row >= len(t.readings) || col < 0 || col >= len(vitalsColumns) {
		return "", false
	}
	v := t.readings[row]
	abnormal := false
	if keys := vitalsColumns[col].keys; keys != nil {
		ab := v.Abnormal()
		for _, k := range keys {
			if _, ok := ab[k]; ok {
				abnormal = true
			}
		}
	}
	whole := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	dec := func(f float64, format string) string {
		if f <= 0 {
			return ""
		}
		return fmt.Sprintf(format, f)
	}
	switch col {
	case 0:
		return formatTime(t.b.u, v.TakenAt), false
	case 1:
		if v.Systolic <= 0 && v.Diastolic <= 0 {
			return "", false
		}
		return fmt.Sprintf("%d/%d", v.Systolic, v.Diastolic), abnormal
	case 2:
		return whole(v.Pulse), abnormal
	case 3:
		return dec(v.TemperatureC, "%.1f"), abnormal
	case 4:
		return whole(v.RespRate), abnormal
	case 5:
		return whole(v.SpO2), abnormal
	case 6:
		return dec(v.WeightKg, "%.1f"), abnormal
	case 7:
		return dec(v.HeightCm, "%.0f"), abnormal
	case 8:
		return dec(v.BMI(), "%.1f"), abnormal
	case 9:
		return v.RecordedBy, false
	}
	return "", false
}

// drawTrends draws a small chart per vital of the last readings, oldest on
// the left.
func (t *vitalsTab) drawTrends() {
	n := min(len(t.readings), trendReadings)
	series := func(get func(v *app.Vitals) float64) []float64 {
		out := make([]float64, n)
		for i := 0; i < n; i++ {
			out[n-1-i] = get(t.readings[i])
		}
		return out
	}
	th := theme.Current()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	primary := th.Color(theme.ColorNamePrimary, v)
	second := th.Color(theme.ColorNameError, v)
	get := func(f func(v *app.Vitals) float64) trendSeries { return trendSeries{series(f), primary} }
	charts := []fyne.CanvasObject{
		newTrendChart(trendSpec{T("Blood pressure"), "mmHg", 0, 20}, []trendSeries{
			get(func(v *app.Vitals) float64 { return float64(v.Systolic) }),
			{series(func(v *app.Vitals) float64 { return float64(v.Diastolic) }), second},
		}),
		newTrendChart(trendSpec{T("Pulse"), "/min", 0, 20}, []trendSeries{get(func(v *app.Vitals) float64 { return float64(v.Pulse) })}),
		newTrendChart(trendSpec{T("Temperature"), T("°C"), 1, 1}, []trendSeries{get(func(v *app.Vitals) float64 { return v.TemperatureC })}),
		newTrendChart(trendSpec{T("Resp. rate"), "/min", 0, 6}, []trendSeries{get(func(v *app.Vitals) float64 { return float64(v.RespRate) })}),
		newTrendChart(trendSpec{T("SpO2"), "%", 0, 5}, []trendSeries{get(func(v *app.Vitals) float64 { return float64(v.SpO2) })}),
		newTrendChart(trendSpec{T("Weight"), "kg", 1, 2}, []trendSeries{get(func(v *app.Vitals) float64 { return v.WeightKg })}),
		newTrendChart(trendSpec{T("BMI"), "", 1, 1}, []trendSeries{get(func(v *app.Vitals) float64 { return v.BMI() })}),
	}
	t.trends.Objects = charts
	t.trends.Refresh()
}

const (
	trendWidth  = 220
	trendHeight = 70
)

// trendSeries is one line of a trend chart; 0 is "not measured".
type trendSeries struct {
	values []float64
	color  color.Color
}

// trendSpec describes a trend chart: its title and unit, the decimals of
// the latest value in the title, and the smallest range of values the
// height spans, so that a change of 0.2 °C does not fill the chart.
type trendSpec struct {
	title, unit string
	decimals    int
	minSpan     float64
}

// newTrendChart draws series as canvas lines scaled into a fixed-size box,
// under a title with the latest value.
func newTrendChart(spec trendSpec, series []trendSeries) fyne.CanvasObject {
	lo, hi, latest := 0.0, 0.0, ""
	found := false
	for si, s := range series {
		for _, v := range s.values {
			if v <= 0 {
				continue
			}
			if !found {
				lo, hi, found = v, v, true
			}
			lo, hi = min(lo, v), max(hi, v)
		}
		if last := lastMeasured(s.values); last > 0 {
			if si > 0 {
				latest += "/"
			}
			latest += strconv.FormatFloat(last, 'f', spec.decimals, 64)
		}
	}
	caption := spec.title
	if latest != "" {
		caption = strings.TrimSpace(caption + ": " + latest + " " + spec.unit)
	}
	label := widget.NewLabelWithStyle(caption, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	label.Truncation = fyne.TextTruncateEllipsis
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg := canvas.NewRectangle(theme.Current().Color(theme.ColorNameInputBackground, v))
	bg.Resize(fyne.NewSize(trendWidth, trendHeight))
	objs := []fyne.CanvasObject{bg}
	if !found {
		// One line: a wrapping label in a centring container is given its
		// narrowest width, one letter.
		empty := widget.NewLabel(T("no readings"))
		empty.Importance = widget.LowImportance
		return container.NewVBox(label, container.NewStack(container.New(fixedLayout{fyne.NewSize(trendWidth, trendHeight)}, objs...),
			container.NewCenter(empty)))
	}
	if span := hi - lo; span < spec.minSpan {
		mid := (hi + lo) / 2
		lo, hi = mid-spec.minSpan/2, mid+spec.minSpan/2
	}
	const pad = 6
	for _, s := range series {
		n := len(s.values)
		pos := func(i int, v float64) fyne.Position {
			x := float32(pad)
			if n > 1 {
				x += float32(i) / float32(n-1) * (trendWidth - 2*pad)
			}
			y := float32(pad) + float32((hi-v)/(hi-lo))*(trendHeight-2*pad)
			return fyne.NewPos(x, y)
		}
		prev := -1
		for i, v := range s.values {
			if v <= 0 {
				continue
			}
			dot := canvas.NewCircle(s.color)
			p := pos(i, v)
			dot.Move(p.SubtractXY(2, 2))
			dot.Resize(fyne.NewSize(4, 4))
			objs = append(objs, dot)
			if prev >= 0 {
				l := canvas.NewLine(s.color)
				l.StrokeWidth = 2
				l.Position1 = pos(prev, s.values[prev])
				l.Position2 = p
				objs = append(objs, l)
			}
			prev = i
		}
	}
	return container.NewVBox(label, container.New(fixedLayout{fyne.NewSize(trendWidth, trendHeight)}, objs...))
}

func lastMeasured(vs []float64) float64 {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i] > 0 {
			return vs[i]
		}
	}
	return 0
}

// fixedLayout has a fixed minimum size and leaves its objects where they
// were placed.
type fixedLayout struct{ size fyne.Size }

func (l fixedLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.size }

func (l fixedLayout) Layout([]fyne.CanvasObject, fyne.Size) {}
