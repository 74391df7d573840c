package data_test

import (
	"testing"

	"hms/app"
)

// TestFindPrescription: a prescription is found by its number by those who
// may read the record, the opening audited with the patient; an unknown
// number is ENOTFOUND for staff, an empty one is refused next to the field,
// and reception, who reads no clinical record, is refused.
func TestFindPrescription(t *testing.T) {
	c := mustSetup(t)
	r, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	rx, err := c.svc.Clinical.FindPrescription(c.ctx(app.RoleNurse), " "+r.rxNumber+" ")
	if err != nil || rx.ID != r.prescription || rx.PatientID != c.patient2.PatientID {
		t.Fatalf("found %+v, %v", rx, err)
	}
	var n int
	if err := rawDB(t, c.db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'prescription.view' AND outcome = 'ok'
		AND entity_id = ? AND patient_id = ?`, r.prescription, c.patient2.PatientID).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit rows %d, %v", n, err)
	}
	if _, err := c.svc.Clinical.FindPrescription(c.ctx(app.RoleDoctor), "RX-D1-2026-999999"); code(err) != app.ENOTFOUND {
		t.Errorf("an unknown number: %v", err)
	}
	if _, err := c.svc.Clinical.FindPrescription(c.ctx(app.RoleDoctor), ""); app.ErrorField(err) != "number" {
		t.Errorf("no number: %v", err)
	}
	if _, err := c.svc.Clinical.FindPrescription(c.ctx(app.RoleReception), r.rxNumber); code(err) != app.EUNAUTHORIZED {
		t.Errorf("reception: %v", err)
	}
}
