package data

import "hms/app"

// ClinicalQuery is one query the clinical service runs, for query-plan
// tests.
type ClinicalQuery struct {
	Name  string
	SQL   string
	Args  []any
	Table string // the big table it must not scan
}

// ClinicalSQL lists the queries GetChart and FindHistory run for a patient,
// and those of the record's tabs, with arguments.
func ClinicalSQL(patientID string, f app.HistoryFilter) []ClinicalQuery {
	if err := f.Normalize(); err != nil {
		panic(err)
	}
	hq, hargs := historySQL(patientID, f)
	one := []any{patientID}
	return []ClinicalQuery{
		{"patient", `SELECT ` + patientColumns + ` FROM patients p WHERE p.id = ?`, one, "patients"},
		{"allergies", allergiesSQL(false), one, "allergies"},
		{"all allergies", allergiesSQL(true), one, "allergies"},
		{"active problems", problemsSQL(true), one, "problems"},
		{"problems", problemsSQL(false), one, "problems"},
		{"medications", prescriptionsSQL(true), one, "prescriptions"},
		{"prescriptions", prescriptionsSQL(false), one, "prescriptions"},
		{"prescription items", prescriptionItemsSQL(false), one, "prescription_items"},
		{"medication items", prescriptionItemsSQL(true), one, "prescription_items"},
		{"active assignments", assignmentsSQL(true), one, "assignments"},
		{"last vitals", vitalsSQL, []any{patientID, 1}, "vitals"},
		{"notes", notesSQL, one, "notes"},
		{"history", hq, hargs, "patient_events"},
		{"next appointment", nextAppointmentSQL, []any{patientID, "2026-01-01T00:00:00.000Z", "2026-01-01T08:00:00.000Z"}, "appointments"},
		{"balance due", balanceDueSQL, one, "invoices"},
	}
}

// DemoNamesBySex are the demo's given names and sexed family names for
// each sex.
func DemoNamesBySex() map[app.Sex][]string {
	f, m := append([]string(nil), demoGivenFemale...), append([]string(nil), demoGivenMale...)
	for _, p := range demoFamilyBySex {
		f, m = append(f, p[0]), append(m, p[1])
	}
	return map[app.Sex][]string{app.SexFemale: f, app.SexMale: m}
}
