package data_test

import (
	"strings"
	"testing"

	"hms/app"
)

// TestFreeTextAllergiesMatchedOnOpen: when the database opens, an allergy
// in force written as free text that names one thing of the catalogue is
// recorded as the catalogue's name, keeping the words first written in
// the reaction, with an audit row; an allergy naming nothing or several
// things stays as written and on the review list as not checkable; a
// removed allergy is left alone; a second opening changes nothing; the
// database still verifies; and the prescribing check still warns.
func TestFreeTextAllergiesMatchedOnOpen(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	add := func(s, reaction string) *app.Allergy {
		a, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: s, Reaction: reaction,
			Severity: app.SeverityModerate})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	pen := add("Penicillin allergy (rash as a child)", "urticaria")
	brand := add("Augmentin 625 mg tablets", "")
	named := add("AUGMENTIN", "") // a catalogue name already
	exact := add("aspirin", "asthma")
	vague := add("the pills from last winter", "")
	both := add("aspirin and codeine", "")
	gone := add("Septrin", "")
	if err := c.svc.Clinical.RemoveAllergy(doc, gone.ID, "entered in error"); err != nil {
		t.Fatal(err)
	}
	path := c.db.Path()
	c.db.Close()
	db := reopen(t, path, c.clock.Now)
	svc := db.Services()
	chart, err := svc.Clinical.GetChart(doc, pid)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*app.Allergy{}
	for _, a := range chart.Allergies {
		got[a.ID] = a
	}
	if a := got[pen.ID]; a == nil || strings.EqualFold(a.Substance, pen.Substance) ||
		a.Reaction != "Recorded as: Penicillin allergy (rash as a child). urticaria" {
		t.Errorf("penicillin: %+v", a)
	}
	if a := got[brand.ID]; a == nil || !strings.EqualFold(a.Substance, "Augmentin") || a.Reaction != "Recorded as: Augmentin 625 mg tablets" {
		t.Errorf("brand: %+v", a)
	}
	for _, k := range []*app.Allergy{exact, named, vague, both} {
		if a := got[k.ID]; a == nil || a.Substance != k.Substance || a.Reaction != k.Reaction {
			t.Errorf("%q was changed: %+v", k.Substance, a)
		}
	}
	var audits, removed int
	raw := rawDB(t, db)
	raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'allergy.match'`).Scan(&audits)
	raw.QueryRow(`SELECT count(*) FROM allergies WHERE id = ? AND substance = 'Septrin'`, gone.ID).Scan(&removed)
	if audits != 2 || removed != 1 {
		t.Fatalf("%d match audit rows (want 2), removed allergy kept as written %d", audits, removed)
	}
	review, err := svc.Clinical.AllergyReview(doc)
	if err != nil || len(review) != 2 || review[0].Allergy.ID != vague.ID || review[1].Allergy.ID != both.ID {
		t.Fatalf("review %d items, %v", len(review), err)
	}
	rx := app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{{Drug: "Amoxicillin", Strength: "500 mg",
		Dose: "1 capsule", Frequency: "3 times a day"}}}
	if _, err := svc.Clinical.Prescribe(doc, rx); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("amoxicillin after the match: %v", err)
	}
	if rep, err := db.Verify(doc); err != nil || !rep.OK() {
		t.Fatalf("verify after the match: %v %+v", err, rep)
	}
	db.Close()
	db = reopen(t, path, c.clock.Now)
	rawDB(t, db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'allergy.match'`).Scan(&audits)
	if audits != 2 {
		t.Fatalf("a second opening matched again: %d audit rows", audits)
	}
}
