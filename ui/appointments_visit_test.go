package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// TestBoardStartVisit: a doctor's reception board (their second tab)
// offers Start visit on their own appointments of today that are confirmed
// or checked in, not on another doctor's; it starts the visit from the
// appointment and opens the patient's chart.
func TestBoardStartVisit(t *testing.T) {
	h := newClinicHarness(t)
	var started []app.VisitStart
	h.u.svc.Visits = &mock.VisitService{
		StartVisitFn: func(ctx context.Context, s app.VisitStart) (*app.Visit, error) {
			h.record("StartVisit", ctx, s)
			started = append(started, s)
			return &app.Visit{ID: "v-1", PatientID: s.PatientID, AppointmentID: s.AppointmentID, Status: app.VisitOpen}, nil
		},
		FindVisitsFn: func(ctx context.Context, patientID string) ([]*app.Visit, error) {
			var out []*app.Visit
			for _, s := range started {
				if s.PatientID == patientID {
					out = append(out, &app.Visit{ID: "v-1", PatientID: s.PatientID, AppointmentID: s.AppointmentID, Status: app.VisitOpen})
				}
			}
			return out, nil
		},
	}
	at := func(hh, mm int) time.Time { return time.Date(2026, 3, 2, hh, mm, 0, 0, time.UTC) }
	h.appts.ReceptionBoardFn = func(ctx context.Context, day string) (*app.Board, error) {
		h.record("ReceptionBoard", ctx, day)
		return &app.Board{Day: "2026-03-02", Waiting: 1, Entries: []*app.BoardEntry{
			{Appointment: &app.Appointment{ID: "a1", PatientID: "p-1", PatientName: "Grace Hopper", DoctorID: "d-1",
				DoctorName: "Dr Who", Start: at(8, 0), End: at(8, 15), Status: app.AppointmentCheckedIn}},
			{Appointment: &app.Appointment{ID: "a2", PatientID: "p-2", PatientName: "Ada Lovelace", DoctorID: "u-doctor",
				DoctorName: "Dr Me", Start: at(8, 30), End: at(8, 45), Status: app.AppointmentCheckedIn}},
			{Appointment: &app.Appointment{ID: "a3", PatientID: "p-3", PatientName: "Alan Turing", DoctorID: "u-doctor",
				DoctorName: "Dr Me", Start: at(10, 0), End: at(10, 15), Status: app.AppointmentPending}},
		}}, nil
	}
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) { return graceChart(), nil }
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) { return grace(), nil }
	h.loginAs(user(app.RoleDoctor))
	h.openArea(app.AreaAppointments)
	s := h.u.main.appts
	if s.board == nil {
		t.Fatal("a doctor has no board")
	}
	selectTab(t, s.tabs, "Reception board")
	b := s.board
	h.waitFor("the board", func() bool { return b.board != nil })
	if rowButton(b.list, "a1", "Start visit") != nil || rowButton(b.list, "a3", "Start visit") != nil || rowButton(b.list, "a2", "Start visit") == nil {
		t.Fatalf("Start visit offered on a1 %v, a2 %v, a3 %v", rowLabels(b.list, "a1"), rowLabels(b.list, "a2"), rowLabels(b.list, "a3"))
	}
	test.Tap(rowButton(b.list, "a2", "Start visit"))
	h.waitFor("the chart", func() bool { return s.chart != nil })
	if len(started) != 1 || started[0] != (app.VisitStart{PatientID: "p-2", AppointmentID: "a2"}) {
		t.Fatalf("started %+v", started)
	}
}
