package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// importPreviewRows is how many records the preview table shows.
const importPreviewRows = 20

// columnNone is a field select's "not imported" choice (shown as
// T(columnNone)).
var columnNone = i18n.N("— not imported —")

// importWizard imports patients from a CSV file already read: a preview of
// the first records, a column chosen for each field, a check that lists
// every bad row, and the import, all rows or none.
type importWizard struct {
	u     *UI
	name  string
	table *app.CSVTable

	fields   map[string]*escSelect // import field -> its column
	preview  *widget.Table
	check    *escButton
	doImport *escButton
	cancel   *escButton
	summary  *widget.Label
	problems *widget.List // the bad rows, one a line
	lines    []string     // what problems shows

	rows    []app.ImportRow // checked and good; nil until a check passes
	bad     []app.RowError
	checked bool // rows and bad match the selects

	result *app.ImportResult
	done   func()
	dialog dialog.Dialog
}

func showImportWizard(u *UI, name string, t *app.CSVTable, done func()) *importWizard {
	w := &importWizard{u: u, name: name, table: t, done: done, fields: map[string]*escSelect{}}
	w.buildUI()
	return w
}

func (w *importWizard) columnOptions() []string {
	opts := []string{T(columnNone)}
	for i, h := range w.table.Header {
		opts = append(opts, columnLabel(i, h))
	}
	return opts
}

func columnLabel(i int, h string) string {
	h = strings.TrimSpace(h)
	if h == "" {
		return Tf("Column %d", i+1)
	}
	return strconv.Itoa(i+1) + ": " + h
}

func (w *importWizard) buildUI() {
	guess := app.GuessMapping(w.table.Header)
	opts := w.columnOptions()
	var items []*widget.FormItem
	for _, f := range app.PatientImportFields {
		sel := newSelect(opts, func(string) { w.invalidate() })
		if col, ok := guess[f]; ok && col >= 0 && col < len(w.table.Header) {
			sel.Selected = opts[col+1]
		} else {
			sel.Selected = T(columnNone)
		}
		w.fields[f] = sel
		items = append(items, widget.NewFormItem(fieldLabel(f), sel))
	}
	mapping := widget.NewForm(items...)

	shown := min(len(w.table.Records), importPreviewRows)
	w.preview = widget.NewTable(
		func() (int, int) { return shown, len(w.table.Header) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text := ""
			if id.Row >= 0 && id.Row < shown {
				if f := w.table.Records[id.Row].Fields; id.Col < len(f) {
					text = strings.ReplaceAll(f[id.Col], "\n", " ")
				}
			}
			o.(*widget.Label).SetText(text)
		},
	)
	w.preview.ShowHeaderRow = true
	w.preview.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	w.preview.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(w.table.Header) {
			o.(*widget.Label).SetText(columnLabel(id.Col, w.table.Header[id.Col]))
		}
	}
	for i := range w.table.Header {
		w.preview.SetColumnWidth(i, 140)
	}

	w.check = newButton(T("Check"), w.onCheck)
	w.check.Importance = widget.HighImportance
	w.doImport = newButton(T("Import"), w.onImport)
	w.doImport.Importance = widget.HighImportance
	w.doImport.Disable()
	w.cancel = newButton(T("Cancel"), w.close)
	w.summary = wrapLabel(Tf("%s: %d records. Choose the column of each field, then Check.", w.name, len(w.table.Records)))
	w.problems = widget.NewList(
		func() int { return len(w.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Importance = widget.DangerImportance
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(w.lines) {
				o.(*widget.Label).SetText(w.lines[id])
			}
		},
	)

	previewTitle := sectionTitle(Tf("The first %d records", shown))
	left := container.NewBorder(sectionTitle(T("Columns")), nil, nil, nil, container.NewVScroll(mapping))
	right := container.NewVSplit(
		container.NewBorder(previewTitle, nil, nil, nil, w.preview),
		container.NewBorder(container.NewVBox(sectionTitle(T("Check")), w.summary), nil, nil, nil, w.problems),
	)
	split := container.NewHSplit(left, right)
	split.Offset = 0.34
	content := container.NewBorder(nil, container.NewHBox(w.cancel, layout.NewSpacer(), w.check, w.doImport), nil, nil, split)
	w.dialog = dialog.NewCustomWithoutButtons(T("Import patients"), content, w.u.win)
	w.dialog.Resize(fyne.NewSize(1180, 740))
	w.dialog.Show()
}

// mapping reads the selects.
func (w *importWizard) mapping() app.ColumnMapping {
	m := app.ColumnMapping{}
	for f, sel := range w.fields {
		if i := sel.SelectedIndex(); i > 0 {
			m[f] = i - 1
		}
	}
	return m
}

// invalidate forgets the last check when a column changes.
func (w *importWizard) invalidate() {
	w.checked, w.rows, w.bad = false, nil, nil
	w.doImport.Disable()
}

// checkResult is the outcome of turning the records into rows.
type checkResult struct {
	rows []app.ImportRow
	bad  []app.RowError
}

func (w *importWizard) onCheck() {
	m := w.mapping()
	today := w.u.now().In(w.u.location())
	t := w.table
	w.check.Disable()
	w.doImport.Disable()
	background(w.u, func(context.Context) (checkResult, error) {
		rows, bad := t.PatientRows(m, today)
		return checkResult{rows, bad}, nil
	}, func(r checkResult, _ error) {
		w.check.Enable()
		w.checked, w.rows, w.bad = true, r.rows, r.bad
		w.showCheck()
	})
}

func (w *importWizard) showCheck() {
	if len(w.bad) > 0 {
		w.summary.SetText(Tf("%d rows have problems; nothing is imported until every row is right. Fix the file or the columns and check again.", len(w.bad)))
		w.showProblems(w.bad)
		w.doImport.Disable()
		return
	}
	w.showProblems(nil)
	if len(w.rows) == 0 {
		w.summary.SetText(T("The file has no rows to import."))
		w.doImport.Disable()
		return
	}
	w.summary.SetText(Tf("All %d rows are ready to import.", len(w.rows)))
	w.doImport.Enable()
}

func (w *importWizard) showProblems(bad []app.RowError) {
	w.lines = make([]string, len(bad))
	for i, e := range bad {
		w.lines[i] = rowErrorText(e)
	}
	w.problems.Refresh()
	w.problems.ScrollToTop()
}

// problemsText is every bad row shown, one a line.
func (w *importWizard) problemsText() string { return strings.Join(w.lines, "\n") }

// rowErrorText is "line 7: date of birth — message", or without a line for
// a problem of the mapping.
func rowErrorText(e app.RowError) string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString(Tf("line %d: ", e.Line))
	}
	if e.Field != "" {
		b.WriteString(strings.ToLower(T(fieldLabel(e.Field))) + " — ")
	}
	b.WriteString(Tx(e.Message))
	return b.String()
}

func (w *importWizard) onImport() {
	if !w.checked || len(w.bad) > 0 || len(w.rows) == 0 {
		return
	}
	rows := w.rows
	w.doImport.Disable()
	w.check.Disable()
	background(w.u, func(ctx context.Context) (*app.ImportResult, error) {
		return w.u.svc.Patients.ImportPatients(ctx, rows)
	}, func(res *app.ImportResult, err error) {
		w.check.Enable()
		if err != nil {
			var ie *app.ImportError
			if errors.As(err, &ie) {
				w.bad = ie.Rows
				w.summary.SetText(errText(err))
				w.showProblems(ie.Rows)
				return
			}
			w.doImport.Enable()
			showError(err, w.u.win)
			return
		}
		w.result = res
		w.close()
		w.showResult(res)
	})
}

func (w *importWizard) close() {
	w.dialog.Hide()
	if w.done != nil {
		done := w.done
		w.done = nil
		done()
	}
}

// showResult tells how many patients were imported and lists the rows
// flagged as possible duplicates.
func (w *importWizard) showResult(res *app.ImportResult) {
	text := Tf("Imported %d patients.", res.Imported)
	if len(res.Duplicates) > 0 {
		lines := []string{text, "", Tf("%d may be duplicates; check them:", len(res.Duplicates))}
		for _, d := range res.Duplicates {
			lines = append(lines, Tf("line %d: %s — %s", d.Line, d.MRN, d.Reason))
		}
		text = strings.Join(lines, "\n")
	}
	l := wrapLabel(text)
	l.Selectable = true
	d := newInfoDialog(T("Import done"), T("Close"), container.New(widthLayout{560}, container.NewVScroll(l)), w.u.win)
	if len(res.Duplicates) > 0 {
		d.Resize(fyne.NewSize(620, 460))
	}
	d.Show()
}
