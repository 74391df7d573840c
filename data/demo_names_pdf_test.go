package data_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"hms/app"
	"hms/app/pdf"
	"hms/app/pdf/pdftest"
	"hms/data"
)

// TestDemoNamesPrint: a receipt prints every name the demo gives its
// patients, in every script they use (Latin with its accents and
// extensions, Greek, Cyrillic), and with an emoji after it, drawn as a
// visible replacement: it never fails.
func TestDemoNamesPrint(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	scripts := map[string]bool{}
	names := data.DemoNames()
	for _, name := range names {
		for _, r := range name {
			for _, s := range []string{"Latin", "Greek", "Cyrillic"} {
				if unicode.Is(unicode.Scripts[s], r) && r > unicode.MaxASCII {
					scripts[s] = true
				}
			}
		}
	}
	// Three names a receipt, as a full name, and an emoji after them.
	for i := 0; i < len(names); i += 3 {
		three := strings.Join(names[i:min(i+3, len(names))], " ")
		b, err := pdf.Receipt(&app.Receipt{Clinic: app.Settings{ClinicName: "Riverside Clinic", Currency: "EUR"},
			TimeZone: "Europe/Athens", PrintedAt: at,
			Payment: app.Payment{ReceiptNumber: "R-D1-2026-000042", PatientName: three + " 🌻", PatientMRN: "P-D1-000007",
				Method: app.PayCash, Amount: 5000, Currency: "EUR", CashierName: "reception", TakenAt: at}}, false)
		if err != nil {
			t.Fatalf("%q: %v", three, err)
		}
		if text := pdftest.Text(t, b, false); !strings.Contains(strings.Join(strings.Fields(text), " "), three+" \uFFFD") {
			t.Errorf("the receipt lacks %q and the replacement for the emoji:\n%s", three, text)
		}
	}
	if len(scripts) != 3 {
		t.Errorf("the demo's names use %v; the test expects Latin beyond ASCII, Greek and Cyrillic", scripts)
	}
}
