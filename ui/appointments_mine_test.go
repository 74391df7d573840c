package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
)

// TestMyAppointmentsRowsAboveThePast books an appointment from a
// patient's own appointments tab and checks that, once the list is read
// again, every upcoming row lies above the "Past" heading, and the
// heading above the past rows: the tab is laid out again when its lists
// grow, not only when it is reopened.
func TestMyAppointmentsRowsAboveThePast(t *testing.T) {
	h := newClinicHarness(t)
	h.serveBooking()
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper"}, nil
	}
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	h.appts.PatientAppointmentsFn = func(ctx context.Context, id string, f app.AppointmentFilter) (*app.AppointmentPage, error) {
		h.record("PatientAppointments", ctx, id)
		if f.Past {
			return &app.AppointmentPage{Appointments: []*app.Appointment{{ID: "old", PatientID: id, DoctorName: "Dr House",
				Start: at(1, 8), End: at(1, 9), Status: app.AppointmentCompleted}}}, nil
		}
		var up []*app.Appointment
		for i := range h.called("Book") {
			up = append(up, &app.Appointment{ID: "up", PatientID: id, DoctorName: "Dr Who",
				Start: at(5+i, 8), End: at(5+i, 9), Status: app.AppointmentConfirmed})
		}
		return &app.AppointmentPage{Appointments: up}, nil
	}
	h.loginAs(user(app.RolePatient))
	h.u.win.Resize(fyne.NewSize(1000, 700))
	m := h.u.main.myAppts
	tabs := h.u.main.record.tabs
	tabs.Select(tabs.Items[len(tabs.Items)-1])
	h.waitFor("the appointments", func() bool { return len(m.past) == 1 })

	for n := 1; n <= 2; n++ {
		test.Tap(m.bookBtn)
		f := m.book
		h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
		f.doctor.SetSelectedIndex(0)
		h.waitFor("the slots", func() bool { return len(f.slotBtns) == 3 })
		test.Tap(f.slotBtns[0])
		test.Tap(f.book)
		h.waitFor("the booked appointment listed", func() bool { return len(m.upcoming) == n && len(listRows(m.upcomingL)) == n })

		drv := fyne.CurrentApp().Driver()
		heading := m.pastTitle
		top := drv.AbsolutePositionForObject(heading).Y
		for i, row := range listRows(m.upcomingL) {
			if bottom := drv.AbsolutePositionForObject(row).Y + row.Size().Height; bottom > top+0.5 {
				t.Errorf("after %d bookings, upcoming row %d ends at %.1f, below the Past heading at %.1f", n, i, bottom, top)
			}
		}
		if first := listRows(m.pastL)[0]; drv.AbsolutePositionForObject(first).Y < top+heading.Size().Height-0.5 {
			t.Errorf("after %d bookings, the past row at %.1f is over the Past heading at %.1f", n,
				drv.AbsolutePositionForObject(first).Y, top)
		}
	}
}
