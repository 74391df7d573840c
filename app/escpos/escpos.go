// Package escpos renders receipts as raw ESC/POS commands for receipt
// printers that have no driver on the computer, and sends them to a
// device file, a network printer's raw port or the spooler's raw queue.
//
// Threat model: the bytes sent are built here from the stored receipt
// data; text is reduced to printable ASCII, so no name, reference or
// reason typed by a user can smuggle a printer command (a control byte) to
// the printer. The target is the desk's own printer setting, which any
// staff member of the desk may set (and which is audited): a wrong target
// sends a receipt, which holds a patient's name, to another device, the
// same risk as choosing the wrong printer for a PDF. Nothing is read back
// from the printer.
package escpos

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hms/app"
)

// Columns of Font A on the common rolls: 48 on an 80 mm roll, 32 on a
// 58 mm roll.
const (
	Columns80mm = 48
	Columns58mm = 32
)

// The commands used.
var (
	cmdInit       = []byte{0x1b, 0x40}                   // ESC @: reset
	cmdCenter     = []byte{0x1b, 0x61, 0x01}             // ESC a 1
	cmdLeft       = []byte{0x1b, 0x61, 0x00}             // ESC a 0
	cmdBoldOn     = []byte{0x1b, 0x45, 0x01}             // ESC E 1
	cmdBoldOff    = []byte{0x1b, 0x45, 0x00}             // ESC E 0
	cmdFeedCut    = []byte{0x1d, 0x56, 0x42, 0x03}       // GS V 66 3: feed 3 lines, partial cut
	cmdDrawerKick = []byte{0x1b, 0x70, 0x00, 0x19, 0xfa} // ESC p 0 25 250: pulse pin 2, 50 ms on, 500 ms off
)

// Receipt renders receipt r as ESC/POS for a printer of cols columns
// (Columns80mm or Columns58mm): the same content as the PDF receipts (the
// clinic, number, date, patient, invoices paid with their balances,
// amounts, method, cash and change, reference, cashier), "COPY" on top of
// a reprint, then a cut. A cash payment's first print opens the cash
// drawer after the cut; copies and other methods never do.
func Receipt(r *app.Receipt, copy bool, cols int) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("escpos: receipt: no receipt")
	}
	if cols != Columns80mm && cols != Columns58mm {
		return nil, fmt.Errorf("escpos: receipt: no %d-column layout", cols)
	}
	l := r.Lines(copy)
	var b []byte
	raw := func(cmd ...[]byte) {
		for _, c := range cmd {
			b = append(b, c...)
		}
	}
	lines := func(s string) {
		for _, l := range wrap(ascii(s), cols) {
			b = append(b, l...)
			b = append(b, '\n')
		}
	}
	center := func(s string) {
		if s == "" {
			return
		}
		raw(cmdCenter)
		lines(s)
		raw(cmdLeft)
	}
	bold := func(s string) {
		raw(cmdCenter, cmdBoldOn)
		lines(s)
		raw(cmdBoldOff, cmdLeft)
	}
	pair := func(label, value string) {
		label, value = ascii(label), ascii(value)
		if len(label)+1+len(value) > cols {
			lines(label)
			b = append(b, strings.Repeat(" ", max(0, cols-len(value)))...)
			lines(value)
			return
		}
		b = append(b, label...)
		b = append(b, strings.Repeat(" ", cols-len(label)-len(value))...)
		b = append(b, value...)
		b = append(b, '\n')
	}
	rule := func() { b = append(b, strings.Repeat("-", cols)+"\n"...) }

	raw(cmdInit)
	bold(l.ClinicName)
	for _, s := range l.ClinicDetails {
		center(s)
	}
	rule()
	if l.Copy {
		bold(l.CopyWord)
	}
	bold(l.Title)
	center(l.Number)
	center(l.Date)
	rule()
	lines(l.Patient)
	lines(l.Record)
	rule()
	for _, inv := range l.Invoices {
		lines(l.InvoiceLabel + " " + inv.Number)
		pair(l.TotalLabel, inv.Total)
		pair(l.PaidLabel, inv.Paid)
		pair(l.BalanceLabel, inv.Balance)
		if inv.Discount != nil {
			pair(inv.Discount.Label, inv.Discount.Value)
		}
	}
	rule()
	for _, a := range l.Amounts {
		pair(a.Label, a.Value)
	}
	rule()
	for i, s := range l.Notes {
		if i == len(l.Notes)-1 {
			center(s)
		} else {
			lines(s)
		}
	}
	raw(cmdFeedCut)
	if r.Payment.Method == app.PayCash && !copy && !r.Payment.IsReversal() {
		raw(cmdDrawerKick)
	}
	return b, nil
}

// greekLatin is the Latin spelling of each Greek letter (after ELOT 743,
// letter by letter), so that a Greek receipt, and a Greek name, print
// readably on a printer that has only ASCII: "Απόδειξη" prints as
// "Apodeixi".
var greekLatin = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// latinOfGreek spells Greek letter c in Latin letters, prev being the
// letter before it: υ after ο is "u" (ου), after α or ε "v" (αυ, ευ).
func latinOfGreek(c, prev rune) (string, bool) {
	lower := unicode.ToLower(c)
	l, ok := greekLatin[lower]
	if !ok {
		return "", false
	}
	if lower == 'υ' {
		switch unicode.ToLower(prev) {
		case 'ο':
			l = "u"
		case 'α', 'ε':
			l = "v"
		}
	}
	if lower != c {
		l = strings.ToUpper(l[:1]) + l[1:]
	}
	return l, true
}

// cyrillicLatin is the Latin spelling of each Cyrillic letter after the
// transliteration of ICAO Doc 9303 (Machine Readable Travel Documents,
// part 3), the one passports use, in its general table (without the
// exceptions it lists for single languages): "Иванов" prints as
// "Ivanov", as on the patient's passport. Letters with a diacritic
// (Й, Ё, Ї, Ў, Ѓ, Ќ) reach it decomposed and print as their base letter,
// which is what the table gives them; the soft sign is left out.
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i", 'і': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "iu", 'я': "ia", 'ґ': "g", 'ђ': "d", 'ѕ': "dz", 'ј': "j", 'љ': "lj", 'њ': "nj",
	'ћ': "c", 'џ': "dz", 'є': "ie", 'һ': "c", 'ѫ': "u",
}

// latinOfCyrillic spells Cyrillic letter c in Latin letters, next being
// the letter after it: a capital is written capitalised ("Жанна" →
// "Zhanna"), or all in capitals inside a word written in capitals
// ("ЖУК" → "ZHUK").
func latinOfCyrillic(c, next rune) (string, bool) {
	lower := unicode.ToLower(c)
	l, ok := cyrillicLatin[lower]
	if !ok {
		return "", false
	}
	if lower != c && l != "" {
		if unicode.IsUpper(next) {
			return strings.ToUpper(l), true
		}
		l = strings.ToUpper(l[:1]) + l[1:]
	}
	return l, true
}

// ascii reduces s to printable ASCII, which every ESC/POS printer's
// default code page prints alike: accents are dropped (Müller prints as
// Muller), Greek letters are spelt in Latin ones (latinOfGreek, ELOT 743)
// and so are Cyrillic ones (latinOfCyrillic, ICAO Doc 9303), other
// letters become "?", and control characters, which could be read as
// printer commands, become spaces. HMS selects no code page: the
// printers' code pages for Greek and Cyrillic differ from model to
// model, and ASCII prints on all of them.
func ascii(s string) string {
	var sb strings.Builder
	var prev rune
	rs := []rune(norm.NFD.String(s))
	for i, c := range rs {
		last := prev
		if !unicode.Is(unicode.Mn, c) {
			prev = c
		}
		if l, ok := latinOfGreek(c, last); ok {
			sb.WriteString(l)
			continue
		}
		if l, ok := latinOfCyrillic(c, nextLetter(rs, i)); ok {
			sb.WriteString(l)
			continue
		}
		switch {
		case c == '\n' || c == '\t' || (c < 0x7f && unicode.IsControl(c)) || c == 0x7f:
			sb.WriteByte(' ')
		case c < 0x7f:
			sb.WriteRune(c)
		case unicode.Is(unicode.Mn, c):
		case c == 'ß':
			sb.WriteString("ss")
		case unicode.IsSpace(c):
			sb.WriteByte(' ')
		default:
			sb.WriteByte('?')
		}
	}
	return sb.String()
}

// nextLetter is the first character after rs[i] that is not a combining
// mark, 0 at the end.
func nextLetter(rs []rune, i int) rune {
	for _, c := range rs[i+1:] {
		if !unicode.Is(unicode.Mn, c) {
			return c
		}
	}
	return 0
}

// wrap breaks s into lines of at most cols characters, at spaces where it
// can.
func wrap(s string, cols int) []string {
	var out []string
	for len(s) > cols {
		cut := strings.LastIndexByte(s[:cols+1], ' ')
		if cut <= 0 {
			out = append(out, s[:cols])
			s = s[cols:]
			continue
		}
		out = append(out, s[:cut])
		s = s[cut+1:]
	}
	return append(out, s)
}
