package data_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

// TestLocalDrugs: an administrator's brand joins the catalogue on the
// desk, the prescribing check knows it, a bad file adds nothing and names
// its lines, and the rows are never changed.
func TestLocalDrugs(t *testing.T) {
	c := mustSetup(t)
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	if _, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Penicillin",
		Severity: app.SeveritySevere}); err != nil {
		t.Fatal(err)
	}
	rx := app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{{Drug: "Amoxi-Local 500 mg", Dose: "1 capsule"}}}
	if _, err := c.svc.Clinical.Prescribe(doc, rx); err != nil {
		t.Fatalf("an unknown brand is not checked: %v", err)
	}
	before, snap := auditCount(t, c.db), snapshot(t, c.db)
	_, err := c.svc.Drugs.ImportLocalDrugs(admin, []app.LocalDrugRow{
		{Line: 2, LocalDrug: app.LocalDrug{Kind: app.LocalBrand, Name: "Good", Substances: []string{"amoxicillin"}}},
		{Line: 3, LocalDrug: app.LocalDrug{Kind: app.LocalBrand, Name: "Augmentin", Substances: []string{"amoxicillin"}}},
		{Line: 4, LocalDrug: app.LocalDrug{Kind: app.LocalSubstance, Name: "Nothing", Classes: []string{"no-such"}}},
	})
	ie, ok := err.(*app.ImportError)
	if !ok || len(ie.Rows) != 2 || ie.Rows[0].Line != 3 || ie.Rows[1].Line != 4 || app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a bad file: %v", err)
	}
	if snapshot(t, c.db) != snap || auditCount(t, c.db) != before {
		t.Fatal("a refused import changed data")
	}
	n, err := c.svc.Drugs.ImportLocalDrugs(admin, []app.LocalDrugRow{
		{Line: 2, LocalDrug: app.LocalDrug{Kind: app.LocalBrand, Name: "Amoxi-Local", Substances: []string{"Amoxicillin"}}},
		{Line: 3, LocalDrug: app.LocalDrug{Kind: app.LocalSubstance, Name: "Herbaflam", Classes: []string{"nsaids"},
			Forms: []string{"tablet 200 mg"}}},
	})
	if err != nil || n != 2 {
		t.Fatalf("%d, %v", n, err)
	}
	if e := lastAudit(t, c); e.Action != "drug.import" || !strings.Contains(e.Detail, "substance Herbaflam: nsaids") {
		t.Fatalf("audit %+v", e)
	}
	_, err = c.svc.Clinical.Prescribe(doc, rx)
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "Amoxi-Local 500 mg is one of the penicillins") {
		t.Fatalf("the local brand of a penicillin: %v", err)
	}
	list, err := c.svc.Drugs.FindLocalDrugs(doc)
	if err != nil || len(list) != 2 || list[1].Name != "Herbaflam" || list[1].Forms[0] != "tablet 200 mg" ||
		list[0].Substances[0] != "Amoxicillin" || list[0].CreatedBy == "" {
		t.Fatalf("%+v, %v", list, err)
	}
	if _, err := c.svc.Drugs.ImportLocalDrugs(admin, []app.LocalDrugRow{{Line: 2, LocalDrug: app.LocalDrug{
		Kind: app.LocalBrand, Name: "amoxi local", Substances: []string{"ibuprofen"}}}}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a name the clinic has already: %v", err)
	}
	for _, q := range []string{`UPDATE local_drugs SET name = 'x'`, `DELETE FROM local_drugs`} {
		if _, err := rawDB(t, c.db).Exec(q); err == nil {
			t.Fatalf("%s: allowed", q)
		}
	}
}

// TestAllergyStates: a new patient's allergies are "not recorded"; a
// doctor's "no known drug allergies" is dated and signed; an allergy ends
// it, and it cannot be stated while an allergy is recorded.
func TestAllergyStates(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	status := func() *app.Chart {
		t.Helper()
		ch, err := c.svc.Clinical.GetChart(doc, pid)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	if ch := status(); ch.AllergyStatus != app.AllergiesNotRecorded || ch.NoKnownAllergies != nil {
		t.Fatalf("a new patient: %s", ch.AllergyStatus)
	}
	st, err := c.svc.Clinical.RecordNoKnownAllergies(doc, pid)
	if err != nil || st.RecordedBy != "Staff doctor" || st.RecordedAt.IsZero() {
		t.Fatalf("%+v, %v", st, err)
	}
	if e := lastAudit(t, c); e.Action != "allergy.nkda" || e.PatientID != pid {
		t.Fatalf("audit %+v", e)
	}
	if ch := status(); ch.AllergyStatus != app.AllergiesNoneKnown || ch.NoKnownAllergies.ID != st.ID {
		t.Fatalf("after the statement: %s", ch.AllergyStatus)
	}
	c.clock.Add(time.Minute)
	a, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Codeine", Severity: app.SeverityModerate})
	if err != nil {
		t.Fatal(err)
	}
	if ch := status(); ch.AllergyStatus != app.AllergiesRecorded || ch.NoKnownAllergies != nil {
		t.Fatalf("an allergy ends the statement: %s", ch.AllergyStatus)
	}
	if _, err := c.svc.Clinical.RecordNoKnownAllergies(doc, pid); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("a statement against a recorded allergy: %v", err)
	}
	c.clock.Add(time.Minute)
	if err := c.svc.Clinical.RemoveAllergy(doc, a.ID, "another patient's"); err != nil {
		t.Fatal(err)
	}
	if ch := status(); ch.AllergyStatus != app.AllergiesNotRecorded {
		t.Fatalf("the allergy removed: the statement stays ended: %s", ch.AllergyStatus)
	}
	for _, q := range []string{`UPDATE allergy_statements SET recorded_by_name = 'x'`, `DELETE FROM allergy_statements`} {
		if _, err := rawDB(t, c.db).Exec(q); err == nil {
			t.Fatalf("%s: allowed", q)
		}
	}
}

// TestSevereAllergyOverride: against a severe allergy, acknowledging is not
// enough: the doctor gives a reason, kept with the prescription and
// audited; a cross-reaction caution needs the acknowledgement only.
func TestSevereAllergyOverride(t *testing.T) {
	c := mustSetup(t)
	doc := c.ctx(app.RoleDoctor)
	pid := c.patient2.PatientID
	if _, err := c.svc.Clinical.AddAllergy(doc, app.AllergyCreate{PatientID: pid, Substance: "Penicillin",
		Reaction: "anaphylaxis", Severity: app.SeveritySevere}); err != nil {
		t.Fatal(err)
	}
	rx := app.PrescriptionCreate{PatientID: pid, Items: []app.PrescriptionItem{{Drug: "Augmentin", Strength: "625 mg", Dose: "1 tablet"}}}
	_, err := c.svc.Clinical.Prescribe(doc, rx)
	if app.ErrorField(err) != "allergy" || !strings.Contains(app.ErrorMessage(err), "give the reason") {
		t.Fatalf("%v", err)
	}
	rx.AcknowledgeAllergy = true
	before := auditCount(t, c.db)
	if _, err = c.svc.Clinical.Prescribe(doc, rx); app.ErrorCode(err) != app.ECONFLICT || app.ErrorField(err) != "override_reason" {
		t.Fatalf("acknowledged without a reason: %v", err)
	}
	if auditCount(t, c.db) != before {
		t.Fatal("a refused prescription was written")
	}
	rx.OverrideReason = "  Desensitised in hospital in 2024; supervised first dose.  "
	p, err := c.svc.Clinical.Prescribe(doc, rx)
	if err != nil || !strings.HasSuffix(p.AllergyWarning, "Reason for prescribing anyway: Desensitised in hospital in 2024; supervised first dose.") {
		t.Fatalf("%+v, %v", p, err)
	}
	if e := lastAudit(t, c); !strings.Contains(e.Detail, "Desensitised in hospital") {
		t.Fatalf("the reason is not audited: %+v", e)
	}
	// A cross-reaction (a cephalosporin) is a caution: acknowledged, no reason needed.
	p, err = c.svc.Clinical.Prescribe(doc, app.PrescriptionCreate{PatientID: pid, AcknowledgeAllergy: true,
		Items: []app.PrescriptionItem{{Drug: "Cefalexin", Strength: "500 mg", Dose: "1 capsule"}}})
	if err != nil || !strings.Contains(p.AllergyWarning, "Caution") {
		t.Fatalf("%+v, %v", p, err)
	}
}
