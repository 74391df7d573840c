package pdf

import (
	"fmt"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"hms/app"
	"hms/app/i18n"
)

// labelSizes are the label stocks in millimetres, width × height.
var labelSizes = map[string][2]float64{
	app.LayoutLabel5025: {50, 25},
	app.LayoutLabel3825: {38, 25},
	app.LayoutWristband: {250, 25},
}

// wristbandClosure is the wristband's end that goes under the clasp,
// left blank.
const wristbandClosure = 40.0

// Label renders a patient's label on the stock of layout (LayoutLabel5025,
// LayoutLabel3825 or LayoutWristband): the name (family name first, in
// capitals), the birth date and the record number in words, the record
// number as a Code 128 barcode and as a QR code, on one page the size of
// the label. Its one word ("Born") is in lang (the patient's).
func Label(p *app.Patient, layout string, created time.Time, lang i18n.Lang) ([]byte, error) {
	if p == nil || p.MRN == "" {
		return nil, fmt.Errorf("pdf: label: no patient")
	}
	size, ok := labelSizes[layout]
	if !ok {
		return nil, fmt.Errorf("pdf: label: no %q label layout", layout)
	}
	bars, err := code128(p.MRN)
	if err != nil {
		return nil, fmt.Errorf("pdf: label: %w", err)
	}
	qr, err := qrcode.New(p.MRN, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("pdf: label: %w", err)
	}
	qr.DisableBorder = true
	name := strings.ToUpper(p.FamilyName) + ", " + p.GivenName
	tr := i18n.For(lang)
	born := tr.F("Born %s", p.BirthDate)

	w, h := size[0], size[1]
	const m = 1.5
	d, err := newSheet(w, tr.F("Label %s", p.MRN), created)
	if err != nil {
		return nil, err
	}
	x0 := m
	if layout == app.LayoutWristband {
		x0 = wristbandClosure
	}
	// The QR code: a square at the top right of a sticker, at the start
	// of a wristband's printed part.
	qrSide := 11.0
	qrX, qrY := w-m-qrSide, m
	textX, textW := x0, w-2*m-qrSide-1
	barX, barY, barW, barH := x0, m+qrSide+0.8, w-x0-m, h-2*m-qrSide-0.8
	if layout == app.LayoutWristband {
		qrSide = h - 2*m
		qrX, qrY = x0, m
		textX, textW = x0+qrSide+3, 80
		barX, barY, barW, barH = textX+textW+3, m+2, w-m-(textX+textW+3)-m, h-2*m-4
	}
	bitmap := qr.Bitmap()
	cell := qrSide / float64(len(bitmap))
	for y, row := range bitmap {
		for x := 0; x < len(row); {
			// A run of dark modules is one rectangle.
			j := x
			for j < len(row) && row[j] {
				j++
			}
			if j > x {
				d.rect(qrX+float64(x)*cell, qrY+float64(y)*cell, float64(j-x)*cell, cell)
				x = j
			} else {
				x++
			}
		}
	}
	// The barcode, with its quiet zones of 10 modules each side.
	module := barW / float64(len(bars)+20)
	for i := 0; i < len(bars); {
		j := i
		for j < len(bars) && bars[j] == bars[i] {
			j++
		}
		if bars[i] == '1' {
			d.rect(barX+float64(10+i)*module, barY, float64(j-i)*module, barH)
		}
		i = j
	}
	// The words, each on a line of its own below the last, one
	// millimetre in from the column's edge.
	nameSize, small := 8.0, 6.5
	if layout == app.LayoutLabel3825 {
		nameSize, small = 6.5, 5.5
	}
	if layout == app.LayoutWristband {
		nameSize, small = 11, 8
	}
	const pad = 1.0
	// A long name, or a long word before the birth date, gets smaller
	// rather than run into the QR code.
	for d.width(name, nameSize)+2*pad > textW && nameSize > 4 {
		nameSize -= 0.5
	}
	for d.width(born, small)+2*pad > textW && small > 4 {
		small -= 0.25
	}
	y := m
	for _, line := range []struct {
		size float64
		s    string
	}{{nameSize, name}, {small, born}, {small, p.MRN}} {
		lh := line.size / ptPerMM * lineSpacing
		if cellHook != nil {
			cellHook(textW-2*pad, line.s, d.width(line.s, line.size))
		}
		d.text(textX+pad, y+lh/2+0.3*line.size/ptPerMM, line.size, line.s)
		y += lh
	}
	return d.bytes(h), nil
}

// Code 128: the bar and space patterns of values 0-105 (1 a bar module, 0
// a space module), set B's start, and the stop pattern with its final bar.
var code128Patterns = [106]string{
	"11011001100", "11001101100", "11001100110", "10010011000", "10010001100",
	"10001001100", "10011001000", "10011000100", "10001100100", "11001001000",
	"11001000100", "11000100100", "10110011100", "10011011100", "10011001110",
	"10111001100", "10011101100", "10011100110", "11001110010", "11001011100",
	"11001001110", "11011100100", "11001110100", "11101101110", "11101001100",
	"11100101100", "11100100110", "11101100100", "11100110100", "11100110010",
	"11011011000", "11011000110", "11000110110", "10100011000", "10001011000",
	"10001000110", "10110001000", "10001101000", "10001100010", "11010001000",
	"11000101000", "11000100010", "10110111000", "10110001110", "10001101110",
	"10111011000", "10111000110", "10001110110", "11101110110", "11010001110",
	"11000101110", "11011101000", "11011100010", "11011101110", "11101011000",
	"11101000110", "11100010110", "11101101000", "11101100010", "11100011010",
	"11101111010", "11001000010", "11110001010", "10100110000", "10100001100",
	"10010110000", "10010000110", "10000101100", "10000100110", "10110010000",
	"10110000100", "10011010000", "10011000010", "10000110100", "10000110010",
	"11000010010", "11001010000", "11110111010", "11000010100", "10001111010",
	"10100111100", "10010111100", "10010011110", "10111100100", "10011110100",
	"10011110010", "11110100100", "11110010100", "11110010010", "11011011110",
	"11011110110", "11110110110", "10101111000", "10100011110", "10001011110",
	"10111101000", "10111100010", "11110101000", "11110100010", "10111011110",
	"10111101110", "11101011110", "11110101110", "11010000100", "11010010000",
	"11010011100",
}

const (
	code128StartB = 104
	code128Stop   = "1100011101011"
)

// code128 encodes s (printable ASCII) in Code 128 set B: start, one
// symbol a character, the check symbol (mod 103), stop; as modules.
func code128(s string) (string, error) {
	var b strings.Builder
	b.WriteString(code128Patterns[code128StartB])
	sum := code128StartB
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 32 || c > 126 {
			return "", fmt.Errorf("code 128: cannot encode %q", s)
		}
		v := int(c) - 32
		b.WriteString(code128Patterns[v])
		sum += v * (i + 1)
	}
	b.WriteString(code128Patterns[sum%103])
	b.WriteString(code128Stop)
	return b.String(), nil
}
