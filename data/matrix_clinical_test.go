package data_test

import (
	"context"
	"reflect"
	"slices"

	"hms/app"
)

// clinicalRecord is what giveClinicalRecord writes into patient2's record.
type clinicalRecord struct {
	allergy, problem, note, prescription, assignment string
	rxNumber                                         string
}

// giveClinicalRecord gives the fixture's patient2 a clinical record, written by
// the fixture's doctor: an allergy, a problem, vitals, a note, a
// prescription and an assignment.
func giveClinicalRecord(c *clinic) (*clinicalRecord, error) {
	ctx, pid := c.ctx(app.RoleDoctor), c.patient2.PatientID
	var r clinicalRecord
	a, err := c.svc.Clinical.AddAllergy(ctx, app.AllergyCreate{PatientID: pid, Substance: "Penicillin",
		Reaction: "Anaphylaxis", Severity: app.SeveritySevere})
	if err != nil {
		return nil, err
	}
	r.allergy = a.ID
	p, err := c.svc.Clinical.AddProblem(ctx, app.ProblemCreate{PatientID: pid, Condition: "Asthma", Onset: "1995"})
	if err != nil {
		return nil, err
	}
	r.problem = p.ID
	if _, err := c.svc.Clinical.RecordVitals(ctx, app.Vitals{PatientID: pid, Systolic: 128, Diastolic: 82, Pulse: 70}); err != nil {
		return nil, err
	}
	n, err := c.svc.Clinical.AddNote(ctx, app.NoteCreate{PatientID: pid, Kind: app.NoteClinical, Text: "Asthma review."})
	if err != nil {
		return nil, err
	}
	r.note = n.ID
	rx, err := c.svc.Clinical.Prescribe(ctx, app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{
		{Drug: "Salbutamol inhaler", Strength: "100 micrograms/dose", Dose: "2 puffs", Route: "inhaled", Frequency: "when needed"}}})
	if err != nil {
		return nil, err
	}
	r.prescription, r.rxNumber = rx.ID, rx.Number
	as, err := c.svc.Clinical.AssignDoctor(ctx, app.AssignmentCreate{PatientID: pid, DoctorID: c.users[app.RoleDoctor].ID,
		Reason: "Asthma care", StartDate: "2026-11-01"})
	if err != nil {
		return nil, err
	}
	r.assignment = as.ID
	return &r, nil
}

// clinicalRecordFor returns the id of one of patient2's clinical records for a
// call about a record by id. The matrix compares the database before and
// after a denied call, so the record is written only when the calling role
// is allowed; a denied role is refused before any lookup, and gets the id
// of a record that does not exist (the refusal is for the permission, not
// for the id).
func clinicalRecordFor(ctx context.Context, c *clinic, allowed []app.Role, pick func(*clinicalRecord) string) (string, error) {
	caller, _ := app.CallerFromContext(ctx)
	if !slices.Contains(allowed, caller.Role) {
		return "019ab000-0000-7000-8000-000000000000", nil
	}
	r, err := giveClinicalRecord(c)
	if err != nil {
		return "", err
	}
	return pick(r), nil
}

var (
	// clinicalReaders read clinical records (a patient reads only their own,
	// and the matrix asks for patient2's record, which is not the calling
	// patient's).
	clinicalReaders   = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse}
	clinicalDoctors   = []app.Role{app.RoleDoctor}
	clinicalNursing   = []app.Role{app.RoleDoctor, app.RoleNurse}
	clinicalAssigners = []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleReception}
)

func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.ClinicalService]())
	pid := func(c *clinic) string { return c.patient2.PatientID }
	entries := map[string]call{
		"ClinicalService.GetChart": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.GetChart(ctx, pid(c))
			return err
		}},
		"ClinicalService.FindHistory": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindHistory(ctx, pid(c), app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryRegistration}})
			return err
		}},
		"ClinicalService.RecordNoKnownAllergies": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.RecordNoKnownAllergies(ctx, pid(c))
			return err
		}},
		"ClinicalService.AddAllergy": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.AddAllergy(ctx, app.AllergyCreate{PatientID: pid(c), Substance: "Latex",
				Reaction: "Rash", Severity: app.SeverityMild})
			return err
		}},
		"ClinicalService.RemoveAllergy": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalDoctors, func(r *clinicalRecord) string { return r.allergy })
			if err != nil {
				return err
			}
			return c.svc.Clinical.RemoveAllergy(ctx, id, "recorded in error")
		}},
		"ClinicalService.FindAllergies": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindAllergies(ctx, pid(c))
			return err
		}},
		"ClinicalService.AddProblem": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.AddProblem(ctx, app.ProblemCreate{PatientID: pid(c), Condition: "Migraine", Onset: "2019-05"})
			return err
		}},
		"ClinicalService.ResolveProblem": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalDoctors, func(r *clinicalRecord) string { return r.problem })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.ResolveProblem(ctx, id, "2026-11-20")
			return err
		}},
		"ClinicalService.FindProblems": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindProblems(ctx, pid(c))
			return err
		}},
		"ClinicalService.RecordVitals": {allowed: clinicalNursing, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.RecordVitals(ctx, app.Vitals{PatientID: pid(c), Systolic: 120, Diastolic: 80,
				Pulse: 72, TemperatureC: 36.8, SpO2: 98, WeightKg: 70, HeightCm: 170})
			return err
		}},
		"ClinicalService.FindVitals": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindVitals(ctx, pid(c), 20)
			return err
		}},
		"ClinicalService.AddNote": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.AddNote(ctx, app.NoteCreate{PatientID: pid(c), Kind: app.NoteClinical,
				Subjective: "Cough for a week.", Assessment: "Viral bronchitis.", Plan: "Fluids; review if worse."})
			return err
		}},
		"ClinicalService.FindNotes": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindNotes(ctx, pid(c))
			return err
		}},
		"ClinicalService.Prescribe": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.Prescribe(ctx, app.PrescriptionCreate{PatientID: pid(c), Items: []app.PrescriptionItem{
				{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet", Route: "oral", Frequency: "every 6 hours", Duration: "3 days"}}})
			return err
		}},
		"ClinicalService.CompletePrescription": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalDoctors, func(r *clinicalRecord) string { return r.prescription })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.CompletePrescription(ctx, id)
			return err
		}},
		"ClinicalService.CancelPrescription": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalDoctors, func(r *clinicalRecord) string { return r.prescription })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.CancelPrescription(ctx, id, "patient reported side effects")
			return err
		}},
		"ClinicalService.FindPrescriptions": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindPrescriptions(ctx, pid(c))
			return err
		}},
		"ClinicalService.FindPrescription": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			number, err := clinicalRecordFor(ctx, c, clinicalReaders, func(r *clinicalRecord) string { return r.rxNumber })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.FindPrescription(ctx, number)
			return err
		}},
		"ClinicalService.PrescriptionPDF": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalReaders, func(r *clinicalRecord) string { return r.prescription })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.PrescriptionPDF(ctx, id)
			return err
		}},
		"ClinicalService.AssignDoctor": {allowed: clinicalAssigners, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.AssignDoctor(ctx, app.AssignmentCreate{PatientID: pid(c), DoctorID: c.users[app.RoleDoctor].ID,
				Reason: "Hypertension follow-up", StartDate: "2026-11-25", EndDate: "2027-05-25"})
			return err
		}},
		"ClinicalService.EndAssignment": {allowed: clinicalAssigners, do: func(ctx context.Context, c *clinic) error {
			id, err := clinicalRecordFor(ctx, c, clinicalAssigners, func(r *clinicalRecord) string { return r.assignment })
			if err != nil {
				return err
			}
			_, err = c.svc.Clinical.EndAssignment(ctx, id, app.AssignmentCompleted)
			return err
		}},
		"ClinicalService.FindAssignments": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.FindAssignments(ctx, pid(c))
			return err
		}},
		"ClinicalService.MyPatients": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Clinical.MyPatients(ctx)
			return err
		}},
	}
	for name, e := range entries {
		matrix[name] = e
	}
}
