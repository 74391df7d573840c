package pdf

// sheet.go writes PDF syntax, not text for people: its literals are the
// file format's keywords, marked //i18n:ok where they look like words.

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
)

// sheet draws a one-page PDF directly, for the documents printed while
// the patient waits (thermal receipts, labels): one face, DejaVu Sans,
// read once per process (dejaVu) and embedded as a subset of the glyphs
// the page uses; text, lines and filled rectangles. fpdf, which the other
// documents use, parses the whole font again for each document and builds
// tables over all its characters; that alone costs more than a receipt may
// take. The page's length may be settled after drawing (a receipt is as
// long as its content): positions are in millimetres from the top left.
type sheet struct {
	font  *ttFont
	buf   sfnt.Buffer
	gids  map[rune]uint16
	used  map[uint16]rune // glyph → the character it prints, for copying text out
	w     float64         // page width, mm
	body  bytes.Buffer    // the content stream, y going down from 0
	title string
	meta  [][2]string // Info entries after the title
	when  time.Time
}

const ptPerMM = 72 / 25.4

// The document information's keys.
const (
	infoSubject = "Subject" //i18n:ok a PDF information key
	infoAuthor  = "Author"  //i18n:ok a PDF information key
)

// newSheet starts a page w millimetres wide.
func newSheet(w float64, title string, created time.Time) (*sheet, error) {
	f, err := dejaVu()
	if err != nil {
		return nil, err
	}
	return &sheet{font: f, gids: map[rune]uint16{}, used: map[uint16]rune{}, w: w, title: title, when: created}, nil
}

// info adds an entry to the document's information (Subject, Author).
func (s *sheet) info(key, value string) {
	if value != "" {
		s.meta = append(s.meta, [2]string{key, value})
	}
}

func (s *sheet) gid(r rune) uint16 {
	g, ok := s.gids[r]
	if !ok {
		g = s.font.glyph(&s.buf, r)
		s.gids[r] = g
	}
	return g
}

// width is the width of str at size points, in millimetres.
func (s *sheet) width(str string, size float64) float64 {
	units := 0
	for _, r := range str {
		units += int(s.font.advances[s.gid(r)])
	}
	return float64(units) * size / float64(s.font.unitsPerEm) / ptPerMM
}

// wrap breaks str into lines no wider than w millimetres at size points,
// at spaces where it can, within a word where a word is wider than w.
func (s *sheet) wrap(str string, size, w float64) []string {
	var out []string
	for str != "" {
		runes := []rune(str)
		end, space, width := 0, -1, 0.0
		for end < len(runes) {
			width += s.width(string(runes[end]), size)
			if width > w && end > 0 {
				break
			}
			if runes[end] == ' ' {
				space = end
			}
			end++
		}
		if end == len(runes) {
			out = append(out, str)
			break
		}
		if space > 0 {
			out = append(out, string(runes[:space]))
			str = string(runes[space+1:])
		} else {
			out = append(out, string(runes[:end]))
			str = string(runes[end:])
		}
	}
	return out
}

func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// text prints str at size points with its left end at x and its baseline
// at y.
func (s *sheet) text(x, y, size float64, str string) {
	if str == "" {
		return
	}
	b := &s.body
	fmt.Fprintf(b, "BT /F1 %s Tf %s %s Td <", num(size), num(x*ptPerMM), num(-y*ptPerMM))
	for _, r := range str {
		g := s.gid(r)
		if _, ok := s.used[g]; !ok || g == 0 {
			s.used[g] = r
		}
		fmt.Fprintf(b, "%04X", g)
	}
	b.WriteString("> Tj ET\n") //i18n:ok PDF syntax
}

// rect fills a rectangle whose top left corner is at x, y.
func (s *sheet) rect(x, y, w, h float64) {
	fmt.Fprintf(&s.body, "%s %s %s %s re f\n", num(x*ptPerMM), num(-(y+h)*ptPerMM), num(w*ptPerMM), num(h*ptPerMM))
}

// box strokes a rectangle's outline, lw millimetres wide.
func (s *sheet) box(x, y, w, h, lw float64) {
	fmt.Fprintf(&s.body, "%s w %s %s %s %s re S\n", num(lw*ptPerMM), num(x*ptPerMM), num(-(y+h)*ptPerMM), num(w*ptPerMM), num(h*ptPerMM))
}

// line strokes a line lw millimetres wide, dashed when dash (on, off in
// millimetres) is given.
func (s *sheet) line(x1, y1, x2, y2, lw float64, dash ...float64) {
	b := &s.body
	fmt.Fprintf(b, "%s w ", num(lw*ptPerMM))
	if len(dash) > 0 {
		b.WriteString("[")
		for i, d := range dash {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(num(d * ptPerMM))
		}
		b.WriteString("] 0 d ") //i18n:ok PDF syntax
	}
	fmt.Fprintf(b, "%s %s m %s %s l S", num(x1*ptPerMM), num(-y1*ptPerMM), num(x2*ptPerMM), num(-y2*ptPerMM))
	if len(dash) > 0 {
		b.WriteString(" [] 0 d") //i18n:ok PDF syntax
	}
	b.WriteString("\n")
}

// pdfString is a text string of the document's information: UTF-16 with
// its byte order mark, in hexadecimal.
func pdfString(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF") //i18n:ok PDF syntax
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// deflaters are zlib writers kept for reuse: a new one allocates about a
// megabyte of state.
var deflaters = sync.Pool{New: func() any {
	z, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return z
}}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	z := deflaters.Get().(*zlib.Writer)
	z.Reset(&b)
	z.Write(data)
	z.Close()
	deflaters.Put(z)
	return b.Bytes()
}

// bytes finishes the document on a page h millimetres long.
func (s *sheet) bytes(h float64) []byte {
	f := s.font
	gids := make([]uint16, 0, len(s.used))
	for g := range s.used {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	// A subset's name starts with a tag of six capitals, the same for the
	// same glyphs.
	hash := fnv.New32a()
	for _, g := range gids {
		hash.Write([]byte{byte(g >> 8), byte(g)})
	}
	tag := make([]byte, 6)
	for i, v := 0, hash.Sum32(); i < 6; i, v = i+1, v/26 {
		tag[i] = 'A' + byte(v%26)
	}
	scale := func(v int) string { return strconv.Itoa(int(math.Round(float64(v) * 1000 / float64(f.unitsPerEm)))) }

	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	stream := func(dict string, data []byte) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n<< %s /Filter /FlateDecode /Length %d >>\nstream\n", len(offsets), dict, len(data))
		out.Write(data)
		out.WriteString("\nendstream\nendobj\n")
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") //i18n:ok PDF syntax
	wpt, hpt := s.w*ptPerMM, h*ptPerMM
	// 1 catalog, 2 pages, 3 page, 4 content, 5 font, 6 CID font,
	// 7 ToUnicode, 8 descriptor, 9 font file, 10 information.
	obj("<< /Type /Catalog /Pages 2 0 R >>")                                                                                                       //i18n:ok PDF syntax
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")                                                                                               //i18n:ok PDF syntax
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>", wpt, hpt)) //i18n:ok PDF syntax
	content := append([]byte("1 0 0 1 0 "+num(hpt)+" cm\n"), s.body.Bytes()...)                                                                    //i18n:ok PDF syntax
	stream("", deflate(content))
	name := string(tag) + "+DejaVuSans"                                                                                              //i18n:ok PDF syntax
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /" + name + " /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>") //i18n:ok PDF syntax
	var w bytes.Buffer
	for _, g := range gids {
		fmt.Fprintf(&w, "%d [%s] ", g, scale(int(f.advances[g])))
	}
	obj("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + name + //i18n:ok PDF syntax
		" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW " + //i18n:ok PDF syntax
		scale(int(f.advances[0])) + " /W [" + w.String() + "] /CIDToGIDMap /Identity >>") //i18n:ok PDF syntax
	var cmap bytes.Buffer
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" + //i18n:ok PDF syntax
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" + //i18n:ok PDF syntax
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n") //i18n:ok PDF syntax
	mapped := slices.DeleteFunc(slices.Clone(gids), func(g uint16) bool { return g == 0 })
	for len(mapped) > 0 {
		n := min(len(mapped), 100)
		fmt.Fprintf(&cmap, "%d beginbfchar\n", n)
		for _, g := range mapped[:n] {
			fmt.Fprintf(&cmap, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{s.used[g]}) {
				fmt.Fprintf(&cmap, "%04X", u)
			}
			cmap.WriteString(">\n")
		}
		cmap.WriteString("endbfchar\n")
		mapped = mapped[n:]
	}
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n") //i18n:ok PDF syntax
	stream("", deflate(cmap.Bytes()))
	obj(fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%s %s %s %s] /ItalicAngle 0 "+ //i18n:ok PDF syntax
		"/Ascent %s /Descent %s /CapHeight %s /StemV 80 /FontFile2 9 0 R >>", name, //i18n:ok PDF syntax
		scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]),
		scale(f.ascent), scale(f.descent), scale(f.capHeight)))
	program := f.subset(gids)
	stream(fmt.Sprintf("/Length1 %d", len(program)), deflate(program)) //i18n:ok PDF syntax
	date := "(D:" + s.when.UTC().Format("20060102150405") + "+00'00')" //i18n:ok PDF syntax
	var info bytes.Buffer
	info.WriteString("<< /Title " + pdfString(s.title)) //i18n:ok PDF syntax
	for _, m := range s.meta {
		info.WriteString(" /" + m[0] + " " + pdfString(m[1]))
	}
	info.WriteString(" /Creator " + pdfString(creatorName) + " /Producer " + pdfString(creatorName) + //i18n:ok PDF syntax
		" /CreationDate " + date + " /ModDate " + date + " >>") //i18n:ok PDF syntax
	obj(info.String())

	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, len(offsets), xref)
	return out.Bytes()
}
