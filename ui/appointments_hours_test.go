package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// serveHours makes the appointment mock keep two doctors' profiles, hours
// and exceptions, recording every change.
func (h *harness) serveHours() {
	h.appts.DoctorDayFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		h.record("DoctorDay", ctx, doctorID+" "+day)
		return nil, nil
	}
	h.appts.FindDoctorsFn = func(ctx context.Context, spec string) ([]*app.DoctorProfile, error) {
		h.record("FindDoctors", ctx, spec)
		return []*app.DoctorProfile{drWho(), drHouse()}, nil
	}
	h.appts.GetDoctorProfileFn = func(ctx context.Context, id string) (*app.DoctorProfile, error) {
		h.record("GetDoctorProfile", ctx, id)
		p := &app.DoctorProfile{UserID: id, FullName: "Someone"}
		if id == "d-1" {
			p = drWho()
			p.Fee, p.VisitMinutes = 3000, 20
			p.ConsultationCode, p.ConsultationName = "CONS-CARD", "Cardiology consultation"
			p.UpdatedAt = time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
			p.Weekly = []app.Availability{{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 20}}
			p.Exceptions = []app.AvailabilityException{{ID: "e-1", DoctorID: "d-1", Date: "2026-03-10",
				Kind: app.ExceptionLeave, Reason: "Conference"}}
		}
		return p, nil
	}
	h.appts.SetDoctorProfileFn = func(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
		h.record("SetDoctorProfile", ctx, p)
		return &p, nil
	}
	h.appts.SetAvailabilityFn = func(ctx context.Context, id string, weekly []app.Availability) ([]app.Availability, error) {
		h.record("SetAvailability", ctx, append([]any{id}, anySlice(weekly)...))
		return weekly, nil
	}
	h.appts.AddAvailabilityExceptionFn = func(ctx context.Context, e app.AvailabilityException) (*app.AvailabilityException, error) {
		h.record("AddAvailabilityException", ctx, e)
		e.ID = "e-2"
		return &e, nil
	}
	h.appts.RemoveAvailabilityExceptionFn = func(ctx context.Context, id string) error {
		h.record("RemoveAvailabilityException", ctx, id)
		return nil
	}
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// openHours logs in as role, opens Appointments and its hours tab, and
// waits for the first doctor's profile.
func (h *clinicHarness) openHours(role app.Role) *hoursView {
	h.t.Helper()
	h.serveHours()
	h.loginAs(user(role))
	h.openArea(app.AreaAppointments)
	s := h.u.main.appts
	if s.hoursBtn == nil {
		h.t.Fatalf("%s has no hours button", role)
	}
	test.Tap(s.hoursBtn)
	if s.hours == nil {
		h.t.Fatal("the button opened no hours view")
	}
	v := s.hours
	h.waitFor("the profile", func() bool { return v.profile != nil })
	return v
}

func TestHoursAdminSavesProfile(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openHours(app.RoleAdmin)
	if got := h.u.main.appts.hoursBtn.Text; got != "Doctors' hours" {
		t.Errorf("tab = %q", got)
	}
	if got := h.callsOf("GetDoctorProfile"); len(got) != 1 || got[0] != "d-1" {
		t.Errorf("GetDoctorProfile(%v), want the first doctor", got)
	}
	if !strings.HasPrefix(v.fee.Text, "30.00 — Cardiology consultation") || v.consultation.Text != "CONS-CARD" ||
		v.consultation.Disabled() || v.room.Text != "Room 2" || v.visit.Text != "20" || v.spec.Text != "Cardiology" {
		t.Errorf("form shows fee %q (item %q) room %q visit %q spec %q", v.fee.Text, v.consultation.Text, v.room.Text, v.visit.Text, v.spec.Text)
	}

	// A refusal of the item by the service shows next to it.
	h.appts.SetDoctorProfileFn = func(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
		h.record("SetDoctorProfile", ctx, p)
		if p.ConsultationCode != "CONS-LONG" {
			return nil, app.FieldErrorf("consultation", "%s is not a current consultation of the price list.", p.ConsultationCode)
		}
		p.Fee, p.ConsultationName = 6500, "Long consultation"
		return &p, nil
	}
	v.consultation.SetText("ECG")
	test.Tap(v.saveProfile)
	h.waitFor("the refusal", func() bool { return v.profErrs.text("consultation") != "" })

	v.consultation.SetText(" cons-long ")
	v.spec.SetText("  Cardiology   and   Sports ")
	v.room.SetText("Room 3")
	v.visit.SetText("30")
	test.Tap(v.saveProfile)
	h.waitFor("the profile saved", func() bool { return h.called("SetDoctorProfile") == 2 })
	p := h.callsOf("SetDoctorProfile")[1].(app.DoctorProfile)
	if p.UserID != "d-1" || p.ConsultationCode != "CONS-LONG" || p.Room != "Room 3" || p.VisitMinutes != 30 ||
		p.Specialization != "Cardiology and Sports" {
		t.Errorf("SetDoctorProfile(%+v)", p)
	}
	// It names the profile as the form showed it; after the save, the
	// form shows the saved one.
	if p.Was == nil || p.Was.UserID != "d-1" || p.Was.Room != "Room 2" || p.Was.Specialization != "Cardiology" {
		t.Errorf("SetDoctorProfile's profile as shown: %+v", p.Was)
	}
	h.waitFor("the saved message", func() bool { return v.message.Text == "Profile saved." })
	if v.profile == nil || v.profile.Room != "Room 3" {
		t.Errorf("the form's profile after the save: %+v", v.profile)
	}
	if !strings.HasPrefix(v.fee.Text, "65.00 — Long consultation") || v.profErrs.text("consultation") != "" {
		t.Errorf("fee after save %q, message %q", v.fee.Text, v.profErrs.text("consultation"))
	}

	// Another doctor's profile loads when chosen.
	v.doctor.SetSelectedIndex(1)
	h.waitFor("Dr House's profile", func() bool { return v.profile.UserID == "d-2" })
	if !strings.HasPrefix(v.fee.Text, "None") || len(v.blocks) != 0 || len(listRows(v.excList)) != 0 {
		t.Errorf("Dr House: fee %q, %d blocks, %d exceptions", v.fee.Text, len(v.blocks), len(listRows(v.excList)))
	}
}

func TestHoursServiceFieldError(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openHours(app.RoleAdmin)
	h.appts.SetDoctorProfileFn = func(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
		h.record("SetDoctorProfile", ctx, p)
		return nil, &app.Error{Code: app.EINVALID, Field: "room", Message: "That room is someone else's."}
	}
	test.Tap(v.saveProfile)
	h.waitFor("the room message", func() bool { return v.profErrs.text("room") == "That room is someone else's." })
	if v.saveProfile.Disabled() || h.u.win.Canvas().Overlays().Top() != nil {
		t.Error("the save button stayed disabled, or a dialog opened, for a field error")
	}
	// A field the form has no entry for shows on its message line.
	h.appts.SetDoctorProfileFn = func(ctx context.Context, p app.DoctorProfile) (*app.DoctorProfile, error) {
		return nil, &app.Error{Code: app.EUNAUTHORIZED, Message: "Not your profile."}
	}
	test.Tap(v.saveProfile)
	h.waitFor("the general message", func() bool { return v.profErrs.text("") == "Not your profile." })
	if v.profErrs.text("room") != "" {
		t.Error("the old room message stayed")
	}
}

func TestHoursWeeklyBlocks(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openHours(app.RoleAdmin)
	if len(v.blocks) != 1 || v.blocks[0].weekday.Selected != "Monday" || v.blocks[0].start.Text != "08:00" {
		t.Fatalf("the weekly hours are not shown: %d rows", len(v.blocks))
	}
	set := func(r *hoursBlockRow, day, start, end, slot string) {
		r.weekday.SetSelected(day)
		r.start.SetText(start)
		r.end.SetText(end)
		r.slot.SetText(slot)
	}
	test.Tap(v.addBlock)
	test.Tap(v.addBlock)
	test.Tap(v.addBlock)
	if len(v.blocks) != 4 {
		t.Fatalf("%d rows after adding three", len(v.blocks))
	}
	set(v.blocks[1], "Tuesday", "14:00", "18:00", "30")
	set(v.blocks[2], "Monday", "17:00", "20:00", "15")
	set(v.blocks[3], "Friday", "09:00", "25:00", "15")

	// A bad row is marked and nothing is sent.
	test.Tap(v.saveWeekly)
	if !v.blocks[3].err.Visible() || v.blocks[3].err.Text == "" || v.blocks[1].err.Visible() {
		t.Errorf("row messages: bad %q, good shown %v", v.blocks[3].err.Text, v.blocks[1].err.Visible())
	}
	// Overlapping blocks are refused under the grid.
	set(v.blocks[3], "Monday", "11:00", "13:00", "15")
	test.Tap(v.saveWeekly)
	if v.weekErrs.text("weekly") == "" || v.blocks[3].err.Visible() {
		t.Errorf("overlap: message %q", v.weekErrs.text("weekly"))
	}
	h.settle()
	if n := h.called("SetAvailability"); n != 0 {
		t.Fatalf("SetAvailability called %d times with bad rows", n)
	}

	test.Tap(v.blocks[3].remove)
	if len(v.blocks) != 3 {
		t.Fatalf("%d rows after removing one", len(v.blocks))
	}
	test.Tap(v.saveWeekly)
	h.waitFor("the hours saved", func() bool { return h.called("SetAvailability") == 1 })
	got := h.callsOf("SetAvailability")[0].([]any)
	want := []any{"d-1",
		app.Availability{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 20},
		app.Availability{Weekday: time.Monday, Start: "17:00", End: "20:00", SlotMinutes: 15},
		app.Availability{Weekday: time.Tuesday, Start: "14:00", End: "18:00", SlotMinutes: 30},
	}
	if !slices.Equal(got, want) {
		t.Errorf("SetAvailability(%v),\nwant %v", got, want)
	}
	h.waitFor("the saved message", func() bool { return v.message.Text == "Weekly hours saved." })
	if v.blocks[1].start.Text != "17:00" || v.blocks[2].weekday.Selected != "Tuesday" {
		t.Error("the grid is not shown in order after saving")
	}

	// The service's message about the hours shows under the grid.
	h.appts.SetAvailabilityFn = func(ctx context.Context, id string, weekly []app.Availability) ([]app.Availability, error) {
		return nil, &app.Error{Code: app.EINVALID, Field: "weekly", Message: "At most 50 blocks a week."}
	}
	test.Tap(v.saveWeekly)
	h.waitFor("the weekly message", func() bool { return v.weekErrs.text("weekly") == "At most 50 blocks a week." })
}

func TestHoursExceptions(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openHours(app.RoleAdmin)
	if rowButton(v.excList, "e-1", "Remove") == nil || !h.shows("2026-03-10  Leave, whole day — Conference") {
		t.Fatalf("the leave is not listed: %q", h.texts())
	}

	// An extra session needs its start: refused next to it, no call.
	v.exDate.SetText("2026-03-12")
	v.exKind.SetSelected(hoursKindExtra)
	if v.exSlot.Disabled() {
		t.Error("the slot entry is disabled for an extra session")
	}
	test.Tap(v.addExc)
	if v.excErrs.text("start") == "" {
		t.Error("an extra session without a start was not refused")
	}
	v.exDate.SetText("12/03/2026")
	v.exStart.SetText("17:00")
	test.Tap(v.addExc)
	if v.excErrs.text("date") == "" {
		t.Error("a bad date was not refused next to it")
	}
	h.settle()
	if n := h.called("AddAvailabilityException"); n != 0 {
		t.Fatalf("AddAvailabilityException called %d times", n)
	}

	v.exDate.SetText("2026-03-12")
	v.exEnd.SetText("19:00")
	v.exSlot.SetText("20")
	v.exReason.SetText("Evening clinic")
	test.Tap(v.addExc)
	h.waitFor("the exception added", func() bool { return h.called("AddAvailabilityException") == 1 })
	e := h.callsOf("AddAvailabilityException")[0].(app.AvailabilityException)
	want := app.AvailabilityException{DoctorID: "d-1", Date: "2026-03-12", Kind: app.ExceptionExtra,
		Start: "17:00", End: "19:00", SlotMinutes: 20, Reason: "Evening clinic"}
	if e != want {
		t.Errorf("AddAvailabilityException(%+v)", e)
	}
	h.waitFor("the new row", func() bool { return rowButton(v.excList, "e-2", "Remove") != nil })
	if !h.shows("2026-03-12  Extra session 17:00–19:00, slots of 20 min — Evening clinic") {
		t.Errorf("the extra session is not listed: %q", h.texts())
	}

	// A service error about a field shows next to it.
	h.appts.AddAvailabilityExceptionFn = func(ctx context.Context, e app.AvailabilityException) (*app.AvailabilityException, error) {
		return nil, &app.Error{Code: app.EINVALID, Field: "date", Message: "That day has passed."}
	}
	v.exKind.SetSelected(hoursKindLeave)
	test.Tap(v.addExc)
	h.waitFor("the date message", func() bool { return v.excErrs.text("date") == "That day has passed." })

	test.Tap(rowButton(v.excList, "e-1", "Remove"))
	h.waitFor("the leave removed", func() bool { return h.called("RemoveAvailabilityException") == 1 })
	if got := h.callsOf("RemoveAvailabilityException")[0]; got != "e-1" {
		t.Errorf("RemoveAvailabilityException(%v)", got)
	}
	h.waitFor("the row gone", func() bool { return rowButton(v.excList, "e-1", "Remove") == nil })
	if rowButton(v.excList, "e-2", "Remove") == nil || h.shows("Leave, whole day") {
		t.Error("the wrong exception left the list")
	}
}

func TestHoursDoctorOwn(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openHours(app.RoleDoctor)
	if got := h.u.main.appts.hoursBtn.Text; got != "My hours" {
		t.Errorf("tab = %q", got)
	}
	if h.called("FindDoctors") != 0 || len(v.doctors) != 1 || v.doctors[0].UserID != "u-doctor" {
		t.Errorf("a doctor was offered other doctors: %d FindDoctors calls, %d doctors", h.called("FindDoctors"), len(v.doctors))
	}
	if got := h.callsOf("GetDoctorProfile"); got[0] != "u-doctor" {
		t.Errorf("GetDoctorProfile(%v)", got)
	}
	if !v.consultation.Disabled() {
		t.Error("a doctor can choose their own consultation item")
	}
	v.room.SetText("Room 7")
	test.Tap(v.saveProfile)
	h.waitFor("the profile saved", func() bool { return h.called("SetDoctorProfile") == 1 })
	if p := h.callsOf("SetDoctorProfile")[0].(app.DoctorProfile); p.UserID != "u-doctor" || p.Room != "Room 7" {
		t.Errorf("SetDoctorProfile(%+v)", p)
	}

	// Back goes to the doctor's day and reloads it.
	s := h.u.main.appts
	days := h.called("DoctorDay")
	test.Tap(v.back)
	if s.hours != nil || !s.hoursBtn.Visible() || s.views.Objects[0] != s.tabs {
		t.Error("back did not show the tabs again")
	}
	h.waitFor("the day reloaded", func() bool { return h.called("DoctorDay") > days })
}

func TestHoursOtherRoles(t *testing.T) {
	for _, role := range []app.Role{app.RoleReception, app.RoleNurse} {
		t.Run(string(role), func(t *testing.T) {
			h := newClinicHarness(t)
			h.serveHours()
			h.loginAs(user(role))
			h.openArea(app.AreaAppointments)
			s := h.u.main.appts
			if s.hours != nil || s.hoursBtn != nil {
				t.Errorf("%s gets the hours button", role)
			}
			if h.shows("Doctors' hours") || h.shows("My hours") {
				t.Errorf("%s sees the hours: %q", role, h.texts())
			}
		})
	}
}

func TestFeeMinorUnits(t *testing.T) {
	for _, c := range []struct {
		minor  int64
		digits int
		want   string
	}{{4550, 2, "45.50"}, {5, 2, "0.05"}, {0, 2, "0.00"}, {45, 0, "45"}, {1234, 3, "1.234"}} {
		if got := formatFeeMinor(c.minor, c.digits); got != c.want {
			t.Errorf("formatFeeMinor(%d, %d) = %q, want %q", c.minor, c.digits, got, c.want)
		}
	}
}
