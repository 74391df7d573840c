package pdf

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/image/font/sfnt"

	"hms/assets"
)

// ttFont is a TrueType font read once per process for the documents drawn
// by sheet: its tables, each glyph's outline and advance, and its
// character map. A document embeds a subset made from it: the glyphs it
// uses, with their glyph numbers unchanged.
type ttFont struct {
	tables     map[string][]byte
	unitsPerEm int
	numGlyphs  int
	glyphs     [][]byte   // each glyph's outline in glyf
	advances   []uint16   // in font units
	sfnt       *sfnt.Font // for the character map
	ascent     int        // the following in font units
	descent    int
	capHeight  int
	bbox       [4]int
}

// dejaVu is DejaVu Sans, read once.
var dejaVu = sync.OnceValues(func() (*ttFont, error) { return parseTT(assets.FontRegular) })

func parseTT(b []byte) (*ttFont, error) {
	var err error
	bad := func(what string) (*ttFont, error) { return nil, fmt.Errorf("pdf: font: %s", what) }
	if len(b) < 12 {
		return bad("too short") //i18n:ok a font error, for logs
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 12+16*n {
		return bad("table directory cut short") //i18n:ok a font error, for logs
	}
	f := &ttFont{tables: map[string][]byte{}}
	for i := range n {
		rec := b[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return bad("table out of the file") //i18n:ok a font error, for logs
		}
		f.tables[string(rec[:4])] = b[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if f.tables[t] == nil {
			return bad("no " + t + " table (not a TrueType-outline font)") //i18n:ok a font error, for logs
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return bad("short head, hhea or maxp") //i18n:ok a font error, for logs
	}
	i16 := func(b []byte, at int) int { return int(int16(binary.BigEndian.Uint16(b[at:]))) }
	f.unitsPerEm = int(binary.BigEndian.Uint16(head[18:]))
	f.bbox = [4]int{i16(head, 36), i16(head, 38), i16(head, 40), i16(head, 42)}
	longLoca := i16(head, 50) == 1
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.ascent, f.descent = i16(hhea, 4), i16(hhea, 6)
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = i16(os2, 88)
	}
	if f.unitsPerEm == 0 || f.numGlyphs == 0 {
		return bad("no glyphs") //i18n:ok a font error, for logs
	}

	loca, glyf := f.tables["loca"], f.tables["glyf"]
	offset := func(i int) (int, bool) {
		if longLoca {
			if 4*i+4 > len(loca) {
				return 0, false
			}
			return int(binary.BigEndian.Uint32(loca[4*i:])), true
		}
		if 2*i+2 > len(loca) {
			return 0, false
		}
		return 2 * int(binary.BigEndian.Uint16(loca[2*i:])), true
	}
	f.glyphs = make([][]byte, f.numGlyphs)
	for i := range f.numGlyphs {
		from, ok1 := offset(i)
		to, ok2 := offset(i + 1)
		if !ok1 || !ok2 || from > to || to > len(glyf) {
			return bad("loca out of glyf") //i18n:ok a font error, for logs
		}
		f.glyphs[i] = glyf[from:to]
	}

	hmtx := f.tables["hmtx"]
	nh := int(binary.BigEndian.Uint16(hhea[34:]))
	if nh == 0 || len(hmtx) < 4*nh {
		return bad("short hmtx") //i18n:ok a font error, for logs
	}
	f.advances = make([]uint16, f.numGlyphs)
	for i := range f.numGlyphs {
		f.advances[i] = binary.BigEndian.Uint16(hmtx[4*min(i, nh-1):])
	}

	// The character map is read through x/image's reader, glyph by glyph.
	if f.sfnt, err = sfnt.Parse(b); err != nil {
		return nil, fmt.Errorf("pdf: font: %w", err)
	}
	return f, nil
}

// glyph is the glyph of r, or 0 (the font's "missing" glyph); buf is the
// caller's own (the font is shared between goroutines, a buffer is not).
func (f *ttFont) glyph(buf *sfnt.Buffer, r rune) uint16 {
	g, err := f.sfnt.GlyphIndex(buf, r)
	if err != nil {
		return 0
	}
	return uint16(g)
}

// subset is the font with only the glyphs used (and the missing glyph and
// the parts of composite glyphs) keeping their outlines; glyph numbers,
// advances and hinting are kept, the character map is an empty one (a PDF
// addresses glyphs by number). It is a TrueType file for FontFile2.
func (f *ttFont) subset(used []uint16) []byte {
	keep := make([]bool, f.numGlyphs)
	work := append([]uint16{0}, used...)
	for len(work) > 0 {
		g := work[len(work)-1]
		work = work[:len(work)-1]
		if int(g) >= f.numGlyphs || keep[g] {
			continue
		}
		keep[g] = true
		work = append(work, components(f.glyphs[g])...)
	}
	// The font ends at the last glyph used: glyphs after it need no place
	// in loca and hmtx.
	n := 1
	for i := range keep {
		if keep[i] {
			n = i + 1
		}
	}
	var glyf []byte
	loca := make([]byte, 4*(n+1))
	for i, g := range f.glyphs[:n] {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		if keep[i] {
			glyf = append(glyf, g...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))
	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca offsets
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	hhea := slices.Clone(f.tables["hhea"])
	nh := int(binary.BigEndian.Uint16(hhea[34:]))
	hmtx := f.tables["hmtx"]
	if n <= nh {
		binary.BigEndian.PutUint16(hhea[34:], uint16(n))
		hmtx = hmtx[:4*n]
	} else {
		hmtx = hmtx[:min(len(hmtx), 4*nh+2*(n-nh))]
	}
	tables := map[string][]byte{"head": head, "loca": loca, "glyf": glyf, "maxp": maxp, "hhea": hhea, "hmtx": hmtx,
		"cmap": emptyCmap}
	if post := f.tables["post"]; len(post) >= 32 {
		// Version 3: the metrics of the original, no glyph names.
		post = slices.Clone(post[:32])
		binary.BigEndian.PutUint32(post, 0x00030000)
		tables["post"] = post
	}
	for _, t := range []string{"cvt ", "fpgm", "prep"} { //i18n:ok TrueType table tags
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)

	n = len(tags)
	sel := 0
	for 1<<(sel+1) <= n {
		sel++
	}
	out := make([]byte, 12+16*n, 12+16*n+len(glyf)+len(loca)+len(f.tables["hmtx"])+4096)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<sel))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16<<sel))
	headAt := 0
	for i, t := range tags {
		data := tables[t]
		rec := out[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if t == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xb1b0afba-checksum(out))
	return out
}

// emptyCmap is a character map that maps no character (one Windows
// Unicode format 4 subtable with only its closing segment): a PDF
// addresses glyphs by number, but some font readers insist on the table.
var emptyCmap = []byte{
	0, 0, 0, 1, // version 0, one subtable
	0, 3, 0, 1, 0, 0, 0, 12, // Windows, Unicode BMP, at 12
	0, 4, 0, 24, 0, 0, // format 4, length 24, language 0
	0, 2, 0, 2, 0, 0, 0, 0, // one segment: searchRange 2, entrySelector 0, rangeShift 0
	0xff, 0xff, 0, 0, 0xff, 0xff, // endCode, reservedPad, startCode
	0, 1, 0, 0, // idDelta 1, idRangeOffset 0
}

// components are the glyphs a composite glyph is made of.
func components(g []byte) []uint16 {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var out []uint16
	for at := 10; at+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[at:])
		out = append(out, binary.BigEndian.Uint16(g[at+2:]))
		at += 4
		if flags&0x0001 != 0 { // arguments are words
			at += 4
		} else {
			at += 2
		}
		switch {
		case flags&0x0008 != 0: // one scale
			at += 2
		case flags&0x0040 != 0: // x and y scales
			at += 4
		case flags&0x0080 != 0: // two by two
			at += 8
		}
		if flags&0x0020 == 0 { // no more components
			break
		}
	}
	return out
}

// checksum is a TrueType table checksum: the sum of its big-endian 32-bit
// words, the last one padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
