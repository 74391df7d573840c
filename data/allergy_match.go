package data

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"hms/app/drugs"
)

// matchFreeTextAllergies records against the catalogue the allergies in
// force that were written as free text and that the catalogue names
// unambiguously: the substance becomes the catalogue's name (a substance
// or a class), and the words first written are kept at the head of the
// reaction ("Recorded as: …"). An allergy whose text names nothing of the
// catalogue or several things is left as it is: the review list shows it
// as not checkable. It runs when the database opens and writes only what
// differs, so a second run changes nothing; each allergy it changes has
// its audit row, and a synced desk sends the change like any other edit
// (every desk makes the same one).
func (db *DB) matchFreeTextAllergies(ctx context.Context) (int, error) {
	type change struct{ id, patientID, from, to, reaction string }
	var changes []change
	rows, err := db.w.QueryContext(ctx, `SELECT id, patient_id, substance, reaction FROM allergies WHERE deleted_at IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("allergy match: %w", err)
	}
	var cat *drugs.Catalogue
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.patientID, &c.from, &c.reaction); err != nil {
			rows.Close()
			return 0, fmt.Errorf("allergy match: %w", err)
		}
		if cat == nil {
			cat = drugs.Default()
		}
		if to, ok := unambiguousAllergen(cat, c.from); ok {
			c.to = to
			changes = append(changes, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("allergy match: %w", err)
	}
	if len(changes) == 0 {
		return 0, nil
	}
	err = db.inTx(ctx, sealCaller, "allergy.match", func(tx *Tx) error {
		// The local products of the clinic's catalogue count too.
		full, err := tx.drugCatalogue()
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		for _, c := range changes {
			to, ok := unambiguousAllergen(full, c.from)
			if !ok {
				continue
			}
			reaction := "Recorded as: " + strings.TrimSpace(c.from)
			if r := strings.TrimSpace(c.reaction); r != "" {
				reaction += ". " + r
			}
			if utf8.RuneCountInString(reaction) > 500 {
				reaction = string([]rune(reaction)[:499]) + "…"
			}
			if _, err := tx.ExecContext(tx.ctx, `UPDATE allergies SET substance = ?, reaction = ?, updated_at = ?
				WHERE id = ? AND substance = ? AND deleted_at IS NULL`, to, reaction, ts, c.id, c.from); err != nil {
				return err
			}
			tx.Audit("allergy.match", "allergies", c.id, c.patientID, fmt.Sprintf("%q recorded as the catalogue's %q", c.from, to))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("allergy match: %w", err)
	}
	return len(changes), nil
}

// unambiguousAllergen is the catalogue's name for an allergy's text when
// the text names exactly one thing of the catalogue and is not already
// that name.
func unambiguousAllergen(cat *drugs.Catalogue, text string) (string, bool) {
	var name string
	for _, f := range cat.Find(text) {
		if name != "" && f.Name != name {
			return "", false
		}
		name = f.Name
	}
	if name == "" || drugs.Normalize(name) == drugs.Normalize(text) {
		return "", false
	}
	return name, true
}
