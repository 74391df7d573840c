package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"hms/app"
	"hms/app/drugs"
)

// demoClinicalMax bounds how many patients get a clinical record in the
// demo, so that a demo of a million patients stays fast; one patient in ten
// gets one up to that.
const demoClinicalMax = 2000

// clinicalDemoEvent is one clinical action of the demo, done at a time in the past
// by a member of staff. The actions of every patient are sorted by time and
// replayed in order, so that timelines, prescription numbers and activity
// order all agree with the dates.
type clinicalDemoEvent struct {
	at  time.Time
	who app.Caller
	do  func(tx *Tx) error
}

// clinicalDemoStaff are the demo accounts that write clinical records.
type clinicalDemoStaff struct {
	doctors []app.Caller
	nurse   app.Caller
	// services are the price list's items a visit bills, by code.
	services map[string]string
}

// demoClinical gives the demo patient account ("patient") a full clinical
// record, and one patient in ten (at most demoClinicalMax) a realistic one:
// allergies, problems, series of vitals, notes with addenda, prescriptions
// in every status and assignments to the demo doctors. Everything goes
// through the same tx helpers as the services, with an audit row each,
// named after the member of staff who did it.
func (db *DB) demoClinical(ctx context.Context, rng *rand.Rand, patients int) error {
	staff, err := db.findClinicalDemoStaff(ctx)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	var events []clinicalDemoEvent

	var own string
	if err := db.r.QueryRowContext(ctx, `SELECT patient_id FROM users WHERE username = 'patient'`).Scan(&own); err != nil {
		return fmt.Errorf("demo clinical: the demo patient: %w", err)
	}
	// The demo patient registered at the desk two and a half years ago and
	// made an account today: move the registration back so that the
	// timeline begins with it.
	registered := now.AddDate(-2, -6, 0)
	if err := db.write(ctx, "patient.import", func(tx *Tx) error {
		for _, q := range []string{`UPDATE patients SET created_at = ? WHERE id = ?`,
			`UPDATE patient_events SET at = ? WHERE patient_id = ? AND kind = 'registration'`} {
			if _, err := tx.ExecContext(ctx, q, formatTime(registered), own); err != nil {
				return err
			}
		}
		tx.Audit("patient.import", "patients", own, own, "demo data: registered two and a half years ago")
		return nil
	}); err != nil {
		return fmt.Errorf("demo clinical: %w", err)
	}
	events = append(events, demoClinicalOwnRecord(own, staff, now)...)

	// One patient in ten has a record; a small clinic's sample is larger
	// (a quarter, up to 150) so that its recent weeks are not empty.
	sample, err := db.clinicalDemoSample(ctx, rng, min(demoClinicalMax, max(patients/10, min(patients/4, 150))), own, now)
	if err != nil {
		return err
	}
	clinic, err := readSettings(ctx, db.r)
	if err != nil {
		return fmt.Errorf("demo clinical: %w", err)
	}
	local := now.In(clinic.Location())
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, clinic.Location()).UTC()
	for _, p := range sample {
		events = append(events, demoClinicalRecord(rng, p.id, p.since, now, monthStart, staff)...)
	}
	slices.SortStableFunc(events, func(a, b clinicalDemoEvent) int { return a.at.Compare(b.at) })

	// Each record names the member of staff who made it, not the
	// administrator running the demo.
	names := map[string]string{}
	for _, c := range append(slices.Clone(staff.doctors), staff.nurse) {
		var name string
		if err := db.r.QueryRowContext(ctx, `SELECT full_name FROM users WHERE id = ?`, c.UserID).Scan(&name); err != nil {
			return fmt.Errorf("demo clinical: account %s: %w", c.Username, err)
		}
		names[c.UserID] = name
	}
	const batch = 1000
	for start := 0; start < len(events); start += batch {
		part := events[start:min(start+batch, len(events))]
		err := db.write(ctx, "clinical.import", func(tx *Tx) error {
			made, madeBy := tx.now, tx.callerFullName
			defer func() { tx.callerFullName = madeBy }()
			for _, ev := range part {
				tx.now, tx.caller = ev.at.UTC().Truncate(time.Millisecond), ev.who
				tx.callerFullName = names[ev.who.UserID]
				if err := ev.do(tx); err != nil {
					return err
				}
			}
			tx.now = made // the audit rows say when the demo was made
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo clinical records: %w", err)
		}
	}
	return nil
}

func (db *DB) findClinicalDemoStaff(ctx context.Context) (*clinicalDemoStaff, error) {
	s := &clinicalDemoStaff{services: map[string]string{}}
	rows, err := db.r.QueryContext(ctx, `SELECT code, id FROM price_items WHERE kind <> 'consultation'`)
	if err != nil {
		return nil, fmt.Errorf("demo clinical: the price list: %w", err)
	}
	for rows.Next() {
		var code, id string
		if err := rows.Scan(&code, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("demo clinical: the price list: %w", err)
		}
		s.services[code] = id
	}
	rows.Close()
	for _, name := range []string{"dr.house", "dr.ivanova", "nurse.joy"} {
		c := app.Caller{Username: name}
		if err := db.r.QueryRowContext(ctx, `SELECT id, role FROM users WHERE username = ?`, name).Scan(&c.UserID, &c.Role); err != nil {
			return nil, fmt.Errorf("demo clinical: account %s: %w", name, err)
		}
		if c.Role == app.RoleDoctor {
			s.doctors = append(s.doctors, c)
		} else {
			s.nurse = c
		}
	}
	return s, nil
}

type clinicalDemoPatient struct {
	id    string
	since time.Time
}

// clinicalDemoSample picks n patients at random by rowid (no scan of a big table),
// each registered at least a week ago.
func (db *DB) clinicalDemoSample(ctx context.Context, rng *rand.Rand, n int, except string, now time.Time) ([]clinicalDemoPatient, error) {
	var maxRow int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM patients`).Scan(&maxRow); err != nil {
		return nil, fmt.Errorf("demo clinical: %w", err)
	}
	seen := map[int64]bool{}
	var out []clinicalDemoPatient
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		row := 1 + rng.Int64N(max(maxRow, 1))
		if seen[row] {
			continue
		}
		seen[row] = true
		var p clinicalDemoPatient
		var created string
		err := db.r.QueryRowContext(ctx, `SELECT id, created_at FROM patients WHERE rowid = ? AND deleted_at IS NULL`, row).
			Scan(&p.id, &created)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("demo clinical: %w", err)
		}
		p.since = parseTime(created)
		if p.id == except || p.since.After(now.AddDate(0, 0, -7)) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// prescriptionAction is the audit action of a prescription's status change,
// as the service names it.
func prescriptionAction(status app.PrescriptionStatus) string {
	if status == app.PrescriptionCancelled {
		return "prescription.cancel"
	}
	return "prescription.complete"
}

// clinicalDemoAudit appends the audit row of a demo action, named after the member
// of staff who did it.
func (tx *Tx) clinicalDemoAudit(action, entity, id, patientID, detail string) {
	who := tx.caller
	tx.audits = append(tx.audits, auditEvent{action: action, entity: entity, entityID: id, patientID: patientID,
		detail: "demo data: " + detail, outcome: app.OutcomeOK, who: &who})
}

// The demo's clinical vocabulary.
var (
	demoClinicalAllergies = []app.AllergyCreate{
		{Substance: "Penicillin", Reaction: "Anaphylaxis", Severity: app.SeveritySevere},
		{Substance: "Sulfonamides", Reaction: "Maculopapular rash", Severity: app.SeverityModerate},
		{Substance: "Latex", Reaction: "Contact dermatitis", Severity: app.SeverityMild},
		{Substance: "Peanuts", Reaction: "Throat swelling", Severity: app.SeveritySevere},
		{Substance: "Ibuprofen", Reaction: "Hives", Severity: app.SeverityModerate},
		{Substance: "Codeine", Reaction: "Nausea and vomiting", Severity: app.SeverityModerate},
		{Substance: "Shellfish", Reaction: "Anaphylaxis", Severity: app.SeveritySevere},
		{Substance: "Iodinated contrast", Reaction: "Urticaria", Severity: app.SeverityModerate},
		{Substance: "Amoxicillin", Reaction: "Angioedema", Severity: app.SeveritySevere},
		{Substance: "Pollen", Reaction: "Allergic rhinitis", Severity: app.SeverityMild},
	}
	demoClinicalChronic = []string{"Essential hypertension", "Type 2 diabetes mellitus", "Asthma", "Hypothyroidism",
		"Hyperlipidaemia", "Gastro-oesophageal reflux disease", "Migraine without aura", "Osteoarthritis of the knee",
		"Iron-deficiency anaemia", "Major depressive disorder, single episode"}
	demoClinicalAcute = []string{"Acute bronchitis", "Urinary tract infection", "Community-acquired pneumonia",
		"Ankle sprain", "Acute otitis media", "Viral gastroenteritis"}
	// demoClinicalChronicCodes and demoClinicalAcuteCodes are the
	// ICD-10-CM codes of the conditions above, in their order.
	demoClinicalChronicCodes = []string{"I10", "E11.9", "J45.909", "E03.9", "E78.5", "K21.9", "G43.009", "M17.9", "D50.9", "F32.9"}
	demoClinicalAcuteCodes   = []string{"J20.9", "N39.0", "J18.9", "S93.401A", "H66.90", "A08.4"}
	demoClinicalDrugs        = []app.PrescriptionItem{
		{Drug: "Amoxicillin", Strength: "500 mg", Dose: "1 capsule", Route: "oral", Frequency: "three times a day", Duration: "7 days", Quantity: "21 capsules", Instructions: "Finish the course."},
		{Drug: "Metformin", Strength: "850 mg", Dose: "1 tablet", Route: "oral", Frequency: "twice a day", Duration: "90 days", Quantity: "180 tablets", Instructions: "Take with meals."},
		{Drug: "Lisinopril", Strength: "10 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "90 days", Quantity: "90 tablets"},
		{Drug: "Atorvastatin", Strength: "20 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day at night", Duration: "90 days", Quantity: "90 tablets"},
		{Drug: "Salbutamol inhaler", Strength: "100 micrograms/dose", Dose: "2 puffs", Route: "inhaled", Frequency: "when needed", Duration: "3 months", Quantity: "1 inhaler", Instructions: "Up to 4 times a day; see the doctor if needed more often."},
		{Drug: "Omeprazole", Strength: "20 mg", Dose: "1 capsule", Route: "oral", Frequency: "once a day", Duration: "28 days", Quantity: "28 capsules", Instructions: "Before breakfast."},
		{Drug: "Paracetamol", Strength: "500 mg", Dose: "1–2 tablets", Route: "oral", Frequency: "every 6 hours when needed", Duration: "5 days", Quantity: "20 tablets", Instructions: "No more than 8 tablets in 24 hours."},
		{Drug: "Ibuprofen", Strength: "400 mg", Dose: "1 tablet", Route: "oral", Frequency: "three times a day", Duration: "5 days", Quantity: "15 tablets", Instructions: "Take with food."},
		{Drug: "Levothyroxine", Strength: "50 micrograms", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "90 days", Quantity: "90 tablets", Instructions: "In the morning, 30 minutes before food."},
		{Drug: "Sertraline", Strength: "50 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "28 days", Quantity: "28 tablets"},
		{Drug: "Azithromycin", Strength: "500 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "3 days", Quantity: "3 tablets"},
		{Drug: "Nitrofurantoin", Strength: "100 mg", Dose: "1 capsule", Route: "oral", Frequency: "twice a day", Duration: "5 days", Quantity: "10 capsules", Instructions: "Take with food."},
		{Drug: "Ferrous sulfate", Strength: "200 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "3 months", Quantity: "90 tablets"},
	}
	demoClinicalSOAP = []app.NoteCreate{
		{Subjective: "Cough for five days, yellow sputum, no fever at home.", Objective: "Chest: scattered wheeze, no crackles. Throat mildly red.", Assessment: "Acute bronchitis.", Plan: "Fluids, paracetamol when needed; return if fever or breathlessness."},
		{Subjective: "Routine review. Feels well, taking medication as prescribed.", Objective: "BP at target. No oedema.", Assessment: "Hypertension, well controlled.", Plan: "Continue; review in three months with blood tests."},
		{Subjective: "Headaches twice a week, worse with screen work.", Objective: "Neurological examination normal. Fundi normal.", Assessment: "Tension-type headache.", Plan: "Posture and screen breaks; paracetamol when needed; headache diary."},
		{Subjective: "Burning on passing urine for two days.", Objective: "Afebrile. Suprapubic tenderness. Urine dipstick: nitrites positive.", Assessment: "Uncomplicated urinary tract infection.", Plan: "Nitrofurantoin for five days; fluids."},
		{Subjective: "Tired for months, short of breath on stairs.", Objective: "Pale conjunctivae. Hb 9.8 g/dL, ferritin low.", Assessment: "Iron-deficiency anaemia.", Plan: "Oral iron; recheck blood count in eight weeks; ask about diet and bleeding."},
		{Subjective: "Knee pain on walking, stiffness in the morning for ten minutes.", Objective: "Crepitus right knee, no effusion, full range of movement.", Assessment: "Osteoarthritis of the right knee.", Plan: "Exercise programme, weight advice, paracetamol when needed."},
	}
	// demoClinicalSOAPCoded are the ICD-10-CM code of each of
	// demoClinicalSOAP's assessments and the service the visit bills, if any.
	demoClinicalSOAPCoded = []struct{ code, service string }{
		{"J20.9", ""}, {"I10", "LAB-LIPID"}, {"G44.209", ""}, {"N39.0", "LAB-URINE"}, {"D50.9", "LAB-CBC"}, {"M17.11", ""},
	}
	// demoClinicalTextCoded are the same for demoClinicalText.
	demoClinicalTextCoded = []struct{ code, service string }{
		{"E11.9", "LAB-HBA1C"}, {"", ""}, {"Z79.899", ""}, {"Z09", "PROC-DRESS"},
	}
	demoClinicalText = []string{
		"Blood results reviewed: HbA1c 7.4 %, lipids within target. Discussed diet and activity; patient motivated.",
		"Telephone consultation: symptoms improving, no red flags. Continue current plan.",
		"Seen with daughter. Medication reviewed and simplified; written plan given.",
		"Post-operative review: wound healing well, sutures out today.",
	}
	demoClinicalNursing = []string{
		"Vital signs taken on arrival; patient comfortable and oriented.",
		"Wound dressing changed; clean and dry, no signs of infection.",
		"Inhaler technique checked and corrected; patient demonstrated it back.",
		"Blood taken for full blood count and ferritin; sample sent to the lab.",
		"Influenza vaccine given, left deltoid; no immediate reaction.",
	}
	demoClinicalAddenda = []string{
		"Correction: the right knee, not the left, as written above.",
		"Lab result received after the consultation: within normal range. Plan unchanged.",
		"Patient phoned back: the dose was confirmed and understood.",
	}
	// demoClinicalLetters are the letters a visit with a diagnosis of
	// that code may end with.
	demoClinicalLetters = map[string]struct {
		kind            app.LetterKind
		days            int
		recipient, text string
	}{
		"J20.9":   {kind: app.LetterSickNote, days: 5, text: "Acute bronchitis: rest at home."},
		"N39.0":   {kind: app.LetterSickNote, days: 2},
		"G44.209": {kind: app.LetterSickNote, days: 1},
		"I10": {kind: app.LetterReferral, recipient: "Cardiology outpatients, City Hospital",
			text: "Raised blood pressure on repeated readings. Please assess for secondary causes and advise on treatment."},
		"D50.9": {kind: app.LetterReferral, recipient: "Gastroenterology outpatients, City Hospital",
			text: "Iron-deficiency anaemia (Hb 9.8 g/dL, low ferritin) with no obvious cause. Please consider endoscopy."},
		"M17.11": {kind: app.LetterReferral, recipient: "Physiotherapy department",
			text: "Osteoarthritis of the right knee. Please assess and start an exercise programme."},
		"E11.9": {kind: app.LetterReferral, recipient: "Diabetic eye screening service",
			text: "Type 2 diabetes mellitus. Annual retinal screening, please."},
	}
	demoClinicalCancelReasons = []string{"Dose changed: a new prescription was issued.", "Patient reported side effects.",
		"Prescribed in error for the wrong strength."}
)

// demoClinicalVitals returns a plausible set of vitals for a patient's baseline,
// with day-to-day variation.
func demoClinicalVitals(rng *rand.Rand, base app.Vitals, full bool) app.Vitals {
	v := app.Vitals{PatientID: base.PatientID}
	v.Systolic = base.Systolic + rng.IntN(17) - 8
	v.Diastolic = min(base.Diastolic+rng.IntN(11)-5, v.Systolic-20)
	v.Pulse = base.Pulse + rng.IntN(15) - 7
	v.TemperatureC = float64(int((36.4+rng.Float64()*0.9)*10)) / 10
	v.SpO2 = min(100, base.SpO2+rng.IntN(3)-1)
	if full {
		v.RespRate = 12 + rng.IntN(8)
		v.WeightKg = float64(int((base.WeightKg+rng.Float64()*2-1)*10)) / 10
		v.HeightCm = base.HeightCm
	}
	return v
}

// demoClinicalRecord is the clinical story of one patient between since and now: a
// few visits, each with vitals taken by the nurse and a note by a doctor,
// some with a prescription, an allergy or a problem.
func demoClinicalRecord(rng *rand.Rand, patientID string, since, now, monthStart time.Time, staff *clinicalDemoStaff) []clinicalDemoEvent {
	start := since.Add(24 * time.Hour)
	if earliest := now.AddDate(-3, 0, 0); start.Before(earliest) {
		start = earliest
	}
	span := now.Add(-2 * time.Hour).Sub(start)
	if span <= 0 {
		return nil
	}
	visits := make([]time.Time, 1+rng.IntN(6))
	for i := range visits {
		t := start.Add(time.Duration(rng.Int64N(int64(span))))
		// Consulting hours, 08:00 to 17:00 UTC.
		visits[i] = time.Date(t.Year(), t.Month(), t.Day(), 8+rng.IntN(9), rng.IntN(60), 0, 0, time.UTC)
		if visits[i].After(now.Add(-time.Hour)) {
			visits[i] = now.Add(-time.Hour)
		}
	}
	// The recent weeks: most patients were seen in the last six, some of
	// them this month (in the clinic's zone), so that the doctors' lists,
	// the visits and the dashboard's diagnoses of the month have them.
	recent := func(from time.Time) time.Time {
		t := from.Add(time.Duration(rng.Int64N(int64(now.Add(-time.Hour).Sub(from)))))
		t = time.Date(t.Year(), t.Month(), t.Day(), 8+rng.IntN(9), rng.IntN(60), 0, 0, time.UTC)
		if t.After(now.Add(-time.Hour)) {
			t = now.Add(-time.Hour)
		}
		return t
	}
	later := func(a, b time.Time) time.Time {
		if a.After(b) {
			return a
		}
		return b
	}
	if from := later(start, now.AddDate(0, 0, -42)); rng.IntN(10) < 7 && now.Add(-time.Hour).After(from) {
		visits = append(visits, recent(from))
	}
	if from := later(start, monthStart); rng.IntN(4) == 0 && now.Add(-2*time.Hour).After(from) {
		visits = append(visits, recent(from))
	}
	slices.SortFunc(visits, func(a, b time.Time) int { return a.Compare(b) })
	// Visits at least two hours apart: each is over before the next.
	// (CompactFunc passes the later of two neighbours first: the
	// difference is taken either way.)
	visits = slices.CompactFunc(visits, func(a, b time.Time) bool { return a.Sub(b).Abs() < 2*time.Hour })

	doctor := staff.doctors[rng.IntN(len(staff.doctors))]
	base := app.Vitals{PatientID: patientID, Systolic: 105 + rng.IntN(45), Pulse: 60 + rng.IntN(30), SpO2: 95 + rng.IntN(5),
		WeightKg: float64(50 + rng.IntN(55)), HeightCm: float64(150 + rng.IntN(45))}
	base.Diastolic = base.Systolic*2/3 - rng.IntN(8)
	var evs []clinicalDemoEvent
	add := func(at time.Time, who app.Caller, do func(tx *Tx) error) {
		evs = append(evs, clinicalDemoEvent{at: at, who: who, do: do})
	}

	// Allergies and the long-term problems are taken at the first visit.
	first := visits[0]
	var allergies []*app.Allergy
	if rng.IntN(10) < 3 {
		for _, i := range rng.Perm(len(demoClinicalAllergies))[:1+rng.IntN(2)] {
			c := demoClinicalAllergies[i]
			c.PatientID = patientID
			allergies = append(allergies, &app.Allergy{Substance: c.Substance})
			add(first.Add(5*time.Minute), doctor, func(tx *Tx) error {
				a, err := tx.addAllergy(c)
				if err == nil {
					tx.clinicalDemoAudit("allergy.add", "allergies", a.ID, patientID, a.Substance)
				}
				return err
			})
		}
	}
	if rng.IntN(2) == 0 {
		onset := first.AddDate(-1-rng.IntN(15), 0, 0).Format("2006")
		k := rng.IntN(len(demoClinicalChronic))
		c := app.ProblemCreate{PatientID: patientID, Condition: demoClinicalChronic[k], Onset: onset}
		add(first.Add(6*time.Minute), doctor, func(tx *Tx) error {
			p, err := tx.addProblem(c)
			if err == nil {
				tx.clinicalDemoAudit("problem.add", "problems", p.ID, patientID, p.Condition)
			}
			return err
		})
		demoDiagnose(add, first.Add(7*time.Minute), doctor, patientID, demoClinicalChronicCodes[k], "Known since "+onset)
	}
	if len(visits) > 1 || rng.IntN(3) == 0 {
		reason := []string{"Follow-up of chronic conditions", "Acute illness", "Annual health check", "Post-operative care"}[rng.IntN(4)]
		c := app.AssignmentCreate{PatientID: patientID, DoctorID: doctor.UserID, Reason: reason, StartDate: first.Format(app.DateLayout)}
		var id string
		add(first.Add(-10*time.Minute), doctor, func(tx *Tx) error {
			a, err := tx.assignDoctor(c)
			if err == nil {
				id = a.ID
				tx.clinicalDemoAudit("assignment.create", "assignments", a.ID, patientID, a.DoctorName+": "+a.Reason)
			}
			return err
		})
		if last := visits[len(visits)-1]; rng.IntN(3) == 0 && last.Sub(first) > 48*time.Hour {
			add(last.Add(30*time.Minute), doctor, func(tx *Tx) error {
				a, err := tx.endAssignment(id, app.AssignmentCompleted)
				if err == nil {
					tx.clinicalDemoAudit("assignment.end", "assignments", id, patientID, a.DoctorName+": completed")
				}
				return err
			})
		}
	}

	for i, at := range visits {
		v := demoClinicalVitals(rng, base, i == 0 || rng.IntN(3) == 0)
		add(at, staff.nurse, func(tx *Tx) error {
			out, err := tx.recordVitals(v)
			if err == nil {
				tx.clinicalDemoAudit("vitals.record", "vitals", out.ID, patientID, describeVitals(out))
			}
			return err
		})
		if rng.IntN(4) == 0 {
			n := app.NoteCreate{PatientID: patientID, Kind: app.NoteNursing, Text: demoClinicalNursing[rng.IntN(len(demoClinicalNursing))]}
			add(at.Add(3*time.Minute), staff.nurse, func(tx *Tx) error {
				out, err := tx.addNote(n)
				if err == nil {
					tx.clinicalDemoAudit("note.add", "notes", out.ID, patientID, "nursing note")
				}
				return err
			})
		}
		k := rng.IntN(len(demoClinicalSOAP))
		n, coded := demoClinicalSOAP[k], demoClinicalSOAPCoded[k]
		if rng.IntN(3) == 0 {
			k = rng.IntN(len(demoClinicalText))
			n, coded = app.NoteCreate{Text: demoClinicalText[k]}, demoClinicalTextCoded[k]
		}
		n.PatientID, n.Kind = patientID, app.NoteClinical
		var noteID string
		add(at.Add(15*time.Minute), doctor, func(tx *Tx) error {
			out, err := tx.addNote(n)
			if err == nil {
				noteID = out.ID
				tx.clinicalDemoAudit("note.add", "notes", out.ID, patientID, "clinical note")
			}
			return err
		})
		if coded.code != "" {
			add(at.Add(17*time.Minute), doctor, func(tx *Tx) error {
				d, err := tx.addDiagnosis(app.DiagnosisCreate{PatientID: patientID, NoteID: noteID, System: app.CodeSystemICD10CM,
					Code: coded.code})
				if err == nil {
					tx.clinicalDemoAudit("diagnosis.add", "diagnoses", d.ID, patientID, d.Label())
				}
				return err
			})
		}
		// The last fortnight's consultations are visits: started by the
		// doctor before the nurse's vitals, completed with the services
		// billed into a draft invoice that billing issues.
		if at.After(now.AddDate(0, 0, -14)) {
			var visit *app.Visit
			add(at.Add(-2*time.Minute), doctor, func(tx *Tx) (err error) {
				visit, err = tx.startVisit(app.VisitStart{PatientID: patientID})
				return err
			})
			var services []app.VisitServiceLine
			if coded.service != "" {
				services = append(services, app.VisitServiceLine{PriceItemID: staff.services[coded.service], Quantity: 1})
			}
			if rng.IntN(4) == 0 {
				services = append(services, app.VisitServiceLine{PriceItemID: staff.services["PROC-ECG"], Quantity: 1})
			}
			// Some visits end with a letter: a certificate for an acute
			// illness, a referral for a condition to look into.
			if l, ok := demoClinicalLetters[coded.code]; ok && rng.IntN(3) == 0 {
				r := app.LetterRequest{PatientID: patientID, Kind: l.kind, Recipient: l.recipient, Text: l.text}
				if l.kind == app.LetterSickNote {
					r.From = at.Format(app.DateLayout)
					r.To = at.AddDate(0, 0, l.days-1).Format(app.DateLayout)
				}
				add(at.Add(30*time.Minute), doctor, func(tx *Tx) error { return tx.demoLetter(r) })
			}
			add(at.Add(40*time.Minute), doctor, func(tx *Tx) error {
				return tx.completeVisit(visit, services)
			})
		}
		if rng.IntN(8) == 0 && at.Add(26*time.Hour).Before(now) {
			a := app.NoteCreate{PatientID: patientID, Kind: app.NoteClinical, Text: demoClinicalAddenda[rng.IntN(len(demoClinicalAddenda))]}
			add(at.Add(26*time.Hour), doctor, func(tx *Tx) error {
				a.AddendumTo = noteID
				out, err := tx.addNote(a)
				if err == nil {
					tx.clinicalDemoAudit("note.add", "notes", out.ID, patientID, "addendum to "+noteID)
				}
				return err
			})
		}
		if rng.IntN(2) == 0 {
			item := demoClinicalDrugs[rng.IntN(len(demoClinicalDrugs))]
			if drugs.Default().CheckPrescription("", []app.PrescriptionItem{item}, allergies, nil).Warns() {
				continue // a careful doctor
			}
			c := app.PrescriptionCreate{PatientID: patientID, Items: []app.PrescriptionItem{item}}
			var rxID string
			add(at.Add(20*time.Minute), doctor, func(tx *Tx) error {
				out, err := tx.prescribe(c)
				if app.ErrorCode(err) == app.ECONFLICT && app.ErrorField(err) == "allergy" {
					return nil // the same drug or class is still current: a careful doctor does not add it
				}
				if err == nil {
					rxID = out.ID
					tx.clinicalDemoAudit("prescription.create", "prescriptions", out.ID, patientID, out.Number)
				}
				return err
			})
			// Older prescriptions are completed at the next visit, some cancelled.
			if i+1 < len(visits) && visits[i+1].Sub(at) > time.Hour {
				status, reason := app.PrescriptionCompleted, ""
				if rng.IntN(6) == 0 {
					status, reason = app.PrescriptionCancelled, demoClinicalCancelReasons[rng.IntN(len(demoClinicalCancelReasons))]
				}
				add(visits[i+1].Add(10*time.Minute), doctor, func(tx *Tx) error {
					if rxID == "" {
						return nil // not prescribed after all
					}
					out, err := tx.finishPrescription(rxID, status, reason)
					if err == nil {
						tx.clinicalDemoAudit(prescriptionAction(status), "prescriptions", rxID, patientID, out.Number)
					}
					return err
				})
			}
		}
		if i > 0 && rng.IntN(5) == 0 {
			k := rng.IntN(len(demoClinicalAcute))
			acute := demoClinicalAcute[k]
			demoDiagnose(add, at.Add(18*time.Minute), doctor, patientID, demoClinicalAcuteCodes[k], "")
			var problemID string
			add(at.Add(16*time.Minute), doctor, func(tx *Tx) error {
				p, err := tx.addProblem(app.ProblemCreate{PatientID: patientID, Condition: acute,
					Onset: at.Add(-72 * time.Hour).Format(app.DateLayout)})
				if err == nil {
					problemID = p.ID
					tx.clinicalDemoAudit("problem.add", "problems", p.ID, patientID, p.Condition)
				}
				return err
			})
			if i+1 < len(visits) && visits[i+1].Sub(at) > time.Hour {
				add(visits[i+1].Add(12*time.Minute), doctor, func(tx *Tx) error {
					p, err := tx.resolveProblem(problemID, visits[i+1].Format(app.DateLayout))
					if err == nil {
						tx.clinicalDemoAudit("problem.resolve", "problems", problemID, patientID, p.Condition)
					}
					return err
				})
			}
		}
	}
	return evs
}

// demoDiagnose adds a coded diagnosis at at by who.
func demoDiagnose(add func(time.Time, app.Caller, func(*Tx) error), at time.Time, who app.Caller, patientID, code, text string) {
	add(at, who, func(tx *Tx) error {
		d, err := tx.addDiagnosis(app.DiagnosisCreate{PatientID: patientID, System: app.CodeSystemICD10CM, Code: code, Text: text})
		if err == nil {
			tx.clinicalDemoAudit("diagnosis.add", "diagnoses", d.ID, patientID, d.Label())
		}
		return err
	})
}

// demoClinicalOwnRecord is the record of the demo patient account, which shows
// everything a patient can see: allergies (one removed), active and
// resolved problems, a year of vitals, SOAP, free-text and nursing notes
// with an addendum, prescriptions active, completed, cancelled and one
// issued over an acknowledged allergy warning, and two doctors' assignments.
func demoClinicalOwnRecord(patientID string, staff *clinicalDemoStaff, now time.Time) []clinicalDemoEvent {
	house, ivanova, nurse := staff.doctors[0], staff.doctors[len(staff.doctors)-1], staff.nurse
	day := func(daysAgo, hour int) time.Time {
		t := now.AddDate(0, 0, -daysAgo)
		return time.Date(t.Year(), t.Month(), t.Day(), hour, 15, 0, 0, time.UTC)
	}
	var evs []clinicalDemoEvent
	var ids = map[string]string{}
	add := func(at time.Time, who app.Caller, do func(tx *Tx) error) {
		evs = append(evs, clinicalDemoEvent{at: at, who: who, do: do})
	}
	addAllergy := func(at time.Time, key string, c app.AllergyCreate) {
		c.PatientID = patientID
		add(at, house, func(tx *Tx) error {
			a, err := tx.addAllergy(c)
			if err == nil {
				ids[key] = a.ID
				tx.clinicalDemoAudit("allergy.add", "allergies", a.ID, patientID, a.Substance)
			}
			return err
		})
	}
	addProblem := func(at time.Time, key string, c app.ProblemCreate) {
		c.PatientID = patientID
		add(at, house, func(tx *Tx) error {
			p, err := tx.addProblem(c)
			if err == nil {
				ids[key] = p.ID
				tx.clinicalDemoAudit("problem.add", "problems", p.ID, patientID, p.Condition)
			}
			return err
		})
	}
	addNote := func(at time.Time, who app.Caller, key string, c app.NoteCreate) {
		c.PatientID = patientID
		add(at, who, func(tx *Tx) error {
			if c.AddendumTo != "" {
				c.AddendumTo = ids[c.AddendumTo]
			}
			n, err := tx.addNote(c)
			if err == nil {
				ids[key] = n.ID
				tx.clinicalDemoAudit("note.add", "notes", n.ID, patientID, string(n.Kind)+" note")
			}
			return err
		})
	}
	prescribe := func(at time.Time, who app.Caller, key string, c app.PrescriptionCreate) {
		c.PatientID = patientID
		add(at, who, func(tx *Tx) error {
			p, err := tx.prescribe(c)
			if err == nil {
				ids[key] = p.ID
				tx.clinicalDemoAudit("prescription.create", "prescriptions", p.ID, patientID, p.Number)
			}
			return err
		})
	}
	finish := func(at time.Time, who app.Caller, key string, status app.PrescriptionStatus, reason string) {
		add(at, who, func(tx *Tx) error {
			p, err := tx.finishPrescription(ids[key], status, reason)
			if err == nil {
				tx.clinicalDemoAudit(prescriptionAction(status), "prescriptions", p.ID, patientID, p.Number)
			}
			return err
		})
	}

	// First visit, 14 months ago: history taken, asthma review by Dr Ivanova.
	add(day(420, 8), ivanova, func(tx *Tx) error {
		a, err := tx.assignDoctor(app.AssignmentCreate{PatientID: patientID, DoctorID: ivanova.UserID,
			Reason: "Asthma review and inhaler plan", StartDate: day(420, 8).Format(app.DateLayout)})
		if err == nil {
			ids["asthma-care"] = a.ID
			tx.clinicalDemoAudit("assignment.create", "assignments", a.ID, patientID, a.Reason)
		}
		return err
	})
	addAllergy(day(420, 9), "penicillin", app.AllergyCreate{Substance: "Penicillin", Reaction: "Anaphylaxis in 2009", Severity: app.SeveritySevere})
	addAllergy(day(420, 9).Add(time.Minute), "latex", app.AllergyCreate{Substance: "Latex", Reaction: "Itchy rash", Severity: app.SeverityMild})
	addAllergy(day(420, 9).Add(2*time.Minute), "aspirin", app.AllergyCreate{Substance: "Aspirin", Reaction: "Stomach upset", Severity: app.SeverityMild})
	addProblem(day(420, 9).Add(3*time.Minute), "asthma", app.ProblemCreate{Condition: "Asthma", Onset: "1995", Notes: "Childhood onset; exercise-induced symptoms."})
	addProblem(day(420, 9).Add(4*time.Minute), "appendix", app.ProblemCreate{Condition: "Appendicectomy", Onset: "2004-06", Status: app.ProblemResolved})
	addNote(day(420, 9).Add(20*time.Minute), ivanova, "first", app.NoteCreate{Kind: app.NoteClinical,
		Subjective: "Wheeze on exertion and at night twice a week. Uses the reliever inhaler 3–4 times a week.",
		Objective:  "Chest clear at rest. Peak flow 380 L/min (82 % of predicted).",
		Assessment: "Asthma, partly controlled.",
		Plan:       "Add a preventer inhaler; inhaler technique with the nurse; review in three months."})
	addNote(day(420, 9).Add(40*time.Minute), nurse, "technique", app.NoteCreate{Kind: app.NoteNursing,
		Text: "Inhaler technique checked with a spacer; patient demonstrated it correctly. Written asthma plan given."})
	prescribe(day(420, 9).Add(25*time.Minute), ivanova, "salbutamol", app.PrescriptionCreate{Items: []app.PrescriptionItem{
		{Drug: "Salbutamol inhaler", Strength: "100 micrograms/dose", Dose: "2 puffs", Route: "inhaled", Frequency: "when needed", Duration: "6 months", Quantity: "2 inhalers"},
		{Drug: "Beclometasone inhaler", Strength: "100 micrograms/dose", Dose: "2 puffs", Route: "inhaled", Frequency: "twice a day", Duration: "3 months", Quantity: "1 inhaler", Instructions: "Rinse the mouth after use."},
	}, Notes: "Asthma plan: step 2."})
	addNote(day(419, 10), ivanova, "", app.NoteCreate{Kind: app.NoteClinical, AddendumTo: "first",
		Text: "Addendum: peak flow predicted value recalculated for height: 82 % stands. Spacer prescribed separately."})

	// A chest infection, 10 months ago.
	prescribe(day(300, 11), house, "azithro-wrong", app.PrescriptionCreate{Items: []app.PrescriptionItem{
		{Drug: "Azithromycin", Strength: "250 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "5 days", Quantity: "5 tablets"}}})
	finish(day(300, 11).Add(5*time.Minute), house, "azithro-wrong", app.PrescriptionCancelled, "Wrong strength: reissued as 500 mg for three days.")
	prescribe(day(300, 11).Add(6*time.Minute), house, "azithro", app.PrescriptionCreate{Items: []app.PrescriptionItem{
		{Drug: "Azithromycin", Strength: "500 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "3 days", Quantity: "3 tablets"}},
		Notes: "Penicillin allergy: macrolide chosen."})
	addProblem(day(300, 11).Add(2*time.Minute), "bronchitis", app.ProblemCreate{Condition: "Acute bronchitis", Onset: day(304, 8).Format(app.DateLayout)})
	addNote(day(300, 11).Add(time.Minute), house, "bronchitis-note", app.NoteCreate{Kind: app.NoteClinical,
		Subjective: "Productive cough for four days, fever 38.4 °C yesterday.", Objective: "Crackles right base, SpO2 95 %.",
		Assessment: "Lower respiratory tract infection.", Plan: "Azithromycin (penicillin allergy); review in one week."})
	finish(day(292, 10), house, "azithro", app.PrescriptionCompleted, "")
	add(day(292, 10).Add(time.Minute), house, func(tx *Tx) error {
		p, err := tx.resolveProblem(ids["bronchitis"], day(292, 10).Format(app.DateLayout))
		if err == nil {
			tx.clinicalDemoAudit("problem.resolve", "problems", p.ID, patientID, p.Condition)
		}
		return err
	})

	// Raised blood pressure found at reviews; treatment from 6 months ago.
	add(day(180, 9), house, func(tx *Tx) error {
		a, err := tx.assignDoctor(app.AssignmentCreate{PatientID: patientID, DoctorID: house.UserID,
			Reason: "Hypertension: diagnosis and treatment", StartDate: day(180, 9).Format(app.DateLayout)})
		if err == nil {
			tx.clinicalDemoAudit("assignment.create", "assignments", a.ID, patientID, a.Reason)
		}
		return err
	})
	addProblem(day(180, 9).Add(time.Minute), "hypertension", app.ProblemCreate{Condition: "Essential hypertension",
		Onset: day(240, 9).Format("2006-01"), Notes: "Home readings average 148/94."})
	prescribe(day(180, 9).Add(10*time.Minute), house, "lisinopril", app.PrescriptionCreate{Items: []app.PrescriptionItem{
		{Drug: "Lisinopril", Strength: "10 mg", Dose: "1 tablet", Route: "oral", Frequency: "once a day", Duration: "90 days", Quantity: "90 tablets", Instructions: "Check kidney function and potassium in two weeks."}}})
	prescribe(day(180, 9).Add(12*time.Minute), house, "aspirin", app.PrescriptionCreate{
		Notes: "Statin for the raised cardiovascular risk; no aspirin, to which the patient is recorded as allergic.",
		Items: []app.PrescriptionItem{{Drug: "Atorvastatin", Strength: "20 mg", Dose: "1 tablet", Route: "oral",
			Frequency: "once a day at night", Duration: "90 days", Quantity: "90 tablets", Instructions: "Report unexplained muscle pain."}}})
	addNote(day(180, 9).Add(11*time.Minute), house, "", app.NoteCreate{Kind: app.NoteClinical,
		Text: "Ambulatory readings confirm stage 1 hypertension with a raised cardiovascular risk. Started lisinopril and atorvastatin (no aspirin: recorded allergy); lifestyle advice given. Σύσταση: λιγότερο αλάτι."})
	add(day(90, 9), ivanova, func(tx *Tx) error {
		a, err := tx.endAssignment(ids["asthma-care"], app.AssignmentCompleted)
		if err == nil {
			tx.clinicalDemoAudit("assignment.end", "assignments", a.ID, patientID, "completed")
		}
		return err
	})
	add(day(60, 10), house, func(tx *Tx) error {
		a, err := tx.removeAllergy(ids["latex"], "Recorded in error: the rash was from a detergent (patch test negative).")
		if err == nil {
			tx.clinicalDemoAudit("allergy.remove", "allergies", a.ID, patientID, a.Substance)
		}
		return err
	})
	finish(day(90, 9).Add(time.Minute), ivanova, "salbutamol", app.PrescriptionCompleted, "")
	prescribe(day(90, 9).Add(2*time.Minute), ivanova, "", app.PrescriptionCreate{Items: []app.PrescriptionItem{
		{Drug: "Salbutamol inhaler", Strength: "100 micrograms/dose", Dose: "2 puffs", Route: "inhaled", Frequency: "when needed", Duration: "6 months", Quantity: "2 inhalers"}}})

	// Vitals at every visit: blood pressure coming down on treatment.
	bp := [][2]int{{138, 88}, {146, 94}, {150, 96}, {148, 92}, {142, 90}, {136, 86}, {132, 84}, {128, 82}, {126, 80}, {124, 79}}
	for i, daysAgo := range []int{420, 300, 240, 210, 180, 150, 120, 90, 45, 7} {
		v := app.Vitals{PatientID: patientID, Systolic: bp[i][0], Diastolic: bp[i][1], Pulse: 72 + i%5*2,
			TemperatureC: 36.7, SpO2: 98, RespRate: 14, WeightKg: 71.5 - float64(i)*0.4, HeightCm: 165}
		if daysAgo == 300 {
			v.TemperatureC, v.SpO2, v.Pulse, v.RespRate = 38.1, 95, 96, 22
		}
		add(day(daysAgo, 9).Add(-5*time.Minute), nurse, func(tx *Tx) error {
			out, err := tx.recordVitals(v)
			if err == nil {
				tx.clinicalDemoAudit("vitals.record", "vitals", out.ID, patientID, describeVitals(out))
			}
			return err
		})
	}
	addNote(day(7, 9), nurse, "", app.NoteCreate{Kind: app.NoteNursing, Text: "Blood pressure check: 124/79. Patient reports taking medication daily; no cough or dizziness."})

	// Coded diagnoses of the consultations above.
	diagnose := func(at time.Time, who app.Caller, code, text, note string) {
		add(at, who, func(tx *Tx) error {
			d, err := tx.addDiagnosis(app.DiagnosisCreate{PatientID: patientID, System: app.CodeSystemICD10CM, Code: code,
				Text: text, NoteID: ids[note]})
			if err == nil {
				tx.clinicalDemoAudit("diagnosis.add", "diagnoses", d.ID, patientID, d.Label())
			}
			return err
		})
	}
	diagnose(day(420, 9).Add(21*time.Minute), ivanova, "J45.30", "Partly controlled; exercise-induced symptoms", "first")
	diagnose(day(300, 11).Add(3*time.Minute), house, "J20.9", "Lower respiratory tract infection", "bronchitis-note")
	diagnose(day(180, 9).Add(11*time.Minute), house, "I10", "Stage 1, raised cardiovascular risk", "")

	// Last week's review was a visit with Dr Papadaki: vitals, note,
	// diagnosis, a lipid profile, completed into a draft invoice.
	var visit *app.Visit
	add(day(7, 9).Add(-10*time.Minute), house, func(tx *Tx) (err error) {
		visit, err = tx.startVisit(app.VisitStart{PatientID: patientID})
		return err
	})
	addNote(day(7, 9).Add(10*time.Minute), house, "review", app.NoteCreate{Kind: app.NoteClinical,
		Subjective: "No side effects from lisinopril or atorvastatin. Walking 30 minutes a day.",
		Objective:  "BP 124/79, pulse 74 regular. Weight down 1.5 kg since spring.",
		Assessment: "Essential hypertension, controlled on treatment.",
		Plan:       "Continue; lipid profile today; review in six months."})
	diagnose(day(7, 9).Add(12*time.Minute), house, "I10", "Controlled on lisinopril", "review")
	add(day(7, 9).Add(20*time.Minute), house, func(tx *Tx) error {
		return tx.demoLetter(app.LetterRequest{PatientID: patientID, Kind: app.LetterReferral,
			Recipient: "Cardiovascular risk clinic, City Hospital",
			Text:      "Essential hypertension, controlled on lisinopril; LDL above target on atorvastatin 20 mg. Please advise on lipid-lowering treatment."})
	})
	add(day(7, 9).Add(25*time.Minute), house, func(tx *Tx) error {
		return tx.completeVisit(visit, []app.VisitServiceLine{{PriceItemID: staff.services["LAB-LIPID"], Quantity: 1}})
	})
	return evs
}
