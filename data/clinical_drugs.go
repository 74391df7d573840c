package data

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"hms/app"
	"hms/app/drugs"
)

// DrugService implements app.DrugService: the clinic's own products and
// brands, which extend the drug catalogue shipped in app/drugs on every
// desk (the table syncs, append-only). The prescribing check reads the
// extended catalogue.
//
// Threats: a wrong entry (a brand pointing to the wrong substance) would
// hide an allergy from the check, so only administrators add entries, each
// audited with what it adds; an entry is never changed or deleted (the
// table's triggers refuse), a mistaken one stays visible in the history.
// On a synced clinic the rows come from other desks too: whether a pulled
// change was made by an administrator is the sync engine's rule for
// reference data.
type DrugService struct {
	db *DB
}

var _ app.DrugService = (*DrugService)(nil)

// ImportLocalDrugs implements app.DrugService (administrators).
func (s *DrugService) ImportLocalDrugs(ctx context.Context, rows []app.LocalDrugRow) (int, error) {
	n := 0
	err := s.db.write(ctx, "drug.import", func(tx *Tx) error {
		if err := authorize(app.CanEditDrugCatalogue(tx.caller)); err != nil {
			return err
		}
		if len(rows) == 0 {
			return app.Errorf(app.EINVALID, "The file has no products or brands.")
		}
		cat, err := tx.drugCatalogue()
		if err != nil {
			return err
		}
		if _, bad := cat.Extend(rows); len(bad) > 0 {
			return &app.ImportError{Rows: bad}
		}
		name, err := tx.callerName()
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		for _, r := range rows {
			id := newID()
			kind, dname, subs, classes, forms := string(r.Kind), strings.TrimSpace(r.Name), strings.Join(r.Substances, " + "),
				strings.Join(r.Classes, " "), strings.Join(r.Forms, "; ")
			// Signed by the administrator: the other desks take a drug
			// only so (docs/SYNC-DESIGN.md).
			sig, err := tx.powerSignature("local_drugs", id, map[string]*string{"kind": &kind, "name": &dname,
				"substances": &subs, "classes": &classes, "forms": &forms}, tx.caller.Signer)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `INSERT INTO local_drugs (id, kind, name, substances, classes, forms,
				created_by, created_by_name, created_at, updated_at, power_sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, kind, dname, subs, classes, forms, tx.caller.UserID, name, ts, ts, sig); err != nil {
				return err
			}
			what := strings.Join(r.Substances, " + ")
			if r.Kind == app.LocalSubstance {
				what = strings.Join(r.Classes, ", ")
			}
			tx.Audit("drug.import", "local_drugs", id, "", fmt.Sprintf("%s %s: %s", r.Kind, strings.TrimSpace(r.Name), what))
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// FindLocalDrugs implements app.DrugService (administrators, clinicians).
func (s *DrugService) FindLocalDrugs(ctx context.Context) ([]*app.LocalDrug, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "drug.list", "local_drugs", "", "", app.CanReadDrugCatalogue(c)); err != nil {
		return nil, err
	}
	var out []*app.LocalDrug
	err := s.db.write(ctx, "drug.list", func(tx *Tx) error {
		var err error
		out, err = tx.localDrugs()
		if err == nil {
			tx.Audit("drug.list", "local_drugs", "", "", fmt.Sprintf("%d products and brands", len(out)))
		}
		return err
	})
	return out, err
}

func (tx *Tx) localDrugs() ([]*app.LocalDrug, error) {
	return collectRows(tx, func(r rowScanner) (*app.LocalDrug, error) {
		d := &app.LocalDrug{}
		var kind, subs, classes, forms, created string
		err := r.Scan(&d.ID, &kind, &d.Name, &subs, &classes, &forms, &d.CreatedBy, &created)
		d.Kind, d.CreatedAt = app.LocalDrugKind(kind), parseTime(created)
		d.Substances = splitNonEmpty(subs, " + ")
		d.Classes = strings.Fields(classes)
		d.Forms = splitNonEmpty(forms, "; ")
		return d, err
	}, `SELECT id, kind, name, substances, classes, forms, created_by_name, created_at FROM local_drugs
		WHERE deleted_at IS NULL ORDER BY created_at, id`)
}

func splitNonEmpty(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// catalogueCache keeps the catalogue extended with the clinic's rows, for
// as long as the rows are the same (their count and newest id say so).
var catalogueCache struct {
	sync.Mutex
	key string
	cat *drugs.Catalogue
}

// drugCatalogue returns the shipped catalogue extended with the clinic's
// products and brands. A row that no longer fits (two desks added the same
// name) is left out rather than hiding the rest.
func (tx *Tx) drugCatalogue() (*drugs.Catalogue, error) {
	var n int
	var last string
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*), coalesce(max(id), '') FROM local_drugs`).Scan(&n, &last); err != nil {
		return nil, err
	}
	if n == 0 {
		return drugs.Default(), nil
	}
	key := fmt.Sprintf("%d/%s", n, last)
	catalogueCache.Lock()
	if catalogueCache.key == key {
		cat := catalogueCache.cat
		catalogueCache.Unlock()
		return cat, nil
	}
	catalogueCache.Unlock()
	list, err := tx.localDrugs()
	if err != nil {
		return nil, err
	}
	rows := make([]app.LocalDrugRow, len(list))
	for i, d := range list {
		rows[i] = app.LocalDrugRow{Line: i + 1, LocalDrug: *d}
	}
	cat, bad := drugs.Default().Extend(rows)
	if len(bad) > 0 {
		skip := map[int]bool{}
		for _, b := range bad {
			skip[b.Line] = true
		}
		var keep []app.LocalDrugRow
		for _, r := range rows {
			if !skip[r.Line] {
				keep = append(keep, r)
			}
		}
		if cat, bad = drugs.Default().Extend(keep); len(bad) > 0 {
			cat = drugs.Default()
		}
	}
	catalogueCache.Lock()
	catalogueCache.key, catalogueCache.cat = key, cat
	catalogueCache.Unlock()
	return cat, nil
}

// RecordNoKnownAllergies implements app.ClinicalService (doctors): the
// clinician states, signed and dated, that the patient has no known drug
// allergies. Refused while an allergy is recorded.
func (s *ClinicalService) RecordNoKnownAllergies(ctx context.Context, patientID string) (*app.AllergyStatement, error) {
	var out *app.AllergyStatement
	err := s.db.writeFor(ctx, "allergy.nkda", "allergy_statements", "", patientID, func(tx *Tx) error {
		if err := tx.Require(app.PermWriteClinical); err != nil {
			return err
		}
		if _, err := tx.writablePatient(patientID); err != nil {
			return err
		}
		active, err := tx.allergies(patientID, false)
		if err != nil {
			return err
		}
		if len(active) > 0 {
			return app.Errorf(app.ECONFLICT, "Allergies are recorded for this patient: remove those recorded in error first.")
		}
		name, err := tx.callerName()
		if err != nil {
			return err
		}
		out = &app.AllergyStatement{ID: newID(), PatientID: patientID, RecordedAt: tx.now, RecordedBy: name}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO allergy_statements (id, patient_id, statement, recorded_by,
			recorded_by_name, created_at, updated_at) VALUES (?, ?, 'nkda', ?, ?, ?, ?)`,
			out.ID, patientID, tx.caller.UserID, name, ts, ts); err != nil {
			return err
		}
		tx.Audit("allergy.nkda", "allergy_statements", out.ID, patientID, "no known drug allergies")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// allergyStatus derives the state of a patient's allergy record.
func (tx *Tx) allergyStatus(patientID string) (app.AllergyStatus, *app.AllergyStatement, error) {
	all, err := tx.allergies(patientID, true)
	if err != nil {
		return "", nil, err
	}
	statements, err := collectRows(tx, func(r rowScanner) (*app.AllergyStatement, error) {
		s := &app.AllergyStatement{}
		var at string
		err := r.Scan(&s.ID, &s.PatientID, &s.RecordedBy, &at)
		s.RecordedAt = parseTime(at)
		return s, err
	}, `SELECT id, patient_id, recorded_by_name, created_at FROM allergy_statements
		WHERE patient_id = ? AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1`, patientID)
	if err != nil {
		return "", nil, err
	}
	status, st := app.AllergyStatusOf(all, statements)
	return status, st, nil
}

// AllergyReview implements app.ClinicalService (clinicians): the allergies
// in force that the catalogue matches to nothing or to several names,
// read across patients in one audited transaction.
func (s *ClinicalService) AllergyReview(ctx context.Context) ([]*app.AllergyReviewItem, error) {
	var out []*app.AllergyReviewItem
	err := s.db.write(ctx, "allergy.review", func(tx *Tx) error {
		if err := tx.Require(app.PermViewClinical); err != nil {
			return err
		}
		if tx.caller.Role == app.RolePatient {
			return authorize(app.ErrUnauthorized())
		}
		cat, err := tx.drugCatalogue()
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(tx.ctx, `SELECT `+allergyColumns+`, trim(p.given_name || ' ' || p.family_name), p.mrn
			FROM allergies a JOIN patients p ON p.id = a.patient_id
			WHERE a.deleted_at IS NULL AND p.deleted_at IS NULL ORDER BY a.created_at, a.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() && len(out) < 500 {
			it := &app.AllergyReviewItem{}
			a, err := scanAllergy(scanExtra{rows, []any{&it.PatientName, &it.PatientMRN}})
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, f := range cat.Find(a.Substance) {
				if !seen[f.Name] {
					seen[f.Name] = true
					it.Matches = append(it.Matches, f.Name)
				}
			}
			if len(it.Matches) == 1 {
				continue
			}
			it.Allergy = a
			out = append(out, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		tx.Audit("allergy.review", "allergies", "", "", fmt.Sprintf("%d allergies to review", len(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanExtra scans a row whose first columns are a record's and whose last
// ones go to extra.
type scanExtra struct {
	r     rowScanner
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.r.Scan(append(dest, s.extra...)...) }
