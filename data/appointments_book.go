package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// The conflict checks. An appointment that overlaps [start, end) starts
// before end and, since no visit is longer than app.MaxVisitLength, at or
// after start - MaxVisitLength: each check reads one short range of an
// index on (doctor_id or patient_id, start_at), never a whole history.
const (
	// doctorConflictSQL finds a confirmed or checked-in appointment of the
	// doctor overlapping the new one: those hold the doctor's time.
	doctorConflictSQL = `SELECT a.start_at, a.end_at FROM appointments a
		WHERE a.doctor_id = ? AND a.start_at >= ? AND a.start_at < ? AND a.end_at > ?
		AND a.status IN ('confirmed', 'checked_in') AND a.id <> ? ORDER BY a.start_at LIMIT 1`
	// patientConflictSQL finds any active appointment of the patient
	// overlapping the new one, with any doctor.
	patientConflictSQL = `SELECT a.start_at, a.end_at, u.full_name FROM appointments a
		CROSS JOIN users u ON u.id = a.doctor_id
		WHERE a.patient_id = ? AND a.start_at >= ? AND a.start_at < ? AND a.end_at > ?
		AND a.status IN ('pending', 'confirmed', 'checked_in') AND a.id <> ? ORDER BY a.start_at LIMIT 1`
)

// conflictArgs are the arguments of both conflict checks.
func conflictArgs(who string, start, end time.Time, except string) []any {
	return []any{who, formatTime(start.Add(-app.MaxVisitLength)), formatTime(end), formatTime(start), except}
}

// apptWhen writes a time for a message, in the clinic's time zone.
func apptWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04")
}

// apptSpan writes a stretch of time for a message: "Thu 26 Nov 2026 14:00–14:15".
func apptSpan(start, end time.Time, loc *time.Location) string {
	return apptWhen(start, loc) + "–" + end.In(loc).Format("15:04")
}

// doctorConflict refuses a time that overlaps one of the doctor's confirmed
// or checked-in appointments.
func (tx *Tx) doctorConflict(d *doctorInfo, start, end time.Time, except string, loc *time.Location) error {
	var s, e string
	err := tx.QueryRowContext(tx.ctx, doctorConflictSQL, conflictArgs(d.id, start, end, except)...).Scan(&s, &e)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return app.Errorf(app.ECONFLICT,
		"%s already has an appointment at %s, which overlaps this time: choose another time.",
		d.name, apptSpan(parseTime(s), parseTime(e), loc)).On("start")
}

// patientConflict refuses a time that overlaps one of the patient's active
// appointments.
func (tx *Tx) patientConflict(p *app.Patient, start, end time.Time, except string, loc *time.Location) error {
	var s, e, with string
	err := tx.QueryRowContext(tx.ctx, patientConflictSQL, conflictArgs(p.ID, start, end, except)...).Scan(&s, &e, &with)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	span := apptSpan(parseTime(s), parseTime(e), loc)
	if tx.caller.PatientID == p.ID {
		return app.Errorf(app.ECONFLICT, "You already have an appointment with %s at %s, which overlaps this time: choose another time.",
			with, span).On("start")
	}
	return app.Errorf(app.ECONFLICT, "%s already has an appointment with %s at %s, which overlaps this time: choose another time.",
		p.FullName(), with, span).On("start")
}

// bookingPatient reads the patient of a booking: archived records take no
// new appointments.
func (tx *Tx) bookingPatient(id string) (*app.Patient, error) {
	p, err := tx.findPatient(id)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			ae.Field = "patient_id"
		}
		return nil, err
	}
	if p.Archived() {
		return nil, app.Errorf(app.ECONFLICT, "This record is archived: an administrator must restore it before booking.").On("patient_id")
	}
	return p, nil
}

// apptBooking is one appointment about to be written.
type apptBooking struct {
	patient   *app.Patient
	doctor    *doctorInfo
	start     time.Time
	minutes   int // 0: the slot length at that time, or the doctor's visit length
	reason    string
	override  string
	byPatient bool   // a patient's own request: pending, from a slot's start, within hours, no override
	oneSlot   bool   // the visit must be exactly one slot long (a patient's new request)
	except    string // the appointment being moved, which the checks ignore
	from      string // rescheduled_from
	note      string // the history note of the booking
}

// place checks a booking (time not past nor too far ahead, within the
// doctor's hours or overridden by staff, no overlap for the doctor or the
// patient) and writes it with its history row.
func (tx *Tx) place(b *apptBooking, loc *time.Location) (*app.Appointment, error) {
	day := app.DayOf(b.start, loc)
	periods, err := hoursOn(tx.ctx, tx, b.doctor.id, day, loc)
	if err != nil {
		return nil, err
	}
	minutes := b.minutes
	if minutes == 0 {
		minutes = b.doctor.visitMinutes
		if p, ok := app.PeriodAt(periods, b.start, b.start.Add(time.Minute)); ok {
			minutes = p.SlotMinutes
		}
	}
	end := b.start.Add(time.Duration(minutes) * time.Minute)
	switch {
	case b.start.Before(tx.now.Truncate(time.Minute)):
		return nil, app.FieldErrorf("start", "%s has passed: choose a time from now on.", apptWhen(b.start, loc))
	case b.start.After(tx.now.AddDate(0, 0, app.MaxBookAheadDays)):
		return nil, app.FieldErrorf("start", "Appointments are booked at most %d days ahead.", app.MaxBookAheadDays)
	case !b.doctor.active:
		return nil, app.Errorf(app.ECONFLICT, "%s's account is deactivated: choose another doctor.", b.doctor.name).On("doctor_id")
	}
	override := ""
	if b.byPatient {
		onGrid := false
		for _, sl := range app.PeriodSlots(periods) {
			onGrid = onGrid || (sl.Start.Equal(b.start) && (sl.End.Equal(end) || !b.oneSlot))
		}
		if _, within := app.PeriodAt(periods, b.start, end); !onGrid || !within {
			return nil, app.Errorf(app.ECONFLICT,
				"%s does not see patients at %s: choose one of the free slots.", b.doctor.name, apptWhen(b.start, loc)).On("start")
		}
	} else if _, ok := app.PeriodAt(periods, b.start, end); !ok {
		if b.override == "" {
			return nil, app.Errorf(app.ECONFLICT,
				"%s is outside %s's hours that day (%s). To book it anyway, give the reason for the exception.",
				apptSpan(b.start, end, loc), b.doctor.name, app.DescribePeriods(periods, loc)).On("override_reason")
		}
		override = b.override
	}
	if err := tx.doctorConflict(b.doctor, b.start, end, b.except, loc); err != nil {
		return nil, err
	}
	if err := tx.patientConflict(b.patient, b.start, end, b.except, loc); err != nil {
		return nil, err
	}
	status := app.AppointmentConfirmed
	if b.byPatient {
		status = app.AppointmentPending
	}
	a := &app.Appointment{ID: newID(), PatientID: b.patient.ID, PatientName: b.patient.FullName(), PatientMRN: b.patient.MRN,
		DoctorID: b.doctor.id, DoctorName: b.doctor.name, Room: b.doctor.room, Start: b.start.UTC(), End: end.UTC(), Reason: b.reason,
		Status: status, OverrideReason: override, RescheduledFrom: b.from, CreatedBy: tx.caller.Username,
		CreatedAt: tx.now, UpdatedAt: tx.now}
	if err := tx.insertAppointment(a, b.note); err != nil {
		return nil, err
	}
	return a, nil
}

// insertAppointment writes a new appointment and the first row of its
// history.
func (tx *Tx) insertAppointment(a *app.Appointment, note string) error {
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO appointments (id, patient_id, patient_name, patient_mrn, doctor_id,
		start_at, end_at, status, reason, override_reason, rescheduled_from, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.PatientID, a.PatientName, a.PatientMRN, a.DoctorID,
		formatTime(a.Start), formatTime(a.End), a.Status, a.Reason, a.OverrideReason, optText(a.RescheduledFrom),
		a.CreatedBy, ts, ts); err != nil {
		return fmt.Errorf("insert appointment: %w", err)
	}
	if err := tx.appointmentEvent(a.ID, "", a.Status, note); err != nil {
		return err
	}
	return tx.appointmentMessages(a, "")
}

// appointmentEvent appends one row to an appointment's status history.
func (tx *Tx) appointmentEvent(id string, from, to app.AppointmentStatus, note string) error {
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO appointment_events (id, appointment_id, at, from_status,
		to_status, note, by_user) VALUES (?, ?, ?, ?, ?, ?, ?)`, newID(), id, formatTime(tx.now), from, to,
		truncate(note, 600), tx.caller.Username); err != nil {
		return fmt.Errorf("appointment event: %w", err)
	}
	return nil
}

// setStatus moves a to status to, writing the fields the move sets
// (CancelReason, CheckedInAt, RescheduledTo) and a history row.
func (tx *Tx) setStatus(a *app.Appointment, to app.AppointmentStatus, note string) error {
	res, err := tx.ExecContext(tx.ctx, `UPDATE appointments SET status = ?, cancel_reason = ?, checked_in_at = ?,
		rescheduled_to = ?, updated_at = ? WHERE id = ? AND status = ?`, to, a.CancelReason, optTime(a.CheckedInAt),
		optText(a.RescheduledTo), formatTime(tx.now), a.ID, a.Status)
	if err != nil {
		return fmt.Errorf("appointment status: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return app.Errorf(app.ECONFLICT, "This appointment changed meanwhile: look at it again.")
	}
	if err := tx.appointmentEvent(a.ID, a.Status, to, note); err != nil {
		return err
	}
	from := a.Status
	a.Status, a.UpdatedAt = to, tx.now
	return tx.appointmentMessages(a, from)
}

// findAppointment reads one appointment inside tx.
func (tx *Tx) findAppointment(id string) (*app.Appointment, error) {
	a, err := scanAppointment(tx.QueryRowContext(tx.ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such appointment.")
	}
	return a, err
}

// Book implements app.AppointmentService.
func (s *AppointmentService) Book(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
	verr := c.Validate()
	var out *app.Appointment
	err := s.db.writeFor(ctx, "appointment.book", "appointments", "", c.PatientID, func(tx *Tx) error {
		if err := authorize(app.CanBook(tx.caller, c.PatientID, c.DoctorID)); err != nil {
			return err
		}
		staff := app.CanManageAppointmentsOf(tx.caller, c.DoctorID) == nil
		if c.OverrideReason != "" {
			if err := authorize(app.CanBookOutsideHours(tx.caller, c.DoctorID)); err != nil {
				return err
			}
		}
		if verr != nil {
			return verr
		}
		loc, err := clinicZone(ctx, tx)
		if err != nil {
			return err
		}
		p, err := tx.bookingPatient(c.PatientID)
		if err != nil {
			return err
		}
		d, err := findDoctor(ctx, tx, c.DoctorID)
		if err != nil {
			return err
		}
		note := "booked"
		if !staff {
			note = "requested by the patient"
		}
		if out, err = tx.place(&apptBooking{patient: p, doctor: d, start: c.Start, minutes: c.Minutes, reason: c.Reason,
			override: c.OverrideReason, byPatient: !staff, oneSlot: !staff, note: note}, loc); err != nil {
			return err
		}
		verb := "booked"
		if !staff {
			verb = "requested"
		}
		summary := fmt.Sprintf("Appointment %s with %s for %s", verb, d.name, apptWhen(out.Start, loc))
		if out.OverrideReason != "" {
			summary += " (outside hours: " + out.OverrideReason + ")"
		}
		if err := tx.timelineEvent(p.ID, app.HistoryAppointment, summary, out.ID); err != nil {
			return err
		}
		tx.Audit("appointment.book", "appointments", out.ID, p.ID, fmt.Sprintf("%s with %s %s-%s, %s%s",
			out.Status, d.name, formatTime(out.Start), formatTime(out.End), truncate(out.Reason, 100), overrideDetail(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func overrideDetail(a *app.Appointment) string {
	if a.OverrideReason == "" {
		return ""
	}
	return "; outside hours: " + a.OverrideReason
}

// Reschedule implements app.AppointmentService.
func (s *AppointmentService) Reschedule(ctx context.Context, id string, newStart time.Time, overrideReason string) (*app.Appointment, error) {
	overrideReason = strings.TrimSpace(overrideReason)
	newStart = newStart.UTC().Truncate(time.Minute)
	var out *app.Appointment
	err := s.db.writeFor(ctx, "appointment.reschedule", "appointments", id, s.db.appointmentPatient(ctx, id), func(tx *Tx) error {
		if err := authorize(app.RequireAny(tx.caller, app.PermManageAppointments, app.PermOwnSchedule, app.PermBookOwn)); err != nil {
			return err
		}
		old, err := tx.findAppointment(id)
		if err != nil {
			return err
		}
		if err := authorize(app.CanChangeAppointment(tx.caller, old)); err != nil {
			return err
		}
		staff := app.CanManageAppointmentsOf(tx.caller, old.DoctorID) == nil
		if overrideReason != "" {
			if err := authorize(app.CanBookOutsideHours(tx.caller, old.DoctorID)); err != nil {
				return err
			}
		}
		if err := app.ValidateOverrideReason(overrideReason); err != nil {
			return err
		}
		if newStart.IsZero() || newStart.Year() < 2000 {
			return app.FieldErrorf("start", "Choose the new day and time.")
		}
		loc, err := clinicZone(ctx, tx)
		if err != nil {
			return err
		}
		if old.Status != app.AppointmentPending && old.Status != app.AppointmentConfirmed && old.Status != app.AppointmentConflict {
			return app.Errorf(app.ECONFLICT, "This appointment is %s: it cannot be moved.", app.Lower(old.Status.Label()))
		}
		if !staff && !old.Start.After(tx.now) {
			return app.Errorf(app.ECONFLICT, "This appointment has begun: to change it, call the clinic.")
		}
		p, err := tx.bookingPatient(old.PatientID)
		if err != nil {
			return err
		}
		d, err := findDoctor(ctx, tx, old.DoctorID)
		if err != nil {
			return err
		}
		out, err = tx.place(&apptBooking{patient: p, doctor: d, start: newStart, minutes: old.Minutes(), reason: old.Reason,
			override: overrideReason, byPatient: !staff, except: old.ID, from: old.ID,
			note: "moved from " + apptWhen(old.Start, loc)}, loc)
		if err != nil {
			return err
		}
		old.CancelReason, old.RescheduledTo = "Moved to "+apptWhen(out.Start, loc), out.ID
		if err := tx.setStatus(old, app.AppointmentCancelled, old.CancelReason); err != nil {
			return err
		}
		summary := fmt.Sprintf("Appointment with %s moved from %s to %s", d.name, apptWhen(old.Start, loc), apptWhen(out.Start, loc))
		if err := tx.timelineEvent(p.ID, app.HistoryAppointment, summary, out.ID); err != nil {
			return err
		}
		tx.Audit("appointment.reschedule", "appointments", old.ID, p.ID, fmt.Sprintf("moved to %s (%s, %s-%s)%s",
			out.ID, out.Status, formatTime(out.Start), formatTime(out.End), overrideDetail(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WalkIn implements app.AppointmentService: the patient is at the desk, so
// the visit is booked and checked in at once. It takes a visit now when
// the doctor is within hours and free for a slot's length, else the first
// free slot later today; when the doctor has no hours left today, with the
// override reason given, a visit now outside the hours.
func (s *AppointmentService) WalkIn(ctx context.Context, patientID, doctorID, reason, overrideReason string) (*app.Appointment, error) {
	reason, overrideReason = strings.TrimSpace(reason), strings.TrimSpace(overrideReason)
	var out *app.Appointment
	err := s.db.writeFor(ctx, "appointment.walk_in", "appointments", "", patientID, func(tx *Tx) error {
		if err := authorize(app.CanManageAppointmentsOf(tx.caller, doctorID)); err != nil {
			return err
		}
		c := app.AppointmentCreate{PatientID: patientID, DoctorID: doctorID, Start: tx.now, Reason: reason,
			OverrideReason: overrideReason}
		if err := c.Validate(); err != nil {
			return err
		}
		loc, err := clinicZone(ctx, tx)
		if err != nil {
			return err
		}
		p, err := tx.bookingPatient(patientID)
		if err != nil {
			return err
		}
		d, err := findDoctor(ctx, tx, doctorID)
		if err != nil {
			return err
		}
		if !d.active {
			return app.Errorf(app.ECONFLICT, "%s's account is deactivated: choose another doctor.", d.name).On("doctor_id")
		}
		now := tx.now.Truncate(time.Minute)
		today := app.DayOf(now, loc)
		dayStart, dayEnd := today.Bounds(loc)
		var booked string
		err = tx.QueryRowContext(ctx, `SELECT a.start_at FROM appointments a WHERE a.patient_id = ? AND a.start_at >= ?
			AND a.start_at < ? AND a.doctor_id = ? AND a.status IN ('pending', 'confirmed') ORDER BY a.start_at LIMIT 1`,
			p.ID, formatTime(dayStart), formatTime(dayEnd), d.id).Scan(&booked)
		if err == nil {
			return app.Errorf(app.ECONFLICT,
				"%s already has an appointment with %s today at %s: check it in instead.", p.FullName(), d.name,
				parseTime(booked).In(loc).Format("15:04")).On("patient_id")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		periods, err := hoursOn(ctx, tx, d.id, today, loc)
		if err != nil {
			return err
		}
		var candidates []app.Slot
		if pd, ok := app.PeriodAt(periods, now, now.Add(time.Minute)); ok {
			candidates = append(candidates, app.Slot{Start: now, End: now.Add(time.Duration(pd.SlotMinutes) * time.Minute)})
		}
		for _, sl := range app.PeriodSlots(periods) {
			if !sl.Start.Before(now) {
				candidates = append(candidates, sl)
			}
		}
		var slot *app.Slot
		for i := range candidates {
			c := candidates[i]
			if err := tx.doctorConflict(d, c.Start, c.End, "", loc); app.ErrorCode(err) == app.ECONFLICT {
				continue
			} else if err != nil {
				return err
			}
			if err := tx.patientConflict(p, c.Start, c.End, "", loc); app.ErrorCode(err) == app.ECONFLICT {
				continue
			} else if err != nil {
				return err
			}
			slot = &c
			break
		}
		switch hoursLeft := len(candidates) > 0; {
		case slot != nil:
			out = &app.Appointment{ID: newID(), PatientID: p.ID, PatientName: p.FullName(), PatientMRN: p.MRN,
				DoctorID: d.id, DoctorName: d.name, Room: d.room, Start: slot.Start.UTC(), End: slot.End.UTC(), Reason: reason,
				Status: app.AppointmentConfirmed, CreatedBy: tx.caller.Username, CreatedAt: tx.now, UpdatedAt: tx.now}
			if err := tx.insertAppointment(out, "walk-in"); err != nil {
				return err
			}
		case hoursLeft: // but all taken
			return app.Errorf(app.ECONFLICT,
				"%s has no free time left today (hours: %s): book another day, or another doctor.",
				d.name, app.DescribePeriods(periods, loc)).On("doctor_id")
		case overrideReason == "":
			return app.Errorf(app.ECONFLICT,
				"%s has no hours left today (hours: %s). To see the patient now anyway, give the reason for the exception.",
				d.name, app.DescribePeriods(periods, loc)).On("override_reason")
		default:
			// The same exception as a booking outside hours: the visit
			// is now, for the doctor's usual visit length.
			if out, err = tx.place(&apptBooking{patient: p, doctor: d, start: now, reason: reason, override: overrideReason,
				note: "walk-in"}, loc); err != nil {
				return err
			}
		}
		out.CheckedInAt = tx.now
		if err := tx.setStatus(out, app.AppointmentCheckedIn, "walk-in"); err != nil {
			return err
		}
		if err := tx.takeQueueToken(out, app.DayOf(tx.now, loc)); err != nil {
			return err
		}
		summary := fmt.Sprintf("Walk-in with %s, checked in for %s, token %s", d.name, out.Start.In(loc).Format("15:04"), out.Token)
		if err := tx.patientEvent(p.ID, app.HistoryAppointment, summary, out.ID); err != nil { // at the clinic now
			return err
		}
		tx.Audit("appointment.walk_in", "appointments", out.ID, p.ID, fmt.Sprintf("checked in with %s %s-%s, token %s%s",
			d.name, formatTime(out.Start), formatTime(out.End), out.Token, overrideDetail(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// apptMove is one move of the status workflow.
type apptMove struct {
	action string
	to     app.AppointmentStatus
	verb   string // for messages: "it cannot be <verb>"
	// may lets the caller try at all, before the appointment is read, so
	// that a caller who may do this to no appointment learns nothing of
	// this one.
	may func(c app.Caller) error
	// allowed decides, once the appointment is read, whether the caller
	// may do this to it.
	allowed func(c app.Caller, a *app.Appointment) error
	// check refuses a move that the workflow allows but the moment does not.
	check func(tx *Tx, a *app.Appointment, loc *time.Location) error
	// apply sets the fields the move writes, and returns the history note.
	apply func(tx *Tx, a *app.Appointment) string
	// then writes what follows the move, once it is written (nil: nothing).
	then    func(tx *Tx, a *app.Appointment, loc *time.Location) error
	summary func(a *app.Appointment, loc *time.Location) string
}

// move runs one move in its transaction: permission, the workflow, the
// moment, the update, the history row, the timeline and the audit row.
func (s *AppointmentService) move(ctx context.Context, id string, ch apptMove) (*app.Appointment, error) {
	var out *app.Appointment
	err := s.db.writeFor(ctx, ch.action, "appointments", id, s.db.appointmentPatient(ctx, id), func(tx *Tx) error {
		if err := authorize(ch.may(tx.caller)); err != nil {
			return err
		}
		a, err := tx.findAppointment(id)
		if err != nil {
			return err
		}
		if err := authorize(ch.allowed(tx.caller, a)); err != nil {
			return err
		}
		if !app.CanTransition(a.Status, ch.to) {
			return refuseMove(a, ch)
		}
		loc, err := clinicZone(ctx, tx)
		if err != nil {
			return err
		}
		if ch.check != nil {
			if err := ch.check(tx, a, loc); err != nil {
				return err
			}
		}
		from, note := a.Status, ""
		if ch.apply != nil {
			note = ch.apply(tx, a)
		}
		if err := tx.setStatus(a, ch.to, note); err != nil {
			return err
		}
		if ch.then != nil {
			if err := ch.then(tx, a, loc); err != nil {
				return err
			}
		}
		event := tx.timelineEvent
		if ch.to == app.AppointmentCheckedIn || ch.to == app.AppointmentCompleted {
			event = tx.patientEvent // the patient is at the clinic: recent activity
		}
		if err := event(a.PatientID, app.HistoryAppointment, ch.summary(a, loc), a.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s -> %s, %s %s", from, ch.to, a.DoctorName, formatTime(a.Start))
		if ch.to == app.AppointmentCheckedIn {
			detail += ", token " + a.Token
		}
		if note != "" {
			detail += ": " + truncate(note, 200)
		}
		tx.Audit(ch.action, "appointments", a.ID, a.PatientID, detail)
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// refuseMove says why the workflow does not allow a move.
func refuseMove(a *app.Appointment, ch apptMove) error {
	var e *app.Error
	status := app.Lower(a.Status.Label())
	switch {
	case a.Status == app.AppointmentPending && (ch.to == app.AppointmentCheckedIn || ch.to == app.AppointmentNoShow):
		e = app.Errorf(app.ECONFLICT, "This is a request that was never confirmed: confirm it first, or cancel it.")
	case a.Status == app.AppointmentConfirmed && ch.to == app.AppointmentCompleted:
		e = app.Errorf(app.ECONFLICT, "The patient has not been checked in: check them in first.")
	case a.Status.Final() && a.Status == ch.to:
		e = app.Errorf(app.ECONFLICT, "This appointment is %s already.", status)
	case a.Status.Final():
		e = app.Errorf(app.ECONFLICT, "This appointment is %s: it cannot be %s any more.", status, ch.verb)
	default:
		e = app.Errorf(app.ECONFLICT, "A %s appointment cannot be %s.", status, ch.verb)
	}
	return e.On("status")
}

// mayPerm lets callers with any of the permissions try.
func mayPerm(perms ...app.Permission) func(c app.Caller) error {
	return func(c app.Caller) error { return app.RequireAny(c, perms...) }
}

// staffOf lets the staff of the appointment's doctor move it.
func staffOf(c app.Caller, a *app.Appointment) error {
	return app.CanManageAppointmentsOf(c, a.DoctorID)
}

// Confirm implements app.AppointmentService.
func (s *AppointmentService) Confirm(ctx context.Context, id string) (*app.Appointment, error) {
	return s.move(ctx, id, apptMove{action: "appointment.confirm", to: app.AppointmentConfirmed, verb: i18n.N("confirmed"),
		may: mayPerm(app.PermManageAppointments, app.PermOwnSchedule), allowed: staffOf,
		check: func(tx *Tx, a *app.Appointment, loc *time.Location) error {
			if a.Start.Before(tx.now.Truncate(time.Minute)) {
				return app.Errorf(app.ECONFLICT, "The time of this request (%s) has passed: cancel it, or book a new time.", apptWhen(a.Start, loc))
			}
			d, err := findDoctor(tx.ctx, tx, a.DoctorID)
			if err != nil {
				return err
			}
			return tx.doctorConflict(d, a.Start, a.End, a.ID, loc)
		},
		summary: func(a *app.Appointment, loc *time.Location) string {
			return fmt.Sprintf("Appointment with %s on %s confirmed", a.DoctorName, apptWhen(a.Start, loc))
		}})
}

// CheckIn implements app.AppointmentService.
func (s *AppointmentService) CheckIn(ctx context.Context, id string) (*app.Appointment, error) {
	return s.move(ctx, id, apptMove{action: "appointment.check_in", to: app.AppointmentCheckedIn, verb: i18n.N("checked in"),
		may: mayPerm(app.PermCheckIn, app.PermOwnSchedule), allowed: app.CanCheckIn,
		check: func(tx *Tx, a *app.Appointment, loc *time.Location) error {
			return app.CheckInApplies(a, tx.now, loc)
		},
		apply: func(tx *Tx, a *app.Appointment) string { a.CheckedInAt = tx.now; return "" },
		then: func(tx *Tx, a *app.Appointment, loc *time.Location) error {
			return tx.takeQueueToken(a, app.DayOf(tx.now, loc))
		},
		summary: func(a *app.Appointment, loc *time.Location) string {
			return fmt.Sprintf("Checked in for %s at %s, token %s", a.DoctorName, a.Start.In(loc).Format("15:04"), a.Token)
		}})
}

// Complete implements app.AppointmentService. Closing a visit is a clinical
// act: the doctor whose schedule it is, or whoever both manages
// appointments and reads clinical records (an admin), not reception.
func (s *AppointmentService) Complete(ctx context.Context, id string) (*app.Appointment, error) {
	return s.move(ctx, id, apptMove{action: "appointment.complete", to: app.AppointmentCompleted, verb: i18n.N("completed"),
		may: app.CanCompleteVisits, allowed: app.CanCompleteVisit,
		summary: func(a *app.Appointment, loc *time.Location) string {
			return fmt.Sprintf("Visit with %s completed", a.DoctorName)
		}})
}

// Cancel implements app.AppointmentService. A patient cancels only their
// own appointments, and only before they begin.
func (s *AppointmentService) Cancel(ctx context.Context, id, reason string) (*app.Appointment, error) {
	reason = strings.TrimSpace(reason)
	return s.move(ctx, id, apptMove{action: "appointment.cancel", to: app.AppointmentCancelled, verb: i18n.N("cancelled"),
		may:     mayPerm(app.PermManageAppointments, app.PermOwnSchedule, app.PermBookOwn),
		allowed: app.CanChangeAppointment,
		check: func(tx *Tx, a *app.Appointment, loc *time.Location) error {
			if err := app.ValidateCancelReason(reason); err != nil {
				return err
			}
			if staffOf(tx.caller, a) != nil && (a.Status == app.AppointmentCheckedIn || a.Status == app.AppointmentConflict ||
				!a.Start.After(tx.now)) {
				return app.Errorf(app.ECONFLICT, "This appointment has begun: to cancel it, call the clinic.")
			}
			return nil
		},
		apply: func(tx *Tx, a *app.Appointment) string { a.CancelReason = reason; return reason },
		summary: func(a *app.Appointment, loc *time.Location) string {
			return fmt.Sprintf("Appointment with %s on %s cancelled: %s", a.DoctorName, apptWhen(a.Start, loc), a.CancelReason)
		}})
}

// MarkNoShow implements app.AppointmentService.
func (s *AppointmentService) MarkNoShow(ctx context.Context, id string) (*app.Appointment, error) {
	return s.move(ctx, id, apptMove{action: "appointment.no_show", to: app.AppointmentNoShow, verb: i18n.N("marked as a no-show"),
		may: mayPerm(app.PermManageAppointments, app.PermOwnSchedule), allowed: staffOf,
		check: func(tx *Tx, a *app.Appointment, loc *time.Location) error {
			return app.NoShowApplies(a, tx.now, loc)
		},
		summary: func(a *app.Appointment, loc *time.Location) string {
			return fmt.Sprintf("Did not come to the appointment with %s on %s", a.DoctorName, apptWhen(a.Start, loc))
		}})
}
