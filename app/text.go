package app

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hms/app/i18n"
)

// Text hygiene. What people type is shown again on screens, in terminals
// (hms user list), in exports and on printed documents. A control
// character (NUL, ESC and the terminal escape sequences it starts, a
// carriage return), a bidirectional override or isolate (which makes text
// read in another order than it is stored: "txt.exe" shown as "exe.txt")
// or bytes that are not UTF-8 have no place in a name, so single-line
// fields refuse them, with a message for the field; multi-line fields
// (notes, addresses) allow line breaks and tabs only.

// bidiControl reports the explicit bidirectional formatting characters:
// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and
// the Arabic letter mark (U+061C).
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x061C
}

// unfitRune reports a character a text field refuses: a control
// character (but, in multi-line text, a line break or a tab), a line or
// paragraph separator in single-line text, or a bidirectional control.
func unfitRune(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || bidiControl(r) || (!multiline && (r == 0x2028 || r == 0x2029))
}

// CheckLine checks a single-line text field (a name, a number, a phone
// number): valid UTF-8 without control or bidirectional formatting
// characters. label names the field in the message (i18n.N("The name"):
// messages translate it).
func CheckLine(field, label, s string) error {
	return checkRunes(field, label, s, false, false)
}

// CheckMultiline is CheckLine for a text of several lines: line breaks
// and tabs are allowed.
func CheckMultiline(field, label, s string) error {
	return checkRunes(field, label, s, true, false)
}

// checkRunes refuses the first character of s that a text field may not
// hold (firstUnfit). label names the field as the message's subject ("The
// name contains …"); with noun, it is a noun the message puts "The"
// before, as the clinical forms' length messages name their fields
// ("reaction": "The reaction contains …").
func checkRunes(field, label, s string, multiline, noun bool) error {
	bad, r, pos := firstUnfit(s, multiline)
	if !bad {
		return nil
	}
	notText := i18n.N("%s contains bytes that are not text (not UTF-8): retype it.")
	unfit := i18n.N("%s contains %s (U+%04X, character %d) that cannot be used: retype it.")
	if noun {
		notText = i18n.N("The %s contains bytes that are not text (not UTF-8): retype it.")
		unfit = i18n.N("The %s contains %s (U+%04X, character %d) that cannot be used: retype it.")
	}
	if r == utf8.RuneError && pos == 0 {
		return FieldErrorf(field, notText, label)
	}
	return FieldErrorf(field, unfit, label, unfitKind(r), r, pos)
}

// firstUnfit finds the first character s may not hold: bad with pos 0 and
// RuneError when s is not UTF-8, else the character and its position
// (counted from 1).
func firstUnfit(s string, multiline bool) (bad bool, r rune, pos int) {
	if !utf8.ValidString(s) {
		return true, utf8.RuneError, 0
	}
	for _, r := range s {
		pos++
		if unfitRune(r, multiline) {
			return true, r, pos
		}
	}
	return false, 0, 0
}

// unfitKind names what kind of character r is, for the message.
func unfitKind(r rune) string {
	if bidiControl(r) || r == 0x2028 || r == 0x2029 {
		return i18n.N("a text-direction or line-separator character")
	}
	return i18n.N("a control character")
}

// fieldLabels name the single-line fields in messages.
var fieldLabels = map[string]string{
	"given_name": i18n.N("The given name"), "family_name": i18n.N("The family name"), "full_name": i18n.N("The name"),
	"phone": i18n.N("The phone number"), "email": i18n.N("The e-mail address"), "national_id": i18n.N("The national or insurance id"),
	"emergency_contact": i18n.N("The emergency contact"), "emergency_phone": i18n.N("The emergency phone number"),
	"clinic_name": i18n.N("The clinic's name"),
}

// fieldOrder is the order checkLines reports in: the form's, top down.
var fieldOrder = []string{"given_name", "family_name", "full_name", "phone", "email", "national_id",
	"emergency_contact", "emergency_phone", "clinic_name"}

// checkLines checks single-line fields by name (fieldLabels), reporting
// the first refused in the forms' order.
func checkLines(fields map[string]string) error {
	for _, f := range fieldOrder {
		if s, ok := fields[f]; ok {
			if err := CheckLine(f, fieldLabels[f], s); err != nil {
				return err
			}
		}
	}
	return nil
}

// CSVCell neutralises a cell of a CSV export against formula injection
// (OWASP's rule): a spreadsheet runs a cell that begins with = + - @, a
// tab or a carriage return as a formula, so such a cell is written with a
// leading apostrophe, which spreadsheets show as text. A plain number
// ("-12.50", a refund in a report) is left as it is: it is no formula.
// ImportCell undoes it when a file is read back.
func CSVCell(s string) string {
	if neutralised(s) {
		return "'" + s
	}
	return s
}

// ImportCell reads back a cell CSVCell neutralised.
func ImportCell(s string) string {
	if strings.HasPrefix(s, "'") && neutralised(s[1:]) {
		return s[1:]
	}
	return s
}

// neutralised reports a cell CSVCell prefixes: one a spreadsheet would
// run, or one that already begins with the apostrophe of such a cell (so
// that reading back tells the two apart).
func neutralised(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '\'' {
		return neutralised(s[1:])
	}
	return strings.ContainsRune("=+-@\t\r", rune(s[0])) && !plainNumber(s)
}

// plainNumber: an optional minus, digits, and an optional decimal part.
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits, point := 0, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r == '.' || r == ',') && !point && digits > 0:
			point = true
		default:
			return false
		}
	}
	return digits > 0 && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ",")
}

// CSVRow is CSVCell over a row.
func CSVRow(row []string) []string {
	out := make([]string, len(row))
	for i, s := range row {
		out[i] = CSVCell(s)
	}
	return out
}

// ShownLine is s made safe to print on one line of a terminal or a report:
// bytes that are not UTF-8, control characters and bidirectional controls
// become U+FFFD, and runs of white space one space. Text saved before the
// fields refused such characters (or arriving from another desk's older
// version) is shown this way rather than as it is stored.
func ShownLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unfitRune(r, false):
			r = utf8.RuneError
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
