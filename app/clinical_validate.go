package app

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// Validation of the clinical forms. Each Validate trims its fields and
// returns the first problem as a FieldErrorf naming the form's field, so a
// form can show the message beside it. The field names are:
//
//	allergy:      patient, substance, reaction, severity
//	problem:      patient, condition, onset, status, notes, resolved_on
//	vitals:       patient, taken_at, systolic, diastolic, pulse, temperature,
//	              resp_rate, spo2, weight, height, vitals (nothing measured)
//	note:         patient, kind, text, subjective, objective, assessment, plan
//	prescription: patient, items, items[i].drug (i from 0), items[i].dose, …, notes
//	assignment:   patient, doctor, reason, start_date, end_date
//
// "today" is the date at the clinic (its time zone), since a date typed at
// the desk is a local date.

// Lengths of the clinical fields, also enforced by the database.
const (
	maxShortText = 200   // substance, condition, drug
	maxItemField = 100   // strength, dose, route, frequency, duration, quantity
	maxReason    = 500   // reactions, reasons
	maxNotes     = 2000  // problem and prescription notes
	maxNoteText  = 20000 // a note's text and each SOAP part
	maxItems     = 20    // items of one prescription
)

// Valid reports whether s is one of the allergy severities.
func (s Severity) Valid() bool {
	switch s {
	case SeverityMild, SeverityModerate, SeveritySevere, SeverityUnknown:
		return true
	}
	return false
}

// Severities lists the allergy severities in the order forms show them.
var Severities = []Severity{SeverityMild, SeverityModerate, SeveritySevere, SeverityUnknown}

// Valid reports whether s is a known problem status.
func (s ProblemStatus) Valid() bool { return s == ProblemActive || s == ProblemResolved }

// Valid reports whether k is a known note kind.
func (k NoteKind) Valid() bool { return k == NoteClinical || k == NoteNursing }

// Valid reports whether s is a known prescription status.
func (s PrescriptionStatus) Valid() bool {
	return s == PrescriptionActive || s == PrescriptionCompleted || s == PrescriptionCancelled
}

// Valid reports whether s is a known assignment status.
func (s AssignmentStatus) Valid() bool {
	return s == AssignmentActive || s == AssignmentCompleted || s == AssignmentCancelled
}

// HistoryKinds lists the kinds of timeline entries, for a filter's choices.
var HistoryKinds = []HistoryKind{HistoryRegistration, HistoryUpdate, HistoryArchive, HistoryAllergy, HistoryProblem,
	HistoryVisit, HistoryVitals, HistoryNote, HistoryDiagnosis, HistoryLetter, HistoryPrescription, HistoryAttachment, HistoryAssignment,
	HistoryAppointment, HistoryInvoice, HistoryPayment}

func checkPatient(id string) error {
	if strings.TrimSpace(id) == "" {
		return FieldErrorf("patient", "Choose the patient.")
	}
	return nil
}

// checkText checks an optional text: its characters (line breaks and
// tabs allowed; control characters, bidirectional controls and bytes that
// are not UTF-8 refused, as in every text field) and its length.
func checkText(field, label string, s string, max int) error {
	if err := checkRunes(field, label, s, true, true); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > max {
		return FieldErrorf(field, "The %s is too long (at most %d characters).", label, max)
	}
	return nil
}

// checkRequired checks a required text's presence and length.
func checkRequired(field, label, s string, max int) error {
	if s == "" {
		return FieldErrorf(field, "Enter the %s.", label)
	}
	return checkText(field, label, s, max)
}

// ValidateDate checks an optional YYYY-MM-DD date; when notFuture is set,
// a date after today is refused.
func ValidateDate(field, label, s string, today time.Time, notFuture bool) error {
	if s == "" {
		return nil
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return FieldErrorf(field, "%q is not a date: write the %s as YYYY-MM-DD, e.g. 2026-03-07.", s, label)
	}
	if notFuture && d.Format(DateLayout) > today.Format(DateLayout) {
		return FieldErrorf(field, "The %s is in the future.", label)
	}
	if d.Year() < 1900 {
		return FieldErrorf(field, "The %s is before 1900.", label)
	}
	return nil
}

// validatePartialDate checks a date that may be a year (2019), a month
// (2019-05) or a day (2019-05-14), as an onset often is only remembered so.
func validatePartialDate(field, label, s string, today time.Time) error {
	if s == "" {
		return nil
	}
	var layout string
	switch len(s) {
	case 4:
		layout = "2006"
	case 7:
		layout = "2006-01"
	case 10:
		layout = DateLayout
	default:
		return FieldErrorf(field, "%q is not a date: write the %s as YYYY-MM-DD, YYYY-MM or YYYY.", s, label)
	}
	d, err := time.Parse(layout, s)
	if err != nil {
		return FieldErrorf(field, "%q is not a date: write the %s as YYYY-MM-DD, YYYY-MM or YYYY.", s, label)
	}
	if s > today.Format(DateLayout)[:len(s)] {
		return FieldErrorf(field, "The %s is in the future.", label)
	}
	if d.Year() < 1900 {
		return FieldErrorf(field, "The %s is before 1900.", label)
	}
	return nil
}

// Validate checks an allergy and normalizes its fields. An empty severity
// is recorded as unknown.
func (a *AllergyCreate) Validate() error {
	a.Substance = strings.Join(strings.Fields(a.Substance), " ")
	a.Reaction = strings.TrimSpace(a.Reaction)
	if a.Severity == "" {
		a.Severity = SeverityUnknown
	}
	if a.Certainty == "" {
		a.Certainty = CertaintyUnknown
	}
	if err := checkPatient(a.PatientID); err != nil {
		return err
	}
	if err := checkRequired("substance", i18n.N("substance"), a.Substance, maxShortText); err != nil {
		return err
	}
	if err := checkText("reaction", i18n.N("reaction"), a.Reaction, maxReason); err != nil {
		return err
	}
	if !a.Severity.Valid() {
		return FieldErrorf("severity", "Unknown severity %q: choose mild, moderate, severe or unknown.", a.Severity)
	}
	if !a.Certainty.Valid() {
		return FieldErrorf("certainty", "Unknown certainty %q: choose confirmed, suspected or unknown.", a.Certainty)
	}
	return nil
}

// ValidateReason checks the reason given for removing, cancelling or
// archiving something.
func ValidateReason(s string, what string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return s, FieldErrorf("reason", "Give the reason for %s.", what)
	}
	if err := CheckMultiline("reason", i18n.N("The reason"), s); err != nil {
		return s, err
	}
	if utf8.RuneCountInString(s) > maxReason {
		return s, FieldErrorf("reason", "The reason is too long (at most %d characters).", maxReason)
	}
	return s, nil
}

// Validate checks a problem and normalizes its fields. An empty status is
// active.
func (p *ProblemCreate) Validate(today time.Time) error {
	p.Condition = strings.Join(strings.Fields(p.Condition), " ")
	p.Onset = strings.TrimSpace(p.Onset)
	p.Notes = strings.TrimSpace(p.Notes)
	if p.Status == "" {
		p.Status = ProblemActive
	}
	if err := checkPatient(p.PatientID); err != nil {
		return err
	}
	if err := checkRequired("condition", i18n.N("condition"), p.Condition, maxShortText); err != nil {
		return err
	}
	if err := validatePartialDate("onset", i18n.N("onset"), p.Onset, today); err != nil {
		return err
	}
	if !p.Status.Valid() {
		return FieldErrorf("status", "Unknown status %q: choose active or resolved.", p.Status)
	}
	return checkText("notes", i18n.N("notes"), p.Notes, maxNotes)
}

// ValidateResolvedOn checks the date a problem resolved: a day, not in the
// future, not before the onset.
func ValidateResolvedOn(resolvedOn, onset string, today time.Time) (string, error) {
	resolvedOn = strings.TrimSpace(resolvedOn)
	if resolvedOn == "" {
		return resolvedOn, FieldErrorf("resolved_on", "Enter the date the problem resolved (YYYY-MM-DD).")
	}
	if err := ValidateDate("resolved_on", i18n.N("resolution date"), resolvedOn, today, true); err != nil {
		return resolvedOn, err
	}
	if onset != "" && len(onset) <= len(resolvedOn) && resolvedOn[:len(onset)] < onset {
		return resolvedOn, FieldErrorf("resolved_on", "The problem cannot resolve before its onset (%s).", onset)
	}
	return resolvedOn, nil
}

// Vitals limits: outside them a value is impossible in a living person and
// refused as a typing slip. The same ranges are CHECKs in the database.
var vitalLimits = map[string]struct {
	lo, hi float64
	unit   string
	label  string
}{
	"systolic":    {50, 300, "mmHg", i18n.N("Systolic pressure")},
	"diastolic":   {20, 200, "mmHg", i18n.N("Diastolic pressure")},
	"pulse":       {20, 300, i18n.N("beats per minute"), i18n.N("The pulse")},
	"temperature": {30, 45, "°C", i18n.N("The temperature")},
	"resp_rate":   {4, 80, i18n.N("breaths per minute"), i18n.N("The respiratory rate")},
	"spo2":        {50, 100, "%", i18n.N("SpO2")},
	"weight":      {0.3, 500, "kg", i18n.N("The weight")},
	"height":      {20, 260, "cm", i18n.N("The height")},
}

func checkVital(field string, v float64) error {
	l := vitalLimits[field]
	if v == 0 {
		return nil // not measured
	}
	if math.IsNaN(v) || v < l.lo || v > l.hi {
		return FieldErrorf(field, "%s must be between %s and %s %s.", l.label, fmtNum(l.lo), fmtNum(l.hi), l.unit)
	}
	return nil
}

func fmtNum(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%g", f)
}

// Validate checks a set of vitals: each measured value within what a living
// person can have, blood pressure as a pair with systolic above diastolic,
// at least one measurement, not taken in the future. A zero TakenAt is now.
func (v *Vitals) Validate(now time.Time) error {
	if v.TakenAt.IsZero() {
		v.TakenAt = now
	}
	if err := checkPatient(v.PatientID); err != nil {
		return err
	}
	if v.TakenAt.After(now.Add(5 * time.Minute)) {
		return FieldErrorf("taken_at", "The vitals cannot be taken in the future.")
	}
	if v.TakenAt.Before(now.AddDate(-130, 0, 0)) {
		return FieldErrorf("taken_at", "The time the vitals were taken is more than 130 years ago.")
	}
	for _, f := range []struct {
		field string
		v     float64
	}{
		{"systolic", float64(v.Systolic)}, {"diastolic", float64(v.Diastolic)}, {"pulse", float64(v.Pulse)},
		{"temperature", v.TemperatureC}, {"resp_rate", float64(v.RespRate)}, {"spo2", float64(v.SpO2)},
		{"weight", v.WeightKg}, {"height", v.HeightCm},
	} {
		if err := checkVital(f.field, f.v); err != nil {
			return err
		}
	}
	switch {
	case v.Systolic != 0 && v.Diastolic == 0:
		return FieldErrorf("diastolic", "Enter the diastolic pressure too (blood pressure is systolic over diastolic).")
	case v.Diastolic != 0 && v.Systolic == 0:
		return FieldErrorf("systolic", "Enter the systolic pressure too (blood pressure is systolic over diastolic).")
	case v.Systolic != 0 && v.Systolic <= v.Diastolic:
		return FieldErrorf("systolic", "The systolic pressure must be higher than the diastolic (%d/%d).", v.Systolic, v.Diastolic)
	}
	if v.Systolic == 0 && v.Pulse == 0 && v.TemperatureC == 0 && v.RespRate == 0 && v.SpO2 == 0 &&
		v.WeightKg == 0 && v.HeightCm == 0 {
		return FieldErrorf("vitals", "Enter at least one measurement.")
	}
	return nil
}

// Abnormal returns the measured values outside the usual adult range, field
// → "high" or "low", for a screen to highlight: blood pressure ≥ 140/90
// (or < 90/60), pulse outside 50–100, temperature ≥ 38 or < 35 °C,
// respiratory rate outside 12–20, SpO2 below 94 %, BMI ≥ 30 or < 18.5.
// Fields are named as in Validate, plus "bmi".
func (v *Vitals) Abnormal() map[string]string {
	out := map[string]string{}
	flag := func(field string, measured bool, low, high bool) {
		switch {
		case !measured:
		case high:
			out[field] = "high"
		case low:
			out[field] = "low"
		}
	}
	flag("systolic", v.Systolic != 0, v.Systolic < 90, v.Systolic >= 140)
	flag("diastolic", v.Diastolic != 0, v.Diastolic < 60, v.Diastolic >= 90)
	flag("pulse", v.Pulse != 0, v.Pulse < 50, v.Pulse > 100)
	flag("temperature", v.TemperatureC != 0, v.TemperatureC < 35, v.TemperatureC >= 38)
	flag("resp_rate", v.RespRate != 0, v.RespRate < 12, v.RespRate > 20)
	flag("spo2", v.SpO2 != 0, v.SpO2 < 94, false)
	bmi := v.BMI()
	flag("bmi", bmi != 0, bmi < 18.5, bmi >= 30)
	return out
}

// Validate checks a note: a known kind, and either free text or at least
// one SOAP part, each within its length. Whether AddendumTo names a note of
// the same patient is checked where the notes are.
func (n *NoteCreate) Validate() error {
	n.Text = strings.TrimSpace(n.Text)
	n.Subjective = strings.TrimSpace(n.Subjective)
	n.Objective = strings.TrimSpace(n.Objective)
	n.Assessment = strings.TrimSpace(n.Assessment)
	n.Plan = strings.TrimSpace(n.Plan)
	n.AddendumTo = strings.TrimSpace(n.AddendumTo)
	if err := checkPatient(n.PatientID); err != nil {
		return err
	}
	if n.Kind == "" {
		return FieldErrorf("kind", "Choose whether this is a clinical or a nursing note.")
	}
	if !n.Kind.Valid() {
		return FieldErrorf("kind", "Unknown kind of note %q: choose clinical or nursing.", n.Kind)
	}
	if n.Text == "" && n.Subjective == "" && n.Objective == "" && n.Assessment == "" && n.Plan == "" {
		return FieldErrorf("text", "Write the note, as free text or in at least one SOAP part.")
	}
	for _, f := range []struct{ field, label, s string }{
		{"text", i18n.N("note"), n.Text}, {"subjective", i18n.N("subjective part"), n.Subjective},
		{"objective", i18n.N("objective part"), n.Objective}, {"assessment", i18n.N("assessment"), n.Assessment},
		{"plan", i18n.N("plan"), n.Plan},
	} {
		if err := checkText(f.field, f.label, f.s, maxNoteText); err != nil {
			return err
		}
	}
	return nil
}

// IsSOAP reports whether a note is written in SOAP form.
func (n *Note) IsSOAP() bool {
	return n.Subjective != "" || n.Objective != "" || n.Assessment != "" || n.Plan != ""
}

// Validate checks a prescription: at least one item, each with a drug and
// a dose, every field within its length.
func (p *PrescriptionCreate) Validate() error {
	p.Notes = strings.TrimSpace(p.Notes)
	p.OverrideReason = strings.TrimSpace(p.OverrideReason)
	if err := checkText("override_reason", i18n.N("reason for overriding the allergy warning"), p.OverrideReason, 500); err != nil {
		return err
	}
	if err := checkPatient(p.PatientID); err != nil {
		return err
	}
	if len(p.Items) == 0 {
		return FieldErrorf("items", "Add at least one drug to the prescription.")
	}
	if len(p.Items) > maxItems {
		return FieldErrorf("items", "A prescription has at most %d drugs; write a second one for the rest.", maxItems)
	}
	for i := range p.Items {
		it := &p.Items[i]
		it.Drug = strings.Join(strings.Fields(it.Drug), " ")
		for _, s := range []*string{&it.Strength, &it.Dose, &it.Route, &it.Frequency, &it.Duration, &it.Quantity, &it.Instructions} {
			*s = strings.TrimSpace(*s)
		}
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		if it.Drug == "" {
			return FieldErrorf(field("drug"), "Drug %d: enter the drug's name.", i+1)
		}
		if err := checkText(field("drug"), i18n.N("drug's name"), it.Drug, maxShortText); err != nil {
			return err
		}
		if it.Dose == "" {
			return FieldErrorf(field("dose"), "Drug %d (%s): enter the dose, e.g. 1 tablet.", i+1, it.Drug)
		}
		for _, f := range []struct{ name, label, s string }{
			{"strength", i18n.N("strength"), it.Strength}, {"dose", i18n.N("dose"), it.Dose}, {"route", i18n.N("route"), it.Route},
			{"frequency", i18n.N("frequency"), it.Frequency}, {"duration", i18n.N("duration"), it.Duration},
			{"quantity", i18n.N("quantity"), it.Quantity},
		} {
			if err := checkText(field(f.name), f.label, f.s, maxItemField); err != nil {
				return err
			}
		}
		if err := checkText(field("instructions"), i18n.N("instructions"), it.Instructions, 1000); err != nil {
			return err
		}
	}
	return checkText("notes", i18n.N("notes"), p.Notes, maxNotes)
}

// AllergyMatches returns the recorded allergies (not removed) that an item
// of the prescription matches: the drug's name contains the substance, or
// the substance contains the drug's name, case and accents ignored.
func AllergyMatches(items []PrescriptionItem, allergies []*Allergy) []AllergyMatch {
	var out []AllergyMatch
	for _, a := range allergies {
		if !a.RemovedAt.IsZero() {
			continue
		}
		sub := FoldForSearch(strings.TrimSpace(a.Substance))
		if sub == "" {
			continue
		}
		for _, it := range items {
			drug := FoldForSearch(strings.TrimSpace(it.Drug))
			if drug != "" && (strings.Contains(drug, sub) || strings.Contains(sub, drug)) {
				out = append(out, AllergyMatch{Allergy: a, Drug: it.Drug})
			}
		}
	}
	return out
}

// AllergyMatch is one drug that matches a recorded allergy.
type AllergyMatch struct {
	Allergy *Allergy
	Drug    string
}

// AllergyWarning is the warning a doctor acknowledges, naming the patient,
// each allergy and the drug that matches it.
func AllergyWarning(patientName string, matches []AllergyMatch) string {
	var parts []string
	for _, m := range matches {
		what := m.Allergy.Substance + " (" + string(m.Allergy.Severity)
		if m.Allergy.Reaction != "" {
			what += ": " + m.Allergy.Reaction
		}
		what += ")"
		parts = append(parts, fmt.Sprintf("%s is recorded as allergic to %s, and %s is prescribed.", patientName, what, m.Drug))
	}
	return strings.Join(parts, " ")
}

// Validate checks an assignment: a doctor, a reason, a start date, and an
// end date (optional) not before the start. Whether the doctor is an active
// doctor's account is checked where the accounts are.
func (a *AssignmentCreate) Validate() error {
	a.DoctorID = strings.TrimSpace(a.DoctorID)
	a.Reason = strings.TrimSpace(a.Reason)
	a.StartDate = strings.TrimSpace(a.StartDate)
	a.EndDate = strings.TrimSpace(a.EndDate)
	if err := checkPatient(a.PatientID); err != nil {
		return err
	}
	if a.DoctorID == "" {
		return FieldErrorf("doctor", "Choose the doctor.")
	}
	if err := checkRequired("reason", i18n.N("reason or diagnosis"), a.Reason, maxReason); err != nil {
		return err
	}
	if a.StartDate == "" {
		return FieldErrorf("start_date", "Enter the start date (YYYY-MM-DD).")
	}
	if err := ValidateDate("start_date", i18n.N("start date"), a.StartDate, time.Time{}, false); err != nil {
		return err
	}
	if err := ValidateDate("end_date", i18n.N("end date"), a.EndDate, time.Time{}, false); err != nil {
		return err
	}
	if a.EndDate != "" && a.EndDate < a.StartDate {
		return FieldErrorf("end_date", "The end date is before the start date.")
	}
	return nil
}

// Normalize fills a history filter's defaults: at most 1000 entries, 200
// when not said.
func (f *HistoryFilter) Normalize() error {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	for _, k := range f.Kinds {
		if strings.TrimSpace(string(k)) == "" {
			return FieldErrorf("kind", "Choose the kinds of entries to show.")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return FieldErrorf("to", "The end of the period is not after its start.")
	}
	return nil
}
