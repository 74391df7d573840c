package pdf_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

func TestLetter(t *testing.T) {
	clinic, p, _ := sample()
	doctor := &app.Prescriber{Name: "Dr. Анна Иванова", RegistrationNumber: "ΙΣΑ-45821"}
	issued := time.Date(2026, 11, 25, 22, 30, 0, 0, time.UTC)
	athens, _ := time.LoadLocation("Europe/Athens")
	for _, c := range []struct {
		r    app.LetterRequest
		want []string
	}{
		{app.LetterRequest{Kind: app.LetterSickNote, From: "2026-11-26", To: "2026-11-28", Text: "Acute bronchitis."},
			[]string{"Medical certificate", "unfit for work or school from Thursday 26 November 2026 to Saturday 28 November 2026 inclusive (3 days)", "Acute bronchitis."}},
		{app.LetterRequest{Kind: app.LetterReferral, Recipient: "Cardiology outpatients, Evangelismos Hospital", Text: "Palpitations; ECG attached."},
			[]string{"Referral letter", "To: Cardiology outpatients, Evangelismos Hospital", "I am referring Ελένη Παπαδοπούλου (born 1987-04-12)", "Palpitations; ECG attached."}},
	} {
		b, err := pdf.Letter(clinic, p, c.r, doctor, issued, athens, i18n.English)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(pdfText(t, b)), " ")
		for _, want := range append(c.want, "Κλινική Riverside", "P-D1-000123", "Dr. Анна Иванова", "Registration no. ΙΣΑ-45821", "Date Thursday 26 November 2026") {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF lacks %q:\n%s", c.r.Kind, want, text)
			}
		}
	}
}
