package pdf_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

func sampleTable(rows int) *app.Table {
	t := &app.Table{Title: "Appointments", Subtitle: "2026-03-01 – 2026-03-31 · Dr. Анна Иванова",
		Columns: []string{"Date", "Patient", "Status", "Reason"}, Footer: []string{"Total", fmt.Sprintf("%d appointments", rows), "", ""}}
	for i := range rows {
		t.Rows = append(t.Rows, []string{"2026-03-29", fmt.Sprintf("Γιώργος Παπαδόπουλος %d", i), "No-show",
			"Cough,\nfever \"since Monday\" and a reason long enough that it cannot fit in its column on an A4 page at all"})
	}
	return t
}

func TestReport(t *testing.T) {
	clinic, _, _ := sample()
	img := image.NewRGBA(image.Rect(0, 0, 300, 100))
	for x := range 300 {
		img.Set(x, 50, color.Black)
	}
	var chart bytes.Buffer
	if err := png.Encode(&chart, img); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 4, 1, 7, 5, 0, 0, time.UTC)
	b, err := pdf.Report(clinic, sampleTable(120), chart.Bytes(), at, time.UTC, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	for _, want := range []string{clinic.ClinicName, "Appointments", "Dr. Анна Иванова", "Made Wed 2026-04-01 07:05",
		"Γιώργος Παπαδόπουλος 119", "120 appointments", "120 rows", "page 3 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing:\n%s", want, text)
		}
	}
	// The header repeats on the next pages.
	if strings.Count(text, "Reason") < 3 {
		t.Errorf("the table header is not repeated on every page")
	}
	// The same table prints the same bytes.
	again, _ := pdf.Report(clinic, sampleTable(120), chart.Bytes(), at, time.UTC, i18n.English)
	if !bytes.Equal(b, again) {
		t.Error("the same report printed different bytes")
	}
}

func TestReportTruncatesAndEmpty(t *testing.T) {
	clinic, _, _ := sample()
	big := sampleTable(app.MaxPDFRows + 3)
	en := i18n.For(i18n.English)
	b, err := pdf.Report(clinic, big, nil, time.Now(), time.UTC, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, b); !strings.Contains(text, fmt.Sprintf("%s rows; the first %s are printed", en.Integer(app.MaxPDFRows+3), en.Integer(app.MaxPDFRows))) {
		t.Error("a truncated report does not say so")
	}
	b, err = pdf.Report(clinic, &app.Table{Title: "New patients", Subtitle: "2026-03-29", Columns: []string{"Record no.", "Name"}}, nil, time.Now(), time.UTC, i18n.English)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, b); !strings.Contains(text, "Nothing in this period.") {
		t.Errorf("empty report:\n%s", text)
	}
}
