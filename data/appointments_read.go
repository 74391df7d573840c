package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hms/app"
)

const appointmentColumns = `a.id, a.patient_id, a.patient_name, a.patient_mrn, a.doctor_id, u.full_name,
	coalesce(dp.room, ''), a.start_at, a.end_at, a.status, a.reason, a.override_reason, a.cancel_reason,
	a.checked_in_at, coalesce(a.rescheduled_from, ''), coalesce(a.rescheduled_to, ''), a.created_by,
	a.created_at, a.updated_at,
	coalesce((SELECT t.token FROM queue_tokens t WHERE t.appointment_id = a.id ORDER BY t.created_at LIMIT 1), '')`

// appointmentFrom joins the doctor's name and room; the patient's are kept
// on the appointment (a lookup in a million patients per line would cost a
// week's calendar a millisecond). CROSS JOIN keeps appointments the outer
// loop, so that a list walks its index in the order it returns.
const appointmentFrom = ` FROM appointments a
	CROSS JOIN users u ON u.id = a.doctor_id
	LEFT JOIN doctor_profiles dp ON dp.user_id = a.doctor_id AND dp.deleted_at IS NULL`

func scanAppointment(r rowScanner) (*app.Appointment, error) {
	var s appointmentScanner
	return s.scan(r)
}

// appointmentScanner scans appointment rows one after another, each into a
// new app.Appointment, with its destinations and the text of the times kept
// from row to row (patientScanner says why).
type appointmentScanner struct {
	start, end, created, updated string
	checkedIn                    sql.NullString
	dest                         []any
}

func (s *appointmentScanner) scan(r rowScanner) (*app.Appointment, error) {
	a := new(app.Appointment)
	s.dest = append(s.dest[:0], &a.ID, &a.PatientID, &a.PatientName, &a.PatientMRN, &a.DoctorID, &a.DoctorName, &a.Room,
		&s.start, &s.end, &a.Status, &a.Reason, &a.OverrideReason, &a.CancelReason, &s.checkedIn, &a.RescheduledFrom,
		&a.RescheduledTo, &a.CreatedBy, &s.created, &s.updated, &a.Token)
	if err := r.Scan(s.dest...); err != nil {
		return nil, err
	}
	a.Start, a.End, a.CheckedInAt = parseTime(s.start), parseTime(s.end), parseNullTime(s.checkedIn)
	a.CreatedAt, a.UpdatedAt = parseTime(s.created), parseTime(s.updated)
	return a, nil
}

func scanAppointments(rows *sql.Rows, err error) ([]*app.Appointment, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Appointment
	var s appointmentScanner
	for rows.Next() {
		a, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// The lists. Each reads one range of one index, in the index's order.
const (
	// doctorRangeSQL: a doctor's appointments that start in [from, to).
	doctorRangeSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
		WHERE a.doctor_id = ? AND a.start_at >= ? AND a.start_at < ? ORDER BY a.start_at, a.id`
	// boardSQL: every doctor's appointments that start in [from, to).
	boardSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
		WHERE a.start_at >= ? AND a.start_at < ? ORDER BY a.start_at, a.id LIMIT 5000`
	// conflictsSQL: sync losers from a time on, through their partial index.
	conflictsSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
		WHERE a.status = 'conflict' AND a.start_at >= ? ORDER BY a.start_at, a.id LIMIT 500`
	// dayLoadSQL: what holds or asks for a doctor's time on a day, for the
	// free slots: the same bounded range as the conflict checks.
	dayLoadSQL = `SELECT a.start_at, a.end_at, a.status FROM appointments a
		WHERE a.doctor_id = ? AND a.start_at >= ? AND a.start_at < ? AND a.end_at > ?
		AND a.status IN ('pending', 'confirmed', 'checked_in') ORDER BY a.start_at`
	// upcomingSQL: a patient's appointments not yet over, soonest first,
	// after a cursor (start_at, id).
	upcomingSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
		WHERE a.patient_id = ? AND a.start_at >= ? AND a.end_at > ? AND (a.start_at, a.id) > (?, ?)
		ORDER BY a.start_at, a.id LIMIT ?`
	// pastSQL: a patient's appointments that are over, newest first,
	// before a cursor (start_at, id).
	pastSQL = `SELECT ` + appointmentColumns + appointmentFrom + `
		WHERE a.patient_id = ? AND a.start_at < ? AND a.end_at <= ? AND (a.start_at, a.id) < (?, ?)
		ORDER BY a.start_at DESC, a.id DESC LIMIT ?`
)

// dayLoadArgs are the arguments of dayLoadSQL for [from, to).
func dayLoadArgs(doctorID string, from, to time.Time) []any {
	return []any{doctorID, formatTime(from.Add(-app.MaxVisitLength)), formatTime(to), formatTime(from)}
}

// patientPageArgs are the arguments of upcomingSQL or pastSQL.
func patientPageArgs(patientID string, f app.AppointmentFilter, now time.Time) ([]any, error) {
	curStart, curID := "", ""
	if f.Cursor != "" {
		var ok bool
		if curStart, curID, ok = strings.Cut(f.Cursor, "|"); !ok {
			return nil, app.FieldErrorf("cursor", "This page marker is not valid; start from the first page.")
		}
	} else if f.Past {
		curStart = "9999" // before everything's end: from the newest
	}
	if f.Past {
		return []any{patientID, formatTime(now), formatTime(now), curStart, curID, f.Limit + 1}, nil
	}
	return []any{patientID, formatTime(now.Add(-app.MaxVisitLength)), formatTime(now), curStart, curID, f.Limit + 1}, nil
}

// FindFreeSlots implements app.AppointmentService.
func (s *AppointmentService) FindFreeSlots(ctx context.Context, doctorID, day string) ([]app.Slot, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "appointment.free_slots", "users", doctorID, "", app.CanSeeFreeSlots(c)); err != nil {
		return nil, err
	}
	out, err := freeSlots(ctx, s.db.r, doctorID, day, s.db.now())
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, internal("appointment.free_slots", err)
	}
	return out, nil
}

// freeSlots cuts the doctor's hours of day into slots and keeps those not
// yet begun that no confirmed or checked-in appointment overlaps, marking
// those a pending request overlaps.
func freeSlots(ctx context.Context, q rowQuerier, doctorID, dayText string, now time.Time) ([]app.Slot, error) {
	loc, err := clinicZone(ctx, q)
	if err != nil {
		return nil, err
	}
	day, err := dayOrToday(dayText, now, loc)
	if err != nil {
		return nil, err
	}
	if _, err := findDoctor(ctx, q, doctorID); err != nil {
		return nil, err
	}
	periods, err := hoursOn(ctx, q, doctorID, day, loc)
	if err != nil {
		return nil, err
	}
	slots := app.PeriodSlots(periods)
	if len(slots) == 0 {
		return nil, nil
	}
	from, to := slots[0].Start, slots[len(slots)-1].End
	rows, err := q.QueryContext(ctx, dayLoadSQL, dayLoadArgs(doctorID, from, to)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type held struct {
		start, end time.Time
		blocking   bool
	}
	var load []held
	for rows.Next() {
		var st, en string
		var status app.AppointmentStatus
		if err := rows.Scan(&st, &en, &status); err != nil {
			return nil, err
		}
		load = append(load, held{parseTime(st), parseTime(en), status.Blocking()})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]app.Slot, 0, len(slots))
	for _, sl := range slots {
		if sl.Start.Before(now) {
			continue
		}
		free := true
		for _, h := range load {
			if app.Overlaps(sl.Start, sl.End, h.start, h.end) {
				if h.blocking {
					free = false
					break
				}
				sl.Requested = true
			}
		}
		if free {
			out = append(out, sl)
		}
	}
	return out, nil
}

// FindAppointment implements app.AppointmentService: staff who see
// appointments read any, a patient only their own.
func (s *AppointmentService) FindAppointment(ctx context.Context, id string) (*app.Appointment, error) {
	c, _ := app.CallerFromContext(ctx)
	staff := app.CanSeeAllAppointments(c) == nil
	if err := app.RequireAny(c, app.PermViewAppointments, app.PermBookOwn); err != nil {
		return nil, s.db.authorizeRead(ctx, "appointment.view", "appointments", id, s.db.appointmentPatient(ctx, id), err)
	}
	a, err := scanAppointment(s.db.r.QueryRowContext(ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		if !staff {
			// A patient learns nothing about ids that are not theirs: an
			// unknown appointment is nobody's own.
			return nil, s.db.authorizeRead(ctx, "appointment.view", "appointments", id, "", app.CanSeeAppointmentsOf(c, ""))
		}
		return nil, app.Errorf(app.ENOTFOUND, "There is no such appointment.")
	} else if err != nil {
		return nil, internal("appointment.view", err)
	}
	if err := s.db.authorizeRead(ctx, "appointment.view", "appointments", id, a.PatientID, app.CanSeeAppointment(c, a)); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT at, from_status, to_status, note, by_user FROM appointment_events
		WHERE appointment_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, internal("appointment.view", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e app.AppointmentEvent
		var at string
		if err := rows.Scan(&at, &e.From, &e.To, &e.Note, &e.By); err != nil {
			return nil, internal("appointment.view", err)
		}
		e.At = parseTime(at)
		a.History = append(a.History, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("appointment.view", err)
	}
	return a, nil
}

// doctorRange lists a doctor's appointments of days days from day, for
// staff who see appointments and for the doctor.
func (s *AppointmentService) doctorRange(ctx context.Context, action, doctorID, dayText string, days int) ([]*app.Appointment, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "users", doctorID, "", app.CanSeeScheduleOf(c, doctorID)); err != nil {
		return nil, err
	}
	loc, err := clinicZone(ctx, s.db.r)
	if err != nil {
		return nil, internal(action, err)
	}
	day, err := dayOrToday(dayText, s.db.now(), loc)
	if err != nil {
		return nil, err
	}
	from, _ := day.Bounds(loc)
	to, _ := day.AddDays(days).Bounds(loc)
	out, err := scanAppointments(s.db.r.QueryContext(ctx, doctorRangeSQL, doctorID, formatTime(from), formatTime(to)))
	if err != nil {
		return nil, internal(action, err)
	}
	return out, nil
}

// DoctorDay implements app.AppointmentService.
func (s *AppointmentService) DoctorDay(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
	return s.doctorRange(ctx, "appointment.doctor_day", doctorID, day, 1)
}

// DoctorWeek implements app.AppointmentService.
func (s *AppointmentService) DoctorWeek(ctx context.Context, doctorID, weekStart string) ([]*app.Appointment, error) {
	return s.doctorRange(ctx, "appointment.doctor_week", doctorID, weekStart, 7)
}

// ReceptionBoard implements app.AppointmentService.
func (s *AppointmentService) ReceptionBoard(ctx context.Context, dayText string) (*app.Board, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "appointment.board", "appointments", "", "", app.CanSeeAllAppointments(c)); err != nil {
		return nil, err
	}
	now := s.db.now().UTC()
	loc, err := clinicZone(ctx, s.db.r)
	if err != nil {
		return nil, internal("appointment.board", err)
	}
	day, err := dayOrToday(dayText, now, loc)
	if err != nil {
		return nil, err
	}
	from, to := day.Bounds(loc)
	list, err := scanAppointments(s.db.r.QueryContext(ctx, boardSQL, formatTime(from), formatTime(to)))
	if err != nil {
		return nil, internal("appointment.board", err)
	}
	b := &app.Board{Day: day.String(), At: now}
	for _, a := range list {
		e := &app.BoardEntry{Appointment: a}
		if a.Status == app.AppointmentCheckedIn {
			e.Waiting = max(0, now.Sub(a.CheckedInAt))
			b.Waiting++
		}
		b.Entries = append(b.Entries, e)
	}
	if b.Conflicts, err = scanAppointments(s.db.r.QueryContext(ctx, conflictsSQL, formatTime(from))); err != nil {
		return nil, internal("appointment.board", err)
	}
	return b, nil
}

// PatientAppointments implements app.AppointmentService: staff who see
// appointments list any patient's, a patient only their own.
func (s *AppointmentService) PatientAppointments(ctx context.Context, patientID string, f app.AppointmentFilter) (*app.AppointmentPage, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "appointment.patient_list", "patients", patientID, patientID, app.CanSeeAppointmentsOf(c, patientID)); err != nil {
		return nil, err
	}
	f.Normalize()
	args, err := patientPageArgs(patientID, f, s.db.now().UTC())
	if err != nil {
		return nil, err
	}
	q := upcomingSQL
	if f.Past {
		q = pastSQL
	}
	list, err := scanAppointments(s.db.r.QueryContext(ctx, q, args...))
	if err != nil {
		return nil, internal("appointment.patient_list", err)
	}
	page := &app.AppointmentPage{Appointments: list}
	if len(list) > f.Limit {
		page.Appointments = list[:f.Limit]
		last := page.Appointments[f.Limit-1]
		page.Next = fmt.Sprintf("%s|%s", formatTime(last.Start), last.ID)
	}
	return page, nil
}
