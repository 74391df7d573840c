package pdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"hms/app/pdf/pdftest"
)

// TestFontSubset: the font embedded by a sheet is a TrueType file that
// reads back with the glyphs it was asked for (a composite one among them,
// with its parts) drawn as in the whole font, and the glyphs not asked for
// empty.
func TestFontSubset(t *testing.T) {
	f, err := dejaVu()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	a, e, omega := f.glyph(&buf, 'A'), f.glyph(&buf, 'é'), f.glyph(&buf, 'ω')
	if a == 0 || e == 0 || omega == 0 {
		t.Fatal("DejaVu Sans lacks A, é or ω")
	}
	if len(components(f.glyphs[e])) == 0 {
		t.Fatal("é is not a composite glyph in DejaVu Sans; pick another")
	}
	sub, err := sfnt.Parse(f.subset([]uint16{a, e}))
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	whole := f.sfnt
	draw := func(font *sfnt.Font, g uint16) sfnt.Segments {
		segs, err := font.LoadGlyph(&buf, sfnt.GlyphIndex(g), fixed.I(1000), nil)
		if err != nil {
			t.Fatalf("glyph %d: %v", g, err)
		}
		return append(sfnt.Segments(nil), segs...)
	}
	for _, g := range []uint16{a, e} {
		want, got := draw(whole, g), draw(sub, g)
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("glyph %d: %d segments, want %d", g, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("glyph %d differs at segment %d", g, i)
			}
		}
	}
	if int(omega) < sub.NumGlyphs() {
		if segs := draw(sub, omega); len(segs) != 0 {
			t.Errorf("ω was not asked for but has %d segments", len(segs))
		}
	}
	adv, err := sub.GlyphAdvance(&buf, sfnt.GlyphIndex(a), fixed.I(f.unitsPerEm), 0)
	if err != nil || adv.Round() != int(f.advances[a]) {
		t.Errorf("advance of A %v (%v), want %d", adv, err, f.advances[a])
	}
}

// TestSheetText: text on a sheet copies out as typed, width and wrap agree.
func TestSheetText(t *testing.T) {
	d, err := newSheet(58, "t", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	const s = "Ελένη Müller-Иванова ნინო"
	lines := d.wrap(s+" "+s, 9, 40)
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if d.width(l, 9) > 40 {
			t.Errorf("line %q is %.1f mm wide", l, d.width(l, 9))
		}
	}
	d.text(2, 10, 9, s)
	b := d.bytes(30)
	if !bytes.Contains(b, []byte("/MediaBox [0 0 164.41 85.04]")) {
		t.Errorf("page size: %s", b[:300])
	}
	if got := strings.TrimSpace(pdftest.Text(t, b, false)); got != s {
		t.Errorf("text %q, want %q", got, s)
	}
}
