package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// BenchmarkPatientChart opens a patient's chart as a doctor does: the
// summary (GetChart) and the first page of the timeline (FindHistory, 200
// entries), each an audited transaction, on the scaled demo database with
// a patient whose record has 200 history entries. Budget: p99 ≤ 10 ms.
func BenchmarkPatientChart(b *testing.B) {
	db := benchDB(b)
	svc := db.Services()
	ctxOf := func(username string) context.Context {
		for _, cr := range data.DemoCredentials {
			if cr.Username == username {
				s, err := svc.Users.Login(anon, cr.Username, cr.Password)
				if err != nil {
					b.Fatal(err)
				}
				return app.NewContextWithCaller(context.Background(), s.Caller())
			}
		}
		b.Fatalf("no demo account %s", username)
		return nil
	}
	doc, nurse := ctxOf("dr.house"), ctxOf("nurse.joy")

	var pid string
	mrn := fmt.Sprintf("P-D1-%06d", benchPatients()/2)
	if err := rawDB(b, db).QueryRow(`SELECT id FROM patients WHERE mrn = ?`, mrn).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	cl := svc.Clinical
	must := func(_ any, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	// 200 entries on the timeline, as a few years of visits leave them:
	// vitals and notes at each visit, a prescription at some, completed at
	// the next; a handful of allergies, problems and an assignment.
	var events int
	rawDB(b, db).QueryRow(`SELECT count(*) FROM patient_events WHERE patient_id = ?`, pid).Scan(&events)
	var lastRx string
	for i := 0; events < 200; i, events = i+1, events+1 {
		switch {
		case i < 4:
			must(cl.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: fmt.Sprintf("Substance %d", i),
				Reaction: "rash", Severity: app.SeverityModerate}))
		case i < 10:
			must(cl.AddProblem(doc, app.ProblemCreate{PatientID: pid, Condition: fmt.Sprintf("Condition %d", i), Onset: "2020"}))
		case i == 10:
			must(cl.AssignDoctor(doc, app.AssignmentCreate{PatientID: pid, DoctorID: callerUserID(doc),
				Reason: "Chronic care", StartDate: "2026-01-01"}))
		case i%6 == 0:
			rx, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: pid, AcknowledgeAllergy: true, Items: []app.PrescriptionItem{
				{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet", Frequency: "every 6 hours"},
				{Drug: "Omeprazole", Strength: "20 mg", Dose: "1 capsule", Frequency: "once a day"}}})
			must(rx, err)
			lastRx = rx.ID
		case i%6 == 1 && lastRx != "" && i < 190:
			must(cl.CompletePrescription(doc, lastRx))
		case i%6 == 2:
			must(cl.AddNote(doc, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Subjective: "Feels better.",
				Objective: "Chest clear.", Assessment: "Improving.", Plan: "Continue."}))
		case i%6 == 3:
			must(cl.AddNote(nurse, app.NoteCreate{PatientID: pid, Kind: app.NoteNursing, Text: "Vitals taken; comfortable."}))
		default:
			must(cl.RecordVitals(nurse, app.Vitals{PatientID: pid, TakenAt: time.Now().Add(-time.Duration(200-i) * time.Hour),
				Systolic: 120 + i%20, Diastolic: 80, Pulse: 70, TemperatureC: 36.7, SpO2: 98, WeightKg: 80, HeightCm: 180}))
		}
	}
	var l latencies
	for b.Loop() {
		l.time(func() {
			chart, err := cl.GetChart(doc, pid)
			if err != nil || chart.LastVitals == nil {
				b.Fatal(err)
			}
			h, err := cl.FindHistory(doc, pid, app.HistoryFilter{Limit: 200})
			if err != nil || len(h) != 200 {
				b.Fatalf("%d history entries, %v", len(h), err)
			}
		})
	}
	l.report(b)
}

func callerUserID(ctx context.Context) string {
	c, _ := app.CallerFromContext(ctx)
	return c.UserID
}
