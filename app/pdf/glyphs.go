package pdf

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"hms/assets"
)

// A document prints whatever a record holds (a name is typed by the
// patient at a kiosk) and never fails for it. fpdf refuses a character
// beyond the Basic Multilingual Plane (an emoji) with an error, and draws
// one the font has no glyph for as nothing at all; so every string is
// passed through printable first, which keeps what DejaVu Sans (regular
// and bold) can draw and puts U+FFFD, the replacement character, in place
// of anything else: the reader sees that something was there.

// drawable is, for each code point of the BMP, whether both faces have a
// glyph for it; read from the fonts' character maps once per process.
var drawable = sync.OnceValue(func() []bool {
	ok := make([]bool, 0x10000)
	var faces []*sfnt.Font
	for _, b := range [][]byte{assets.FontRegular, assets.FontBold} {
		f, err := sfnt.Parse(b)
		if err != nil {
			return ok // no font to ask: everything is replaced but ASCII, below
		}
		faces = append(faces, f)
	}
	var buf sfnt.Buffer
	for r := rune(0x20); r < 0x10000; r++ {
		all := true
		for _, f := range faces {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				all = false
				break
			}
		}
		ok[r] = all
	}
	return ok
})

// printable returns s with every character the font cannot draw replaced
// by U+FFFD (an emoji sequence, with its joiners and modifiers, by one),
// and control characters but line breaks replaced too.
func printable(s string) string {
	can := drawable()
	fits := func(r rune) bool {
		if r == '\n' {
			return true
		}
		if r < 0x10000 && can[r] && !unicode.IsControl(r) {
			return true
		}
		return r >= 0x20 && r < 0x7f && !can[r] && !can['a'] // the fonts could not be read: ASCII only
	}
	clean := true
	for _, r := range s {
		if !fits(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	replaced, afterZWJ := false, false // the last rune written was a replacement; a joiner followed it
	for _, r := range s {
		switch {
		case replaced && (joiner(r) || afterZWJ):
			// part of the emoji sequence already replaced
			afterZWJ = r == 0x200D
		case fits(r):
			b.WriteRune(r)
			replaced = false
		default:
			b.WriteRune('\uFFFD')
			replaced = true
		}
	}
	return b.String()
}

// joiner reports the characters that belong to the emoji sequence before
// them: the zero-width joiner, variation selectors, skin-tone modifiers.
func joiner(r rune) bool {
	return r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// The text methods of fpdf a document uses, each taking its text through
// printable.

// CellFormat is fpdf's CellFormat with printable text, telling cellHook.
func (d *doc) CellFormat(w, h float64, txtStr, borderStr string, ln int, alignStr string, fill bool, link int, linkStr string) {
	if cellHook != nil && txtStr != "" {
		cellHook(w, txtStr, d.GetStringWidth(txtStr))
	}
	d.Fpdf.CellFormat(w, h, printable(txtStr), borderStr, ln, alignStr, fill, link, linkStr)
}

// MultiCell is fpdf's MultiCell with printable text.
func (d *doc) MultiCell(w, h float64, txtStr, borderStr, alignStr string, fill bool) {
	d.Fpdf.MultiCell(w, h, printable(txtStr), borderStr, alignStr, fill)
}

// Text is fpdf's Text with printable text.
func (d *doc) Text(x, y float64, txtStr string) { d.Fpdf.Text(x, y, printable(txtStr)) }

// SplitText is fpdf's SplitText of the printable text.
func (d *doc) SplitText(txt string, w float64) []string { return d.Fpdf.SplitText(printable(txt), w) }

// GetStringWidth is fpdf's GetStringWidth of the printable text.
func (d *doc) GetStringWidth(s string) float64 { return d.Fpdf.GetStringWidth(printable(s)) }

// SetAuthor is fpdf's SetAuthor with printable text.
func (d *doc) SetAuthor(authorStr string, isUTF8 bool) {
	d.Fpdf.SetAuthor(printable(authorStr), isUTF8)
}

// SetSubject is fpdf's SetSubject with printable text.
func (d *doc) SetSubject(subjectStr string, isUTF8 bool) {
	d.Fpdf.SetSubject(printable(subjectStr), isUTF8)
}
