package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// summaryRows are the texts of the rows of a summary list on screen.
func summaryRows(l *summaryList) []string {
	var out []string
	for _, r := range listRows(l.list) {
		out = append(out, r.body.(*widget.Label).Text)
	}
	return out
}

// TestChartSummaryLists: the summary's allergies, problems, medications
// and assigned doctors are lists that share the column's height: each as
// tall as its rows while they fit, a long one scrolling on its own with
// several rows in view, the next appointment and last vitals still shown.
func TestChartSummaryLists(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleDoctor)
	h.u.win.Resize(fyne.NewSize(1280, 800))
	s := c.summary
	h.waitFor("the summary", func() bool { return s.chart != nil })
	h.settle()

	for _, tc := range []struct {
		l      *summaryList
		key    string
		text   string
		button string
	}{
		{s.allergies, "a-1", "Penicillin (severe, anaphylaxis)", "Remove…"},
		{s.problems, "pr-1", "Hypertension (since 2019)", "Resolve…"},
		{s.medications, "rx-1/0", "Amlodipine 5 mg, 1 tablet, daily  (RX-D1-2026-000001, Dr Who)", ""},
		{s.doctors, "as-1", "Dr Who — Hypertension, since 2026-01-05", "End…"},
	} {
		got := summaryRows(tc.l)
		if len(got) != 1 || got[0] != tc.text {
			t.Errorf("rows %q, want %q", got, tc.text)
		}
		if tc.button != "" && rowButton(tc.l.list, tc.key, tc.button) == nil {
			t.Errorf("%q has no %s", tc.text, tc.button)
		}
		if tc.l.list.Size().Height < tc.l.list.tall || tc.l.list.tall == 0 {
			t.Errorf("%q: the list is %.0f high for rows %.0f high", tc.text, tc.l.list.Size().Height, tc.l.list.tall)
		}
	}
	if rowButtons(s.medications.list, "Remove…")+rowButtons(s.medications.list, "End…") != 0 {
		t.Error("a medication has a button")
	}

	// Forty medications: their list scrolls on its own, with several rows
	// in view; the allergies and the rest stay whole.
	long := graceChart()
	for i := range 40 {
		long.Medications[0].Items = append(long.Medications[0].Items, app.PrescriptionItem{Drug: fmt.Sprintf("Drug %d", i+1),
			Strength: "10 mg", Dose: "1 tablet", Frequency: "daily"})
	}
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return long, nil
	}
	s.load()
	h.waitFor("the long chart", func() bool { return len(s.meds) == 41 })
	h.settle()
	meds := summaryRows(s.medications)
	rowH := listRows(s.medications.list)[0].MinSize().Height
	if hgt := s.medications.list.Size().Height; hgt < 5*rowH || hgt >= s.medications.list.tall {
		t.Errorf("the medications' list is %.0f high: rows of %.0f, %.0f in all", hgt, rowH, s.medications.list.tall)
	}
	if len(meds) < 5 || len(meds) > 30 {
		t.Errorf("%d medication rows built", len(meds))
	}
	if s.allergies.list.Size().Height < s.allergies.list.tall || summaryRows(s.allergies)[0] != "Penicillin (severe, anaphylaxis)" {
		t.Errorf("the allergies are cut: %q", summaryRows(s.allergies))
	}
	for _, want := range []string{s.nextVisit.Text, s.lastVitals.Text} {
		if !visibleLabel(h, want) {
			t.Errorf("%q is not in view", want)
		}
	}
	s.medications.list.ScrollToBottom()
	h.settle()
	if meds = summaryRows(s.medications); !strings.HasPrefix(meds[len(meds)-1], "Drug 40 10 mg") {
		t.Errorf("the last medication after scrolling is %q", meds[len(meds)-1])
	}

	// Nothing recorded: each list says so; the allergies offer the
	// statement that there are none.
	empty := &app.Chart{Patient: grace()}
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return empty, nil
	}
	s.load()
	h.waitFor("the empty chart", func() bool { return len(s.meds) == 0 && s.noKnownAllergies != nil })
	h.settle()
	for _, want := range []string{"Allergies not recorded", "No active problems.", "No current medications.", "No doctor assigned."} {
		if !h.shows(want) {
			t.Errorf("the empty summary does not say %q", want)
		}
	}
	if len(summaryRows(s.problems)) != 0 || !s.noKnownAllergies.Visible() {
		t.Error("an empty list shows rows, or no statement of no allergies is offered")
	}
}
