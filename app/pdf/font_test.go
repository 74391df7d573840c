package pdf

import (
	"bytes"
	"testing"
	"time"

	"hms/assets"
)

// TestLGCFont: the cut has the whole font's metrics for the text it
// covers, is much smaller, and is chosen only for text it covers.
func TestLGCFont(t *testing.T) {
	cut := lgcFont()
	if len(cut) == 0 || len(cut) > len(assets.FontRegular)/2 {
		t.Fatalf("cut of %d bytes from %d", len(cut), len(assets.FontRegular))
	}
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	whole, part := newReceiptDoc(nil, "w", at, assets.FontRegular), newReceiptDoc(nil, "c", at, cut)
	whole.font(false, 11, 0)
	part.font(false, 11, 0)
	for _, s := range []string{"Zoë Παπαδοπούλου-Иванова", "Ærøskøbing Łódź Şişli Nguyễn Thị Hương", "ἈΘΗΝᾶ Ґанна Ўладзімір",
		"R-D1-2026-000042 · 1,234.50 EUR – “quoted” … € № ₴ ₽"} {
		if w, c := whole.GetStringWidth(s), part.GetStringWidth(s); w != c || w == 0 {
			t.Errorf("%q is %.3f mm wide in the whole font, %.3f in the cut", s, w, c)
		}
	}
	if f := regularFontFor("Zoë", "Παπαδοπούλου", "Иванова\n1 River Road"); !bytes.Equal(f, cut) {
		t.Error("Latin, Greek and Cyrillic text does not get the cut")
	}
	// The cut has no glyphs for other scripts (a text extractor would still
	// find the characters, but the page would show blanks), so text in
	// them gets the whole font.
	for _, s := range []string{"ნინო", "Արամ", "שרה", "✓ ☎"} {
		if w, c := whole.GetStringWidth(s), part.GetStringWidth(s); w == c {
			t.Errorf("the cut has %q", s)
		}
		if f := regularFontFor("Zoë", s); !bytes.Equal(f, assets.FontRegular) {
			t.Errorf("%q does not get the whole font", s)
		}
	}
}
