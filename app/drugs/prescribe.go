package drugs

import (
	"strings"

	"hms/app"
	"hms/app/i18n"
)

// PrescriptionCheck is the check of a prescription against a patient's
// record: their allergies and their current medications.
type PrescriptionCheck struct {
	Findings  []Finding
	Allergies []*app.Allergy // the allergies checked; a finding's Allergy indexes it
	// Warning is every warning, as the doctor reads and acknowledges it
	// (English as its String says it, as the prescription keeps it; in the
	// doctor's language where shown); zero when nothing warns.
	Warning i18n.Text
	// Severe: a drug contains a substance or class of an allergy recorded
	// as severe; overriding it takes a reason.
	Severe bool
}

// Warns reports whether the check found something the doctor must
// acknowledge.
func (p *PrescriptionCheck) Warns() bool { return !p.Warning.IsZero() }

// CheckPrescription checks items against the patient's recorded allergies
// (removed ones ignored) and the items of their current prescriptions. An
// allergy the catalogue cannot read still warns when its text is part of
// a drug's name (a local product, a misspelt brand), as a last resort.
func (c *Catalogue) CheckPrescription(patientName string, items []app.PrescriptionItem, allergies []*app.Allergy,
	current []*app.Prescription) *PrescriptionCheck {
	out := &PrescriptionCheck{}
	req := Request{}
	for _, a := range allergies {
		if !a.RemovedAt.IsZero() {
			continue
		}
		out.Allergies = append(out.Allergies, a)
		req.Allergies = append(req.Allergies, a.Substance)
	}
	for _, it := range items {
		req.Drugs = append(req.Drugs, it.Drug)
	}
	for _, rx := range current {
		for _, it := range rx.Items {
			req.Current = append(req.Current, it.Drug)
		}
	}
	out.Findings = c.Check(req)
	for _, f := range out.Findings {
		if f.Kind != KindNotCheckable {
			continue
		}
		a := out.Allergies[f.Allergy]
		for j, it := range items {
			if len(app.AllergyMatches([]app.PrescriptionItem{it}, []*app.Allergy{a})) > 0 {
				out.Findings = append(out.Findings, Finding{Kind: KindAllergy, Allergy: f.Allergy, Drug: j, Other: -1, Current: -1,
					Message: i18n.Nf("%s matches the recorded allergy by name.", strings.TrimSpace(it.Drug))})
			}
		}
	}
	var parts []i18n.Text
	for _, f := range out.Findings {
		switch f.Kind {
		case KindAllergy, KindCrossReaction:
			a := out.Allergies[f.Allergy]
			if f.Kind == KindAllergy && a.Severity == app.SeveritySevere {
				out.Severe = true
			}
			if a.Reaction != "" {
				parts = append(parts, i18n.Nf("%s is recorded as allergic to %s (%s: %s). %s", patientName, a.Substance,
					severityText(a.Severity), a.Reaction, f.Message))
			} else {
				parts = append(parts, i18n.Nf("%s is recorded as allergic to %s (%s). %s", patientName, a.Substance,
					severityText(a.Severity), f.Message))
			}
		case KindDuplicate:
			parts = append(parts, f.Message)
		}
	}
	if len(parts) > 0 {
		out.Warning = i18n.Join(" ", parts...)
	}
	return out
}

// severityText is an allergy's severity inside a warning's sentence, in
// lower case: the words of the allergy severity's sense (not the sex's).
func severityText(s app.Severity) i18n.Text {
	switch s {
	case app.SeverityMild:
		return i18n.Nf("mild")
	case app.SeverityModerate:
		return i18n.Nf("moderate")
	case app.SeveritySevere:
		return i18n.Nf("severe")
	case app.SeverityUnknown:
		return i18n.Nf("severity unknown")
	}
	return i18n.Text{Format: "%s", Args: []any{string(s)}}
}
