package data

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"

	"hms/app"
)

// demoAttachments attaches small generated reports (a lab result as PDF, a chest
// X-ray as PNG, a lab result as text) to the demo patient account's record
// and to about twenty other patients, through the report service, so each
// has its timeline entry and audit row like a real upload.
func (db *DB) demoAttachments(ctx context.Context, rng *rand.Rand) error {
	var ownID string
	if err := db.r.QueryRowContext(ctx, `SELECT patient_id FROM users WHERE username = 'patient'`).Scan(&ownID); err != nil {
		return fmt.Errorf("demo reports: the patient account: %w", err)
	}
	staff := map[string]context.Context{}
	for _, name := range []string{"dr.house", "nurse.joy"} {
		c := app.Caller{Username: name}
		if err := db.r.QueryRowContext(ctx, `SELECT id, role FROM users WHERE username = ?`, name).Scan(&c.UserID, &c.Role); err != nil {
			return fmt.Errorf("demo reports: account %s: %w", name, err)
		}
		staff[name] = app.NewContextWithCaller(ctx, c)
	}
	var maxSeq int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(activity_seq), 0) FROM patients`).Scan(&maxSeq); err != nil {
		return fmt.Errorf("demo reports: %w", err)
	}
	patients := []string{ownID}
	seen := map[string]bool{ownID: true}
	for tries := 0; len(patients) < 21 && tries < 200 && maxSeq > 0; tries++ {
		var id string
		err := db.r.QueryRowContext(ctx, `SELECT id FROM patients WHERE activity_seq >= ? AND deleted_at IS NULL
			ORDER BY activity_seq LIMIT 1`, 1+rng.Int64N(maxSeq)).Scan(&id)
		if err == nil && !seen[id] {
			seen[id] = true
			patients = append(patients, id)
		}
	}
	svc := &AttachmentService{db: db}
	today := db.now().UTC().AddDate(0, 0, -1)
	for i, pid := range patients {
		var birth string
		if err := db.r.QueryRowContext(ctx, `SELECT birth_date FROM patients WHERE id = ?`, pid).Scan(&birth); err != nil {
			return fmt.Errorf("demo reports: %w", err)
		}
		kinds := []int{0, 1, 2} // the patient account gets one of each
		if i > 0 {
			kinds = rng.Perm(3)[:1+rng.IntN(2)]
		}
		for _, k := range kinds {
			date := today.AddDate(0, 0, -rng.IntN(720)).Format(app.DateLayout)
			if date < birth {
				date = birth
			}
			var r app.AttachmentCreate
			by := "nurse.joy"
			switch k {
			case 0:
				r = app.AttachmentCreate{Title: "Full blood count", Type: app.AttachmentLab, FileName: "full-blood-count.pdf",
					Content: demoPDF("Full blood count", date, demoLabLines(rng, demoCBC))}
			case 1:
				r = app.AttachmentCreate{Title: "Chest X-ray, PA view", Type: app.AttachmentImaging, FileName: "chest-xray.png",
					Content: demoXray(rng)}
				by = "dr.house"
			case 2:
				r = app.AttachmentCreate{Title: "Lipid panel", Type: app.AttachmentLab, FileName: "lipid-panel.txt",
					Content: []byte("Lipid panel, " + date + "\n\n" + strings.Join(demoLabLines(rng, demoLipids), "\n") + "\n")}
			}
			r.PatientID, r.Date = pid, date
			if _, err := svc.AttachFile(staff[by], r); err != nil {
				return fmt.Errorf("demo report %s: %w", r.FileName, err)
			}
		}
	}
	return nil
}

// demoTest is one line of a lab result: a value drawn around the middle of
// its reference range.
type demoTest struct {
	name, unit string
	low, high  float64
	decimals   int
}

var demoCBC = []demoTest{
	{"Haemoglobin", "g/dL", 12, 17, 1}, {"White cells", "x10^9/L", 4, 11, 1}, {"Platelets", "x10^9/L", 150, 400, 0},
	{"Red cells", "x10^12/L", 4.2, 5.9, 2}, {"Haematocrit", "%", 36, 50, 1}, {"MCV", "fL", 80, 100, 0},
}

var demoLipids = []demoTest{
	{"Total cholesterol", "mmol/L", 3.5, 5.2, 1}, {"LDL cholesterol", "mmol/L", 1.5, 3.0, 1},
	{"HDL cholesterol", "mmol/L", 1.0, 2.0, 1}, {"Triglycerides", "mmol/L", 0.5, 1.7, 1},
}

// demoLabLines draws a value for each test, a few outside the range, and
// flags those.
func demoLabLines(rng *rand.Rand, tests []demoTest) []string {
	out := []string{fmt.Sprintf("%-20s %10s  %-10s %s", "Test", "Result", "Unit", "Reference")}
	for _, t := range tests {
		span := t.high - t.low
		v := t.low + span*(rng.Float64()*1.3-0.15)
		flag := ""
		if v < t.low {
			flag = " L"
		} else if v > t.high {
			flag = " H"
		}
		ref := fmt.Sprintf("%.*f-%.*f", t.decimals, t.low, t.decimals, t.high)
		out = append(out, fmt.Sprintf("%-20s %10.*f  %-10s %s%s", t.name, t.decimals, v, t.unit, ref, flag))
	}
	return out
}

// demoPDF writes a one-page PDF by hand: a title, the date and lines of
// text in Courier, with a correct cross-reference table. The text is ASCII.
func demoPDF(title, date string, lines []string) []byte {
	var page bytes.Buffer
	fmt.Fprintf(&page, "BT /F1 16 Tf 56 780 Td (%s) Tj ET\n", pdfText("Riverside Family Clinic - "+title))
	fmt.Fprintf(&page, "BT /F2 10 Tf 56 760 Td (%s) Tj ET\n", pdfText("Sample date: "+date))
	for i, l := range lines {
		fmt.Fprintf(&page, "BT /F2 10 Tf 56 %d Td (%s) Tj ET\n", 730-16*i, pdfText(l))
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", page.Len(), page.Bytes()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pdfText escapes a string for a PDF literal; anything not ASCII becomes '?'.
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// demoXray draws a small grey chest X-ray look-alike: two dark lung fields
// in a lighter body, with noise.
func demoXray(rng *rand.Rand) []byte {
	const w, h = 96, 96
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 170.0
			for _, cx := range []float64{30, 66} {
				dx, dy := (float64(x)-cx)/16, (float64(y)-50)/30
				if d := dx*dx + dy*dy; d < 1 {
					v -= 110 * (1 - d)
				}
			}
			if x > 44 && x < 52 {
				v += 50 // the spine
			}
			v += rng.NormFloat64() * 8
			img.SetGray(x, y, color.Gray{Y: uint8(math.Max(0, math.Min(255, v)))})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(fmt.Sprintf("demo X-ray: %v", err)) // encoding an in-memory image does not fail
	}
	return b.Bytes()
}
