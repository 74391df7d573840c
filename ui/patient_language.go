package ui

import "hms/app/i18n"

// A patient's language, as the patient form and My record offer it: the
// clinic's message language (no language on the record) or one HMS
// speaks, by its own name ("Ελληνικά"), the way its speaker looks for it.

// patientLanguageLabels are the choices, the clinic's language first.
func patientLanguageLabels() []string {
	out := []string{T("The clinic's language")}
	for _, l := range i18n.Languages() {
		out = append(out, l.Name())
	}
	return out
}

// patientLanguageLabel is the choice of the language code lang.
func patientLanguageLabel(lang string) string {
	if l, err := i18n.Parse(lang); err == nil && lang != "" {
		return l.Name()
	}
	return T("The clinic's language")
}

// patientLanguageOf is the language code of a choice; "" the clinic's.
func patientLanguageOf(label string) string {
	for _, l := range i18n.Languages() {
		if l.Name() == label {
			return string(l)
		}
	}
	return ""
}

// newPatientLanguageSelect is the choice of a patient's language, showing
// lang.
func newPatientLanguageSelect(lang string) *escSelect {
	s := newSelect(patientLanguageLabels(), nil)
	s.SetSelected(patientLanguageLabel(lang))
	return s
}
