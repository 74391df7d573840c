package data_test

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/drugs"
	"hms/app/pdf/pdftest"
	"hms/data"
	"hms/data/datatest"
)

// clinicalPatients are the patient records of the fixture: own is the
// patient account's ("zoe"), other is patient2's.
func clinicalPatients(c *clinic) (own, other string) {
	return c.users[app.RolePatient].PatientID, c.patient2.PatientID
}

// TestClinicalMatrixCallsSucceed runs each clinical matrix call as the
// first role allowed to make it: the calls are valid input, so a call
// refused for any reason means the matrix does not test what it claims.
func TestClinicalMatrixCallsSucceed(t *testing.T) {
	for name, m := range matrix {
		if !strings.HasPrefix(name, "ClinicalService.") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			c := mustSetup(t)
			if err := m.do(c.ctx(m.allowed[0]), c); err != nil {
				t.Fatalf("as %s: %v", m.allowed[0], err)
			}
		})
	}
}

// mustRefuseClinical checks that do fails with the code, about the field,
// with a message for the user, and that nothing changed: no row, no audit row.
func mustRefuseClinical(t *testing.T, c *clinic, wantCode, wantField string, do func() error) {
	t.Helper()
	before, snap := auditCount(t, c.db), snapshot(t, c.db)
	err := do()
	if code(err) != wantCode || app.ErrorField(err) != wantField {
		t.Fatalf("want %s on field %q, got %v", wantCode, wantField, err)
	}
	if msg := app.ErrorMessage(err); msg == "" || strings.Contains(msg, "Something went wrong") {
		t.Fatalf("no message for the user: %q", msg)
	}
	if snapshot(t, c.db) != snap || auditCount(t, c.db) != before {
		t.Fatal("a refused call changed data")
	}
}

func TestClinicalValidation(t *testing.T) {
	c := mustSetup(t)
	rec, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	own, other := clinicalPatients(c)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	cl := c.svc.Clinical
	long := func(n int) string { return strings.Repeat("x", n) }
	// An addendum and a note of the other patient, to point addenda at.
	add, err := cl.AddNote(doc, app.NoteCreate{PatientID: other, Kind: app.NoteClinical, Text: "Addendum.", AddendumTo: rec.note})
	if err != nil {
		t.Fatal(err)
	}

	allergy := func(f func(a *app.AllergyCreate)) func() error {
		return func() error {
			a := app.AllergyCreate{PatientID: other, Substance: "Sulfonamides", Reaction: "rash", Severity: app.SeverityModerate}
			f(&a)
			_, err := cl.AddAllergy(doc, a)
			return err
		}
	}
	problem := func(f func(p *app.ProblemCreate)) func() error {
		return func() error {
			p := app.ProblemCreate{PatientID: other, Condition: "Migraine", Onset: "2019", Status: app.ProblemActive}
			f(&p)
			_, err := cl.AddProblem(doc, p)
			return err
		}
	}
	vitals := func(f func(v *app.Vitals)) func() error {
		return func() error {
			v := app.Vitals{PatientID: other, Systolic: 120, Diastolic: 80, Pulse: 70, TemperatureC: 36.8, RespRate: 14,
				SpO2: 98, WeightKg: 70, HeightCm: 170}
			f(&v)
			_, err := cl.RecordVitals(nurse, v)
			return err
		}
	}
	note := func(f func(n *app.NoteCreate)) func() error {
		return func() error {
			n := app.NoteCreate{PatientID: other, Kind: app.NoteClinical, Text: "Seen today."}
			f(&n)
			_, err := cl.AddNote(doc, n)
			return err
		}
	}
	rx := func(f func(p *app.PrescriptionCreate)) func() error {
		return func() error {
			p := app.PrescriptionCreate{PatientID: other, Items: []app.PrescriptionItem{
				{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet"}, {Drug: "Omeprazole", Dose: "1 capsule"}}}
			f(&p)
			_, err := cl.Prescribe(doc, p)
			return err
		}
	}
	assign := func(f func(a *app.AssignmentCreate)) func() error {
		return func() error {
			a := app.AssignmentCreate{PatientID: own, DoctorID: c.users[app.RoleDoctor].ID, Reason: "Diabetes care",
				StartDate: "2026-11-25", EndDate: "2027-11-25"}
			f(&a)
			_, err := cl.AssignDoctor(doc, a)
			return err
		}
	}

	for _, tc := range []struct {
		name, code, field string
		do                func() error
	}{
		{"AllergyPatientRequired", app.EINVALID, "patient", allergy(func(a *app.AllergyCreate) { a.PatientID = "" })},
		{"AllergyPatientUnknown", app.ENOTFOUND, "", allergy(func(a *app.AllergyCreate) { a.PatientID = "no-such-patient" })},
		{"AllergySubstanceRequired", app.EINVALID, "substance", allergy(func(a *app.AllergyCreate) { a.Substance = "  " })},
		{"AllergySubstanceTooLong", app.EINVALID, "substance", allergy(func(a *app.AllergyCreate) { a.Substance = long(201) })},
		{"AllergyReactionTooLong", app.EINVALID, "reaction", allergy(func(a *app.AllergyCreate) { a.Reaction = long(501) })},
		{"AllergySeverityUnknown", app.EINVALID, "severity", allergy(func(a *app.AllergyCreate) { a.Severity = "deadly" })},
		{"AllergyRecordedAlready", app.ECONFLICT, "substance", allergy(func(a *app.AllergyCreate) { a.Substance = "PÉNICILLIN" })},
		{"RemoveAllergyReasonRequired", app.EINVALID, "reason", func() error { return cl.RemoveAllergy(doc, rec.allergy, " ") }},
		{"RemoveAllergyUnknown", app.ENOTFOUND, "", func() error { return cl.RemoveAllergy(doc, "no-such-allergy", "error") }},

		{"ProblemConditionRequired", app.EINVALID, "condition", problem(func(p *app.ProblemCreate) { p.Condition = "" })},
		{"ProblemConditionTooLong", app.EINVALID, "condition", problem(func(p *app.ProblemCreate) { p.Condition = long(201) })},
		{"ProblemOnsetMalformed", app.EINVALID, "onset", problem(func(p *app.ProblemCreate) { p.Onset = "2019-13" })},
		{"ProblemOnsetWords", app.EINVALID, "onset", problem(func(p *app.ProblemCreate) { p.Onset = "last spring" })},
		{"ProblemOnsetFuture", app.EINVALID, "onset", problem(func(p *app.ProblemCreate) { p.Onset = "2027-01" })},
		{"ProblemStatusUnknown", app.EINVALID, "status", problem(func(p *app.ProblemCreate) { p.Status = "chronic" })},
		{"ProblemNotesTooLong", app.EINVALID, "notes", problem(func(p *app.ProblemCreate) { p.Notes = long(2001) })},
		{"ResolveDateRequired", app.EINVALID, "resolved_on", func() error { _, err := cl.ResolveProblem(doc, rec.problem, ""); return err }},
		{"ResolveDateMalformed", app.EINVALID, "resolved_on", func() error { _, err := cl.ResolveProblem(doc, rec.problem, "20/11/2026"); return err }},
		{"ResolveDateFuture", app.EINVALID, "resolved_on", func() error { _, err := cl.ResolveProblem(doc, rec.problem, "2026-12-01"); return err }},
		{"ResolveBeforeOnset", app.EINVALID, "resolved_on", func() error { _, err := cl.ResolveProblem(doc, rec.problem, "1994-12-31"); return err }},

		{"VitalsNothingMeasured", app.EINVALID, "vitals", vitals(func(v *app.Vitals) { *v = app.Vitals{PatientID: other} })},
		{"VitalsPatientRequired", app.EINVALID, "patient", vitals(func(v *app.Vitals) { v.PatientID = "" })},
		{"SystolicImpossible", app.EINVALID, "systolic", vitals(func(v *app.Vitals) { v.Systolic = 1200 })},
		{"SystolicWithoutDiastolic", app.EINVALID, "diastolic", vitals(func(v *app.Vitals) { v.Diastolic = 0 })},
		{"DiastolicWithoutSystolic", app.EINVALID, "systolic", vitals(func(v *app.Vitals) { v.Systolic = 0 })},
		{"SystolicNotAboveDiastolic", app.EINVALID, "systolic", vitals(func(v *app.Vitals) { v.Systolic, v.Diastolic = 80, 120 })},
		{"DiastolicImpossible", app.EINVALID, "diastolic", vitals(func(v *app.Vitals) { v.Diastolic = 10 })},
		{"PulseImpossible", app.EINVALID, "pulse", vitals(func(v *app.Vitals) { v.Pulse = 400 })},
		{"PulseNegative", app.EINVALID, "pulse", vitals(func(v *app.Vitals) { v.Pulse = -60 })},
		{"TemperatureImpossible", app.EINVALID, "temperature", vitals(func(v *app.Vitals) { v.TemperatureC = 98.6 })},
		{"RespRateImpossible", app.EINVALID, "resp_rate", vitals(func(v *app.Vitals) { v.RespRate = 2 })},
		{"SpO2Impossible", app.EINVALID, "spo2", vitals(func(v *app.Vitals) { v.SpO2 = 101 })},
		{"WeightNegative", app.EINVALID, "weight", vitals(func(v *app.Vitals) { v.WeightKg = -5 })},
		{"WeightImpossible", app.EINVALID, "weight", vitals(func(v *app.Vitals) { v.WeightKg = 700 })},
		{"HeightImpossible", app.EINVALID, "height", vitals(func(v *app.Vitals) { v.HeightCm = 1.7 })},
		{"VitalsInTheFuture", app.EINVALID, "taken_at", vitals(func(v *app.Vitals) { v.TakenAt = c.clock.Now().Add(time.Hour) })},

		{"NoteKindRequired", app.EINVALID, "kind", note(func(n *app.NoteCreate) { n.Kind = "" })},
		{"NoteKindUnknown", app.EINVALID, "kind", note(func(n *app.NoteCreate) { n.Kind = "private" })},
		{"NoteEmpty", app.EINVALID, "text", note(func(n *app.NoteCreate) { n.Text = " \n " })},
		{"NoteTooLong", app.EINVALID, "text", note(func(n *app.NoteCreate) { n.Text = long(20001) })},
		{"SOAPPartTooLong", app.EINVALID, "plan", note(func(n *app.NoteCreate) { n.Text, n.Plan = "", long(20001) })},
		{"AddendumToNothing", app.EINVALID, "addendum_to", note(func(n *app.NoteCreate) { n.AddendumTo = "no-such-note" })},
		{"AddendumToAnotherPatient", app.EINVALID, "addendum_to", note(func(n *app.NoteCreate) { n.PatientID, n.AddendumTo = own, rec.note })},
		{"AddendumToAnAddendum", app.EINVALID, "addendum_to", note(func(n *app.NoteCreate) { n.AddendumTo = add.ID })},

		{"PrescriptionItemsRequired", app.EINVALID, "items", rx(func(p *app.PrescriptionCreate) { p.Items = nil })},
		{"PrescriptionTooManyItems", app.EINVALID, "items", rx(func(p *app.PrescriptionCreate) {
			p.Items = make([]app.PrescriptionItem, 21)
			for i := range p.Items {
				p.Items[i] = app.PrescriptionItem{Drug: "Vitamin D", Dose: "1 drop"}
			}
		})},
		{"DrugRequired", app.EINVALID, "items[1].drug", rx(func(p *app.PrescriptionCreate) { p.Items[1].Drug = " " })},
		{"DoseRequired", app.EINVALID, "items[0].dose", rx(func(p *app.PrescriptionCreate) { p.Items[0].Dose = "" })},
		{"DrugTooLong", app.EINVALID, "items[0].drug", rx(func(p *app.PrescriptionCreate) { p.Items[0].Drug = long(201) })},
		{"FrequencyTooLong", app.EINVALID, "items[1].frequency", rx(func(p *app.PrescriptionCreate) { p.Items[1].Frequency = long(101) })},
		{"PrescriptionNotesTooLong", app.EINVALID, "notes", rx(func(p *app.PrescriptionCreate) { p.Notes = long(2001) })},
		{"CancelReasonRequired", app.EINVALID, "reason", func() error { _, err := cl.CancelPrescription(doc, rec.prescription, ""); return err }},

		{"AssignmentPatientRequired", app.EINVALID, "patient", assign(func(a *app.AssignmentCreate) { a.PatientID = "" })},
		{"AssignmentDoctorRequired", app.EINVALID, "doctor", assign(func(a *app.AssignmentCreate) { a.DoctorID = "" })},
		{"AssignmentDoctorNotADoctor", app.EINVALID, "doctor", assign(func(a *app.AssignmentCreate) { a.DoctorID = c.users[app.RoleNurse].ID })},
		{"AssignmentReasonRequired", app.EINVALID, "reason", assign(func(a *app.AssignmentCreate) { a.Reason = "" })},
		{"AssignmentStartRequired", app.EINVALID, "start_date", assign(func(a *app.AssignmentCreate) { a.StartDate = "" })},
		{"AssignmentStartMalformed", app.EINVALID, "start_date", assign(func(a *app.AssignmentCreate) { a.StartDate = "2026-02-30" })},
		{"AssignmentEndBeforeStart", app.EINVALID, "end_date", assign(func(a *app.AssignmentCreate) { a.EndDate = "2026-11-24" })},
		{"AssignmentTwice", app.ECONFLICT, "doctor", assign(func(a *app.AssignmentCreate) { a.PatientID = other })},
		{"EndAssignmentBadStatus", app.EINVALID, "status", func() error {
			_, err := cl.EndAssignment(doc, rec.assignment, app.AssignmentActive)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { mustRefuseClinical(t, c, tc.code, tc.field, tc.do) })
	}

	t.Run("DeactivatedDoctor", func(t *testing.T) {
		if _, err := c.svc.Users.DeactivateUser(c.ctx(app.RoleAdmin), c.users[app.RoleDoctor].ID, nil); err != nil {
			t.Fatal(err)
		}
		// The doctor's own session ends at its next call...
		mustRefuseClinical(t, c, app.ESESSION, "", assign(func(a *app.AssignmentCreate) {}))
		// ...and nobody can assign patients to a deactivated doctor.
		mustRefuseClinical(t, c, app.EINVALID, "doctor", func() error {
			_, err := cl.AssignDoctor(c.ctx(app.RoleAdmin), app.AssignmentCreate{PatientID: own,
				DoctorID: c.users[app.RoleDoctor].ID, Reason: "Diabetes care", StartDate: "2026-11-25", EndDate: "2027-11-25"})
			return err
		})
	})
}

// TestVitals: measurements round-trip (unmeasured stays unmeasured), BMI,
// the abnormal flags, and the list newest taken first.
func TestVitals(t *testing.T) {
	v := app.Vitals{Systolic: 150, Diastolic: 95, Pulse: 45, TemperatureC: 38.2, RespRate: 24, SpO2: 91,
		WeightKg: 95, HeightCm: 175}
	if bmi := v.BMI(); bmi < 31.0 || bmi > 31.03 {
		t.Fatalf("BMI %.3f, want 31.02", bmi)
	}
	want := map[string]string{"systolic": "high", "diastolic": "high", "pulse": "low", "temperature": "high",
		"resp_rate": "high", "spo2": "low", "bmi": "high"}
	if got := v.Abnormal(); !reflect.DeepEqual(got, want) {
		t.Fatalf("abnormal %v, want %v", got, want)
	}
	normal := app.Vitals{Systolic: 118, Diastolic: 76, Pulse: 72, TemperatureC: 36.8, RespRate: 14, SpO2: 98, WeightKg: 65, HeightCm: 170}
	if got := normal.Abnormal(); len(got) != 0 {
		t.Fatalf("normal vitals flagged %v", got)
	}
	low := app.Vitals{Systolic: 85, Diastolic: 55, Pulse: 110, TemperatureC: 34.5, RespRate: 10, WeightKg: 45, HeightCm: 170}
	want = map[string]string{"systolic": "low", "diastolic": "low", "pulse": "high", "temperature": "low",
		"resp_rate": "low", "bmi": "low"}
	if got := low.Abnormal(); !reflect.DeepEqual(got, want) {
		t.Fatalf("abnormal %v, want %v", got, want)
	}
	if got := (&app.Vitals{Pulse: 70}).Abnormal(); len(got) != 0 {
		t.Fatalf("unmeasured values flagged: %v", got)
	}

	c := mustSetup(t)
	_, other := clinicalPatients(c)
	nurse := c.ctx(app.RoleNurse)
	earlier := c.clock.Now().Add(-2 * time.Hour)
	first, err := c.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: other, TakenAt: earlier, WeightKg: 70.4, HeightCm: 172.5})
	if err != nil {
		t.Fatal(err)
	}
	if first.RecordedBy != "Staff nurse" || !first.TakenAt.Equal(earlier) {
		t.Fatalf("recorded %+v", first)
	}
	c.clock.Add(time.Minute)
	if _, err := c.svc.Clinical.RecordVitals(nurse, app.Vitals{PatientID: other, Pulse: 88, TemperatureC: 37.9}); err != nil {
		t.Fatal(err)
	}
	list, err := c.svc.Clinical.FindVitals(c.ctx(app.RoleDoctor), other, 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("%d vitals, %v", len(list), err)
	}
	if list[0].Pulse != 88 || list[0].TemperatureC != 37.9 || list[0].WeightKg != 0 || list[0].Systolic != 0 {
		t.Fatalf("newest %+v", list[0])
	}
	if list[1].WeightKg != 70.4 || list[1].HeightCm != 172.5 || list[1].Pulse != 0 {
		t.Fatalf("oldest %+v", list[1])
	}
	var nulls int
	rawDB(t, c.db).QueryRow(`SELECT count(*) FROM vitals WHERE pulse IS NULL AND systolic IS NULL`).Scan(&nulls)
	if nulls != 1 {
		t.Fatalf("an unmeasured value is not stored as NULL (%d rows)", nulls)
	}
	if _, err := rawDB(t, c.db).Exec(`INSERT INTO vitals (id, patient_id, taken_at, pulse, recorded_by, recorded_by_name,
		created_at) VALUES ('x', ?, '2026-01-01T00:00:00.000Z', 500, ?, 'x', '2026-01-01T00:00:00.000Z')`,
		other, c.users[app.RoleNurse].ID); err == nil {
		t.Fatal("the database accepted a pulse of 500")
	}
}

// TestNotesAndPrescriptionsNeverChange: no service method changes a note or
// a prescription, and the database refuses UPDATE and DELETE.
func TestNotesAndPrescriptionsNeverChange(t *testing.T) {
	c := mustSetup(t)
	rec, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Clinical.CompletePrescription(c.ctx(app.RoleDoctor), rec.prescription); err != nil {
		t.Fatal(err)
	}
	iface := reflect.TypeFor[app.ClinicalService]()
	changes := regexp.MustCompile(`^(Update|Edit|Change|Delete|Remove|Purge)`)
	for i := 0; i < iface.NumMethod(); i++ {
		name := iface.Method(i).Name
		if changes.MatchString(name) && (strings.Contains(name, "Note") || strings.Contains(name, "Prescription")) {
			t.Errorf("ClinicalService.%s changes a note or a prescription", name)
		}
	}
	raw := rawDB(t, c.db)
	snap := snapshot(t, c.db)
	for _, stmt := range []string{
		`UPDATE notes SET text = 'rewritten'`, `DELETE FROM notes`,
		`UPDATE prescriptions SET notes = 'changed'`, `DELETE FROM prescriptions`,
		`UPDATE prescription_items SET dose = '10 tablets'`, `DELETE FROM prescription_items`,
		`UPDATE prescription_status_events SET status = 'active'`, `DELETE FROM prescription_status_events`,
	} {
		if _, err := raw.Exec(stmt); err == nil || !strings.Contains(err.Error(), "never") && !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	// The status rules hold below the service too.
	if _, err := raw.Exec(`INSERT INTO prescription_status_events (id, prescription_id, patient_id, status, reason, by_user,
		by_name, at) VALUES ('again', ?, ?, 'cancelled', 'x', ?, 'x', '2026-11-25T09:00:00.000Z')`,
		rec.prescription, c.patient2.PatientID, c.users[app.RoleDoctor].ID); err == nil {
		t.Error("a completed prescription was cancelled by SQL")
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("SQL changed a note or a prescription")
	}
}

func TestNotesWithAddenda(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	cl := c.svc.Clinical
	first, err := cl.AddNote(doc, app.NoteCreate{PatientID: other, Kind: app.NoteClinical,
		Subjective: "Knee pain.", Objective: "Left knee swollen.", Assessment: "Osteoarthritis.", Plan: "Exercise."})
	if err != nil {
		t.Fatal(err)
	}
	c.clock.Add(time.Hour)
	second, err := cl.AddNote(nurse, app.NoteCreate{PatientID: other, Kind: app.NoteNursing, Text: "Dressing changed."})
	if err != nil {
		t.Fatal(err)
	}
	c.clock.Add(time.Hour)
	a1, err := cl.AddNote(doc, app.NoteCreate{PatientID: other, Kind: app.NoteClinical, Text: "Correction: the right knee.",
		AddendumTo: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	c.clock.Add(time.Hour)
	a2, err := cl.AddNote(nurse, app.NoteCreate{PatientID: other, Kind: app.NoteNursing, Text: "Ice pack given.",
		AddendumTo: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddNote(nurse, app.NoteCreate{PatientID: other, Kind: app.NoteClinical, Text: "A nurse's clinical note."}); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a nurse wrote a clinical note: %v", err)
	}
	notes, err := cl.FindNotes(c.ctx(app.RoleAdmin), other)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].ID != second.ID || notes[1].ID != first.ID {
		t.Fatalf("top-level notes not newest first: %+v", notes)
	}
	if len(notes[1].Addenda) != 2 || notes[1].Addenda[0].ID != a1.ID || notes[1].Addenda[1].ID != a2.ID {
		t.Fatalf("addenda not shown with their note, oldest first: %+v", notes[1].Addenda)
	}
	if !notes[1].IsSOAP() || notes[1].Assessment != "Osteoarthritis." || notes[1].AuthorName != "Staff doctor" {
		t.Fatalf("note %+v", notes[1])
	}
	if len(notes[0].Addenda) != 0 || notes[1].Addenda[0].AddendumTo != first.ID {
		t.Fatal("addenda attached to the wrong note")
	}
}

func TestAllergyWarning(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	doc := c.ctx(app.RoleDoctor)
	cl := c.svc.Clinical
	if _, err := cl.AddAllergy(doc, app.AllergyCreate{PatientID: other, Substance: "Ibuprofène", Reaction: "hives",
		Severity: app.SeverityModerate}); err != nil {
		t.Fatal(err)
	}
	pen, err := cl.AddAllergy(doc, app.AllergyCreate{PatientID: other, Substance: "Penicillin", Severity: app.SeveritySevere})
	if err != nil {
		t.Fatal(err)
	}
	items := []app.PrescriptionItem{{Drug: "Paracetamol", Dose: "1 tablet"}, {Drug: "IBUPROFENE", Strength: "400 mg", Dose: "1 tablet"}}
	// Refused until acknowledged, and nothing is written, not even a number.
	before, snap := auditCount(t, c.db), snapshot(t, c.db)
	_, err = cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other, Items: items})
	if code(err) != app.ECONFLICT || app.ErrorField(err) != "allergy" ||
		!strings.Contains(app.ErrorMessage(err), "yannis Papadopoulou is recorded as allergic to Ibuprofène") {
		t.Fatalf("want the allergy warning, got %v", err)
	}
	if snapshot(t, c.db) != snap || auditCount(t, c.db) != before {
		t.Fatal("a refused prescription changed data")
	}
	// The drug catalogue knows penicillins by their generic and brand names.
	for _, drug := range []string{"Phenoxymethylpenicillin", "Amoxil", "co-amoxiclav 625 mg"} {
		_, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other, Items: []app.PrescriptionItem{{Drug: drug, Dose: "1"}}})
		if code(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "allergic to Penicillin") {
			t.Fatalf("%s: want the penicillin warning, got %v", drug, err)
		}
	}
	rx, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other, Items: items, AcknowledgeAllergy: true})
	if err != nil {
		t.Fatal(err)
	}
	if rx.Number != "RX-D1-2026-000001" || !strings.Contains(rx.AllergyWarning, "allergic to Ibuprofène (moderate: hives)") {
		t.Fatalf("prescription %s, warning %q", rx.Number, rx.AllergyWarning)
	}
	list, err := cl.FindPrescriptions(doc, other)
	if err != nil || len(list) != 1 || list[0].AllergyWarning != rx.AllergyWarning || len(list[0].Items) != 2 ||
		list[0].Items[1].Strength != "400 mg" {
		t.Fatalf("stored %+v, %v", list, err)
	}
	// A removed allergy no longer warns; acknowledging when nothing matches stores no warning.
	if err := cl.RemoveAllergy(doc, pen.ID, "recorded in error"); err != nil {
		t.Fatal(err)
	}
	rx2, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other, AcknowledgeAllergy: true,
		Items: []app.PrescriptionItem{{Drug: "Phenoxymethylpenicillin", Strength: "250 mg", Dose: "1 tablet"}}})
	if err != nil || rx2.AllergyWarning != "" || rx2.Number != "RX-D1-2026-000002" {
		t.Fatalf("after removing the allergy: %+v, %v", rx2, err)
	}
	all, err := cl.FindAllergies(doc, other)
	if err != nil || len(all) != 2 || all[0].RemovedReason != "recorded in error" || all[0].RemovedAt.IsZero() {
		t.Fatalf("allergies %+v, %v", all, err)
	}
	if err := cl.RemoveAllergy(doc, pen.ID, "again"); code(err) != app.ECONFLICT {
		t.Fatalf("removed twice: %v", err)
	}
}

func TestPrescriptionStatus(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	doc := c.ctx(app.RoleDoctor)
	cl := c.svc.Clinical
	issue := func() *app.Prescription {
		t.Helper()
		// Acknowledged: the second is the same drug again, a duplicate.
		rx, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other, Notes: "Review in a week.", AcknowledgeAllergy: true,
			Items: []app.PrescriptionItem{{Drug: "Amoxicillin", Strength: "500 mg", Dose: "1 capsule", Route: "oral",
				Frequency: "three times a day", Duration: "7 days", Quantity: "21 capsules", Instructions: "Finish the course."}}})
		if err != nil {
			t.Fatal(err)
		}
		return rx
	}
	a, b := issue(), issue()
	if a.Status != app.PrescriptionActive || a.DoctorName != "Staff doctor" || a.Number != "RX-D1-2026-000001" ||
		b.Number != "RX-D1-2026-000002" {
		t.Fatalf("issued %+v / %s", a, b.Number)
	}
	c.clock.Add(time.Hour)
	done, err := cl.CompletePrescription(doc, a.ID)
	if err != nil || done.Status != app.PrescriptionCompleted || !done.StatusChangedAt.Equal(c.clock.Now()) {
		t.Fatalf("complete: %+v, %v", done, err)
	}
	if _, err := cl.CompletePrescription(doc, a.ID); code(err) != app.ECONFLICT {
		t.Fatalf("completed twice: %v", err)
	}
	if _, err := cl.CancelPrescription(doc, a.ID, "too late"); code(err) != app.ECONFLICT {
		t.Fatalf("a completed prescription cancelled: %v", err)
	}
	cancelled, err := cl.CancelPrescription(doc, b.ID, "  side effects  ")
	if err != nil || cancelled.Status != app.PrescriptionCancelled || cancelled.StatusReason != "side effects" {
		t.Fatalf("cancel: %+v, %v", cancelled, err)
	}
	if _, err := cl.CompletePrescription(doc, b.ID); code(err) != app.ECONFLICT {
		t.Fatalf("a cancelled prescription completed: %v", err)
	}
	if _, err := cl.CompletePrescription(doc, "no-such-prescription"); code(err) != app.ENOTFOUND {
		t.Fatalf("unknown prescription: %v", err)
	}
	active := issue()
	list, err := cl.FindPrescriptions(doc, other)
	if err != nil || len(list) != 3 || list[0].ID != active.ID || list[1].Status != app.PrescriptionCancelled ||
		list[2].Status != app.PrescriptionCompleted || list[2].Items[0].Instructions != "Finish the course." {
		t.Fatalf("list %+v, %v", list, err)
	}
	chart, err := cl.GetChart(doc, other)
	if err != nil || len(chart.Medications) != 1 || chart.Medications[0].ID != active.ID || len(chart.Medications[0].Items) != 1 {
		t.Fatalf("current medications %+v, %v", chart.Medications, err)
	}

	// The series is the year at the clinic: 23:30 UTC on New Year's Eve is
	// already 2027 in Athens.
	c.clock.Add(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC).Sub(c.clock.Now()))
	if rx := issue(); rx.Number != "RX-D1-2027-000001" {
		t.Fatalf("new year's number %s", rx.Number)
	}
}

func TestHistory(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	cl := c.svc.Clinical
	doc := c.ctx(app.RoleDoctor)
	step := func() { c.clock.Add(time.Hour) }
	start := c.clock.Now()
	step()
	if _, err := cl.AddAllergy(doc, app.AllergyCreate{PatientID: other, Substance: "Latex"}); err != nil {
		t.Fatal(err)
	}
	step()
	if _, err := cl.AddProblem(doc, app.ProblemCreate{PatientID: other, Condition: "Asthma"}); err != nil {
		t.Fatal(err)
	}
	step()
	if _, err := cl.RecordVitals(c.ctx(app.RoleNurse), app.Vitals{PatientID: other, SpO2: 97}); err != nil {
		t.Fatal(err)
	}
	step()
	note, err := cl.AddNote(doc, app.NoteCreate{PatientID: other, Kind: app.NoteClinical, Assessment: "Asthma, controlled."})
	if err != nil {
		t.Fatal(err)
	}
	middle := c.clock.Now()
	step()
	if _, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: other,
		Items: []app.PrescriptionItem{{Drug: "Salbutamol", Dose: "2 puffs"}}}); err != nil {
		t.Fatal(err)
	}
	step()
	if _, err := cl.AssignDoctor(c.ctx(app.RoleReception), app.AssignmentCreate{PatientID: other,
		DoctorID: c.users[app.RoleDoctor].ID, Reason: "Asthma", StartDate: "2026-11-25"}); err != nil {
		t.Fatal(err)
	}

	all, err := cl.FindHistory(doc, other, app.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []app.HistoryKind
	for i, e := range all {
		kinds = append(kinds, e.Kind)
		if i > 0 && (e.Seq >= all[i-1].Seq || e.At.After(all[i-1].At)) {
			t.Fatalf("not newest first at %d: %+v", i, all)
		}
	}
	want := []app.HistoryKind{app.HistoryAssignment, app.HistoryPrescription, app.HistoryNote, app.HistoryVitals,
		app.HistoryProblem, app.HistoryAllergy, app.HistoryRegistration}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	if all[2].RefID != note.ID || all[2].By != "Staff doctor" || !strings.Contains(all[2].Summary, "Asthma, controlled.") {
		t.Fatalf("note entry %+v", all[2])
	}
	if all[0].By != "Staff reception" || !strings.Contains(all[0].Summary, "Assigned to Staff doctor") {
		t.Fatalf("assignment entry %+v", all[0])
	}

	got, err := cl.FindHistory(doc, other, app.HistoryFilter{Kinds: []app.HistoryKind{app.HistoryNote, app.HistoryVitals}})
	if err != nil || len(got) != 2 || got[0].Kind != app.HistoryNote || got[1].Kind != app.HistoryVitals {
		t.Fatalf("by kind: %+v, %v", got, err)
	}
	got, err = cl.FindHistory(doc, other, app.HistoryFilter{From: start.Add(time.Minute), To: middle})
	if err != nil || len(got) != 3 || got[0].Kind != app.HistoryVitals || got[2].Kind != app.HistoryAllergy {
		t.Fatalf("by date: %+v, %v", got, err)
	}
	page, err := cl.FindHistory(doc, other, app.HistoryFilter{Limit: 3})
	if err != nil || len(page) != 3 {
		t.Fatalf("page: %d, %v", len(page), err)
	}
	next, err := cl.FindHistory(doc, other, app.HistoryFilter{Limit: 3, BeforeSeq: page[2].Seq})
	if err != nil || len(next) != 3 || next[0].Kind != app.HistoryVitals || next[2].Kind != app.HistoryAllergy {
		t.Fatalf("next page: %+v, %v", next, err)
	}
	if _, err := cl.FindHistory(doc, other, app.HistoryFilter{From: middle, To: start}); code(err) != app.EINVALID {
		t.Fatalf("an empty period: %v", err)
	}
	// The newest activity moved the patient to the top of the list.
	pg, err := c.svc.Patients.FindPatients(doc, app.PatientFilter{})
	if err != nil || pg.Patients[0].ID != other || !pg.Patients[0].LastActivityAt.Equal(c.clock.Now()) {
		t.Fatalf("newest activity: %v", err)
	}
}

func TestChart(t *testing.T) {
	c := mustSetup(t)
	own, other := clinicalPatients(c)
	cl := c.svc.Clinical
	doc := c.ctx(app.RoleDoctor)
	rec, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := cl.AddAllergy(doc, app.AllergyCreate{PatientID: other, Substance: "Latex"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.RemoveAllergy(doc, gone.ID, "recorded in error"); err != nil {
		t.Fatal(err)
	}
	old, err := cl.AddProblem(doc, app.ProblemCreate{PatientID: other, Condition: "Otitis media", Onset: "2026-11-01"})
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := cl.ResolveProblem(doc, old.ID, "2026-11-20")
	if err != nil || resolved.Status != app.ProblemResolved || resolved.ResolvedOn != "2026-11-20" {
		t.Fatalf("resolve: %+v, %v", resolved, err)
	}
	if _, err := cl.ResolveProblem(doc, old.ID, "2026-11-21"); code(err) != app.ECONFLICT {
		t.Fatalf("resolved twice: %v", err)
	}
	other2, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{Username: "doctor2", FullName: "Dr. Second",
		Role: app.RoleDoctor, Password: "another doctor's password"})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := cl.AssignDoctor(c.ctx(app.RoleAdmin), app.AssignmentCreate{PatientID: other, DoctorID: other2.ID,
		Reason: "Second opinion", StartDate: "2026-11-02"})
	if err != nil {
		t.Fatal(err)
	}
	if ended, err = cl.EndAssignment(c.ctx(app.RoleReception), ended.ID, app.AssignmentCompleted); err != nil ||
		ended.EndDate != "2026-11-25" || ended.Status != app.AssignmentCompleted {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	c.clock.Add(time.Hour)
	if _, err := cl.RecordVitals(c.ctx(app.RoleNurse), app.Vitals{PatientID: other, TakenAt: c.clock.Now().Add(-3 * time.Hour),
		Pulse: 99}); err != nil {
		t.Fatal(err)
	}
	latest, err := cl.RecordVitals(c.ctx(app.RoleNurse), app.Vitals{PatientID: other, Pulse: 64, WeightKg: 80, HeightCm: 180})
	if err != nil {
		t.Fatal(err)
	}

	before := auditCount(t, c.db)
	chart, err := cl.GetChart(c.ctx(app.RoleNurse), other)
	if err != nil {
		t.Fatal(err)
	}
	if chart.Patient.ID != other || len(chart.Allergies) != 1 || chart.Allergies[0].ID != rec.allergy ||
		len(chart.Problems) != 1 || chart.Problems[0].ID != rec.problem ||
		len(chart.Medications) != 1 || chart.Medications[0].ID != rec.prescription ||
		len(chart.Assignments) != 1 || chart.Assignments[0].ID != rec.assignment ||
		chart.LastVitals == nil || chart.LastVitals.ID != latest.ID || chart.LastVitals.BMI() < 24.6 || chart.LastVitals.BMI() > 24.7 {
		t.Fatalf("chart %+v", chart)
	}
	if auditCount(t, c.db) != before+1 {
		t.Fatalf("the chart wrote %d audit rows, want 1", auditCount(t, c.db)-before)
	}
	var action, patient, outcome, username string
	rawDB(t, c.db).QueryRow(`SELECT action, patient_id, outcome, username FROM audit_log ORDER BY seq DESC LIMIT 1`).
		Scan(&action, &patient, &outcome, &username)
	if action != "clinical.chart" || patient != other || outcome != "ok" || username != "nurse1" {
		t.Fatalf("audit row %s %s %s %s", action, patient, outcome, username)
	}
	empty, err := cl.GetChart(doc, own)
	if err != nil || empty.LastVitals != nil || len(empty.Allergies)+len(empty.Problems)+len(empty.Medications) != 0 {
		t.Fatalf("an empty chart: %+v, %v", empty, err)
	}
	if _, err := cl.GetChart(doc, "no-such-patient"); code(err) != app.ENOTFOUND {
		t.Fatalf("unknown patient: %v", err)
	}

	// "My patients" lists the doctor's active assignments.
	mine, err := cl.MyPatients(doc)
	if err != nil || len(mine) != 1 || mine[0].ID != other {
		t.Fatalf("my patients %+v, %v", mine, err)
	}
	theirs, err := cl.MyPatients(as(callerOf(other2)))
	if err != nil || len(theirs) != 0 {
		t.Fatalf("an ended assignment still listed: %+v, %v", theirs, err)
	}
	if _, err := cl.EndAssignment(doc, rec.assignment, app.AssignmentCancelled); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.EndAssignment(doc, rec.assignment, app.AssignmentCompleted); code(err) != app.ECONFLICT {
		t.Fatalf("ended twice: %v", err)
	}
	if mine, _ := cl.MyPatients(doc); len(mine) != 0 {
		t.Fatalf("a cancelled assignment still listed: %+v", mine)
	}
	all, err := cl.FindAssignments(doc, other)
	if err != nil || len(all) != 2 {
		t.Fatalf("assignments %+v, %v", all, err)
	}
}

// TestOwnRecord: a patient reads their own clinical record, never anyone
// else's (denied, and the denial audited with the record it was about),
// and writes nothing.
func TestOwnRecord(t *testing.T) {
	c := mustSetup(t)
	own, other := clinicalPatients(c)
	doc, me := c.ctx(app.RoleDoctor), c.ctx(app.RolePatient)
	cl := c.svc.Clinical
	mine, err := cl.Prescribe(doc, app.PrescriptionCreate{PatientID: own, Items: []app.PrescriptionItem{{Drug: "Metformin", Strength: "850 mg", Dose: "1 tablet"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddAllergy(doc, app.AllergyCreate{PatientID: own, Substance: "Pollen"}); err != nil {
		t.Fatal(err)
	}
	rec, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}

	chart, err := cl.GetChart(me, own)
	if err != nil || len(chart.Medications) != 1 || len(chart.Allergies) != 1 {
		t.Fatalf("own chart: %+v, %v", chart, err)
	}
	if h, err := cl.FindHistory(me, own, app.HistoryFilter{}); err != nil || len(h) != 3 {
		t.Fatalf("own history: %d, %v", len(h), err)
	}
	if b, err := cl.PrescriptionPDF(me, mine.ID); err != nil || len(b) == 0 {
		t.Fatalf("own prescription PDF: %v", err)
	}

	raw := rawDB(t, c.db)
	for name, do := range map[string]func() error{
		"chart":    func() error { _, err := cl.GetChart(me, other); return err },
		"history":  func() error { _, err := cl.FindHistory(me, other, app.HistoryFilter{}); return err },
		"notes":    func() error { _, err := cl.FindNotes(me, other); return err },
		"vitals":   func() error { _, err := cl.FindVitals(me, other, 10); return err },
		"pdf":      func() error { _, err := cl.PrescriptionPDF(me, rec.prescription); return err },
		"problems": func() error { _, err := cl.FindProblems(me, other); return err },
		"write": func() error {
			_, err := cl.AddAllergy(me, app.AllergyCreate{PatientID: own, Substance: "Dust"})
			return err
		},
	} {
		before, snap := auditCount(t, c.db), snapshot(t, c.db)
		if err := do(); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("%s: a patient was not refused: %v", name, err)
		}
		if snapshot(t, c.db) != snap || auditCount(t, c.db) != before+1 {
			t.Fatalf("%s: the denial changed data or was not audited", name)
		}
		var outcome, patient, user string
		raw.QueryRow(`SELECT outcome, patient_id, username FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&outcome, &patient, &user)
		wantPatient := other
		if name == "write" {
			wantPatient = own
		}
		if outcome != "denied" || patient != wantPatient || user != "zoe" {
			t.Fatalf("%s: audit row %s %s %s", name, outcome, patient, user)
		}
	}
}

// TestArchivedAndPurge: an archived record takes no clinical writes and
// shows only to admins; a record with clinical data cannot be purged.
func TestArchivedAndPurge(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	cl := c.svc.Clinical
	if _, err := giveClinicalRecord(c); err != nil {
		t.Fatal(err)
	}
	admin := c.ctx(app.RoleAdmin)
	if err := c.svc.Patients.PurgePatient(admin, other, "P-D1-000002"); code(err) != app.ECONFLICT {
		t.Fatalf("purged a patient with clinical data: %v", err)
	}
	if _, err := c.svc.Patients.ArchivePatient(admin, other, "moved away"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddProblem(c.ctx(app.RoleDoctor), app.ProblemCreate{PatientID: other, Condition: "Gout"}); code(err) != app.ECONFLICT {
		t.Fatalf("a clinical write to an archived record: %v", err)
	}
	if _, err := cl.GetChart(c.ctx(app.RoleDoctor), other); code(err) != app.ENOTFOUND {
		t.Fatalf("a doctor opened an archived chart: %v", err)
	}
	if _, err := cl.GetChart(admin, other); err != nil {
		t.Fatalf("an admin could not open an archived chart: %v", err)
	}
	if err := c.svc.Patients.PurgePatient(admin, other, "P-D1-000002"); code(err) != app.ECONFLICT {
		t.Fatalf("purged an archived patient with clinical data: %v", err)
	}
}

func TestPrescriptionPDF(t *testing.T) {
	c := mustSetup(t)
	_, other := clinicalPatients(c)
	rec, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Clinical.CancelPrescription(c.ctx(app.RoleDoctor), rec.prescription, "Wrong inhaler"); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, c.db)
	b, err := c.svc.Clinical.PrescriptionPDF(c.ctx(app.RoleNurse), rec.prescription)
	if err != nil {
		t.Fatal(err)
	}
	if auditCount(t, c.db) != before+1 {
		t.Fatal("printing was not audited")
	}
	text := pdftest.Text(t, b, false)
	for _, want := range []string{"Riverside Clinic", "RX-D1-2026-000001", "yannis Papadopoulou", "P-D1-000002",
		"Salbutamol inhaler", "2 puffs", "Staff doctor", "CANCELLED on Wednesday 25 November 2026: Wrong inhaler",
		"Allergies: Penicillin (severe: Anaphylaxis)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if _, err := c.svc.Clinical.PrescriptionPDF(c.ctx(app.RoleNurse), "no-such-prescription"); code(err) != app.ENOTFOUND {
		t.Fatalf("unknown prescription: %v", err)
	}
	_ = other
}

// TestClinicalQueryPlans checks that the chart's and the timeline's queries
// walk indexes: no scan of a clinical table or the timeline, no temporary
// B-tree to sort, on a demo database with clinical records.
func TestClinicalQueryPlans(t *testing.T) {
	db := sharedDemo(t, nil)
	var pid string
	rawDB(t, db).QueryRow(`SELECT patient_id FROM users WHERE username = 'patient'`).Scan(&pid)
	for _, f := range []app.HistoryFilter{
		{},
		{BeforeSeq: 1000, Limit: 50},
		{Kinds: []app.HistoryKind{app.HistoryNote, app.HistoryVitals}},
		{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		for _, q := range data.ClinicalSQL(pid, f) {
			plan := queryPlan(t, db, q.SQL, q.Args...)
			text := strings.Join(plan, "; ")
			if regexp.MustCompile(`\bSCAN\b`).MatchString(text) || strings.Contains(text, "TEMP B-TREE") {
				t.Errorf("%s (%+v): plan %s", q.Name, f, text)
			}
			t.Logf("%s: %s", q.Name, text)
		}
	}
}

// TestDemoClinical: the demo gives the demo patient a full record and a
// sample of the others a realistic one, all of it audited.
func TestDemoClinical(t *testing.T) {
	db := sharedDemo(t, nil)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "patient", "demo patient password")
	if err != nil {
		t.Fatal(err)
	}
	me := app.NewContextWithCaller(context.Background(), s.Caller())
	chart, err := svc.Clinical.GetChart(me, s.User.PatientID)
	if err != nil {
		t.Fatal(err)
	}
	if len(chart.Allergies) < 2 || len(chart.Problems) < 2 || len(chart.Medications) < 2 || len(chart.Assignments) < 1 ||
		chart.LastVitals == nil {
		t.Fatalf("the demo patient's chart is thin: %+v", chart)
	}
	rxs, err := svc.Clinical.FindPrescriptions(me, s.User.PatientID)
	if err != nil {
		t.Fatal(err)
	}
	statuses, warned := map[app.PrescriptionStatus]int{}, 0
	for _, rx := range rxs {
		statuses[rx.Status]++
		if rx.AllergyWarning != "" {
			warned++
		}
	}
	if len(statuses) != 3 || warned != 0 {
		t.Fatalf("prescriptions by status %v, with an acknowledged warning %d", statuses, warned)
	}
	demoNoPrescriptionAgainstAllergy(t, db)
	demoNamesMatchSex(t, db)
	demoVisitsAndDiagnoses(t, db, me, s.User.PatientID)
	notes, err := svc.Clinical.FindNotes(me, s.User.PatientID)
	if err != nil {
		t.Fatal(err)
	}
	addenda := 0
	for _, n := range notes {
		addenda += len(n.Addenda)
	}
	if len(notes) < 4 || addenda == 0 {
		t.Fatalf("%d notes, %d addenda", len(notes), addenda)
	}
	hist, err := svc.Clinical.FindHistory(me, s.User.PatientID, app.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The clinical entries are in time order (other areas' demos add theirs
	// in their own order).
	var clinical []*app.HistoryEntry
	for _, e := range hist {
		switch e.Kind {
		case app.HistoryAllergy, app.HistoryProblem, app.HistoryVitals, app.HistoryNote, app.HistoryPrescription,
			app.HistoryAssignment:
			clinical = append(clinical, e)
		}
	}
	for i := 1; i < len(clinical); i++ {
		if clinical[i].At.After(clinical[i-1].At) {
			t.Fatalf("the demo timeline is out of order at %d: %+v / %+v", i, clinical[i-1], clinical[i])
		}
	}
	if len(clinical) < 30 {
		t.Fatalf("the demo patient's timeline has %d clinical entries", len(clinical))
	}
	if last := hist[len(hist)-1]; last.Kind != app.HistoryRegistration {
		t.Fatalf("the demo timeline does not begin with the registration: %+v", last)
	}

	raw := rawDB(t, db)
	var withRecords, vitals, audited int
	raw.QueryRow(`SELECT count(DISTINCT patient_id) FROM vitals`).Scan(&withRecords)
	raw.QueryRow(`SELECT count(*) FROM vitals`).Scan(&vitals)
	raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'vitals.record'`).Scan(&audited)
	if withRecords < 150 || withRecords > 250 || audited != vitals {
		t.Fatalf("%d patients with records (want about 200), %d vitals, %d audited", withRecords, vitals, audited)
	}
	demoLetters(t, db)
	if rep, err := db.Verify(anon); err != nil || !rep.OK() {
		t.Fatalf("the demo's audit chain does not verify: %v %+v", err, rep)
	}
}

// demoLetters: the demo's letters were written during visits, for the
// visit's patient by its doctor, and each reprints.
func demoLetters(t *testing.T, db *data.DB) {
	t.Helper()
	raw := rawDB(t, db)
	var letters, inVisits, sick, referrals int
	raw.QueryRow(`SELECT count(*), count(v.id), count(*) FILTER (WHERE l.kind = 'sick_note'),
		count(*) FILTER (WHERE l.kind = 'referral') FROM letters l
		LEFT JOIN visits v ON v.id = l.visit_id AND v.patient_id = l.patient_id AND v.doctor_id = l.doctor_id`).
		Scan(&letters, &inVisits, &sick, &referrals)
	if letters < 3 || inVisits != letters || sick == 0 || referrals == 0 {
		t.Fatalf("%d demo letters, %d in their visits, %d certificates, %d referrals", letters, inVisits, sick, referrals)
	}
	var id string
	raw.QueryRow(`SELECT id FROM letters ORDER BY created_at DESC LIMIT 1`).Scan(&id)
	s, err := db.Services().Users.Login(anon, "dr.house", "demo doctor password")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := db.Services().Visits.ReprintLetter(app.NewContextWithCaller(context.Background(), s.Caller()), id); err != nil || len(b) == 0 {
		t.Fatalf("a demo letter does not reprint: %v", err)
	}
}

// TestDemoRecentWeeks: the default demo (500 patients) has the recent
// weeks a clinician expects: visits with diagnoses and services, some
// letters, and coded diagnoses this month, so the dashboard's top
// diagnoses are not empty.
func TestDemoRecentWeeks(t *testing.T) {
	clock := datatest.NewFakeClock()
	db := sharedDemo(t, clock)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "admin", "demo admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := app.NewContextWithCaller(context.Background(), s.Caller())
	st, err := svc.Settings.GetSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now().In(st.Location())
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, st.Location())
	rep, err := svc.Diagnoses.MorbidityReport(admin, app.MorbidityFilter{From: monthStart, To: now})
	if err != nil || rep.Total == 0 || len(rep.ByCode) == 0 {
		t.Fatalf("this month's diagnoses: %v, %+v", err, rep)
	}
	raw := rawDB(t, db)
	var visits, withDiagnosis, withServices, letters, diagnoses int
	raw.QueryRow(`SELECT count(*) FROM visits WHERE status = 'completed'`).Scan(&visits)
	raw.QueryRow(`SELECT count(DISTINCT visit_id) FROM visit_records WHERE entity = 'diagnoses'`).Scan(&withDiagnosis)
	raw.QueryRow(`SELECT count(DISTINCT v.id) FROM visits v JOIN invoice_lines l ON l.invoice_id = v.invoice_id
		WHERE l.code NOT LIKE 'CONS%'`).Scan(&withServices)
	raw.QueryRow(`SELECT count(*) FROM letters`).Scan(&letters)
	raw.QueryRow(`SELECT count(*) FROM diagnoses`).Scan(&diagnoses)
	if visits < 15 || withDiagnosis < visits/2 || withServices == 0 || letters == 0 || diagnoses < 150 {
		t.Fatalf("the default demo: %d visits, %d with a diagnosis, %d with services, %d letters, %d diagnoses",
			visits, withDiagnosis, withServices, letters, diagnoses)
	}
	t.Logf("the default demo: %d visits, %d with a diagnosis, %d with services, %d letters, %d diagnoses, %d this month",
		visits, withDiagnosis, withServices, letters, diagnoses, rep.Total)
}

// TestChartNextAppointment checks that the chart shows the soonest
// appointment that is not over and not cancelled.
func TestChartNextAppointment(t *testing.T) {
	c := mustSetup(t)
	ctx := c.ctx(app.RoleAdmin)
	pid := c.patient2.PatientID
	chart, err := c.svc.Clinical.GetChart(ctx, pid)
	if err != nil || chart.NextAppointment != nil {
		t.Fatalf("no appointments yet: %v %+v", err, chart.NextAppointment)
	}
	doc := c.users[app.RoleDoctor]
	if _, err := c.svc.Appointments.SetAvailability(ctx, doc.ID, []app.Availability{
		{Weekday: time.Thursday, Start: "08:00", End: "12:00", SlotMinutes: 15},
		{Weekday: time.Friday, Start: "08:00", End: "12:00", SlotMinutes: 15},
	}); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Athens")
	// The fixture's clock is Wed 25 Nov 2026 09:00 UTC.
	later := time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
	sooner := time.Date(2026, 11, 26, 9, 0, 0, 0, loc)
	for _, start := range []time.Time{later, sooner} {
		if _, err := c.svc.Appointments.Book(ctx, app.AppointmentCreate{PatientID: pid, DoctorID: doc.ID, Start: start,
			Minutes: 15, Reason: "check-up"}); err != nil {
			t.Fatal(err)
		}
	}
	chart, err = c.svc.Clinical.GetChart(ctx, pid)
	if err != nil || chart.NextAppointment == nil || !chart.NextAppointment.Start.Equal(sooner) {
		t.Fatalf("next appointment: %v %+v", err, chart.NextAppointment)
	}
	if _, err := c.svc.Appointments.Cancel(ctx, chart.NextAppointment.ID, "patient called"); err != nil {
		t.Fatal(err)
	}
	chart, _ = c.svc.Clinical.GetChart(ctx, pid)
	if chart.NextAppointment == nil || !chart.NextAppointment.Start.Equal(later) {
		t.Fatalf("after cancelling the sooner one: %+v", chart.NextAppointment)
	}
}

// demoNoPrescriptionAgainstAllergy: no drug prescribed in the demo
// contradicts an allergy recorded (and not removed) before it, by the drug
// catalogue's check: the same substance, the class, or a cross-reaction.
func demoNoPrescriptionAgainstAllergy(t *testing.T, db *data.DB) {
	t.Helper()
	rows, err := datatest.RawDB(t, db).Query(`SELECT i.drug, a.substance, a.severity FROM prescription_items i
		JOIN prescriptions p ON p.id = i.prescription_id
		JOIN allergies a ON a.patient_id = p.patient_id AND a.created_at <= p.created_at AND a.deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var drug, substance, severity string
		if err := rows.Scan(&drug, &substance, &severity); err != nil {
			t.Fatal(err)
		}
		n++
		check := drugs.Default().CheckPrescription("The patient", []app.PrescriptionItem{{Drug: drug}},
			[]*app.Allergy{{Substance: substance, Severity: app.Severity(severity)}}, nil)
		if check.Warns() {
			t.Errorf("the demo prescribes %s to a patient allergic to %s: %s", drug, substance, check.Warning)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no demo patient with an allergy has a prescription: nothing was checked")
	}
}

// demoNamesMatchSex: no demo patient has a given name, or a family name
// whose form follows the sex, of the other sex.
func demoNamesMatchSex(t *testing.T, db *data.DB) {
	t.Helper()
	names := data.DemoNamesBySex()
	other := map[app.Sex]app.Sex{app.SexFemale: app.SexMale, app.SexMale: app.SexFemale}
	rows, err := datatest.RawDB(t, db).Query(`SELECT given_name, family_name, sex FROM patients`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var given, family string
		var sex app.Sex
		if err := rows.Scan(&given, &family, &sex); err != nil {
			t.Fatal(err)
		}
		n++
		if o, ok := other[sex]; ok && (slices.Contains(names[o], given) || slices.Contains(names[o], family)) {
			t.Errorf("%s %s is recorded as %s", given, family, sex)
		}
	}
	if n < 1000 {
		t.Fatalf("%d patients checked", n)
	}
}

// demoVisitsAndDiagnoses: the demo's consultations carry ICD-10-CM
// diagnoses, so that the morbidity report and the dashboard have content;
// the last fortnight's are visits, completed, each with a draft invoice of
// the doctor's consultation and the services performed, and the records
// made in them linked; the demo patient's last review is one.
func demoVisitsAndDiagnoses(t *testing.T, db *data.DB, me context.Context, patientID string) {
	t.Helper()
	svc := db.Services()
	visits, err := svc.Visits.FindVisits(me, patientID)
	if err != nil || len(visits) != 1 {
		t.Fatalf("the demo patient's visits: %d, %v", len(visits), err)
	}
	v := visits[0]
	kinds := map[string]int{}
	for _, r := range v.Records {
		kinds[r.Entity]++
	}
	if v.Status != app.VisitCompleted || v.InvoiceID == "" || kinds["vitals"] != 1 || kinds["notes"] != 2 || kinds["diagnoses"] != 1 {
		t.Errorf("the demo patient's visit: %+v, records %v", v, kinds)
	}
	raw := rawDB(t, db)
	var lines string
	raw.QueryRow(`SELECT group_concat(code, ' ') FROM (SELECT code FROM invoice_lines WHERE invoice_id = ? ORDER BY position)`,
		v.InvoiceID).Scan(&lines)
	if lines != "CONS-HOUSE LAB-LIPID" {
		t.Errorf("the demo patient's visit billed %q", lines)
	}
	var visitsDone, drafts, linked, diagnoses, coded int
	raw.QueryRow(`SELECT count(*) FROM visits WHERE status = 'completed'`).Scan(&visitsDone)
	raw.QueryRow(`SELECT count(*) FROM visits v JOIN invoices i ON i.id = v.invoice_id WHERE i.status = 'draft'`).Scan(&drafts)
	raw.QueryRow(`SELECT count(DISTINCT visit_id) FROM visit_records WHERE entity = 'diagnoses'`).Scan(&linked)
	raw.QueryRow(`SELECT count(*), count(DISTINCT code) FROM diagnoses`).Scan(&diagnoses, &coded)
	if visitsDone < 2 || drafts != visitsDone || linked < visitsDone/2 {
		t.Errorf("%d completed visits, %d with a draft invoice, %d with a diagnosis", visitsDone, drafts, linked)
	}
	if diagnoses < 200 || coded < 15 {
		t.Errorf("%d diagnoses with %d codes", diagnoses, coded)
	}
	var open int
	raw.QueryRow(`SELECT count(*) FROM visits WHERE status = 'open'`).Scan(&open)
	if open != 0 {
		t.Errorf("%d demo visits left open", open)
	}
	s, err := svc.Users.Login(anon, "admin", "demo admin password")
	if err != nil {
		t.Fatal(err)
	}
	admin := app.NewContextWithCaller(context.Background(), s.Caller())
	now := time.Now()
	rep, err := svc.Diagnoses.MorbidityReport(admin, app.MorbidityFilter{From: now.AddDate(-1, 0, 0), To: now})
	if err != nil || rep.Total < 60 || len(rep.ByCode) < 10 {
		t.Fatalf("the morbidity report of the last year: %v, %d diagnoses, %d codes", err, rep.Total, len(rep.ByCode))
	}
}
