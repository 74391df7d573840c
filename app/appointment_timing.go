package app

import "time"

// CheckInApplies says whether a can be checked in at now: only on the
// appointment's own day in the clinic's time zone. The reason is for the
// user; the screens offer "Check in" only when it is nil.
func CheckInApplies(a *Appointment, now time.Time, loc *time.Location) error {
	if DayOf(a.Start, loc) != DayOf(now, loc) {
		return Errorf(ECONFLICT, "This appointment is on %s: patients are checked in on the day.",
			a.Start.In(loc).Format("Mon 2 Jan 2006"))
	}
	return nil
}

// NoShowApplies says whether a can be marked as a no-show at now: once its
// time has begun, not before, while the patient can still come.
func NoShowApplies(a *Appointment, now time.Time, loc *time.Location) error {
	if now.Before(a.Start) {
		return Errorf(ECONFLICT, "This appointment begins at %s: the patient can still come.",
			a.Start.In(loc).Format("Mon 2 Jan 2006 15:04"))
	}
	return nil
}
