package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// TestAllergyReview: the doctor's dashboard lists the allergies the check
// cannot match, saying why; a row opens the patient's chart.
func TestAllergyReview(t *testing.T) {
	h := newDashHarness(t)
	h.serveDoctorDashboard()
	h.clinical.AllergyReviewFn = func(ctx context.Context) ([]*app.AllergyReviewItem, error) {
		h.record("AllergyReview", ctx, nil)
		return []*app.AllergyReviewItem{
			{Allergy: &app.Allergy{ID: "a-1", PatientID: "p-2", Substance: "the pills from last winter", Severity: app.SeverityModerate},
				PatientName: "Ada Lovelace", PatientMRN: "P-D1-000002"},
			{Allergy: &app.Allergy{ID: "a-2", PatientID: "p-1", Substance: "aspirin and codeine", Severity: app.SeveritySevere},
				PatientName: "Grace Hopper", PatientMRN: "P-D1-000001", Matches: []string{"aspirin", "codeine"}},
		}, nil
	}
	s := h.openDashboard(app.RoleDoctor)
	v := s.doctor
	h.waitFor("the doctor's dashboard", func() bool { return v.dash != nil })
	test.Tap(v.review)
	r := v.reviewed
	h.waitFor("the review", func() bool { return len(listRows(r.list)) == 2 })
	for _, want := range []string{"Ada Lovelace · P-D1-000002", "the pills from last winter (moderate) — not checkable",
		"aspirin and codeine (severe) — names several: aspirin, codeine"} {
		if !h.shows(want) {
			t.Errorf("the review does not show %q", want)
		}
	}
	r.list.Select(0)
	h.waitFor("Ada's chart", func() bool { return s.chart != nil && h.called("GetChart") == 1 })
	if got := h.lastCall("GetChart"); got != "p-2" {
		t.Errorf("GetChart(%v), want Ada's", got)
	}
}
