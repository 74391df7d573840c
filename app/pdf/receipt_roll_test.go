package pdf_test

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// TestReceiptRoll: the 80 mm and 58 mm receipts are as wide as their roll
// and carry the same content as the A4 receipt, word for word; a reprint
// says COPY and differs in nothing else.
func TestReceiptRoll(t *testing.T) {
	words := func(s string) []string {
		w := strings.Fields(strings.ReplaceAll(s, "COPY", ""))
		sort.Strings(w)
		return w
	}
	a4, err := pdf.Receipt(sampleReceipt(), false)
	if err != nil {
		t.Fatal(err)
	}
	want := words(pdfText(t, a4))
	for _, width := range []float64{pdf.Roll80mm, pdf.Roll58mm} {
		orig, err := pdf.ReceiptRoll(sampleReceipt(), false, width)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := pdf.ReceiptRoll(sampleReceipt(), true, width)
		if err != nil {
			t.Fatal(err)
		}
		text, copyText := pdfText(t, orig), pdfText(t, cp)
		// The A4 receipt has a table header and a page footer the roll has
		// not; every word of the roll is on the A4 receipt and every
		// field of the A4 receipt is on the roll.
		got := words(text)
		for _, must := range []string{"R-D1-2026-000042", "Zoë", "Παπαδοπούλου-Иванова", "P-D1-000007", "INV-D1-2026-000017",
			"74.36", "50.00", "24.36", "60.00", "10.00", "Cash", "reception.", "11:30", "Κλινική", "EL099887766"} {
			if !slices.Contains(got, must) && !strings.Contains(text, must) {
				t.Errorf("%g mm receipt lacks %q:\n%s", width, must, text)
			}
			if !slices.Contains(want, must) && !strings.Contains(pdfText(t, a4), must) {
				t.Errorf("A4 receipt lacks %q", must)
			}
		}
		for _, w := range got {
			if _, found := slices.BinarySearch(want, w); !found {
				t.Errorf("%g mm receipt has %q, which the A4 receipt has not", width, w)
			}
		}
		if strings.Contains(text, "COPY") || !strings.Contains(copyText, "COPY") || !slices.Equal(words(text), words(copyText)) {
			t.Errorf("%g mm copy differs:\n%s\n---\n%s", width, text, copyText)
		}
		w, h := pageSize(t, orig)
		if w < width-0.5 || w > width+0.5 || h < 60 || h > 400 {
			t.Errorf("%g mm receipt page is %.1f × %.1f mm", width, w, h)
		}
	}
	if _, err := pdf.ReceiptRoll(sampleReceipt(), false, 100); err == nil {
		t.Error("a 100 mm roll was accepted")
	}
}

// pageSize reads the first page's size in millimetres from its MediaBox.
func pageSize(t *testing.T, b []byte) (w, h float64) {
	t.Helper()
	m := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no MediaBox")
	}
	wp, _ := strconv.ParseFloat(string(m[1]), 64)
	hp, _ := strconv.ParseFloat(string(m[2]), 64)
	return wp * 25.4 / 72, hp * 25.4 / 72
}

func BenchmarkReceiptPDF(b *testing.B) {
	r := sampleReceipt()
	r.Clinic.Logo = nil
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := pdf.ReceiptRoll(r, false, pdf.Roll80mm); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// TestAppointmentSlip: the slip is as wide as its roll and says who, with
// whom, where and when, the day with its weekday, in the clinic's zone.
func TestAppointmentSlip(t *testing.T) {
	clinic, _, _ := sample()
	athens, _ := time.LoadLocation("Europe/Athens")
	a := &app.Appointment{PatientName: "Ελένη Παπαδοπούλου", PatientMRN: "P-D1-000123", DoctorName: "Dr. Анна Иванова",
		Room: "Room 4", Reason: "Follow-up", Start: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC),
		End: time.Date(2026, 12, 7, 8, 45, 0, 0, time.UTC)}
	for _, width := range []float64{pdf.Roll80mm, pdf.Roll58mm} {
		b, err := pdf.AppointmentSlip(clinic, a, athens, width, i18n.English)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, b)
		for _, want := range []string{"Κλινική Riverside", "Ελένη Παπαδοπούλου", "P-D1-000123", "Dr. Анна Иванова", "Room 4",
			"Follow-up", "Monday 7 December 2026", "10:30–10:45", "+30 210 555 0100"} {
			if !strings.Contains(text, want) {
				t.Errorf("%g mm slip lacks %q:\n%s", width, want, text)
			}
		}
		if w, _ := pageSize(t, b); w < width-0.5 || w > width+0.5 {
			t.Errorf("%g mm slip is %.1f mm wide", width, w)
		}
	}
	if _, err := pdf.AppointmentSlip(clinic, a, athens, 210, i18n.English); err == nil {
		t.Error("an A4 slip")
	}
}

// TestTokenSlip: the token slip is as wide as its roll, shows the token,
// the doctor and the time checked in in the clinic's zone, and no name.
func TestTokenSlip(t *testing.T) {
	clinic, _, _ := sample()
	athens, _ := time.LoadLocation("Europe/Athens")
	a := &app.Appointment{PatientName: "Ελένη Παπαδοπούλου", PatientMRN: "P-D1-000123", DoctorName: "Dr. Анна Иванова",
		Token: "B-012", CheckedInAt: time.Date(2026, 12, 7, 8, 31, 0, 0, time.UTC)}
	for _, width := range []float64{pdf.Roll80mm, pdf.Roll58mm} {
		b, err := pdf.TokenSlip(clinic, a, athens, width, i18n.English)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, b)
		for _, want := range []string{"Κλινική Riverside", "B-012", "Dr. Анна Иванова", "Mon 2026-12-07 10:31"} {
			if !strings.Contains(text, want) {
				t.Errorf("%g mm slip lacks %q:\n%s", width, want, text)
			}
		}
		for _, not := range []string{"Ελένη", "P-D1-000123"} {
			if strings.Contains(text, not) {
				t.Errorf("%g mm slip shows %q", width, not)
			}
		}
		if w, _ := pageSize(t, b); w < width-0.5 || w > width+0.5 {
			t.Errorf("%g mm slip is %.1f mm wide", width, w)
		}
	}
	if _, err := pdf.TokenSlip(clinic, &app.Appointment{}, athens, pdf.Roll80mm, i18n.English); err == nil {
		t.Error("a slip without a token")
	}
}
