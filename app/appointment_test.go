package app_test

import (
	"slices"
	"testing"
	"time"

	"hms/app"
)

// TestCanTransition pins the workflow down: every pair of statuses, allowed
// or not.
func TestCanTransition(t *testing.T) {
	allowed := map[app.AppointmentStatus][]app.AppointmentStatus{
		app.AppointmentPending:   {app.AppointmentConfirmed, app.AppointmentCancelled, app.AppointmentConflict},
		app.AppointmentConfirmed: {app.AppointmentCheckedIn, app.AppointmentCancelled, app.AppointmentNoShow, app.AppointmentConflict},
		app.AppointmentCheckedIn: {app.AppointmentCompleted, app.AppointmentCancelled, app.AppointmentConflict},
		app.AppointmentConflict:  {app.AppointmentCancelled},
	}
	for _, from := range app.AppointmentStatuses {
		for _, to := range app.AppointmentStatuses {
			want := slices.Contains(allowed[from], to)
			if got := app.CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
		if got := app.NextStatuses(from); !slices.Equal(got, allowed[from]) {
			t.Errorf("NextStatuses(%s) = %v, want %v", from, got, allowed[from])
		}
		if from.Final() != (len(allowed[from]) == 0) {
			t.Errorf("%s: Final() = %v", from, from.Final())
		}
	}
	if app.CanTransition("", app.AppointmentConfirmed) || app.CanTransition("bogus", app.AppointmentCancelled) {
		t.Error("a transition from an unknown status")
	}
}

// TestStatusOnlyMovesForward walks every path of the workflow: no status is
// ever reached twice, so there is no way back.
func TestStatusOnlyMovesForward(t *testing.T) {
	var walk func(s app.AppointmentStatus, seen []app.AppointmentStatus)
	walk = func(s app.AppointmentStatus, seen []app.AppointmentStatus) {
		if slices.Contains(seen, s) {
			t.Fatalf("status %s comes back: %v", s, append(seen, s))
		}
		for _, n := range app.NextStatuses(s) {
			walk(n, append(slices.Clone(seen), s))
		}
	}
	walk(app.AppointmentPending, nil)
	for _, s := range app.AppointmentStatuses {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("%s: valid %v, label %q", s, s.Valid(), s.Label())
		}
	}
	if !app.AppointmentConfirmed.Blocking() || app.AppointmentPending.Blocking() || !app.AppointmentPending.Active() ||
		app.AppointmentCancelled.Active() {
		t.Error("Blocking/Active")
	}
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "08:30": 510, "23:59": 1439, "24:00": 1440} {
		if got, err := app.ParseClock(s); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "8:30", "08:60", "24:01", "25:00", "ab:cd", "08-30", "-1:00", "08:3"} {
		if _, err := app.ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}

func TestValidateWeekly(t *testing.T) {
	ok := []app.Availability{
		{Weekday: time.Monday, Start: "14:00", End: "18:00", SlotMinutes: 20},
		{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 15},
		{Weekday: time.Sunday, Start: "20:00", End: "24:00", SlotMinutes: 30},
	}
	if err := app.ValidateWeekly(ok); err != nil {
		t.Fatal(err)
	}
	if ok[0].Weekday != time.Sunday || ok[1].Start != "08:00" {
		t.Fatalf("not sorted: %+v", ok)
	}
	for name, c := range map[string]struct {
		blocks []app.Availability
		field  string
	}{
		"overlap": {[]app.Availability{{Weekday: 1, Start: "08:00", End: "12:00", SlotMinutes: 15},
			{Weekday: 1, Start: "11:00", End: "13:00", SlotMinutes: 15}}, "weekly"},
		"end before start": {[]app.Availability{{Weekday: 1, Start: "12:00", End: "08:00", SlotMinutes: 15}}, "end"},
		"bad start":        {[]app.Availability{{Weekday: 1, Start: "8h", End: "12:00", SlotMinutes: 15}}, "start"},
		"no slot length":   {[]app.Availability{{Weekday: 1, Start: "08:00", End: "12:00"}}, "slot_minutes"},
		"shorter than a slot": {[]app.Availability{{Weekday: 1, Start: "08:00", End: "08:10", SlotMinutes: 15}},
			"end"},
		"weekday": {[]app.Availability{{Weekday: 7, Start: "08:00", End: "12:00", SlotMinutes: 15}}, "weekday"},
	} {
		if err := app.ValidateWeekly(c.blocks); app.ErrorField(err) != c.field {
			t.Errorf("%s: %v, want field %s", name, err, c.field)
		}
	}
}

func TestAvailabilityExceptionValidate(t *testing.T) {
	good := []app.AvailabilityException{
		{DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionLeave},
		{DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionLeave, Start: "10:00", End: "11:00"},
		{DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionExtra, Start: "18:00", End: "20:00", SlotMinutes: 20},
	}
	for _, e := range good {
		if err := e.Validate(); err != nil {
			t.Errorf("%+v: %v", e, err)
		}
	}
	bad := map[string]app.AvailabilityException{
		"date":         {DoctorID: "d", Date: "2026-13-01", Kind: app.ExceptionLeave},
		"kind":         {DoctorID: "d", Date: "2026-12-01", Kind: "holiday"},
		"start":        {DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionExtra, SlotMinutes: 15},
		"end":          {DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionLeave, Start: "10:00", End: "09:00"},
		"slot_minutes": {DoctorID: "d", Date: "2026-12-01", Kind: app.ExceptionExtra, Start: "18:00", End: "20:00", SlotMinutes: 3},
		"doctor_id":    {Date: "2026-12-01", Kind: app.ExceptionLeave},
	}
	for field, e := range bad {
		if err := e.Validate(); app.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestAppointmentCreateValidate(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 42, 0, time.FixedZone("EET", 2*3600))
	c := app.AppointmentCreate{PatientID: " p ", DoctorID: "d", Start: start, Reason: "  cough "}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PatientID != "p" || c.Reason != "cough" || c.Start.Location() != time.UTC || c.Start.Second() != 0 || c.Start.Hour() != 8 {
		t.Fatalf("not normalized: %+v", c)
	}
	for field, c := range map[string]app.AppointmentCreate{
		"patient_id":      {DoctorID: "d", Start: start},
		"doctor_id":       {PatientID: "p", Start: start},
		"start":           {PatientID: "p", DoctorID: "d"},
		"minutes":         {PatientID: "p", DoctorID: "d", Start: start, Minutes: app.MaxVisitMinutes + 1},
		"reason":          {PatientID: "p", DoctorID: "d", Start: start, Reason: string(make([]byte, 501))},
		"override_reason": {PatientID: "p", DoctorID: "d", Start: start, OverrideReason: string(make([]rune, 501))},
	} {
		if err := c.Validate(); app.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	p := app.DoctorProfile{UserID: "d"}
	if err := p.Validate(); err != nil || p.VisitMinutes != app.DefaultVisitMinutes {
		t.Fatalf("profile default: %v %+v", err, p)
	}
	if p := (app.DoctorProfile{UserID: "d", Fee: -1}); app.ErrorField(p.Validate()) != "fee" {
		t.Error("negative fee")
	}
}

// TestDayBounds: a day runs from local midnight to the next, 23 or 25 hours
// on the days the clocks change.
func TestDayBounds(t *testing.T) {
	for _, c := range []struct {
		zone, day string
		hours     float64
	}{
		{"Europe/Athens", "2027-03-28", 23}, {"Europe/Athens", "2027-10-31", 25}, {"Europe/Athens", "2027-06-01", 24},
		{"America/New_York", "2027-03-14", 23}, {"America/New_York", "2027-11-07", 25},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Skip("no time zone data:", err)
		}
		d, err := app.ParseDay(c.day)
		if err != nil {
			t.Fatal(err)
		}
		start, end := d.Bounds(loc)
		if got := end.Sub(start).Hours(); got != c.hours {
			t.Errorf("%s %s: %v hours, want %v", c.zone, c.day, got, c.hours)
		}
		if start.In(loc).Hour() != 0 || end.In(loc).Hour() != 0 || app.DayOf(start, loc) != d || app.DayOf(end, loc) != d.AddDays(1) {
			t.Errorf("%s %s: bounds %v – %v", c.zone, c.day, start.In(loc), end.In(loc))
		}
	}
	if d, _ := app.ParseDay("2024-02-28"); d.AddDays(1).String() != "2024-02-29" || d.AddDays(2).String() != "2024-03-01" {
		t.Error("AddDays over a leap day")
	}
	if _, err := app.ParseDay("2026-02-30"); app.ErrorField(err) != "day" {
		t.Error("a day that does not exist")
	}
}

// TestDayPeriodsDST: slots of a morning block keep their local times on the
// days the clocks change, and a night block across the change has as many
// real 15-minute slots as it has real time.
func TestDayPeriodsDST(t *testing.T) {
	for _, c := range []struct {
		zone, day   string
		nightSlots  int // 00:00–06:00 in real 15-minute slots
		morningUTC0 int // UTC hour of 08:00 local
	}{
		{"Europe/Athens", "2027-03-28", 20, 5}, {"Europe/Athens", "2027-10-31", 28, 6},
		{"America/New_York", "2027-03-14", 20, 12}, {"America/New_York", "2027-11-07", 28, 13},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Skip("no time zone data:", err)
		}
		d, _ := app.ParseDay(c.day)
		weekly := []app.Availability{
			{Weekday: time.Sunday, Start: "00:00", End: "06:00", SlotMinutes: 15},
			{Weekday: time.Sunday, Start: "08:00", End: "12:00", SlotMinutes: 15},
		}
		slots := app.PeriodSlots(app.DayPeriods(d, loc, weekly, nil))
		if len(slots) != c.nightSlots+16 {
			t.Fatalf("%s %s: %d slots, want %d", c.zone, c.day, len(slots), c.nightSlots+16)
		}
		morning := slots[c.nightSlots:]
		for i, sl := range morning {
			want := time.Date(d.Year, d.Month, d.Day, 8, 15*i, 0, 0, loc)
			if !sl.Start.Equal(want) || sl.End.Sub(sl.Start) != 15*time.Minute || sl.Start.Location() != time.UTC {
				t.Fatalf("%s %s slot %d: %v, want %v", c.zone, c.day, i, sl.Start.In(loc), want)
			}
		}
		if morning[0].Start.Hour() != c.morningUTC0 || morning[15].End.In(loc).Format("15:04") != "12:00" {
			t.Errorf("%s %s: morning %v – %v", c.zone, c.day, morning[0].Start, morning[15].End.In(loc))
		}
		for i := 1; i < len(slots); i++ {
			if slots[i].Start.Before(slots[i-1].End) {
				t.Fatalf("%s %s: slots overlap at %d", c.zone, c.day, i)
			}
		}
	}
}

func TestDayPeriodsExceptions(t *testing.T) {
	loc := time.UTC
	d, _ := app.ParseDay("2026-12-01") // a Tuesday
	weekly := []app.Availability{{Weekday: time.Tuesday, Start: "08:00", End: "12:00", SlotMinutes: 30},
		{Weekday: time.Monday, Start: "08:00", End: "12:00", SlotMinutes: 30}}
	count := func(exc ...app.AvailabilityException) int {
		return len(app.PeriodSlots(app.DayPeriods(d, loc, weekly, exc)))
	}
	if n := count(); n != 8 {
		t.Fatalf("%d slots", n)
	}
	if n := count(app.AvailabilityException{Date: "2026-12-01", Kind: app.ExceptionLeave}); n != 0 {
		t.Errorf("whole-day leave: %d slots", n)
	}
	if n := count(app.AvailabilityException{Date: "2026-12-02", Kind: app.ExceptionLeave}); n != 8 {
		t.Errorf("leave on another date: %d slots", n)
	}
	if n := count(app.AvailabilityException{Date: "2026-12-01", Kind: app.ExceptionLeave, Start: "09:00", End: "10:15"}); n != 5 {
		t.Errorf("leave 09:00–10:15: %d slots, want 5 (08:00, 08:30, 10:15, 10:45, 11:15)", n)
	}
	extra := app.AvailabilityException{Date: "2026-12-01", Kind: app.ExceptionExtra, Start: "17:00", End: "19:00", SlotMinutes: 20}
	if n := count(extra); n != 14 {
		t.Errorf("extra session: %d slots", n)
	}
	overlap := app.AvailabilityException{Date: "2026-12-01", Kind: app.ExceptionExtra, Start: "11:00", End: "13:00", SlotMinutes: 30}
	if n := count(overlap); n != 10 {
		t.Errorf("extra session overlapping the weekly hours: %d slots, want 10", n)
	}
	periods := app.DayPeriods(d, loc, weekly, nil)
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, loc) }
	if _, ok := app.PeriodAt(periods, at(11, 30), at(12, 0)); !ok {
		t.Error("11:30–12:00 is within hours")
	}
	if _, ok := app.PeriodAt(periods, at(11, 45), at(12, 15)); ok {
		t.Error("11:45–12:15 runs past the hours")
	}
	if got := app.DescribePeriods(periods, loc); got != "08:00–12:00" {
		t.Errorf("DescribePeriods: %q", got)
	}
}

// TestCheckInAndNoShowApply: check-in on the appointment's own day in the
// clinic's time zone, a no-show once its time has begun.
func TestCheckInAndNoShowApply(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // 11:00 in Athens
	at := func(start time.Time) *app.Appointment {
		return &app.Appointment{Start: start, Status: app.AppointmentConfirmed}
	}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		name            string
		a               *app.Appointment
		checkIn, noShow bool
	}{
		{"earlier today", at(utc(2, 7, 0)), true, true},
		{"later today", at(utc(2, 15, 0)), true, false},
		{"tomorrow", at(utc(3, 8, 0)), false, false},
		{"yesterday", at(utc(1, 8, 0)), false, true},
		{"today in Athens, yesterday in UTC", at(utc(1, 22, 30)), true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := app.CheckInApplies(c.a, now, athens) == nil; got != c.checkIn {
				t.Errorf("check-in applies = %v, want %v", got, c.checkIn)
			}
			if got := app.NoShowApplies(c.a, now, athens) == nil; got != c.noShow {
				t.Errorf("no-show applies = %v, want %v", got, c.noShow)
			}
		})
	}
}
