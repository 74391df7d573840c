package app

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Availability is one weekly block of a doctor's hours, in the clinic's
// wall-clock time: every Weekday from Start to End, in slots of SlotMinutes.
// A day may have several blocks (morning and evening).
type Availability struct {
	Weekday     time.Weekday // time.Sunday (0) to time.Saturday (6)
	Start       string       // "HH:MM"
	End         string       // "HH:MM", after Start; "24:00" for midnight
	SlotMinutes int
}

// MaxWeeklyBlocks bounds a doctor's weekly hours.
const MaxWeeklyBlocks = 50

// ParseClock reads a wall-clock time "HH:MM" (00:00 to 24:00) as minutes
// after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time: write it as HH:MM, e.g. 08:30", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time: write it as HH:MM, e.g. 08:30", s)
	}
	return h*60 + m, nil
}

// FormatClock writes minutes after midnight as "HH:MM".
func FormatClock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// clockRange checks a start and end time and returns them as minutes.
func clockRange(start, end string) (int, int, error) {
	s, err := ParseClock(strings.TrimSpace(start))
	if err != nil {
		return 0, 0, FieldErrorf("start", "The start %q is not a time: write it as HH:MM, e.g. 08:30.", start)
	}
	e, err := ParseClock(strings.TrimSpace(end))
	if err != nil {
		return 0, 0, FieldErrorf("end", "The end %q is not a time: write it as HH:MM, e.g. 12:30.", end)
	}
	if e <= s {
		return 0, 0, FieldErrorf("end", "The end (%s) must be after the start (%s).", end, start)
	}
	return s, e, nil
}

func validateSlotMinutes(n int) error {
	if n < MinVisitMinutes || n > MaxVisitMinutes {
		return FieldErrorf("slot_minutes", "A slot lasts %d minutes to %d hours.", MinVisitMinutes, MaxVisitMinutes/60)
	}
	return nil
}

// Validate checks one weekly block and normalizes its times.
func (a *Availability) Validate() error {
	if a.Weekday < time.Sunday || a.Weekday > time.Saturday {
		return FieldErrorf("weekday", "Choose a day of the week.")
	}
	s, e, err := clockRange(a.Start, a.End)
	if err != nil {
		return err
	}
	a.Start, a.End = FormatClock(s), FormatClock(e)
	if err := validateSlotMinutes(a.SlotMinutes); err != nil {
		return err
	}
	if e-s < a.SlotMinutes {
		return FieldErrorf("end", "%s %s–%s is shorter than one slot of %d minutes.", a.Weekday, a.Start, a.End, a.SlotMinutes)
	}
	return nil
}

// ValidateWeekly checks a doctor's weekly hours: each block valid, and no
// two blocks of a day overlapping. It sorts them by day and start.
func ValidateWeekly(blocks []Availability) error {
	if len(blocks) > MaxWeeklyBlocks {
		return FieldErrorf("weekly", "At most %d blocks a week.", MaxWeeklyBlocks)
	}
	for i := range blocks {
		if err := blocks[i].Validate(); err != nil {
			return err
		}
	}
	slices.SortFunc(blocks, func(a, b Availability) int {
		if a.Weekday != b.Weekday {
			return int(a.Weekday) - int(b.Weekday)
		}
		return strings.Compare(a.Start, b.Start)
	})
	for i := 1; i < len(blocks); i++ {
		p, b := blocks[i-1], blocks[i]
		if p.Weekday == b.Weekday && b.Start < p.End {
			return FieldErrorf("weekly", "On %s, %s–%s overlaps %s–%s.", b.Weekday, b.Start, b.End, p.Start, p.End)
		}
	}
	return nil
}

// ExceptionKind says whether an exception takes hours away or adds them.
type ExceptionKind string

// Exception kinds.
const (
	ExceptionLeave ExceptionKind = "leave" // no patients: a whole day, or from Start to End
	ExceptionExtra ExceptionKind = "extra" // an extra session from Start to End
)

// AvailabilityException changes a doctor's hours on one date: leave (the
// whole day, or some hours) or an extra session.
type AvailabilityException struct {
	ID          string
	DoctorID    string
	Date        string // YYYY-MM-DD, in the clinic's time zone
	Kind        ExceptionKind
	Start, End  string // "HH:MM"; both empty for a whole day's leave
	SlotMinutes int    // extra sessions; 0 takes the doctor's visit length
	Reason      string
	CreatedBy   string
	CreatedAt   time.Time
}

// Validate checks an exception and normalizes its fields.
func (e *AvailabilityException) Validate() error {
	e.Reason = strings.TrimSpace(e.Reason)
	e.Start, e.End = strings.TrimSpace(e.Start), strings.TrimSpace(e.End)
	if e.DoctorID == "" {
		return FieldErrorf("doctor_id", "Choose the doctor.")
	}
	if _, err := ParseDay(e.Date); err != nil {
		return FieldErrorf("date", "%s", err) // ParseDay's *Error: translated with it
	}
	if e.Kind != ExceptionLeave && e.Kind != ExceptionExtra {
		return FieldErrorf("kind", "Choose leave or an extra session.")
	}
	if utf8.RuneCountInString(e.Reason) > 500 {
		return FieldErrorf("reason", "The reason is too long (at most 500 characters).")
	}
	if e.Kind == ExceptionLeave && e.Start == "" && e.End == "" {
		e.SlotMinutes = 0
		return nil
	}
	if e.Kind == ExceptionExtra && e.Start == "" {
		return FieldErrorf("start", "Give the start of the extra session.")
	}
	s, end, err := clockRange(e.Start, e.End)
	if err != nil {
		return err
	}
	e.Start, e.End = FormatClock(s), FormatClock(end)
	if e.Kind == ExceptionLeave {
		e.SlotMinutes = 0
		return nil
	}
	if e.SlotMinutes == 0 {
		return nil // the service takes the doctor's visit length
	}
	if err := validateSlotMinutes(e.SlotMinutes); err != nil {
		return err
	}
	if end-s < e.SlotMinutes {
		return FieldErrorf("end", "The session is shorter than one slot of %d minutes.", e.SlotMinutes)
	}
	return nil
}

// Day is a calendar date with no time zone, as "YYYY-MM-DD" names it.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDay reads "YYYY-MM-DD".
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return Day{}, FieldErrorf("day", "%q is not a date: write it as YYYY-MM-DD, e.g. 2026-03-29.", s)
	}
	return Day{t.Year(), t.Month(), t.Day()}, nil
}

// DayOf is the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{y, m, d}
}

// String writes the day as "YYYY-MM-DD".
func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays is the day n days later (earlier when n < 0), by the calendar.
func (d Day) AddDays(n int) Day {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Day{t.Year(), t.Month(), t.Day()}
}

// Weekday is the day of the week.
func (d Day) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// At is the instant the clock on the wall shows minutes after midnight of
// this day in loc. It is computed with time.Date in loc, never by adding
// hours, so that it stays right on days of 23 or 25 hours. A wall time
// that does not exist (skipped by daylight saving) or that happens twice
// comes out in one of the two offsets, as time.Date chooses; clinics'
// hours rarely touch the small hours where clocks change.
func (d Day) At(minutes int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, minutes, 0, 0, loc)
}

// Bounds are the first instant of the day in loc and the first of the next
// day: 23, 24 or 25 hours apart.
func (d Day) Bounds(loc *time.Location) (start, end time.Time) {
	n := d.AddDays(1)
	return d.At(0, loc), n.At(0, loc)
}

// WorkPeriod is a stretch of one day in which a doctor sees patients, in
// absolute time, cut into slots of SlotMinutes.
type WorkPeriod struct {
	Start, End  time.Time
	SlotMinutes int
}

// Slot is a bookable stretch of a doctor's hours.
type Slot struct {
	Start, End time.Time // UTC
	// Requested is set when a patient's pending request overlaps the slot:
	// it is still free, but someone asked for it.
	Requested bool
}

// DayPeriods is a doctor's hours on day in loc: the weekly blocks of its
// weekday less any leave, plus its extra sessions. Exceptions of other
// dates are ignored. Sessions come out sorted by start.
func DayPeriods(day Day, loc *time.Location, weekly []Availability, exceptions []AvailabilityException) []WorkPeriod {
	var periods, leave []WorkPeriod
	wholeDay := false
	for _, e := range exceptions {
		if e.Date != day.String() {
			continue
		}
		if e.Kind == ExceptionLeave && e.Start == "" {
			wholeDay = true
			continue
		}
		s, end, err := clockRange(e.Start, e.End)
		if err != nil {
			continue
		}
		ss := WorkPeriod{Start: day.At(s, loc), End: day.At(end, loc), SlotMinutes: e.SlotMinutes}
		if e.Kind == ExceptionLeave {
			leave = append(leave, ss)
		} else if e.SlotMinutes > 0 {
			periods = append(periods, ss)
		}
	}
	if !wholeDay {
		for _, b := range weekly {
			if b.Weekday != day.Weekday() {
				continue
			}
			s, e, err := clockRange(b.Start, b.End)
			if err != nil || b.SlotMinutes <= 0 {
				continue
			}
			periods = append(periods, subtract(WorkPeriod{Start: day.At(s, loc), End: day.At(e, loc), SlotMinutes: b.SlotMinutes}, leave)...)
		}
	}
	out := periods[:0]
	for _, s := range periods {
		if s.End.After(s.Start) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b WorkPeriod) int { return a.Start.Compare(b.Start) })
	return out
}

// subtract cuts the leave out of a period.
func subtract(s WorkPeriod, leave []WorkPeriod) []WorkPeriod {
	parts := []WorkPeriod{s}
	for _, l := range leave {
		var next []WorkPeriod
		for _, p := range parts {
			if !l.Start.Before(p.End) || !l.End.After(p.Start) {
				next = append(next, p)
				continue
			}
			if l.Start.After(p.Start) {
				next = append(next, WorkPeriod{Start: p.Start, End: l.Start, SlotMinutes: p.SlotMinutes})
			}
			if l.End.Before(p.End) {
				next = append(next, WorkPeriod{Start: l.End, End: p.End, SlotMinutes: p.SlotMinutes})
			}
		}
		parts = next
	}
	return parts
}

// PeriodSlots cuts periods into slots. Slots are stepped in absolute
// time, so each lasts exactly its length even across a daylight-saving
// change; where periods overlap, a slot that would overlap an earlier one
// is left out.
func PeriodSlots(periods []WorkPeriod) []Slot {
	var out []Slot
	for _, s := range periods {
		step := time.Duration(s.SlotMinutes) * time.Minute
		if step <= 0 {
			continue
		}
		for t := s.Start; !t.Add(step).After(s.End); t = t.Add(step) {
			out = append(out, Slot{Start: t.UTC(), End: t.Add(step).UTC()})
		}
	}
	slices.SortStableFunc(out, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	kept := out[:0]
	for _, sl := range out {
		if len(kept) > 0 && sl.Start.Before(kept[len(kept)-1].End) {
			continue
		}
		kept = append(kept, sl)
	}
	return kept
}

// PeriodAt returns the period that holds all of [start, end), if any.
func PeriodAt(periods []WorkPeriod, start, end time.Time) (WorkPeriod, bool) {
	for _, s := range periods {
		if !start.Before(s.Start) && !end.After(s.End) {
			return s, true
		}
	}
	return WorkPeriod{}, false
}

// Overlaps reports whether [aStart, aEnd) and [bStart, bEnd) share time.
func Overlaps(aStart, aEnd, bStart, bEnd time.Time) bool {
	return aStart.Before(bEnd) && bStart.Before(aEnd)
}

// DescribePeriods writes a day's hours for a message, e.g. "08:00–12:00,
// 17:00–20:00", in loc.
func DescribePeriods(periods []WorkPeriod, loc *time.Location) string {
	if len(periods) == 0 {
		return "no hours"
	}
	var parts []string
	for _, s := range periods {
		parts = append(parts, s.Start.In(loc).Format("15:04")+"–"+s.End.In(loc).Format("15:04"))
	}
	return strings.Join(parts, ", ")
}
