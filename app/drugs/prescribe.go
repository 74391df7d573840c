package drugs

import (
	"fmt"
	"strings"

	"hms/app"
)

// PrescriptionCheck is the check of a prescription against a patient's
// record: their allergies and their current medications.
type PrescriptionCheck struct {
	Findings  []Finding
	Allergies []*app.Allergy // the allergies checked; a finding's Allergy indexes it
	// Warning is every warning, as the doctor reads and acknowledges it;
	// "" when nothing warns.
	Warning string
	// Severe: a drug contains a substance or class of an allergy recorded
	// as severe; overriding it takes a reason.
	Severe bool
}

// Warns reports whether the check found something the doctor must
// acknowledge.
func (p *PrescriptionCheck) Warns() bool { return p.Warning != "" }

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
					Message: fmt.Sprintf("%s matches the recorded allergy by name.", strings.TrimSpace(it.Drug))})
			}
		}
	}
	var parts []string
	for _, f := range out.Findings {
		switch f.Kind {
		case KindAllergy, KindCrossReaction:
			a := out.Allergies[f.Allergy]
			if f.Kind == KindAllergy && a.Severity == app.SeveritySevere {
				out.Severe = true
			}
			what := a.Substance + " (" + string(a.Severity)
			if a.Reaction != "" {
				what += ": " + a.Reaction
			}
			parts = append(parts, fmt.Sprintf("%s is recorded as allergic to %s). %s", patientName, what, f.Message))
		case KindDuplicate:
			parts = append(parts, f.Message)
		}
	}
	out.Warning = strings.Join(parts, " ")
	return out
}
