package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// figureRows are the texts of the rows a figure list shows, top to
// bottom, each row's cells joined by " | ".
func figureRows(f *figureList) []string {
	var out []string
	walk(f.list, func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok || !c.Visible() {
			return
		}
		if _, ok := c.Layout.(figureTable); !ok {
			return
		}
		var cells []string
		for _, cell := range c.Objects {
			cells = append(cells, cell.(*widget.Label).Text)
		}
		out = append(out, strings.Join(cells, " | "))
	})
	return out
}

// TestDashboardMoneyListsAreFigureLists: revenue by doctor and the top
// services are lists as tall as their rows on the scrolling figures page,
// every row drawn with its figures, the mouse wheel over them scrolling
// the page.
func TestDashboardMoneyListsAreFigureLists(t *testing.T) {
	h := newDashHarness(t)
	fin := sampleFinancial()
	for i := range 10 {
		fin.TopServices = append(fin.TopServices, app.ServiceFigure{Code: fmt.Sprintf("LAB-%02d", i), Name: "Lab test",
			Quantity: int64(i + 1), Revenue: app.Money(1000 * (i + 1))})
	}
	h.dash.DashboardFn = func(ctx context.Context, p app.Period) (*app.Dashboard, error) {
		h.record("Dashboard", ctx, p)
		return &app.Dashboard{Period: p, At: h.clock(), Financial: fin, Clinical: sampleClinical(p)}, nil
	}
	s := h.openDashboard(app.RoleAdmin)
	v := s.clinic
	h.awaitFigures(v, period(t, app.PeriodMonth))
	h.settle()

	for _, tc := range []struct {
		list  *figureList
		title string
		rows  []string
	}{
		{v.doctorRevenue, "Revenue by doctor", []string{"Dr Who | 1,000.00", "Not attributed to a doctor | 234.50"}},
		{v.services, "Top services by revenue", []string{"CONS-GP · General consultation | 10 | 450.00",
			"Lines typed without a price list item | 1 | 1.00", "LAB-00 · Lab test | 1 | 10.00", "LAB-09 · Lab test | 10 | 100.00"}},
	} {
		if tc.list.title.Text != tc.title {
			t.Errorf("list titled %q, want %q", tc.list.title.Text, tc.title)
		}
		got := figureRows(tc.list)
		n := tc.list.list.Length()
		if len(got) != n {
			t.Errorf("%s: %d rows drawn of %d: the list is not as tall as its rows (%q)", tc.title, len(got), n, got)
		}
		for _, want := range tc.rows {
			if !strings.Contains(strings.Join(got, "\n"), want) {
				t.Errorf("%s: no row %q in %q", tc.title, want, got)
			}
		}
		if hgt, row := tc.list.list.Size().Height, tableRow(serviceColumns, false).MinSize().Height; hgt < float32(n)*row {
			t.Errorf("%s: the list is %.0f high for %d rows of %.0f", tc.title, hgt, n, row)
		}
	}
	if v.services.empty.Visible() || v.doctorRevenue.empty.Visible() {
		t.Error("a list with rows says it is empty")
	}

	// The wheel over a list scrolls the figures page.
	page := v.content.(*fyne.Container).Objects[0].(*container.Scroll)
	before := page.Offset.Y
	test.Scroll(h.u.win.Canvas(), fyne.CurrentApp().Driver().AbsolutePositionForObject(v.services.wheel).AddXY(20, 20), 0, -60)
	if v.services.wheel.page == nil || page.Offset.Y <= before {
		t.Errorf("the wheel over the top services moved the page from %.0f to %.0f", before, page.Offset.Y)
	}

	// No money: each list says so.
	fin.TopServices, fin.Doctors = nil, nil
	test.Tap(v.refresh)
	h.waitFor("the empty lists", func() bool { return v.services.empty.Visible() && v.doctorRevenue.empty.Visible() })
	if v.services.empty.Text != "No services billed." || v.doctorRevenue.empty.Text != "No revenue." || len(figureRows(v.services)) != 0 {
		t.Errorf("empty lists say %q and %q", v.services.empty.Text, v.doctorRevenue.empty.Text)
	}
}
