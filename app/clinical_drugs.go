package app

import (
	"context"
	"time"
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
