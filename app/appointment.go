package app

import (
	"context"
	"hms/app/i18n"
	"strings"
	"time"
	"unicode/utf8"
)

// HistoryAppointment marks a patient's timeline entries about appointments:
// booked, requested, confirmed, checked in, completed, cancelled, missed,
// moved.
const HistoryAppointment HistoryKind = "appointment"

// AppointmentStatus is where an appointment stands.
//
// A booking is a request (SYNC.md): the patient, the doctor and the time of
// an appointment never change once it is written, and its status only moves
// forward along CanTransition. Moving an appointment cancels it and books a
// new one that points back to it, so that a desk that syncs later can
// replay both without either overwriting the other.
type AppointmentStatus string

// Appointment statuses.
const (
	AppointmentPending   AppointmentStatus = "pending"    // a patient's request, waiting for staff to confirm it
	AppointmentConfirmed AppointmentStatus = "confirmed"  // booked by staff, or a request they confirmed
	AppointmentCheckedIn AppointmentStatus = "checked_in" // the patient has arrived and waits
	AppointmentCompleted AppointmentStatus = "completed"  // the doctor closed the visit
	AppointmentCancelled AppointmentStatus = "cancelled"  // cancelled with a reason, or moved (RescheduledTo is set)
	AppointmentNoShow    AppointmentStatus = "no_show"    // the patient did not come
	// AppointmentConflict is set by sync only: the shared database refused
	// the booking because another desk's overlaps it. The row is kept and
	// shows on the reception board until a person moves or cancels it.
	AppointmentConflict AppointmentStatus = "conflict"
)

// AppointmentStatuses lists every status, in workflow order.
var AppointmentStatuses = []AppointmentStatus{AppointmentPending, AppointmentConfirmed, AppointmentCheckedIn,
	AppointmentCompleted, AppointmentCancelled, AppointmentNoShow, AppointmentConflict}

// transitions is the whole workflow. It is a DAG, so a status never comes
// back: pending → confirmed → checked_in → completed, with cancelled,
// no_show and conflict as side exits.
//
// Decisions: a checked-in visit may still be cancelled (the patient left
// without being seen; otherwise the visit would hold the doctor's time
// forever); a pending request cannot be checked in or missed without being
// confirmed first (it never held the doctor's time); a conflict can only be
// cancelled (it is resolved by moving it, which books a new appointment).
var transitions = map[AppointmentStatus][]AppointmentStatus{
	AppointmentPending:   {AppointmentConfirmed, AppointmentCancelled, AppointmentConflict},
	AppointmentConfirmed: {AppointmentCheckedIn, AppointmentCancelled, AppointmentNoShow, AppointmentConflict},
	AppointmentCheckedIn: {AppointmentCompleted, AppointmentCancelled, AppointmentConflict},
	AppointmentConflict:  {AppointmentCancelled},
}

// CanTransition reports whether an appointment may move from one status to
// another. It is pure; the database enforces the same table with a trigger.
func CanTransition(from, to AppointmentStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses lists the statuses an appointment in status s may move to,
// so that a screen offers only those actions.
func NextStatuses(s AppointmentStatus) []AppointmentStatus {
	return append([]AppointmentStatus(nil), transitions[s]...)
}

// Valid reports whether s is a known status.
func (s AppointmentStatus) Valid() bool {
	for _, v := range AppointmentStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Active reports whether the appointment still stands: it keeps the patient
// from booking another one at the same time.
func (s AppointmentStatus) Active() bool {
	return s == AppointmentPending || s == AppointmentConfirmed || s == AppointmentCheckedIn
}

// Blocking reports whether the appointment holds the doctor's time: no
// other appointment of the doctor may overlap it. A pending request does
// not, until staff confirm it (as on the shared database's exclusion
// constraint).
func (s AppointmentStatus) Blocking() bool {
	return s == AppointmentConfirmed || s == AppointmentCheckedIn
}

// Final reports whether nothing more can happen to the appointment.
func (s AppointmentStatus) Final() bool { return len(transitions[s]) == 0 }

// Label is the status as a screen shows it.
func (s AppointmentStatus) Label() string {
	switch s {
	case AppointmentPending:
		return i18n.N("Requested")
	case AppointmentConfirmed:
		return i18n.N("Confirmed")
	case AppointmentCheckedIn:
		return i18n.N("Checked in")
	case AppointmentCompleted:
		return i18n.N("Completed")
	case AppointmentCancelled:
		return i18n.N("Cancelled")
	case AppointmentNoShow:
		return i18n.N("No-show")
	case AppointmentConflict:
		return i18n.N("Conflict")
	}
	return string(s)
}

// Visit lengths. The longest visit bounds the conflict checks: an
// appointment that overlaps a new one starts at most MaxVisitMinutes before
// it, so the check reads an index range of a few hours, never a doctor's
// whole history.
const (
	MinVisitMinutes     = 5
	MaxVisitMinutes     = 8 * 60
	MaxVisitLength      = MaxVisitMinutes * time.Minute
	DefaultVisitMinutes = 15
	// MaxBookAheadDays is how far ahead an appointment may be booked.
	MaxBookAheadDays = 730
)

// DoctorProfile is what the clinic shows about a doctor and what booking
// needs: the default visit length, and the weekly hours.
type DoctorProfile struct {
	UserID         string
	FullName       string // the doctor's account name; read only
	Specialization string // e.g. Cardiology
	Room           string // consulting room, e.g. Room 2
	// Fee is the consultation fee in minor units of the clinic's currency,
	// net of tax: the current price of the consultation item (read only;
	// the price list is its one source). 0 when there is none.
	Fee int64
	// ConsultationCode is the price-list item the doctor's consultations
	// are billed with. Setting it to another code links that item (an
	// administrator; it must be a current consultation item); empty keeps
	// the link as it is. Read back, it is the item in force, and
	// ConsultationDefault says it is the clinic's default (no item was
	// linked to this doctor).
	ConsultationCode    string
	ConsultationName    string // read only
	ConsultationDefault bool   // read only
	VisitMinutes        int    // default length of a visit; 0 means DefaultVisitMinutes
	// Weekly and Exceptions are filled by GetDoctorProfile only: the weekly
	// hours, and the leave and extra sessions from today on.
	Weekly     []Availability
	Exceptions []AvailabilityException
	UpdatedAt  time.Time // zero when the doctor has no profile yet
	// Was is the profile as the form that changes it showed it
	// (SetDoctorProfile; nil: as the desk holds it when the change is
	// made, every field written as given). A field left as shown keeps
	// the desk's value (a sync may have changed it meanwhile); one changed
	// over a value a sync brought since it was shown overwrites it
	// without having seen it, and that value is kept for review on every
	// desk, as with PatientUpdate.Was. Another doctor's profile counts as
	// nil. Never filled on reading.
	Was *DoctorProfile
}

// Validate checks a profile and normalizes its fields.
func (p *DoctorProfile) Validate() error {
	p.Specialization = strings.Join(strings.Fields(p.Specialization), " ")
	p.Room = strings.Join(strings.Fields(p.Room), " ")
	if p.UserID == "" {
		return FieldErrorf("user_id", "Choose the doctor.")
	}
	if utf8.RuneCountInString(p.Specialization) > 100 {
		return FieldErrorf("specialization", "The specialization is too long (at most 100 characters).")
	}
	if utf8.RuneCountInString(p.Room) > 50 {
		return FieldErrorf("room", "The room is too long (at most 50 characters).")
	}
	if p.Fee < 0 {
		return FieldErrorf("fee", "The fee cannot be negative.")
	}
	if p.Fee > 1e12 {
		return FieldErrorf("fee", "The fee is too large.")
	}
	if p.VisitMinutes == 0 {
		p.VisitMinutes = DefaultVisitMinutes
	}
	if p.VisitMinutes < MinVisitMinutes || p.VisitMinutes > MaxVisitMinutes {
		return FieldErrorf("visit_minutes", "A visit lasts %d minutes to %d hours.", MinVisitMinutes, MaxVisitMinutes/60)
	}
	return nil
}

// Appointment is one booked visit of a patient to a doctor.
type Appointment struct {
	ID          string
	PatientID   string
	PatientName string
	PatientMRN  string
	DoctorID    string
	DoctorName  string
	Room        string    // the doctor's consulting room
	Start, End  time.Time // UTC; shown in the clinic's time zone
	Reason      string
	Status      AppointmentStatus
	// OverrideReason is why staff booked it outside the doctor's hours;
	// empty when it was within them.
	OverrideReason string
	CancelReason   string
	CheckedInAt    time.Time // zero until checked in
	// Token is the queue token check-in gave the patient; ""
	// before check-in.
	Token string
	// RescheduledFrom is the appointment this one replaced; RescheduledTo
	// the one that replaced this one (which is then cancelled).
	RescheduledFrom string
	RescheduledTo   string
	CreatedBy       string // username of whoever booked it
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// History is the status history, oldest first; FindAppointment fills
	// it, lists leave it empty.
	History []AppointmentEvent
}

// Minutes is the length of the visit.
func (a *Appointment) Minutes() int { return int(a.End.Sub(a.Start) / time.Minute) }

// AppointmentEvent is one step of an appointment's status history.
type AppointmentEvent struct {
	At   time.Time
	From AppointmentStatus // "" for the booking itself
	To   AppointmentStatus
	Note string // e.g. the cancel reason, "walk-in", "moved to …"
	By   string // username
}

// AppointmentCreate books an appointment.
type AppointmentCreate struct {
	PatientID string
	DoctorID  string
	Start     time.Time // any zone; stored in UTC, whole minutes
	// Minutes is the length; 0 takes the slot length of the doctor's hours
	// at that time, or else the doctor's visit length.
	Minutes int
	Reason  string
	// OverrideReason lets staff book outside the doctor's hours; it is
	// recorded. Patients cannot override.
	OverrideReason string
}

// Validate checks the booking's own fields and normalizes them; whether the
// time is free is for the service to say.
func (c *AppointmentCreate) Validate() error {
	c.PatientID = strings.TrimSpace(c.PatientID)
	c.DoctorID = strings.TrimSpace(c.DoctorID)
	c.Reason = strings.TrimSpace(c.Reason)
	c.OverrideReason = strings.TrimSpace(c.OverrideReason)
	c.Start = c.Start.UTC().Truncate(time.Minute)
	switch {
	case c.PatientID == "":
		return FieldErrorf("patient_id", "Choose the patient.")
	case c.DoctorID == "":
		return FieldErrorf("doctor_id", "Choose the doctor.")
	case c.Start.IsZero() || c.Start.Year() < 2000:
		return FieldErrorf("start", "Choose the day and time.")
	case c.Minutes != 0 && (c.Minutes < MinVisitMinutes || c.Minutes > MaxVisitMinutes):
		return FieldErrorf("minutes", "A visit lasts %d minutes to %d hours.", MinVisitMinutes, MaxVisitMinutes/60)
	case utf8.RuneCountInString(c.Reason) > 500:
		return FieldErrorf("reason", "The reason is too long (at most 500 characters).")
	}
	return ValidateOverrideReason(c.OverrideReason)
}

// ValidateOverrideReason checks the reason staff give for booking outside a
// doctor's hours.
func ValidateOverrideReason(s string) error {
	if utf8.RuneCountInString(s) > 500 {
		return FieldErrorf("override_reason", "The reason is too long (at most 500 characters).")
	}
	return nil
}

// ValidateCancelReason checks the reason for a cancellation: required.
func ValidateCancelReason(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return FieldErrorf("reason", "Give the reason for the cancellation.")
	}
	if utf8.RuneCountInString(s) > 500 {
		return FieldErrorf("reason", "The reason is too long (at most 500 characters).")
	}
	return nil
}

// AppointmentFilter selects a patient's appointments, a page at a time.
type AppointmentFilter struct {
	// Past selects appointments that have ended, newest first; otherwise
	// the upcoming ones (including one under way), soonest first.
	Past   bool
	Limit  int    // default 50, at most 500
	Cursor string // AppointmentPage.Next of the previous page; "" for the first
}

// Normalize applies the filter's defaults and bounds.
func (f *AppointmentFilter) Normalize() {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
}

// AppointmentPage is one page of a patient's appointments.
type AppointmentPage struct {
	Appointments []*Appointment
	Next         string // cursor of the next page; "" when this is the last
}

// BoardEntry is one line of the reception board.
type BoardEntry struct {
	Appointment *Appointment
	// Waiting is how long a checked-in patient has been waiting, at the
	// time the board was read; zero for every other status.
	Waiting time.Duration
}

// Board is the reception board of a day: every doctor's appointments.
type Board struct {
	Day     string    // YYYY-MM-DD in the clinic's time zone
	At      time.Time // when it was read
	Entries []*BoardEntry
	Waiting int // how many patients are checked in and waiting
	// Conflicts are the appointments from this day on that lost to another
	// desk's booking at sync, for reception to move or cancel.
	Conflicts []*Appointment
}

// AppointmentService keeps doctors' hours and appointments.
//
// Days are "YYYY-MM-DD" in the clinic's time zone (its settings); "" means
// today there. Times are time.Time values, stored in UTC, and a day is
// always from local midnight to the next local midnight, so that a day of
// 23 or 25 hours (daylight saving) is listed whole.
//
// Permissions: reception and admins book and manage any appointment;
// doctors their own schedule; nurses see appointments and check patients
// in; billing sees them; a patient books, sees and cancels their own.
// Admins and each doctor (their own) set profiles and hours.
type AppointmentService interface {
	// SetDoctorProfile creates or replaces a doctor's profile (admin, or the
	// doctor).
	SetDoctorProfile(ctx context.Context, p DoctorProfile) (*DoctorProfile, error)
	// GetDoctorProfile returns a doctor's profile with the weekly hours and
	// the exceptions from today on (anyone logged in).
	GetDoctorProfile(ctx context.Context, doctorID string) (*DoctorProfile, error)
	// FindDoctors lists the active doctors, by name; specialization, when
	// given, keeps those whose specialization contains it (accents and
	// case ignored).
	FindDoctors(ctx context.Context, specialization string) ([]*DoctorProfile, error)
	// SetAvailability replaces a doctor's weekly hours (admin, or the
	// doctor). Booked appointments stay as they are.
	SetAvailability(ctx context.Context, doctorID string, weekly []Availability) ([]Availability, error)
	// AddAvailabilityException records a day or hours of leave, or an
	// extra session (admin, or the doctor).
	AddAvailabilityException(ctx context.Context, e AvailabilityException) (*AvailabilityException, error)
	// RemoveAvailabilityException withdraws one, e.g. entered by mistake.
	RemoveAvailabilityException(ctx context.Context, id string) error
	// FindFreeSlots lists a doctor's slots of a day that are not yet past
	// and that no confirmed or checked-in appointment overlaps.
	FindFreeSlots(ctx context.Context, doctorID, day string) ([]Slot, error)

	// Book books an appointment in one transaction: staff bookings are
	// confirmed, a patient's own is a pending request. It is refused
	// (ECONFLICT, Field "start") when the doctor has a confirmed or
	// checked-in appointment overlapping it or the patient has any active
	// one; (EINVALID, Field "start") when the time has passed; and when it
	// is outside the doctor's hours: for staff with Field
	// "override_reason" (give one to book anyway), for a patient with
	// Field "start".
	Book(ctx context.Context, c AppointmentCreate) (*Appointment, error)
	// WalkIn books a patient who is at the desk with a doctor today, and
	// checks them in: a visit now when the doctor is within hours and free,
	// else the first free slot today. ECONFLICT with Field "patient_id"
	// when the patient already has an appointment with that doctor today
	// (check it in instead), with Field "doctor_id" when no time is left
	// within the doctor's hours, with Field "override_reason" when the
	// doctor has no hours left today: with overrideReason given (staff
	// only, as for Book), the visit is then taken now, outside the hours.
	WalkIn(ctx context.Context, patientID, doctorID, reason, overrideReason string) (*Appointment, error)
	// Reschedule moves an appointment to newStart (same doctor and length)
	// in one step: it is cancelled, pointing to a new one booked with the
	// same checks and errors as Book, which points back. It returns the
	// new one. Checked-in, completed, cancelled and missed ones stay put.
	Reschedule(ctx context.Context, id string, newStart time.Time, overrideReason string) (*Appointment, error)
	// Confirm confirms a patient's request, if the doctor's time is still
	// free and has not passed.
	//
	// Confirm, CheckIn, Complete, Cancel and MarkNoShow refuse a move the
	// workflow does not allow (CanTransition) with ECONFLICT, Field
	// "status"; each returns the appointment as it now is.
	Confirm(ctx context.Context, id string) (*Appointment, error)
	// CheckIn records the patient's arrival, on the appointment's day.
	CheckIn(ctx context.Context, id string) (*Appointment, error)
	// Complete closes a visit (the doctor whose schedule it is, or an admin).
	Complete(ctx context.Context, id string) (*Appointment, error)
	// Cancel cancels with a reason (EINVALID, Field "reason", when
	// missing); patients only their own, not yet begun.
	Cancel(ctx context.Context, id, reason string) (*Appointment, error)
	// MarkNoShow records that the patient did not come, once the time began.
	MarkNoShow(ctx context.Context, id string) (*Appointment, error)

	// FindAppointment returns one appointment with its status history.
	FindAppointment(ctx context.Context, id string) (*Appointment, error)
	// DoctorDay lists a doctor's appointments that start on day, every
	// status, ordered by start.
	DoctorDay(ctx context.Context, doctorID, day string) ([]*Appointment, error)
	// DoctorWeek lists those of the seven days from weekStart.
	DoctorWeek(ctx context.Context, doctorID, weekStart string) ([]*Appointment, error)
	// ReceptionBoard lists every doctor's appointments of day, ordered by
	// start, with who is waiting and for how long, and the conflicts.
	ReceptionBoard(ctx context.Context, day string) (*Board, error)
	// PatientAppointments lists a patient's upcoming or past appointments.
	PatientAppointments(ctx context.Context, patientID string, f AppointmentFilter) (*AppointmentPage, error)
}
