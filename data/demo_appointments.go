package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"hms/app"
)

// demoDoctor is a demo doctor's profile and weekly hours.
type demoDoctor struct {
	username string
	profile  app.DoctorProfile
	weekly   []app.Availability
	id, name string
}

func demoHours(days []time.Weekday, start, end string, slot int) []app.Availability {
	var out []app.Availability
	for _, d := range days {
		out = append(out, app.Availability{Weekday: d, Start: start, End: end, SlotMinutes: slot})
	}
	return out
}

var demoWeekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// demoDoctors are the profiles and hours GenerateDemo gives the demo
// doctors: a general practitioner with morning and evening surgeries and
// Saturday mornings, and a cardiologist with longer visits.
func demoDoctors() []*demoDoctor {
	return []*demoDoctor{
		{username: "dr.house", profile: app.DoctorProfile{Specialization: "General practice", Room: "Room 1", VisitMinutes: 15},
			weekly: slices.Concat(demoHours(demoWeekdays, "08:00", "13:00", 15), demoHours(demoWeekdays, "16:00", "19:00", 15),
				demoHours([]time.Weekday{time.Saturday}, "09:00", "13:00", 15))},
		{username: "dr.ivanova", profile: app.DoctorProfile{Specialization: "Cardiology", Room: "Room 2", VisitMinutes: 20},
			weekly: slices.Concat(demoHours(demoWeekdays[:4], "09:00", "15:00", 20), demoHours(demoWeekdays[4:], "09:00", "13:00", 20))},
	}
}

var demoApptReasons = []string{"Check-up", "Follow-up", "Blood pressure review", "Cough and fever", "Chest pain", "Vaccination",
	"Back pain", "Prescription renewal", "Results review", "ECG", "Headache", "Sore throat", "Diabetes review",
	"Palpitations", "Skin rash", "Shortness of breath", "Annual physical", "Dizziness", ""}

var demoApptCancelReasons = []string{"Patient called to cancel", "Feeling better", "Travelling", "Doctor unavailable",
	"Clash with work", "Booked by mistake"}

// demoAppt is one appointment of the demo, with the times of its steps.
type demoAppt struct {
	id, patient string
	name, mrn   string // the patient's
	doc         *demoDoctor
	start, end  time.Time
	status      app.AppointmentStatus
	reason      string
	cancel      string
	created     time.Time
	checkedIn   time.Time // zero unless it was checked in
	closed      time.Time // completed, cancelled or marked as a no-show
}

// demoAppointments gives the demo doctors profiles and weekly hours
// (through the service, audited like an admin's), a leave day and an extra
// session ahead, and five years of appointments up to eight weeks ahead:
// past ones completed, missed or cancelled, today's mixed with patients
// checked in and waiting, upcoming ones confirmed or requested. The history
// is sparse on small demos and fills the doctors' hours as the demo grows
// (a few tens of thousands of appointments at most, as two doctors' hours
// allow); the last weeks and the next are always busy so that the screens
// look alive. The demo patient account gets a few of its own. Rows are
// bulk-inserted in batches, each one transaction with its audit row, with
// their status history and timeline entries.
func (db *DB) demoAppointments(ctx context.Context, rng *rand.Rand, patients int) error {
	svc := &AppointmentService{db: db}
	docs := demoDoctors()
	for _, d := range docs {
		if err := db.r.QueryRowContext(ctx, `SELECT id, full_name FROM users WHERE username = ?`, d.username).Scan(&d.id, &d.name); err != nil {
			return fmt.Errorf("demo appointments: doctor %s: %w", d.username, err)
		}
		d.profile.UserID = d.id
		if _, err := svc.SetDoctorProfile(ctx, d.profile); err != nil {
			return fmt.Errorf("demo appointments: profile: %w", err)
		}
		if _, err := svc.SetAvailability(ctx, d.id, d.weekly); err != nil {
			return fmt.Errorf("demo appointments: hours: %w", err)
		}
	}
	loc, err := clinicZone(ctx, db.r)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	today := app.DayOf(now, loc)
	if _, err := svc.AddAvailabilityException(ctx, app.AvailabilityException{DoctorID: docs[1].id, Date: today.AddDays(23).String(),
		Kind: app.ExceptionLeave, Reason: "Cardiology congress"}); err != nil {
		return fmt.Errorf("demo appointments: leave: %w", err)
	}
	if _, err := svc.AddAvailabilityException(ctx, app.AvailabilityException{DoctorID: docs[0].id, Date: today.AddDays(16).String(),
		Kind: app.ExceptionExtra, Start: "17:00", End: "19:00", Reason: "Flu vaccination session"}); err != nil {
		return fmt.Errorf("demo appointments: extra session: %w", err)
	}

	var own, ownGiven, ownFamily, ownMRN string
	if err := db.r.QueryRowContext(ctx, `SELECT p.id, p.given_name, p.family_name, p.mrn FROM users u
		JOIN patients p ON p.id = u.patient_id WHERE u.username = 'patient'`).Scan(&own, &ownGiven, &ownFamily, &ownMRN); err != nil {
		return fmt.Errorf("demo appointments: the demo patient: %w", err)
	}
	pool, err := db.demoPatientPool(ctx, own)
	if err != nil {
		return err
	}
	first, last := today.AddDays(-5*365), today.AddDays(56)
	// Slots of the whole span, per doctor and day; the history's density
	// is what the patients can fill.
	type daySlots struct {
		day   app.Day
		doc   *demoDoctor
		slots []app.Slot
	}
	var days []daySlots
	history := 0
	for d := first; d != last; d = d.AddDays(1) {
		if d.Month == time.August && d.Day <= 14 {
			continue // the clinic's summer closing
		}
		for _, doc := range docs {
			sl := app.PeriodSlots(app.DayPeriods(d, loc, doc.weekly, nil))
			if len(sl) > 0 {
				days = append(days, daySlots{d, doc, sl})
				if d.AddDays(14).String() < today.String() {
					history += len(sl)
				}
			}
		}
	}
	pHistory := min(0.8, float64(patients)*0.25/float64(max(history, 1)))
	pRecent := min(0.75, 0.75*float64(patients)/2000)

	var appts []*demoAppt
	taken := map[string]bool{} // doctor|start of the demo patient's own
	for _, o := range demoOwnPlan() {
		doc := docs[o.doc]
		for i := 0; i < 14; i++ { // the first working day from o.days on
			d := today.AddDays(o.days + i)
			sl := app.PeriodSlots(app.DayPeriods(d, loc, doc.weekly, nil))
			if len(sl) < 4 || (d.Month == time.August && d.Day <= 14) {
				continue
			}
			s := sl[len(sl)/3]
			if o.days > 0 && !s.Start.After(now) {
				continue
			}
			taken[doc.id+"|"+formatTime(s.Start)] = true
			a := &demoAppt{patient: own, name: ownGiven + " " + ownFamily, mrn: ownMRN, doc: doc, start: s.Start, end: s.End, reason: o.reason, status: o.status}
			db.demoApptSteps(rng, a, now, s.Start.AddDate(0, 0, -10))
			if o.status == app.AppointmentCancelled {
				a.cancel = "Travelling"
			}
			appts = append(appts, a)
			break
		}
	}
	busy := map[string][]*demoAppt{} // patient -> the day's appointments
	var busyDay app.Day
	for _, ds := range days {
		if ds.day != busyDay {
			clear(busy)
			busyDay = ds.day
		}
		p := pHistory
		if ds.day.AddDays(14).String() >= today.String() {
			p = pRecent
			if ds.day.String() > today.AddDays(14).String() {
				p = pRecent / 2
			}
		}
		for _, s := range ds.slots {
			if rng.Float64() >= p || taken[ds.doc.id+"|"+formatTime(s.Start)] {
				continue
			}
			n := sort.Search(len(pool), func(i int) bool { return !pool[i].since.Before(s.Start) })
			if n == 0 {
				continue
			}
			pick := pool[rng.IntN(n)]
			pid := pick.id
			overlap := false
			for _, o := range busy[pid] {
				overlap = overlap || app.Overlaps(o.start, o.end, s.Start, s.End)
			}
			if overlap {
				continue
			}
			a := &demoAppt{patient: pid, name: pick.name, mrn: pick.mrn, doc: ds.doc, start: s.Start, end: s.End,
				reason: demoApptReasons[rng.IntN(len(demoApptReasons))]}
			a.status = demoApptStatus(rng, s.Start, now)
			db.demoApptSteps(rng, a, now, pick.since)
			if a.status == app.AppointmentCancelled {
				a.cancel = demoApptCancelReasons[rng.IntN(len(demoApptCancelReasons))]
			}
			busy[pid] = append(busy[pid], a)
			appts = append(appts, a)
		}
	}
	slices.SortFunc(appts, func(a, b *demoAppt) int { return a.start.Compare(b.start) })
	for _, a := range appts {
		a.id = newIDAt(a.created, rng)
	}
	return db.bulkAppointments(ctx, appts, loc)
}

// demoOwnAppt is one appointment of the demo patient account: with which
// doctor, about how many days from today, in what status.
type demoOwnAppt struct {
	doc    int
	days   int
	status app.AppointmentStatus
	reason string
}

func demoOwnPlan() []demoOwnAppt {
	return []demoOwnAppt{
		{0, -400, app.AppointmentCompleted, "Annual physical"},
		{1, -300, app.AppointmentNoShow, "ECG"},
		{0, -200, app.AppointmentCompleted, "Cough and fever"},
		{1, -100, app.AppointmentCancelled, "Palpitations"},
		{1, -95, app.AppointmentCompleted, "Palpitations"},
		{0, -30, app.AppointmentCompleted, "Results review"},
		{1, 5, app.AppointmentConfirmed, "Echocardiogram follow-up"},
		{0, 12, app.AppointmentPending, "Prescription renewal"},
	}
}

// demoApptStatus draws the status of an appointment at start, seen at now.
func demoApptStatus(rng *rand.Rand, start, now time.Time) app.AppointmentStatus {
	r := rng.IntN(100)
	switch {
	case start.Before(now.Add(-30 * time.Minute)):
		switch {
		case r < 82:
			return app.AppointmentCompleted
		case r < 88:
			return app.AppointmentNoShow
		}
		return app.AppointmentCancelled
	case start.Before(now.Add(20 * time.Minute)):
		if r < 90 {
			return app.AppointmentCheckedIn
		}
		return app.AppointmentCancelled
	}
	switch {
	case r < 78:
		return app.AppointmentConfirmed
	case r < 90:
		return app.AppointmentPending
	}
	return app.AppointmentCancelled
}

// demoApptSteps sets when an appointment was booked and when its later steps
// happened, none of them after now and none before the patient existed.
func (db *DB) demoApptSteps(rng *rand.Rand, a *demoAppt, now, earliest time.Time) {
	created := a.start.Add(-time.Duration(1+rng.IntN(21*24)) * time.Hour)
	if created.Before(earliest) {
		created = earliest
	}
	if created.After(now) {
		created = now.Add(-time.Duration(rng.IntN(60)) * time.Minute)
	}
	a.created = created.Truncate(time.Millisecond)
	switch a.status {
	case app.AppointmentCompleted:
		a.checkedIn = a.start.Add(-time.Duration(rng.IntN(15)) * time.Minute)
		a.closed = a.end.Add(time.Duration(rng.IntN(10)) * time.Minute)
	case app.AppointmentCheckedIn:
		a.checkedIn = a.start.Add(-time.Duration(rng.IntN(15)) * time.Minute)
		if a.checkedIn.After(now) {
			a.checkedIn = now.Add(-time.Duration(rng.IntN(5)) * time.Minute)
		}
	case app.AppointmentNoShow:
		a.closed = a.start.Add(30 * time.Minute)
	case app.AppointmentCancelled:
		span := max(a.start.Sub(a.created), time.Hour)
		a.closed = a.created.Add(time.Duration(rng.Int64N(int64(span))))
		if a.closed.After(now) {
			a.closed = now
		}
	}
	for _, t := range []*time.Time{&a.checkedIn, &a.closed} {
		if t.Before(a.created) && !t.IsZero() {
			*t = a.created
		}
		if t.After(now) {
			*t = now
		}
	}
}

// demoBookable is a patient the demo may book, with when they registered.
type demoBookable struct {
	id, name, mrn string
	since         time.Time
}

// demoPatientPool samples at most 50,000 patients (not the demo account),
// ordered by registration, so that an appointment goes to someone already
// registered on its day.
func (db *DB) demoPatientPool(ctx context.Context, own string) ([]demoBookable, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM patients`).Scan(&n); err != nil {
		return nil, err
	}
	step := max(1, n/50000)
	rows, err := db.r.QueryContext(ctx, `SELECT id, given_name, family_name, mrn, created_at FROM patients
		WHERE deleted_at IS NULL AND rowid % ? = 0 AND id <> ?`, step, own)
	if err != nil {
		return nil, fmt.Errorf("demo appointments: patients: %w", err)
	}
	defer rows.Close()
	var out []demoBookable
	for rows.Next() {
		var p demoBookable
		var given, family, created string
		if err := rows.Scan(&p.id, &given, &family, &p.mrn, &created); err != nil {
			return nil, err
		}
		p.name = given + " " + family
		p.since = parseTime(created)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b demoBookable) int { return a.since.Compare(b.since) })
	return out, nil
}

// demoApptStep is one row of a demo appointment's status history.
type demoApptStep struct {
	at       time.Time
	from, to app.AppointmentStatus
	note, by string
}

// bulkAppointments writes the demo's appointments in batches, each one
// transaction with its audit row: the appointment, its status history and
// the patient's timeline entries.
func (db *DB) bulkAppointments(ctx context.Context, appts []*demoAppt, loc *time.Location) error {
	const batch = 20000
	for done := 0; done < len(appts); done += batch {
		part := appts[done:min(done+batch, len(appts))]
		err := db.write(ctx, "appointment.import", func(tx *Tx) error {
			ins, err := tx.PrepareContext(ctx, `INSERT INTO appointments (id, patient_id, patient_name, patient_mrn, doctor_id,
				start_at, end_at, status, reason, cancel_reason, checked_in_at, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'reception', ?, ?)`)
			if err != nil {
				return err
			}
			defer ins.Close()
			ev, err := tx.PrepareContext(ctx, `INSERT INTO appointment_events (id, appointment_id, at, from_status, to_status,
				note, by_user) VALUES (?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer ev.Close()
			pe, err := tx.PrepareContext(ctx, `INSERT INTO patient_events (id, patient_id, at, kind, summary, ref_id, by_user)
				VALUES (?, ?, ?, 'appointment', ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer pe.Close()
			rng := rand.New(rand.NewPCG(uint64(done), 7))
			for _, a := range part {
				first := app.AppointmentConfirmed
				if a.status == app.AppointmentPending {
					first = app.AppointmentPending
				}
				updated := a.created
				for _, t := range []time.Time{a.checkedIn, a.closed} {
					if t.After(updated) {
						updated = t
					}
				}
				if _, err := ins.ExecContext(ctx, a.id, a.patient, a.name, a.mrn, a.doc.id, formatTime(a.start), formatTime(a.end), a.status,
					a.reason, a.cancel, optTime(a.checkedIn), formatTime(a.created), formatTime(updated)); err != nil {
					return fmt.Errorf("demo appointment: %w", err)
				}
				steps := []demoApptStep{{a.created, "", first, "booked", "reception"}}
				prev := first
				if !a.checkedIn.IsZero() {
					steps = append(steps, demoApptStep{a.checkedIn, prev, app.AppointmentCheckedIn, "", "nurse.joy"})
					prev = app.AppointmentCheckedIn
				}
				if !a.closed.IsZero() {
					by := "reception"
					if a.status == app.AppointmentCompleted {
						by = a.doc.username
					}
					steps = append(steps, demoApptStep{a.closed, prev, a.status, a.cancel, by})
				}
				for _, st := range steps {
					if _, err := ev.ExecContext(ctx, newIDAt(st.at, rng), a.id, formatTime(st.at), st.from, st.to, st.note, st.by); err != nil {
						return fmt.Errorf("demo appointment event: %w", err)
					}
				}
				verb := "booked"
				if first == app.AppointmentPending {
					verb = "requested"
				}
				if _, err := pe.ExecContext(ctx, newIDAt(a.created, rng), a.patient, formatTime(a.created),
					fmt.Sprintf("Appointment %s with %s for %s", verb, a.doc.name, apptWhen(a.start, loc)), a.id, "reception"); err != nil {
					return err
				}
				var outcome string
				switch a.status {
				case app.AppointmentCompleted:
					outcome = fmt.Sprintf("Visit with %s completed", a.doc.name)
				case app.AppointmentNoShow:
					outcome = fmt.Sprintf("Did not come to the appointment with %s on %s", a.doc.name, apptWhen(a.start, loc))
				case app.AppointmentCancelled:
					outcome = fmt.Sprintf("Appointment with %s on %s cancelled: %s", a.doc.name, apptWhen(a.start, loc), a.cancel)
				case app.AppointmentCheckedIn:
					outcome = fmt.Sprintf("Checked in for %s at %s", a.doc.name, a.start.In(loc).Format("15:04"))
				}
				if outcome != "" {
					at := a.closed
					if at.IsZero() {
						at = a.checkedIn
					}
					if _, err := pe.ExecContext(ctx, newIDAt(at, rng), a.patient, formatTime(at), outcome, a.id, "reception"); err != nil {
						return err
					}
				}
			}
			tx.Audit("appointment.import", "appointments", "", "", fmt.Sprintf("demo data: %d appointments from %s to %s",
				len(part), formatTime(part[0].start), formatTime(part[len(part)-1].start)))
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo appointments: %w", err)
		}
	}
	return nil
}
