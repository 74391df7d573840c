package pdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
	"hms/app/pdf/pdftest"
	"hms/assets"
)

// pdfText is the text a reader of the document sees.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	return pdftest.Text(t, b, false)
}

func sample() (*app.Settings, *app.Patient, *app.Prescription) {
	clinic := &app.Settings{ClinicName: "Κλινική Riverside", Address: "12 Riverside Walk, 10557 Αθήνα",
		Phone: "+30 210 555 0100", TaxID: "EL099887766", TimeZone: "Europe/Athens", Logo: assets.Icon}
	p := &app.Patient{ID: "p1", MRN: "P-D1-000123", GivenName: "Ελένη", FamilyName: "Παπαδοπούλου",
		BirthDate: "1987-04-12"}
	rx := &app.Prescription{ID: "rx1", Number: "RX-D1-2026-000012", PatientID: "p1", DoctorName: "Dr. Анна Иванова",
		PrescriberRegistration: "ΙΣΑ-45821",
		Items: []app.PrescriptionItem{
			{Drug: "Amoxicillin", Strength: "500 mg", Dose: "1 capsule", Route: "oral", Frequency: "three times a day",
				Duration: "7 days", Quantity: "21 capsules", Instructions: "Take with food; finish the course even when feeling better."},
			{Drug: "Paracétamol", Strength: "500 mg", Dose: "1–2 tablets", Route: "oral", Frequency: "every 6 hours if needed",
				Duration: "5 days", Quantity: "20 tablets"},
		},
		Notes: "Review in one week. Πρόσθετες οδηγίες: ξεκούραση.", Status: app.PrescriptionActive,
		CreatedAt: time.Date(2026, 11, 25, 22, 30, 0, 0, time.UTC)}
	return clinic, p, rx
}

func TestPrescription(t *testing.T) {
	clinic, p, rx := sample()
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	b, err := pdf.Prescription(clinic, p, rx, "Allergies: Penicillin (severe: anaphylaxis)", athens, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := pdfText(t, b)
	for _, want := range []string{"RX-D1-2026-000012", "Ελένη Παπαδοπούλου", "P-D1-000123", "1987-04-12",
		"Amoxicillin 500 mg", "Paracétamol", "Dr. Анна Иванова", "Κλινική Riverside", "EL099887766",
		"Thursday 26 November 2026", // 22:30 UTC is the next day in Athens
		"Take with food", "ξεκούραση", "Allergies: Penicillin (severe: anaphylaxis)", "Registration no. ΙΣΑ-45821"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "CANCELLED") {
		t.Error("an active prescription is marked cancelled")
	}

	t.Run("Cancelled", func(t *testing.T) {
		_, _, rx := sample()
		rx.Status, rx.StatusReason, rx.StatusChangedAt = app.PrescriptionCancelled, "wrong drug", rx.CreatedAt.Add(time.Hour)
		b, err := pdf.Prescription(clinic, p, rx, "", time.UTC, i18n.English)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, b)
		if !strings.Contains(text, "CANCELLED on Wednesday 25 November 2026: wrong drug") {
			t.Errorf("a cancelled prescription lacks its watermark or reason:\n%s", text)
		}
	})

	t.Run("BrokenLogoAndManyItems", func(t *testing.T) {
		clinic, p, rx := sample()
		clinic.Logo = []byte("\x89PNG\r\n\x1a\nnot really a png")
		for i := 0; i < 18; i++ {
			rx.Items = append(rx.Items, app.PrescriptionItem{Drug: "Вітамін D3 " + strings.Repeat("long name ", i%4),
				Dose: "1 drop", Instructions: strings.Repeat("Shake well. ", 1+i%5)})
		}
		b, err := pdf.Prescription(clinic, p, rx, "", time.UTC, i18n.English)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, b)
		if !strings.Contains(text, "page 2 of 2") || !strings.Contains(text, "Dr. Анна Иванова") {
			t.Errorf("a long prescription does not continue on a second page with its signature:\n%s", text)
		}
	})
}

func BenchmarkPrescription(b *testing.B) {
	clinic, p, rx := sample()
	for b.Loop() {
		if _, err := pdf.Prescription(clinic, p, rx, "", time.UTC, i18n.English); err != nil {
			b.Fatal(err)
		}
	}
}
