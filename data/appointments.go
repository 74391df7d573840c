package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hms/app"
)

// AppointmentService implements app.AppointmentService: doctors' profiles
// and hours, booking without double-booking, the status workflow, and the
// calendars.
//
// Every write runs in one IMMEDIATE transaction of the writer (db.write),
// so the conflict checks and the insert see the same database even when
// another desk's process writes the same file: the second booking of a
// slot waits for the first to commit, then sees it and is refused. Every
// write is audited and written on the patient's timeline.
//
// Reads (calendars, the board, free slots) run on the reader pool and are
// not audited: they are read all day long, hold no clinical content, and
// must answer within DESIGN.md's 2 ms. Their denials are audited.
type AppointmentService struct {
	db *DB
}

var _ app.AppointmentService = (*AppointmentService)(nil)

// appointmentPatient is the patient of an appointment, read before the
// method's transaction so that a denial's audit row names the patient.
func (db *DB) appointmentPatient(ctx context.Context, id string) string {
	var pid string
	_ = db.r.QueryRowContext(ctx, `SELECT patient_id FROM appointments WHERE id = ?`, id).Scan(&pid)
	return pid
}

// doctorInfo is what booking needs to know about a doctor.
type doctorInfo struct {
	id, name     string
	room         string
	active       bool
	visitMinutes int
}

// findDoctor reads a doctor's account and profile. Another account, or
// none, is ENOTFOUND.
func findDoctor(ctx context.Context, q rowQuerier, id string) (*doctorInfo, error) {
	d := &doctorInfo{id: id}
	var role, status string
	err := q.QueryRowContext(ctx, `SELECT u.full_name, u.role, u.status, coalesce(dp.visit_minutes, 0), coalesce(dp.room, '')
		FROM users u LEFT JOIN doctor_profiles dp ON dp.user_id = u.id AND dp.deleted_at IS NULL
		WHERE u.id = ? AND u.deleted_at IS NULL`, id).Scan(&d.name, &role, &status, &d.visitMinutes, &d.room)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != string(app.RoleDoctor)) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such doctor.").On("doctor_id")
	} else if err != nil {
		return nil, err
	}
	d.active = status == string(app.StatusActive)
	if d.visitMinutes == 0 {
		d.visitMinutes = app.DefaultVisitMinutes
	}
	return d, nil
}

// hoursOn reads a doctor's weekly blocks of day's weekday and the
// exceptions of that date, and returns the day's work periods.
func hoursOn(ctx context.Context, q rowQuerier, doctorID string, day app.Day, loc *time.Location) ([]app.WorkPeriod, error) {
	rows, err := q.QueryContext(ctx, `SELECT weekday, start_time, end_time, slot_minutes FROM availability
		WHERE doctor_id = ? AND weekday = ? AND deleted_at IS NULL`, doctorID, int(day.Weekday()))
	if err != nil {
		return nil, err
	}
	weekly, err := scanBlocks(rows)
	if err != nil {
		return nil, err
	}
	exc, err := exceptionsOf(ctx, q, `e.doctor_id = ? AND e.date = ?`, doctorID, day.String())
	if err != nil {
		return nil, err
	}
	return app.DayPeriods(day, loc, weekly, exc), nil
}

func scanBlocks(rows *sql.Rows) ([]app.Availability, error) {
	defer rows.Close()
	var out []app.Availability
	for rows.Next() {
		var a app.Availability
		var wd int
		if err := rows.Scan(&wd, &a.Start, &a.End, &a.SlotMinutes); err != nil {
			return nil, err
		}
		a.Weekday = time.Weekday(wd)
		out = append(out, a)
	}
	return out, rows.Err()
}

const exceptionColumns = `e.id, e.doctor_id, e.date, e.kind, e.start_time, e.end_time, e.slot_minutes, e.reason,
	e.created_by, e.created_at`

func exceptionsOf(ctx context.Context, q rowQuerier, where string, args ...any) ([]app.AvailabilityException, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+exceptionColumns+` FROM availability_exceptions e
		WHERE `+where+` AND e.deleted_at IS NULL ORDER BY e.date, e.start_time, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.AvailabilityException
	for rows.Next() {
		var e app.AvailabilityException
		var created string
		if err := rows.Scan(&e.ID, &e.DoctorID, &e.Date, &e.Kind, &e.Start, &e.End, &e.SlotMinutes, &e.Reason,
			&e.CreatedBy, &created); err != nil {
			return nil, err
		}
		e.CreatedAt = parseTime(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// readProfile reads a doctor's profile, weekly hours and the exceptions
// from today on.
func readProfile(ctx context.Context, q rowQuerier, doctorID string, now time.Time) (*app.DoctorProfile, error) {
	d, err := findDoctor(ctx, q, doctorID)
	if err != nil {
		return nil, err
	}
	p := &app.DoctorProfile{UserID: doctorID, FullName: d.name, VisitMinutes: app.DefaultVisitMinutes}
	var updated string
	err = q.QueryRowContext(ctx, `SELECT specialization, room, fee, visit_minutes, updated_at FROM doctor_profiles
		WHERE user_id = ? AND deleted_at IS NULL`, doctorID).Scan(&p.Specialization, &p.Room, &p.Fee, &p.VisitMinutes, &updated)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	p.UpdatedAt = parseTime(updated)
	if err := fillConsultation(ctx, q, p, now); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT weekday, start_time, end_time, slot_minutes FROM availability
		WHERE doctor_id = ? AND deleted_at IS NULL ORDER BY weekday, start_time`, doctorID)
	if err != nil {
		return nil, err
	}
	if p.Weekly, err = scanBlocks(rows); err != nil {
		return nil, err
	}
	loc, err := clinicZone(ctx, q)
	if err != nil {
		return nil, err
	}
	p.Exceptions, err = exceptionsOf(ctx, q, `e.doctor_id = ? AND e.date >= ?`, doctorID, app.DayOf(now, loc).String())
	return p, err
}

// SetDoctorProfile implements app.AppointmentService.
func (s *AppointmentService) SetDoctorProfile(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
	verr := p.Validate()
	var out *app.DoctorProfile
	err := s.db.writeFor(ctx, "doctor.profile", "doctor_profiles", p.UserID, "", func(tx *Tx) error {
		if err := authorize(app.CanManageHours(tx.caller, p.UserID)); err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		if _, err := findDoctor(ctx, tx, p.UserID); err != nil {
			return err
		}
		// The profile as the desk holds it, for the fields an edit
		// replaced (none when the doctor has none yet).
		var rowID string
		var before *app.DoctorProfile
		var spec, room string
		var visit int
		switch err := tx.QueryRowContext(ctx, `SELECT id, specialization, room, visit_minutes FROM doctor_profiles
			WHERE user_id = ?`, p.UserID).Scan(&rowID, &spec, &room, &visit); {
		case err == nil:
			before = &app.DoctorProfile{Specialization: spec, Room: room, VisitMinutes: visit}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if before != nil && p.Was != nil && p.Was.UserID == p.UserID {
			// The hours screen sends every field as it shows them: one left
			// as shown keeps the desk's value, which a sync may have
			// changed while the screen was open (written back, the other
			// desk's change was lost). Both values passed validation.
			if p.Specialization == p.Was.Specialization {
				p.Specialization = before.Specialization
			}
			if p.Room == p.Was.Room {
				p.Room = before.Room
			}
			if p.VisitMinutes == p.Was.VisitMinutes {
				p.VisitMinutes = before.VisitMinutes
			}
		}
		ts := formatTime(tx.now)
		// The fee column is no longer written: the consultation item of
		// the price list is the one source of the fee.
		if _, err := tx.ExecContext(ctx, `INSERT INTO doctor_profiles (id, user_id, specialization, search_specialization,
			room, visit_minutes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET specialization = excluded.specialization,
			search_specialization = excluded.search_specialization, room = excluded.room,
			visit_minutes = excluded.visit_minutes, updated_at = excluded.updated_at, deleted_at = NULL`,
			newID(), p.UserID, p.Specialization, app.FoldForSearch(p.Specialization), p.Room, p.VisitMinutes,
			ts, ts); err != nil {
			return err
		}
		if before != nil && p.Was != nil && p.Was.UserID == p.UserID {
			if err := tx.notSeen("doctor_profiles", rowID, diffFields(profileEditable(before), profileEditable(&p)),
				fieldMap(profileEditable(p.Was))); err != nil {
				return err
			}
		}
		linked, err := tx.linkConsultation(p.UserID, p.ConsultationCode)
		if err != nil {
			return err
		}
		tx.Audit("doctor.profile", "doctor_profiles", p.UserID, "", fmt.Sprintf("specialization %q, room %q, visit %d min%s",
			p.Specialization, p.Room, p.VisitMinutes, linked))
		out, err = readProfile(ctx, tx, p.UserID, tx.now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// profileEditable is a doctor's profile's fields that SetDoctorProfile
// sets: column name, value (as notSeen compares them).
func profileEditable(p *app.DoctorProfile) [][2]string {
	return [][2]string{{"specialization", p.Specialization}, {"room", p.Room},
		{"visit_minutes", strconv.Itoa(p.VisitMinutes)}}
}

// GetDoctorProfile implements app.AppointmentService.
func (s *AppointmentService) GetDoctorProfile(ctx context.Context, doctorID string) (*app.DoctorProfile, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "doctor.profile_view", "doctor_profiles", doctorID, "", app.RequireLoggedIn(c)); err != nil {
		return nil, err
	}
	p, err := readProfile(ctx, s.db.r, doctorID, s.db.now())
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, internal("doctor.profile_view", err)
	}
	return p, nil
}

// FindDoctors implements app.AppointmentService.
func (s *AppointmentService) FindDoctors(ctx context.Context, specialization string) ([]*app.DoctorProfile, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "doctor.find", "doctor_profiles", "", "", app.RequireLoggedIn(c)); err != nil {
		return nil, err
	}
	q := `SELECT u.id, u.full_name, coalesce(dp.specialization, ''), coalesce(dp.room, ''), coalesce(dp.fee, 0),
		coalesce(dp.visit_minutes, ?), coalesce(dp.updated_at, '')
		FROM users u LEFT JOIN doctor_profiles dp ON dp.user_id = u.id AND dp.deleted_at IS NULL
		WHERE u.role = 'doctor' AND u.status = 'active' AND u.deleted_at IS NULL`
	args := []any{app.DefaultVisitMinutes}
	if f := strings.TrimSpace(app.FoldForSearch(specialization)); f != "" {
		q += ` AND dp.search_specialization LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(f)+"%")
	}
	rows, err := s.db.r.QueryContext(ctx, q+` ORDER BY u.full_name, u.id LIMIT 1000`, args...)
	if err != nil {
		return nil, internal("doctor.find", err)
	}
	defer rows.Close()
	var out []*app.DoctorProfile
	for rows.Next() {
		var p app.DoctorProfile
		var updated string
		if err := rows.Scan(&p.UserID, &p.FullName, &p.Specialization, &p.Room, &p.Fee, &p.VisitMinutes, &updated); err != nil {
			return nil, internal("doctor.find", err)
		}
		p.UpdatedAt = parseTime(updated)
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("doctor.find", err)
	}
	rows.Close()
	now := s.db.now()
	for _, p := range out {
		if err := fillConsultation(ctx, s.db.r, p, now); err != nil {
			return nil, internal("doctor.find", err)
		}
	}
	return out, nil
}

// SetAvailability implements app.AppointmentService. The old blocks are
// tombstoned, not deleted, so that sync can carry the change.
func (s *AppointmentService) SetAvailability(ctx context.Context, doctorID string, weekly []app.Availability) ([]app.Availability, error) {
	blocks := append([]app.Availability(nil), weekly...)
	verr := app.ValidateWeekly(blocks)
	err := s.db.writeFor(ctx, "doctor.availability", "availability", doctorID, "", func(tx *Tx) error {
		if err := authorize(app.CanManageHours(tx.caller, doctorID)); err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		if _, err := findDoctor(ctx, tx, doctorID); err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(ctx, `UPDATE availability SET deleted_at = ?, updated_at = ?
			WHERE doctor_id = ? AND deleted_at IS NULL`, ts, ts, doctorID); err != nil {
			return err
		}
		var desc []string
		for _, b := range blocks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO availability (id, doctor_id, weekday, start_time, end_time,
				slot_minutes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				newID(), doctorID, int(b.Weekday), b.Start, b.End, b.SlotMinutes, ts, ts); err != nil {
				return err
			}
			desc = append(desc, fmt.Sprintf("%s %s-%s/%d", b.Weekday.String()[:3], b.Start, b.End, b.SlotMinutes))
		}
		if len(desc) == 0 {
			desc = []string{"no weekly hours"}
		}
		tx.Audit("doctor.availability", "availability", doctorID, "", strings.Join(desc, ", "))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return blocks, nil
}

// AddAvailabilityException implements app.AppointmentService. Appointments
// already booked in a leave stay booked: the day's calendar shows them for
// reception to move.
func (s *AppointmentService) AddAvailabilityException(ctx context.Context, e app.AvailabilityException) (*app.AvailabilityException, error) {
	verr := e.Validate()
	err := s.db.writeFor(ctx, "doctor.exception_add", "availability_exceptions", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageHours(tx.caller, e.DoctorID)); err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		d, err := findDoctor(ctx, tx, e.DoctorID)
		if err != nil {
			return err
		}
		loc, err := clinicZone(ctx, tx)
		if err != nil {
			return err
		}
		if e.Date < app.DayOf(tx.now, loc).String() {
			return app.FieldErrorf("date", "%s has passed.", e.Date)
		}
		if e.Kind == app.ExceptionExtra && e.SlotMinutes == 0 {
			e.SlotMinutes = d.visitMinutes
		}
		e.ID, e.CreatedBy, e.CreatedAt = newID(), tx.caller.Username, tx.now
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO availability_exceptions (id, doctor_id, date, kind, start_time,
			end_time, slot_minutes, reason, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.DoctorID, e.Date, e.Kind, e.Start, e.End, e.SlotMinutes, e.Reason, e.CreatedBy, ts, ts); err != nil {
			return err
		}
		hours := "whole day"
		if e.Start != "" {
			hours = e.Start + "-" + e.End
		}
		tx.Audit("doctor.exception_add", "availability_exceptions", e.ID, "", fmt.Sprintf("%s %s %s for %s: %s",
			e.Kind, e.Date, hours, d.name, e.Reason))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// RemoveAvailabilityException implements app.AppointmentService.
func (s *AppointmentService) RemoveAvailabilityException(ctx context.Context, id string) error {
	return s.db.writeFor(ctx, "doctor.exception_remove", "availability_exceptions", id, "", func(tx *Tx) error {
		if err := authorize(app.RequireAny(tx.caller, app.PermManageStaff, app.PermOwnSchedule)); err != nil {
			return err
		}
		var doctorID, date, kind string
		err := tx.QueryRowContext(ctx, `SELECT doctor_id, date, kind FROM availability_exceptions
			WHERE id = ? AND deleted_at IS NULL`, id).Scan(&doctorID, &date, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such leave or extra session.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanManageHours(tx.caller, doctorID)); err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(ctx, `UPDATE availability_exceptions SET deleted_at = ?, updated_at = ? WHERE id = ?`,
			ts, ts, id); err != nil {
			return err
		}
		tx.Audit("doctor.exception_remove", "availability_exceptions", id, "", kind+" "+date)
		return nil
	})
}
