package data

import (
	"time"

	"hms/app"
)

// AppointmentQuery is one query of the appointment service, with arguments
// and the index its plan must search, for query-plan tests.
type AppointmentQuery struct {
	Name, SQL string
	Args      []any
	Index     string
}

// AppointmentSQL lists the hot queries of the appointment service: the
// conflict checks of a booking, the free slots' load, a doctor's day and
// week, the reception board and a patient's pages.
func AppointmentSQL(doctorID, patientID string, now time.Time) []AppointmentQuery {
	start := now.Truncate(time.Minute)
	end := start.Add(15 * time.Minute)
	dayEnd, weekEnd := start.Add(24*time.Hour), start.Add(7*24*time.Hour)
	up, _ := patientPageArgs(patientID, app.AppointmentFilter{Limit: 50}, now)
	upNext, _ := patientPageArgs(patientID, app.AppointmentFilter{Limit: 50, Cursor: formatTime(end) + "|x"}, now)
	past, _ := patientPageArgs(patientID, app.AppointmentFilter{Limit: 50, Past: true}, now)
	return []AppointmentQuery{
		{"doctor conflict", doctorConflictSQL, conflictArgs(doctorID, start, end, ""), "appointments_doctor"},
		{"patient conflict", patientConflictSQL, conflictArgs(patientID, start, end, ""), "appointments_patient"},
		{"free slots load", dayLoadSQL, dayLoadArgs(doctorID, start, dayEnd), "appointments_doctor"},
		{"doctor day", doctorRangeSQL, []any{doctorID, formatTime(start), formatTime(dayEnd)}, "appointments_doctor"},
		{"doctor week", doctorRangeSQL, []any{doctorID, formatTime(start), formatTime(weekEnd)}, "appointments_doctor"},
		{"board", boardSQL, []any{formatTime(start), formatTime(dayEnd)}, "appointments_start"},
		{"board conflicts", conflictsSQL, []any{formatTime(start)}, "appointments_conflicts"},
		{"patient upcoming", upcomingSQL, up, "appointments_patient"},
		{"patient upcoming, next page", upcomingSQL, upNext, "appointments_patient"},
		{"patient past", pastSQL, past, "appointments_patient"},
	}
}
