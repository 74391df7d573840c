package data_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestPrescriberRegistration: a doctor records their registration number,
// an administrator corrects it, others may not; the prescription PDF
// prints the number in force under the doctor's name.
func TestPrescriberRegistration(t *testing.T) {
	c := mustSetup(t)
	admin, doc, nurse := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	docID := c.users[app.RoleDoctor].ID
	p, err := c.svc.Clinical.GetPrescriber(nurse, docID)
	if err != nil || p.RegistrationNumber != "" || p.Name == "" {
		t.Fatal(p, err)
	}
	snap := snapshot(t, c.db)
	for name, call := range map[string]func() error{
		"Nurse":    func() error { _, err := c.svc.Clinical.SetRegistrationNumber(nurse, docID, "GMC 1"); return err },
		"Empty":    func() error { _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, "  "); return err },
		"BadChars": func() error { _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, "GMC <1>"); return err },
		"NotDoctor": func() error {
			_, err := c.svc.Clinical.SetRegistrationNumber(admin, c.users[app.RoleNurse].ID, "X1")
			return err
		},
		"OtherDoc": func() error {
			_, err := c.svc.Clinical.SetRegistrationNumber(doc, c.users[app.RoleAdmin].ID, "X1")
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: recorded", name)
		}
	}
	if snapshot(t, c.db) != snap {
		t.Fatal("a refused change changed data")
	}
	if _, err := c.svc.Clinical.SetRegistrationNumber(doc, docID, " GMC  7012345 "); err != nil {
		t.Fatal(err)
	}
	p, err = c.svc.Clinical.SetRegistrationNumber(admin, docID, "GMC 7012346")
	if err != nil || p.RegistrationNumber != "GMC 7012346" {
		t.Fatal(p, err)
	}
	if e := lastAudit(t, c); e.Action != "prescriber.set" || !strings.Contains(e.Detail, "GMC 7012346 (was GMC 7012345)") {
		t.Errorf("audit %+v", e)
	}
	if p, _ := c.svc.Clinical.GetPrescriber(doc, docID); p.RegistrationNumber != "GMC 7012346" {
		t.Errorf("in force: %+v", p)
	}
	rx, err := c.svc.Clinical.Prescribe(doc, app.PrescriptionCreate{PatientID: c.patient2.PatientID, Items: []app.PrescriptionItem{
		{Drug: "Paracetamol", Strength: "500 mg", Dose: "1 tablet", Frequency: "every 6 hours"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.svc.Clinical.PrescriptionPDF(doc, rx.ID)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, b, false); !strings.Contains(text, "Registration no. GMC 7012346") {
		t.Errorf("the PDF lacks the registration number:\n%s", text)
	}
}
