package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// auditPageSize is how many entries one page of the audit table shows.
const auditPageSize = 100

var auditColumns = []struct {
	title string
	width float32
}{
	{"#", 50}, {i18n.N("When"), 150}, {i18n.N("User"), 100}, {i18n.N("Role"), 110}, {i18n.N("Action"), 130},
	{i18n.N("Record"), 190}, {i18n.N("Patient"), 210}, {i18n.N("Outcome"), 70}, {i18n.N("Detail"), 240},
}

// outcomeAny is the outcome select's "no filter" choice.
var outcomeAny = i18n.N("Any outcome")

// outcomeLabels name the outcomes for people; the audit entry keeps the
// code.
var outcomeLabels = map[app.Outcome]string{
	app.OutcomeOK: i18n.N("ok"), app.OutcomeDenied: i18n.N("denied"), app.OutcomeFailed: i18n.N("failed"),
}

// outcomeLabel is an outcome as the screen shows it.
func outcomeLabel(o app.Outcome) string {
	if l, ok := outcomeLabels[o]; ok {
		return T(l)
	}
	return string(o)
}

// auditScreen is the admin's view of the audit log, newest first, with
// filters, paging to older entries and the database check.
type auditScreen struct {
	u *UI

	entries []*app.AuditEntry
	// pages holds the BeforeSeq of each page shown so far, so "Newer" can
	// go back; the last one is the current page's.
	pages []int64

	username *escEntry
	action   *escEntry
	outcome  *escSelect
	from     *escEntry
	to       *escEntry
	search   *widget.Button
	newer    *widget.Button
	older    *widget.Button
	verify   *widget.Button
	table    *widget.Table
	pageInfo *widget.Label
	errs     fieldErrors

	report     *app.VerifyReport // the last check's result
	reportText string

	content fyne.CanvasObject
}

func newAuditScreen(u *UI) *auditScreen {
	s := &auditScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *auditScreen) buildUI() {
	s.username = entry(T("Username"))
	s.action = entry(T("Action prefix, e.g. user."))
	s.outcome = newSelect([]string{T(outcomeAny), outcomeLabel(app.OutcomeOK), outcomeLabel(app.OutcomeDenied), outcomeLabel(app.OutcomeFailed)}, nil)
	s.outcome.SetSelected(T(outcomeAny))
	s.from = entry(T("From YYYY-MM-DD"))
	s.to = entry(T("To YYYY-MM-DD"))
	for _, e := range []*escEntry{s.username, s.action, s.from, s.to} {
		e.OnSubmitted = func(string) { s.onSearch() }
	}
	s.search = widget.NewButtonWithIcon(T("Search"), theme.SearchIcon(), s.onSearch)
	s.newer = widget.NewButton(T("Newer"), s.onNewer)
	s.older = widget.NewButton(T("Older"), s.onOlder)
	s.verify = widget.NewButtonWithIcon(T("Verify database"), theme.ConfirmIcon(), s.onVerify)
	s.pageInfo = widget.NewLabel("")

	s.table = widget.NewTable(
		func() (int, int) { return len(s.entries), len(auditColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
		},
	)
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(auditColumns) {
			o.(*widget.Label).SetText(T(auditColumns[id.Col].title))
		}
	}
	for i, c := range auditColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.updatePaging()

	filters := container.NewGridWithColumns(5,
		s.errs.add("username", s.username),
		s.errs.add("action", s.action),
		s.errs.add("outcome", s.outcome),
		s.errs.add("from", s.from),
		s.errs.add("to", s.to),
	)
	top := container.NewVBox(
		container.NewHBox(widget.NewLabelWithStyle(T("Audit log"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), layout.NewSpacer(), s.verify),
		container.NewBorder(nil, nil, nil, s.search, filters),
	)
	bottom := container.NewHBox(s.pageInfo, layout.NewSpacer(), s.newer, s.older)
	s.content = container.NewBorder(top, bottom, nil, nil, s.table)
}

func (s *auditScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.entries) {
		return ""
	}
	e := s.entries[row]
	switch col {
	case 0:
		return strconv.FormatInt(e.Seq, 10)
	case 1:
		return e.At.In(s.u.location()).Format("2006-01-02 15:04:05")
	case 2:
		return e.Username
	case 3:
		return T(e.Role.Label())
	case 4:
		return e.Action
	case 5:
		if e.Record != "" {
			return e.Record
		}
		return strings.Trim(e.Entity+" "+e.EntityID, " ")
	case 6:
		if e.PatientName != "" {
			return e.PatientName
		}
		return e.PatientID
	case 7:
		return outcomeLabel(e.Outcome)
	case 8:
		return e.Detail
	}
	return ""
}

// filter reads the filter fields; ok is false when a date is wrong (the
// message is shown next to it).
func (s *auditScreen) filter() (f app.AuditFilter, ok bool) {
	s.errs.clear()
	f = app.AuditFilter{
		Username: strings.TrimSpace(s.username.Text),
		Action:   strings.TrimSpace(s.action.Text),
		Limit:    auditPageSize,
	}
	for o := range outcomeLabels {
		if s.outcome.Selected == outcomeLabel(o) {
			f.Outcome = o
		}
	}
	f.From, f.To, ok = readDateRange(s.errs, s.u.location(), s.from.Text, s.to.Text)
	return f, ok
}

// onSearch shows the newest entries that match the filters.
func (s *auditScreen) onSearch() {
	s.pages = []int64{0}
	s.fetch()
}

// onOlder shows the next page of older entries.
func (s *auditScreen) onOlder() {
	if len(s.entries) == 0 {
		return
	}
	s.pages = append(s.pages, s.entries[len(s.entries)-1].Seq)
	s.fetch()
}

// onNewer goes back one page.
func (s *auditScreen) onNewer() {
	if len(s.pages) <= 1 {
		return
	}
	s.pages = s.pages[:len(s.pages)-1]
	s.fetch()
}

func (s *auditScreen) fetch() {
	f, ok := s.filter()
	if !ok {
		return
	}
	f.BeforeSeq = s.pages[len(s.pages)-1]
	s.search.Disable()
	background(s.u, func(ctx context.Context) ([]*app.AuditEntry, error) {
		return s.u.svc.Audit.FindAuditEntries(ctx, f)
	}, func(entries []*app.AuditEntry, err error) {
		s.search.Enable()
		if err != nil {
			s.pages = s.pages[:max(1, len(s.pages)-1)]
			s.errs.show(err, s.u.win)
			s.updatePaging()
			return
		}
		s.entries = entries
		s.table.Refresh()
		s.table.ScrollToTop()
		s.updatePaging()
	})
}

func (s *auditScreen) updatePaging() {
	if len(s.pages) > 1 {
		s.newer.Enable()
	} else {
		s.newer.Disable()
	}
	if len(s.entries) >= auditPageSize {
		s.older.Enable()
	} else {
		s.older.Disable()
	}
	switch {
	case len(s.entries) == 0:
		s.pageInfo.SetText(T("No entries match."))
	default:
		s.pageInfo.SetText(Tf("Page %d: entries %d to %d", len(s.pages), s.entries[0].Seq, s.entries[len(s.entries)-1].Seq))
	}
}

// onVerify checks the database and the audit chain and shows the report.
func (s *auditScreen) onVerify() {
	s.verify.Disable()
	background(s.u, func(ctx context.Context) (*app.VerifyReport, error) {
		return s.u.svc.Audit.Verify(ctx)
	}, func(r *app.VerifyReport, err error) {
		s.verify.Enable()
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.report = r
		s.reportText = verifyReportText(r)
		// The check wrote its own audit entry: show the list as it is now.
		s.fetch()
		if !r.OK() {
			showProblem(T("Database problems found"), s.reportText, s.u.win)
			return
		}
		showMessage(T("Database verified"), s.reportText, s.u.win)
	})
}

// verifyReportText writes a VerifyReport for people.
func verifyReportText(r *app.VerifyReport) string {
	var b strings.Builder
	check := func(ok bool, name string, problems []string) {
		if ok {
			b.WriteString(Tf("%s: OK\n", name))
			return
		}
		b.WriteString(Tf("%s: PROBLEMS\n", name))
		for i, p := range problems {
			if i == 10 {
				b.WriteString(Tf("  … and %d more\n", len(problems)-10))
				break
			}
			b.WriteString("  " + p + "\n")
		}
	}
	check(r.IntegrityOK, T("Database integrity"), r.Integrity)
	check(r.ForeignKeyOK, T("Links between records"), r.ForeignKeys)
	if r.AuditOK {
		b.WriteString(Tf("Audit log chain: OK (%d entries)\n", r.AuditRows))
	} else {
		b.WriteString(Tf("Audit log chain: BROKEN (%d entries)\n", r.AuditRows) + "  " + r.AuditProblem + "\n")
	}
	check(len(r.DocumentProblems) == 0, Tf("Attached reports (%d checked)", r.Documents), r.DocumentProblems)
	check(len(r.SchemaProblems) == 0, T("Tables and guard triggers"), r.SchemaProblems)
	check(len(r.RecordProblems) == 0, Tf("Records against their last audited write (%d checked)", r.Records), r.RecordProblems)
	if !r.OK() {
		b.WriteString(T("\nKeep a copy of the database file and tell your administrator or support."))
	}
	return strings.TrimRight(b.String(), "\n")
}
