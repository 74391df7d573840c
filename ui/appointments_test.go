package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
)

// The harness's clock is 2026-03-02 09:00 UTC: 11:00 in Athens, the
// clinic's time zone.

func drWho() *app.DoctorProfile {
	return &app.DoctorProfile{UserID: "d-1", FullName: "Dr Who", Specialization: "Cardiology", Room: "Room 2"}
}

func drHouse() *app.DoctorProfile {
	return &app.DoctorProfile{UserID: "d-2", FullName: "Dr House", Specialization: "Diagnostics"}
}

// freeSlots are three 15-minute slots from 12:00 Athens (10:00 UTC).
func freeSlots() []app.Slot {
	var out []app.Slot
	for i := range 3 {
		s := time.Date(2026, 3, 2, 10, 15*i, 0, 0, time.UTC)
		out = append(out, app.Slot{Start: s, End: s.Add(15 * time.Minute)})
	}
	return out
}

// serveBooking makes the appointment mock offer two doctors and their free
// slots, and the patient search find grace.
func (h *clinicHarness) serveBooking() {
	h.servePatients([]*app.Patient{grace()}, 50)
	h.appts.FindDoctorsFn = func(ctx context.Context, spec string) ([]*app.DoctorProfile, error) {
		h.record("FindDoctors", ctx, spec)
		var out []*app.DoctorProfile
		for _, d := range []*app.DoctorProfile{drWho(), drHouse()} {
			if strings.Contains(strings.ToLower(d.Specialization), strings.ToLower(spec)) {
				out = append(out, d)
			}
		}
		return out, nil
	}
	h.appts.FindFreeSlotsFn = func(ctx context.Context, doctorID, day string) ([]app.Slot, error) {
		h.record("FindFreeSlots", ctx, doctorID+" "+day)
		return freeSlots(), nil
	}
	h.appts.BookFn = func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
		h.record("Book", ctx, c)
		return &app.Appointment{ID: "a-new", PatientID: c.PatientID, DoctorID: c.DoctorID, Start: c.Start,
			Status: app.AppointmentConfirmed}, nil
	}
}

// openBookForm logs in as reception, opens the board and the booking
// dialog, and picks grace and Dr Who.
func (h *clinicHarness) openBookForm() *bookForm {
	h.t.Helper()
	h.serveBooking()
	h.loginAs(user(app.RoleReception))
	h.openArea(app.AreaAppointments)
	b := h.u.main.appts.board
	h.waitFor("the board", func() bool { return b.board != nil })
	test.Tap(b.bookBtn)
	f := b.book
	h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
	test.Type(f.picker.query, "grace")
	h.waitFor("the patient", func() bool { return f.picker.patientID() == "p-1" })
	f.doctor.SetSelectedIndex(0)
	h.waitFor("the free slots", func() bool { return len(f.slotBtns) == 3 })
	return f
}

func TestAppointmentBookFromFreeSlots(t *testing.T) {
	h := newClinicHarness(t)
	f := h.openBookForm()
	if got := h.callsOf("FindFreeSlots"); got[len(got)-1] != "d-1 2026-03-02" {
		t.Errorf("FindFreeSlots(%v), want Dr Who's today in Athens", got)
	}
	if f.slotBtns[0].Text != "12:00" || f.slotBtns[2].Text != "12:30" {
		t.Errorf("slots shown as %q, %q; want the clinic's wall clock", f.slotBtns[0].Text, f.slotBtns[2].Text)
	}

	// Filtering by specialization narrows the doctors.
	test.Type(f.specialization, "diag")
	h.waitFor("the filtered doctors", func() bool { return len(f.doctors) == 1 && f.doctors[0].UserID == "d-2" })
	f.doctor.SetSelectedIndex(0)
	h.waitFor("Dr House's slots", func() bool {
		got := h.callsOf("FindFreeSlots")
		return got[len(got)-1] == "d-2 2026-03-02" && len(f.slotBtns) == 3
	})

	// The next day button moves the day and reloads the slots. A load of
	// today's slots may still be on its way (the doctor chosen twice: by
	// the test and by the filtered list) and be recorded after it: the
	// form drops its answer (loadSlots' seq), so tomorrow's need only have
	// been asked for.
	before := len(h.callsOf("FindFreeSlots"))
	test.Tap(f.day.next)
	if f.day.entry.Text != "2026-03-03" {
		t.Errorf("next day = %q", f.day.entry.Text)
	}
	h.waitFor("tomorrow's slots", func() bool {
		return slices.Contains(h.callsOf("FindFreeSlots")[before:], any("d-2 2026-03-03"))
	})
	h.waitFor("the slot buttons", func() bool { return len(f.slotBtns) == 3 })

	// Booking without a slot is refused before the service is asked.
	test.Tap(f.book)
	if f.errs.text("start") == "" || h.called("Book") != 0 {
		t.Fatalf("booking without a slot: message %q, %d calls", f.errs.text("start"), h.called("Book"))
	}

	test.Tap(f.slotBtns[1])
	test.Type(f.reason, "Chest pain")
	test.Tap(f.book)
	h.waitFor("the booking", func() bool { return h.called("Book") == 1 })
	c := h.callsOf("Book")[0].(app.AppointmentCreate)
	if !c.Start.Equal(freeSlots()[1].Start) || c.PatientID != "p-1" || c.DoctorID != "d-2" ||
		c.Reason != "Chest pain" || c.OverrideReason != "" {
		t.Errorf("Book(%+v)", c)
	}
	b := h.u.main.appts.board
	h.waitFor("the board reloaded", func() bool { return b.book == nil })
}

func TestAppointmentBookConflict(t *testing.T) {
	h := newClinicHarness(t)
	f := h.openBookForm()
	msg := "Dr Who already has an appointment at 12:15."
	h.appts.BookFn = func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
		h.record("Book", ctx, c)
		return nil, &app.Error{Code: app.ECONFLICT, Field: "start", Message: msg}
	}
	test.Tap(f.slotBtns[1])
	test.Tap(f.book)
	h.waitFor("the conflict message", func() bool { return f.errs.text("start") == msg })
	h.settle()
	if f.errs.text("start") != msg {
		t.Errorf("message after the slots reloaded = %q", f.errs.text("start"))
	}
	if h.u.win.Canvas().Overlays().Top() == nil || f.book.Disabled() {
		t.Error("the form closed or stayed disabled after a conflict")
	}

	// A conflict about no field shows on the form's message line.
	h.appts.BookFn = func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
		return nil, app.Errorf(app.ECONFLICT, "Grace Hopper already has an appointment then.")
	}
	test.Tap(f.slotBtns[0])
	test.Tap(f.book)
	h.waitFor("the general message", func() bool { return strings.Contains(f.errs.text(""), "already has") })
}

func TestAppointmentOverrideReasonRequired(t *testing.T) {
	h := newClinicHarness(t)
	f := h.openBookForm()
	if f.overBox.Visible() {
		t.Fatal("override fields shown before the box is ticked")
	}
	f.override.SetChecked(true)
	if !f.overBox.Visible() {
		t.Fatal("ticking the override box shows no reason entry")
	}
	test.Type(f.overAt, "18:00")
	test.Tap(f.book)
	if f.errs.text("override_reason") == "" || h.called("Book") != 0 {
		t.Fatalf("override without reason: message %q, %d calls", f.errs.text("override_reason"), h.called("Book"))
	}
	test.Type(f.overReason, "Urgent, doctor agreed")
	test.Tap(f.book)
	h.waitFor("the booking", func() bool { return h.called("Book") == 1 })
	c := h.callsOf("Book")[0].(app.AppointmentCreate)
	if want := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC); !c.Start.Equal(want) || c.OverrideReason != "Urgent, doctor agreed" {
		t.Errorf("Book(%+v), want start %v with the reason", c, want)
	}
}

func TestAppointmentOutsideHoursRevealsOverride(t *testing.T) {
	h := newClinicHarness(t)
	f := h.openBookForm()
	h.appts.BookFn = func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
		return nil, &app.Error{Code: app.EINVALID, Field: "override_reason", Message: "Outside Dr Who's hours: give a reason."}
	}
	test.Tap(f.slotBtns[0])
	test.Tap(f.book)
	h.waitFor("the message", func() bool { return f.errs.text("override_reason") != "" })
	if !f.override.Checked || !f.overBox.Visible() {
		t.Error("the override reason entry is not shown with its message")
	}
}

func boardAppointments() *app.Board {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	return &app.Board{Day: "2026-03-02", Waiting: 1, Entries: []*app.BoardEntry{
		{Appointment: &app.Appointment{ID: "a1", PatientID: "p-1", PatientName: "Grace Hopper", DoctorID: "d-1",
			DoctorName: "Dr Who", Start: at(8, 0), End: at(8, 15), Status: app.AppointmentConfirmed}},
		{Appointment: &app.Appointment{ID: "a2", PatientID: "p-2", PatientName: "Ada Lovelace", DoctorID: "d-1",
			DoctorName: "Dr Who", Start: at(8, 30), End: at(8, 45), Status: app.AppointmentCheckedIn},
			Waiting: 25 * time.Minute},
		{Appointment: &app.Appointment{ID: "a3", PatientID: "p-3", PatientName: "Alan Turing", DoctorID: "d-1",
			DoctorName: "Dr Who", Start: at(10, 0), End: at(10, 15), Status: app.AppointmentPending}},
	}}
}

// openBoard logs in as role and opens the reception board, with the
// status methods recorded.
func (h *clinicHarness) openBoard(role app.Role) *boardView {
	h.t.Helper()
	h.serveBooking()
	h.appts.ReceptionBoardFn = func(ctx context.Context, day string) (*app.Board, error) {
		h.record("ReceptionBoard", ctx, day)
		return boardAppointments(), nil
	}
	status := func(method string, st app.AppointmentStatus) func(context.Context, string) (*app.Appointment, error) {
		return func(ctx context.Context, id string) (*app.Appointment, error) {
			h.record(method, ctx, id)
			return &app.Appointment{ID: id, Status: st}, nil
		}
	}
	h.appts.ConfirmFn = status("Confirm", app.AppointmentConfirmed)
	h.appts.CheckInFn = status("CheckIn", app.AppointmentCheckedIn)
	h.appts.CompleteFn = status("Complete", app.AppointmentCompleted)
	h.appts.MarkNoShowFn = status("MarkNoShow", app.AppointmentNoShow)
	h.appts.CancelFn = func(ctx context.Context, id, reason string) (*app.Appointment, error) {
		h.record("Cancel", ctx, id+":"+reason)
		return &app.Appointment{ID: id, Status: app.AppointmentCancelled}, nil
	}
	h.appts.RescheduleFn = func(ctx context.Context, id string, start time.Time, override string) (*app.Appointment, error) {
		h.record("Reschedule", ctx, id+" "+start.UTC().Format(time.RFC3339))
		return &app.Appointment{ID: "a-moved", Status: app.AppointmentConfirmed}, nil
	}
	h.appts.WalkInFn = func(ctx context.Context, patientID, doctorID, reason, override string) (*app.Appointment, error) {
		h.record("WalkIn", ctx, strings.TrimSpace(patientID+" "+doctorID+" "+reason+" "+override))
		if override == "" && doctorID == "d-1" {
			return nil, &app.Error{Code: app.ECONFLICT, Field: "override_reason",
				Message: "Dr Who has no hours left today. To see the patient now anyway, give the reason for the exception."}
		}
		return &app.Appointment{ID: "a-walk", Status: app.AppointmentCheckedIn}, nil
	}
	h.loginAs(user(role))
	h.openArea(app.AreaAppointments)
	b := h.u.main.appts.board
	if b == nil {
		h.t.Fatalf("%s sees no reception board", role)
	}
	h.waitFor("the board", func() bool { return b.board != nil })
	return b
}

func TestAppointmentBoardActions(t *testing.T) {
	h := newClinicHarness(t)
	b := h.openBoard(app.RoleReception)
	if !h.shows("25 min") || !h.shows("Checked in") || !h.shows("Grace Hopper") || !h.shows("10:00") {
		t.Errorf("board shows %q", h.texts())
	}
	has := func(id, label string) bool { return rowButton(b.list, id, label) != nil }
	for _, c := range []struct {
		id, label string
		want      bool
	}{
		{"a1", "Check in", true}, {"a1", "No-show", true}, {"a1", "Cancel…", true}, {"a1", "Reschedule…", true},
		{"a1", "Confirm", false}, {"a1", "Complete", false},
		{"a2", "Check in", false}, {"a2", "Complete", false}, {"a2", "Cancel…", true}, {"a2", "Reschedule…", false},
		{"a3", "Confirm", true}, {"a3", "Check in", false}, {"a3", "No-show", false},
	} {
		if has(c.id, c.label) != c.want {
			t.Errorf("%s %q offered = %v, want %v", c.id, c.label, !c.want, c.want)
		}
	}

	for _, c := range []struct{ id, label, method string }{
		{"a1", "Check in", "CheckIn"}, {"a3", "Confirm", "Confirm"}, {"a1", "No-show", "MarkNoShow"},
	} {
		loads := h.called("ReceptionBoard")
		test.Tap(rowButton(b.list, c.id, c.label))
		h.waitFor(c.method, func() bool { return h.called(c.method) == 1 })
		if got := h.callsOf(c.method)[0]; got != c.id {
			t.Errorf("%s(%v), want %s", c.method, got, c.id)
		}
		h.waitFor("the board reloaded", func() bool { return h.called("ReceptionBoard") == loads+1 })
	}

	// Cancelling needs a reason.
	test.Tap(rowButton(b.list, "a1", "Cancel…"))
	p := b.dialogs.cancel
	test.Tap(p.ok)
	h.settle()
	if p.errs.text("reason") == "" || h.called("Cancel") != 0 {
		t.Fatalf("cancel without reason: message %q, %d calls", p.errs.text("reason"), h.called("Cancel"))
	}
	test.Type(p.entry, "Patient phoned")
	test.Tap(p.ok)
	h.waitFor("the cancel", func() bool { return h.called("Cancel") == 1 })
	if got := h.callsOf("Cancel")[0]; got != "a1:Patient phoned" {
		t.Errorf("Cancel(%v)", got)
	}

	// Reschedule moves to a free slot of the same doctor.
	h.waitFor("the board reloaded", func() bool { return rowButton(b.list, "a3", "Reschedule…") != nil })
	test.Tap(rowButton(b.list, "a3", "Reschedule…"))
	f := b.dialogs.reschedule
	h.waitFor("the free slots", func() bool { return len(f.slotBtns) == 3 })
	if got := h.callsOf("FindFreeSlots"); got[len(got)-1] != "d-1 2026-03-02" {
		t.Errorf("FindFreeSlots(%v)", got)
	}
	test.Tap(f.slotBtns[2])
	test.Tap(f.book)
	h.waitFor("the move", func() bool { return h.called("Reschedule") == 1 })
	if got := h.callsOf("Reschedule")[0]; got != "a3 2026-03-02T10:30:00Z" {
		t.Errorf("Reschedule(%v)", got)
	}
	if h.called("Book") != 0 {
		t.Error("reschedule booked a new appointment itself")
	}
}

func TestAppointmentBoardRoles(t *testing.T) {
	t.Run("Nurse", func(t *testing.T) {
		h := newClinicHarness(t)
		b := h.openBoard(app.RoleNurse)
		if b.bookBtn != nil || b.walkBtn != nil {
			t.Error("a nurse is offered to book")
		}
		if rowButton(b.list, "a1", "Check in") == nil || rowButton(b.list, "a1", "Cancel…") != nil || rowButton(b.list, "a3", "Confirm") != nil {
			t.Errorf("nurse's actions: a1 %v, a3 %v", rowLabels(b.list, "a1"), rowLabels(b.list, "a3"))
		}
	})
	t.Run("Admin", func(t *testing.T) {
		h := newClinicHarness(t)
		b := h.openBoard(app.RoleAdmin)
		test.Tap(rowButton(b.list, "a2", "Complete"))
		h.waitFor("Complete", func() bool { return h.called("Complete") == 1 })
		if got := h.callsOf("Complete")[0]; got != "a2" {
			t.Errorf("Complete(%v)", got)
		}
	})
}

func TestAppointmentWalkIn(t *testing.T) {
	h := newClinicHarness(t)
	b := h.openBoard(app.RoleReception)
	test.Tap(b.walkBtn)
	f := b.walkIn
	h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
	test.Tap(f.save)
	if f.errs.text("patient_id") == "" || h.called("WalkIn") != 0 {
		t.Fatal("walk-in without a patient was not refused")
	}
	test.Type(f.picker.query, "grace")
	h.waitFor("the patient", func() bool { return f.picker.patientID() == "p-1" })
	f.doctor.SetSelectedIndex(1)
	test.Type(f.reason, "Fever")
	loads := h.called("ReceptionBoard")
	test.Tap(f.save)
	h.waitFor("the walk-in", func() bool { return h.called("WalkIn") == 1 })
	if got := h.callsOf("WalkIn")[0]; got != "p-1 d-2 Fever" {
		t.Errorf("WalkIn(%v)", got)
	}
	h.waitFor("the board reloaded", func() bool { return h.called("ReceptionBoard") == loads+1 })
}

// TestAppointmentWalkInOverride: a walk-in the doctor has no hours left
// for is refused with the reason entry shown; with a reason it is taken.
func TestAppointmentWalkInOverride(t *testing.T) {
	h := newClinicHarness(t)
	b := h.openBoard(app.RoleReception)
	test.Tap(b.walkBtn)
	f := b.walkIn
	h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
	test.Type(f.picker.query, "grace")
	h.waitFor("the patient", func() bool { return f.picker.patientID() == "p-1" })
	f.doctor.SetSelectedIndex(0)
	test.Tap(f.save)
	h.waitFor("the refusal", func() bool { return h.called("WalkIn") == 1 && f.errs.text("override_reason") != "" })
	if !f.override.Checked || !f.overBox.Visible() || b.walkIn == nil {
		t.Fatal("the override entry is not shown after the refusal")
	}
	// Checked with no reason: refused at the desk, no call.
	test.Tap(f.save)
	if h.called("WalkIn") != 1 || !strings.Contains(f.errs.text("override_reason"), "Give the reason") {
		t.Fatalf("an override without a reason: %d calls, %q", h.called("WalkIn"), f.errs.text("override_reason"))
	}
	test.Type(f.overReason, "Acute pain")
	test.Tap(f.save)
	h.waitFor("the walk-in", func() bool { return h.called("WalkIn") == 2 })
	if got := h.callsOf("WalkIn")[1]; got != "p-1 d-1  Acute pain" {
		t.Errorf("WalkIn(%v)", got)
	}
}

func TestAppointmentDoctorDayOpensChart(t *testing.T) {
	h := newClinicHarness(t)
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return graceChart(), nil
	}
	b := boardAppointments()
	h.appts.DoctorDayFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		h.record("DoctorDay", ctx, doctorID+" "+day)
		var out []*app.Appointment
		for _, e := range b.Entries {
			a := *e.Appointment
			a.DoctorID = doctorID
			out = append(out, &a)
		}
		return out, nil
	}
	h.appts.DoctorWeekFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		h.record("DoctorWeek", ctx, doctorID+" "+day)
		a := *b.Entries[0].Appointment
		a.DoctorID = doctorID
		a.Start, a.End = a.Start.AddDate(0, 0, 1), a.End.AddDate(0, 0, 1)
		return []*app.Appointment{&a}, nil
	}
	h.appts.CompleteFn = func(ctx context.Context, id string) (*app.Appointment, error) {
		h.record("Complete", ctx, id)
		return &app.Appointment{ID: id, Status: app.AppointmentCompleted}, nil
	}
	h.loginAs(user(app.RoleDoctor))
	h.openArea(app.AreaAppointments)
	s := h.u.main.appts
	// A doctor's day comes first; the board (where a doctor also starts a
	// visit) is the second tab.
	if s.board == nil || s.tabs.Items[0].Content != s.day.content || s.tabs.SelectedIndex() != 0 {
		t.Error("a doctor's first tab is not their day, or they have no board")
	}
	d := s.day
	h.waitFor("the day", func() bool { return len(d.appts) == 3 })
	if got := h.callsOf("DoctorDay"); got[0] != "u-doctor 2026-03-02" {
		t.Errorf("DoctorDay(%v), want the doctor's own today", got)
	}
	if !h.shows("10:00–10:15") || !h.shows("12:00–12:15") {
		t.Errorf("times not in the clinic's zone: %q", h.texts())
	}
	if rowButton(d.list, "a1", "Complete") != nil || rowButton(d.list, "a2", "Complete") == nil {
		t.Errorf("Complete offered on a1 %v, a2 %v", rowLabels(d.list, "a1"), rowLabels(d.list, "a2"))
	}

	// Opening "My day" loads the day twice (the doctor preselected, then the
	// area's load): let both land before counting the reload.
	h.waitFor("the first loads", func() bool { return h.called("DoctorDay") >= 2 })
	h.settle()
	before := h.called("DoctorDay")
	test.Tap(rowButton(d.list, "a2", "Complete"))
	h.waitFor("Complete", func() bool { return h.called("Complete") == 1 })
	if got := h.callsOf("Complete")[0]; got != "a2" {
		t.Errorf("Complete(%v)", got)
	}
	h.waitFor("the day reloaded", func() bool { return h.called("DoctorDay") > before })

	d.list.Select(0) // a1: selecting a row opens the chart
	if s.chart == nil {
		t.Fatal("the row opened no chart")
	}
	h.waitFor("the chart", func() bool { return s.chart.name.Text == "Grace Hopper" })
	if got := h.callsOf("GetChart"); got[0] != "p-1" {
		t.Errorf("GetChart(%v)", got)
	}
	test.Tap(s.chart.back)
	if s.chart != nil {
		t.Error("back did not close the chart")
	}

	d.week.SetChecked(true)
	h.waitFor("the week", func() bool { return h.called("DoctorWeek") == 1 })
	if got := h.callsOf("DoctorWeek")[0]; got != "u-doctor 2026-03-02" {
		t.Errorf("DoctorWeek(%v)", got)
	}
	// In a week each row's time carries its day.
	h.waitFor("the week's row", func() bool { return h.shows("Tue 2026-03-03  10:00–10:15") })
}

// TestBoardLostBookingsFirst: appointments that lost to another desk's
// booking head the board with their day, under a line saying so, and
// keep the moves that rearrange them; selecting a row opens the chart.
func TestBoardLostBookingsFirst(t *testing.T) {
	h := newClinicHarness(t)
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		return &app.Patient{ID: id, MRN: "P-D1-000042", GivenName: "Grace", FamilyName: "Hopper"}, nil
	}
	lost := &app.Appointment{ID: "c1", PatientID: "p-9", PatientName: "Edsger Dijkstra", DoctorID: "d-1",
		DoctorName: "Dr Who", Start: time.Date(2026, 3, 4, 11, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 4, 11, 15, 0, 0, time.UTC), Status: app.AppointmentConflict}
	b := h.openBoard(app.RoleReception)
	h.appts.ReceptionBoardFn = func(ctx context.Context, day string) (*app.Board, error) {
		h.record("ReceptionBoard", ctx, day)
		b := boardAppointments()
		b.Conflicts = []*app.Appointment{lost}
		return b, nil
	}
	b.load()
	h.waitFor("the lost booking", func() bool { return h.shows("Edsger Dijkstra") })
	rows := listRows(b.list)
	if len(rows) != 4 || rows[0].key != "c1" {
		t.Fatalf("rows %d, first %q: want the lost booking first", len(rows), rows[0].key)
	}
	if !b.lost.Visible() || !h.shows("Lost to another desk's booking") || !h.shows("Wed 03-04 13:00") {
		t.Errorf("the lost booking is not marked: %q", h.texts())
	}
	if rowButton(b.list, "c1", "Reschedule…") == nil || rowButton(b.list, "c1", "Cancel…") == nil {
		t.Errorf("the lost booking offers %v", rowLabels(b.list, "c1"))
	}
	if b.openChart == nil {
		t.Fatal("the board opens no chart")
	}
	b.list.Select(1) // a1, Grace Hopper
	h.waitFor("the chart", func() bool { return h.called("FindPatientByID") == 1 })
	if got := h.callsOf("FindPatientByID")[0]; got != "p-1" || h.u.main.appts.chart == nil {
		t.Errorf("FindPatientByID(%v), chart %v", got, h.u.main.appts.chart != nil)
	}
}

func TestAppointmentPatientOwn(t *testing.T) {
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
		return &app.AppointmentPage{Appointments: []*app.Appointment{{ID: "up", PatientID: id, DoctorName: "Dr Who",
			Start: at(5, 8), End: at(5, 9), Status: app.AppointmentPending}}}, nil
	}
	h.appts.CancelFn = func(ctx context.Context, id, reason string) (*app.Appointment, error) {
		h.record("Cancel", ctx, id+":"+reason)
		return &app.Appointment{ID: id, Status: app.AppointmentCancelled}, nil
	}
	h.loginAs(user(app.RolePatient))
	m := h.u.main.myAppts
	if m == nil {
		t.Fatal("My record has no appointments tab")
	}
	tabs := h.u.main.record.tabs
	tabs.Select(tabs.Items[len(tabs.Items)-1])
	h.waitFor("the appointments", func() bool { return len(m.upcoming) == 1 && len(m.past) == 1 })
	for _, id := range h.callsOf("PatientAppointments") {
		if id != "p-42" {
			t.Errorf("PatientAppointments(%v), want only the patient's own", id)
		}
	}
	if !h.shows("Thu 2026-03-05 10:00 — Dr Who") || !h.shows("Dr House") {
		t.Errorf("shows %q", h.texts())
	}
	if rowButton(m.upcomingL, "up", "Cancel…") == nil {
		t.Fatal("no Cancel on the upcoming appointment")
	}

	test.Tap(rowButton(m.upcomingL, "up", "Cancel…"))
	test.Type(m.cancel.entry, "Feeling better")
	test.Tap(m.cancel.ok)
	h.waitFor("the cancel", func() bool { return h.called("Cancel") == 1 })
	if got := h.callsOf("Cancel")[0]; got != "up:Feeling better" {
		t.Errorf("Cancel(%v)", got)
	}

	test.Tap(m.bookBtn)
	f := m.book
	if f.picker != nil || f.override != nil {
		t.Error("a patient may choose the patient or override the hours")
	}
	h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
	f.doctor.SetSelectedIndex(0)
	h.waitFor("the slots", func() bool { return len(f.slotBtns) == 3 })
	test.Tap(f.slotBtns[0])
	test.Tap(f.book)
	h.waitFor("the booking", func() bool { return h.called("Book") == 1 })
	if c := h.callsOf("Book")[0].(app.AppointmentCreate); c.PatientID != "p-42" || !c.Start.Equal(freeSlots()[0].Start) {
		t.Errorf("Book(%+v)", c)
	}
}

// TestAssignDoctorFromFindDoctors checks that the Assign doctor form offers
// the doctors of FindDoctors (open to every role that may assign), not the
// admin-only staff list.
func TestAssignDoctorFromFindDoctors(t *testing.T) {
	h := newClinicHarness(t)
	h.serveBooking()
	c := h.openChartOf(app.RoleAdmin)
	h.clinical.AssignDoctorFn = func(ctx context.Context, a app.AssignmentCreate) (*app.Assignment, error) {
		h.record("AssignDoctor", ctx, a)
		return &app.Assignment{ID: "as-2"}, nil
	}
	if c.summary.assign == nil {
		t.Fatal("an admin is not offered to assign a doctor")
	}
	test.Tap(c.summary.assign)
	f := c.summary.assignForm
	h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
	if got := h.callsOf("FindDoctors"); len(got) != 1 || got[0] != "" {
		t.Errorf("FindDoctors(%v)", got)
	}
	f.doctor.SetSelectedIndex(1)
	test.Type(f.reason, "Second opinion")
	test.Tap(f.save)
	h.waitFor("the assignment", func() bool { return h.called("AssignDoctor") == 1 })
	if a := h.callsOf("AssignDoctor")[0].(app.AssignmentCreate); a.DoctorID != "d-2" {
		t.Errorf("AssignDoctor(%+v)", a)
	}
}

// TestAppointmentDoctorDayNewNote: from the doctor's day, one click opens
// the patient's chart on the Notes tab with a new note begun.
func TestAppointmentDoctorDayNewNote(t *testing.T) {
	h := newClinicHarness(t)
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return graceChart(), nil
	}
	h.clinical.FindNotesFn = func(ctx context.Context, id string) ([]*app.Note, error) {
		h.record("FindNotes", ctx, id)
		return nil, nil
	}
	b := boardAppointments()
	h.appts.DoctorDayFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		var out []*app.Appointment
		for _, e := range b.Entries {
			a := *e.Appointment
			a.DoctorID = doctorID
			out = append(out, &a)
		}
		return out, nil
	}
	h.loginAs(user(app.RoleDoctor))
	h.openArea(app.AreaAppointments)
	s := h.u.main.appts
	d := s.day
	h.waitFor("the day", func() bool { return len(d.appts) == 3 })
	h.settle()
	note := rowButton(d.list, "a1", "Note")
	if note == nil {
		t.Fatal("no Note button on the doctor's day")
	}
	test.Tap(note)
	if s.chart == nil || s.chart.notes == nil || s.chart.notes.form == nil {
		t.Fatal("Note did not open the chart with a new note")
	}
	if s.chart.tabs.Selected().Text != "Notes" {
		t.Errorf("tab %q selected, want Notes", s.chart.tabs.Selected().Text)
	}
	h.waitFor("the notes", func() bool { return h.called("FindNotes") >= 1 })
}

// TestAppointmentActionsOnlyWhereTheyApply: "Check in" is offered only on
// the appointment's day and "No-show" only once its time has begun, so
// neither is offered and then refused in a dialog.
func TestAppointmentActionsOnlyWhereTheyApply(t *testing.T) {
	h := newClinicHarness(t)
	h.openBoard(app.RoleReception)
	now := h.clock() // 2026-03-02 09:00 UTC
	for _, c := range []struct {
		name            string
		start           time.Time
		checkIn, noShow bool
	}{
		{"tomorrow", now.AddDate(0, 0, 1), false, false},
		{"later today", now.Add(2 * time.Hour), true, false},
		{"begun today", now.Add(-time.Hour), true, true},
		{"yesterday", now.AddDate(0, 0, -1), false, true},
	} {
		a := &app.Appointment{ID: "a-" + c.name, PatientID: "p-1", PatientName: "Grace Hopper", DoctorID: "d-1",
			DoctorName: "Dr Who", Start: c.start, End: c.start.Add(15 * time.Minute), Status: app.AppointmentConfirmed}
		btns := apptMoves(h.u, a, &apptDialogs{}, nil, func() {})
		if got := btns["Check in"] != nil; got != c.checkIn {
			t.Errorf("%s: Check in offered = %v, want %v", c.name, got, c.checkIn)
		}
		if got := btns["No-show"] != nil; got != c.noShow {
			t.Errorf("%s: No-show offered = %v, want %v", c.name, got, c.noShow)
		}
	}
}

// TestDatesCarryWeekday: the dates the front desk reads carry their
// weekday: times and days in lists, the board's title, and the day picker,
// whose calendar fills the day in.
func TestDatesCarryWeekday(t *testing.T) {
	h := newClinicHarness(t)
	b := h.openBoard(app.RoleReception)
	at := time.Date(2026, 3, 3, 14, 5, 0, 0, time.UTC)
	if got := formatTime(h.u, at); !strings.HasPrefix(got, "Tue 2026-03-03") {
		t.Errorf("formatTime = %q", got)
	}
	if got := dayText(h.u, at); got != "Tue 2026-03-03" {
		t.Errorf("dayText = %q", got)
	}
	if !strings.Contains(b.title.Text, "Monday 2026-03-02") {
		t.Errorf("board title %q", b.title.Text)
	}
	changed := 0
	p := newDayPicker(app.Day{Year: 2026, Month: 3, Day: 2}, func() { changed++ })
	if p.weekday.Text != "Monday" {
		t.Errorf("picker weekday %q", p.weekday.Text)
	}
	test.Tap(p.next)
	if p.entry.Text != "2026-03-03" || p.weekday.Text != "Tuesday" || changed != 1 {
		t.Errorf("next day: %q %q, %d changes", p.entry.Text, p.weekday.Text, changed)
	}
	h.u.win.SetContent(p.content)
	test.Tap(p.pick)
	if p.popup == nil || p.calendar == nil {
		t.Fatal("no calendar")
	}
}

// rowLabels are the buttons shown on the row of list that shows key.
func rowLabels(list fyne.CanvasObject, key string) []string {
	var out []string
	for _, r := range listRows(list) {
		if r.key != key {
			continue
		}
		for _, b := range r.actions {
			if b.Visible() {
				out = append(out, b.Text)
			}
		}
	}
	return out
}
