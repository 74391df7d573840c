package data_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// apptClinic is the fixture clinic (Europe/Athens) with the fixture doctor's
// hours set: Monday to Saturday 08:00–12:00 and 14:00–18:00, in 15-minute
// slots, and a second doctor with the same hours. The clock stands at
// Wednesday 25 November 2026, 11:00 in Athens (09:00 UTC).
type apptClinic struct {
	*clinic
	loc      *time.Location
	doctor   string // the fixture doctor (doctor1)
	doctor2  string
	patient  string // zoe's record: the patient account's own
	patient2 string // yannis's record
}

var weekdayHours = func() []app.Availability {
	var out []app.Availability
	for wd := time.Monday; wd <= time.Saturday; wd++ {
		out = append(out, app.Availability{Weekday: wd, Start: "08:00", End: "12:00", SlotMinutes: 15},
			app.Availability{Weekday: wd, Start: "14:00", End: "18:00", SlotMinutes: 15})
	}
	return out
}()

func mustAppointments(tb testing.TB) *apptClinic {
	tb.Helper()
	c := mustSetup(tb)
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		tb.Skip("no time zone data:", err)
	}
	a := &apptClinic{clinic: c, loc: loc, doctor: c.users[app.RoleDoctor].ID,
		patient: c.users[app.RolePatient].PatientID, patient2: c.patient2.PatientID}
	d2, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{Username: "doctor2", FullName: "Dr. Second",
		Role: app.RoleDoctor, Password: "a long staff password doctor2"})
	if err != nil {
		tb.Fatal(err)
	}
	a.doctor2 = d2.ID
	for _, id := range []string{a.doctor, a.doctor2} {
		if _, err := c.svc.Appointments.SetAvailability(c.ctx(app.RoleAdmin), id, weekdayHours); err != nil {
			tb.Fatal(err)
		}
	}
	return a
}

// at is a time in Athens on a date of the fixture's calendar.
func (a *apptClinic) at(day string, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, a.loc)
	if err != nil {
		panic(err)
	}
	return t
}

// book books as role, failing the test on error.
func (a *apptClinic) book(tb testing.TB, role app.Role, c app.AppointmentCreate) *app.Appointment {
	tb.Helper()
	ap, err := a.svc.Appointments.Book(a.ctx(role), c)
	if err != nil {
		tb.Fatalf("book %+v as %s: %v", c, role, err)
	}
	return ap
}

// status reads an appointment's status as staff.
func (a *apptClinic) status(tb testing.TB, id string) app.AppointmentStatus {
	tb.Helper()
	ap, err := a.svc.Appointments.FindAppointment(a.ctx(app.RoleReception), id)
	if err != nil {
		tb.Fatal(err)
	}
	return ap.Status
}

func wantErr(tb testing.TB, err error, code, field, contains string) {
	tb.Helper()
	if app.ErrorCode(err) != code || (field != "" && app.ErrorField(err) != field) ||
		!strings.Contains(app.ErrorMessage(err), contains) {
		tb.Fatalf("want %s (field %q, message with %q), got %v", code, field, contains, err)
	}
}

const (
	today    = "2026-11-25" // Wednesday, the fixture's today
	tomorrow = "2026-11-26"
)

func TestBookAppointment(t *testing.T) {
	a := mustAppointments(t)
	ctxAdmin := a.ctx(app.RoleAdmin)
	svc := a.svc.Appointments

	t.Run("OK", func(t *testing.T) {
		ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
			Start: a.at(tomorrow, "09:00"), Reason: "Cough"})
		if ap.Status != app.AppointmentConfirmed || ap.Minutes() != 15 || ap.PatientName != "yannis Papadopoulou" ||
			ap.DoctorName != "Staff doctor" || ap.Start.Location() != time.UTC || ap.CreatedBy != "reception1" {
			t.Fatalf("%+v", ap)
		}
		got, err := svc.FindAppointment(ctxAdmin, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Start.Equal(a.at(tomorrow, "09:00")) || !got.End.Equal(a.at(tomorrow, "09:15")) || got.Reason != "Cough" ||
			len(got.History) != 1 || got.History[0].To != app.AppointmentConfirmed || got.History[0].By != "reception1" {
			t.Fatalf("%+v", got)
		}
		hist, err := a.svc.Clinical.FindHistory(a.ctx(app.RoleDoctor), a.patient2, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryAppointment}})
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || !strings.Contains(hist[0].Summary, "Thu 26 Nov 2026 09:00") || hist[0].RefID != ap.ID {
			t.Fatalf("timeline: %+v", hist)
		}
		var n int
		rawDB(t, a.db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'appointment.book' AND entity_id = ? AND outcome = 'ok'`, ap.ID).Scan(&n)
		if n != 1 {
			t.Fatalf("%d audit rows", n)
		}
	})

	t.Run("PatientRequestIsPending", func(t *testing.T) {
		ap := a.book(t, app.RolePatient, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "10:00"), Reason: "Check-up"})
		if ap.Status != app.AppointmentPending || ap.CreatedBy != "zoe" {
			t.Fatalf("%+v", ap)
		}
	})

	t.Run("DoctorBooksOwnSchedule", func(t *testing.T) {
		ap := a.book(t, app.RoleDoctor, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
			Start: a.at(tomorrow, "14:00"), Minutes: 30})
		if ap.Status != app.AppointmentConfirmed || ap.Minutes() != 30 {
			t.Fatalf("%+v", ap)
		}
	})

	t.Run("ErrDoctorOverlap", func(t *testing.T) {
		// 09:00–09:15 is yannis's; 08:50–09:05 for zoe overlaps it.
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "08:50")})
		wantErr(t, err, app.ECONFLICT, "start", "Staff doctor already has an appointment at Thu 26 Nov 2026 09:00–09:15")
	})

	t.Run("ErrDoctorOverlapLongVisit", func(t *testing.T) {
		// A long visit that began hours earlier still blocks: 14:00–14:30
		// is booked; 14:20 overlaps its end.
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "14:20")})
		wantErr(t, err, app.ECONFLICT, "start", "14:00–14:30")
	})

	t.Run("ErrPatientOverlap", func(t *testing.T) {
		// zoe's pending request with doctor1 at 10:00 keeps her from
		// another doctor at 10:00.
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor2,
			Start: a.at(tomorrow, "10:00")})
		wantErr(t, err, app.ECONFLICT, "start", "zoe Papadopoulou already has an appointment with Staff doctor")
		_, err = svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor2,
			Start: a.at(tomorrow, "10:00")})
		wantErr(t, err, app.ECONFLICT, "start", "You already have an appointment")
	})

	t.Run("PendingDoesNotHoldTheDoctor", func(t *testing.T) {
		// zoe's request at 10:00 is pending: reception may give the slot
		// to yannis, and confirming zoe's is then refused.
		ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
			Start: a.at(tomorrow, "10:00")})
		if ap.Status != app.AppointmentConfirmed {
			t.Fatal(ap.Status)
		}
		page, err := svc.PatientAppointments(a.ctx(app.RolePatient), a.patient, app.AppointmentFilter{})
		if err != nil || len(page.Appointments) != 1 {
			t.Fatal(page, err)
		}
		_, err = svc.Confirm(a.ctx(app.RoleReception), page.Appointments[0].ID)
		wantErr(t, err, app.ECONFLICT, "start", "already has an appointment")
	})

	t.Run("ErrPatientRequestOverDoctorsConfirmed", func(t *testing.T) {
		_, err := svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "09:00")})
		wantErr(t, err, app.ECONFLICT, "start", "Staff doctor already has an appointment")
	})

	t.Run("ErrPast", func(t *testing.T) {
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(today, "10:45")})
		wantErr(t, err, app.EINVALID, "start", "Wed 25 Nov 2026 10:45 has passed")
		_, err = svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(today, "10:45"), OverrideReason: "retroactive"})
		wantErr(t, err, app.EINVALID, "start", "has passed")
	})

	t.Run("ErrTooFarAhead", func(t *testing.T) {
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at("2029-01-10", "09:00")})
		wantErr(t, err, app.EINVALID, "start", "ahead")
	})

	t.Run("ErrOutsideHours", func(t *testing.T) {
		_, err := svc.Book(a.ctx(app.RoleReception), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "12:30")})
		wantErr(t, err, app.ECONFLICT, "override_reason", "outside Staff doctor's hours that day (08:00–12:00, 14:00–18:00)")
		// A visit that begins within hours but runs past them is outside too.
		_, err = svc.Book(a.ctx(app.RoleReception), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "11:45"), Minutes: 30})
		wantErr(t, err, app.ECONFLICT, "override_reason", "outside")
		// Sunday: no hours at all.
		_, err = svc.Book(a.ctx(app.RoleReception), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at("2026-11-29", "10:00")})
		wantErr(t, err, app.ECONFLICT, "override_reason", "(no hours)")
	})

	t.Run("OverrideRecorded", func(t *testing.T) {
		ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "12:30"), OverrideReason: "Urgent, doctor agreed"})
		if ap.OverrideReason != "Urgent, doctor agreed" || ap.Minutes() != 15 {
			t.Fatalf("%+v", ap)
		}
		var detail string
		rawDB(t, a.db).QueryRow(`SELECT detail FROM audit_log WHERE entity_id = ?`, ap.ID).Scan(&detail)
		if !strings.Contains(detail, "outside hours: Urgent, doctor agreed") {
			t.Fatalf("audit detail %q", detail)
		}
		// Within hours, an override reason is not recorded: nothing was overridden.
		ap = a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "15:00"), OverrideReason: "not needed"})
		if ap.OverrideReason != "" {
			t.Fatalf("override recorded within hours: %+v", ap)
		}
	})

	t.Run("ErrPatientCannotOverride", func(t *testing.T) {
		_, err := svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "19:00"), OverrideReason: "please"})
		wantErr(t, err, app.EUNAUTHORIZED, "", "")
		_, err = svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "19:00")})
		wantErr(t, err, app.ECONFLICT, "start", "does not see patients at Thu 26 Nov 2026 19:00: choose one of the free slots")
		// Off the slot grid, or longer than a slot, within hours.
		_, err = svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "16:05")})
		wantErr(t, err, app.ECONFLICT, "start", "free slots")
		_, err = svc.Book(a.ctx(app.RolePatient), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
			Start: a.at(tomorrow, "16:00"), Minutes: 60})
		wantErr(t, err, app.ECONFLICT, "start", "free slots")
	})

	t.Run("ErrInput", func(t *testing.T) {
		for field, c := range map[string]app.AppointmentCreate{
			"patient_id": {DoctorID: a.doctor, Start: a.at(tomorrow, "16:00")},
			"doctor_id":  {PatientID: a.patient, Start: a.at(tomorrow, "16:00")},
			"start":      {PatientID: a.patient, DoctorID: a.doctor},
			"minutes":    {PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "16:00"), Minutes: 9 * 60},
		} {
			_, err := svc.Book(ctxAdmin, c)
			wantErr(t, err, app.EINVALID, field, "")
		}
		_, err := svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.users[app.RoleNurse].ID,
			Start: a.at(tomorrow, "16:00")})
		wantErr(t, err, app.ENOTFOUND, "doctor_id", "no such doctor")
		_, err = svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: "nobody", DoctorID: a.doctor, Start: a.at(tomorrow, "16:00")})
		wantErr(t, err, app.ENOTFOUND, "patient_id", "")
	})

	t.Run("ErrArchivedPatient", func(t *testing.T) {
		p, err := a.svc.Patients.CreatePatient(ctxAdmin, app.PatientCreate{GivenName: "Old", FamilyName: "Record",
			Sex: app.SexMale, BirthDate: "1950-05-05"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.Patients.ArchivePatient(ctxAdmin, p.ID, "moved away"); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Book(ctxAdmin, app.AppointmentCreate{PatientID: p.ID, DoctorID: a.doctor, Start: a.at(tomorrow, "16:00")})
		wantErr(t, err, app.ECONFLICT, "patient_id", "archived")
	})

	t.Run("CancelledFreesTheSlot", func(t *testing.T) {
		ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
			Start: a.at(tomorrow, "17:00")})
		if _, err := svc.Cancel(a.ctx(app.RoleReception), ap.ID, "Patient called"); err != nil {
			t.Fatal(err)
		}
		a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "17:00")})
	})

	t.Run("DeniedChangesNothing", func(t *testing.T) {
		before := snapshot(t, a.db)
		for _, role := range []app.Role{app.RoleNurse, app.RoleBilling} {
			_, err := svc.Book(a.ctx(role), app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "16:30")})
			wantErr(t, err, app.EUNAUTHORIZED, "", "")
		}
		if snapshot(t, a.db) != before {
			t.Fatal("a refused booking changed data")
		}
	})
}

// TestPatientRenameFollows: a corrected name shows on the patient's
// appointments, which keep a copy of it for the calendars.
func TestPatientRenameFollows(t *testing.T) {
	a := mustAppointments(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(tomorrow, "09:00")})
	other := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "09:15")})
	name := "Ioannis"
	if _, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient2, app.PatientUpdate{GivenName: &name}); err != nil {
		t.Fatal(err)
	}
	day, err := a.svc.Appointments.DoctorDay(a.ctx(app.RoleDoctor), a.doctor, tomorrow)
	if err != nil || len(day) != 2 {
		t.Fatal(day, err)
	}
	if day[0].ID != ap.ID || day[0].PatientName != "Ioannis Papadopoulou" || day[0].PatientMRN != "P-D1-000002" ||
		day[1].ID != other.ID || day[1].PatientName != "zoe Papadopoulou" {
		t.Fatalf("%+v %+v", day[0], day[1])
	}
}

// TestAppointmentTransitions tries every move from every status, through
// the service, and checks it against app.CanTransition.
func TestAppointmentTransitions(t *testing.T) {
	type mover func(a *apptClinic, id string) (*app.Appointment, error)
	moves := map[app.AppointmentStatus]mover{
		app.AppointmentConfirmed: func(a *apptClinic, id string) (*app.Appointment, error) {
			return a.svc.Appointments.Confirm(a.ctx(app.RoleReception), id)
		},
		app.AppointmentCheckedIn: func(a *apptClinic, id string) (*app.Appointment, error) {
			return a.svc.Appointments.CheckIn(a.ctx(app.RoleNurse), id)
		},
		app.AppointmentCompleted: func(a *apptClinic, id string) (*app.Appointment, error) {
			return a.svc.Appointments.Complete(a.ctx(app.RoleDoctor), id)
		},
		app.AppointmentCancelled: func(a *apptClinic, id string) (*app.Appointment, error) {
			return a.svc.Appointments.Cancel(a.ctx(app.RoleReception), id, "Clinic closed")
		},
		app.AppointmentNoShow: func(a *apptClinic, id string) (*app.Appointment, error) {
			return a.svc.Appointments.MarkNoShow(a.ctx(app.RoleReception), id)
		},
	}
	// reach brings a fresh appointment today at 11:30 (Athens) to status s.
	reach := func(t *testing.T, a *apptClinic, s app.AppointmentStatus) string {
		role := app.RoleReception
		if s == app.AppointmentPending {
			role = app.RolePatient
		}
		ap := a.book(t, role, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "11:30")})
		path := map[app.AppointmentStatus][]app.AppointmentStatus{
			app.AppointmentCheckedIn: {app.AppointmentCheckedIn},
			app.AppointmentCompleted: {app.AppointmentCheckedIn, app.AppointmentCompleted},
			app.AppointmentCancelled: {app.AppointmentCancelled},
			app.AppointmentNoShow:    {app.AppointmentNoShow},
		}[s]
		for _, step := range path {
			if step == app.AppointmentNoShow {
				a.clock.Add(time.Hour)
			}
			if _, err := moves[step](a, ap.ID); err != nil {
				t.Fatalf("reach %s: %v", step, err)
			}
		}
		if s == app.AppointmentConflict { // only sync sets it
			if _, err := rawDB(t, a.db).Exec(`UPDATE appointments SET status = 'conflict' WHERE id = ?`, ap.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := a.status(t, ap.ID); got != s {
			t.Fatalf("reached %s, want %s", got, s)
		}
		return ap.ID
	}
	for _, from := range app.AppointmentStatuses {
		for to, move := range moves {
			t.Run(fmt.Sprintf("%s-%s", from, to), func(t *testing.T) {
				t.Parallel()
				a := mustAppointments(t)
				id := reach(t, a, from)
				if to == app.AppointmentNoShow && from != app.AppointmentNoShow {
					a.clock.Add(time.Hour) // after the start, so that only the workflow decides
				}
				before := snapshot(t, a.db)
				got, err := move(a, id)
				if app.CanTransition(from, to) {
					if err != nil || got.Status != to || a.status(t, id) != to {
						t.Fatalf("allowed move refused: %v", err)
					}
					ap, _ := a.svc.Appointments.FindAppointment(a.ctx(app.RoleAdmin), id)
					last := ap.History[len(ap.History)-1]
					if last.From != from || last.To != to {
						t.Fatalf("history %+v", ap.History)
					}
					return
				}
				wantErr(t, err, app.ECONFLICT, "status", "")
				if a.status(t, id) != from || snapshot(t, a.db) != before {
					t.Fatal("a refused move changed data")
				}
				t.Log(app.ErrorMessage(err))
			})
		}
	}
}

// TestStatusTrigger: the database refuses any status change the workflow
// does not allow, whoever writes it.
func TestStatusTrigger(t *testing.T) {
	a := mustAppointments(t)
	raw := rawDB(t, a.db)
	for _, from := range app.AppointmentStatuses {
		for _, to := range app.AppointmentStatuses {
			if from == to {
				continue
			}
			id := fmt.Sprintf("trigger-%s-%s", from, to)
			if _, err := raw.Exec(`INSERT INTO appointments (id, patient_id, patient_name, patient_mrn, doctor_id, start_at,
				end_at, status, cancel_reason, checked_in_at, created_at, updated_at) VALUES (?, ?, 'x', 'x', ?,
				'2026-12-01T08:00:00.000Z', '2026-12-01T08:15:00.000Z', ?, 'x', '2026-12-01T07:50:00.000Z', 'x', 'x')`,
				id, a.patient, a.doctor, from); err != nil {
				t.Fatal(err)
			}
			_, err := raw.Exec(`UPDATE appointments SET status = ? WHERE id = ?`, to, id)
			if (err == nil) != app.CanTransition(from, to) {
				t.Errorf("%s -> %s: trigger says %v", from, to, err)
			}
		}
	}
	if _, err := raw.Exec(`UPDATE appointments SET start_at = '2026-12-02T08:00:00.000Z'`); err == nil ||
		!strings.Contains(err.Error(), "never change") {
		t.Errorf("moving a booking in place: %v", err)
	}
	if _, err := raw.Exec(`DELETE FROM appointments`); err == nil {
		t.Error("appointments deleted")
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(tomorrow, "09:00")})
	if _, err := raw.Exec(`UPDATE appointment_events SET note = 'x'`); err == nil {
		t.Error("history changed")
	}
	if _, err := raw.Exec(`INSERT INTO appointments (id, patient_id, patient_name, patient_mrn, doctor_id, start_at, end_at,
		status, created_at, updated_at) VALUES ('long', ?, 'x', 'x', ?, '2026-12-01T08:00:00.000Z', '2026-12-01T16:15:00.000Z',
		'confirmed', 'x', 'x')`,
		a.patient, a.doctor); err == nil {
		t.Error("a visit longer than the longest visit was stored: the conflict checks would miss it")
	}
}

func TestMoveTiming(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "09:00")})
	_, err := svc.CheckIn(a.ctx(app.RoleNurse), ap.ID)
	wantErr(t, err, app.ECONFLICT, "", "This appointment is on Thu 26 Nov 2026: patients are checked in on the day")
	_, err = svc.MarkNoShow(a.ctx(app.RoleReception), ap.ID)
	wantErr(t, err, app.ECONFLICT, "", "the patient can still come")
	_, err = svc.Cancel(a.ctx(app.RoleReception), ap.ID, "  ")
	wantErr(t, err, app.EINVALID, "reason", "Give the reason")
	req := a.book(t, app.RolePatient, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "11:30")})
	a.clock.Add(time.Hour) // 12:00 in Athens: the request's time has passed
	_, err = svc.Confirm(a.ctx(app.RoleReception), req.ID)
	wantErr(t, err, app.ECONFLICT, "", "has passed")
	// A patient may not cancel what has begun; staff may.
	_, err = svc.Cancel(a.ctx(app.RolePatient), req.ID, "late")
	wantErr(t, err, app.ECONFLICT, "", "call the clinic")
	if _, err := svc.Cancel(a.ctx(app.RoleReception), req.ID, "Never confirmed"); err != nil {
		t.Fatal(err)
	}
	// The day after, the appointment of "tomorrow" is checked in on its day.
	a.clock.Add(22 * time.Hour)
	if _, err := svc.CheckIn(a.ctx(app.RoleNurse), ap.ID); err != nil {
		t.Fatal(err)
	}
}

func TestReschedule(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at(tomorrow, "09:00"), Minutes: 30, Reason: "Follow-up"})
	other := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(tomorrow, "10:00")})

	t.Run("ErrOccupied", func(t *testing.T) {
		before := snapshot(t, a.db)
		_, err := svc.Reschedule(a.ctx(app.RoleReception), ap.ID, a.at(tomorrow, "09:45"), "")
		wantErr(t, err, app.ECONFLICT, "start", "10:00–10:15")
		if snapshot(t, a.db) != before || a.status(t, ap.ID) != app.AppointmentConfirmed {
			t.Fatal("a refused move changed data")
		}
	})

	var moved *app.Appointment
	t.Run("OK", func(t *testing.T) {
		// Moving by 15 minutes overlaps the old time: the old one does not count.
		var err error
		moved, err = svc.Reschedule(a.ctx(app.RoleReception), ap.ID, a.at(tomorrow, "09:15"), "")
		if err != nil {
			t.Fatal(err)
		}
		if moved.ID == ap.ID || moved.RescheduledFrom != ap.ID || moved.Status != app.AppointmentConfirmed ||
			moved.Minutes() != 30 || moved.Reason != "Follow-up" || !moved.Start.Equal(a.at(tomorrow, "09:15")) {
			t.Fatalf("%+v", moved)
		}
		old, err := svc.FindAppointment(a.ctx(app.RoleAdmin), ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if old.Status != app.AppointmentCancelled || old.RescheduledTo != moved.ID ||
			old.CancelReason != "Moved to Thu 26 Nov 2026 09:15" || len(old.History) != 2 ||
			old.History[1].From != app.AppointmentConfirmed || old.History[1].To != app.AppointmentCancelled {
			t.Fatalf("old: %+v", old)
		}
		if !old.Start.Equal(a.at(tomorrow, "09:00")) {
			t.Fatal("the old appointment's time changed")
		}
		n, _ := svc.FindAppointment(a.ctx(app.RoleAdmin), moved.ID)
		if len(n.History) != 1 || !strings.Contains(n.History[0].Note, "moved from Thu 26 Nov 2026 09:00") {
			t.Fatalf("new history: %+v", n.History)
		}
		hist, _ := a.svc.Clinical.FindHistory(a.ctx(app.RoleDoctor), a.patient, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryAppointment}})
		if len(hist) != 2 || !strings.Contains(hist[0].Summary, "moved from Thu 26 Nov 2026 09:00 to Thu 26 Nov 2026 09:15") {
			t.Fatalf("timeline: %+v", hist)
		}
	})

	t.Run("ErrAlreadyMoved", func(t *testing.T) {
		_, err := svc.Reschedule(a.ctx(app.RoleReception), ap.ID, a.at(tomorrow, "16:00"), "")
		wantErr(t, err, app.ECONFLICT, "", "cancelled: it cannot be moved")
	})

	t.Run("PatientMovesOwn", func(t *testing.T) {
		n, err := svc.Reschedule(a.ctx(app.RolePatient), moved.ID, a.at(tomorrow, "16:00"), "")
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != app.AppointmentPending || n.Minutes() != 30 {
			t.Fatalf("%+v", n)
		}
		_, err = svc.Reschedule(a.ctx(app.RolePatient), other.ID, a.at(tomorrow, "16:30"), "")
		wantErr(t, err, app.EUNAUTHORIZED, "", "")
		_, err = svc.Reschedule(a.ctx(app.RolePatient), n.ID, a.at(tomorrow, "20:00"), "please")
		wantErr(t, err, app.EUNAUTHORIZED, "", "")
	})

	t.Run("OverrideOutsideHours", func(t *testing.T) {
		_, err := svc.Reschedule(a.ctx(app.RoleReception), other.ID, a.at(tomorrow, "19:00"), "")
		wantErr(t, err, app.ECONFLICT, "override_reason", "outside")
		n, err := svc.Reschedule(a.ctx(app.RoleReception), other.ID, a.at(tomorrow, "19:00"), "Evening clinic")
		if err != nil || n.OverrideReason != "Evening clinic" {
			t.Fatal(n, err)
		}
	})
}

// TestAppointmentPermissions: what each role may do to whose appointments.
func TestAppointmentPermissions(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	others := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(today, "11:30")})
	own := a.book(t, app.RolePatient, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(tomorrow, "09:00")})
	d2 := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor2, Start: a.at(today, "11:45")})
	denied := func(t *testing.T, err error) {
		t.Helper()
		wantErr(t, err, app.EUNAUTHORIZED, "", "not allowed")
	}
	patient := a.ctx(app.RolePatient)

	t.Run("PatientCannotBookForAnother", func(t *testing.T) {
		_, err := svc.Book(patient, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(tomorrow, "09:30")})
		denied(t, err)
	})
	t.Run("PatientCannotCancelAnothers", func(t *testing.T) {
		_, err := svc.Cancel(patient, others.ID, "mischief")
		denied(t, err)
		if a.status(t, others.ID) != app.AppointmentConfirmed {
			t.Fatal("cancelled")
		}
	})
	t.Run("PatientCannotSeeAnothers", func(t *testing.T) {
		_, err := svc.FindAppointment(patient, others.ID)
		denied(t, err)
		_, err = svc.FindAppointment(patient, "no-such-id")
		denied(t, err)
		_, err = svc.PatientAppointments(patient, a.patient2, app.AppointmentFilter{})
		denied(t, err)
		_, err = svc.DoctorDay(patient, a.doctor, today)
		denied(t, err)
		_, err = svc.ReceptionBoard(patient, today)
		denied(t, err)
		var n int
		rawDB(t, a.db).QueryRow(`SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND username = 'zoe'`).Scan(&n)
		if n < 5 {
			t.Fatalf("%d denied reads audited", n)
		}
	})
	t.Run("PatientSeesAndCancelsOwn", func(t *testing.T) {
		got, err := svc.FindAppointment(patient, own.ID)
		if err != nil || got.ID != own.ID {
			t.Fatal(err)
		}
		page, err := svc.PatientAppointments(patient, a.patient, app.AppointmentFilter{})
		if err != nil || len(page.Appointments) != 2 {
			t.Fatal(page, err)
		}
		if _, err := svc.Cancel(patient, own.ID, "Feeling better"); err != nil {
			t.Fatal(err)
		}
		slots, err := svc.FindFreeSlots(patient, a.doctor, tomorrow)
		if err != nil || len(slots) != 32 {
			t.Fatalf("%d slots, %v", len(slots), err)
		}
	})
	t.Run("NurseChecksInButCannotBook", func(t *testing.T) {
		nurse := a.ctx(app.RoleNurse)
		_, err := svc.Book(nurse, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(tomorrow, "09:30")})
		denied(t, err)
		_, err = svc.WalkIn(nurse, a.patient2, a.doctor, "", "")
		denied(t, err)
		_, err = svc.Cancel(nurse, others.ID, "x")
		denied(t, err)
		if _, err := svc.DoctorDay(nurse, a.doctor, today); err != nil {
			t.Fatal(err)
		}
		if ap, err := svc.CheckIn(nurse, others.ID); err != nil || ap.Status != app.AppointmentCheckedIn {
			t.Fatal(err)
		}
		_, err = svc.Complete(nurse, others.ID)
		denied(t, err)
	})
	t.Run("BillingOnlyViews", func(t *testing.T) {
		billing := a.ctx(app.RoleBilling)
		if _, err := svc.ReceptionBoard(billing, today); err != nil {
			t.Fatal(err)
		}
		_, err := svc.CheckIn(billing, d2.ID)
		denied(t, err)
		_, err = svc.Cancel(billing, d2.ID, "x")
		denied(t, err)
	})
	t.Run("DoctorOwnScheduleOnly", func(t *testing.T) {
		doc := a.ctx(app.RoleDoctor)
		_, err := svc.Book(doc, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor2, Start: a.at(tomorrow, "09:30")})
		denied(t, err)
		_, err = svc.CheckIn(doc, d2.ID)
		denied(t, err)
		_, err = svc.Cancel(doc, d2.ID, "x")
		denied(t, err)
		_, err = svc.SetAvailability(doc, a.doctor2, nil)
		denied(t, err)
		if _, err := svc.Complete(doc, others.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ReceptionCannotComplete", func(t *testing.T) {
		if _, err := svc.CheckIn(a.ctx(app.RoleReception), d2.ID); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Complete(a.ctx(app.RoleReception), d2.ID)
		denied(t, err)
		if _, err := svc.Complete(a.ctx(app.RoleAdmin), d2.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestConcurrentBooking: two desks' worth of goroutines, on two handles of
// the same database file, book the same slot for different patients:
// exactly one wins, every other gets a clear conflict.
func TestConcurrentBooking(t *testing.T) {
	a := mustAppointments(t)
	second, err := data.Open(a.db.Path(), data.Options{HashParams: cheapHash, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	desks := []app.AppointmentService{a.svc.Appointments, second.Services().Appointments}
	const n = 20
	var patients []string
	for i := range n {
		p, err := a.svc.Patients.CreatePatient(a.ctx(app.RoleReception), app.PatientCreate{GivenName: fmt.Sprintf("Racer%c", 'A'+i),
			FamilyName: "Concurrent", Sex: app.SexOther, BirthDate: "1999-09-09"})
		if err != nil {
			t.Fatal(err)
		}
		patients = append(patients, p.ID)
	}
	start := a.at(tomorrow, "10:00")
	var wg sync.WaitGroup
	errs := make([]error, n)
	ready := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			_, errs[i] = desks[i%2].Book(a.ctx(app.RoleReception), app.AppointmentCreate{PatientID: patients[i],
				DoctorID: a.doctor, Start: start})
		}()
	}
	close(ready)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case app.ErrorCode(err) == app.ECONFLICT && app.ErrorField(err) == "start" &&
			strings.Contains(app.ErrorMessage(err), "Staff doctor already has an appointment at Thu 26 Nov 2026 10:00–10:15"):
		default:
			t.Errorf("want a clear conflict, got %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings won", won)
	}
	day, err := desks[1].DoctorDay(a.ctx(app.RoleReception), a.doctor, tomorrow)
	if err != nil || len(day) != 1 {
		t.Fatalf("%d appointments, %v", len(day), err)
	}
	if r, err := a.svc.Audit.Verify(a.ctx(app.RoleAdmin)); err != nil || !r.OK() {
		t.Fatalf("verify after concurrent writes: %+v %v", r, err)
	}
}

// TestAppointmentsDST books and lists on the days the clocks change, in two
// time zones: free slots of an 08:00–12:00 block keep their local times,
// and a day's list holds exactly that local day (23 or 25 hours).
func TestAppointmentsDST(t *testing.T) {
	for _, c := range []struct{ zone, day string }{
		{"Europe/Athens", "2027-03-28"}, {"Europe/Athens", "2027-10-31"},
		{"America/New_York", "2027-03-14"}, {"America/New_York", "2027-11-07"},
	} {
		t.Run(c.zone+"/"+c.day, func(t *testing.T) {
			t.Parallel()
			a := mustAppointments(t)
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Skip(err)
			}
			a.loc = loc
			admin := a.ctx(app.RoleAdmin)
			if _, err := a.svc.Settings.UpdateSettings(admin, app.Settings{ClinicName: "Riverside Clinic", Currency: "EUR",
				TimeZone: c.zone, AutoLockMinutes: 10}, nil); err != nil {
				t.Fatal(err)
			}
			sunday := append(slices.Clone(weekdayHours), app.Availability{Weekday: time.Sunday, Start: "08:00", End: "12:00", SlotMinutes: 15})
			if _, err := a.svc.Appointments.SetAvailability(admin, a.doctor, sunday); err != nil {
				t.Fatal(err)
			}
			svc := a.svc.Appointments
			slots, err := svc.FindFreeSlots(a.ctx(app.RolePatient), a.doctor, c.day)
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != 16 {
				t.Fatalf("%d slots", len(slots))
			}
			for i, sl := range slots {
				if want := a.at(c.day, "08:00").Add(time.Duration(15*i) * time.Minute); !sl.Start.Equal(want) ||
					sl.End.Sub(sl.Start) != 15*time.Minute {
					t.Fatalf("slot %d: %s, want %s", i, sl.Start.In(loc), want)
				}
			}
			if slots[15].End.In(loc).Format("15:04") != "12:00" {
				t.Fatalf("last slot ends %s", slots[15].End.In(loc))
			}
			// The patient books from the free slots: 08:00 local.
			first := a.book(t, app.RolePatient, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: slots[0].Start})
			if first.Start.In(loc).Format("15:04") != "08:00" {
				t.Fatal(first.Start.In(loc))
			}
			// Around the day's edges, booked by staff outside hours.
			d, _ := app.ParseDay(c.day)
			edges := map[string]bool{ // local time -> within the day
				d.AddDays(-1).String() + " 23:45": false,
				c.day + " 00:00":                  true,
				c.day + " 23:45":                  true,
				d.AddDays(1).String() + " 00:00":  false,
			}
			want := map[string]bool{first.ID: true}
			for lt, inside := range edges {
				parts := strings.Fields(lt)
				ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
					Start: a.at(parts[0], parts[1]), OverrideReason: "edge of the day"})
				if inside {
					want[ap.ID] = true
				}
			}
			list, err := svc.DoctorDay(a.ctx(app.RoleDoctor), a.doctor, c.day)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(want) {
				t.Fatalf("day holds %d appointments, want %d", len(list), len(want))
			}
			for i, ap := range list {
				if !want[ap.ID] || (i > 0 && ap.Start.Before(list[i-1].Start)) {
					t.Fatalf("day list %d: %s", i, ap.Start.In(loc))
				}
			}
			board, err := svc.ReceptionBoard(a.ctx(app.RoleReception), c.day)
			if err != nil || len(board.Entries) != len(want) || board.Day != c.day {
				t.Fatalf("board: %d entries, %v", len(board.Entries), err)
			}
			week, err := svc.DoctorWeek(a.ctx(app.RoleDoctor), a.doctor, d.AddDays(-1).String())
			if err != nil || len(week) != 5 {
				t.Fatalf("week from the day before: %d, %v", len(week), err)
			}
			week, err = svc.DoctorWeek(a.ctx(app.RoleDoctor), a.doctor, d.AddDays(-6).String())
			if err != nil || len(week) != len(want)+1 {
				t.Fatalf("week ending with the day: %d, %v", len(week), err)
			}
		})
	}
}

func TestWalkInAndBoard(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	desk := a.ctx(app.RoleReception)
	// 11:00 in Athens, within hours: seen now.
	w1, err := svc.WalkIn(desk, a.patient, a.doctor, "Sprained ankle", "")
	if err != nil {
		t.Fatal(err)
	}
	if w1.Status != app.AppointmentCheckedIn || !w1.Start.Equal(a.at(today, "11:00")) || !w1.CheckedInAt.Equal(a.clock.Now()) {
		t.Fatalf("%+v", w1)
	}
	got, _ := svc.FindAppointment(desk, w1.ID)
	if len(got.History) != 2 || got.History[0].To != app.AppointmentConfirmed || got.History[1].To != app.AppointmentCheckedIn {
		t.Fatalf("history %+v", got.History)
	}
	// The doctor is busy now: the next walk-in gets the next free slot,
	// skipping one that is booked.
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "11:15")})
	_, err = svc.WalkIn(desk, a.patient, a.doctor, "", "")
	wantErr(t, err, app.ECONFLICT, "patient_id", "already has an appointment with Staff doctor today at 11:15: check it in instead")
	w2, err := svc.WalkIn(desk, a.patient2, a.doctor, "Fever", "")
	if err != nil {
		t.Fatal(err)
	}
	if !w2.Start.Equal(a.at(today, "11:30")) || w2.Status != app.AppointmentCheckedIn {
		t.Fatalf("%+v", w2)
	}
	a.clock.Add(10 * time.Minute)
	board, err := svc.ReceptionBoard(a.ctx(app.RoleNurse), "")
	if err != nil {
		t.Fatal(err)
	}
	if board.Day != today || len(board.Entries) != 3 || board.Waiting != 2 || board.Entries[0].Waiting != 10*time.Minute ||
		board.Entries[1].Waiting != 0 || board.Entries[0].Appointment.PatientMRN == "" {
		t.Fatalf("board %+v", board)
	}
	// A sync loser shows on the board until someone resolves it.
	if _, err := rawDB(t, a.db).Exec(`UPDATE appointments SET status = 'conflict' WHERE id = ?`, w2.ID); err != nil {
		t.Fatal(err)
	}
	board, _ = svc.ReceptionBoard(desk, today)
	if len(board.Conflicts) != 1 || board.Conflicts[0].ID != w2.ID {
		t.Fatalf("conflicts %+v", board.Conflicts)
	}
	// Late in the day there is no time left.
	a.clock.Add(7 * time.Hour) // 18:10
	_, err = svc.WalkIn(desk, a.patient2, a.doctor2, "", "")
	wantErr(t, err, app.ECONFLICT, "override_reason", "has no hours left today (hours: 08:00–12:00, 14:00–18:00). To see the patient now anyway")
	// The exception, as for a booking: the walk-in is seen now, its
	// reason on the appointment and in the audit.
	_, err = svc.WalkIn(desk, a.patient2, a.doctor2, "", strings.Repeat("x", 501))
	if app.ErrorField(err) != "override_reason" {
		t.Fatalf("a reason of 501 characters: %v", err)
	}
	w3, err := svc.WalkIn(desk, a.patient2, a.doctor2, "Chest pain", "Acute pain, seen after hours")
	if err != nil {
		t.Fatal(err)
	}
	if w3.Status != app.AppointmentCheckedIn || !w3.Start.Equal(a.clock.Now().Truncate(time.Minute)) ||
		w3.OverrideReason != "Acute pain, seen after hours" || w3.End.Sub(w3.Start) <= 0 {
		t.Fatalf("after hours %+v", w3)
	}
	var detail string
	if err := rawDB(t, a.db).QueryRow(`SELECT detail FROM audit_log WHERE action = 'appointment.walk_in' AND entity_id = ?`,
		w3.ID).Scan(&detail); err != nil || !strings.Contains(detail, "outside hours: Acute pain, seen after hours") {
		t.Errorf("audit %q, %v", detail, err)
	}
	// A patient cannot take a walk-in, with or without the exception.
	_, err = svc.WalkIn(a.ctx(app.RolePatient), a.patient, a.doctor2, "", "Acute pain, seen after hours")
	if app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("patient walk-in: %v", err)
	}
}

func TestPatientAppointmentsPages(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	var ids []string
	for _, day := range []string{"2026-11-26", "2026-11-27", "2026-11-28", "2026-11-30", "2026-12-01"} {
		ids = append(ids, a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(day, "09:00")}).ID)
	}
	var got []string
	f := app.AppointmentFilter{Limit: 2}
	for {
		page, err := svc.PatientAppointments(a.ctx(app.RolePatient), a.patient, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ap := range page.Appointments {
			got = append(got, ap.ID)
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("upcoming %v, want %v", got, ids)
	}
	a.clock.Add(7 * 24 * time.Hour)
	page, err := svc.PatientAppointments(a.ctx(app.RoleReception), a.patient, app.AppointmentFilter{Past: true, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Appointments) != 3 || page.Appointments[0].ID != ids[4] || page.Next == "" {
		t.Fatalf("past %+v", page)
	}
	page, _ = svc.PatientAppointments(a.ctx(app.RoleReception), a.patient, app.AppointmentFilter{Past: true, Limit: 3, Cursor: page.Next})
	if len(page.Appointments) != 2 || page.Appointments[1].ID != ids[0] || page.Next != "" {
		t.Fatalf("past page 2 %+v", page)
	}
	up, _ := svc.PatientAppointments(a.ctx(app.RoleReception), a.patient, app.AppointmentFilter{})
	if len(up.Appointments) != 0 {
		t.Fatalf("upcoming after a week: %d", len(up.Appointments))
	}
	_, err = svc.PatientAppointments(a.ctx(app.RoleReception), a.patient, app.AppointmentFilter{Cursor: "garbage"})
	wantErr(t, err, app.EINVALID, "cursor", "")
}

func TestDoctorProfileAndHours(t *testing.T) {
	a := mustAppointments(t)
	svc := a.svc.Appointments
	admin, doc := a.ctx(app.RoleAdmin), a.ctx(app.RoleDoctor)
	p, err := svc.SetDoctorProfile(admin, app.DoctorProfile{UserID: a.doctor, Specialization: " Καρδιολογία ", Room: "Room 2",
		VisitMinutes: 20})
	if err != nil {
		t.Fatal(err)
	}
	// No consultation in the price list: no fee (the price list is its one source).
	if p.Specialization != "Καρδιολογία" || p.Fee != 0 || p.ConsultationCode != "" || len(p.Weekly) != 12 || p.FullName != "Staff doctor" {
		t.Fatalf("%+v", p)
	}
	if _, err := svc.SetDoctorProfile(doc, app.DoctorProfile{UserID: a.doctor, Specialization: "Cardiología", Room: "Room 3"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SetDoctorProfile(doc, app.DoctorProfile{UserID: a.doctor2, Specialization: "Hack"})
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
	_, err = svc.SetDoctorProfile(admin, app.DoctorProfile{UserID: a.users[app.RoleNurse].ID})
	wantErr(t, err, app.ENOTFOUND, "", "no such doctor")
	for q, n := range map[string]int{"": 2, "cardio": 1, "CARDIOLOGIA": 1, "derm": 0} {
		list, err := svc.FindDoctors(a.ctx(app.RolePatient), q)
		if err != nil || len(list) != n {
			t.Errorf("FindDoctors(%q): %d, %v", q, len(list), err)
		}
	}
	_, err = svc.SetAvailability(admin, a.doctor, []app.Availability{{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 15},
		{Weekday: time.Monday, Start: "11:00", End: "13:00", SlotMinutes: 15}})
	wantErr(t, err, app.EINVALID, "weekly", "overlaps")

	slots := func() int {
		s, err := svc.FindFreeSlots(doc, a.doctor, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		return len(s)
	}
	if n := slots(); n != 32 {
		t.Fatalf("%d slots", n)
	}
	leave, err := svc.AddAvailabilityException(doc, app.AvailabilityException{DoctorID: a.doctor, Date: "2026-12-01",
		Kind: app.ExceptionLeave, Reason: "Conference"})
	if err != nil {
		t.Fatal(err)
	}
	if n := slots(); n != 0 {
		t.Fatalf("on leave: %d slots", n)
	}
	extra, err := svc.AddAvailabilityException(admin, app.AvailabilityException{DoctorID: a.doctor, Date: "2026-12-01",
		Kind: app.ExceptionExtra, Start: "18:00", End: "20:00"})
	if err != nil || extra.SlotMinutes != 15 { // the doctor's visit length, set back to the default above
		t.Fatal(extra, err)
	}
	if n := slots(); n != 8 {
		t.Fatalf("extra session: %d slots", n)
	}
	prof, _ := svc.GetDoctorProfile(a.ctx(app.RoleBilling), a.doctor)
	if len(prof.Exceptions) != 2 {
		t.Fatalf("exceptions %+v", prof.Exceptions)
	}
	if err := svc.RemoveAvailabilityException(a.ctx(app.RoleDoctor), leave.ID); err != nil {
		t.Fatal(err)
	}
	if n := slots(); n != 40 {
		t.Fatalf("after removing the leave: %d slots", n)
	}
	err = svc.RemoveAvailabilityException(a.ctx(app.RoleDoctor), leave.ID)
	wantErr(t, err, app.ENOTFOUND, "", "")
	_, err = svc.AddAvailabilityException(admin, app.AvailabilityException{DoctorID: a.doctor, Date: "2026-11-24", Kind: app.ExceptionLeave})
	wantErr(t, err, app.EINVALID, "date", "has passed")
	// Today's slots begin from now (11:00 in Athens).
	s, _ := svc.FindFreeSlots(doc, a.doctor, "")
	if len(s) != 20 || !s[0].Start.Equal(a.at(today, "11:00")) {
		t.Fatalf("today: %d slots from %v", len(s), s[0].Start.In(a.loc))
	}
	// A pending request leaves its slot free, but flagged.
	a.book(t, app.RolePatient, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "11:15")})
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at(today, "11:30")})
	s, _ = svc.FindFreeSlots(doc, a.doctor, today)
	if len(s) != 19 || !s[1].Requested || s[0].Requested || !s[2].Start.Equal(a.at(today, "11:45")) {
		t.Fatalf("today after bookings: %+v", s[:3])
	}
}

// TestAppointmentQueryPlans: the conflict checks, the doctor's day and
// week, the board and a patient's list each read one range of an index in
// the order they return: no scan of appointments, no temporary B-tree.
func TestAppointmentQueryPlans(t *testing.T) {
	db := sharedDemo(t, nil)
	var doctor, patient string
	rawDB(t, db).QueryRow(`SELECT id FROM users WHERE username = 'dr.house'`).Scan(&doctor)
	rawDB(t, db).QueryRow(`SELECT patient_id FROM users WHERE username = 'patient'`).Scan(&patient)
	for _, q := range data.AppointmentSQL(doctor, patient, time.Now()) {
		plan := queryPlan(t, db, q.SQL, q.Args...)
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "SCAN") || strings.Contains(text, "TEMP B-TREE") || !strings.Contains(text, q.Index) {
			t.Errorf("%s: plan %s (want a search of %s)", q.Name, text, q.Index)
		}
		t.Logf("%s: %s", q.Name, text)
	}
}

// TestDemoAppointments: the demo gives both doctors hours and appointments
// in every status, today's with patients waiting, the demo patient some of
// their own, and never two overlapping confirmed or checked-in
// appointments for a doctor nor two active ones for a patient.
func TestDemoAppointments(t *testing.T) {
	clock := newFakeClock()
	db := sharedDemo(t, clock)
	raw := rawDB(t, db)
	var total int
	raw.QueryRow(`SELECT count(*) FROM appointments`).Scan(&total)
	for _, s := range app.AppointmentStatuses {
		var n int
		raw.QueryRow(`SELECT count(*) FROM appointments WHERE status = ?`, s).Scan(&n)
		if n == 0 && s != app.AppointmentConflict {
			t.Errorf("no %s appointments", s)
		}
		t.Logf("%s: %d", s, n)
	}
	var overlaps, patientOverlaps, noHistory int
	raw.QueryRow(`SELECT count(*) FROM appointments a JOIN appointments b ON b.doctor_id = a.doctor_id
		AND b.start_at < a.end_at AND b.end_at > a.start_at AND b.id <> a.id
		WHERE a.status IN ('confirmed', 'checked_in') AND b.status IN ('confirmed', 'checked_in')`).Scan(&overlaps)
	raw.QueryRow(`SELECT count(*) FROM appointments a JOIN appointments b ON b.patient_id = a.patient_id
		AND b.start_at < a.end_at AND b.end_at > a.start_at AND b.id <> a.id
		WHERE a.status IN ('pending', 'confirmed', 'checked_in') AND b.status IN ('pending', 'confirmed', 'checked_in')`).Scan(&patientOverlaps)
	raw.QueryRow(`SELECT count(*) FROM appointments a WHERE NOT EXISTS
		(SELECT 1 FROM appointment_events e WHERE e.appointment_id = a.id AND e.to_status = a.status)`).Scan(&noHistory)
	var badNames int
	raw.QueryRow(`SELECT count(*) FROM appointments a JOIN patients p ON p.id = a.patient_id
		WHERE a.patient_name <> trim(p.given_name || ' ' || p.family_name) OR a.patient_mrn <> p.mrn`).Scan(&badNames)
	if total < 1000 || overlaps != 0 || patientOverlaps != 0 || noHistory != 0 || badNames != 0 {
		t.Fatalf("%d appointments, %d doctor overlaps, %d patient overlaps, %d without history, %d with another name",
			total, overlaps, patientOverlaps, noHistory, badNames)
	}
	svc := db.Services()
	s, err := svc.Users.Login(anon, "reception", "demo reception password")
	if err != nil {
		t.Fatal(err)
	}
	desk := as(s.Caller())
	board, err := svc.Appointments.ReceptionBoard(desk, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Entries) == 0 || board.Waiting == 0 {
		t.Fatalf("today's board: %d entries, %d waiting", len(board.Entries), board.Waiting)
	}
	docs, err := svc.Appointments.FindDoctors(desk, "cardio")
	if err != nil || len(docs) != 1 || docs[0].Fee != 5500 || docs[0].ConsultationCode != "CONS-IVANOVA" {
		t.Fatalf("doctors %+v %v", docs, err)
	}
	ps, err := svc.Users.Login(anon, "patient", "demo patient password")
	if err != nil {
		t.Fatal(err)
	}
	mine := as(ps.Caller())
	up, err := svc.Appointments.PatientAppointments(mine, ps.User.PatientID, app.AppointmentFilter{})
	if err != nil || len(up.Appointments) != 2 {
		t.Fatalf("own upcoming %d, %v", len(up.Appointments), err)
	}
	past, err := svc.Appointments.PatientAppointments(mine, ps.User.PatientID, app.AppointmentFilter{Past: true})
	if err != nil || len(past.Appointments) != 6 {
		t.Fatalf("own past %d, %v", len(past.Appointments), err)
	}
	// A free slot of a busy week can still be booked.
	slots, err := svc.Appointments.FindFreeSlots(mine, docs[0].UserID, app.DayOf(clock.Now(), time.UTC).AddDays(7).String())
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) > 0 {
		if _, err := svc.Appointments.Book(mine, app.AppointmentCreate{PatientID: ps.User.PatientID, DoctorID: docs[0].UserID,
			Start: slots[0].Start}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := svc.Audit.Verify(as(app.SystemCaller("test"))); err != nil || !r.OK() {
		t.Fatalf("verify: %+v %v", r, err)
	}
}

// TestActivityOrderFollowsVisits: search lists patients by their newest
// contact with the clinic. Booking, confirming and cancelling go on the
// timeline without reordering; a check-in or a walk-in moves the patient
// to the top.
func TestActivityOrderFollowsVisits(t *testing.T) {
	a := mustAppointments(t)
	reception := a.ctx(app.RoleReception)
	first := func() string {
		t.Helper()
		pg, err := a.svc.Patients.FindPatients(reception, app.PatientFilter{})
		if err != nil || len(pg.Patients) == 0 {
			t.Fatalf("find: %v", err)
		}
		return pg.Patients[0].ID
	}
	top := first()
	other := a.patient
	if top == a.patient {
		other = a.patient2
	}
	later := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: other, DoctorID: a.doctor,
		Start: a.at(tomorrow, "09:00"), Reason: "Check-up"})
	if _, err := a.svc.Appointments.Cancel(reception, later.ID, "Patient called"); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != top {
		t.Fatalf("a booking and a cancellation reordered the search: %s first, want %s", got, top)
	}
	hist, err := a.svc.Clinical.FindHistory(a.ctx(app.RoleDoctor), other,
		app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryAppointment}})
	if err != nil || len(hist) != 2 {
		t.Fatalf("the booking and the cancellation are on the timeline: %d entries, %v", len(hist), err)
	}
	visit := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: other, DoctorID: a.doctor,
		Start: a.at(today, "11:30"), Reason: "Check-up"})
	if _, err := a.svc.Appointments.CheckIn(a.ctx(app.RoleNurse), visit.ID); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != other {
		t.Fatalf("after the check-in %s is first, want %s", got, other)
	}
	if _, err := a.svc.Appointments.WalkIn(reception, top, a.doctor2, "Fever", ""); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != top {
		t.Fatalf("after the walk-in %s is first, want %s", got, top)
	}
}
