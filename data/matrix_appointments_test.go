package data_test

import (
	"context"
	"reflect"
	"slices"
	"time"

	"hms/app"
)

// The appointment service's rows of the role matrix. Reception and admins
// book and manage any appointment, a doctor their own schedule (the
// fixture's doctor is the one booked), nurses see and check in, billing
// sees, a patient books, sees and cancels their own (the fixture's patient
// is the one booked). Admins and the doctor set the doctor's profile and
// hours.
//
// A call about an existing appointment needs one, but booking it before a
// denied call would change data: the appointment is booked (by an admin)
// only when the calling role is allowed; a denied role is refused before
// the appointment is even looked up, with an id that does not exist.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.AppointmentService]())
	var (
		all         = everyRole
		viewers     = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling}
		schedulers  = []app.Role{app.RoleAdmin, app.RoleDoctor}
		bookers     = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleReception, app.RolePatient}
		managers    = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleReception}
		checkers    = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception}
		completers  = []app.Role{app.RoleAdmin, app.RoleDoctor}
		ownAndStaff = append(slices.Clone(viewers), app.RolePatient)
	)
	athens, _ := time.LoadLocation("Europe/Athens")
	// The fixture's clock is 11:00 in Athens on Wednesday 25 November 2026.
	at := func(day, hhmm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, athens)
		return t
	}
	doctor := func(c *clinic) string { return c.users[app.RoleDoctor].ID }
	patient := func(c *clinic) string { return c.users[app.RolePatient].PatientID }
	allowedCaller := func(ctx context.Context, roles []app.Role) bool {
		caller, ok := app.CallerFromContext(ctx)
		return ok && slices.Contains(roles, caller.Role)
	}
	hours := func(c *clinic) error {
		_, err := c.svc.Appointments.SetAvailability(c.ctx(app.RoleAdmin), doctor(c), []app.Availability{
			{Weekday: time.Wednesday, Start: "08:00", End: "18:00", SlotMinutes: 15},
			{Weekday: time.Thursday, Start: "08:00", End: "18:00", SlotMinutes: 15}})
		return err
	}
	const missing = "01900000-0000-7000-8000-000000000000"
	// booked returns, for an allowed role, an appointment of the fixture's
	// patient with the fixture's doctor today at 14:00 (Athens), moved
	// along the workflow by the given steps; for a denied one, an id that
	// does not exist.
	booked := func(ctx context.Context, c *clinic, roles []app.Role, steps ...func(id string) error) (string, error) {
		if !allowedCaller(ctx, roles) {
			return missing, nil
		}
		if err := hours(c); err != nil {
			return "", err
		}
		a, err := c.svc.Appointments.Book(c.ctx(app.RoleAdmin), app.AppointmentCreate{PatientID: patient(c),
			DoctorID: doctor(c), Start: at("2026-11-25", "14:00"), Reason: "Check-up"})
		if err != nil {
			return "", err
		}
		for _, step := range steps {
			if err := step(a.ID); err != nil {
				return "", err
			}
		}
		return a.ID, nil
	}
	checkIn := func(c *clinic) func(string) error {
		return func(id string) error {
			_, err := c.svc.Appointments.CheckIn(c.ctx(app.RoleAdmin), id)
			return err
		}
	}

	matrix["AppointmentService.SetDoctorProfile"] = call{allowed: schedulers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.SetDoctorProfile(ctx, app.DoctorProfile{UserID: doctor(c), Specialization: "Cardiology",
			Room: "Room 2", Fee: 6500, VisitMinutes: 20})
		return err
	}}
	matrix["AppointmentService.GetDoctorProfile"] = call{allowed: all, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.GetDoctorProfile(ctx, doctor(c))
		return err
	}}
	matrix["AppointmentService.FindDoctors"] = call{allowed: all, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.FindDoctors(ctx, "cardio")
		return err
	}}
	matrix["AppointmentService.SetAvailability"] = call{allowed: schedulers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.SetAvailability(ctx, doctor(c), []app.Availability{
			{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 15}})
		return err
	}}
	matrix["AppointmentService.AddAvailabilityException"] = call{allowed: schedulers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.AddAvailabilityException(ctx, app.AvailabilityException{DoctorID: doctor(c),
			Date: "2026-12-24", Kind: app.ExceptionLeave, Reason: "Holiday"})
		return err
	}}
	matrix["AppointmentService.RemoveAvailabilityException"] = call{allowed: schedulers, do: func(ctx context.Context, c *clinic) error {
		id := missing
		if allowedCaller(ctx, schedulers) {
			e, err := c.svc.Appointments.AddAvailabilityException(c.ctx(app.RoleAdmin), app.AvailabilityException{
				DoctorID: doctor(c), Date: "2026-12-24", Kind: app.ExceptionLeave})
			if err != nil {
				return err
			}
			id = e.ID
		}
		return c.svc.Appointments.RemoveAvailabilityException(ctx, id)
	}}
	matrix["AppointmentService.FindFreeSlots"] = call{allowed: all, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.FindFreeSlots(ctx, doctor(c), "2026-11-26")
		return err
	}}
	matrix["AppointmentService.Book"] = call{allowed: bookers, do: func(ctx context.Context, c *clinic) error {
		if allowedCaller(ctx, bookers) {
			if err := hours(c); err != nil {
				return err
			}
		}
		_, err := c.svc.Appointments.Book(ctx, app.AppointmentCreate{PatientID: patient(c), DoctorID: doctor(c),
			Start: at("2026-11-26", "09:00"), Reason: "Check-up"})
		return err
	}}
	matrix["AppointmentService.WalkIn"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		if allowedCaller(ctx, managers) {
			if err := hours(c); err != nil {
				return err
			}
		}
		_, err := c.svc.Appointments.WalkIn(ctx, patient(c), doctor(c), "Walk-in", "")
		return err
	}}
	matrix["AppointmentService.Reschedule"] = call{allowed: bookers, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, bookers)
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.Reschedule(ctx, id, at("2026-11-26", "10:00"), "")
		return err
	}}
	matrix["AppointmentService.Confirm"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		id := missing
		if allowedCaller(ctx, managers) {
			if err := hours(c); err != nil {
				return err
			}
			a, err := c.svc.Appointments.Book(c.ctx(app.RolePatient), app.AppointmentCreate{PatientID: patient(c),
				DoctorID: doctor(c), Start: at("2026-11-26", "09:00")})
			if err != nil {
				return err
			}
			id = a.ID
		}
		_, err := c.svc.Appointments.Confirm(ctx, id)
		return err
	}}
	matrix["AppointmentService.CheckIn"] = call{allowed: checkers, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, checkers)
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.CheckIn(ctx, id)
		return err
	}}
	matrix["AppointmentService.Complete"] = call{allowed: completers, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, completers, checkIn(c))
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.Complete(ctx, id)
		return err
	}}
	matrix["AppointmentService.Cancel"] = call{allowed: bookers, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, bookers)
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.Cancel(ctx, id, "Cannot come")
		return err
	}}
	matrix["AppointmentService.MarkNoShow"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, managers, func(string) error { c.clock.Add(4 * time.Hour); return nil })
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.MarkNoShow(ctx, id)
		return err
	}}
	matrix["AppointmentService.FindAppointment"] = call{allowed: ownAndStaff, do: func(ctx context.Context, c *clinic) error {
		id, err := booked(ctx, c, ownAndStaff)
		if err != nil {
			return err
		}
		_, err = c.svc.Appointments.FindAppointment(ctx, id)
		return err
	}}
	matrix["AppointmentService.DoctorDay"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.DoctorDay(ctx, doctor(c), "2026-11-25")
		return err
	}}
	matrix["AppointmentService.DoctorWeek"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.DoctorWeek(ctx, doctor(c), "2026-11-23")
		return err
	}}
	matrix["AppointmentService.ReceptionBoard"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.ReceptionBoard(ctx, "")
		return err
	}}
	// The calling patient's own list: a patient may read it.
	matrix["AppointmentService.PatientAppointments"] = call{allowed: ownAndStaff, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Appointments.PatientAppointments(ctx, patient(c), app.AppointmentFilter{})
		return err
	}}
}
