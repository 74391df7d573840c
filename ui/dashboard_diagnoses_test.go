package ui

import (
	"context"
	"testing"

	"hms/app"
	"hms/app/mock"
)

// TestDashboardTopDiagnoses: the admin dashboard lists the period's most
// frequent coded diagnoses, from the morbidity report of that period.
func TestDashboardTopDiagnoses(t *testing.T) {
	h := newDashHarness(t)
	h.u.svc.Diagnoses = &mock.DiagnosisService{MorbidityReportFn: func(ctx context.Context, f app.MorbidityFilter) (*app.MorbidityReport, error) {
		h.record("MorbidityReport", ctx, f)
		return &app.MorbidityReport{From: f.From, To: f.To, Total: 7, ByCode: []app.MorbidityCount{
			{Key: "J06.9", Title: "Acute upper respiratory infection, unspecified", Count: 5},
			{Key: "I10", Title: "Essential (primary) hypertension", Count: 2}}}, nil
	}}
	s := h.openDashboard(app.RoleAdmin)
	v := s.clinic
	month := period(t, app.PeriodMonth)
	h.awaitFigures(v, month)
	h.waitFor("the top diagnoses", func() bool { return v.diagnoses.rep != nil })
	from, to := month.Bounds(h.u.location())
	if got := h.callsOf("MorbidityReport")[0].(app.MorbidityFilter); !got.From.Equal(from) || !got.To.Equal(to) {
		t.Errorf("report of %v – %v, want %v – %v", got.From, got.To, from, to)
	}
	for _, want := range []string{"Top diagnoses", "J06.9", "Acute upper respiratory infection, unspecified", "I10"} {
		if !h.shows(want) {
			t.Errorf("the dashboard does not show %q", want)
		}
	}
}
