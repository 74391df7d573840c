package app_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

var clinicalToday = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func TestAllergyMatches(t *testing.T) {
	allergies := []*app.Allergy{
		{Substance: "Pénicilline", Severity: app.SeveritySevere, Reaction: "anaphylaxis"},
		{Substance: "Ασπιρίνη", Severity: app.SeverityMild},
		{Substance: "Latex", RemovedAt: clinicalToday}, // removed: never matches
	}
	for _, tc := range []struct {
		drug string
		want int
	}{
		{"PENICILLINE V", 1},   // the substance inside the drug, case and accents ignored
		{"penicil", 1},         // the drug inside the substance
		{"ασπιρινη 100", 1},    // Greek, without its accent
		{"Latex gloves", 0},    // a removed allergy
		{"Paracetamol", 0},     // nothing in common
		{"   ", 0},             // an empty drug never matches everything
		{"Amoxicillin", 0},     // no drug classes: only names
		{"PÉNICILLINE G", 1},   // accents on the drug too
		{"Аспирин", 0},         // another script is another word
		{"Ασπιρίνη Cardio", 1}, // accented as recorded
	} {
		got := app.AllergyMatches([]app.PrescriptionItem{{Drug: tc.drug}}, allergies)
		if len(got) != tc.want {
			t.Errorf("%q: %d matches, want %d", tc.drug, len(got), tc.want)
		}
	}
	m := app.AllergyMatches([]app.PrescriptionItem{{Drug: "Penicilline V"}}, allergies)
	w := app.AllergyWarning("Zoë Müller", m)
	if w != "Zoë Müller is recorded as allergic to Pénicilline (severe: anaphylaxis), and Penicilline V is prescribed." {
		t.Fatalf("warning %q", w)
	}
}

func TestClinicalValidate(t *testing.T) {
	p := app.ProblemCreate{PatientID: "p", Condition: "  Type 2   diabetes ", Onset: "2019-05"}
	if err := p.Validate(clinicalToday); err != nil || p.Condition != "Type 2 diabetes" || p.Status != app.ProblemActive {
		t.Fatalf("%+v, %v", p, err)
	}
	for onset, ok := range map[string]bool{"": true, "2019": true, "2019-05": true, "2019-05-31": true, "2026-11-25": true,
		"2026-11-26": false, "2026-12": false, "2027": false, "1899": false, "2019-5": false, "2019-02-30": false, "19": false} {
		p := app.ProblemCreate{PatientID: "p", Condition: "x", Onset: onset}
		if err := p.Validate(clinicalToday); (err == nil) != ok || (err != nil && app.ErrorField(err) != "onset") {
			t.Errorf("onset %q: %v", onset, err)
		}
	}
	for _, tc := range []struct{ on, onset, field string }{
		{"2026-11-25", "", ""}, {"2020-01-01", "2020", ""}, {"2019-12-31", "2020", "resolved_on"},
		{"2020-05-01", "2020-05", ""}, {"2020-04-30", "2020-05", "resolved_on"}, {"2026-11-26", "", "resolved_on"},
	} {
		_, err := app.ValidateResolvedOn(tc.on, tc.onset, clinicalToday)
		if app.ErrorField(err) != tc.field {
			t.Errorf("resolved %s, onset %s: %v", tc.on, tc.onset, err)
		}
	}

	// Vitals at the edges of the possible.
	for _, tc := range []struct {
		v     app.Vitals
		field string
	}{
		{app.Vitals{Systolic: 300, Diastolic: 200}, ""},
		{app.Vitals{Systolic: 50, Diastolic: 20}, ""},
		{app.Vitals{Systolic: 301, Diastolic: 80}, "systolic"},
		{app.Vitals{TemperatureC: 45}, ""}, {app.Vitals{TemperatureC: 45.1}, "temperature"},
		{app.Vitals{TemperatureC: 29.9}, "temperature"},
		{app.Vitals{WeightKg: 0.3}, ""}, {app.Vitals{WeightKg: 0.29}, "weight"},
		{app.Vitals{HeightCm: 260}, ""}, {app.Vitals{HeightCm: 261}, "height"},
		{app.Vitals{SpO2: 49}, "spo2"}, {app.Vitals{RespRate: 81}, "resp_rate"}, {app.Vitals{Pulse: 19}, "pulse"},
		{app.Vitals{}, "vitals"},
		{app.Vitals{Pulse: 70, TakenAt: clinicalToday.Add(10 * time.Minute)}, "taken_at"},
		{app.Vitals{Pulse: 70, TakenAt: clinicalToday.Add(2 * time.Minute)}, ""}, // a clock a little ahead
	} {
		tc.v.PatientID = "p"
		err := tc.v.Validate(clinicalToday)
		if app.ErrorField(err) != tc.field {
			t.Errorf("%+v: want field %q, got %v", tc.v, tc.field, err)
		}
		if err != nil && !strings.HasSuffix(app.ErrorMessage(err), ".") {
			t.Errorf("%+v: message %q", tc.v, app.ErrorMessage(err))
		}
	}
	v := app.Vitals{PatientID: "p", Pulse: 70}
	if err := v.Validate(clinicalToday); err != nil || !v.TakenAt.Equal(clinicalToday) {
		t.Fatalf("a zero TakenAt is now: %v %v", v.TakenAt, err)
	}

	n := app.NoteCreate{PatientID: "p", Kind: app.NoteNursing, Plan: "  Review tomorrow. "}
	if err := n.Validate(); err != nil || n.Plan != "Review tomorrow." {
		t.Fatalf("a SOAP note with one part: %v", err)
	}
	rx := app.PrescriptionCreate{PatientID: "p", Items: []app.PrescriptionItem{{Drug: " Amoxicillin  500 ", Dose: " 1 "}}}
	if err := rx.Validate(); err != nil || rx.Items[0].Drug != "Amoxicillin 500" || rx.Items[0].Dose != "1" {
		t.Fatalf("%+v, %v", rx.Items, err)
	}
	a := app.AllergyCreate{PatientID: "p", Substance: "Latex"}
	if err := a.Validate(); err != nil || a.Severity != app.SeverityUnknown {
		t.Fatalf("an allergy without severity: %+v, %v", a, err)
	}
	f := app.HistoryFilter{Limit: 5000}
	if err := f.Normalize(); err != nil || f.Limit != 1000 {
		t.Fatalf("history limit %d, %v", f.Limit, err)
	}
}

// FuzzVitalsValidate: whatever is typed, Validate either refuses it with a
// field, or accepts values the database's CHECKs accept too.
func FuzzVitalsValidate(f *testing.F) {
	f.Add(120, 80, 70, 36.8, 14, 98, 70.0, 170.0)
	f.Add(0, 0, 0, 0.0, 0, 0, 0.0, 0.0)
	f.Add(80, 120, -1, 98.6, 2, 101, -5.0, 1.7)
	f.Fuzz(func(t *testing.T, sys, dia, pulse int, temp float64, resp, spo2 int, weight, height float64) {
		v := app.Vitals{PatientID: "p", Systolic: sys, Diastolic: dia, Pulse: pulse, TemperatureC: temp, RespRate: resp,
			SpO2: spo2, WeightKg: weight, HeightCm: height}
		err := v.Validate(clinicalToday)
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID || app.ErrorField(err) == "" {
				t.Fatalf("%+v: %v", v, err)
			}
			return
		}
		in := func(x, lo, hi float64) bool { return x == 0 || (x >= lo && x <= hi) }
		if !in(float64(sys), 50, 300) || !in(float64(dia), 20, 200) || (sys == 0) != (dia == 0) || (sys != 0 && sys <= dia) ||
			!in(float64(pulse), 20, 300) || !in(temp, 30, 45) || !in(float64(resp), 4, 80) || !in(float64(spo2), 50, 100) ||
			!in(weight, 0.3, 500) || !in(height, 20, 260) {
			t.Fatalf("accepted impossible vitals %+v", v)
		}
		_ = v.Abnormal()
	})
}

func TestAllergyStatusOf(t *testing.T) {
	at := func(h int) time.Time { return clinicalToday.Add(time.Duration(h) * time.Hour) }
	nkda := &app.AllergyStatement{RecordedAt: at(10), RecordedBy: "Dr Who"}
	for _, tc := range []struct {
		name       string
		allergies  []*app.Allergy
		statements []*app.AllergyStatement
		want       app.AllergyStatus
	}{
		{"a new patient", nil, nil, app.AllergiesNotRecorded},
		{"no known drug allergies", nil, []*app.AllergyStatement{nkda}, app.AllergiesNoneKnown},
		{"an allergy", []*app.Allergy{{RecordedAt: at(1)}}, nil, app.AllergiesRecorded},
		// Another desk recorded an allergy before the statement, offline; it
		// arrives later: the allergy stands.
		{"an allergy from another desk", []*app.Allergy{{RecordedAt: at(9)}}, []*app.AllergyStatement{nkda}, app.AllergiesRecorded},
		// An allergy recorded after the statement, then removed as an error:
		// the statement stays ended until a clinician states it again.
		{"ended by a later allergy", []*app.Allergy{{RecordedAt: at(11), RemovedAt: at(12)}}, []*app.AllergyStatement{nkda}, app.AllergiesNotRecorded},
		{"stated again", []*app.Allergy{{RecordedAt: at(11), RemovedAt: at(12)}},
			[]*app.AllergyStatement{nkda, {RecordedAt: at(13)}}, app.AllergiesNoneKnown},
		{"an allergy removed before the statement", []*app.Allergy{{RecordedAt: at(1), RemovedAt: at(2)}},
			[]*app.AllergyStatement{nkda}, app.AllergiesNoneKnown},
	} {
		got, st := app.AllergyStatusOf(tc.allergies, tc.statements)
		if got != tc.want || (got == app.AllergiesNoneKnown) != (st != nil) {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, st, tc.want)
		}
	}
}

func TestAllergySummary(t *testing.T) {
	allergies := []*app.Allergy{{Substance: "Penicillin", Severity: app.SeveritySevere, Reaction: "anaphylaxis"},
		{Substance: "Latex", Severity: app.SeverityMild, RemovedAt: clinicalToday}}
	if got := app.AllergySummary(app.AllergiesRecorded, allergies, nil, time.UTC); got != "Allergies: Penicillin (severe: anaphylaxis)" {
		t.Errorf("%q", got)
	}
	st := &app.AllergyStatement{RecordedBy: "Dr Who", RecordedAt: clinicalToday}
	if got := app.AllergySummary(app.AllergiesNoneKnown, nil, st, time.UTC); got != "No known drug allergies (recorded by Dr Who, 2026-11-25)" {
		t.Errorf("%q", got)
	}
	if got := app.AllergySummary(app.AllergiesNotRecorded, nil, nil, time.UTC); got != "Allergies not recorded" {
		t.Errorf("%q", got)
	}
}
