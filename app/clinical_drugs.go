package app

import (
	"context"
	"strings"
	"time"

	"hms/app/i18n"
)

// LocalDrugKind is what a clinic adds to the drug catalogue.
type LocalDrugKind string

// Kinds of local drugs.
const (
	// LocalSubstance is a product the shipped catalogue lacks, with its
	// pharmacological classes.
	LocalSubstance LocalDrugKind = "substance"
	// LocalBrand is a brand name of substances already in the catalogue.
	LocalBrand LocalDrugKind = "brand"
)

// LocalDrug is a product or brand a clinic's administrator added to the
// drug catalogue. Rows are never changed.
type LocalDrug struct {
	ID         string
	Kind       LocalDrugKind
	Name       string
	Substances []string // a brand's substances, by their catalogue names
	Classes    []string // a substance's class IDs
	Forms      []string // forms and strengths, as written
	CreatedAt  time.Time
	CreatedBy  string // the account's name, or the command line's user
}

// DrugService is the clinic's part of the drug catalogue: the products
// and brands its administrators added.
type DrugService interface {
	// ImportLocalDrugs adds products and brands, all or none: every bad
	// row is reported (an *ImportError naming each line), nothing is
	// added. Administrators only.
	ImportLocalDrugs(ctx context.Context, rows []LocalDrugRow) (int, error)
	// FindLocalDrugs lists the products and brands the clinic added.
	FindLocalDrugs(ctx context.Context) ([]*LocalDrug, error)
}

// LocalDrugRow is one row of an import, with the line it came from.
type LocalDrugRow struct {
	Line int
	LocalDrug
}

// AllergyStatus is where a patient's allergy record stands.
type AllergyStatus string

// Allergy statuses.
const (
	// AllergiesRecorded: at least one allergy is recorded (not removed).
	AllergiesRecorded AllergyStatus = "recorded"
	// AllergiesNoneKnown: a clinician stated "no known drug allergies",
	// and no allergy was recorded since.
	AllergiesNoneKnown AllergyStatus = "none known"
	// AllergiesNotRecorded: nobody has recorded allergies or their
	// absence; a new patient starts here. Never read as "none".
	AllergiesNotRecorded AllergyStatus = "not recorded"
)

// AllergyStatement is a clinician's statement that a patient has no known
// drug allergies, signed and dated. It is never changed.
type AllergyStatement struct {
	ID         string
	PatientID  string
	RecordedAt time.Time
	RecordedBy string // the clinician's full name
}

// AllergyStatusOf derives the state of a patient's allergy record from
// every allergy ever recorded (removed ones included) and the
// statements: any allergy in force means allergies are recorded; else the
// newest statement holds when no allergy was recorded after it (on any
// desk: an allergy recorded later ends it, even if later removed, and the
// clinician states it again); else nothing is recorded.
func AllergyStatusOf(allergies []*Allergy, statements []*AllergyStatement) (AllergyStatus, *AllergyStatement) {
	var newestAllergy time.Time
	for _, a := range allergies {
		if a.RemovedAt.IsZero() {
			return AllergiesRecorded, nil
		}
		if a.RecordedAt.After(newestAllergy) {
			newestAllergy = a.RecordedAt
		}
	}
	var newest *AllergyStatement
	for _, s := range statements {
		if newest == nil || s.RecordedAt.After(newest.RecordedAt) {
			newest = s
		}
	}
	if newest != nil && newest.RecordedAt.After(newestAllergy) {
		return AllergiesNoneKnown, newest
	}
	return AllergiesNotRecorded, nil
}

// AllergySummary is a patient's allergy record as one line, for documents:
// the allergies in force, "No known drug allergies" with who stated it and
// when (day in loc), or "Allergies not recorded".
func AllergySummary(status AllergyStatus, allergies []*Allergy, stated *AllergyStatement, loc *time.Location) string {
	return AllergySummaryIn(i18n.For(i18n.English), status, allergies, stated, loc)
}

// severityWords are the severities as a document's allergy line writes
// them, marked for the catalogues.
var severityWords = map[Severity]string{SeverityMild: i18n.N("mild"), SeverityModerate: i18n.N("moderate"),
	SeveritySevere: i18n.N("severe"), SeverityUnknown: i18n.N("unknown")}

// AllergySummaryIn is AllergySummary in tr's language (a prescription
// printed in the patient's).
func AllergySummaryIn(tr *i18n.Tr, status AllergyStatus, allergies []*Allergy, stated *AllergyStatement, loc *time.Location) string {
	switch {
	case status == AllergiesRecorded:
		var parts []string
		for _, a := range allergies {
			if !a.RemovedAt.IsZero() {
				continue
			}
			severity := string(a.Severity)
			if w, ok := severityWords[a.Severity]; ok {
				severity = tr.T(w)
			}
			t := a.Substance + " (" + severity
			if a.Reaction != "" {
				t += ": " + a.Reaction
			}
			parts = append(parts, t+")")
		}
		return tr.F("Allergies: %s", strings.Join(parts, "; "))
	case status == AllergiesNoneKnown && stated != nil:
		return tr.F("No known drug allergies (recorded by %s, %s)", stated.RecordedBy, stated.RecordedAt.In(loc).Format(DateLayout))
	}
	return tr.T("Allergies not recorded")
}

// AllergyReviewItem is an allergy in force whose text the drug catalogue
// cannot check without a clinician: it names nothing of the catalogue
// (Matches empty: "not checkable"), or several things (Matches lists
// them: is that what was meant?).
type AllergyReviewItem struct {
	Allergy     *Allergy
	PatientName string
	PatientMRN  string
	Matches     []string
}
