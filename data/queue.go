package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hms/app"
)

// QueueService implements app.QueueService.
//
// Threats: a call puts a token, and with the clinic's consent a name, on a
// screen in the waiting room, so only the staff of the appointment's doctor
// call (the doctor, or staff who manage every appointment), only a patient
// checked in today is called, and every call is audited. The display reads
// names only when the clinic's signed settings turn them on.
type QueueService struct {
	db *DB
}

var _ app.QueueService = (*QueueService)(nil)

// takeQueueToken gives a just checked-in appointment its token for the
// day: the desk's letter and its next number of the day. The number follows
// the desk's own tokens in the table, which holds every token the desk gave
// (they sync back to a restored desk), so no series row is needed and no
// two tokens of a desk's day are the same.
func (tx *Tx) takeQueueToken(a *app.Appointment, day app.Day) error {
	var n int
	if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(n), 0) + 1 FROM queue_tokens WHERE day = ? AND desk = ?`,
		day.String(), tx.db.desk).Scan(&n); err != nil {
		return fmt.Errorf("queue token: %w", err)
	}
	a.Token = app.QueueToken(tx.db.desk, n)
	ts := formatTime(tx.now)
	_, err := tx.exec(`INSERT INTO queue_tokens (id, appointment_id, day, desk, n, token, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, newID(), a.ID, day.String(), tx.db.desk, n, a.Token, ts, ts)
	return err
}

// CallNext implements app.QueueService.
func (s *QueueService) CallNext(ctx context.Context, doctorID, room string) (*app.QueueCall, error) {
	var out *app.QueueCall
	err := s.db.writeFor(ctx, "queue.call", "appointments", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageAppointmentsOf(tx.caller, doctorID)); err != nil {
			return err
		}
		loc, err := clinicZone(tx.ctx, tx)
		if err != nil {
			return err
		}
		from, to := app.DayOf(tx.now, loc).Bounds(loc)
		var id string
		err = tx.QueryRowContext(tx.ctx, `SELECT a.id FROM appointments a
			WHERE a.doctor_id = ? AND a.start_at >= ? AND a.start_at < ? AND a.status = 'checked_in'
			AND a.deleted_at IS NULL
			AND EXISTS (SELECT 1 FROM queue_tokens t WHERE t.appointment_id = a.id)
			AND NOT EXISTS (SELECT 1 FROM queue_calls c WHERE c.appointment_id = a.id)
			ORDER BY a.checked_in_at, a.start_at, a.id LIMIT 1`, doctorID, formatTime(from), formatTime(to)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "Nobody is waiting: every patient checked in has been called.")
		} else if err != nil {
			return err
		}
		out, err = tx.callAppointment(id, room, loc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Call implements app.QueueService.
func (s *QueueService) Call(ctx context.Context, appointmentID, room string) (*app.QueueCall, error) {
	var out *app.QueueCall
	err := s.db.writeFor(ctx, "queue.call", "appointments", appointmentID, s.db.appointmentPatient(ctx, appointmentID), func(tx *Tx) error {
		if err := authorize(app.RequireAny(tx.caller, app.PermManageAppointments, app.PermOwnSchedule)); err != nil {
			return err
		}
		loc, err := clinicZone(tx.ctx, tx)
		if err != nil {
			return err
		}
		out, err = tx.callAppointment(appointmentID, room, loc)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// callAppointment calls the patient of an appointment to room ("" the
// doctor's room) and writes the call and its audit row.
func (tx *Tx) callAppointment(id, room string, loc *time.Location) (*app.QueueCall, error) {
	a, err := tx.findAppointment(id)
	if err != nil {
		return nil, err
	}
	if err := authorize(app.CanManageAppointmentsOf(tx.caller, a.DoctorID)); err != nil {
		return nil, err
	}
	switch {
	case a.Status != app.AppointmentCheckedIn:
		return nil, app.Errorf(app.ECONFLICT, "%s is not waiting (the appointment is %s): only a patient checked in is called.",
			a.PatientName, app.Lower(a.Status.Label()))
	case app.DayOf(a.Start, loc) != app.DayOf(tx.now, loc):
		return nil, app.Errorf(app.ECONFLICT, "This appointment is not today's: only today's patients are called.")
	case a.Token == "":
		return nil, app.Errorf(app.ECONFLICT, "%s was checked in without a token: check them in at a desk of this version.", a.PatientName)
	}
	if room == "" {
		if room, err = doctorRoom(tx.ctx, tx, a.DoctorID); err != nil {
			return nil, err
		}
	}
	if room, err = app.ValidateRoom(room); err != nil {
		return nil, err
	}
	c := &app.QueueCall{ID: newID(), AppointmentID: a.ID, Token: a.Token, Room: room, DoctorID: a.DoctorID,
		DoctorName: a.DoctorName, PatientName: a.PatientName, CalledAt: tx.now}
	ts := formatTime(tx.now)
	if _, err := tx.exec(`INSERT INTO queue_calls (id, appointment_id, token, room, doctor_id, doctor_name, called_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, a.ID, c.Token, room, a.DoctorID, a.DoctorName,
		ts, ts, ts); err != nil {
		return nil, err
	}
	tx.Audit("queue.call", "appointments", a.ID, a.PatientID, fmt.Sprintf("token %s called to %s by %s", c.Token, room, a.DoctorName))
	return c, nil
}

// doctorRoom is the room the doctor called from last, else their
// profile's.
func doctorRoom(ctx context.Context, q rowQuerier, doctorID string) (string, error) {
	var room string
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT room FROM queue_calls WHERE doctor_id = ?
		ORDER BY called_at DESC, id DESC LIMIT 1), (SELECT room FROM doctor_profiles WHERE user_id = ?
		AND deleted_at IS NULL), '')`, doctorID, doctorID).Scan(&room)
	return room, err
}

// DoctorRoom implements app.QueueService.
func (s *QueueService) DoctorRoom(ctx context.Context, doctorID string) (string, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "queue.room", "users", doctorID, "", app.CanManageAppointmentsOf(c, doctorID)); err != nil {
		return "", err
	}
	room, err := doctorRoom(ctx, s.db.r, doctorID)
	if err != nil {
		return "", internal("queue.room", err)
	}
	return room, nil
}

// RecentCalls implements app.QueueService.
func (s *QueueService) RecentCalls(ctx context.Context, limit int) ([]*app.QueueCall, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "queue.calls", "appointments", "", "", app.CanSeeAllAppointments(c)); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	st, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("queue.calls", err)
	}
	loc := st.Location()
	from, _ := app.DayOf(s.db.now(), loc).Bounds(loc)
	rows, err := s.db.r.QueryContext(ctx, `SELECT c.id, c.appointment_id, c.token, c.room, c.doctor_id, c.doctor_name,
		c.called_at, coalesce(a.patient_name, '') FROM queue_calls c LEFT JOIN appointments a ON a.id = c.appointment_id
		WHERE c.called_at >= ? ORDER BY c.called_at DESC, c.id DESC LIMIT ?`, formatTime(from), limit)
	if err != nil {
		return nil, internal("queue.calls", err)
	}
	defer rows.Close()
	var out []*app.QueueCall
	for rows.Next() {
		var qc app.QueueCall
		var at, name string
		if err := rows.Scan(&qc.ID, &qc.AppointmentID, &qc.Token, &qc.Room, &qc.DoctorID, &qc.DoctorName, &at, &name); err != nil {
			return nil, internal("queue.calls", err)
		}
		qc.CalledAt = parseTime(at)
		if st.DisplayNames {
			qc.PatientName = name
		}
		out = append(out, &qc)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("queue.calls", err)
	}
	return out, nil
}
