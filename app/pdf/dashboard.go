package pdf

import (
	"bytes"
	"fmt"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"hms/app"
	"hms/app/i18n"
)

// Report prints a dashboard report: the clinic's header with the report's
// title, subtitle (period and filters) and when it was made, the chart
// when there is one (a PNG, as the dashboard shows it), then the table,
// its header repeated on every page, and its totals. Cells too wide for
// their column are shortened with an ellipsis; the CSV export has them
// whole. The document's words are in lang (the reader's), the table's
// title, columns and totals too (app.Table.In); its cells are the records'
// own values.
func Report(clinic *app.Settings, t *app.Table, chart []byte, at time.Time, loc *time.Location, lang i18n.Lang) ([]byte, error) {
	tr := i18n.For(lang)
	t = t.In(tr.Text)
	d := newDoc(tr, t.Title, at)
	made := tr.F("Made %s", tr.DayTime(at.In(loc)))
	widths := d.reportColumnWidths(t)
	d.SetHeaderFuncMode(func() {
		if d.PageNo() > 1 {
			d.font(true, 9, colorMuted)
			d.CellFormat(contentW, d.lineH(), t.Title+" · "+t.Subtitle, "", 2, alignL, false, 0, "")
			d.Ln(1)
			d.reportTableHeader(widths, t.Columns)
		}
	}, true)
	d.SetFooterFunc(func() { d.footer(t.Title + " · " + t.Subtitle) })
	d.AddPage()
	d.clinicHeader(clinic, t.Title, []string{t.Subtitle, made})
	if len(chart) > 0 {
		info := d.RegisterImageOptionsReader("chart", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(chart)) //i18n:ok an image type
		if d.Err() {
			return nil, fmt.Errorf("pdf: chart: %w", d.Error())
		}
		h := contentW * info.Height() / info.Width()
		d.ImageOptions("chart", marginX, d.GetY(), contentW, h, false, fpdf.ImageOptions{}, 0, "")
		d.SetY(d.GetY() + h + 4)
	}
	d.reportTableHeader(widths, t.Columns)
	rows := t.Rows
	if len(rows) > app.MaxPDFRows {
		rows = rows[:app.MaxPDFRows]
	}
	d.font(false, 7.5, colorText)
	for i, row := range rows {
		if i%2 == 1 {
			d.SetFillColor(244, 244, 244)
		}
		d.reportTableRow(widths, row, i%2 == 1)
	}
	if len(t.Footer) > 0 {
		d.font(true, 7.5, colorText)
		d.reportTableRow(widths, t.Footer, false)
	}
	d.Ln(3)
	d.font(false, 8, colorMuted)
	switch {
	case len(t.Rows) == 0:
		d.text(contentW, tr.T("Nothing in this period."))
	case len(t.Rows) > len(rows):
		d.text(contentW, tr.F("%[1]s rows; the first %[2]s are printed. The CSV export has them all.",
			tr.Integer(int64(len(t.Rows))), tr.Integer(int64(len(rows)))))
	default:
		d.text(contentW, tr.F("%s rows.", tr.Integer(int64(len(t.Rows)))))
	}
	return d.bytes()
}

// reportColumnWidths shares the page's width between the columns in proportion
// to their widest text (header and rows), each at least a narrow minimum.
func (d *doc) reportColumnWidths(t *app.Table) []float64 {
	d.font(false, 7.5, colorText)
	want := make([]float64, len(t.Columns))
	measure := func(row []string) {
		for i := range min(len(row), len(want)) {
			want[i] = max(want[i], d.GetStringWidth(row[i])+2)
		}
	}
	measure(t.Columns)
	for i, row := range t.Rows {
		if i >= 500 { // a sample is enough to size the columns
			break
		}
		measure(row)
	}
	measure(t.Footer)
	total := 0.0
	for i := range want {
		want[i] = min(max(want[i], 10), 70)
		total += want[i]
	}
	for i := range want {
		want[i] *= contentW / total
	}
	return want
}

// reportTableHeader prints the column names, bold on grey.
func (d *doc) reportTableHeader(widths []float64, columns []string) {
	d.font(true, 7.5, colorText)
	d.SetFillColor(225, 225, 225)
	d.reportTableRow(widths, columns, true)
	d.font(false, 7.5, colorText)
}

// reportTableRow prints one line of cells, each shortened to its column.
func (d *doc) reportTableRow(widths []float64, row []string, fill bool) {
	h := d.lineH() + 0.6
	for i, w := range widths {
		s := ""
		if i < len(row) {
			s = d.ellipsize(row[i], w-1.5)
		}
		d.CellFormat(w, h, s, "", 0, alignL, fill, 0, "")
	}
	d.Ln(h)
}

// ellipsize shortens s with an ellipsis until it is at most w millimetres wide,
// on one line.
func (d *doc) ellipsize(s string, w float64) string {
	s = flattenLines(s)
	if d.GetStringWidth(s) <= w {
		return s
	}
	for s != "" && d.GetStringWidth(s+"…") > w {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s + "…"
}

// flattenLines turns line breaks into spaces.
func flattenLines(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r == '\n' || r == '\r' || r == '\t' {
			b[i] = ' '
		}
	}
	return string(b)
}
