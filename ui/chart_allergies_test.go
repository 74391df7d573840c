package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// TestChartAllergyStates: a chart without allergies says "Allergies not
// recorded", highlighted, until a clinician records "No known drug
// allergies", which the chart shows with who and when.
func TestChartAllergyStates(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleDoctor)
	chart := graceChart()
	chart.Allergies, chart.AllergyStatus = nil, app.AllergiesNotRecorded
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) { return chart, nil }
	h.clinical.RecordNoKnownAllergiesFn = func(ctx context.Context, id string) (*app.AllergyStatement, error) {
		h.record("RecordNoKnownAllergies", ctx, id)
		return &app.AllergyStatement{ID: "s1", PatientID: id, RecordedBy: "Dr Who", RecordedAt: time.Now()}, nil
	}
	c.reload()
	c.summary.load()
	h.waitFor("the chart without allergies", func() bool {
		return c.summary.noKnownAllergies != nil && strings.Contains(c.allergies.Text, "not recorded")
	})
	if c.allergies.Importance != widget.WarningImportance || !strings.Contains(c.allergies.Text, "Allergies not recorded") {
		t.Fatalf("header %q (importance %v)", c.allergies.Text, c.allergies.Importance)
	}
	if c.summary.noKnownAllergies == nil || !h.shows("Allergies not recorded") {
		t.Fatal("the summary offers no way to record no known drug allergies")
	}
	c.summary.onNoKnownAllergies()
	var yes *widget.Button
	walk(h.u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := asButton(o); ok && b.Text == "Yes" {
			yes = b
		}
	})
	if yes == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(yes)
	h.waitFor("the statement", func() bool { return h.called("RecordNoKnownAllergies") == 1 })
	if got := h.callsOf("RecordNoKnownAllergies"); got[0] != chart.Patient.ID {
		t.Fatalf("stated for %v", got)
	}
	chart.AllergyStatus = app.AllergiesNoneKnown
	chart.NoKnownAllergies = &app.AllergyStatement{ID: "s1", RecordedBy: "Dr Who", RecordedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	c.summary.noKnownAllergies = nil
	c.reload()
	c.summary.load()
	h.waitFor("the statement shown", func() bool { return strings.Contains(c.allergies.Text, "No known drug allergies") })
	if c.allergies.Importance == widget.WarningImportance || !strings.Contains(c.allergies.Text, "No known drug allergies (recorded by Dr Who") {
		t.Fatalf("header %q", c.allergies.Text)
	}
	if c.summary.noKnownAllergies != nil {
		t.Fatal("offered again while stated")
	}
}
