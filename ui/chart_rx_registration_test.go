package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// TestChartRegistrationNumber: a doctor sees the registration number
// prescriptions print, and records a new one from the Prescriptions tab;
// a malformed one is refused next to the field.
func TestChartRegistrationNumber(t *testing.T) {
	h := newClinicHarness(t)
	h.clinical.FindPrescriptionsFn = func(ctx context.Context, id string) ([]*app.Prescription, error) { return nil, nil }
	h.clinical.GetPrescriberFn = func(ctx context.Context, id string) (*app.Prescriber, error) {
		h.record("GetPrescriber", ctx, id)
		return &app.Prescriber{DoctorID: id, Name: "Dr Who", RegistrationNumber: "GMC 1", RecordedBy: "Dr Who",
			RecordedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}, nil
	}
	h.clinical.SetRegistrationNumberFn = func(ctx context.Context, id, n string) (*app.Prescriber, error) {
		h.record("SetRegistrationNumber", ctx, n)
		return &app.Prescriber{DoctorID: id, RegistrationNumber: n}, nil
	}
	c := h.openChartOf(app.RoleDoctor)
	selectTab(t, c.tabs, "Prescriptions")
	if c.rx.regNo == nil {
		t.Fatal("no registration number button for a doctor")
	}
	test.Tap(c.rx.regNo)
	h.waitFor("the prompt", func() bool { return c.rx.prompt != nil })
	p := c.rx.prompt
	if p.entry.Text != "GMC 1" {
		t.Fatalf("the number in force is not shown: %q", p.entry.Text)
	}
	p.entry.SetText("GMC <2>")
	test.Tap(p.ok)
	if p.errs.text("registration_number") == "" || h.called("SetRegistrationNumber") != 0 {
		t.Fatal("a malformed number was sent")
	}
	p.entry.SetText("GMC 7012345")
	test.Tap(p.ok)
	h.waitFor("the number saved", func() bool { return h.called("SetRegistrationNumber") == 1 })
	if got := h.callsOf("SetRegistrationNumber")[0]; got != "GMC 7012345" {
		t.Fatalf("saved %v", got)
	}
}
