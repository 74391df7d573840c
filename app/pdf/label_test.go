package pdf

import (
	"bytes"
	"image"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf/pdftest"
)

var labelPatient = &app.Patient{MRN: "P-D1-000123", GivenName: "Ana", FamilyName: "Müller", BirthDate: "1984-03-07", Sex: "female"}

// decode128 reads a Code 128 module pattern back: start B, symbols, check
// symbol (mod 103), stop.
func decode128(t *testing.T, m string) string {
	t.Helper()
	value := map[string]int{}
	for v, p := range code128Patterns {
		value[p] = v
	}
	if !strings.HasSuffix(m, code128Stop) || !strings.HasPrefix(m, code128Patterns[code128StartB]) {
		t.Fatalf("no start B / stop in %s", m)
	}
	m = m[11 : len(m)-len(code128Stop)]
	var vals []int
	for ; len(m) >= 11; m = m[11:] {
		v, ok := value[m[:11]]
		if !ok {
			t.Fatalf("not a Code 128 symbol: %s", m[:11])
		}
		vals = append(vals, v)
	}
	check := vals[len(vals)-1]
	vals = vals[:len(vals)-1]
	sum := code128StartB
	var s []byte
	for i, v := range vals {
		sum += v * (i + 1)
		s = append(s, byte(v+32))
	}
	if sum%103 != check {
		t.Fatalf("check symbol %d, want %d", check, sum%103)
	}
	return string(s)
}

func TestCode128Table(t *testing.T) {
	if len(code128Patterns) != 106 {
		t.Fatalf("%d patterns", len(code128Patterns))
	}
	seen := map[string]bool{}
	for v, p := range code128Patterns {
		// Each symbol: 11 modules, 3 bars and 3 spaces, bar first.
		runs := 1
		for i := 1; i < len(p); i++ {
			if p[i] != p[i-1] {
				runs++
			}
		}
		if len(p) != 11 || p[0] != '1' || p[10] != '0' || runs != 6 || seen[p] {
			t.Errorf("symbol %d: %s", v, p)
		}
		seen[p] = true
	}
	// A known encoding: "PJJ123C" (ISO/IEC 15417 style worked example) has
	// check symbol 54 in set B.
	m, err := code128("PJJ123C")
	if err != nil {
		t.Fatal(err)
	}
	if got := m[len(m)-13-11 : len(m)-13]; got != code128Patterns[55] {
		t.Errorf("check symbol %s, want %s", got, code128Patterns[55])
	}
	if _, err := code128("Müller"); err == nil {
		t.Error("encoded a non-ASCII character")
	}
}

func TestLabelPDF(t *testing.T) {
	for _, c := range []struct {
		layout string
		box    string
	}{
		{app.LayoutLabel5025, "/MediaBox [0 0 141.73 70.87]"},
		{app.LayoutLabel3825, "/MediaBox [0 0 107.72 70.87]"},
		{app.LayoutWristband, "/MediaBox [0 0 708.66 70.87]"},
	} {
		b, err := Label(labelPatient, c.layout, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), i18n.English)
		if err != nil {
			t.Fatalf("%s: %v", c.layout, err)
		}
		if !bytes.Contains(b, []byte(c.box)) {
			t.Errorf("%s: no %s", c.layout, c.box)
		}
		text := pdftest.Text(t, b, false)
		for _, want := range []string{"MÜLLER, Ana", "P-D1-000123", "1984-03-07"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q missing from\n%s", c.layout, want, text)
			}
		}
	}
	// A long name is made smaller to fit beside the QR code.
	long := *labelPatient
	long.FamilyName, long.GivenName = "Παπαδοπούλου-Κωνσταντινίδου", "Ελένη"
	b, err := Label(&long, app.LayoutLabel5025, time.Time{}, i18n.English)
	if err != nil || !strings.Contains(pdftest.Text(t, b, false), "Ελένη") {
		t.Errorf("long name: %v", err)
	}
	m, err := code128(labelPatient.MRN)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode128(t, m); got != labelPatient.MRN {
		t.Errorf("barcode decodes to %q", got)
	}
	if _, err := Label(labelPatient, "a4", time.Time{}, i18n.English); err == nil {
		t.Error("an A4 label")
	}
}

// readQR finds the QR code in img and returns what it encodes.
func readQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	r, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return r.GetText(), nil
}

// TestLabelQRCode prints each label layout as a printer would (the page
// drawn at 600 dpi) and reads its QR code back with a QR reader: it holds
// the record number, and a label of another patient's holds theirs.
func TestLabelQRCode(t *testing.T) {
	other := *labelPatient
	other.MRN = "P-D2-004711"
	for _, layout := range []string{app.LayoutLabel5025, app.LayoutLabel3825, app.LayoutWristband} {
		for _, p := range []*app.Patient{labelPatient, &other} {
			b, err := Label(p, layout, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), i18n.English)
			if err != nil {
				t.Fatalf("%s: %v", layout, err)
			}
			got, err := readQR(pdftest.Image(t, b, 600))
			if err != nil {
				t.Errorf("%s: no QR code read: %v", layout, err)
				continue
			}
			if got != p.MRN {
				t.Errorf("%s: the QR code holds %q, want %q", layout, got, p.MRN)
			}
		}
	}
	// The reader finds nothing on a white page.
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if got, err := readQR(blank); err == nil {
		t.Errorf("read %q on a white page", got)
	}
}

func BenchmarkLabelPDF(b *testing.B) {
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := Label(labelPatient, app.LayoutLabel5025, time.Time{}, i18n.English); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	q := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
