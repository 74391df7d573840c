package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// fieldErrors maps the field names the domain puts in its errors
// (app.ErrorField) to the red label shown under that field of a form. The
// empty name, when present, is the form's own message line for errors that
// concern no field.
type fieldErrors map[string]*widget.Label

func newErrorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// add creates the error label of a field and returns the field's widget with
// the label under it, for a form item.
func (f fieldErrors) add(name string, w fyne.CanvasObject) fyne.CanvasObject {
	l := newErrorLabel()
	f[name] = l
	return container.NewVBox(w, l)
}

// alias makes errors about field name show under the label of field to,
// which must have been added.
func (f fieldErrors) alias(name, to string) {
	if l := f[to]; l != nil {
		f[name] = l
	}
}

// clear hides every message.
func (f fieldErrors) clear() {
	for _, l := range f {
		l.SetText("")
		l.Hide()
	}
}

// set shows msg under field name.
func (f fieldErrors) set(name, msg string) {
	l := f[name]
	if l == nil {
		return
	}
	l.SetText(msg)
	l.Show()
}

// unset hides the message of field name.
func (f fieldErrors) unset(name string) {
	if l := f[name]; l != nil {
		l.SetText("")
		l.Hide()
	}
}

// text returns the message shown for field name, "" when none.
func (f fieldErrors) text(name string) string {
	if l := f[name]; l != nil && l.Visible() {
		return l.Text
	}
	return ""
}

// show presents err: under its field when the form has one, else on the
// form's message line, else in a dialog through showError.
func (f fieldErrors) show(err error, win fyne.Window) {
	if err == nil {
		return
	}
	if name := app.ErrorField(err); name != "" && f[name] != nil {
		f.set(name, errText(err))
		return
	}
	if f[""] != nil && app.ErrorCode(err) != app.EINTERNAL {
		f.set("", errText(err))
		return
	}
	showError(err, win)
}

// widthLayout gives its objects at least a fixed width, so a form centred in
// a big window does not shrink to its narrowest entry.
type widthLayout struct{ width float32 }

func (l widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.width, 0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (l widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// centredCard puts a titled card of the given width in the middle of the
// window, scrolling when the window is too short for it.
func centredCard(title, subtitle string, width float32, content fyne.CanvasObject) fyne.CanvasObject {
	card := widget.NewCard(title, subtitle, content)
	return container.NewVScroll(container.NewCenter(container.New(widthLayout{width}, card)))
}

// roleLabels returns the labels of roles, for a select, in the screens'
// language.
func roleLabels(roles []app.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = T(r.Label())
	}
	return out
}

// roleOf turns a select's label back into a role ("" when none chosen).
func roleOf(label string) app.Role {
	for _, r := range app.Roles {
		if label != "" && T(r.Label()) == label {
			return r
		}
	}
	r, err := app.ParseRole(label)
	if err != nil {
		return ""
	}
	return r
}

// sexLabel is how a Sex is shown: "Female".
func sexLabel(s app.Sex) string {
	if s == "" {
		return ""
	}
	return T(s.Label()) // a sex's "Other" and "Unknown" are keys with a context (app.Sex.Label)
}

func sexLabels() []string {
	out := make([]string, len(app.Sexes))
	for i, s := range app.Sexes {
		out[i] = sexLabel(s)
	}
	return out
}

func sexOf(label string) app.Sex {
	for _, s := range app.Sexes {
		if sexLabel(s) == label {
			return s
		}
	}
	return app.Sex(strings.ToLower(label))
}

// currencyCodes are app.Currencies' codes, sorted.
func currencyCodes() []string {
	out := make([]string, 0, len(app.Currencies))
	for c := range app.Currencies {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// commonTimeZones are offered in time-zone selects; any other IANA name may
// be typed.
var commonTimeZones = []string{
	"UTC",                                                                                             //i18n:ok time zone names
	"Africa/Accra", "Africa/Addis_Ababa", "Africa/Cairo", "Africa/Casablanca", "Africa/Dar_es_Salaam", //i18n:ok time zone names
	"Africa/Johannesburg", "Africa/Kampala", "Africa/Kigali", "Africa/Lagos", "Africa/Nairobi", //i18n:ok time zone names
	"America/Bogota", "America/Buenos_Aires", "America/Chicago", "America/Denver", "America/Lima", //i18n:ok time zone names
	"America/Los_Angeles", "America/Mexico_City", "America/New_York", "America/Santiago", //i18n:ok time zone names
	"America/Sao_Paulo", "America/Toronto", //i18n:ok time zone names
	"Asia/Bangkok", "Asia/Dhaka", "Asia/Dubai", "Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Jerusalem", //i18n:ok time zone names
	"Asia/Karachi", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Manila", "Asia/Riyadh", "Asia/Seoul", //i18n:ok time zone names
	"Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", //i18n:ok time zone names
	"Australia/Melbourne", "Australia/Sydney", //i18n:ok time zone names
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Bucharest", "Europe/Istanbul", //i18n:ok time zone names
	"Europe/Kyiv", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Rome", //i18n:ok time zone names
	"Europe/Stockholm", "Europe/Warsaw", "Europe/Zurich", //i18n:ok time zone names
	"Pacific/Auckland", //i18n:ok time zone names
}

// machineTimeZone returns the IANA name of this computer's time zone when it
// can tell (TZ, or the /etc/localtime link on Unix), else "".
func machineTimeZone() string {
	valid := func(name string) bool {
		if name == "" || name == "Local" {
			return false
		}
		_, err := time.LoadLocation(name)
		return err == nil
	}
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); valid(tz) {
		return tz
	}
	if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			if tz := target[i+len("zoneinfo/"):]; valid(tz) {
				return tz
			}
		}
	}
	return ""
}

// timeZoneOptions are the common zones, with the machine's first when it is
// not among them.
func timeZoneOptions() []string {
	if tz := machineTimeZone(); tz != "" && !slices.Contains(commonTimeZones, tz) {
		return append([]string{tz}, commonTimeZones...)
	}
	return commonTimeZones
}

// readDateRange reads a "from" and "to" pair of YYYY-MM-DD entries in the
// clinic's time zone as the half-open range [from, the day after to);
// either may be empty (zero). A bad date or an end before the start is
// shown next to its field and ok is false.
func readDateRange(errs fieldErrors, loc *time.Location, fromText, toText string) (from, to time.Time, ok bool) {
	parse := func(field, text string) (time.Time, bool) {
		text = strings.TrimSpace(text)
		if text == "" {
			return time.Time{}, true
		}
		d, err := time.ParseInLocation(app.DateLayout, text, loc)
		if err != nil {
			errs.set(field, T("Write the date as YYYY-MM-DD."))
			return time.Time{}, false
		}
		return d, true
	}
	from, ok1 := parse("from", fromText)
	last, ok2 := parse("to", toText)
	if !ok1 || !ok2 {
		return time.Time{}, time.Time{}, false
	}
	if !last.IsZero() {
		to = last.AddDate(0, 0, 1) // the whole "to" day
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		errs.set("to", T("The end date is before the start date."))
		return time.Time{}, time.Time{}, false
	}
	return from, to, true
}

// labelColumn is one label column for several forms of a screen, one
// under another, so that their fields start at one x: a widget.Form sizes
// its labels to its own widest, and forms of different sections then do
// not line up.
type labelColumn struct{ labels []*widget.Label }

// width is the widest visible label of every form of the column.
func (c *labelColumn) width() float32 {
	var w float32
	for _, l := range c.labels {
		if l.Visible() {
			w = max(w, l.MinSize().Width)
		}
	}
	return w
}

// form is a form of items (label and widget, as widget.NewFormItem makes
// them) whose labels are in the column c.
func (c *labelColumn) form(items ...*widget.FormItem) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, 2*len(items))
	for _, it := range items {
		l := widget.NewLabelWithStyle(it.Text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		c.labels = append(c.labels, l)
		objs = append(objs, l, it.Widget)
	}
	return container.New(columnFormLayout{c}, objs...)
}

// columnFormLayout lays out label–widget pairs in rows, the labels in
// their shared column.
type columnFormLayout struct{ c *labelColumn }

func (l columnFormLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var fw, h float32
	rows := 0
	for i := 0; i+1 < len(objs); i += 2 {
		if !objs[i+1].Visible() {
			continue
		}
		lm, wm := objs[i].MinSize(), objs[i+1].MinSize()
		fw = max(fw, wm.Width)
		h += max(lm.Height, wm.Height)
		rows++
	}
	if rows > 1 {
		h += float32(rows-1) * pad
	}
	return fyne.NewSize(l.c.width()+pad+fw, h)
}

func (l columnFormLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	lw := l.c.width()
	var y float32
	for i := 0; i+1 < len(objs); i += 2 {
		label, w := objs[i], objs[i+1]
		if !w.Visible() {
			label.Hide()
			continue
		}
		label.Show()
		lm, wm := label.MinSize(), w.MinSize()
		rh := max(lm.Height, wm.Height)
		label.Move(fyne.NewPos(0, y))
		label.Resize(fyne.NewSize(lw, lm.Height))
		w.Move(fyne.NewPos(lw+pad, y))
		w.Resize(fyne.NewSize(size.Width-lw-pad, rh))
		y += rh + pad
	}
}
