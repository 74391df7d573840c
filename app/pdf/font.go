package pdf

import (
	"sync"
	"unicode"

	"codeberg.org/go-pdf/fpdf"

	"hms/assets"
)

// fpdf parses a UTF-8 font each time a document adds it and subsets it
// again when the document is written; it offers no way to share a parsed
// font between documents (the parsed state is unexported, and writing a
// document mutates it). Both passes walk every glyph of the font, and
// DejaVu Sans has about 6,000, most of them in scripts a clinic's receipts
// never print. So A4 receipts, which are printed while the patient waits,
// embed a cut of DejaVu Sans made once per process with fpdf's own
// subsetter: the same glyphs and metrics for Latin, Greek and Cyrillic, a
// quarter of the size, and a quarter to a third less work per document.
// A receipt whose text has a character outside the cut falls back to the
// whole font.

// lgcRanges are the Unicode blocks of the cut: Latin, Greek and Cyrillic
// with their extensions and combining marks, and the punctuation, currency
// and letter-like symbols that go with them.
var lgcRanges = &unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x0020, Hi: 0x007e, Stride: 1}, // Basic Latin
	{Lo: 0x00a0, Hi: 0x052f, Stride: 1}, // Latin-1 to Latin Extended-B, IPA, modifiers, combining marks, Greek, Cyrillic
	{Lo: 0x1c80, Hi: 0x1c8f, Stride: 1}, // Cyrillic Extended-C
	{Lo: 0x1d00, Hi: 0x1dbf, Stride: 1}, // phonetic extensions
	{Lo: 0x1e00, Hi: 0x1fff, Stride: 1}, // Latin Extended Additional, Greek Extended
	{Lo: 0x2000, Hi: 0x218f, Stride: 1}, // punctuation, super- and subscripts, currency, letter-like, number forms
	{Lo: 0x2190, Hi: 0x21ff, Stride: 1}, // arrows
	{Lo: 0x2212, Hi: 0x2212, Stride: 1}, // minus sign
	{Lo: 0x2c60, Hi: 0x2c7f, Stride: 1}, // Latin Extended-C
	{Lo: 0x2de0, Hi: 0x2dff, Stride: 1}, // Cyrillic Extended-A
	{Lo: 0xa640, Hi: 0xa69f, Stride: 1}, // Cyrillic Extended-B
	{Lo: 0xa720, Hi: 0xa7ff, Stride: 1}, // Latin Extended-D
	{Lo: 0xab30, Hi: 0xab6f, Stride: 1}, // Latin Extended-E
	{Lo: 0xfb00, Hi: 0xfb06, Stride: 1}, // Latin ligatures
	{Lo: 0xfffd, Hi: 0xfffd, Stride: 1}, // replacement character
}}

var lgcFont = sync.OnceValue(func() []byte {
	var set []rune
	for _, r := range lgcRanges.R16 {
		for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
			set = append(set, c)
		}
	}
	return fpdf.UTF8CutFont(assets.FontRegular, string(set))
})

// regularFontFor returns the regular face to embed for a document whose
// text is texts: the Latin, Greek and Cyrillic cut when it covers every
// character, otherwise the whole font.
func regularFontFor(texts ...string) []byte {
	for _, s := range texts {
		for _, r := range s {
			if !unicode.Is(lgcRanges, r) && !unicode.IsControl(r) {
				return assets.FontRegular
			}
		}
	}
	if cut := lgcFont(); len(cut) > 0 {
		return cut
	}
	return assets.FontRegular
}
