package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// historyPageSize is how many timeline entries one page holds.
const historyPageSize = 100

// kindAll is the kind select's "no filter" choice.
var kindAll = i18n.N("All kinds")

// The history kinds' labels, as kindLabel makes them.
var _ = []string{i18n.N("Registration"), i18n.N("Update"), i18n.N("Archive"), i18n.N("Allergy"), i18n.N("Problem"),
	i18n.N("Visit"), i18n.N("Vitals"), i18n.N("Note"), i18n.N("Diagnosis"), i18n.N("Letter"), i18n.N("Prescription"),
	i18n.N("Report"), i18n.N("Assignment"), i18n.N("Appointment"), i18n.N("Invoice"), i18n.N("Payment")}

func kindLabel(k app.HistoryKind) string {
	return T(capitalize(strings.ReplaceAll(string(k), "_", " ")))
}

// historyTab is the patient's timeline, newest first, filterable by kind and
// dates, with older pages on demand.
type historyTab struct {
	b       *chartBase
	entries []*app.HistoryEntry
	visitOf map[string]*app.Visit // the visit a record (or the visit itself) belongs to, by record id
	filter  app.HistoryFilter     // of the entries shown
	seq     int                   // drops answers to an older filter

	kind   *escSelect
	from   *escEntry
	to     *escEntry
	apply  *widget.Button
	older  *widget.Button
	list   *widget.List
	status *widget.Label
	errs   fieldErrors

	content fyne.CanvasObject
}

func newHistoryTab(b *chartBase) *historyTab {
	t := &historyTab{b: b, errs: fieldErrors{}}
	opts := []string{T(kindAll)}
	for _, k := range app.HistoryKinds {
		opts = append(opts, kindLabel(k))
	}
	t.kind = newSelect(opts, func(string) { t.load() })
	t.kind.Selected = T(kindAll)
	t.from = entry(T("From YYYY-MM-DD"))
	t.to = entry(T("To YYYY-MM-DD"))
	t.from.OnSubmitted = func(string) { t.load() }
	t.to.OnSubmitted = func(string) { t.load() }
	t.apply = widget.NewButtonWithIcon(T("Apply"), theme.SearchIcon(), t.load)
	t.older = widget.NewButton(T("Older"), t.onOlder)
	t.older.Hide()
	t.status = widget.NewLabel("")
	t.status.Importance = widget.LowImportance
	t.status.Truncation = fyne.TextTruncateEllipsis
	t.list = widget.NewList(
		func() int { return len(t.entries) },
		func() fyne.CanvasObject {
			when := widget.NewLabel("2026-01-01 00:00")
			kind := widget.NewLabelWithStyle(T("Prescription"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			visit := widget.NewLabel("")
			visit.Importance = widget.HighImportance
			visit.Truncation = fyne.TextTruncateEllipsis
			what := widget.NewLabel("")
			what.Truncation = fyne.TextTruncateEllipsis
			by := widget.NewLabel("")
			by.Importance = widget.LowImportance
			by.Truncation = fyne.TextTruncateEllipsis
			return container.New(&columnsLayout{widths: []float32{150, 130, 200, 520}}, when, kind, visit, what, by)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(t.entries) {
				return
			}
			e := t.entries[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(formatTime(t.b.u, e.At))
			cells[1].(*widget.Label).SetText(kindLabel(e.Kind))
			cells[2].(*widget.Label).SetText(t.visitText(e))
			cells[3].(*widget.Label).SetText(e.Summary)
			cells[4].(*widget.Label).SetText(e.By)
		},
	)
	filters := container.NewGridWithColumns(3,
		t.errs.add("kind", t.kind), t.errs.add("from", t.from), t.errs.add("to", t.to))
	top := container.NewBorder(nil, nil, nil, t.apply, filters)
	bottom := container.NewBorder(nil, nil, nil, t.older, t.status)
	t.content = container.NewBorder(top, bottom, nil, nil, t.list)
	return t
}

func (t *historyTab) view() fyne.CanvasObject { return t.content }

// readFilter reads the filters; ok is false when a date is wrong.
func (t *historyTab) readFilter() (f app.HistoryFilter, ok bool) {
	t.errs.clear()
	f.Limit = historyPageSize
	for _, k := range app.HistoryKinds {
		if kindLabel(k) == t.kind.Selected {
			f.Kinds = []app.HistoryKind{k}
		}
	}
	f.From, f.To, ok = readDateRange(t.errs, t.b.u.location(), t.from.Text, t.to.Text)
	return f, ok
}

// load shows the newest entries that match the filters.
func (t *historyTab) load() {
	f, ok := t.readFilter()
	if !ok {
		return
	}
	t.filter = f
	t.fetch(f, false)
}

func (t *historyTab) onOlder() {
	if len(t.entries) == 0 {
		return
	}
	f := t.filter
	f.BeforeSeq = t.entries[len(t.entries)-1].Seq
	t.fetch(f, true)
}

func (t *historyTab) fetch(f app.HistoryFilter, more bool) {
	t.seq++
	seq := t.seq
	b := t.b
	t.older.Disable()
	type page struct {
		entries []*app.HistoryEntry
		visits  []*app.Visit
	}
	background(b.u, func(ctx context.Context) (page, error) {
		es, err := b.u.svc.Clinical.FindHistory(ctx, b.id, f)
		if err != nil || b.u.svc.Visits == nil {
			return page{entries: es}, err
		}
		vs, err := b.u.svc.Visits.FindVisits(ctx, b.id)
		return page{entries: es, visits: vs}, err
	}, func(p page, err error) {
		es := p.entries
		if seq != t.seq {
			return
		}
		if err == nil {
			t.visitOf = map[string]*app.Visit{}
			for _, v := range p.visits {
				t.visitOf[v.ID] = v
				for _, r := range v.Records {
					t.visitOf[r.RecordID] = v
				}
			}
		}
		t.older.Enable()
		if err != nil {
			t.errs.show(err, b.u.win)
			return
		}
		if more {
			t.entries = append(t.entries, es...)
		} else {
			t.entries = es
			t.list.ScrollToTop()
		}
		t.list.Refresh()
		if len(es) >= f.Limit {
			t.older.Show()
		} else {
			t.older.Hide()
		}
		switch {
		case len(t.entries) == 0:
			t.status.SetText(T("Nothing in the history matches."))
		case len(es) >= f.Limit:
			t.status.SetText(T("Newest first. Older entries: press Older."))
		default:
			t.status.SetText(T("Newest first; that is all."))
		}
	})
}

// visitText names the visit an entry belongs to, so that the entries of
// one visit read as a group: "Visit 2026-03-02 09:00 · Dr Who".
func (t *historyTab) visitText(e *app.HistoryEntry) string {
	v := t.visitOf[e.RefID]
	if v == nil {
		return ""
	}
	return Tf("Visit %s · %s", formatTime(t.b.u, v.StartedAt), v.DoctorName)
}

// changesTab lists the changes to the patient's demographic record: who
// changed what, from what, to what.
type changesTab struct {
	b       *chartBase
	changes []*app.PatientChange
	list    *widget.List
	empty   *widget.Label
	content fyne.CanvasObject
}

func newChangesTab(b *chartBase) *changesTab {
	t := &changesTab{b: b}
	t.list = widget.NewList(
		func() int { return len(t.changes) },
		func() fyne.CanvasObject {
			when := widget.NewLabel("2026-01-01 00:00")
			who := widget.NewLabel("")
			who.Truncation = fyne.TextTruncateEllipsis
			field := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			what := widget.NewLabel("")
			what.Truncation = fyne.TextTruncateEllipsis
			return container.New(&columnsLayout{widths: []float32{150, 140, 170}}, when, who, field, what)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(t.changes) {
				return
			}
			c := t.changes[id]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(formatTime(t.b.u, c.At))
			cells[1].(*widget.Label).SetText(c.Username)
			cells[2].(*widget.Label).SetText(fieldLabel(c.Field))
			cells[3].(*widget.Label).SetText(changeText(c.Old, c.New))
		},
	)
	t.empty = mutedLabel(T("No changes since the patient was registered."))
	t.empty.Hide()
	t.content = container.NewBorder(t.empty, nil, nil, nil, t.list)
	return t
}

func changeText(old, new string) string {
	show := func(s string) string {
		if s == "" {
			return "(empty)"
		}
		return strings.ReplaceAll(s, "\n", " ")
	}
	return show(old) + " → " + show(new)
}

// fieldLabel names a record's field for people: "birth_date" is "Date of birth".
func fieldLabel(f string) string {
	switch f {
	case "given_name":
		return T("Given name")
	case "family_name":
		return T("Family name")
	case "birth_date":
		return T("Date of birth")
	case "email":
		return T("E-mail")
	case "national_id":
		return T("National / insurance id")
	}
	return capitalize(strings.ReplaceAll(f, "_", " "))
}

func (t *changesTab) view() fyne.CanvasObject { return t.content }

func (t *changesTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.PatientChange, error) {
		return b.u.svc.Patients.FindPatientChanges(ctx, b.id)
	}, func(cs []*app.PatientChange) {
		t.changes = cs
		t.empty.Hidden = len(cs) > 0
		t.empty.Refresh()
		t.list.Refresh()
	})
}
