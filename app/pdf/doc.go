// Package pdf renders the documents HMS prints (prescriptions; receipts,
// invoices and reports as their areas arrive) as PDF, with the clinic's
// header and an embedded UTF-8 font, so that names in any of the clinic's
// scripts print as typed.
package pdf

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"hms/app"
	"hms/app/i18n"
	"hms/assets"
)

// fpdf's one-letter codes: alignments, borders, font styles, orientations.
const (
	alignL      = "L"           //i18n:ok fpdf's left alignment
	alignR      = "R"           //i18n:ok fpdf's right alignment
	alignC      = "C"           //i18n:ok fpdf's centred alignment
	borderB     = "B"           //i18n:ok fpdf's bottom border
	bold        = "B"           //i18n:ok fpdf's bold style
	portrait    = "P"           //i18n:ok fpdf's portrait orientation
	landscape   = "L"           //i18n:ok fpdf's landscape orientation
	creatorName = "HMS desktop" //i18n:ok the program's name in the document's metadata
)

// Page geometry in millimetres (A4 portrait).
const (
	marginX     = 15.0
	marginTop   = 15.0
	marginBot   = 18.0
	pageW       = 210.0
	contentW    = pageW - 2*marginX
	fontFamily  = "DejaVu" //i18n:ok the font's family name in fpdf
	colorText   = 30
	colorMuted  = 110
	lineSpacing = 1.25 // line height as a multiple of the font size in mm
)

// doc wraps an fpdf document with the fonts and helpers every HMS document
// shares, and the translator of the language it is printed in.
type doc struct {
	*fpdf.Fpdf
	tr *i18n.Tr
}

// newDoc starts an A4 portrait document with DejaVu Sans embedded
// (regular and bold), its metadata set from the title and the record's
// time so that the same record prints the same bytes.
func newDoc(tr *i18n.Tr, title string, created time.Time) *doc {
	return newDocOriented(tr, portrait, title, created)
}

// newLandscapeDoc is newDoc for a wide table: A4 landscape.
func newLandscapeDoc(tr *i18n.Tr, title string, created time.Time) *doc {
	return newDocOriented(tr, landscape, title, created)
}

func newDocOriented(tr *i18n.Tr, orientation, title string, created time.Time) *doc {
	return newDocWithFonts(tr, orientation, title, created, assets.FontRegular, assets.FontBold)
}

// newDocWithFonts starts a document in tr's language with the given
// regular face and, when boldFace is not nil, the bold one.
func newDocWithFonts(tr *i18n.Tr, orientation, title string, created time.Time, regular, boldFace []byte) *doc {
	f := fpdf.New(orientation, "mm", "A4", "") //i18n:ok fpdf's unit and page size
	f.SetMargins(marginX, marginTop, marginX)
	f.SetAutoPageBreak(true, marginBot)
	f.AddUTF8FontFromBytes(fontFamily, "", regular)
	if boldFace != nil {
		f.AddUTF8FontFromBytes(fontFamily, bold, boldFace)
	}
	f.SetTitle(title, true)
	f.SetCreator(creatorName, true)
	f.SetProducer(creatorName, true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.AliasNbPages("{nb}")
	return &doc{Fpdf: f, tr: tr}
}

// width is the width between the margins of the document's pages, in
// millimetres: contentW for portrait.
func (d *doc) width() float64 {
	w, _ := d.GetPageSize()
	return w - 2*marginX
}

// bottom is where the page's content ends, above the footer.
func (d *doc) bottom() float64 {
	_, h := d.GetPageSize()
	return h - marginBot
}

// font sets the font: bold or not, size in points, grey level.
func (d *doc) font(isBold bool, size float64, grey int) {
	style := ""
	if isBold {
		style = bold
	}
	d.SetFont(fontFamily, style, size)
	d.SetTextColor(grey, grey, grey)
}

// lineH is the height of one line of the current font, in millimetres.
func (d *doc) lineH() float64 {
	_, mm := d.GetFontSize()
	return mm * lineSpacing
}

// text writes wrapped text across width w at the current position and
// moves below it.
func (d *doc) text(w float64, s string) {
	if s == "" {
		return
	}
	d.MultiCell(w, d.lineH(), s, "", alignL, false)
}

// logo registers the clinic's logo (PNG or JPEG) and returns its name, or
// "" when there is none or it cannot be read: a broken logo must not stop a
// prescription from printing.
func (d *doc) logo(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	logo := prepareLogo(b)
	if logo == nil {
		return ""
	}
	info := d.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: logo.typ}, bytes.NewReader(logo.data))
	if d.Err() || info == nil || info.Width() <= 0 || info.Height() <= 0 {
		d.ClearError()
		return ""
	}
	return "logo"
}

// clinicHeader prints the logo, the clinic's name and contact details on
// the left and the document's title with its lines on the right, then a
// rule; it returns with the position below the rule.
func (d *doc) clinicHeader(clinic *app.Settings, title string, right []string) {
	d.header(clinic, title, right, headerFace{bold: true, size: 14, grey: colorText})
}

// headerFace is the font of a header's clinic name and title.
type headerFace struct {
	bold bool
	size float64
	grey int
}

// header is clinicHeader with the face of its name and title chosen.
func (d *doc) header(clinic *app.Settings, title string, right []string, face headerFace) {
	var details []string
	for _, s := range []string{clinic.Address, clinic.Phone, taxLine(d.tr, clinic.TaxID)} {
		if s != "" {
			details = append(details, s)
		}
	}
	d.headerLines(clinic.Logo, clinic.ClinicName, details, title, right, face)
}

// headerLines is header with the clinic's lines given: its logo, its name
// and the details under it.
func (d *doc) headerLines(logo []byte, clinicName string, details []string, title string, right []string, face headerFace) {
	top := d.GetY()
	x := marginX
	if name := d.logo(logo); name != "" {
		info := d.GetImageInfo(name)
		h := 18.0
		w := h * info.Width() / info.Height()
		if w > 40 {
			w, h = 40, 40*info.Height()/info.Width()
		}
		d.ImageOptions(name, marginX, top, w, h, false, fpdf.ImageOptions{}, 0, "")
		x += w + 4
	}
	leftW := 110 - (x - marginX)
	d.SetXY(x, top)
	d.font(face.bold, face.size, face.grey)
	d.text(leftW, clinicName)
	d.font(false, 9, colorMuted)
	for _, s := range details {
		d.SetX(x)
		d.text(leftW, s)
	}
	leftBottom := max(d.GetY(), top+18)

	rx := marginX + 110
	d.SetXY(rx, top)
	d.font(face.bold, face.size, face.grey)
	d.CellFormat(d.width()-110, d.lineH(), title, "", 2, alignR, false, 0, "")
	d.font(false, 9, colorText)
	for _, s := range right {
		// A long line (a report's period and filters) wraps rather than
		// run off the page.
		for _, line := range d.SplitText(s, d.width()-110-2) {
			d.SetX(rx)
			d.CellFormat(d.width()-110, d.lineH(), line, "", 2, alignR, false, 0, "")
		}
	}
	y := max(leftBottom, d.GetY()) + 3
	d.SetDrawColor(160, 160, 160)
	d.SetLineWidth(0.3)
	d.Line(marginX, y, marginX+d.width(), y)
	d.SetXY(marginX, y+4)
}

// taxLine is the clinic's tax id as its header prints it, "" for none.
func taxLine(tr *i18n.Tr, id string) string {
	if id == "" {
		return ""
	}
	return tr.F("Tax id %s", id)
}

// watermark prints a large, pale, diagonal word across the page, behind
// what follows (it is drawn from the page header).
func (d *doc) watermark(word string) {
	x, y := d.GetXY()
	d.SetAlpha(0.18, "Normal") //i18n:ok a blend mode
	d.font(true, 72, 0)
	d.SetTextColor(200, 0, 0)
	w := d.GetStringWidth(word)
	pw, ph := d.GetPageSize()
	cx, cy := pw/2, ph/2
	d.TransformBegin()
	d.TransformRotate(45, cx, cy)
	d.Text(cx-w/2, cy+8, word)
	d.TransformEnd()
	d.SetAlpha(1, "Normal") //i18n:ok a blend mode
	d.SetXY(x, y)
}

// footer prints the document's reference and the page count at the bottom.
func (d *doc) footer(ref string) {
	d.SetY(-12)
	d.font(false, 8, colorMuted)
	// {nb} is fpdf's alias of the page count, filled in at the end.
	d.CellFormat(d.width(), 4, d.tr.F("%s · page %d of {nb}", ref, d.PageNo()), "", 0, alignC, false, 0, "")
}

// bytes finishes the document.
func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}
