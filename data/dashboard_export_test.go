package data

import "hms/app"

// DashboardPlanQueries are the dashboard's figure and list queries with
// arguments, as its methods run them, for query-plan tests.
func DashboardPlanQueries() map[string][]any {
	from, to := "2026-01-01", "2027-01-01"
	at, end := "2025-12-31T22:00:00.000Z", "2026-12-31T22:00:00.000Z"
	d := app.DrillDown{Limit: 50, DoctorID: "x", Status: app.AppointmentNoShow, Method: app.PayCash, Code: "CONS-GP"}
	q := map[string][]any{
		figPatientsSQL: {from, to},
		figDoctorsSQL:  nil,
		figAppointmentsSQL + ` GROUP BY doctor_id, status`:                   {from, to},
		figAppointmentsSQL + ` AND doctor_id = ? GROUP BY doctor_id, status`: {from, to, "x"},
		figHoursSQL:       {"x"},
		figRevenueSQL:     {from, to},
		figPaymentsSQL:    {from, to},
		figOutstandingSQL: nil,
		figServicesSQL + ` GROUP BY code ORDER BY sum(amount) DESC, code LIMIT 10`: {from, to},
		figDoctorRevenueSQL:          {from, to},
		newPatientsSQL + ` LIMIT 51`: {at, end, "", ""},
	}
	for _, dd := range []app.DrillDown{{Limit: 50}, d} {
		s, args := appointmentListQuery(dd, at, end, "", "")
		q[s] = args
		s, args = invoiceListQuery(dd, at, end, "", "")
		q[s] = args
		s, args = paymentListQuery(dd, at, end, "", "")
		q[s] = args
	}
	return q
}
